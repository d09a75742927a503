"""Find the official tables in a workbook made by anyone, by the labels of the form spec, and read each
figure at the crossing of its row label and its column header.

The form spec is the one source of the layout: a table is its labels at their template places. In a
workbook made otherwise the same labels stand elsewhere (a title row above, a 序号 column, all tables on
one sheet, local rows added, an official row left out), but in the same order. So the template's rows
are aligned with the sheet's rows by the labels they carry (the heaviest chain in order, as diff does),
then its columns with the sheet's columns within those rows; a figure is read where its template row
and column land. What cannot be placed with certainty is a finding, never a silent pick.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from gkxl.findings.finding import Finding
from gkxl.form import spec as specmod
from gkxl.form.a1 import a1
from gkxl.form.model import unit_key
from gkxl.io import headers
from gkxl.io.sheetlabels import Grid, keys
from gkxl.text.labels import normalise
from gkxl.text.messages import Message
from gkxl.text.titles import file_name_identity, is_title, title_identity, year_in

INNER_ROW = 3.0              # the row label nearest the figures names the row; the labels left of it group rows
FOUND = 0.4                  # share of a table's label weight that must be found for the table to be there
ROW_SLACK, COL_SLACK = 20, 8   # rows (columns) a workbook may add between two official ones


# --- the spec's tables as labels at template places ----------------------------------------------

@dataclass(frozen=True, eq=False)     # one object per label of a shape: hashed by identity, fast
class Label:
    row: int
    col: int
    text: str
    style: str
    weight: float
    keys: tuple[str, str, str]


@dataclass
class Shape:
    sheet: specmod.Sheet
    title: str
    labels: list[Label]
    total: float                         # the weight of all labels: what a complete copy scores
    row_names: dict[int, str]            # template row of figures -> its official label, for messages
    col_names: dict[int, str]
    labelled_rows: set[int]
    labelled_cols: set[int]
    beyond: tuple[int, int]              # figures below (right of) the last label, for the extent of a copy

    @property
    def data_rows(self) -> list[int]:
        return sorted(self.row_names)


@cache
def shapes(spec: specmod.Spec) -> tuple[Shape, ...]:
    """The spec's table sheets as labels at template places, the row label nearest the figures weighing most."""
    out = []
    for sheet in spec.sheets:
        if sheet.holds != "table":
            continue
        first_col = {}
        for c in sheet.cells:
            first_col[c.row] = min(first_col.get(c.row, c.col), c.col)
        inner = {}
        for lab in sheet.labels:
            if lab.style == "row" and lab.row in first_col and lab.col < first_col[lab.row]:
                if lab.row not in inner or lab.col > inner[lab.row].col:
                    inner[lab.row] = lab
        labels = [Label(lab.row, lab.col, lab.text, lab.style,
                        INNER_ROW if inner.get(lab.row) is lab else 1.0, keys(lab.text)) for lab in sheet.labels]
        title = next((lab.text for lab in sheet.labels if lab.style == "title"), sheet.name)
        row_names, col_names = {}, {}
        for c in sheet.cells:
            row_names.setdefault(c.row, c.row_label or c.label)
            col_names.setdefault(c.col, c.col_label or c.label)
        if len({c.row for c in sheet.cells}) == 1:      # table 4: one row of figures, named by the table
            row_names = {sheet.cells[0].row: title}
        beyond = (max(0, max(c.row for c in sheet.cells) - max(lab.row for lab in labels)),
                  max(0, max(c.col for c in sheet.cells) - max(lab.col for lab in labels)))
        out.append(Shape(sheet, title, labels, sum(lab.weight for lab in labels), row_names, col_names,
                         {lab.row for lab in labels}, {lab.col for lab in labels}, beyond))
    return tuple(out)


# --- aligning a table with a sheet ----------------------------------------------------------------

