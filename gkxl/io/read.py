"""Read a returned workbook (xlsx, xls, et, ods, as saved by Excel, WPS or LibreOffice) or a canonical JSON
into a Report, with what is wrong about its identity and structure.

A workbook made from a gkxl template is read at the spec's places (the fast path); one whose rows were
inserted or deleted, or any other workbook in the official layout, is read by its labels
(gkxl.io.locate), and the result then says where on which sheet each value was found.

Values come from python-calamine (cached values of formulas included); nothing is converted but blank
cells to None and whole floats to int. Text stays text.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import defusedxml.ElementTree as SafeET
import python_calamine as pc

from gkxl.findings.finding import Finding
from gkxl.form import spec as specmod
from gkxl.form.a1 import parse_a1
from gkxl.form.model import Report
from gkxl.form.model import loads as model_loads
from gkxl.form.spec import META_SHEET
from gkxl.io import locate
from gkxl.io.formulas import FormulaError, Workbook, sheet_formulas, summed_cells
from gkxl.io.grid import Cells
from gkxl.io.recognise import marked, recognise
from gkxl.io.shown import shown_findings
from gkxl.io.source import Source, open_source
from gkxl.text.errors import GkxlError
from gkxl.text.labels import normalise
from gkxl.text.messages import Message


@dataclass
class ReadResult:
    report: Report
    findings: list[Finding] = field(default_factory=list)
    stored_totals: bool = False          # totals are published numbers (JSON), not formulas
    skipped_sheets: set[str] = field(default_factory=set)
    metadata: dict = field(default_factory=dict)
    places: dict[str, tuple[str, str]] = field(default_factory=dict)   # key -> (sheet, A1) read elsewhere than the spec says
    sheets: dict[str, str] = field(default_factory=dict)    # spec sheet -> the workbook's sheet it was read from
    foreign: bool = False               # not a gkxl template: the spec's places mean nothing in it
    unread: set[str] = field(default_factory=set)           # keys whose cells could not be placed: not checked
    formulas: list = field(default_factory=list)            # totals that are formulas of the spec's sums in the file
    lines: dict[str, int] = field(default_factory=dict)     # a published report's: the line of each figure
    line_places: dict = field(default_factory=dict)         # and a document's page or table row of a line

    def locate(self, findings: list[Finding], spec: specmod.Spec) -> None:
        """Findings made at the spec's places, moved to where the values were actually read, so the clerk
        finds them in the file they sent (a finding about a place the workbook does not have has none); in a
        published report, the line (or page and table row) each figure was read from."""
        if self.lines:
            for f in findings:
                if f.key in self.lines and f.line is None and f.place is None:
                    f.line = self.lines[f.key]
                    f.place = self.line_places.get(f.line)
        if not (self.places or self.sheets or self.foreign):
            return
        spots = {spec.cells[k].where: f"{s}!{ref}" for k, (s, ref) in self.places.items()}
        names = {s.name for s in spec.sheets}
        for f in findings:
            cell = spec.cells.get(f.key) if f.key else None
            if cell is not None and (f.sheet, f.cell) == (cell.sheet, cell.ref):
                if f.key in self.places:
                    f.sheet, f.cell = self.places[f.key]
                elif self.foreign:
                    f.sheet, f.cell = self.sheets.get(cell.sheet), None
            elif f.sheet in names and (self.foreign or f.sheet in self.sheets):
                f.sheet, f.cell = self.sheets.get(f.sheet), None if self.foreign else f.cell
            for c in f.candidates:
                c["cell"] = spots.get(c["cell"], c["cell"])
            for m in (f.message, f.hint):
                if m is not None:
                    _swap(m, spots)


def _swap(message: Message, spots: dict[str, str]) -> None:
    for name, value in message.params.items():
        if isinstance(value, str) and value in spots:
            message.params[name] = spots[value]
        elif isinstance(value, Message):
            _swap(value, spots)
        elif isinstance(value, list):
            for v in value:
                if isinstance(v, Message):
                    _swap(v, spots)
            message.params[name] = [spots.get(v, v) if isinstance(v, str) else v for v in value]


class _Grid(Cells):
    def __init__(self, sheet: pc.CalamineSheet):
        super().__init__(sheet.to_python(skip_empty_area=False))
        self.sheet = sheet          # its merged ranges, asked for only when the table is read by its labels


def clean(value):
    """calamine value -> model value: '' -> None, whole float -> int, dates -> ISO text."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return value


def _as_text(value):
    if value is None:
        return None
    return str(value).strip()


