"""Write a report (blank, pre-filled or filled) as the standard workbook, driven by the spec.

Uses only core OOXML (merged cells, protection, data validation, conditional formatting, defined print
settings) so that Excel, WPS and LibreOffice all show the same thing. Every formula carries its cached
value, computed here by the same rule code the checker uses.
"""
from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import math
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from gkxl import __version__
from gkxl.findings.catalogue import severity_word
from gkxl.form import rules
from gkxl.form.model import Report
from gkxl.form.spec import META_SHEET, Cell, Spec, a1
from gkxl.io.files import atomic_path
from gkxl.io.printing import (
    LANDSCAPE_WIDTH,
    LINE_PT,
    NORMAL_FONT,
    PORTRAIT_WIDTH,
    PageSetup,
    apply_xlsxwriter,
    display_width,
    landscape_by_width,
    lines_needed,
    page_header,
    pages_tall_for,
)
from gkxl.text.printable import xml_safe

GUIDE_SHEET = "填报说明"
CHECK_SHEET = "校验"
FONT = "宋体"
OK, FAIL = "✓", "✗"


def data_validation(spec: Spec, typ: str) -> dict:
    """xlsxwriter data-validation options of a cell type, from its limits and texts in the spec."""
    t = spec.types[typ]
    (title, message), (error_title, error_message) = t["input"]["zh"], t["refuse"]["zh"]
    texts = {"input_title": title, "input_message": message, "error_title": error_title, "error_message": error_message}
    if typ == "text":
        return {"validate": "length", "criteria": "<=", "value": t.get("max_length", CELL_TEXT_MAX), **texts}
    kind = "integer" if t.get("integer") else "decimal"
    return {"validate": kind, "criteria": "between", "minimum": t.get("minimum", -1e15), "maximum": t.get("maximum", 1e15),
            **texts}


@dataclass
class CheckRow:
    id: str
    severity: str
    description: str
    lhs: str           # Excel expressions
    rhs: str
    cells: list[Cell] = field(default_factory=list)     # a V-blank row: the numeric inputs it names
    sheet: str = ""


@dataclass
class Layout:
    """Everything about a spec's workbook that does not depend on the report: computed once."""
    row_heights: dict[str, dict[int, float]]
    check_rows: list[CheckRow]
    total_formulas: dict[str, str]
    dv_ranges: dict[tuple[str, str], list[tuple[int, int, int, int]]]
    cf_failing: dict[str, list[tuple[str, list[tuple[int, int, int, int]]]]]   # sheet -> (formula, ranges)
    numeric_runs: dict[str, list[tuple[int, int, int, int]]]


def _rects(cells: list[Cell]) -> list[tuple[int, int, int, int]]:
    return [(f.row, f.col, l.row, l.col) for f, l in rules._runs(cells)]