def chain(cands: list[tuple[int, int, float]], slack: int) -> list[tuple[int, int, float]]:
    """The heaviest chain of (template, found, score), increasing in both, whose found gaps are at most
    the template gaps plus `slack` (a table is one block, not labels gathered from the whole sheet)."""
    cands = sorted(cands)
    best, back = [0.0] * len(cands), [-1] * len(cands)
    for i, (t, f, s) in enumerate(cands):
        top, at = 0.0, -1
        for j in range(i):
            tj, fj, _ = cands[j]
            if tj < t and fj < f and f - fj <= t - tj + slack and best[j] > top:
                top, at = best[j], j
        best[i], back[i] = top + s, at
    if not cands:
        return []
    i = max(range(len(cands)), key=lambda k: (best[k], -k))
    out = []
    while i >= 0:
        out.append(cands[i])
        i = back[i]
    return out[::-1]


@dataclass
class Copy:
    """One place where a table stands: template rows and columns mapped to the sheet's."""
    grid: Grid
    shape: Shape
    rows: dict[int, int]
    cols: dict[int, int]
    score: float
    used: set[tuple[int, int]]
    span: tuple[int, int, int, int]

    @property
    def where(self) -> str:
        r0, c0, r1, c1 = self.span
        return f"{self.grid.name}!{a1(r0, c0)}:{a1(r1, c1)}"


def align(grid: Grid, shape: Shape, taken: frozenset = frozenset(), matched: dict | None = None) -> Copy | None:
    """`matched`: every label's places on the sheet, when the caller has them (they are the same for each
    copy looked for; the places of the copies found already are `taken`)."""
    if matched is None:
        matched = {lab: grid.matches(lab) for lab in shape.labels}
    found = {lab: {p: lv for p, lv in places.items() if p not in taken} if taken else places
             for lab, places in matched.items()}
    per_row: dict[tuple[int, int], dict[Label, float]] = {}
    for lab, places in found.items():
        for (r, _c), lv in places.items():
            got = per_row.setdefault((lab.row, r), {})
            got[lab] = max(got.get(lab, 0.0), lv * lab.weight)
    rows = {t: f for t, f, _ in chain([(t, f, sum(s.values())) for (t, f), s in per_row.items()], ROW_SLACK)}
    per_col: dict[tuple[int, int], dict[Label, float]] = {}
    for lab, places in found.items():
        if lab.row not in rows:
            continue
        for (r, c), lv in places.items():
            if r == rows[lab.row]:
                got = per_col.setdefault((lab.col, c), {})
                got[lab] = max(got.get(lab, 0.0), lv * lab.weight)
    cols = {t: f for t, f, _ in chain([(t, f, sum(s.values())) for (t, f), s in per_col.items()], COL_SLACK)}
    used, score = set(), 0.0
    for lab, places in found.items():
        pos = (rows.get(lab.row), cols.get(lab.col))
        if pos in places:
            used.add(pos)
            score += places[pos] * lab.weight
    if not used:
        return None
    rs, cs = [p[0] for p in used], [p[1] for p in used]
    span = (min(rs), min(cs), max(rs) + shape.beyond[0], max(cs) + shape.beyond[1])
    return Copy(grid, shape, rows, cols, score, used, span)


def copies(grids: list[Grid], shape: Shape) -> list[Copy]:
    """Every place the table stands (two copies on one sheet are found one after the other)."""
    out = []
    for grid in grids:
        taken: frozenset = frozenset()
        matched = {lab: grid.matches(lab) for lab in shape.labels}
        if not any(matched.values()):
            continue                    # none of the table's labels on this sheet
        for _ in range(3):
            copy = align(grid, shape, taken, matched)
            if copy is None or copy.score < FOUND * shape.total:
                break
            out.append(copy)
            taken = taken | frozenset(copy.used)
    return out


# --- reading one table ------------------------------------------------------------------------------