def read_path(path: Path, specs: tuple[specmod.Spec, ...] | None = None, *, data: bytes | None = None) -> ReadResult:
    """`specs`: the forms the file may be in, the default first (the shipped ones unless --spec gave one);
    `data`: the file's bytes when the caller has read them already (vetted all the same)."""
    specs = specs or specmod.shipped()
    src = open_source(Path(path), lazy=True, data=data)
    if src.file_type == "json":
        report = Report.from_dict(_json(src), specs)
        meta = report.source.get("metadata")
        # the writer's "source" is its own say: where it was saved and when is this file's, never its claim
        report.source = {**report.source, "path": str(path), "file_type": "json", "saved_at": None,
                         "metadata": meta if isinstance(meta, dict) else {}}
        return ReadResult(report, stored_totals=True)
    return read_workbook(src, specs)


def _json(src: Source) -> dict:
    try:
        text = src.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise GkxlError("model.bad_json", detail="not UTF-8") from None
    return model_loads(text)


def _detail(e: BaseException) -> str:
    return str(e).splitlines()[0][:120] if str(e) else type(e).__name__


def _calamine_broke(e: BaseException) -> bool:
    """calamine raises several types for broken files, and a panic in its native code arrives as
    pyo3's PanicException, a BaseException: all mean the same to a clerk. Ctrl-C and exit are not."""
    return not isinstance(e, (KeyboardInterrupt, SystemExit, GeneratorExit, GkxlError))


@cache
def _read_first(specs: tuple[specmod.Spec, ...]) -> frozenset[str]:
    """The sheets a gkxl template is read from, in every format: measured before the reader opens the file
    (any other sheet only if it is read, as a workbook in another layout is: sheet by sheet)."""
    return frozenset({META_SHEET, *(s.name for spec in specs for s in spec.sheets)})


def _open_calamine(src: Source, specs: tuple[specmod.Spec, ...]) -> pc.CalamineWorkbook:
    try:
        return pc.CalamineWorkbook.from_filelike(io.BytesIO(src.for_reader(_read_first(specs))))
    except pc.PasswordError:
        raise GkxlError("src.encrypted") from None
    except BaseException as e:  # noqa: B036 - see _calamine_broke
        if not _calamine_broke(e):
            raise
        raise GkxlError("read.corrupt", detail=_detail(e)) from None


def _sheet(wb: pc.CalamineWorkbook, src: Source, name: str) -> pc.CalamineSheet:
    """A sheet, measured first (the file was vetted lazily: a sheet too big is refused before it is built)."""
    src.vet_sheet(name)
    return wb.get_sheet_by_name(name)


def _metadata(wb: pc.CalamineWorkbook, src: Source) -> dict:
    if META_SHEET in wb.sheet_names:
        try:
            grid = _sheet(wb, src, META_SHEET).to_python()
        except BaseException as e:  # noqa: B036 - see _calamine_broke
            if not _calamine_broke(e):
                raise
            raise GkxlError("read.meta_corrupt", detail=_detail(e)) from None
        meta = {str(r[0]).strip(): clean(r[1]) for r in grid if len(r) >= 2 and r[0]}
        if meta.get("template"):
            return _renamed(meta)
    if src.file_type == "xlsx":  # the hidden sheet was lost: document properties may have survived
        try:
            xml = zipfile.ZipFile(io.BytesIO(src.data)).read("docProps/custom.xml")
            root = SafeET.fromstring(xml)
            meta = {}
            for prop in root:
                name = prop.get("name", "")
                if name.startswith("gkxl.") and len(prop):
                    meta[name[5:]] = clean(prop[0].text or "")
            if meta.get("template"):
                return _renamed(meta)
        except (KeyError, zipfile.BadZipFile, SafeET.ParseError):
            pass
        except Exception:  # defusedxml refuses entity tricks: treat as no metadata
            pass
    return {}


def _renamed(meta: dict) -> dict:
    """Metadata as gkxl now names it: workbooks written before it was "role" say "kind"."""
    if "role" not in meta and "kind" in meta:
        meta["role"] = meta.pop("kind")
    return meta


