"""A Word (.docx) report as the parser's lines: paragraphs in body order, tables on their grid.

Merged cells are resolved to the grid the way gkxl.parse resolves HTML rowspan/colspan: a cell spanning
columns (w:gridSpan) or continued downwards (w:vMerge) leaves empty fields where it is covered, so every
figure stays in its own column and the rows are placed by the same code as HTML tables.

The package is vetted before python-docx sees it: declared sizes are checked before anything is
inflated, and XML parts with a DOCTYPE (entity declarations) are refused.
"""
from __future__ import annotations

import io
import zipfile

from gkxl.io.source import oversized
from gkxl.published.lines import Line, _clean, text_lines
from gkxl.text.errors import GkxlError
from gkxl.text.messages import Message

MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 10000
MAX_GRID_COLUMNS = 64            # the widest official table has 16 columns
MAX_ROWS = 5000

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def vet_docx(data: bytes, path: str) -> None:
    """Refuse a zip bomb, an encrypted member or entity declarations, from what the zip declares."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise GkxlError("doc.docx_corrupt") from None
    total = sum(i.file_size for i in infos)
    if len(infos) > MAX_MEMBERS or total > MAX_TOTAL_BYTES:
        raise GkxlError("doc.docx_bomb", detail=f"{len(infos)} files, {total} B")
    for i in infos:
        if oversized(i, MAX_MEMBER_BYTES):
            raise GkxlError("doc.docx_bomb", detail=f"{i.filename}: {i.file_size} B")
        if i.flag_bits & 0x1:
            raise GkxlError("doc.encrypted")
    try:
        for i in infos:
            if i.filename.endswith((".xml", ".rels")):
                part = zf.read(i)
                if b"<!DOCTYPE" in part or b"<!ENTITY" in part or b"\x00" in part[:4]:
                    # UTF-16 parts are rare enough in Word files to be refused with the same reason
                    raise GkxlError("doc.docx_entities", member=i.filename)
    except GkxlError:
        raise
    except Exception:  # CRC errors, truncated members, zlib errors
        raise GkxlError("doc.docx_corrupt") from None


def docx_lines(data: bytes, path: str) -> tuple[list[Line], dict[int, Message], str]:
    """(lines, the place of each line number, the document title property)."""
    vet_docx(data, path)
    import docx
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises several types for a package it cannot read
        raise GkxlError("doc.docx_corrupt") from None
    reader = _Reader(_Styles(document))
    reader.block(document.element.body)
    title = (document.core_properties.title or "").strip()
    return reader.lines, reader.places, title, reader.unseen


class _Styles:
    """Which paragraph and character styles hide their text (w:vanish) or colour it white: what the page
    shows is read, never what a style hides."""

    def __init__(self, document):
        self.own: dict[str, tuple[bool | None, str | None, str | None]] = {}
        try:
            root = document.styles.element
        except Exception:  # noqa: BLE001 - a document without a styles part hides nothing by style
            root = None
        for style in root.iter(W + "style") if root is not None else ():
            sid = style.get(W + "styleId")
            based = style.find(W + "basedOn")
            if sid:
                hidden, colour = _run_look(style.find(W + "rPr"))
                self.own[sid] = (hidden, colour, based.get(W + "val") if based is not None else None)
        self._looks: dict[str, tuple[bool, str | None]] = {}

    def look(self, sid: str | None) -> tuple[bool, str | None]:
        """(hidden, colour) a style gives its text, through its basedOn chain."""
        if not sid:
            return False, None
        if sid not in self._looks:
            hidden, colour, seen, at = None, None, set(), sid
            while at and at not in seen and at in self.own:
                seen.add(at)
                own_hidden, own_colour, at = self.own[at]
                hidden = own_hidden if hidden is None else hidden
                colour = own_colour if colour is None else colour
            self._looks[sid] = (bool(hidden), colour)
        return self._looks[sid]


def _on(el) -> bool | None:
    """A Word on/off property: present and not switched off."""
    if el is None:
        return None
    return el.get(W + "val") not in ("0", "false", "off")


def _run_look(rpr) -> tuple[bool | None, str | None]:
    if rpr is None:
        return None, None
    hidden = _on(rpr.find(W + "vanish"))
    if hidden is None:
        hidden = _on(rpr.find(W + "specVanish"))
    colour = rpr.find(W + "color")
    return hidden, (colour.get(W + "val") or "").upper() if colour is not None else None


WHITE = {"FFFFFF", "FFFFFE", "FEFEFE"}


class _Reader:
    def __init__(self, styles: _Styles | None = None):
        self.lines: list[Line] = []
        self.places: dict[int, Message] = {}
        self.paragraphs = 0
        self.tables = 0
        self.styles = styles
        self.unseen: list[tuple[Message, str]] = []     # text the page does not show, with figures in it

    def add(self, line: Line, place: Message) -> None:
        line.number = len(self.lines) + 1
        self.lines.append(line)
        self.places[line.number] = place

    def block(self, element) -> None:
        for child in element:
            tag = child.tag
            if tag == W + "p":
                self.paragraphs += 1
                self.paragraph(child)
            elif tag == W + "tbl":
                self.tables += 1
                self.table(child, self.tables)
            elif tag == W + "sdt":                     # a content control: its content is body content
                content = child.find(W + "sdtContent")
                if content is not None:
                    self.block(content)
            elif tag in (W + "customXml", W + "ins", W + "smartTag"):
                self.block(child)

    def paragraph(self, p) -> None:
        place = Message("doc.paragraph", n=self.paragraphs)
        for part in self.visible_text(p, place).split("\n"):
            if not part.strip():
                continue
            for line in text_lines(part):     # tabs and Markdown-like rows as in copied text
                self.add(line, place)

    def table(self, tbl, index: int) -> None:
        grid = table_grid(tbl, lambda p, r, shaded: self.visible_text(p, Message("doc.table_row", table=index, row=r),
                                                                      shaded))
        for r, fields in enumerate(grid, start=1):
            raw = "\t".join(fields)
            self.add(Line(0, raw, [_clean(f) for f in fields], True), Message("doc.table_row", table=index, row=r))


    def visible_text(self, p, place: Message, shaded: bool = False) -> str:
        """The paragraph's text as the page shows it: a run hidden (w:vanish, directly or by its style) or
        white on a page or cell that is not shaded is left out, and said when it holds a figure."""
        if self.styles is None:
            return paragraph_text(p)
        ppr = p.find(W + "pPr")
        pstyle = ppr.find(W + "pStyle") if ppr is not None else None
        p_hidden, p_colour = self.styles.look(pstyle.get(W + "val") if pstyle is not None else None)
        unseen = []

        def hidden(el) -> bool:
            run = el.getparent()
            while run is not None and run.tag != W + "r":
                run = run.getparent()
            if run is None:
                return False
            rpr = run.find(W + "rPr")
            own_hidden, own_colour = _run_look(rpr)
            rstyle = rpr.find(W + "rStyle") if rpr is not None else None
            s_hidden, s_colour = self.styles.look(rstyle.get(W + "val") if rstyle is not None else None)
            is_hidden = own_hidden if own_hidden is not None else (s_hidden or p_hidden)
            colour = own_colour or s_colour or p_colour
            lit = rpr is not None and (rpr.find(W + "highlight") is not None or rpr.find(W + "shd") is not None)
            if is_hidden or (colour in WHITE and not lit and not shaded):
                unseen.append(el)
                return True
            return False

        text = paragraph_text(p, hidden)
        said = "".join(el.text or "" for el in unseen if el.tag == W + "t")
        if any(ch.isdigit() for ch in said):
            self.unseen.append((place, said.strip()))
        return text


def paragraph_text(p, skip=None) -> str:
    """Text: w:t, w:sym, tabs and breaks, in document order. Deleted text (w:delText) and field codes
    (w:instrText) are other elements and so left out; inserted text (w:ins) is kept; `skip(element)` True
    leaves an element out (text the page does not show)."""
    out = []
    for el in p.iter(W + "t", W + "tab", W + "br", W + "cr", W + "noBreakHyphen", W + "sym"):
        tag = el.tag
        if skip is not None and skip(el):
            continue
        if tag == W + "t":
            out.append(el.text or "")
        elif tag == W + "sym":
            out.append(_symbol(el))
        elif tag == W + "tab":
            if el.getparent() is not None and el.getparent().tag == W + "r":   # not a tab stop definition
                out.append("\t")
        elif tag in (W + "br", W + "cr"):
            out.append("\n")
        elif tag == W + "noBreakHyphen":
            out.append("-")
    return "".join(out)


def _symbol(el) -> str:
    """A character inserted as a symbol (w:sym): its code, shifted out of the private area a symbol font
    puts it in (F030 is the digit 0 of Symbol or Wingdings' text face)."""
    try:
        code = int(el.get(W + "char") or "", 16)
    except ValueError:
        return ""
    if 0xF000 <= code <= 0xF0FF:           # a symbol font's own face: only its ASCII (digits, signs) reads
        ch = chr(code - 0xF000)
        return ch if ch.isascii() and ch.isprintable() else ""
    ch = chr(code) if 0 < code < 0x110000 else ""
    return ch if ch.isprintable() else ""


def _shaded(tc) -> bool:
    """A cell filled with a colour other than white: white text on it is seen."""
    tcpr = tc.find(W + "tcPr")
    shd = tcpr.find(W + "shd") if tcpr is not None else None
    fill = (shd.get(W + "fill") or "").upper() if shd is not None else ""
    return fill not in ("", "AUTO") and fill not in WHITE


def cell_text(tc, visible=None, row: int = 0) -> str:
    parts = []
    shaded = _shaded(tc)
    for p in tc.iter(W + "p"):
        t = (visible(p, row, shaded) if visible is not None else paragraph_text(p)).replace("\t", " ").replace("\n", "")
        if t.strip():
            parts.append(t.strip())
    return " ".join(parts) if not all(_cjk_end(a) for a in parts[:-1]) else "".join(parts)


def _cjk_end(s: str) -> bool:
    return bool(s) and ("\u3000" <= s[-1] <= "\u9fff" or "\uff00" <= s[-1] <= "\uffef")


def _int_attr(el, name: str, default: int) -> int:
    if el is None:
        return default
    try:
        return max(0, min(int(el.get(W + name)), MAX_GRID_COLUMNS))
    except (TypeError, ValueError):
        return default


def table_grid(tbl, visible=None) -> list[list[str]]:
    """The table's rows on its grid: a covered position (gridSpan, vMerge continuation) is ''.
    `visible(paragraph, row, shaded)`: a paragraph's text as the page shows it."""
    rows: list[list[str]] = []
    for tr in tbl.iter(W + "tr"):
        if _enclosing_table(tr) is not tbl:          # rows of a nested table belong to that table's cell
            continue
        if len(rows) >= MAX_ROWS:
            break
        trpr = tr.find(W + "trPr")
        col = _int_attr(trpr.find(W + "gridBefore") if trpr is not None else None, "val", 0)
        fields = [""] * col
        for tc in _row_cells(tr):
            tcpr = tc.find(W + "tcPr")
            span = max(1, _int_attr(tcpr.find(W + "gridSpan") if tcpr is not None else None, "val", 1))
            vmerge = tcpr.find(W + "vMerge") if tcpr is not None else None
            continued = vmerge is not None and vmerge.get(W + "val") in (None, "continue")
            text = "" if continued else cell_text(tc, visible, len(rows) + 1)
            fields += [text] + [""] * (span - 1)
            if len(fields) > MAX_GRID_COLUMNS:
                break
        rows.append(fields[:MAX_GRID_COLUMNS])
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


def _row_cells(tr):
    for child in tr:
        if child.tag == W + "tc":
            yield child
        elif child.tag in (W + "sdt", W + "customXml"):
            yield from (tc for tc in child.iter(W + "tc") if tc.getparent().getparent() is not None
                        and _enclosing_table(tc) is _enclosing_table(tr))


def _enclosing_table(el):
    parent = el.getparent()
    while parent is not None and parent.tag != W + "tbl":
        parent = parent.getparent()
    return parent