@dataclass
class TableRead:
    values: dict[str, object] = field(default_factory=dict)
    places: dict[str, tuple[str, str]] = field(default_factory=dict)
    unread: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    at: dict[str, tuple[str, int, int]] = field(default_factory=dict)      # the places as (sheet, row, col)


def _finding(rule: str, code: str, at: tuple[str, str | None] | None = None, **params) -> Finding:
    f = Finding.of(rule, code, **params)
    if at:
        f.sheet, f.cell = at
    return f


def read_copy(copy: Copy, clean) -> TableRead:
    """The figures of one located table; rows and columns that are missing or doubtful are not read."""
    shape, grid, sheet = copy.shape, copy.grid, copy.shape.sheet
    out = TableRead()
    value_cols = sorted({c.col for c in sheet.cells})
    if headers.tree(sheet).banded:
        r0, c0, r1, c1 = copy.span
        height, width = len(grid.rows), max((len(r) for r in grid.rows), default=0)
        placed = headers.place(grid, sheet, (r0, c0, min(height - 1, r1 + 3), min(width - 1, c1 + 3)))
        rows, cols = placed.rows, placed.cols
        rows_twice, cols_twice = placed.rows_twice, placed.cols_twice
        label_rows = set(range(r0, min((f for f in rows.values() if f is not None), default=r0)))
        label_cols = set(range(c0, min((f for f in cols.values() if f is not None), default=c0)))
    else:
        rows = _place_all(shape.data_rows, copy.rows, shape.labelled_rows)
        cols = _place_all(value_cols, copy.cols, shape.labelled_cols)
        rows_twice = {t: w for t in shape.data_rows if rows.get(t) is not None and (w := _ambiguous_row(copy, t))}
        cols_twice = {c: w for c in value_cols if cols.get(c) is not None and (w := _ambiguous_col(copy, c))}
        label_rows, label_cols = set(copy.rows.values()), set(copy.cols.values())
    for t in shape.data_rows:
        if t in rows_twice:
            twice = rows_twice[t]
            out.findings.append(_finding("STRUCT-row", "locate.row_twice", (grid.name, a1(*twice[0])), title=shape.title,
                                         label=shape.row_names[t], places="、".join(grid.where(*p) for p in twice)))
            rows[t] = None
        elif rows.get(t) is None:
            out.findings.append(_finding("STRUCT-row", "locate.row_missing", (grid.name, None), title=shape.title,
                                         label=shape.row_names[t]))
    for c in value_cols:
        if c in cols_twice:
            twice = cols_twice[c]
            out.findings.append(_finding("STRUCT-row", "locate.column_twice", (grid.name, a1(*twice[0])),
                                         title=shape.title, label=shape.col_names[c],
                                         places="、".join(grid.where(*p) for p in twice)))
            cols[c] = None
        elif cols.get(c) is None:
            out.findings.append(_finding("STRUCT-row", "locate.column_missing", (grid.name, None), title=shape.title,
                                         label=shape.col_names[c]))
    for cell in sheet.cells:
        fr, fc = rows.get(cell.row), cols.get(cell.col)
        if fr is None or fc is None:
            out.unread.add(cell.key)
            out.values[cell.key] = None
            continue
        value = clean(grid.get(fr, fc))
        out.values[cell.key] = value.strip() if cell.type == "text" and isinstance(value, str) else value
        out.places[cell.key] = (grid.name, a1(fr, fc))
        out.at[cell.key] = (grid.name, fr, fc)
    out.findings += _extras(grid, shape, rows, cols, label_rows, label_cols)
    return out


def _place_all(wanted: list[int], mapped: dict[int, int], labelled: set[int]) -> dict[int, int | None]:
    """Template rows (columns) of figures on the sheet: as aligned, or, for one without a label of its own
    (table 4's single row of figures), at the same distance from the nearest aligned one before it."""
    out: dict[int, int | None] = {}
    taken = set(mapped.values())
    for t in wanted:
        if t in mapped:
            out[t] = mapped[t]
            continue
        before = [m for m in mapped if m < t]
        if t in labelled or not before:
            out[t] = None
            continue
        t0 = max(before)
        f = mapped[t0] + (t - t0)
        out[t] = f if f not in taken else None
    return out