def read_workbook(src: Source, specs: tuple[specmod.Spec, ...]) -> ReadResult:
    wb = _open_calamine(src, specs)
    try:
        meta = _metadata(wb, src)
        template = str(meta.get("template") or "")
        if not template:
            return read_by_labels(wb, src, specs)
        spec = next((s for s in specs if s.id == template), None)
        if spec is None:
            raise GkxlError("read.unknown_template", template=template, known="、".join(s.id for s in specs))
        findings: list[Finding] = []
        version = str(meta.get("template_version") or "")
        if version != spec.version:
            findings.append(Finding("ID-version", "error", Message("read.old_version", found=version or "?", current=spec.version),
                                    value=version, expected=spec.version))
        values: dict = {}
        report = Report(spec.id, version or None, spec=spec, source={"path": str(src.path), "file_type": src.file_type,
                                                          "saved_at": src.saved_at,
                                                          "metadata": {k: v for k, v in meta.items()}})
        skipped: set[str] = set()
        read_from_cells: set[str] = set()        # meta fields whose cell was there to read (even if blank)
        moved = ReadResult(report)
        names = set(wb.sheet_names)
        grids: dict[str, list] = {}
        at_spec: dict[str, tuple[str, int, int]] = {}      # key -> where it was read, for its formula
        for sheet in spec.sheets:
            if sheet.name not in names:
                findings.append(Finding("STRUCT-sheet", "error", Message("read.sheet_missing", sheet=sheet.name), sheet=sheet.name))
                skipped.add(sheet.name)
                for cell in sheet.cells:
                    if cell.meta is None:
                        values[cell.key] = None
                continue
            try:
                grid = _Grid(_sheet(wb, src, sheet.name))
            except BaseException as e:  # noqa: B036 - see _calamine_broke
                if not _calamine_broke(e):
                    raise
                raise GkxlError("read.corrupt", detail=_detail(e)) from None
            grids[sheet.name] = grid.rows
            said = _check_labels(sheet, grid)
            findings += [f for f in said if f.severity != "error"]
            structural = [f for f in said if f.severity == "error"]
            if structural and sheet.holds == "table" and _read_moved(spec, sheet, grid, moved):
                values.update(moved.report.values)
                continue
            if structural:
                findings.extend(structural)
                if sheet.holds == "table":
                    skipped.add(sheet.name)
                    findings.append(Finding("STRUCT-label", "error", Message("read.sheet_skipped"), sheet=sheet.name))
            rows, height = grid.rows, len(grid.rows)
            for cell in sheet.cells:       # grid.get, inlined: this loop runs for every cell of every return
                line = rows[cell.row] if cell.row < height else ()
                value = clean(line[cell.col] if cell.col < len(line) else "")
                if cell.meta:
                    setattr(report, cell.meta, value)
                    read_from_cells.add(cell.meta)
                elif cell.type == "text":
                    values[cell.key] = _as_text(value)
                else:
                    values[cell.key] = value
                    if cell.defined_by is None:     # a total is the template's own formula: the spec's rule
                        at_spec[cell.key] = (sheet.name, cell.row, cell.col)
        report.values = values
        for key, (sheet_name, ref) in moved.places.items():
            if spec.cells[key].defined_by is None:
                at_spec[key] = (sheet_name, *parse_a1(ref))
        calculated, uncalculated = _calculated(_book(src, wb, grids), at_spec, values)
        if report.unit in (None, ""):
            report.unit = meta.get("unit") or None
        if report.year in (None, "") and "year" not in read_from_cells:
            # only when the sheet holding the year is gone: a blank or #DIV/0! cell stays blank, never
            # quoted as if the template's year had been read from it
            year = meta.get("year")
            report.year = int(year) if isinstance(year, str) and year.isdigit() and year.isascii() else year or None
        for name in ("unit", "unit_code"):
            v = getattr(report, name)
            if v is not None and not isinstance(v, str):
                setattr(report, name, str(v))
        read_from = {s.name for s in spec.sheets if s.holds == "table" and s.name not in skipped}

        def places():
            at = {c.key: (c.sheet, c.ref) for s in spec.sheets if s.name in read_from for c in s.cells if c.numeric}
            return {**at, **moved.places}

        unseen = _unseen(src, wb, read_from | {sheet for sheet, _ in moved.places.values()}, places, spec, values)
        return ReadResult(report, findings + moved.findings + calculated + unseen, False, skipped, meta,
                          moved.places, unread=moved.unread | uncalculated)
    finally:
        wb.close()


