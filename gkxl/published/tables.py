"""The form spec's tables seen as row targets, and reading a report's table rows into cell values.

Row labels, header labels and cell keys all come from the spec; a row is matched by its label
(normalised, then by the closest wording), its figures fitted to the row's cells, padding from merged
cells dropped. Whatever cannot be placed becomes a note with its line number: nothing is guessed silently.
"""
from __future__ import annotations

from dataclasses import dataclass

from gkxl.form import spec as specmod
from gkxl.published.lines import Line, is_value
from gkxl.published.notes import Notes
from gkxl.text.labels import best_match, core, leading_numeral, normalise
from gkxl.text.numbers import compact, read_number

GENERIC_HEADERS = ("项目", "信息内容", "指标", "单位：件", "单位：个")
MAX_WRAPPED_LINES = 16          # lines a wrapped header row may take (a long label a character a line)


@dataclass
class Target:
    sheet: str
    label: str                  # the official label, for messages
    candidates: list[str]       # label texts that identify the row
    keys: list[str]             # cell keys in published column order
    group: list[list[str]] | None = None   # a parent row: the key rows it stands for


@dataclass
class TableSpec:
    sheet: str
    numeral: str
    title: str
    rows: list[Target]
    flat: Target | None         # all figures in one unlabelled row (table 4)
    headers: set[str]           # normalised header, block and title texts


def table_specs(spec: specmod.Spec) -> list[TableSpec]:
    tables = []
    for sheet in spec.sheets:
        if sheet.holds != "table":
            continue
        title = next((l.text for l in sheet.labels if l.style == "title"), sheet.name)
        headers = {normalise(l.text) for l in sheet.labels if l.style != "row"}
        headers |= {normalise(c.col_label) for c in sheet.cells if c.col_label} | {normalise(w) for w in GENERIC_HEADERS}
        by_row: dict[int, list[specmod.Cell]] = {}
        for c in sheet.cells:
            by_row.setdefault(c.row, []).append(c)
        one_row = len(by_row) == 1 and len({c.row_label for c in sheet.cells}) > 1
        targets = _grid_targets(sheet) if one_row or any(c.col_label for c in sheet.cells) else _row_targets(sheet, by_row)
        flat = None
        if one_row:
            keys = [c.key for c in sorted(sheet.cells, key=lambda c: c.col)]
            flat = Target(sheet.name, title, [], keys)
        targets += _group_targets(sheet, targets)
        tables.append(TableSpec(sheet.name, leading_numeral(title) or "", title, targets, flat, headers))
    return tables


def _row_targets(sheet: specmod.Sheet, by_row: dict[int, list[specmod.Cell]]) -> list[Target]:
    targets = []
    for lab in sheet.labels:
        if lab.style == "row" and lab.row in by_row:
            cells = sorted(by_row[lab.row], key=lambda c: c.col)
            targets.append(Target(sheet.name, lab.text, [lab.text], [c.key for c in cells]))
    return targets


def _grid_targets(sheet: specmod.Sheet) -> list[Target]:
    """One target per grid row; its label is the row label's last part and the sheet label printed there."""
    rows: dict[str, list[specmod.Cell]] = {}
    for c in sheet.cells:
        rows.setdefault(c.row_label, []).append(c)
    targets = []
    for row_label, cells in rows.items():
        cells.sort(key=lambda c: c.col)
        candidates = [row_label.split(" · ")[-1]]
        printed = [l for l in sheet.labels if l.style == "row" and l.row == cells[0].row and l.col < cells[0].col
                   and not (l.merge and l.merge[2] > l.merge[0])]
        if printed:
            candidates.insert(0, max(printed, key=lambda l: l.col).text)
        targets.append(Target(sheet.name, row_label.split(" · ")[-1], candidates, [c.key for c in cells]))
    return targets


def _group_targets(sheet: specmod.Sheet, leaves: list[Target]) -> list[Target]:
    """Parent labels spanning several rows, e.g. （六）其他处理: recognised when published as a single row."""
    groups = []
    for lab in sheet.labels:
        if lab.style != "row" or not lab.merge or lab.merge[2] == lab.merge[0]:
            continue
        r0, r1 = lab.merge[0], lab.merge[2]
        row_of = {c.key: c.row for c in sheet.cells}
        members = [t for t in leaves if r0 <= row_of[t.keys[0]] <= r1]
        if members and len({len(m.keys) for m in members}) == 1:
            groups.append(Target(sheet.name, lab.text, [lab.text], [], [m.keys for m in members]))
    return groups



