"""Render a report (a return, a parsed report or a summary) as the published annual report.

Title, sections 一 to 六 in order, the narrative parts as paragraphs and the three tables in the official
layout taken from the form spec (merged headers become rowspan/colspan in HTML and merged cells in DOCX;
Markdown cannot merge, so its tables are flattened to one header row). A blank is an empty cell, never 0.
"""
from __future__ import annotations

import dataclasses
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from gkxl.form import groups as formgroups
from gkxl.form import spec as specmod
from gkxl.form.model import Report
from gkxl.io.files import atomic_path, write_text
from gkxl.text.errors import GkxlError
from gkxl.text.numbers import show
from gkxl.text.printable import xml_safe

TITLE_SUFFIX = "政府信息公开工作年度报告"
FORMATS = ("md", "html", "docx", "pdf")
PAGE_TABLE_ROWS = 15        # a table longer than this starts on a new page in DOCX
FIGURE_WEIGHT = 11          # a figure column's width, in the units of the spec's column widths


# --- the document, independent of the output format --------------------------------------------

@dataclass
class GridCell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    style: str = "value"        # value, header, block, row, note_header


@dataclass
class Table:
    sheet: specmod.Sheet
    rows: list[list[GridCell | None]]    # None: covered by a merged cell
    sheet_rows: list[int] = field(default_factory=list)   # the sheet row of each table row (0-based)
    first_col: int = 0                                    # the sheet column of the table's first column

    @property
    def header_count(self) -> int:
        """Table rows that are the header (repeated on every page): the sheet's header rows but the title."""
        if not self.sheet.header_rows:
            return 0
        last = self.sheet.header_rows[1] - 1
        return sum(1 for r in self.sheet_rows if r <= last)

    def column_weights(self) -> list[float]:
        """Relative widths: label columns as wide as the workbook's, figure columns narrow."""
        n = len(self.rows[0])
        figures = {c.col - self.first_col for c in self.sheet.cells if c.numeric}
        return [FIGURE_WEIGHT if i in figures else self.sheet.widths.get(self.first_col + i, 8.43) for i in range(n)]


@dataclass
class Section:
    heading: str
    paragraphs: list[str]
    table: Table | None = None


def title_of(report: Report) -> str:
    unit = str(report.unit).strip() if report.unit not in (None, "") else ""
    year = f"{report.year}年" if report.year not in (None, "") else ""
    return f"{unit}{year}{TITLE_SUFFIX}"


def format_value(value) -> str:
    """A cell of a printed table: blank stays blank; a number as gkxl shows every number."""
    if value is None or isinstance(value, bool):
        return ""
    return show(value)


def sections_of(report: Report) -> list[Section]:
    """Sections 一 to 六 in the spec's order: a table section holds its sheet, a text section its paragraphs."""
    spec = report.spec
    one_row = formgroups.published_as_one_row(spec, report.values)
    out = []
    for part in spec.sections:
        if part.sheet:
            out.append(Section(part.heading, [], official_table(spec.sheet(part.sheet), report.values, one_row)))
        else:
            content = report.values.get(part.text)
            out.append(Section(part.heading, [p.strip() for p in str(content or "").splitlines() if p.strip()]))
    return out


def official_table(sheet: specmod.Sheet, values: dict, one_row: list[specmod.RowGroup] = ()) -> Table:
    """The sheet's labels and cells on one grid, title row left out (it is the section heading). A group
    published as one row (`one_row`) is shown as that row, as the report published it."""
    labels, cells = _one_row_layout(sheet, [g for g in one_row if g.cells[0].sheet == sheet.name])
    entries: dict[tuple[int, int], GridCell] = {}
    covered: set[tuple[int, int]] = set()

    def put(row, col, merge, cell: GridCell):
        r0, c0, r1, c1 = merge or (row, col, row, col)
        cell.rowspan, cell.colspan = r1 - r0 + 1, c1 - c0 + 1
        entries[(r0, c0)] = cell
        covered.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1) if (r, c) != (r0, c0))

    for lab in labels:
        if lab.style != "title":
            put(lab.row, lab.col, lab.merge, GridCell(lab.text, style=lab.style))
    for cell in cells:
        put(cell.row, cell.col, cell.merge, GridCell(format_value(values.get(cell.key))))
    used = set(entries) | covered
    rows_used = sorted({r for r, _ in used})
    first_col, last_col = min(c for _, c in used), max(c for _, c in used)
    rows = []
    for r in rows_used:
        rows.append([None if (r, c) in covered else entries.get((r, c), GridCell(""))
                     for c in range(first_col, last_col + 1)])
    return Table(sheet, rows, rows_used, first_col)


