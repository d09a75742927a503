"""A PDF report as the parser's lines, from its text layer (pdfplumber on pdfminer.six).

Ruled tables are read by their lines (pdfplumber finds the cells, merged cells come back covered), so a
figure stays in its column as in an HTML table. A table row that a page break cut in two is joined
again. Text outside ruled tables is grouped into lines by word positions: wide gaps separate fields
(an unruled table's columns), and label fragments that a narrow column wrapped above or below a row
of figures are joined to that row. Narrow lines of a paragraph are joined back into the paragraph.

Bounded work: pages, objects, the inflated size of each page's content and the number of characters
are capped before or while each page is read; a PDF without text (a scan) is said to need OCR.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from gkxl.published.lines import Line, _clean, _space_fields, is_value, join_text
from gkxl.published.pdf_vetting import vet_page
from gkxl.text.errors import GkxlError
from gkxl.text.messages import Message
from gkxl.text.numbers import compact

MAX_PAGES = 200
MAX_OBJECTS = 200_000
MAX_PAGE_CHARS = 60_000
MAX_PAGE_EDGES = 5_000            # a ruled table 3 draws a few hundred
MAX_CHARS = 1_000_000

_PAGE_NUMBER = re.compile(r"^[-—–\s]*(第\s*)?\d{1,4}\s*(页)?\s*((/|共)\s*\d{1,4}\s*页?)?[-—–\s]*$")
_NUMBERED = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[.．、)）](?!\d))")
_HEADINGISH = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|第.{1,4}[条项部分])")


# --- opening, with limits ----------------------------------------------------------------------

def _open(data: bytes, path: str):
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as e:  # pdfplumber wraps pdfminer's errors; look at the cause
        cause = getattr(e, "__cause__", None) or (e.args[0] if e.args and isinstance(e.args[0], Exception) else e)
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)) or "password" in str(e).lower() \
                or "encrypt" in str(e).lower():
            raise GkxlError("doc.pdf_encrypted") from None
        raise GkxlError("doc.pdf_corrupt", detail=type(cause).__name__) from None
    return pdf


def _object_count(doc) -> int:
    count = 0
    for xref in getattr(doc, "xrefs", []):
        ranges = getattr(xref, "ranges", None)
        if ranges is not None:                          # a cross-reference stream declares its ranges
            count += sum(int(n) for _, n in ranges)
        else:
            count += len(getattr(xref, "offsets", {}))
    return count


def _pages(pdf, path: str):
    """pdfplumber pages, at most MAX_PAGES (the page tree is walked no further than that)."""
    from pdfminer.pdfpage import PDFPage
    from pdfplumber.page import Page
    doctop = 0
    for i, page_obj in enumerate(PDFPage.create_pages(pdf.doc)):
        if i >= MAX_PAGES:
            raise GkxlError("doc.pdf_too_many_pages", limit=MAX_PAGES)
        page = Page(pdf, page_obj, page_number=i + 1, initial_doctop=doctop)
        doctop += page.height
        yield page


# --- what the page shows -------------------------------------------------------------------------------

MIN_SEEN_SIZE = 2.0               # points: smaller text is not read by a person


def _white(colour) -> bool:
    """A fill colour that is white in the gray, RGB or CMYK space (pdfplumber gives a number or a tuple)."""
    if colour is None or isinstance(colour, str):
        return False
    values = colour if isinstance(colour, (tuple, list)) else (colour,)
    try:
        values = [float(v) for v in values]
    except (TypeError, ValueError):
        return False
    if len(values) == 4:
        return all(v <= 0.02 for v in values)
    return bool(values) and len(values) in (1, 3) and all(v >= 0.98 for v in values)


def _unseen(page, chars: list[dict]) -> list[dict]:
    """The characters drawn where no one sees them: outside the page, too small, or white where no
    coloured fill lies behind them."""
    x0, top, x1, bottom = page.bbox
    out, white = [], []
    for c in chars:
        if c["x1"] <= x0 or c["x0"] >= x1 or c["bottom"] <= top or c["top"] >= bottom or c.get("size", 12) < MIN_SEEN_SIZE:
            out.append(c)
        elif _white(c.get("non_stroking_color")):
            white.append(c)
    if white:
        fills = [r for r in page.rects if r.get("fill") and not _white(r.get("non_stroking_color"))]
        for c in white:
            mx, my = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
            if not any(r["x0"] <= mx <= r["x1"] and r["top"] <= my <= r["bottom"] for r in fills):
                out.append(c)
    return out


# --- reading --------------------------------------------------------------------------------------

@dataclass(eq=False)
class _Visual:
    """One visual line of text outside ruled tables."""
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    words: list[dict] = field(default_factory=list)

    def raw(self, tab_gap: float) -> str:
        out = ""
        last = None
        for w in self.words:
            if last is not None:
                gap = w["x0"] - last["x1"]
                out = out + "\t" + w["text"] if gap > tab_gap else join_text(out, w["text"]) if gap < 0.15 * self.size \
                    else out + " " + w["text"]
            else:
                out = w["text"]
            last = w
        return out


_DECLARED_SIZE = re.compile(rb"/Size\s+(\d{1,12})")
_XREF_SECTION = re.compile(rb"xref\s+\d{1,12}\s+(\d{1,12})\s")


def _declared_objects(data: bytes) -> int:
    """What the trailers and cross-reference sections declare, read from the bytes before pdfminer
    spends seconds on a table of millions of entries."""
    sizes = [int(m.group(1)) for m in _DECLARED_SIZE.finditer(data)]
    sections = sum(int(m.group(1)) for m in _XREF_SECTION.finditer(data))
    return max(sizes + [sections, 0])


def pdf_lines(data: bytes, path: str) -> tuple[list[Line], dict[int, Message], list[tuple[Message, str]]]:
    declared = _declared_objects(data)
    if declared > MAX_OBJECTS:
        raise GkxlError("doc.pdf_too_many_objects", count=declared, limit=MAX_OBJECTS)
    pdf = _open(data, path)
    try:
        count = _object_count(pdf.doc)
        if count > MAX_OBJECTS:
            raise GkxlError("doc.pdf_too_many_objects", count=count, limit=MAX_OBJECTS)
        reader = _Reader(path)
        for page in _pages(pdf, path):
            vet_page(page)
            reader.page(page)
            page.close()
        reader.finish()
        return reader.lines, reader.places, reader.unseen
    except GkxlError:
        raise
    except RecursionError:
        raise GkxlError("doc.pdf_corrupt", detail="RecursionError") from None
    except Exception as e:  # pdfminer raises many kinds of errors for a broken file; all mean the same
        raise GkxlError("doc.pdf_corrupt", detail=type(e).__name__) from None
    finally:
        pdf.close()


class _Reader:
    def __init__(self, path: str):
        self.path = path
        self.lines: list[Line] = []
        self.places: dict[int, Message] = {}
        self.chars = self.unmapped = 0
        self.last_table: tuple[list[list[str]], Line] | None = None   # the table's first rows, its last row
        self.table_lines: list[Line] = []
        self.open_paragraph: tuple[Line, _Visual] | None = None
        self.pitch = 0.0                  # the usual distance from one line of a paragraph to the next
        self.body_size = 12.0
        self.unseen: list[tuple[Message, str]] = []    # text drawn where the page does not show it

    def add(self, line: Line, page: int) -> Line:
        line.number = len(self.lines) + 1
        self.lines.append(line)
        self.places[line.number] = Message("doc.page", page=page)
        return line

    def page(self, page) -> None:
        chars = page.chars
        self.chars += len(chars)
        if len(chars) > MAX_PAGE_CHARS or self.chars > MAX_CHARS:
            raise GkxlError("doc.pdf_huge_content", page=page.page_number, detail=f"{len(chars)} chars")
        unseen = _unseen(page, chars)
        if unseen:          # read what the page shows: text off the page, too small to see, white on white
            said = "".join(c.get("text", "") for c in sorted(unseen, key=lambda c: (round(c["top"]), c["x0"])))
            if any(ch.isdigit() for ch in said):
                self.unseen.append((Message("doc.page", page=page.page_number), said.strip()))
            hidden = {id(c) for c in unseen}
            page = page.filter(lambda obj: id(obj) not in hidden)
            chars = page.chars
        self.unmapped += sum(1 for c in chars if c.get("text", "").startswith("(cid:"))
        edges = len(page.edges)                     # finding tables grows with the rules drawn on the page
        if edges > MAX_PAGE_EDGES:
            raise GkxlError("doc.pdf_huge_content", page=page.page_number, detail=f"{edges} lines")
        tables = page.find_tables()
        boxes = [t.bbox for t in tables]
        items: list[tuple[float, str, object]] = []
        for t in tables:
            rows = t.extract()
            items += [(row.bbox[1], "row", ([_cell(c) for c in cells], row.cells)) for row, cells in zip(t.rows, rows)]
        outside = page.filter(lambda obj: obj.get("object_type") != "char" or not _inside(obj, boxes)) if boxes else page
        texts = [v for v in _visual_lines(outside, page) if not _is_page_furniture(v, page)]
        items += [(v.top, "text", v) for v in texts]
        items.sort(key=lambda item: item[0])
        plain = [v for v in texts if "\t" not in v.raw(_tab_gap(v))]
        right = max((v.x1 for v in plain), default=0)
        left = min((v.x0 for v in plain), default=0)
        pitches = sorted(b.top - a.top for a, b in zip(plain, plain[1:]) if b.top > a.top)
        self.pitch = pitches[len(pitches) // 2] if pitches else self.pitch
        sizes = sorted(v.size for v in plain)
        self.body_size = sizes[len(sizes) // 2] if sizes else self.body_size
        attach = _attach_fragments(texts)
        first = True
        for _, kind, obj in items:
            if kind == "row":
                self.table_row(*obj, page.page_number, continuing=first)
                self.open_paragraph = None
            elif obj not in attach["dropped"]:
                self.text_line(obj, page.page_number, left, right, attach["extra"].get(id(obj)))
            first = False

    def table_row(self, cells: list[str], boxes: list, page: int, continuing: bool) -> None:
        if continuing and self.last_table is not None and self._continues(cells, boxes):
            self._join_last(cells, boxes)
            return
        line = self.add(Line(0, "\t".join(cells), [_clean(c) for c in cells], True), page)
        line.boxes = boxes
        heads = self.last_table[0] if self.last_table is not None else []
        self.last_table = (heads if len(heads) >= 3 else heads + [cells], line)
        self.table_lines = self.table_lines + [line] if heads else [line]

    def _continues(self, cells: list[str], boxes: list) -> bool:
        """The first row of a page continues the previous page's last row (a row cut by the page break):
        its figure cells are there but empty (or both parts are header text), it is not numbered like a
        new row, nor a repeated header row, nor a block title spanning the table (第二十条第（五）项)."""
        heads, last = self.last_table
        filled = [c for c in cells if c.strip()]
        empty_cells = [c for c, box in zip(cells, boxes) if box is not None and not c.strip()]
        header_cut = not any(is_value(f) and compact(f) for f in last.fields)   # a header row cut in two
        if not filled or not (empty_cells or header_cut) or any(is_value(c) for c in filled) \
                or _NUMBERED.match(filled[0]):
            return False
        return not any(set(filled) & set(h) for h in heads)

    def _join_last(self, cells: list[str], boxes: list) -> None:
        """Each piece goes to the cell of the previous row it lies under (the pages may split columns
        differently: a column boundary only drawn on one page)."""
        for content, box in zip(cells, boxes):
            if not content or box is None:
                continue
            for line in reversed(self.table_lines):      # a cell spanning rows starts on an earlier row
                best, overlap = None, 0.0
                for i, other in enumerate(line.boxes):
                    if other is not None:
                        o = min(box[2], other[2]) - max(box[0], other[0])
                        if o > overlap:
                            best, overlap = i, o
                if best is not None:
                    line.fields[best] = _clean(join_text(line.fields[best], content))
                    line.raw = "\t".join(line.fields)
                    break

    def text_line(self, v: _Visual, page: int, left: float, right: float, label: str | None) -> None:
        raw = v.raw(_tab_gap(v))
        self.last_table = None
        if label:                                     # a row of an unruled table with its wrapped label
            raw = label + "\t" + "\t".join(w["text"] for w in v.words)      # only its figures are left
        elif _is_row(v):
            raw = "\t".join(w["text"] for w in v.words)
        if "\t" in raw:
            fields = [_clean(f) for f in raw.split("\t")]
            self.add(Line(0, raw, fields, True), page)
            self.open_paragraph = None
            return
        if self.open_paragraph is not None:
            line, before = self.open_paragraph
            if _continues_paragraph(before, v, left, right, self.pitch, self.body_size):
                line.raw = join_text(line.raw, raw.strip())
                line.fields = [_clean(f) for f in _space_fields(line.raw)]
                self.open_paragraph = (line, v)
                return
        line = self.add(Line(0, raw, [_clean(f) for f in _space_fields(raw)]), page)
        self.open_paragraph = (line, v)

    def finish(self) -> None:
        if self.chars == 0:
            raise GkxlError("doc.pdf_no_text")
        if self.unmapped > self.chars * 0.3:
            raise GkxlError("doc.pdf_no_unicode")


def _cell(value) -> str:
    """A cell's text lines joined: a narrow column wraps words and figures alike ("10" / "4" is 104)."""
    if value is None:
        return ""
    parts = [p.strip() for p in str(value).split("\n") if p.strip()]
    out = ""
    for p in parts:
        out = out + p if out and (out[-1] in _FIGURE_CHARS or p[0] in _FIGURE_CHARS) else join_text(out, p)
    return out


