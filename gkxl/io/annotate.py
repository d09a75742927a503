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

from gkxl.findings.catalogue import severity_word
from gkxl.findings.report import FileResult
from gkxl.form.a1 import parse_range
from gkxl.io.cells import neutralise
from gkxl.io.files import atomic_path, refuse_overwrite
from gkxl.io.printing import LINE_PT, PageSetup, apply_openpyxl, landscape_by_width, lines_needed, page_header, pages_tall_for
from gkxl.io.source import Source, open_source
from gkxl.io.write import write_workbook
from gkxl.text.errors import GkxlError

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


def annotate(result: FileResult, target: Path) -> None:
    if result.report is None:
        raise GkxlError("annot.unreadable")
    refuse_overwrite(target, [result.path])
    with tempfile.TemporaryDirectory() as d:
        wb = _load(result, Path(d))
        notes: dict[tuple[str, str], list[str]] = {}
        for f in result.findings:
            places = [(f.sheet, f.cell, f.severity)] if f.cell else []
            places += [(*c["cell"].split("!"), "warning") for c in f.candidates if not f.cell]   # one of these is wrong
            for sheet, ref, severity in places:
                if sheet not in wb.sheetnames:
                    continue
                ref = ref.split(":")[0]      # a row group published as one row (D26:D28): its first cell
                notes.setdefault((sheet, ref), []).append(f"[{f.rule}] {f.message.zh}")
                cell = wb[sheet][ref]
                fill = FILLS.get(severity)   # a note (提示) is a comment, never a colour that asks for a change
                if fill is not None and cell.fill != RED:
                    cell.fill = fill
        for (sheet, ref), lines in notes.items():
            comment = Comment("\n".join(lines), "gkxl")
            comment.width, comment.height = 360, 40 + 30 * len(lines)
            wb[sheet][ref].comment = comment
        _findings_sheet(wb, result)
        wb.calculation.fullCalcOnLoad = True
        with atomic_path(target) as tmp:
            wb.save(tmp)


def _findings_sheet(wb: openpyxl.Workbook, result: FileResult) -> None:
    if SHEET in wb.sheetnames:
        del wb[SHEET]
    ws = wb.create_sheet(SHEET, 0)
    # every cell through the one neutraliser: a unit named "=HYPERLINK(…)" stays text
    ws.append([neutralise(f"{result.unit or ''} {result.year or ''} 校验结果：{len(result.findings)} 项（错误 {result.errors} 项）")])
    ws["A1"].font = Font(bold=True, size=13)
    header = ["规则", "级别", "位置", "行", "列", "读到", "应为", "说明", "提示"]
    ws.append(header)
    for c in ws[2]:
        c.font = Font(bold=True)
    for f in result.findings:
        ws.append([neutralise(v) for v in (f.rule, severity_word(f.severity), f.where, f.row_label,
                   f.col_label, f.value, f.expected, f.message.zh, f.hint.zh if f.hint else "")])
    widths = [11, 6, 11, 22, 14, 8, 8, 56, 30]
    for col, width in zip("ABCDEFGHI", widths):
        ws.column_dimensions[col].width = width
    heights = [22, LINE_PT + 4]
    ws.row_dimensions[1].height, ws.row_dimensions[2].height = heights
    for row in ws.iter_rows(min_row=3):
        lines = 1
        for c, width in zip(row, widths):
            c.alignment = Alignment(wrap_text=True, vertical="top")
            if c.value not in (None, ""):
                lines = max(lines, lines_needed(str(c.value), width))
        heights.append(lines * LINE_PT + 4)
        ws.row_dimensions[row[0].row].height = heights[-1]
    landscape = landscape_by_width(widths)
    apply_openpyxl(ws, PageSetup(landscape, pages_tall_for(heights, widths, landscape, heights[1]), (1, 1),
                                 page_header(result.unit, result.year), (0, 0, max(ws.max_row, 2) - 1, len(widths) - 1)))
    ws.freeze_panes = "A3"
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