def _one_row_layout(sheet: specmod.Sheet, groups: list[specmod.RowGroup]):
    """The sheet's labels and cells with each group's rows folded into its first row: the group's label
    spans the sub-row label columns, the sub-rows' labels and cells are left out, and labels spanning
    the folded rows (三、本年度办理结果) shrink with them."""
    labels, cells = list(sheet.labels), list(sheet.cells)
    for g in groups:
        first, last, col = g.cells[0].row, g.cells[0].last_row, min(c.col for c in g.cells)
        parts = {k for c in g.cells for k in c.parts}
        cells = [c for c in cells if c.key not in parts] + list(g.cells)
        gone = last - first
        kept = []
        for lab in labels:
            r0, c0, r1, c1 = lab.merge or (lab.row, lab.col, lab.row, lab.col)
            if first <= r0 <= last and c0 < col:
                if (r0, r1) == (first, last) and r1 > r0:            # the group's own label
                    kept.append(dataclasses.replace(lab, merge=(first, c0, first, col - 1)))
                continue                                            # a sub-row's label
            if r0 < first and r1 >= last:
                lab = dataclasses.replace(lab, merge=(r0, c0, r1 - gone, c1))
            elif r0 > last:
                lab = dataclasses.replace(lab, row=lab.row - gone, merge=lab.merge and (r0 - gone, c0, r1 - gone, c1))
            kept.append(lab)
        labels = kept
        cells = [dataclasses.replace(c, row=c.row - gone) if c.row > last else c for c in cells]
    return labels, cells


# --- Markdown ----------------------------------------------------------------------------------

_MD_INLINE = re.compile(r"([\\`*_\[\]])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+=|~-]|\d+[.)](?=\s|$))")


def md_text(text: str, line: bool = True) -> str:
    """Text from a report as Markdown shows it literally: HTML (<script>) escaped, emphasis and link
    marks escaped, and (for a `line`, not a table cell: -5 is a figure) a line start that would make a
    heading, quote or list (# 标题) escaped."""
    text = _MD_INLINE.sub(r"\\\1", html.escape(xml_safe(text), quote=False))
    return _MD_LINE_START.sub(_escaped_start, text) if line else text


def _escaped_start(m: re.Match) -> str:
    mark = m.group(2)       # "1." is escaped as "1\." (a backslash escapes punctuation only)
    return m.group(1) + (mark[:-1] + "\\" + mark[-1] if mark[0].isdigit() else "\\" + mark)


def to_markdown(report: Report) -> str:
    out = [f"# {md_text(title_of(report))}", ""]
    for paragraph in _preamble(report):
        out += [md_text(paragraph), ""]
    one_row = formgroups.published_as_one_row(report.spec, report.values)
    for section in sections_of(report):
        out += [f"## {section.heading}", ""]
        for paragraph in section.paragraphs:
            out += [md_text(paragraph), ""]
        if section.table is not None:
            out += _markdown_table(section.table.sheet, report.values, one_row)
    return "\n".join(out).rstrip() + "\n"


def _preamble(report: Report) -> list[str]:
    return [p.strip() for p in str(report.source.get("preamble") or "").splitlines() if p.strip()]