def _neighbours(mapped: dict[int, int], t: int) -> tuple[int, int]:
    lower = [f for m, f in mapped.items() if m < t]
    upper = [f for m, f in mapped.items() if m > t]
    return (max(lower) if lower else -1), (min(upper) if upper else 1 << 30)


def _ambiguous_row(copy: Copy, t: int) -> list[tuple[int, int]] | None:
    """The row label of template row `t` standing on another sheet row within the table, as well."""
    inner = [lab for lab in copy.shape.labels if lab.row == t and lab.weight == INNER_ROW]
    if not inner or t not in copy.rows:
        return None
    lab = inner[0]
    places = copy.grid.matches(lab)
    col = copy.cols.get(lab.col)
    chosen = (copy.rows[t], col)
    if chosen not in places:
        return None
    lo, hi = _neighbours(copy.rows, t)
    others = [p for p, lv in places.items() if p != chosen and p[1] == col and lo < p[0] < hi and lv >= places[chosen]]
    return [chosen, *others] if others else None


def _ambiguous_col(copy: Copy, c: int) -> list[tuple[int, int]] | None:
    """A column header of template column `c` standing in another sheet column within the table, as well."""
    lo, hi = _neighbours(copy.cols, c)
    for lab in copy.shape.labels:
        if lab.col != c or lab.style != "header" or lab.row not in copy.rows:
            continue
        places = copy.grid.matches(lab)
        chosen = (copy.rows[lab.row], copy.cols[c])
        if chosen not in places:
            continue
        others = [p for p, lv in places.items() if p != chosen and p[0] == chosen[0] and lo < p[1] < hi
                  and lv >= places[chosen]]
        if others:
            return [chosen, *others]
    return None


def _extras(grid: Grid, shape: Shape, rows: dict, cols: dict, label_rows: set, label_cols: set) -> list[Finding]:
    """Rows and columns of figures that are not in the official table (序号, local additions): said, not read.
    `label_rows` and `label_cols` are the table's own rows of headers and columns of row labels."""
    data_rows = sorted(f for f in rows.values() if f is not None)
    value_cols = sorted(f for f in cols.values() if f is not None)
    if not data_rows or not value_cols:
        return []
    out = []
    official_rows = label_rows | set(data_rows)
    for r in range(data_rows[0] + 1, data_rows[-1]):
        if r in official_rows or not any(grid.filled(r, c) for c in value_cols):
            continue
        label = next(((c, grid.get(r, c)) for c in range(value_cols[0]) if isinstance(grid.get(r, c), str)
                      and grid.get(r, c).strip()), (value_cols[0], ""))
        out.append(_finding("STRUCT-extra", "locate.row_extra", (grid.name, a1(r, label[0])), title=shape.title,
                            label=_shown(label[1]) or a1(r, label[0])))
    mapped_cols = label_cols | set(value_cols)
    left = min(mapped_cols)
    labels = {lab.keys[0] for lab in shape.labels}
    for c in [left - 1, *range(left + 1, value_cols[-1])]:
        if c < 0 or c in mapped_cols or c in value_cols:
            continue
        filled = [r for r in data_rows if grid.filled(r, c)]
        if not filled or any(isinstance(grid.get(r, c), str) and keys(grid.get(r, c))[0] in labels for r in filled):
            continue
        head = next((grid.get(r, c) for r in range(data_rows[0] - 1, max(-1, data_rows[0] - 6), -1)
                     if isinstance(grid.get(r, c), str) and grid.get(r, c).strip()), "")
        out.append(_finding("STRUCT-extra", "locate.column_extra", (grid.name, a1(filled[0], c)), title=shape.title,
                            label=_shown(head) or a1(filled[0], c).rstrip("0123456789")))
    return out


