"""The list of units a collecting office sends templates to: a CSV or a spreadsheet with a header row,
perhaps below a title (as clerks write lists). Columns besides the name and the code (联系人, 联系电话…)
are kept with each unit. A unit whose code is wrong is kept, without the code, and said: one typo must
not hold back a whole list."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as pc

from gkxl.form.model import unit_key
from gkxl.form.unit_code import problem as code_problem
from gkxl.io.files import os_reason
from gkxl.io.source import open_source
from gkxl.text.errors import UsageError
from gkxl.text.messages import Message

NAME_COLUMNS = ("单位名称", "单位", "unit", "name")
CODE_COLUMNS = ("单位代码", "统一社会信用代码", "unit_code", "code")


@dataclass
class Unit:
    name: str
    code: str | None
    line: int
    extra: dict[str, str] = field(default_factory=dict)     # the list's other columns, by header
    problem: Message | None = None       # the code the list gives is wrong (the unit is kept without it)
    link: str | None = None              # the unit's own address on the desk, printed in its template


HEADER_SEARCH_ROWS = 10     # a title, a date line, a blank row: the header is found below them


MAX_LIST_BYTES = 8 * 1024 * 1024     # a collecting office has a few thousand units: a list is kilobytes
MAX_UNITS = 20_000


def is_text_list(path: Path) -> bool:
    return Path(path).suffix.lower() in (".csv", ".txt")


def _rows(path: Path, rows_of=None) -> list[list]:
    size = path.stat().st_size
    if size > MAX_LIST_BYTES:
        raise UsageError("units.too_big", path=str(path), mb=MAX_LIST_BYTES // (1024 * 1024))
    if not is_text_list(path):
        return (rows_of or sheet_rows)(path)
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            content = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UsageError("units.unreadable", path=str(path), detail="encoding")
    return list(csv.reader(io.StringIO(content)))


def sheet_rows(path) -> list[list]:
    """The first sheet of a spreadsheet units list, vetted as a return is (its reader is native code: a
    caller that must not die reads it in a limited worker, gkxl.actions.units)."""
    path = Path(path)
    src = open_source(path)
    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(src.for_reader()))     # what was vetted, not inflated again
        return wb.get_sheet_by_index(0).to_python()
    except Exception as e:
        raise UsageError("units.unreadable", path=str(path), detail=str(e)[:100]) from None


def _cell_text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip() if v is not None else ""


def _code_text(v) -> str:
    """A unit code cell as text; a number means Excel has already turned the code into digits and lost it."""
    if isinstance(v, float):
        return f"{v:.6G}"
    return _cell_text(v)


def read_units(path: Path, rows_of=None) -> tuple[list[Unit], list[tuple[int, str, int]]]:
    """Units in order, and duplicates skipped as (line, name, first line). `rows_of(path)`: how a
    spreadsheet list's rows are read (in this process by default)."""
    try:
        rows = _rows(Path(path), rows_of)
    except OSError as e:
        raise UsageError("units.unreadable", path=str(path), detail=os_reason(e)) from None
    if len(rows) > MAX_UNITS + 1:
        raise UsageError("units.too_many", path=str(path), count=len(rows) - 1, most=MAX_UNITS)
    if not rows:
        raise UsageError("units.empty", path=str(path))
    found = next(((i, [_cell_text(h) for h in row]) for i, row in enumerate(rows[:HEADER_SEARCH_ROWS])
                  if any(_cell_text(h) in NAME_COLUMNS for h in row)), None)
    if found is None:
        raise UsageError("units.missing_column", path=str(path))
    at, header = found
    name_col = next(header.index(c) for c in NAME_COLUMNS if c in header)
    code_col = next((header.index(c) for c in CODE_COLUMNS if c in header), None)
    extra_cols = [(i, h) for i, h in enumerate(header) if h and i not in (name_col, code_col)]
    units, duplicates, first = [], [], {}
    for n, row in enumerate(rows[at + 1:], start=at + 2):
        name = _cell_text(row[name_col]) if name_col < len(row) else ""
        if not name:
            continue
        code = _code_text(row[code_col]) if code_col is not None and code_col < len(row) else ""
        problem = None
        if code and code_problem(code):     # never lock a wrong code into a template: kept without it
            problem = Message("units.bad_code_line", line=n, unit=name, reason=Message(code_problem(code), value=code))
            code = ""
        if unit_key(name) in first:
            duplicates.append((n, name, first[unit_key(name)]))
            continue
        first[unit_key(name)] = n
        extra = {h: _cell_text(row[i]) for i, h in extra_cols if i < len(row) and _cell_text(row[i])}
        units.append(Unit(name, code or None, n, extra, problem))
    if not units:
        raise UsageError("units.empty", path=str(path))
    return units, duplicates


def not_sent(units: list[Unit], results) -> list[tuple[str, str | None]]:
    """(name, code) of each listed unit with no readable return among `results` (FileResult-like: .status, .unit)."""
    sent = {unit_key(r.unit) for r in results if r.status != "unreadable" and isinstance(r.unit, str) and r.unit.strip()}
    return [(u.name, u.code) for u in units if unit_key(u.name) not in sent]