class TableReader:
    """Reads the rows of the report's tables into `values` (cell key -> value as published)."""

    def __init__(self, spec: specmod.Spec, notes: Notes, all_lines: list[Line]):
        self.spec, self.notes, self.lines = spec, notes, all_lines
        self.cells = spec.cells
        self.values: dict[str, object] = {c.key: None for c in spec.value_cells}
        self.key_lines: dict[str, int] = {}
        self.seen_rows: dict[str, int] = {}
        self.group_values: list[tuple[Target, list]] = []

    def note(self, line, code: str, **params) -> None:
        self.notes.add(line, code, **params)

    def read_table(self, table: TableSpec, lines: list[Line]) -> None:
        found = self.read_rows(table, lines, report_unplaced=True)
        self.report_missing(table, found)

    def read_table_anywhere(self, table: TableSpec, sections: dict[str, list[Line]]) -> None:
        """The section heading is missing: take the rows that carry this table's labels from anywhere."""
        in_text_sections = {id(l) for n, ls in sections.items() if n in ("一", "五", "六") for l in ls}
        candidates = [l for l in self.lines if id(l) not in in_text_sections]
        found = self.read_rows(table, candidates, report_unplaced=False)
        if found:
            self.note(None, "parse.table_outside_section", sheet=table.sheet, numeral=table.numeral)
        self.report_missing(table, found)

    def report_missing(self, table: TableSpec, found: set[str]) -> None:
        leaves = [t for t in table.rows if t.group is None]
        if not found:
            self.note(None, "parse.table_missing", sheet=table.sheet)
            return
        covered = set(found)
        for t in table.rows:
            if t.group is not None and t.label in found:
                covered |= {leaf.label for leaf in leaves if leaf.keys in t.group}
        if table.flat is not None and table.flat.label in found:
            return
        for t in leaves:
            if t.label not in covered:
                self.note(None, "parse.row_missing", sheet=table.sheet, label=t.label)

    def read_rows(self, table: TableSpec, lines: list[Line], report_unplaced: bool) -> set[str]:
        found: set[str] = set()
        pending: Line | None = None
        unplaced: list[Line] = []           # label lines not placed, said once it is sure they stay so
        heads: list[Line] = []              # the run of label lines just read (a header, perhaps wrapped)
        for line in lines:
            if not line.filled:
                continue
            labels, after = _split_row(line.fields)
            if not any(compact(v) for v in after) and labels:
                blank = self.blank_table_row(table, labels, after, line)
                if blank is not None:
                    found.add(blank)
                    heads = []
                    continue
                heads.append(line)
                known = self.is_header(table, labels) or self.match(table, labels, None, quiet=True)
                wrapped = {id(l) for l in self.wrapped_header(table, heads)} if pending is not None or not known \
                    else set()
                if wrapped:                     # lines that only looked unplaced: pieces of the header
                    unplaced = [l for l in unplaced if id(l) not in wrapped]
                    pending = None if id(pending) in wrapped else pending
                if wrapped or known:
                    continue
                if pending is not None:
                    unplaced.append(pending)
                pending = line
                continue
            heads = []
            target = self.match(table, labels, line) if labels else None
            if target is None and pending is not None and labels:
                target = self.match(table, _join_labels(pending, labels), line)
                if target is not None:
                    pending = None
            if target is None and not labels and table.flat is not None:
                target = table.flat
            if target is None:
                if report_unplaced:
                    code = "parse.values_without_label" if not labels else "parse.unplaced"
                    self.note(line.number, code, text=_excerpt(line.raw))
                continue
            if self.place(target, after, line):
                found.add(target.label)
        if report_unplaced:
            for line in sorted(unplaced + ([pending] if pending is not None else []), key=lambda l: l.number):
                self.note(line.number, "parse.unplaced", text=_excerpt(line.raw))
        return found

    def blank_table_row(self, table: TableSpec, labels: list[str], after: list[str], line: Line) -> str | None:
        """A table row (HTML, Word, PDF grid) whose cells are all empty: its figures are blank, and it is
        placed as such. In plain text an empty row cannot be told from a heading, so only grid rows."""
        if not line.from_table or self.is_header(table, labels):
            return None
        target = self.match(table, labels, None, quiet=True)
        if target is None:
            return None
        expected = len(target.group[0]) if target.group else len(target.keys)
        if _fit(after, expected)[0] is None or not self.place(target, after, line):
            return None
        return target.label

    def is_header(self, table: TableSpec, labels: list[str]) -> bool:
        if all(normalise(l) in table.headers or best_match(l, table.headers, 0.85)[0] for l in labels):
            return True
        return _segments(normalise("".join(labels)), table.headers)

    def wrapped_header(self, table: TableSpec, heads: list[Line]) -> list[Line]:
        """The last lines of `heads` that are one header row whose narrow cells wrapped their labels over
        several rows (a row for each line of text, or a row cut by a page break): joined column by
        column, each column reads as the table's header labels. Returns those lines, or []."""
        for start in range(len(heads) - 2, max(-1, len(heads) - 2 - MAX_WRAPPED_LINES), -1):
            run = heads[start:]
            if len({len(l.fields) for l in run}) != 1:
                continue
            columns = ["".join(l.fields[col] for l in run) for col in range(len(run[0].fields))]
            if any(columns) and all(_segments(normalise(c), table.headers) for c in columns if normalise(c)):
                return run
        return []

    def match(self, table: TableSpec, labels: list[str], line: Line | None, quiet: bool = False) -> Target | None:
        whole = normalise("".join(labels))
        last = labels[-1]
        best, best_len = None, 0
        for t in table.rows:
            for cand in t.candidates:
                c = normalise(cand)
                if len(c) >= 2 and whole.endswith(c) and len(c) > best_len:
                    best, best_len = t, len(c)
        if best is not None:
            return best
        for t in table.rows:
            if any(core(cand) == core(last) and core(last) for cand in t.candidates):
                return t
        by_candidate = {cand: t for t in table.rows for cand in t.candidates}
        cand, _ = best_match(last, list(by_candidate), 0.8)
        if cand is None:
            return None
        if not quiet and line is not None:
            self.note(line.number, "parse.label_fuzzy", found=last, label=cand)
        return by_candidate[cand]

    def place(self, target: Target, after: list[str], line: Line) -> bool:
        expected = len(target.group[0]) if target.group else len(target.keys)
        window, side = _fit(after, expected)
        if window is None:
            found = sum(1 for v in after if compact(v))
            self.note(line.number, "parse.value_count", label=target.label, expected=expected, found=found)
            return False
        if target.label in self.seen_rows:
            self.note(line.number, "parse.row_repeated", label=target.label, first=self.seen_rows[target.label])
            return False
        self.seen_rows[target.label] = line.number
        if side:
            self.note(line.number, "parse.ambiguous_alignment", label=target.label,
                      side={"zh": "左", "en": "left"} if side == "left" else {"zh": "右", "en": "right"})
        if target.group:
            keys = target.group[0]
            numbers = [self.read_value(self.cells[k], raw, line) for k, raw in zip(keys, window)]
            self.group_values.append((target, numbers))
            shown = "、".join("空" if n is None else str(n) for n in numbers)
            self.note(line.number, "parse.group_row", label=target.label, count=len(target.group), values=shown)
            return True
        for key, raw in zip(target.keys, window):
            self.values[key] = self.read_value(self.cells[key], raw, line)
            self.key_lines[key] = line.number
        return True

    def read_value(self, cell: specmod.Cell, raw: str, line: Line):
        reading = read_number(raw, cell.type)
        value, code, shown = reading.value, reading.note, reading.shown
        if code:
            self.note(line.number, code, where=f"{cell.where}（{cell.label}）", raw=raw.strip(),
                      value=shown if shown is not None else "")
        return value