_FIGURE_CHARS = set("0123456789.,%")


def _inside(obj, boxes) -> bool:
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)


def _tab_gap(v: _Visual) -> float:
    return max(1.2 * v.size, 6.0)


def _visual_lines(page, source_page) -> list[_Visual]:
    words = page.extract_words(x_tolerance=2, y_tolerance=3, keep_blank_chars=False, extra_attrs=["size"])
    words.sort(key=lambda w: (round(w["top"]), w["x0"]))
    lines: list[_Visual] = []
    for w in words:
        size = float(w.get("size") or (w["bottom"] - w["top"]) or 10)
        current = lines[-1] if lines else None
        if current is not None and abs(w["top"] - current.top) <= max(2.0, 0.35 * size):
            current.words.append(w)
            current.bottom = max(current.bottom, w["bottom"])
            current.x0, current.x1 = min(current.x0, w["x0"]), max(current.x1, w["x1"])
            current.size = max(current.size, size)
        else:
            lines.append(_Visual(source_page.page_number, w["top"], w["bottom"], w["x0"], w["x1"], size, [w]))
    for line in lines:
        line.words.sort(key=lambda w: w["x0"])
    return lines


def _is_page_furniture(v: _Visual, page) -> bool:
    """A page number in the top or bottom margin."""
    h = float(page.height)
    in_margin = v.top < 0.08 * h or v.bottom > 0.92 * h
    return in_margin and bool(_PAGE_NUMBER.match(v.raw(1e9)))