@cache
def layout(spec: Spec) -> Layout:
    heights: dict[str, dict[int, float]] = {}
    for sheet in spec.sheets:
        h: dict[int, float] = {}
        def width(c0, c1, sheet=sheet):
            return sum(sheet.widths.get(c, 8.43) for c in range(c0, c1 + 1))
        for lab in sheet.labels:
            r0, c0, r1, c1 = lab.merge or (lab.row, lab.col, lab.row, lab.col)
            size = 1.25 if lab.style == "title" else 1
            need = lines_needed(lab.text, width(c0, c1) / size) * LINE_PT * size + 4
            per_row = need / (r1 - r0 + 1)
            for r in range(r0, r1 + 1):
                h[r] = max(h.get(r, 15), per_row)
        for c in sheet.cells:
            if c.height:
                h[c.row] = c.height
        heights[sheet.name] = h

    check_rows = []
    for inst in spec.instances:
        first = spec.cells[inst.lhs[0]]
        where = f"{first.sheet} · {inst.label}" if inst.label else first.sheet
        check_rows.append(CheckRow(inst.id, inst.rule.severity, f"{where}：{inst.rule.expression}",
                                   rules.sum_formula(spec, inst.lhs), rules.sum_formula(spec, inst.rhs)))
    for sheet in spec.sheets:
        nums = [c for c in sheet.cells if c.is_input and c.numeric]
        if nums:
            check_rows.append(CheckRow(f"V-blank[{sheet.name}]", "error",
                                       f"{sheet.name}：应填数字的 {len(nums)} 个格子都填了数字（0 也要填）",
                                       "COUNT(" + ",".join(rules.refs(spec, [c.key for c in nums])) + ")",
                                       str(len(nums)), nums, sheet.name))

    dv: dict[tuple[str, str], list] = {}
    runs: dict[str, list] = {}
    for sheet in spec.sheets:
        for typ in ("count", "delta", "amount", "text", "year"):
            cells = [c for c in sheet.cells if c.is_input and c.type == typ]
            if cells:
                dv[(sheet.name, typ)] = _rects(cells)
        runs[sheet.name] = _rects([c for c in sheet.cells if c.is_input and c.numeric])

    cf: dict[str, list] = {}
    for inst in spec.instances:
        cells = [spec.cells[k] for k in inst.keys]
        sheets = {c.sheet for c in cells}
        if len(sheets) == 1:
            sheet = sheets.pop()
            cf.setdefault(sheet, []).append((rules.failing_formula(spec, inst, sheet), _rects(cells)))
    totals = {c.key: rules.total_formula(spec, c) for c in spec.totals}
    return Layout(heights, check_rows, totals, dv, cf, runs)


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook, spec: Spec):
        base = {"font_name": FONT, "font_size": 11, "valign": "vcenter", "text_wrap": True}
        boxed = {**base, "border": 1}
        self.title = wb.add_format({**base, "bold": True, "font_size": 14, "align": "center"})
        self.header = wb.add_format({**boxed, "bold": True, "align": "center", "bg_color": "#D9E1F2"})
        self.block = wb.add_format({**boxed, "bold": True, "align": "left", "bg_color": "#EDEDED"})
        self.row = wb.add_format({**boxed, "align": "left"})
        self.note = wb.add_format({**base, "italic": True, "font_color": "#595959", "align": "left"})
        self.note_header = wb.add_format({**boxed, "font_size": 10, "align": "center", "bg_color": "#D9E1F2"})
        unlocked = {**boxed, "locked": False, "bg_color": "#FFF2CC"}
        self.input = {typ: wb.add_format({**unlocked, "align": "left" if typ in ("year", "text") else "center",
                                          **({"num_format": t["num_format"]} if "num_format" in t else {}),
                                          **({"valign": "top"} if typ == "text" else {})})
                      for typ, t in spec.types.items()}
        self.fixed = wb.add_format({**boxed, "align": "left", "bg_color": "#F2F2F2"})   # pre-filled, locked
        self.total = wb.add_format({**boxed, "bold": True, "num_format": "0", "align": "center", "bg_color": "#E2EFDA"})
        self.plain = wb.add_format(base)
        self.bold = wb.add_format({**base, "bold": True})
        self.bold_nowrap = wb.add_format({"font_name": FONT, "bold": True})
        self.cell = wb.add_format({**boxed, "align": "left"})
        self.cell_center = wb.add_format({**boxed, "align": "center"})
        self.bad = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "bold": True})
        self.missing = wb.add_format({"bg_color": "#F4B084", "font_color": "#843C0C", "bold": True})   # orange
        self.rule_id = wb.add_format({**boxed, "font_size": 9, "font_color": "#595959", "align": "left"})
        self.good = wb.add_format({"font_color": "#006100", "bg_color": "#C6EFCE"})
        self.list_header = wb.add_format({**boxed, "bold": True, "align": "center", "bg_color": "#D9E1F2"})
        self.list_header_small = wb.add_format({**boxed, "bold": True, "font_size": 8, "align": "center",
                                                "bg_color": "#D9E1F2"})
        self.list_text = wb.add_format({**boxed, "align": "left"})
        self.list_unwrapped = wb.add_format({**boxed, "align": "left", "text_wrap": False})
        self.list_figure = wb.add_format({**boxed, "align": "center", "num_format": "General"})
        self.status = wb.add_format({**base, "bold": True, "font_size": 13, "border": 2, "align": "center"})

    def label(self, style: str):
        return getattr(self, style)


def _is_number(v) -> bool:
    return rules.number(v) is not None


def _sheet_setup(sheet, heights: dict[int, float], header) -> PageSetup:
    """A form sheet's print layout: orientation and pages from the spec, else from its size."""
    landscape = sheet.landscape or landscape_by_width(sheet.widths.values())
    repeat = (sheet.header_rows[0] - 1, sheet.header_rows[1] - 1) if sheet.header_rows else None
    pages = sheet.print_setup.get("pages_tall")
    if pages is None:
        last = max([lab.row for lab in sheet.labels] + [c.row for c in sheet.cells], default=0)
        pages = pages_tall_for([heights.get(r, 15) for r in range(last + 1)], sheet.widths.values(), landscape)
    return PageSetup(landscape, pages, repeat, header)


def _protect(ws, password: str | None):
    ws.protect(password or "", {"format_columns": True, "format_rows": True})


def _write_value(ws, cell: Cell, value, fmt):
    r, c = cell.row, cell.col
    if cell.merge:
        ws.merge_range(*cell.merge, "", fmt)
    if value is None or value == "":
        ws.write_blank(r, c, None, fmt)
    elif _is_number(value):
        ws.write_number(r, c, value, fmt)
    else:
        ws.write_string(r, c, str(value), fmt)