def _read_moved(spec: specmod.Spec, sheet: specmod.Sheet, grid: _Grid, into: ReadResult) -> bool:
    """A template table whose rows or columns were inserted or deleted (its labels moved), read by its
    labels into `into`; False when the labels did not just move or the table cannot be placed."""
    if not any(f.message.code == "read.label_shifted" for f in _check_labels(sheet, grid, limit=1 << 10)
               if f.severity == "error"):
        return False
    shape = next(s for s in locate.shapes(spec) if s.sheet is sheet)
    found = locate.copies([locate.Grid(sheet.name, grid.rows, _merges(grid.sheet))], shape)
    if len(found) != 1:
        return False
    table = locate.read_copy(found[0], clean)
    into.report.values = table.values
    into.places.update(table.places)
    into.unread |= table.unread
    moved = Finding.of("STRUCT-moved", "locate.moved", sheet=sheet.name)
    moved.sheet = sheet.name
    into.findings += [moved, *table.findings]
    return True


def read_by_labels(wb: pc.CalamineWorkbook, src: Source, specs: tuple[specmod.Spec, ...]) -> ReadResult:
    """Any workbook in the official layout: tables found by their labels, identity from the workbook."""
    grids = []
    for name in wb.sheet_names:
        if name == META_SHEET:
            continue
        src.vet_sheet(name)
        try:
            sheet = wb.get_sheet_by_name(name)
            grids.append(locate.Grid(name, sheet.to_python(skip_empty_area=False), _merges(sheet)))
        except Exception as e:
            raise GkxlError("read.corrupt", detail=str(e)[:120]) from None
    whole = locate.whole_text(grids)
    recognised = marked(specs, whole)
    who = locate.identify(grids, recognised[0] if len(recognised) == 1 else specs[0], src.path.name)
    spec, said = recognise(specs, whole, who.year if isinstance(who.year, int) else None)
    findings: list[Finding] = [said]
    located = locate.locate_tables(grids, spec, clean)
    placed = {k: at for k, at in located.at.items() if spec.cells[k].numeric}
    book = _book(src, wb, {g.name: g.rows for g in grids})
    calculated, uncalculated = _calculated(book, placed, located.values)
    located.findings += calculated
    located.unread |= uncalculated
    formulas = _formula_totals(book, spec, placed)
    if not located.found:
        raise GkxlError("read.no_tables", looked="；".join(locate.looked_for(s, 2) for s in locate.shapes(spec)))
    report = Report(spec.id, None, who.unit, who.unit_code, who.year, located.values, spec=spec,
                    source={"path": str(src.path), "file_type": src.file_type, "saved_at": src.saved_at, "metadata": {},
                            "candidates": who.candidates,
                            "layout": "labels", "tables": {s: w for s, w in located.sheets.items()}})
    unseen = _unseen(src, wb, {sheet for sheet, _ in located.places.values()}, lambda: located.places, spec,
                     located.values)
    return ReadResult(report, findings + who.findings + located.findings + unseen, True, located.skipped, {},
                      {**located.places, **who.places}, located.sheets, True, located.unread, formulas)


def _unseen(src: Source, wb: pc.CalamineWorkbook, sheets: set[str], places, spec: specmod.Spec,
            values: dict) -> list[Finding]:
    """Figures read where the page does not show them as read (gkxl.io.shown); `places()`: key -> (sheet, A1)."""
    try:
        visibility = {m.name: m.visible == pc.SheetVisibleEnum.Visible for m in wb.sheets_metadata}
    except Exception:  # noqa: BLE001 - metadata a reader cannot give hides nothing it could tell
        visibility = {}
    return shown_findings(src, visibility, sheets, lambda: ((k, sheet, ref) for k, (sheet, ref) in places().items()),
                          (s.name for s in spec.sheets), values)


def _book(src: Source, wb: pc.CalamineWorkbook, grids: dict[str, list]) -> Workbook | None:
    """The workbook's formulas and values (an xlsx's: xls and ods keep the value of every formula they save);
    `grids`: the rows of the sheets read so far (others are read if a formula refers to them)."""
    if src.file_type != "xlsx":
        return None

    def grid(name: str):
        if name not in grids:
            grids[name] = _sheet(wb, src, name).to_python(skip_empty_area=False) if name in wb.sheet_names else None
        return grids[name]
    return Workbook(grid, lambda name: sheet_formulas(src.part(name) or b"", every=True))