def _md_row(fields: list[str]) -> str:
    return "| " + " | ".join(f.replace("|", "｜").replace("\n", " ") for f in fields) + " |"


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [_md_row(header), "|" + "---|" * len(header), *(_md_row(r) for r in rows), ""]


def _markdown_table(sheet: specmod.Sheet, values: dict, one_row: list[specmod.RowGroup] = ()) -> list[str]:
    if sheet.cells and all(c.col_label for c in sheet.cells):
        return _markdown_grid(sheet, values, [g for g in one_row if g.cells[0].sheet == sheet.name])
    return _markdown_blocks(sheet, values)


def _markdown_grid(sheet: specmod.Sheet, values: dict, one_row: list[specmod.RowGroup] = ()) -> list[str]:
    """Row label, then one column per grid column: the headers' levels joined with " · "."""
    cells = sorted(_one_row_layout(sheet, one_row)[1], key=lambda c: (c.row, c.col))
    row_labels = list(dict.fromkeys(c.row_label for c in cells))
    col_labels = list(dict.fromkeys(c.col_label for c in cells))
    by_pos = {(c.row_label, c.col_label): c for c in cells}
    rows = [[r] + [md_text(format_value(values.get(by_pos[(r, k)].key)), line=False) if (r, k) in by_pos else ""
                   for k in col_labels] for r in row_labels]
    return _md_table(["项目", *col_labels], rows)


def _markdown_blocks(sheet: specmod.Sheet, values: dict) -> list[str]:
    """Table 2: each block title as a bold line, then its header row and its rows as a small table."""
    out: list[str] = []
    header: list[str] | None = None
    rows: list[list[str]] = []
    cells_by_row: dict[int, list[specmod.Cell]] = {}
    for c in sheet.cells:
        cells_by_row.setdefault(c.row, []).append(c)
    labels_by_row: dict[int, list[specmod.Label]] = {}
    for lab in sheet.labels:
        if lab.style != "title":
            labels_by_row.setdefault(lab.row, []).append(lab)

    def flush():
        nonlocal header, rows
        if header:
            out.extend(_md_table(header, rows))
        header, rows = None, []

    for r in sorted(labels_by_row):
        labs = sorted(labels_by_row[r], key=lambda l: l.col)
        if labs[0].style in ("block", "note"):
            flush()
            out += [f"**{labs[0].text}**", ""]
        elif labs[0].style in ("header", "note_header"):
            flush()
            header = [l.text for l in labs]
        else:
            cells = sorted(cells_by_row.get(r, []), key=lambda c: c.col)
            rows.append([labs[0].text] + [md_text(format_value(values.get(c.key)), line=False) for c in cells])
    flush()
    return out


# --- HTML ----------------------------------------------------------------------------------------

HTML_STYLE = """
body { font-family: "仿宋_GB2312", "仿宋", FangSong, serif; font-size: 16pt; line-height: 1.75;
       max-width: 60em; margin: 2em auto; padding: 0 1em; }
h1 { font-family: "方正小标宋简体", "小标宋", "华文中宋", serif; font-weight: normal; text-align: center; font-size: 22pt; }
h2 { font-family: "黑体", SimHei, sans-serif; font-weight: normal; font-size: 16pt; }
p { text-indent: 2em; margin: 0; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 10.5pt; line-height: 1.4; width: 100%; }
td, th { border: 1px solid #000; padding: 2px 4px; text-align: center; vertical-align: middle; }
td.row { text-align: left; }
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
@media print { body { max-width: none; margin: 0; padding: 0; } tr { break-inside: avoid; } thead { display: table-header-group; } }
th.block { text-align: left; }
""".strip()


def to_html(report: Report) -> str:
    e = html.escape
    title = title_of(report)
    out = ["<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
           f"<title>{e(title)}</title>", f"<style>\n{HTML_STYLE}\n</style>", "</head>", "<body>", f"<h1>{e(title)}</h1>"]
    out += [f"<p>{e(p)}</p>" for p in _preamble(report)]
    for section in sections_of(report):
        out.append(f"<h2>{e(section.heading)}</h2>")
        out += [f"<p>{e(p)}</p>" for p in section.paragraphs]
        if section.table is not None:
            out += _html_table(section.table)
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