def _shown(text) -> str:
    s = " ".join(str(text or "").split())
    return s if len(s) <= 40 else s[:40] + "…"


# --- which format ---------------------------------------------------------------------------------

def whole_text(grids: list[Grid]) -> str:
    """Every text of the workbook, normalised and joined: where a format's marker words are looked for."""
    return "".join(keys(t)[0] for g in grids for _, _, t in g.texts)


# --- who and which year -----------------------------------------------------------------------------

# other words printed before the value in an info block, beside the spec's own labels
ALIASES = {"unit": ("填报单位", "报送单位", "单位名称"), "year": ("报告年度", "年度"),
           "unit_code": ("统一社会信用代码", "单位代码")}


@dataclass
class Identity:
    unit: object = None
    unit_code: object = None
    year: object = None
    places: dict[str, tuple[str, str]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    candidates: dict[str, list] = field(default_factory=dict)   # what two disagreeing info blocks said
    ambiguous: set[str] = field(default_factory=set)


def identify(grids: list[Grid], spec: specmod.Spec, file_name: str) -> Identity:
    """Unit, code and year from an info block; else from a title; else from the file name (each said)."""
    out = Identity()
    labels = {}
    for name in ("unit", "unit_code", "year"):
        cell = spec.meta_cell(name)
        names = ((cell.label,) if cell else ()) + ALIASES[name]
        labels[name] = sorted({normalise(x) for x in names}, key=len, reverse=True)
    seen: dict[str, dict] = {"unit": {}, "unit_code": {}, "year": {}}    # name -> distinct value -> (value, place)
    for grid in grids:
        for r, c, text in grid.texts:
            for name, found in _info_cell(grid, r, c, text, labels).items():
                if found[0] in (None, ""):
                    continue
                value = (_year(found[0]) or found[0]) if name == "year" else found[0]
                same = unit_key(value) if name == "unit" else str(value).strip()
                seen[name].setdefault(same, (value, (grid.name, a1(*found[1]))))
    for name, values in seen.items():
        if len(values) == 1:
            (value, place), = values.values()
            setattr(out, name, value)
            if spec.meta_cell(name) is not None:
                out.places[spec.meta_cell(name).key] = place
        elif len(values) > 1:           # two info blocks that disagree: said, never a silent pick
            out.candidates[name] = [value for value, _ in values.values()]
            items = [f"“{value}”（{sheet}!{ref}）" for value, (sheet, ref) in values.values()]
            rule = {"unit": "ID-unit", "year": "ID-year", "unit_code": "ID-code"}[name]
            out.findings.append(_finding(rule, "locate.identity_twice", what=Message(f"locate.what_{name}"), items=items))
            out.ambiguous.add(name)
    if (out.unit is None and "unit" not in out.ambiguous) or (out.year is None and "year" not in out.ambiguous):
        for grid in grids:
            for r, c, text in grid.texts:
                title = " ".join(text.split())
                if not is_title(title):
                    continue
                unit, year = title_identity(title)
                where = grid.where(r, c)
                if out.unit is None and unit and "unit" not in out.ambiguous:
                    out.unit = unit
                    out.findings.append(_finding("ID-source", "locate.unit_from_title", value=unit, where=where))
                if out.year is None and "year" not in out.ambiguous:
                    out.year = year
                    out.findings.append(_finding("ID-source", "locate.year_from_title", value=out.year, where=where))
                break
            if out.unit is not None and out.year is not None:
                break
    if out.unit is None or out.year is None:
        unit, year = file_name_identity(file_name)
        if out.unit is None and unit and "unit" not in out.ambiguous:
            out.unit = unit
            out.findings.append(_finding("ID-source", "locate.unit_from_file", value=unit, name=file_name))
        if out.year is None and year and "year" not in out.ambiguous:
            out.year = year
            out.findings.append(_finding("ID-source", "locate.year_from_file", value=year, name=file_name))
    if out.unit is not None and not isinstance(out.unit, str):
        out.unit = str(out.unit)
    if out.unit_code is not None and not isinstance(out.unit_code, str):
        out.unit_code = str(out.unit_code)
    return out


@lru_cache(maxsize=64)
def _info_split(names: tuple[str, ...]) -> re.Pattern:
    """`名称：值` for any of the info block's names (one pattern per form, not one per cell)."""
    return re.compile("(" + "|".join(re.escape(x) for x in names) + r")\s*[:：]")


def _info_cell(grid: Grid, r: int, c: int, text: str, labels: dict) -> dict:
    """What an info-block cell says: `单位名称` with the value to its right, or `填报单位：XX局` in one cell."""
    n = keys(text)[0]
    out = {}
    for name, names in labels.items():
        for lab in names:
            if n in (lab, lab + ":"):
                for cc in range(c + 1, c + 4):
                    if grid.filled(r, cc):
                        v = grid.get(r, cc)
                        out[name] = (v.strip() if isinstance(v, str) else v, (r, cc))
                        break
                break
    if out:
        return out
    parts = _info_split(tuple(x for names in labels.values() for x in names)).split("".join(text.split()))
    if len(parts) < 3:
        return out
    for i in range(1, len(parts) - 1, 2):
        name = next(k for k, names in labels.items() if normalise(parts[i]) in names)
        value = parts[i + 1].strip(" ,，;；")
        if value and name not in out:
            out[name] = (value, (r, c))
    return out


def _year(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and float(value).is_integer():
        return int(value)
    return year_in(value)


# --- the whole workbook -------------------------------------------------------------------------------

@dataclass
class Located:
    spec: specmod.Spec
    values: dict[str, object]
    places: dict[str, tuple[str, str]]
    sheets: dict[str, str]              # spec sheet -> the workbook's sheet it was read from
    unread: set[str]
    skipped: set[str]                   # spec sheets not found
    findings: list[Finding]
    found: int                          # tables found
    at: dict[str, tuple[str, int, int]] = field(default_factory=dict)   # places as (sheet, row, col)


def locate_tables(grids: list[Grid], spec: specmod.Spec, clean) -> Located:
    values = {c.key: None for c in spec.value_cells}
    result = Located(spec, values, {}, {}, set(), set(), [], 0)
    for shape in shapes(spec):
        name = shape.sheet.name
        keys_here = [c.key for c in shape.sheet.cells]
        found = copies(grids, shape)
        if not found:
            result.skipped.add(name)
            result.findings.append(_finding("STRUCT-table", "locate.table_missing", None, title=shape.title,
                                            labels=looked_for(shape)))
            continue
        result.found += 1
        if len(found) > 1:
            result.unread.update(keys_here)
            result.sheets[name] = found[0].grid.name
            result.findings.append(_finding("STRUCT-table", "locate.table_twice", (found[0].grid.name, None),
                                            title=shape.title, first=found[0].where, second=found[1].where))
            continue
        copy = found[0]
        table = read_copy(copy, clean)
        result.sheets[name] = copy.grid.name
        values.update(table.values)
        result.places.update(table.places)
        result.at.update(table.at)
        result.unread |= table.unread
        result.findings.append(_finding("STRUCT-located", "locate.found", (copy.grid.name, None), title=shape.title,
                                        where=copy.where))
        result.findings += table.findings
    return result


def looked_for(shape: Shape, n: int = 3) -> str:
    """A few of the table's own labels, for saying what was looked for."""
    seen, out = set(), []
    for lab in shape.labels:
        if lab.style in ("header", "row") and len(lab.keys[0]) >= 5 and lab.keys[0] not in seen:
            seen.add(lab.keys[0])
            out.append(f"“{lab.text}”")
    return "、".join(out[:n])