def write_workbook(target: Path, spec: Spec, report: Report | None = None, *, password: str | None = None,
                   role: str = "template", generated_at: str | None = None,
                   extra_sheets: list[tuple] | None = None, link: str | None = None) -> None:
    """Write the workbook atomically to `target`. `report` None gives a blank template.

    `extra_sheets` (name, rows[, printed columns]) are plain, unprotected tables after the standard sheets:
    the first row is a bold header, frozen and filtered (a summary's 明细 and 报送情况); only the first
    `printed columns` print, when given."""
    report = report or Report.blank(spec)
    generated_at = generated_at or dt.datetime.now().astimezone().isoformat(timespec="seconds")
    lay = layout(spec)
    values = dict(report.values)
    computed = rules.derive(spec, values)
    effective = {**values, **computed}
    meta = {"unit": report.unit, "unit_code": report.unit_code, "year": report.year}
    header = page_header(report.unit, report.year)

    with atomic_path(target) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False,
                                            "strings_to_urls": False, "default_format_properties": dict(NORMAL_FONT)})
        fm = _Formats(wb, spec)
        _guide_sheet(wb, fm, spec, password, header, link)
        for sheet in spec.sheets:
            ws = wb.add_worksheet(sheet.name)
            for col, w in sheet.widths.items():
                ws.set_column(col, col, w)
            for row, h in lay.row_heights[sheet.name].items():
                ws.set_row(row, h)
            for lab in sheet.labels:
                f = fm.label(lab.style)
                if lab.merge:
                    ws.merge_range(*lab.merge, lab.text, f)
                else:
                    ws.write_string(lab.row, lab.col, lab.text, f)
            for cell in sheet.cells:
                if cell.label_cell:
                    ws.write_string(*cell.label_cell, cell.label, fm.row)
                if cell.meta:
                    value = meta.get(cell.meta)
                    fixed = value not in (None, "") and role == "template"
                    _write_value(ws, cell, value, fm.fixed if fixed else fm.input[cell.type])
                elif cell.defined_by is not None:
                    cached = computed.get(cell.key)
                    ws.write_formula(cell.row, cell.col, lay.total_formulas[cell.key], fm.total,
                                     "" if cached is None else cached)
                else:
                    _write_value(ws, cell, values.get(cell.key), fm.input[cell.type])
            for (name, typ), rects in lay.dv_ranges.items():
                if name != sheet.name:
                    continue
                opts = data_validation(spec, typ)
                if len(rects) > 1:
                    opts["multi_range"] = " ".join(_rng(r) for r in rects)
                ws.data_validation(*rects[0], opts)
            # Text or nothing in a number cell first, and final: its orange must show even when the
            # cell also breaks an equation (the red rules below).
            for r0, c0, r1, c1 in lay.numeric_runs[sheet.name]:
                ws.conditional_format(r0, c0, r1, c1, {"type": "formula", "criteria": f"=NOT(ISNUMBER({a1(r0, c0)}))",
                                                       "format": fm.missing, "stop_if_true": True})
            for formula, rects in lay.cf_failing.get(sheet.name, []):
                # LibreOffice ignores stopIfTrue across overlapping ranges: the red rule itself leaves out
                # cells that hold no number (the reference is relative to the first range's first cell)
                first = a1(rects[0][0], rects[0][1])
                opts = {"type": "formula", "criteria": f"=AND(ISNUMBER({first}),{formula[1:]})", "format": fm.bad}
                if len(rects) > 1:
                    opts["multi_range"] = " ".join(_rng(r) for r in rects)
                ws.conditional_format(*rects[0], opts)
            if sheet.freeze:
                ws.freeze_panes(*sheet.freeze)
            apply_xlsxwriter(ws, _sheet_setup(sheet, lay.row_heights[sheet.name], header))
            _protect(ws, password)
        _check_sheet(wb, fm, spec, lay, effective, password, header)
        for name, rows, *printed in extra_sheets or []:
            _plain_sheet(wb, fm, name, rows, header, *printed)
        _meta_sheet(wb, spec, report, role, generated_at, password)
        written = dt.datetime.fromisoformat(generated_at).astimezone(dt.timezone.utc).replace(tzinfo=None)
        wb.set_properties({"title": f"{report.unit or ''} {report.year or ''} 政府信息公开工作年度报告统计表".strip(),
                           "subject": spec.name, "author": "gkxl", "comments": f"gkxl {__version__} {spec.basis}",
                           "created": written})
        for name, value in _metadata(spec, report, role, generated_at):
            if len(str(value)) <= CUSTOM_PROPERTY_MAX:     # a long units list lives in the hidden sheet only
                wb.set_custom_property(f"gkxl.{name}", str(value))
        wb.worksheets()[1].activate()
        wb.close()