def _html_table(table: Table) -> list[str]:
    # The attributes are for word processors (Word, WPS, LibreOffice open or paste the page): the CSS
    # rules are theirs to ignore, and without these the table has no rules and runs off the page.
    out = ['<table border="1" cellspacing="0" cellpadding="2" width="100%">']
    for row in table.rows:
        cells = []
        for cell in row:
            if cell is None:
                continue
            tag = "th" if cell.style in ("header", "block", "note_header") else "td"
            attrs = f' class="{cell.style}"' if cell.style != "value" else ""
            if cell.rowspan > 1:
                attrs += f' rowspan="{cell.rowspan}"'
            if cell.colspan > 1:
                attrs += f' colspan="{cell.colspan}"'
            cells.append(f"<{tag}{attrs}>{html.escape(cell.text)}</{tag}>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return out


# --- DOCX ----------------------------------------------------------------------------------------

TITLE_FONT, HEADING_FONT, BODY_FONT = "方正小标宋简体", "黑体", "仿宋_GB2312"
TITLE_PT, BODY_PT, TABLE_PT, WIDE_TABLE_PT = 22, 16, 10.5, 9     # 二号, 三号, 五号, 小五


def to_docx(report: Report, target: Path) -> None:
    try:
        import docx
        from docx.enum.section import WD_ORIENT
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm, Pt, RGBColor
    except ImportError:
        raise GkxlError("render.no_docx") from None
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    # GB/T 9704 margins for government documents
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    _page_number_footer(section)
    normal = document.styles["Normal"]
    _font(normal.font, normal.element, BODY_FONT, BODY_PT)

    def paragraph(content: str, font: str, size: float, align=None, indent: bool = False, style=None):
        p = document.add_paragraph(style=style)
        if align is not None:
            p.alignment = align
        fmt = p.paragraph_format
        fmt.line_spacing = Pt(28) if size <= BODY_PT else None
        fmt.space_before = fmt.space_after = Pt(0)
        if indent:
            fmt.first_line_indent = Pt(size * 2)
        run = _add_run(p, content)
        _font(run.font, run._element, font, size)
        run.font.color.rgb = RGBColor(0, 0, 0)
        return p

    paragraph(title_of(report), TITLE_FONT, TITLE_PT, WD_ALIGN_PARAGRAPH.CENTER).paragraph_format.space_after = Pt(16)
    for text in _preamble(report):
        paragraph(text, BODY_FONT, BODY_PT, indent=True)
    for part in sections_of(report):
        heading = paragraph(part.heading, HEADING_FONT, BODY_PT, indent=True, style="Heading 1")
        heading.paragraph_format.keep_with_next = True
        if part.table is not None and len(part.table.rows) > PAGE_TABLE_ROWS:
            # a table of more than half a page starts a page with its heading, so that it fits on one
            # page whole (LibreOffice and WPS do not keep a table together by its rows' keep-with-next)
            heading.paragraph_format.page_break_before = True
        for text in part.paragraphs:
            paragraph(text, BODY_FONT, BODY_PT, indent=True)
        if part.table is not None:
            _docx_table(document, part.table, WD_TABLE_ALIGNMENT, WD_ALIGN_PARAGRAPH, Pt)
    with atomic_path(target) as tmp:
        document.save(str(tmp))


def _add_run(p, content: str):
    """The one place text from a report enters the Word document: without the control characters XML
    forbids (a BEL or NUL a return may carry), which would make the file unopenable."""
    return p.add_run(xml_safe(content))


def _font(font, element, name: str, size: float) -> None:
    """Set a font for Latin and East Asian text alike (Word picks the East Asian one for Chinese)."""
    from docx.oxml.ns import qn
    font.name = name
    font.size = _pt(size)
    font.bold = False
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def _pt(size: float):
    from docx.shared import Pt
    return Pt(size)


def _docx_table(document, table: Table, WD_TABLE_ALIGNMENT, WD_ALIGN_PARAGRAPH, Pt) -> None:
    """The official table: merged headers, widths in the published proportions, the header repeated on
    every page, no row split across pages."""
    from docx.enum.table import WD_ALIGN_VERTICAL
    from docx.shared import Emu
    n_rows, n_cols = len(table.rows), len(table.rows[0])
    size = WIDE_TABLE_PT if n_cols > 6 else TABLE_PT
    t = document.add_table(rows=n_rows, cols=n_cols)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    section = document.sections[-1]
    text_width = section.page_width - section.left_margin - section.right_margin
    weights = table.column_weights()
    widths = [Emu(int(text_width * w / sum(weights))) for w in weights]
    _fixed_layout(t, widths)
    for r, row in enumerate(table.rows):
        _row_properties(t.rows[r], header=r < table.header_count)
        for c in range(n_cols):
            t.cell(r, c).width = widths[c]
        for c, cell in enumerate(row):
            if cell is None:
                continue
            target = t.cell(r, c)
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(t.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
            target.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
            p = target.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if cell.style in ("row", "block") else WD_ALIGN_PARAGRAPH.CENTER
            fmt = p.paragraph_format
            fmt.first_line_indent = Pt(0)
            fmt.line_spacing = 1.0
            fmt.space_before = fmt.space_after = Pt(1)
            # the table moves whole to the next page rather than leave a few rows behind (a table
            # longer than a page still splits, between rows)
            fmt.keep_with_next = r < n_rows - 1
            run = _add_run(p, cell.text)
            _font(run.font, run._element, BODY_FONT, size)
    document.add_paragraph()


def _fixed_layout(t, widths) -> None:
    """Column widths that Word, WPS and LibreOffice all keep: a fixed layout and the grid's widths."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    tbl_pr = t._tbl.tblPr           # t.autofit = False has set its layout fixed
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.append(tbl_w)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), "57")          # 1 mm: narrow figure columns keep their words whole
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    look = tbl_pr.find(qn("w:tblLook"))       # the schema's order: tblCellMar comes before tblLook
    if look is not None:
        look.addprevious(margins)
    else:
        tbl_pr.append(margins)
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(sum(int(w.twips) for w in widths)))
    for col, w in zip(t._tbl.tblGrid.findall(qn("w:gridCol")), widths):
        col.set(qn("w:w"), str(int(w.twips)))


def _row_properties(row, header: bool) -> None:
    from docx.oxml import OxmlElement
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))


def _page_number_footer(section) -> None:
    """公文 page numbers: — N — centred at the foot of the page."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for part in ("— ", None, " —"):
        if part is None:
            field = OxmlElement("w:fldSimple")
            field.set(qn("w:instr"), "PAGE")
            run = p.add_run("1")
            run._element.getparent().remove(run._element)
            field.append(run._element)
            p._p.append(field)
            _font(run.font, run._element, "宋体", 14)
        else:
            _font(p.add_run(part).font, p.runs[-1]._element, "宋体", 14)


# --- entry point ---------------------------------------------------------------------------------

def render(report: Report, to: str, target: Path) -> None:
    """Write `report` as a published report in format `to` (md, html, docx, or pdf through LibreOffice) to
    `target`, atomically."""
    target = Path(target)
    if to == "md":
        write_text(target, to_markdown(report))
    elif to == "html":
        write_text(target, to_html(report))
    elif to == "docx":
        to_docx(report, target)
    elif to == "pdf":
        import tempfile

        from gkxl.published.pdf import convert_to_pdf, find_soffice
        if find_soffice() is None:
            raise GkxlError("render.no_soffice")
        with tempfile.TemporaryDirectory(prefix="gkxl-render-") as d:
            docx_path = Path(d) / "report.docx"
            to_docx(report, docx_path)
            convert_to_pdf(docx_path, target)
    else:
        raise GkxlError("render.unknown_target", to=to)