def _excerpt(raw: str, limit: int = 60) -> str:
    s = " ".join(raw.split())
    return s if len(s) <= limit else s[:limit] + "…"


def _split_row(fields: list[str]) -> tuple[list[str], list[str]]:
    """Label fields, and the fields after the last label (the figures, with their empty neighbours)."""
    last_label = -1
    for i, f in enumerate(fields):
        if f.strip() and not is_value(f):
            last_label = i
    labels = [f for f in fields[:last_label + 1] if f.strip()]
    return labels, fields[last_label + 1:]


def _segments(text_: str, words: set[str]) -> bool:
    """Whether `text_` is a run of `words` (a header line whose cells lost their separators)."""
    reachable = [True] + [False] * len(text_)
    for i in range(len(text_)):
        if reachable[i]:
            for w in words:
                if w and text_.startswith(w, i):
                    reachable[i + len(w)] = True
    return reachable[-1] and len(text_) > 0


def _join_labels(pending: Line, labels: list[str]) -> list[str]:
    before, _ = _split_row(pending.fields)
    return before[:-1] + [before[-1] + labels[0]] + labels[1:] if before else labels


def _fit(after: list[str], expected: int) -> tuple[list[str] | None, str | None]:
    """The `expected` figures among `after`, dropping empty padding fields left by merged cells.

    Padding is dropped from the end first (web copies end rows with a stray tab). When a blank figure sits
    at the edge of the result, it might as well have been padding: the side it was aligned to is returned.
    """
    vals = list(after)
    cut_end = cut_start = 0
    while len(vals) > expected and not compact(vals[-1]):
        vals.pop()
        cut_end += 1
    while len(vals) > expected and not compact(vals[0]):
        vals.pop(0)
        cut_start += 1
    if len(vals) != expected:
        return None, None
    if not any(compact(v) for v in vals):
        return vals, None
    if cut_end and not compact(vals[0]):
        return vals, "right"
    if cut_start and not compact(vals[-1]):
        return vals, "left"
    return vals, None
