"""An annotated copy of a return to send back: wrong cells highlighted and commented, findings listed.

The original is never opened for writing. A return that is not .xlsx (xls, et, ods, JSON) is first
written as a gkxl workbook with the values read, so the copy always opens in Excel and WPS.
"""
from __future__ import annotations

import re
import tempfile
import zipfile
from io import BytesIO
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from gkxl.findings.catalogue import severity_word
from gkxl.findings.notice import SHOWN_CANDIDATES, return_notice
from gkxl.findings.report import FileResult
from gkxl.form.a1 import parse_range
from gkxl.io.cells import neutralise
from gkxl.io.files import atomic_path, refuse_overwrite
from gkxl.io.printing import LINE_PT, PageSetup, apply_openpyxl, landscape_by_width, lines_needed, page_header
from gkxl.io.source import Source, open_source
from gkxl.io.write import write_workbook
from gkxl.text.errors import GkxlError
from gkxl.text.messages import text

SHEET = "校验结果"
RED = PatternFill("solid", fgColor="FFC7CE")
AMBER = PatternFill("solid", fgColor="FFEB9C")
FILLS = {"error": RED, "warning": AMBER}
# openpyxl makes an object for every cell a merged range covers: a few thousand full-width ranges are
# tens of millions of them. Official forms merge a few hundred cells.
MAX_MERGED_CELLS = 200_000
_MERGE_REF = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?ref="([A-Za-z0-9:$]+)"')


def _load(result: FileResult, workdir: Path) -> openpyxl.Workbook:
    src = open_source(Path(result.path))
    if src.file_type == "xlsx":
        _vet_merged(src)
        return openpyxl.load_workbook(Path(result.path))
    copy = workdir / "copy.xlsx"
    report = result.report
    write_workbook(copy, report.spec, report, role="annotated")
    return openpyxl.load_workbook(copy)


def _vet_merged(src: Source) -> None:
    """Refuse, before openpyxl builds them, merged ranges covering more cells than a form could."""
    covered = 0
    with zipfile.ZipFile(BytesIO(src.data)) as zf:    # already vetted: every part's size is bounded
        for info in zf.infolist():
            if not info.filename.startswith("xl/worksheets/"):
                continue
            for ref in _MERGE_REF.findall(zf.read(info)):
                try:
                    r1, c1, r2, c2 = parse_range(ref.decode().replace("$", "").upper())
                except ValueError:
                    continue
                covered += (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1)
                if covered > MAX_MERGED_CELLS:
                    raise GkxlError("annot.too_merged", cells=MAX_MERGED_CELLS)


def annotate(result: FileResult, target: Path, notice: str | None = None) -> None:
    """The copy to send back. `notice`: the 退回通知 to head it (the desk's, with the clerk's note); else
    one is written from the findings."""
    if result.report is None:
        raise GkxlError("annot.unreadable")
    refuse_overwrite(target, [result.path])
    with tempfile.TemporaryDirectory() as d:
        wb = _load(result, Path(d))
        notes: dict[tuple[str, str], list[str]] = {}
        for f in result.findings:
            places = [(f.sheet, f.cell, f.severity)] if f.cell else []
            # one of these is wrong: the likeliest few are marked, as the finding names them
            places += [(*c["cell"].split("!"), "warning") for c in f.candidates[:SHOWN_CANDIDATES] if not f.cell]
            for sheet, ref, severity in places:
                if sheet not in wb.sheetnames:
                    continue
                ref = ref.split(":")[0]      # a row group published as one row (D26:D28): its first cell
                notes.setdefault((sheet, ref), []).append(f"[{f.rule} {severity_word(f.severity)}] {f.message.zh}")
                cell = wb[sheet][ref]
                fill = FILLS.get(severity)   # a note (提示) is a comment, never a colour that asks for a change
                if fill is not None and cell.fill != RED:
                    cell.fill = fill
        for (sheet, ref), lines in notes.items():
            comment = Comment("\n".join(lines), "gkxl")
            comment.width, comment.height = 360, 40 + 30 * len(lines)
            wb[sheet][ref].comment = comment
        _show_values_as_typed(wb, result)
        _findings_sheet(wb, result, notice or return_notice(result, None, None))
        wb.calculation.fullCalcOnLoad = True
        with atomic_path(target) as tmp:
            wb.save(tmp)


def _show_values_as_typed(wb: openpyxl.Workbook, result: FileResult) -> None:
    """A number format without decimals shows 1.5 as "2": in the copy sent back, such a cell shows the
    value the bureau typed (its format becomes General)."""
    spec = result.report.spec
    for cell in spec.value_cells:
        if not cell.numeric or cell.sheet not in wb.sheetnames:
            continue
        c = wb[cell.sheet][cell.ref]
        if isinstance(c.value, float) and not c.value.is_integer() and "." not in str(c.number_format) \
                and c.number_format != "General":
            c.number_format = "General"


def _findings_sheet(wb: openpyxl.Workbook, result: FileResult, notice: str) -> None:
    """Page 1: who, what to fix and the office's note (the notice, across the page); then every finding,
    its equations on a row of their own so that no row is taller than a page."""
    if SHEET in wb.sheetnames:
        del wb[SHEET]
    ws = wb.create_sheet(SHEET, 0)
    widths = [11, 6, 11, 22, 14, 8, 8, 70]
    total = sum(widths)
    last = get_column_letter(len(widths))
    # every cell through the one neutraliser: a unit named "=HYPERLINK(…)" stays text
    ws.append([neutralise(text("annot.title", "zh", unit=result.unit or "", year=result.year or "",
                               errors=result.errors, warnings=result.warnings, infos=result.infos))])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([neutralise(notice)])
    ws.merge_cells(f"A2:{last}2")
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws["A2"].font = Font(size=11)
    ws.append([])
    header = ["规则", "级别", "位置", "行", "列", "读到", "应为", "说明"]
    ws.append(header)
    for c in ws[4]:
        c.font = Font(bold=True)
    heights = [22, lines_needed(notice, total) * LINE_PT + 8, 8, LINE_PT + 4]
    for f in result.findings:
        ws.append([neutralise(v) for v in (f.rule, severity_word(f.severity), f.where, f.row_label,
                   f.col_label, f.value, f.expected, f.message.zh)])
        row = ws.max_row
        lines = 1
        for c, width in zip(ws[row], widths):
            c.alignment = Alignment(wrap_text=True, vertical="top")
            if c.value not in (None, ""):
                lines = max(lines, lines_needed(str(c.value), width))
        heights.append(lines * LINE_PT + 4)
        ws.row_dimensions[row].height = heights[-1]
        if f.hint:
            ws.append(["", "", neutralise(text("out.hint", "zh", hint=f.hint.zh))])
            row = ws.max_row
            ws.merge_cells(f"C{row}:{last}{row}")
            ws[f"C{row}"].alignment = Alignment(wrap_text=True, vertical="top")
            ws[f"C{row}"].font = Font(color="5B6472", size=10)
            heights.append(lines_needed(ws[f"C{row}"].value, total - widths[0] - widths[1]) * LINE_PT + 4)
            ws.row_dimensions[row].height = heights[-1]
    for col, width in zip("ABCDEFGH", widths):
        ws.column_dimensions[col].width = width
    for n, h in enumerate(heights[:4], start=1):
        ws.row_dimensions[n].height = h
    landscape = landscape_by_width(widths)
    apply_openpyxl(ws, PageSetup(landscape, 0, (3, 3), page_header(result.unit, result.year),
                                 (0, 0, max(ws.max_row, 4) - 1, len(widths) - 1)))
    ws.freeze_panes = "A5"
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
