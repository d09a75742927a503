"""Read a returned workbook (xlsx, xls, et, ods, as saved by Excel, WPS or LibreOffice) or a canonical JSON
into a Report, with what is wrong about its identity and structure.

Values come from python-calamine (cached values of formulas included); nothing is converted but blank
cells to None and whole floats to int. Text stays text.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import defusedxml.ElementTree as SafeET
import python_calamine as pc

from gkxl.findings.finding import Finding
from gkxl.form import spec as specmod
from gkxl.form.model import Report
from gkxl.form.model import loads as model_loads
from gkxl.form.spec import META_SHEET
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


class _Grid:
    """A sheet's values by zero-based position. to_python(skip_empty_area=False) starts at A1 whatever
    the sheet's first used cell, so positions need no offset."""

    def __init__(self, sheet: pc.CalamineSheet):
        self.rows = sheet.to_python(skip_empty_area=False)

    def get(self, row: int, col: int):
        if 0 <= row < len(self.rows):
            line = self.rows[row]
            if 0 <= col < len(line):
                return line[col]
        return ""


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


def read_path(path: Path, spec_id: str | None = None) -> ReadResult:
    src = open_source(Path(path))
    if src.kind == "json":
        report = Report.from_dict(_json(src))
        report.source = {**report.source, "path": str(path), "kind": "json"}
        return ReadResult(report, stored_totals=True)
    return read_workbook(src, spec_id)


def read_report(path: Path) -> Report:
    """The report in a workbook or JSON, for commands that render or export it."""
    return read_path(path).report


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


def _open_calamine(src: Source) -> pc.CalamineWorkbook:
    try:
        return pc.CalamineWorkbook.from_filelike(io.BytesIO(src.data))
    except pc.PasswordError:
        raise GkxlError("src.encrypted") from None
    except BaseException as e:  # noqa: B036 - see _calamine_broke
        if not _calamine_broke(e):
            raise
        raise GkxlError("read.corrupt", detail=_detail(e)) from None


def _metadata(wb: pc.CalamineWorkbook, src: Source) -> dict:
    if META_SHEET in wb.sheet_names:
        try:
            grid = wb.get_sheet_by_name(META_SHEET).to_python()
        except BaseException as e:  # noqa: B036 - see _calamine_broke
            if not _calamine_broke(e):
                raise
            raise GkxlError("read.meta_corrupt", detail=_detail(e)) from None
        meta = {str(r[0]).strip(): clean(r[1]) for r in grid if len(r) >= 2 and r[0]}
        if meta.get("template"):
            return meta
    if src.kind == "xlsx":  # the hidden sheet was lost: document properties may have survived
        try:
            xml = zipfile.ZipFile(io.BytesIO(src.data)).read("docProps/custom.xml")
            root = SafeET.fromstring(xml)
            meta = {}
            for prop in root:
                name = prop.get("name", "")
                if name.startswith("gkxl.") and len(prop):
                    meta[name[5:]] = clean(prop[0].text or "")
            if meta.get("template"):
                return meta
        except (KeyError, zipfile.BadZipFile, SafeET.ParseError):
            pass
        except Exception:  # defusedxml refuses entity tricks: treat as no metadata
            pass
    return {}


def read_workbook(src: Source, spec_id: str | None = None) -> ReadResult:
    wb = _open_calamine(src)
    try:
        meta = _metadata(wb, src)
        template = str(meta.get("template") or "")
        if not template:
            raise GkxlError("read.foreign")
        known = specmod.available()
        if template not in known:
            raise GkxlError("read.unknown_template", template=template, known="、".join(known))
        spec = specmod.load(spec_id or template)
        findings: list[Finding] = []
        version = str(meta.get("template_version") or "")
        if version != spec.version:
            findings.append(Finding("ID-version", "error", Message("read.old_version", found=version or "?", current=spec.version),
                                    value=version, expected=spec.version))
        values: dict = {}
        report = Report(spec.id, version or None, source={"path": str(src.path), "kind": src.kind,
                                                          "saved_at": src.saved_at,
                                                          "metadata": {k: v for k, v in meta.items()}})
        skipped: set[str] = set()
        names = set(wb.sheet_names)
        for sheet in spec.sheets:
            if sheet.name not in names:
                findings.append(Finding("STRUCT-sheet", "error", Message("read.sheet_missing", sheet=sheet.name), sheet=sheet.name))
                skipped.add(sheet.name)
                for cell in sheet.cells:
                    if cell.meta is None:
                        values[cell.key] = None
                continue
            try:
                grid = _Grid(wb.get_sheet_by_name(sheet.name))
            except BaseException as e:  # noqa: B036 - see _calamine_broke
                if not _calamine_broke(e):
                    raise
                raise GkxlError("read.corrupt", detail=_detail(e)) from None
            structural = _check_labels(sheet, grid)
            if structural:
                findings.extend(structural)
                if sheet.kind == "table":
                    skipped.add(sheet.name)
                    findings.append(Finding("STRUCT-label", "error", Message("read.sheet_skipped"), sheet=sheet.name))
            for cell in sheet.cells:
                value = clean(grid.get(cell.row, cell.col))
                if cell.meta:
                    setattr(report, cell.meta, value)
                elif cell.type == "text":
                    values[cell.key] = _as_text(value)
                else:
                    values[cell.key] = value
        report.values = values
        if report.unit in (None, ""):
            report.unit = meta.get("unit") or None
        if report.year in (None, ""):
            report.year = meta.get("year") or None
        for name in ("unit", "unit_code"):
            v = getattr(report, name)
            if v is not None and not isinstance(v, str):
                setattr(report, name, str(v))
        return ReadResult(report, findings, False, skipped, meta)
    finally:
        wb.close()


def _check_labels(sheet: specmod.Sheet, grid: _Grid, limit: int = 5) -> list[Finding]:
    expected = [(lab.row, lab.col, lab.text) for lab in sheet.labels]
    expected += [(c.label_cell[0], c.label_cell[1], c.label) for c in sheet.cells if c.label_cell]
    wrong = []
    for row, col, text in expected:
        found = grid.get(row, col)
        if found != text and normalise(found) != normalise(text):
            wrong.append((row, col, text, found))
    out = []
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