def _calculated(book: Workbook | None, placed: dict[str, tuple[str, int, int]], values: dict) -> tuple[list[Finding], set[str]]:
    """Figures that are formulas with no value to show (written by a program, never opened), evaluated as
    the spreadsheet would once it calculates (gkxl.io.formulas), into `values`. A formula that cannot be
    evaluated is a finding at its cell quoting it, and its key is not read. `placed`: key -> (sheet, row,
    col) where it was read. A stored value is what a reader that does not calculate shows, and a stale one
    is a finding of its own (a total that does not add up): only a formula without one is evaluated."""
    wanted = {k: at for k, at in placed.items() if values.get(k) is None}
    if book is None or not wanted:
        return [], set()
    findings, unread = [], set()
    for key, (sheet, row, col) in wanted.items():
        formula = book.formula(sheet, row, col)
        if formula is None:
            continue
        try:
            values[key] = clean(book.value(sheet, row, col))
        except FormulaError as e:
            f = Finding.of("V-formula", "formula.unread", where=f"{sheet}!{specmod.a1(row, col)}", formula=formula,
                           reason=Message(e.code, **e.params))
            f.sheet, f.cell, f.key = sheet, specmod.a1(row, col), key
            findings.append(f)
            unread.add(key)
            values[key] = None
    return findings, unread


def _formula_totals(book: Workbook | None, spec: specmod.Spec, placed: dict[str, tuple[str, int, int]]) -> list:
    """The totals a workbook computes by a formula that adds exactly the spec's terms of that total (its
    row, or its column): they follow their parts, so a wrong part is the one to name. In the order they can
    be computed."""
    if book is None:
        return []
    at = {where: key for key, where in placed.items()}
    found = {}
    for cell in spec.totals:
        if cell.key not in placed:
            continue
        sheet, row, col = placed[cell.key]
        formula = book.formula(sheet, row, col)
        cells = summed_cells(formula, sheet) if formula else None
        if not cells or any(c not in at for c in cells) or len(set(cells)) != len(cells):
            continue
        terms = {at[c] for c in cells}
        inst = next((i for i in spec.instances if i.rule.defines and i.lhs == [cell.key] and set(i.rhs) == terms), None)
        if inst is not None:
            found[cell.key] = inst
    ordered, done = [], set()
    while found:
        ready = [k for k, i in found.items() if not (set(i.rhs) & set(found))]
        if not ready:
            break                       # a formula circle: the evaluator says so where it matters
        for k in ready:
            ordered.append(found.pop(k))
            done.add(k)
    return ordered


def _merges(sheet: pc.CalamineSheet):
    """The sheet's merged ranges as the reader gives them ((r0, c0), (r1, c1)); none where it cannot."""
    try:
        return sheet.merged_cell_ranges or ()
    except Exception:        # a format whose merges calamine does not read: labels written once, then
        return ()


def _check_labels(sheet: specmod.Sheet, grid: _Grid, limit: int = 5) -> list[Finding]:
    """The sheet's labels where the template put them: a row or column label changed is an error (the
    figures cannot be placed by it); the table's title changed or cleared is a warning, the table being read
    by its row and column labels all the same."""
    expected = [(lab.row, lab.col, lab.text) for lab in sheet.labels if lab.style != "title"]
    expected += [(c.label_cell[0], c.label_cell[1], c.label) for c in sheet.cells if c.label_cell]
    titles = []
    for lab in sheet.labels:
        found = grid.get(lab.row, lab.col) if lab.style == "title" else lab.text
        if found != lab.text and normalise(found) != normalise(lab.text):
            titles.append(Finding("STRUCT-title", "warning", Message("read.title_changed", expected=lab.text,
                                                                      found=found or "（空白）"),
                                  sheet=sheet.name, cell=specmod.a1(lab.row, lab.col), value=found or None))
    wrong = []
    for row, col, text in expected:
        found = grid.get(row, col)
        if found != text and normalise(found) != normalise(text):
            wrong.append((row, col, text, found))
    out = titles
    for row, col, text, found in wrong[:limit]:
        moved = _find_nearby(grid, col, row, text)
        code = "read.label_shifted" if moved is not None else "read.label_changed"
        out.append(Finding("STRUCT-label", "error",
                           Message(code, expected=text, found=found or "（空白）", moved=(moved or 0) + 1),
                           sheet=sheet.name, cell=specmod.a1(row, col), value=found if found != "" else None, expected=text))
    if len(wrong) > limit:
        out.append(Finding("STRUCT-label", "error", Message("read.labels_more", count=len(wrong) - limit), sheet=sheet.name))
    return out


def _find_nearby(grid: _Grid, col: int, row: int, text: str, reach: int = 10) -> int | None:
    target = normalise(text)
    for delta in range(1, reach + 1):
        for r in (row + delta, row - delta):
            if r >= 0 and normalise(grid.get(r, col)) == target:
                return r
    return None
