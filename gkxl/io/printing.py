"""How every sheet gkxl writes prints: A4, orientation by width, one page wide, header rows repeated,
a page header naming the unit and year, a footer 第 N 页 共 M 页, and row heights that fit their text.

One description (PageSetup) applied by xlsxwriter (template, summary) or openpyxl (annotated copy), so
the workbooks print alike whichever library wrote them.
"""
from __future__ import annotations

import functools
import math
import unicodedata
from dataclasses import dataclass

A4 = 9                              # the OOXML paper size code
# The workbook's Normal font is Arial 11, metric-compatible with Liberation Sans, which LibreOffice
# substitutes where Arial is missing: a column-width unit (its digit, about 8 px) is then the same in
# Excel, WPS and LibreOffice, so widths and row heights computed here hold in all three.
NORMAL_FONT = {"font_name": "Arial", "font_size": 11}
LINE_PT = 16                        # one line of 11 pt CJK text (Noto CJK's line is 1.45 em)
MARGINS_IN = {"left": 0.5, "right": 0.5, "top": 0.75, "bottom": 0.6, "header": 0.3, "footer": 0.3}
PORTRAIT_WIDTH, LANDSCAPE_WIDTH = 87, 128                # column-width units that print at 100 % on A4
PORTRAIT_HEIGHT_PT, LANDSCAPE_HEIGHT_PT = 740, 495       # printable height between the margins
FOOTER = "&C第 &P 页 共 &N 页"
NARROW = set(" ·.,:;!'\"()[]|")


@functools.cache          # a list's widths and heights measure every character of 1,000 rows
def char_width(ch: str) -> float:
    """Width in column units of one character at 11 pt: CJK 1.85 (14.7 px on an 8 px digit); Latin in
    the fonts that stand in for 宋体 about one, spaces and light punctuation less, + = wider."""
    if unicodedata.east_asian_width(ch) in "WF":
        return 1.85
    if ch in NARROW:
        return 0.7
    return 1.1 if ch.isalnum() else 1.3


def display_width(text: str) -> float:
    return sum(map(char_width, text))


def lines_needed(text: str, width: float) -> int:
    """Lines a wrapped cell of `width` column units needs for `text`, breaking where the text would."""
    usable = max(width - 1.0, 3)
    return sum(max(1, math.ceil(display_width(part) / usable)) for part in str(text).split("\n"))


def pages_tall_for(heights, widths, landscape: bool, repeated: float = 0) -> int:
    """Pages tall to fit a sheet to, so that its last page is not a few orphan rows: the natural count,
    one less when the last page would be under a third full (the whole then prints slightly smaller)."""
    page_w, page_h = (LANDSCAPE_WIDTH, LANDSCAPE_HEIGHT_PT) if landscape else (PORTRAIT_WIDTH, PORTRAIT_HEIGHT_PT)
    scale = min(1.0, page_w / max(sum(widths), 1))
    per_page = page_h / scale - repeated
    pages = sum(heights) / max(per_page, 1)
    whole = max(1, math.ceil(pages))
    return whole - 1 if whole > 1 and pages - (whole - 1) < 1 / 3 else whole


def landscape_by_width(widths) -> bool:
    return sum(widths) > PORTRAIT_WIDTH


def _header_field(text) -> str:
    return str(text).strip().replace("&", "&&")[:80]


def page_header(unit, year) -> tuple[str, str]:
    """The page header, left and right (`&` doubled, as headers want): unit and year, or blanks to write on."""
    unit_text = _header_field(unit) if unit not in (None, "") else "填报单位：________________"
    year_text = f"{_header_field(year)} 年度" if year not in (None, "") else "报告年度：______"
    return unit_text, year_text


@dataclass
class PageSetup:
    landscape: bool
    pages_tall: int = 0                        # 0: as many pages as the rows need
    repeat_rows: tuple[int, int] | None = None  # 0-based first and last header row
    header: tuple[str, str] | None = None       # left and right parts, from page_header
    print_area: tuple[int, int, int, int] | None = None


def apply_xlsxwriter(ws, setup: PageSetup) -> None:
    ws.set_paper(A4)
    if setup.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, setup.pages_tall)
    ws.center_horizontally()
    margins = {k: v for k, v in MARGINS_IN.items() if k not in ("header", "footer")}
    ws.set_margins(**margins)
    if setup.header:
        ws.set_header("&L{}&R{}".format(*setup.header), {"margin": MARGINS_IN["header"]})
    ws.set_footer(FOOTER, {"margin": MARGINS_IN["footer"]})
    if setup.repeat_rows:
        ws.repeat_rows(*setup.repeat_rows)
    if setup.print_area:
        ws.print_area(*setup.print_area)


def apply_openpyxl(ws, setup: PageSetup) -> None:
    from openpyxl.utils import get_column_letter
    ws.page_setup.paperSize = A4
    ws.page_setup.orientation = "landscape" if setup.landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, setup.pages_tall
    ws.print_options.horizontalCentered = True
    for name, value in MARGINS_IN.items():
        setattr(ws.page_margins, name, value)
    if setup.header:
        ws.oddHeader.left.text, ws.oddHeader.right.text = setup.header
    ws.oddFooter.center.text = FOOTER[2:]
    if setup.repeat_rows:
        ws.print_title_rows = f"{setup.repeat_rows[0] + 1}:{setup.repeat_rows[1] + 1}"
    if setup.print_area:
        r0, c0, r1, c1 = setup.print_area
        ws.print_area = f"{get_column_letter(c0 + 1)}{r0 + 1}:{get_column_letter(c1 + 1)}{r1 + 1}"