def _continues_paragraph(before: _Visual, v: _Visual, left: float, right: float, pitch: float,
                         body_size: float) -> bool:
    if v.page != before.page:
        same_block = True
    else:
        same_block = 0 < v.top - before.top <= 1.25 * max(pitch, v.size * 1.2)
    reaches_right = before.x1 >= right - 1.5 * before.size
    not_indented = v.x0 <= left + 0.6 * v.size
    # a title set larger than the text and wrapped over two lines
    title = v.page == before.page and abs(v.size - before.size) < 0.5 and before.size >= 1.25 * body_size
    return same_block and (title or reaches_right and not_indented and not _HEADINGISH.match(v.raw(1e9)))


def _figures(v: _Visual) -> list[dict]:
    return [w for w in v.words if is_value(w["text"]) and compact(w["text"])]


def _is_row(v: _Visual) -> bool:
    """A row of an unruled table: two or more figures, all right of the text, set apart by gaps."""
    figures = _figures(v)
    if len(figures) < 2:
        return False
    first = figures[0]
    return all(w in figures for w in v.words[v.words.index(first):]) and \
        all(b["x0"] - a["x1"] > 0.8 * v.size for a, b in zip(figures, figures[1:]))


def _attach_fragments(texts: list[_Visual]) -> dict:
    """Unruled tables: a label that wrapped in a narrow column sits on lines above and below its row of
    figures. Such fragments (no figure, left of the row's first figure, closer to this row than to any
    other) are joined to the row's label, column by column; the fragment lines are then dropped."""
    anchors = [v for v in texts if _is_row(v)]
    result = {"row": set(anchors), "dropped": set(), "extra": {}}
    if not anchors:
        return result
    pieces: dict[int, list[dict]] = {id(a): [] for a in anchors}
    for v in texts:
        if v in result["row"] or _figures(v) or _HEADINGISH.match(v.raw(1e9)) and len(v.raw(1e9)) > 12:
            continue
        mid = (v.top + v.bottom) / 2
        best, dist = None, None
        for a in anchors:
            d = abs(mid - (a.top + a.bottom) / 2)
            if best is None or d < dist:
                best, dist = a, d
        first_figure = min(w["x0"] for w in _figures(best))
        if dist > 4 * best.size or v.x1 > first_figure - 0.5 * best.size:
            continue
        pieces[id(best)] += v.words
        result["dropped"].add(v)
    for a in anchors:
        extra = pieces[id(a)]
        if not extra:
            continue
        first_figure = min(w["x0"] for w in _figures(a))
        words = extra + [w for w in a.words if w["x0"] < first_figure]
        result["extra"][id(a)] = _columns_text(words, a.size)
        a.words = [w for w in a.words if w["x0"] >= first_figure]     # its label now comes through "extra"
    return result


def _columns_text(words: list[dict], size: float) -> str:
    """Label words of one row in reading order: columns left to right (words whose x-ranges overlap, as
    centred lines of one cell do), lines top to bottom within each column."""
    columns: list[list] = []                 # [x0, x1, words]
    for w in sorted(words, key=lambda w: w["x0"]):
        if columns and w["x0"] < columns[-1][1] - 0.2 * size:
            columns[-1][1] = max(columns[-1][1], w["x1"])
            columns[-1][2].append(w)
        else:
            columns.append([w["x0"], w["x1"], [w]])
    out = []
    for _, _, col in columns:
        s = ""
        for w in sorted(col, key=lambda w: (round(w["top"]), w["x0"])):
            s = join_text(s, w["text"])
        out.append(s)
    return "\t".join(out)
