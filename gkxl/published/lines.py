"""Published reports as lines of fields: the one form that text, HTML (and Word and PDF) readers produce.

A line is a paragraph or a table row. Table rows keep their fields (tab-separated text, Markdown rows,
HTML cells with rowspan/colspan expanded to the grid); paragraphs are split so that each figure is a field.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from gkxl.text.errors import GkxlError
from gkxl.text.numbers import compact, read_number

MAX_SPAN = 100                 # a rowspan/colspan larger than any official table is noise
MAX_GRID_CELLS = 200_000       # an HTML table expanding beyond this is refused, not built


@dataclass
class Line:
    number: int
    raw: str
    fields: list[str]
    from_table: bool = False      # an HTML <tr> or a Markdown/tabbed row

    @property
    def filled(self) -> list[str]:
        return [f for f in self.fields if f.strip()]


def _clean(field_text: str) -> str:
    return field_text.strip().strip("*`").strip()


def is_value(token: str) -> bool:
    reading = read_number(token)
    return reading.is_number or reading.note == "parse.blank" or not compact(token)


def _is_cjk(ch: str) -> bool:
    return "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" or "\u3000" <= ch <= "\u303f"


def join_text(a: str, b: str) -> str:
    """Two pieces of one sentence or one cell: no space between Chinese characters."""
    if not a or not b:
        return a + b
    return a + b if _is_cjk(a[-1]) or _is_cjk(b[0]) else a + " " + b


def _space_fields(raw: str) -> list[str]:
    """Fields of a line without tabs: runs of words form one label, each figure is its own field."""
    fields: list[str] = []
    last_was_value = False
    for token in raw.split():
        if is_value(token) and compact(token) != "":
            fields.append(token)
            last_was_value = True
        elif last_was_value and re.fullmatch(r"[(（].*[)）]", token):
            fields[-1] += token          # "55 (含自然失效29件)": the remark belongs to the figure
        elif fields and not last_was_value:
            fields[-1] += " " + token
        else:
            fields.append(token)
            last_was_value = False
    return fields


def text_lines(source: str) -> list[Line]:
    lines = []
    for number, raw in enumerate(source.lstrip("\ufeff").splitlines(), start=1):
        stripped = raw.strip()
        if "\t" in raw:
            lines.append(Line(number, raw, [_clean(f) for f in raw.split("\t")], True))
        elif stripped.startswith("|") and stripped.count("|") >= 2:
            if re.fullmatch(r"[|:\-\s]+", stripped):
                continue                                  # Markdown separator row
            cells = stripped.strip("|").split("|")
            lines.append(Line(number, raw, [_clean(f) for f in cells], True))
        else:
            lines.append(Line(number, raw, [_clean(f) for f in _space_fields(raw)]))
    return lines



class _HtmlLines(HTMLParser):
    """Paragraphs become lines; table rows become lines of fields with rowspan/colspan expanded."""
    BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "br", "hr", "table",
              "tr", "ul", "ol", "blockquote", "pre", "header", "footer", "center"}
    SKIP = {"script", "style", "head", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[Line] = []
        self.title = ""
        self._para: list[str] = []
        self._para_line = 1
        self._skip = 0
        self._in_title = False
        self._table_depth = 0
        self._rows: list[tuple[int, list[tuple[str, int, int]]]] = []
        self._cell: list[str] | None = None
        self._cell_span = (1, 1)

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in_title = True
        if tag in self.SKIP:
            self._skip += 1
            return
        if tag == "table":
            self._flush_para()
            self._table_depth += 1
            if self._table_depth == 1:
                self._rows = []
            return
        if self._table_depth == 1 and tag == "tr":
            self._rows.append((self.getpos()[0], []))
        elif self._table_depth == 1 and tag in ("td", "th"):
            a = dict(attrs)
            self._cell, self._cell_span = [], (_span(a.get("rowspan")), _span(a.get("colspan")))
        elif self._table_depth and tag in ("br", "p", "div"):
            self._add("\n")
        elif tag in self.BLOCKS:
            self._flush_para()

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if tag == "table" and self._table_depth:
            self._close_cell()
            self._table_depth -= 1
            if self._table_depth == 0:
                self.lines.extend(_expand_spans(self._rows))
        elif self._table_depth == 1 and tag in ("td", "th"):
            self._close_cell()
        elif not self._table_depth and tag in self.BLOCKS:
            self._flush_para()

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._skip:
            return
        self._add(data)

    def _add(self, data: str):
        if self._table_depth:
            if self._cell is not None:
                self._cell.append(data)
            return
        if not self._para:
            self._para_line = self.getpos()[0]
        self._para.append(data)

    def _close_cell(self):
        if self._cell is not None and self._rows:
            self._rows[-1][1].append((" ".join("".join(self._cell).split()), *self._cell_span))
        self._cell = None

    def _flush_para(self):
        content = " ".join("".join(self._para).split())
        if content:
            self.lines.append(Line(self._para_line, content, [_clean(f) for f in _space_fields(content)]))
        self._para = []

    def close(self):
        super().close()
        self._flush_para()


def _span(value) -> int:
    try:
        return max(1, min(int(str(value).strip()), 100))
    except (TypeError, ValueError):
        return 1


MAX_GRID_COLUMNS = 64          # the widest official table has 16 columns


def _expand_spans(rows: list[tuple[int, list[tuple[str, int, int]]]]) -> list[Line]:
    """Place each cell at its grid position; positions covered by a span hold an empty field. A span ends
    with its table; the grid is MAX_GRID_COLUMNS wide at most; a table whose spans would cover more than
    MAX_GRID_CELLS positions is refused before anything is built (a page of 4,000 rowspan=65534 rows)."""
    height = len(rows)
    area = sum(min(rowspan, height - r) * min(colspan, MAX_GRID_COLUMNS)
               for r, (_, cells) in enumerate(rows) for _, rowspan, colspan in cells)
    if area > MAX_GRID_CELLS:
        raise GkxlError("doc.html_huge_table", rows=height, cells=area)
    taken: dict[tuple[int, int], str] = {}
    width = 0
    for r, (_, cells) in enumerate(rows):
        c = 0
        for content, rowspan, colspan in cells:
            while (r, c) in taken:
                c += 1
            if c >= MAX_GRID_COLUMNS:
                break
            for dr in range(min(rowspan, height - r)):
                for dc in range(min(colspan, MAX_GRID_COLUMNS - c)):
                    taken[(r + dr, c + dc)] = content if (dr, dc) == (0, 0) else ""
            c += colspan
            width = min(MAX_GRID_COLUMNS, max(width, c))
    lines = []
    for r, (number, _) in enumerate(rows):
        fields = [taken.get((r, c), "") for c in range(width)]
        lines.append(Line(number, "\t".join(fields), [_clean(f) for f in fields], True))
    return lines


def html_lines(source: str) -> tuple[list[Line], str]:
    p = _HtmlLines()
    p.feed(source)
    p.close()
    return p.lines, " ".join(p.title.split())


def looks_like_html(source: str) -> bool:
    return bool(re.search(r"<\s*(html|body|table|!doctype|div|p|tr)\b", source[:20000], re.IGNORECASE))


def decode(data: bytes, path: str = "") -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise GkxlError("parse.encoding", path=path)