def write_lists(target: Path, spec: Spec, sheets: list[tuple], title: str) -> None:
    """A workbook of plain lists only (name, rows[, printed columns]), as a summary's 明细 and 报送情况 are
    drawn: bold header, frozen and filtered, A4 landscape with the header repeated; `title` in the page
    header and the document's properties. Written atomically."""
    with atomic_path(target) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False,
                                            "strings_to_urls": False, "default_format_properties": dict(NORMAL_FONT)})
        fm = _Formats(wb, spec)
        for name, rows, *printed in sheets:
            _plain_sheet(wb, fm, name, rows, (title.replace("&", "&&"), ""), *printed)
        wb.set_properties({"title": title, "author": "gkxl", "comments": f"gkxl {__version__}"})
        wb.close()


CUSTOM_PROPERTY_MAX = 255     # Excel's limit for a custom document property's text
PLAIN_TEXT_MAX, PLAIN_FIGURE_WIDTH, PLAIN_PAGE_WIDTH = 30, 8, 260


def _plain_sheet(wb, fm: _Formats, name: str, rows: list[list], header, printed: int | None = None) -> None:
    """A list (明细, 报送情况): bold wrapped header row, frozen and filtered, widths from the content,
    row heights from the text; prints landscape with the header row and the first two columns repeated."""
    ws = wb.add_worksheet(name, worksheet_class=_ListSheet)
    if not rows:
        return
    n_cols = max(len(r) for r in rows)
    shown: dict[str, str] = {}          # each distinct text as its cell holds it, and its width: made once
    width_of: dict[str, float] = {}

    def cell_text(text: str) -> str:
        t = shown.get(text)
        if t is None:
            t = shown[text] = _cell_text(text)
        return t

    def width(text: str) -> float:
        w = width_of.get(text)
        if w is None:
            w = width_of[text] = display_width(cell_text(text))
        return w
    # 明细 has a cell per input per return (190,000 for 1,000 returns): a column at a time, and the
    # width of each distinct value once (figures repeat)
    figures, widths = [], []
    for head, *column in itertools.zip_longest(*rows):
        values = [v for v in column if v is not None and v != ""]
        figure = len(rows) > 1 and all(map(_is_figure, values))
        widest = max(map(width, set(map(str, values))), default=0)
        if figure:
            widths.append(max(PLAIN_FIGURE_WIDTH, widest + 2))
        else:
            widths.append(min(PLAIN_TEXT_MAX, max(6, min(width("" if head is None else str(head)), 12), widest) + 1.5))
        figures.append(figure)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    wrapped = {c for c in range(n_cols) if not (printed and c >= printed)}     # the rest: screen only, one line
    small = 8 / 11          # the header of a figure column is in 8 pt
    scales = [small if f else 1 for f in figures]
    heights = [max([LINE_PT, *(lines_needed(cell_text(str(v)), widths[c] / scales[c]) * LINE_PT * scales[c]
                               for c, v in enumerate(rows[0]) if c in wrapped and v is not None and v != "")]) + 4]
    texts = [c for c in sorted(wrapped) if not figures[c]]      # only these can hold a text below the header
    for row in rows[1:]:
        heights.append(max([LINE_PT, *(lines_needed(cell_text(row[c]), widths[c]) * LINE_PT for c in texts
                                       if c < len(row) and isinstance(row[c], str) and row[c] != "")]) + 4)
    head = [fm.list_header_small if f else fm.list_header for f in figures]
    body = [fm.list_figure if f else fm.list_text for f in figures]
    ws.list_rows(rows, heights, cell_text, head, [h if c in wrapped else fm.list_header for c, h in enumerate(head)],
                 body, [b if c in wrapped else fm.list_unwrapped for c, b in enumerate(body)])
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, len(rows) - 1, n_cols - 1)
    printed_widths = widths[:printed] if printed else widths
    wide = max(1, -(-int(sum(printed_widths)) // PLAIN_PAGE_WIDTH))
    landscape = landscape_by_width(printed_widths)
    scale = min(1.0, wide * (LANDSCAPE_WIDTH if landscape else PORTRAIT_WIDTH) / sum(printed_widths))
    area = (0, 0, len(rows) - 1, len(printed_widths) - 1)
    tall = pages_tall_for([h * scale for h in heights], [1], landscape, heights[0] * scale)
    apply_xlsxwriter(ws, PageSetup(landscape, tall, (0, 0), header, area))
    if wide > 1:        # too wide for one page at a readable size: several, the unit's name on each
        ws.fit_to_pages(wide, tall)
        ws.repeat_columns(0, 1)


def _is_figure(v) -> bool:
    return (type(v) is int or type(v) is float) and math.isfinite(v)


class _ListSheet(Worksheet):
    """The worksheet of a list (明细, 报送情况), whose cells are all plain: a figure, a text or a blank,
    with one format a column.

    xlsxwriter keeps every cell it is given as an object and writes each through its general XML calls,
    about 4 µs a cell: the 明细 of 1,000 returns (190,000 cells) took as long to write as checking the
    returns. A list's rows are written here straight from its values; all else in the sheet (widths,
    panes, filter, printing) is xlsxwriter's. Texts are inline strings, as xlsxwriter itself writes them
    in its constant-memory mode."""

    _list = None        # a list without rows (not even a header) is an empty sheet, as xlsxwriter writes it

    def list_rows(self, rows: list[list], heights: list[float], cell_text, head_plain, head_text, body_plain,
                  body_text):
        """The rows (the first is the header), each row's height in points, what a text's cell holds
        (`cell_text`), and per column the format of a figure or blank and of a text, in the header and below it."""
        self._list = rows, heights, cell_text, (head_plain, head_text), (body_plain, body_text)
        # xlsxwriter's extent of the sheet (its <dimension>) grows with the cells written through it
        self.write_blank(0, 0, None, head_plain[0])
        self.write_blank(len(rows) - 1, max(map(len, rows)) - 1, None, body_plain[-1])

    def _write_sheet_data(self) -> None:
        if self._list is None:
            return super()._write_sheet_data()
        rows, heights, cell_text, *formats = self._list
        letters = [xl_col_to_name(c) for c in range(max(map(len, rows)))]
        # per column, what follows the row number: its format's index (assigned when the file is written)
        head, body = ([[f'" s="{f._get_xf_index()}"' for f in kind] for kind in pair] for pair in formats)
        write = self.fh.write
        write("<sheetData>")
        for r, (row, height) in enumerate(zip(rows, heights)):
            plain, text = head if r == 0 else body
            n = r + 1
            points = int(height * 4 / 3 + 0.5) * 0.75       # whole pixels, as xlsxwriter's set_row stores it
            cells = [f'<row r="{n}" ht="{points:.16g}" customHeight="1">']
            add = cells.append
            for c, v in enumerate(row):
                kind = type(v)
                if kind is int:
                    add(f'<c r="{letters[c]}{n}{plain[c]}><v>{v}</v></c>')
                elif kind is float and math.isfinite(v):
                    add(f'<c r="{letters[c]}{n}{plain[c]}><v>{v:.16G}</v></c>')
                elif v is None or v == "":
                    add(f'<c r="{letters[c]}{n}{plain[c]}/>')
                else:
                    add(f'<c r="{letters[c]}{n}{text[c]} t="inlineStr">{_inline(cell_text(str(v)))}</c>')
            add("</row>")
            write("".join(cells))
        write("</sheetData>")


CELL_TEXT_MAX = 32767       # characters Excel holds in a cell (xlsxwriter's write_string cuts there too)
_ESCAPED_CODE = re.compile(r"(_x[0-9A-Fa-f]{4}_)")


def _cell_text(text: str) -> str:
    """A list's text as its cell holds it: what XML cannot carry removed, cut to what Excel holds."""
    return xml_safe(text)[:CELL_TEXT_MAX]


def _inline(text: str) -> str:
    """An inline string's XML: markup escaped, a literal _xHHHH_ kept literal (Excel reads it as a
    character code), a carriage return as its code (XML reads a bare one as a line feed), surrounding
    spaces preserved."""
    # (not xml.sax.saxutils.escape: importing it brings urllib.request, 3 MB in every worker)
    text = _ESCAPED_CODE.sub(r"_x005F\1", text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
    text = text.replace("\r", "_x000D_")
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f"<is><t{space}>{text}</t></is>"


def _rng(rect) -> str:
    r0, c0, r1, c1 = rect
    return a1(r0, c0) if (r0, c0) == (r1, c1) else f"{a1(r0, c0)}:{a1(r1, c1)}"


def _metadata(spec: Spec, report: Report, role: str, generated_at: str) -> list[tuple[str, object]]:
    """The workbook's identity, in its very hidden sheet and its document properties. `role`: what the
    workbook is (template: a return to fill; summary; parsed; annotated)."""
    rows = [("template", spec.id), ("template_version", spec.version), ("edition", spec.edition),
            ("role", role), ("year", "" if report.year is None else report.year),
            ("unit", report.unit or ""), ("unit_code", report.unit_code or ""),
            ("generated_at", generated_at), ("generator", f"gkxl {__version__}")]
    if role == "summary":   # the units it includes: merged again one level up, they must not count twice
        rows.append(("units", json.dumps(list(report.source.get("unit_names") or ()), ensure_ascii=False)))
    return rows


def _meta_sheet(wb, spec, report, role, generated_at, password):
    ws = wb.add_worksheet(META_SHEET)
    ws.write_string(0, 0, "gkxl")
    ws.write_string(0, 1, "本工作表由 gkxl 使用，请勿修改。")
    for i, (name, value) in enumerate(_metadata(spec, report, role, generated_at), start=1):
        ws.write_string(i, 0, name)
        ws.write_string(i, 1, str(value))
    ws.very_hidden()
    _protect(ws, password)


CHECK_COLUMNS = [("检查内容", 84), ("左边", 9), ("右边", 9), ("差额", 9), ("结果", 7), ("级别", 6), ("规则编号", 22)]
LISTED_CHARS = 80        # of the cells a V-blank row names, what two lines of 检查内容 hold


def _cell_problem(cell: Cell, value) -> str:
    """What a V-blank row says of one numeric input (the Python twin of _cell_problem_formula)."""
    if _is_number(value):
        return ""
    return f"{cell.where} 空白；" if value is None or value == "" else f"{cell.where} 是文字；"


def _cell_problem_formula(cell: Cell) -> str:
    ref = f"{rules.quote_sheet(cell.sheet)}!{cell.ref}"
    return f'=IF(ISNUMBER({ref}),"",IF({ref}="","{cell.where} 空白；","{cell.where} 是文字；"))'


def _check_sheet(wb, fm: _Formats, spec: Spec, lay: Layout, effective: dict, password, header):
    """The 校验 sheet: one row per equation and per table's numeric inputs, recomputed by the application.

    A V-blank row names the cells that hold text or nothing: one hidden helper cell per input (column I
    on) says "表三!E6 是文字；" or nothing, column H joins them (no TEXTJOIN: Excel 2010 and old WPS lack it)."""
    ws = wb.add_worksheet(CHECK_SHEET)
    widths = [w for _, w in CHECK_COLUMNS]
    for col, w in enumerate(widths):
        ws.set_column(col, col, w)
    last_col = len(CHECK_COLUMNS) - 1
    ws.merge_range(0, 0, 0, last_col, "校验结果（随填写自动更新：✓ 为通过，✗ 为未通过）", fm.title)
    ws.write_string(1, 0, "总体状态", fm.bold)
    first, last = 4, 4 + len(lay.check_rows) - 1
    status_col = "E"
    status_rng = f"{status_col}{first + 1}:{status_col}{last + 1}"
    helpers = max((len(row.cells) for row in lay.check_rows), default=0)
    if helpers:
        ws.set_column(7, 8 + helpers - 1, None, None, {"hidden": True})
    failed = 0
    heights = [30, 20, 10, 20]
    for i, row in enumerate(lay.check_rows):
        r = first + i
        lhs, rhs = _eval_check(spec, row, effective)
        diff = None if lhs is None or rhs is None else (round(lhs - rhs, 4) if isinstance(lhs - rhs, float) else lhs - rhs)
        ok = diff == 0
        failed += not ok
        if row.cells:
            problems = [_cell_problem(c, effective.get(c.key)) for c in row.cells]
            joined = "".join(problems)
            for j, c in enumerate(row.cells):
                ws.write_formula(r, 8 + j, _cell_problem_formula(c), None, problems[j])
            ws.write_formula(r, 7, "=" + "&".join(a1(r, 8 + j) for j in range(len(row.cells))), None, joined)
            # passing: the rule in words; failing: the cells, as many as two lines hold
            failing_text = f"{row.sheet}未填数字的格子："
            shown = row.description if not joined else failing_text + _listed(joined)
            quoted = row.description.replace('"', '""')
            ws.write_formula(r, 0, f'=IF(H{r + 1}="","{quoted}",CONCATENATE("{failing_text}",LEFT(H{r + 1},{LISTED_CHARS}),'
                                   f'IF(LEN(H{r + 1})>{LISTED_CHARS},"……","")))', fm.cell, shown)
            heights.append(row_lines(row.description, widths[0], listing=True) * LINE_PT + 4)
        else:
            ws.write_string(r, 0, row.description, fm.cell)
            heights.append(row_lines(row.description, widths[0]) * LINE_PT + 4)
        ws.set_row(r, heights[-1])
        ws.write_formula(r, 1, "=" + row.lhs, fm.cell_center, "" if lhs is None else lhs)
        ws.write_formula(r, 2, "=" + row.rhs, fm.cell_center, "" if rhs is None else rhs)
        ws.write_formula(r, 3, f"=ROUND(B{r + 1}-C{r + 1},4)", fm.cell_center, "" if diff is None else diff)
        ws.write_formula(r, 4, f'=IF(D{r + 1}=0,"{OK}","{FAIL}")', fm.cell_center, OK if ok else FAIL)
        ws.write_string(r, 5, severity_word(row.severity), fm.cell_center)
        ws.write_string(r, 6, row.id, fm.rule_id)
    overall = f"{OK} 全部通过" if not failed else f"{FAIL} 有 {failed} 条规则未通过"
    ws.merge_range(1, 1, 1, last_col, "", fm.status)
    ws.write_formula(1, 1, f'=IF(COUNTIF({status_rng},"{FAIL}")=0,"{OK} 全部通过","{FAIL} 有 "&COUNTIF({status_rng},"{FAIL}")&" 条规则未通过")',
                     fm.status, overall)
    for c, (h, _) in enumerate(CHECK_COLUMNS):
        ws.write_string(3, c, h, fm.header)
    ws.conditional_format(first, 4, last, 4, {"type": "cell", "criteria": "==", "value": f'"{FAIL}"', "format": fm.bad})
    ws.conditional_format(first, 4, last, 4, {"type": "cell", "criteria": "==", "value": f'"{OK}"', "format": fm.good})
    ws.conditional_format(1, 1, 1, 1, {"type": "text", "criteria": "begins with", "value": FAIL, "format": fm.bad})
    ws.conditional_format(1, 1, 1, 1, {"type": "text", "criteria": "begins with", "value": OK, "format": fm.good})
    ws.freeze_panes(4, 0)
    landscape = landscape_by_width(widths)
    apply_xlsxwriter(ws, PageSetup(landscape, pages_tall_for(heights, widths, landscape, heights[3]), (3, 3), header,
                                   (0, 0, last, last_col)))
    _protect(ws, password)


def row_lines(description: str, width: float, listing: bool = False) -> int:
    """Lines of a 校验 row: its description; two at least for the cells a V-blank row may name."""
    return max(lines_needed(description, width), 2 if listing else 1)


def _listed(joined: str) -> str:
    return joined[:LISTED_CHARS] + ("……" if len(joined) > LISTED_CHARS else "")


def _eval_check(spec: Spec, row: CheckRow, effective: dict):
    """Cached values of a 校验 row, as Excel computes them (SUM and COUNT skip text and blanks)."""
    if row.id.startswith("V-blank"):
        sheet = row.id[len("V-blank["):-1]
        nums = [c for c in spec.sheet(sheet).cells if c.is_input and c.numeric]
        return sum(_is_number(effective.get(c.key)) for c in nums), len(nums)
    inst = next(i for i in spec.instances if i.id == row.id)
    def excel_sum(keys):
        return sum(rules.number(effective.get(k)) or 0 for k in keys)
    return excel_sum(inst.lhs), excel_sum(inst.rhs)


def guide_lines(spec: Spec) -> list[tuple[str, str]]:
    """The 填报说明 of the spec, its placeholders filled from the spec itself (amount cells, totals, rules)."""
    amounts = [c for c in spec.inputs if c.type == "amount"]
    places = spec.types["amount"].get("decimals", 6)
    totals: dict[str, int] = {}
    for c in spec.totals:
        totals[c.sheet] = totals.get(c.sheet, 0) + 1
    fills = {
        "{basis}": spec.basis,
        "{amounts}": "、".join(f"{c.sheet}“{c.label}”" for c in amounts)
                     + f"以万元为单位，可精确到分（最多 {places} 位小数），例如 25100 元填 2.51，不要写“元”。",
        "{totals}": "绿色格子是公式（" + "，".join(f"{sheet} {n} 个" for sheet, n in totals.items())
                    + "），自动计算，不能修改。",
    }
    out = []
    for head, body in spec.guide:
        if body == "{rules}":
            out += [(f"{r.id}（{severity_word(r.severity)}）", f"{r.expression}。{r.message['zh']}") for r in spec.rules]
            out.append(("V-blank（错误）", "每个应填数字的格子都填了数字（0 也要填）。"))
            out += [(f"{y.id}（{severity_word(y.severity)}）", f"{y.expression}。{y.message['zh']}（汇总机关用上年报表核对）")
                    for y in {y.id: y for y in spec.year_rules}.values()]
        elif body == "{amounts}" and not amounts:
            continue
        else:
            for key, value in fills.items():
                body = body.replace(key, value)
            out.append((head, body))
    return out


def _guide_sheet(wb, fm: _Formats, spec: Spec, password, header, link: str | None = None):
    ws = wb.add_worksheet(GUIDE_SHEET)
    ws.set_column(0, 0, 20)
    ws.set_column(1, 1, 96)
    lines = [("", f"{spec.name} 填报说明")] + guide_lines(spec)
    if link:       # the unit's own page on the collecting office's desk: hand in there, see the check at once
        lines.insert(1, ("报送网址", f"{link}  （在办公网内用浏览器打开，或用手机扫右侧二维码：下载本模板、上传填好的报表"
                                     "并立即看到校验结果、改正后正式报送。此网址只属于本单位，请勿转发）"))
        ws.set_column(2, 2, 16)
        ws.insert_image(1, 2, "qr.png", {"image_data": qr_png(link), "x_scale": 1, "y_scale": 1, "object_position": 3})
    heights = [24, 15]
    for i, (head, body) in enumerate(lines):
        if i == 0:
            ws.merge_range(0, 0, 0, 1, body, fm.title)
            ws.set_row(0, 24)
            continue
        ws.write_string(i + 1, 0, head, fm.bold)
        ws.write_string(i + 1, 1, body, fm.plain)
        heights.append(lines_needed(body, 96) * LINE_PT + 4)
        ws.set_row(i + 1, heights[-1])
    apply_xlsxwriter(ws, PageSetup(False, pages_tall_for(heights, [20, 96], False), None, header))
    _protect(ws, password)


def qr_png(text: str) -> io.BytesIO:
    """The QR code of `text` as a PNG (a fixed size: a template's placeholder code is swapped for a unit's)."""
    import segno
    buf = io.BytesIO()
    try:
        code = segno.make(text, error="m", micro=False, version=QR_VERSION)
    except segno.DataOverflowError:          # a longer address: a bigger code, drawn in the same place
        code = segno.make(text, error="m", micro=False)
    code.save(buf, kind="png", scale=3, border=2)
    buf.seek(0)
    return buf


QR_VERSION = 8              # up to 122 characters at level M: any desk address of a unit


class TemplateStamper:
    """Per-unit templates for a whole list, fast: the workbook is written once per shape with placeholder
    texts, and each unit's copy is that package with the placeholders replaced (XML-escaped).

    A per-unit file is then byte-for-byte what write_workbook would give but for the unit's texts;
    tests/test_template.py holds the two side by side.
    """
    UNIT, CODE, LINK = "GKXLUNIT3f9c1a7e", "GKXLCODE3f9c1a7e", "GKXLLINK3f9c1a7e"

    def __init__(self, spec: Spec, year: int | None, password: str | None = None):
        self.spec, self.year, self.password = spec, year, password
        self.generated_at = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        self._masters: dict[tuple[bool, bool], list] = {}

    def _master(self, with_code: bool, with_link: bool = False) -> list:
        shape = (with_code, with_link)
        if shape not in self._masters:
            import tempfile
            import zipfile
            with tempfile.TemporaryDirectory() as d:
                path = Path(d) / "master.xlsx"
                report = Report.blank(self.spec, unit=self.UNIT, unit_code=self.CODE if with_code else None, year=self.year)
                write_workbook(path, self.spec, report, password=self.password, generated_at=self.generated_at,
                               link=self.LINK if with_link else None)
                with zipfile.ZipFile(path) as zf:
                    self._masters[shape] = [(info, zf.read(info)) for info in zf.infolist()]
        return self._masters[shape]

    def prepared(self, shapes) -> TemplateStamper:
        """Write the masters now (with and/or without a unit code, a link), so worker processes inherit them."""
        for with_code, with_link in shapes:
            self._master(with_code, with_link)
        return self

    def write_job(self, job: tuple) -> None:
        self.write(*job)

    def write(self, target: Path, unit: str, unit_code: str | None = None, link: str | None = None) -> None:
        import zipfile
        from xml.sax.saxutils import escape
        swaps = [(self.UNIT.encode(), escape(unit).encode("utf-8"))]
        if unit_code:
            swaps.append((self.CODE.encode(), escape(unit_code).encode("utf-8")))
        if link:
            swaps.append((self.LINK.encode(), escape(link).encode("utf-8")))
        placeholder_qr = qr_png(self.LINK).getvalue() if link else None
        in_header = escape(page_header(unit, None)[0]).encode("utf-8")     # & doubled there
        with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
            for info, data in self._master(bool(unit_code), bool(link)):
                if placeholder_qr is not None and data == placeholder_qr:      # the unit's own code in its place
                    out.writestr(info, qr_png(link).getvalue())
                    continue
                data = re.sub(rb"<oddHeader>.*?</oddHeader>", lambda m: m.group(0).replace(self.UNIT.encode(), in_header),
                              data)
                for old, new in swaps:
                    data = data.replace(old, new)
                out.writestr(info, data)
