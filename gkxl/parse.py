"""Read a published annual report (web-page text, a PDF's text layer, Markdown or saved HTML) into a Report.

Figures are kept exactly as published, totals included, so that checking can find a published total that
does not add up. Whatever cannot be placed is reported as a note with its line number; nothing is guessed
silently. The tables are read through the form spec: row labels, header labels and cell keys come from it.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from . import rules
from . import spec as specmod
from .errors import GkxlError
from .fileio import os_reason
from .labels import best_match, core, leading_numeral, normalise, similarity
from .messages import register, text
from .model import Report

register({
    "parse.is_workbook": ("{path} 是电子表格，不是公开报告的文字；请用 gkxl check 校验或 gkxl render 生成报告",
                          "{path} is a spreadsheet, not the text of a published report; use gkxl check or gkxl render"),
    "parse.unreadable": ("无法读取 {path}：{reason}", "cannot read {path}: {detail}"),
    "parse.encoding": ("{path} 的文字编码无法识别（已尝试 UTF-8、GB18030）",
                       "cannot decode {path} (tried UTF-8 and GB18030)"),
    "parse.format_recognised": ("识别为 {format} 年版格式（{basis}），按该格式解析",
                                "recognised the {format} format ({basis}); parsed as such"),
    "parse.format_assumed": ("未找到区分 2019 年版与 2021 年版格式的标志文字，按 {format} 年版格式解析",
                             "no marker of the 2019 or 2021 format found; parsed as the {format} format"),
    "parse.format_by_year": ("未找到区分 2019 年版与 2021 年版格式的标志文字，按报告年度 {year} 年采用 {format} 年版格式解析",
                             "no marker of the 2019 or 2021 format found; parsed as the {format} format, as the report year is {year}"),
    "parse.no_title": ("未找到报告标题，单位名称和年度未能读取", "no report title found: unit and year not read"),
    "parse.no_year": ("标题“{title}”中没有年度", "no year in the title “{title}”"),
    "parse.no_unit": ("标题“{title}”中没有单位名称", "no unit name in the title “{title}”"),
    "parse.section_missing": ("未找到第{numeral}部分“{title}”", "section {numeral} “{title}” not found"),
    "parse.section_reworded": ("第{numeral}部分标题为“{found}”，按“{title}”读取",
                               "section {numeral} is titled “{found}”; read as “{title}”"),
    "parse.table_missing": ("{sheet}：未找到表格数据，相应格子留空", "{sheet}: no table data found; its cells are left blank"),
    "parse.table_outside_section": ("{sheet} 的数据不在第{numeral}部分之内（该部分标题未找到），按表格行文字读取",
                                    "{sheet} read from rows outside section {numeral} (its heading was not found)"),
    "parse.row_missing": ("{sheet}：未找到“{label}”这一行，相应格子留空", "{sheet}: row “{label}” not found; left blank"),
    "parse.row_repeated": ("“{label}”再次出现（第 {first} 行已读取），本行未读取",
                           "row “{label}” repeats (already read on line {first}); this line not read"),
    "parse.unplaced": ("这一行未能对应到表格中的任何位置：“{text}”", "line not placed in any table: “{text}”"),
    "parse.unplaced_text": ("这一行文字不属于任何部分，未读取：“{text}”", "text outside any section, not read: “{text}”"),
    "parse.value_count": ("“{label}”应有 {expected} 个数，本行读到 {found} 个，未读取（空白格在纯文本中无法定位）",
                          "row “{label}” needs {expected} figures but has {found}; not read (blanks cannot be located in plain text)"),
    "parse.ambiguous_alignment": ("“{label}”一行有空白格且位置不能确定，按靠{side}对齐读取，请核对",
                                  "row “{label}” has blanks whose position is uncertain; read aligned to the {side_en}, please verify"),
    "parse.label_fuzzy": ("“{found}”与标准文字不完全一致，按“{label}”读取", "“{found}” read as “{label}” (wording differs)"),
    "parse.blank": ("{where} 公布为“{raw}”，作空白处理（空白不是 0）", "{where} published as “{raw}”: read as blank (not 0)"),
    "parse.unit_removed": ("{where} 公布为“{raw}”，读作 {value}", "{where} published as “{raw}”: read as {value}"),
    "parse.yuan_converted": ("{where} 公布为“{raw}”（元），换算为 {value} 万元",
                             "{where} published as “{raw}” (yuan): converted to {value} (10,000 yuan)"),
    "parse.note_removed": ("{where} 公布为“{raw}”，读作 {value}，括号内说明未计入",
                           "{where} published as “{raw}”: read as {value}, the remark in brackets left out"),
    "parse.not_number": ("{where} 公布为“{raw}”，不是数字，留空", "{where} published as “{raw}”: not a number, left blank"),
    "parse.total_mismatch": ("{where}（{label}）公布为 {published}，按明细合计应为 {computed}",
                             "{where} ({label}) is published as {published} but its parts add up to {computed}"),
    "parse.group_row": ("“{label}”只公布了一行，未分 {count} 个子项（{values}）；子项留空，只在核对合计时计入该行，公布的总计照原样保留",
                        "“{label}” is published as one row without its {count} sub-rows ({values}); the sub-rows are left blank, "
                        "the row is counted only when checking totals, and the published totals are kept as they are"),
    "parse.values_without_label": ("这一行只有数字、没有行名，未读取：“{text}”", "figures without a row label, not read: “{text}”"),
    "parse.label_without_values": ("“{label}”这一行没有数字", "row “{label}” has no figures"),
})

SEVERITY = {
    "parse.format_recognised": "info", "parse.format_assumed": "warning", "parse.format_by_year": "info", "parse.no_title": "warning",
    "parse.no_year": "warning", "parse.no_unit": "warning", "parse.section_missing": "error",
    "parse.section_reworded": "info", "parse.table_missing": "error", "parse.table_outside_section": "warning",
    "parse.row_missing": "error", "parse.row_repeated": "error", "parse.unplaced": "warning",
    "parse.unplaced_text": "warning", "parse.value_count": "error", "parse.ambiguous_alignment": "warning",
    "parse.label_fuzzy": "info", "parse.blank": "info", "parse.unit_removed": "info", "parse.yuan_converted": "warning",
    "parse.note_removed": "info", "parse.not_number": "error", "parse.total_mismatch": "warning",
    "parse.group_row": "warning", "parse.values_without_label": "error", "parse.label_without_values": "error",
}
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}

SECTION_NUMERALS = "一二三四五六"
GENERIC_HEADERS = ("项目", "信息内容", "指标", "单位：件", "单位：个")
# Words that identify a section whose title was reworded beyond recognition by similarity alone.
SECTION_KEYWORDS = {"一": ("总体", "概述", "基本情况"), "二": ("主动公开",), "三": ("申请",),
                    "四": ("复议", "诉讼"), "五": ("问题", "改进"), "六": ("其他",)}
BLANK_MARKS = {"", "-", "--", "/", "\\", "—", "——", "–", "―", "无", "空", "×"}
UNITS = "件|个|条|项|次|人|家|篇|份|万元|元"
_NUMBER = re.compile(rf"^([+-]?\d+(?:,\d{{3}})*(?:\.\d+)?)({UNITS})?(\(.*\))?$")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度?")
_TITLE_SUFFIX = re.compile(r"(政府)?信息公开(工作)?(年度)?(工作)?报告.*$")


# --- results ------------------------------------------------------------------------------------

@dataclass
class ParseNote:
    line: int | None
    code: str
    severity: str
    params: dict = field(default_factory=dict)

    def message(self, lang: str = "zh") -> str:
        return text(self.code, lang, **self.params)


@dataclass
class ParseResult:
    report: Report
    notes: list[ParseNote]
    format_detected: str

    @property
    def has_errors(self) -> bool:
        return any(n.severity == "error" for n in self.notes)


# --- lines: the common form of text and HTML input ---------------------------------------------

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
    s = _compact(token)
    return s in BLANK_MARKS or bool(_NUMBER.match(s))


def _compact(token: str) -> str:
    s = unicodedata.normalize("NFKC", token)
    s = re.sub(r"\s+", "", s).strip("*`")
    return s.replace("（", "(").replace("）", ")")


def _space_fields(raw: str) -> list[str]:
    """Fields of a line without tabs: runs of words form one label, each figure is its own field."""
    fields: list[str] = []
    last_was_value = False
    for token in raw.split():
        if is_value(token) and _compact(token) != "":
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


def _expand_spans(rows: list[tuple[int, list[tuple[str, int, int]]]]) -> list[Line]:
    """Place each cell at its grid position; positions covered by a span hold an empty field."""
    taken: dict[tuple[int, int], str] = {}
    width = 0
    for r, (_, cells) in enumerate(rows):
        c = 0
        for content, rowspan, colspan in cells:
            while (r, c) in taken:
                c += 1
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken[(r + dr, c + dc)] = content if (dr, dc) == (0, 0) else ""
            c += colspan
            width = max(width, c)
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


# --- the spec seen as row targets ---------------------------------------------------------------

@dataclass
class Target:
    sheet: str
    label: str                  # the official label, for messages
    candidates: list[str]       # label texts that identify the row
    keys: list[str]             # cell keys in published column order
    group: list[list[str]] | None = None   # a parent row: the key rows it stands for


@dataclass
class TableSpec:
    sheet: str
    numeral: str
    title: str
    rows: list[Target]
    flat: Target | None         # all figures in one unlabelled row (table 4)
    headers: set[str]           # normalised header, block and title texts


def _table_specs(spec: specmod.Spec) -> list[TableSpec]:
    tables = []
    for sheet in spec.sheets:
        if sheet.kind != "table":
            continue
        title = next((l.text for l in sheet.labels if l.style == "title"), sheet.name)
        headers = {normalise(l.text) for l in sheet.labels if l.style != "row"}
        headers |= {normalise(c.col_label) for c in sheet.cells if c.col_label} | {normalise(w) for w in GENERIC_HEADERS}
        by_row: dict[int, list[specmod.Cell]] = {}
        for c in sheet.cells:
            by_row.setdefault(c.row, []).append(c)
        one_row = len(by_row) == 1 and len({c.row_label for c in sheet.cells}) > 1
        targets = _grid_targets(sheet) if one_row or any(c.col_label for c in sheet.cells) else _row_targets(sheet, by_row)
        flat = None
        if one_row:
            keys = [c.key for c in sorted(sheet.cells, key=lambda c: c.col)]
            flat = Target(sheet.name, title, [], keys)
        targets += _group_targets(sheet, targets)
        tables.append(TableSpec(sheet.name, leading_numeral(title) or "", title, targets, flat, headers))
    return tables


def _row_targets(sheet: specmod.Sheet, by_row: dict[int, list[specmod.Cell]]) -> list[Target]:
    targets = []
    for lab in sheet.labels:
        if lab.style == "row" and lab.row in by_row:
            cells = sorted(by_row[lab.row], key=lambda c: c.col)
            targets.append(Target(sheet.name, lab.text, [lab.text], [c.key for c in cells]))
    return targets


def _grid_targets(sheet: specmod.Sheet) -> list[Target]:
    """One target per grid row; its label is the row label's last part and the sheet label printed there."""
    rows: dict[str, list[specmod.Cell]] = {}
    for c in sheet.cells:
        rows.setdefault(c.row_label, []).append(c)
    targets = []
    for row_label, cells in rows.items():
        cells.sort(key=lambda c: c.col)
        candidates = [row_label.split(" · ")[-1]]
        printed = [l for l in sheet.labels if l.style == "row" and l.row == cells[0].row and l.col < cells[0].col
                   and not (l.merge and l.merge[2] > l.merge[0])]
        if printed:
            candidates.insert(0, max(printed, key=lambda l: l.col).text)
        targets.append(Target(sheet.name, row_label.split(" · ")[-1], candidates, [c.key for c in cells]))
    return targets


def _group_targets(sheet: specmod.Sheet, leaves: list[Target]) -> list[Target]:
    """Parent labels spanning several rows, e.g. （六）其他处理: recognised when published as a single row."""
    groups = []
    for lab in sheet.labels:
        if lab.style != "row" or not lab.merge or lab.merge[2] == lab.merge[0]:
            continue
        r0, r1 = lab.merge[0], lab.merge[2]
        row_of = {c.key: c.row for c in sheet.cells}
        members = [t for t in leaves if r0 <= row_of[t.keys[0]] <= r1]
        if members and len({len(m.keys) for m in members}) == 1:
            groups.append(Target(sheet.name, lab.text, [lab.text], [], [m.keys for m in members]))
    return groups


# --- the parse itself ---------------------------------------------------------------------------

class _Parse:
    def __init__(self, lines: list[Line], path: str | None, html_title: str = ""):
        self.lines = lines
        self.path = path
        self.html_title = html_title
        self.notes: list[ParseNote] = []
        self.key_lines: dict[str, int] = {}
        self.seen_rows: dict[str, int] = {}
        self.group_values: list[tuple[Target, list]] = []

    def note(self, line: int | None, code: str, **params):
        self.notes.append(ParseNote(line, code, SEVERITY[code], params))

    def run(self) -> ParseResult:
        spec = self.detect_spec()
        self.spec = spec
        self.values: dict[str, object] = {c.key: None for c in spec.value_cells}
        self.cells = spec.cells
        tables = {t.numeral: t for t in _table_specs(spec)}
        texts = self._text_sections(spec)
        titles = {**{n: t.title for n, t in tables.items()}, **{n: label for n, (label, _) in texts.items()}}
        sections, first_heading = self.find_sections(titles, tables)
        title_line, preamble = self.read_title(first_heading)
        unit, year = self.unit_and_year(title_line)
        for numeral, (label, key) in texts.items():
            if numeral in sections:
                self.values[key] = self.narrative(sections[numeral]) or None
        for numeral, table in tables.items():
            if numeral in sections:
                self.read_table(table, sections[numeral])
            else:
                self.read_table_anywhere(table, sections)
        self.check_totals()
        report = Report(spec.id, spec.version, unit, None, year, self.values, {
            "kind": "published", "path": self.path, "format_detected": spec.format,
            "title": title_line.raw.strip() if title_line else None})
        if preamble:
            report.source["preamble"] = preamble
        self.notes.sort(key=lambda n: (n.line or 0))
        report.source["notes"] = [{"line": n.line, "code": n.code, "severity": n.severity, "message": n.message("zh")}
                                  for n in self.notes]
        return ParseResult(report, self.notes, spec.format)

    # format ---------------------------------------------------------------------------------
    def detect_spec(self) -> specmod.Spec:
        whole = normalise("".join(l.raw for l in self.lines))
        found = []
        for spec_id in specmod.available():
            spec = specmod.load(spec_id)
            if any(normalise(marker) in whole for marker in spec.recognise):
                found.append(spec)
        if len(found) == 1:
            spec = found[0]
            self.note(None, "parse.format_recognised", format=spec.format, basis=spec.basis)
            return spec
        year = self.year_hint()
        by_year = [specmod.load(i) for i in specmod.available()
                   if year is not None and specmod.load(i).years[0] <= year <= specmod.load(i).years[1]]
        if len(by_year) == 1:
            spec = by_year[0]
            self.note(None, "parse.format_by_year", format=spec.format, year=year)
            return spec
        spec = specmod.load(specmod.DEFAULT_SPEC)
        self.note(None, "parse.format_assumed", format=spec.format)
        return spec

    def year_hint(self) -> int | None:
        heads = [self.html_title] + [l.raw for l in self.lines if l.raw.strip()][:5]
        for raw in heads:
            m = _YEAR.search(raw or "")
            if m:
                return int(m.group(1))
        return None

    @staticmethod
    def _text_sections(spec: specmod.Spec) -> dict[str, tuple[str, str]]:
        out = {}
        for c in spec.cells.values():
            numeral = leading_numeral(c.label) if c.type == "text" and c.sheet != spec.sheets[0].name else None
            if numeral:
                out[numeral] = (c.label, c.key)
        return out

    # sections -------------------------------------------------------------------------------
    def find_sections(self, titles: dict[str, str], tables: dict[str, TableSpec]):
        row_labels = [c for t in tables.values() for target in t.rows for c in target.candidates]
        starts: list[tuple[str, int]] = []
        last = -1
        for i, line in enumerate(self.lines):
            numeral = self.heading_numeral(line, titles, row_labels, last)
            if numeral:
                starts.append((numeral, i))
                last = SECTION_NUMERALS.index(numeral)
        sections = {}
        for n, (numeral, i) in enumerate(starts):
            end = starts[n + 1][1] if n + 1 < len(starts) else len(self.lines)
            sections[numeral] = self.lines[i + 1:end]
        for numeral in SECTION_NUMERALS:
            if numeral in titles and numeral not in sections:
                self.note(None, "parse.section_missing", numeral=numeral, title=titles[numeral])
        return sections, (starts[0][1] if starts else len(self.lines))

    def heading_numeral(self, line: Line, titles, row_labels, last: int) -> str | None:
        if line.from_table or len(line.filled) != 1:
            return None
        heading = line.filled[0].lstrip("#").strip()
        numeral = leading_numeral(heading)
        if numeral not in titles or SECTION_NUMERALS.index(numeral) <= last or len(core(heading)) > 40:
            return None
        if best_match(heading, row_labels, 0.85)[0] is not None:
            return None                                   # a table-3 row such as 四、结转下年度继续办理
        title = titles[numeral]
        ratio = similarity(core(heading), core(title))
        if ratio < 0.4 and not any(k in heading for k in SECTION_KEYWORDS.get(numeral, ())):
            return None
        if normalise(heading) != normalise(title) and ratio < 0.9:
            self.note(line.number, "parse.section_reworded", numeral=numeral, found=heading, title=title)
        return numeral

    def read_title(self, first_heading: int) -> tuple[Line | None, str]:
        """The best title-like line before section 一 (a page's navigation text also says 报告)."""
        before = [l for l in self.lines[:first_heading] if l.raw.strip()]
        candidates = before + ([Line(0, self.html_title, [self.html_title])] if self.html_title else [])
        scored = [(_title_score(l.raw), -i, l) for i, l in enumerate(candidates)]
        best = max(scored, key=lambda t: (t[0], t[1]), default=None)
        title = best[2] if best and best[0] > 0 else (before[0] if before else None)
        preamble = "\n".join(" ".join(l.raw.split()) for l in before if l is not title and not _is_breadcrumb(l.raw))
        return title, preamble

    def unit_and_year(self, title: Line | None):
        if title is None:
            self.note(None, "parse.no_title")
            return None, None
        raw = " ".join(title.raw.split()).lstrip("#").strip()
        line = title.number or None
        m = _YEAR.search(raw)
        year = int(m.group(1)) if m else None
        if year is None:
            self.note(line, "parse.no_year", title=raw)
        unit = _TITLE_SUFFIX.sub("", _YEAR.sub("", raw)).strip(" 　:：-—") if raw else ""
        unit = re.sub(r"^关于", "", unit).strip() or None
        if unit is None:
            self.note(line, "parse.no_unit", title=raw)
        return unit, year

    @staticmethod
    def narrative(lines: list[Line]) -> str:
        return "\n".join(" ".join(l.raw.split()) for l in lines if l.raw.strip())

    # tables ---------------------------------------------------------------------------------
    def read_table(self, table: TableSpec, lines: list[Line]) -> None:
        found = self.read_rows(table, lines, report_unplaced=True)
        self.report_missing(table, found)

    def read_table_anywhere(self, table: TableSpec, sections: dict[str, list[Line]]) -> None:
        """The section heading is missing: take the rows that carry this table's labels from anywhere."""
        in_text_sections = {id(l) for n, ls in sections.items() if n in ("一", "五", "六") for l in ls}
        candidates = [l for l in self.lines if id(l) not in in_text_sections]
        found = self.read_rows(table, candidates, report_unplaced=False)
        if found:
            self.note(None, "parse.table_outside_section", sheet=table.sheet, numeral=table.numeral)
        self.report_missing(table, found)

    def report_missing(self, table: TableSpec, found: set[str]) -> None:
        leaves = [t for t in table.rows if t.group is None]
        if not found:
            self.note(None, "parse.table_missing", sheet=table.sheet)
            return
        covered = set(found)
        for t in table.rows:
            if t.group is not None and t.label in found:
                covered |= {leaf.label for leaf in leaves if leaf.keys in t.group}
        if table.flat is not None and table.flat.label in found:
            return
        for t in leaves:
            if t.label not in covered:
                self.note(None, "parse.row_missing", sheet=table.sheet, label=t.label)

    def read_rows(self, table: TableSpec, lines: list[Line], report_unplaced: bool) -> set[str]:
        found: set[str] = set()
        pending: Line | None = None
        for line in lines:
            if not line.filled:
                continue
            labels, after = _split_row(line.fields)
            if not any(_compact(v) for v in after) and labels:
                if self.is_header(table, labels) or self.match(table, labels, None, quiet=True):
                    continue
                if pending is not None and report_unplaced:
                    self.note(pending.number, "parse.unplaced", text=_excerpt(pending.raw))
                pending = line
                continue
            target = self.match(table, labels, line) if labels else None
            if target is None and pending is not None and labels:
                target = self.match(table, _join_labels(pending, labels), line)
                if target is not None:
                    pending = None
            if target is None and not labels and table.flat is not None:
                target = table.flat
            if target is None:
                if report_unplaced:
                    code = "parse.values_without_label" if not labels else "parse.unplaced"
                    self.note(line.number, code, text=_excerpt(line.raw))
                continue
            if self.place(target, after, line):
                found.add(target.label)
        if pending is not None and report_unplaced:
            self.note(pending.number, "parse.unplaced", text=_excerpt(pending.raw))
        return found

    def is_header(self, table: TableSpec, labels: list[str]) -> bool:
        if all(normalise(l) in table.headers or best_match(l, table.headers, 0.85)[0] for l in labels):
            return True
        return _segments(normalise("".join(labels)), table.headers)

    def match(self, table: TableSpec, labels: list[str], line: Line | None, quiet: bool = False) -> Target | None:
        whole = normalise("".join(labels))
        last = labels[-1]
        best, best_len = None, 0
        for t in table.rows:
            for cand in t.candidates:
                c = normalise(cand)
                if len(c) >= 2 and whole.endswith(c) and len(c) > best_len:
                    best, best_len = t, len(c)
        if best is not None:
            return best
        for t in table.rows:
            if any(core(cand) == core(last) and core(last) for cand in t.candidates):
                return t
        by_candidate = {cand: t for t in table.rows for cand in t.candidates}
        cand, _ = best_match(last, list(by_candidate), 0.8)
        if cand is None:
            return None
        if not quiet and line is not None:
            self.note(line.number, "parse.label_fuzzy", found=last, label=cand)
        return by_candidate[cand]

    def place(self, target: Target, after: list[str], line: Line) -> bool:
        expected = len(target.group[0]) if target.group else len(target.keys)
        window, side = _fit(after, expected)
        if window is None:
            found = sum(1 for v in after if _compact(v))
            self.note(line.number, "parse.value_count", label=target.label, expected=expected, found=found)
            return False
        if target.label in self.seen_rows:
            self.note(line.number, "parse.row_repeated", label=target.label, first=self.seen_rows[target.label])
            return False
        self.seen_rows[target.label] = line.number
        if side:
            self.note(line.number, "parse.ambiguous_alignment", label=target.label,
                      side="左" if side == "left" else "右", side_en=side)
        if target.group:
            keys = target.group[0]
            numbers = [self.read_value(self.cells[k], raw, line) for k, raw in zip(keys, window)]
            self.group_values.append((target, numbers))
            shown = "、".join("空" if n is None else str(n) for n in numbers)
            self.note(line.number, "parse.group_row", label=target.label, count=len(target.group), values=shown)
            return True
        for key, raw in zip(target.keys, window):
            self.values[key] = self.read_value(self.cells[key], raw, line)
            self.key_lines[key] = line.number
        return True

    def read_value(self, cell: specmod.Cell, raw: str, line: Line):
        value, code, shown = parse_number(raw, cell.type)
        if code:
            self.note(line.number, code, where=f"{cell.where}（{cell.label}）", raw=raw.strip(),
                      value=shown if shown is not None else "")
        return value

    # totals ---------------------------------------------------------------------------------
    def check_totals(self) -> None:
        """A published total that differs from the sum of its published parts is said, with both values."""
        values = dict(self.values)
        for target, numbers in self.group_values:    # a single-row group counts in the sums it feeds
            for col, n in enumerate(numbers):
                for i, keys in enumerate(target.group):
                    if values.get(keys[col]) is None:
                        values[keys[col]] = n if i == 0 else 0
        said: set[str] = set()
        for inst in self.spec.instances:
            if not inst.rule.defines or inst.lhs[0] in said:   # 表三!J29 is both a row and a column total
                continue
            key = inst.lhs[0]
            published, computed = rules.number(values.get(key)), rules.total(values, inst.rhs)
            if published is None or computed is None or rules.residual(inst, values) == 0:
                continue
            cell = self.cells[key]
            said.add(key)
            self.note(self.key_lines.get(key), "parse.total_mismatch", where=cell.where, label=cell.label,
                      published=_show(published), computed=_show(computed))


def _is_breadcrumb(raw: str) -> bool:
    return "首页" in raw and (">" in raw or "》" in raw or "/" in raw)


def _title_score(raw: str) -> int:
    s = normalise(raw)
    return 2 * ("年度报告" in s) + ("政府信息公开" in s) + bool(_YEAR.search(raw)) - 2 * (">" in s or "首页" in s)


def _show(n) -> str:
    return f"{n:.6g}" if isinstance(n, float) else str(n)


def _excerpt(raw: str, limit: int = 60) -> str:
    s = " ".join(raw.split())
    return s if len(s) <= limit else s[:limit] + "…"


def _split_row(fields: list[str]) -> tuple[list[str], list[str]]:
    """Label fields, and the fields after the last label (the figures, with their empty neighbours)."""
    last_label = -1
    for i, f in enumerate(fields):
        if f.strip() and not is_value(f):
            last_label = i
    labels = [f for f in fields[:last_label + 1] if f.strip()]
    return labels, fields[last_label + 1:]


def _segments(text_: str, words: set[str]) -> bool:
    """Whether `text_` is a run of `words` (a header line whose cells lost their separators)."""
    reachable = [True] + [False] * len(text_)
    for i in range(len(text_)):
        if reachable[i]:
            for w in words:
                if w and text_.startswith(w, i):
                    reachable[i + len(w)] = True
    return reachable[-1] and len(text_) > 0


def _join_labels(pending: Line, labels: list[str]) -> list[str]:
    before, _ = _split_row(pending.fields)
    return before[:-1] + [before[-1] + labels[0]] + labels[1:] if before else labels


def _fit(after: list[str], expected: int) -> tuple[list[str] | None, str | None]:
    """The `expected` figures among `after`, dropping empty padding fields left by merged cells.

    Padding is dropped from the end first (web copies end rows with a stray tab). When a blank figure sits
    at the edge of the result, it might as well have been padding: the side it was aligned to is returned.
    """
    vals = list(after)
    cut_end = cut_start = 0
    while len(vals) > expected and not _compact(vals[-1]):
        vals.pop()
        cut_end += 1
    while len(vals) > expected and not _compact(vals[0]):
        vals.pop(0)
        cut_start += 1
    if len(vals) != expected:
        return None, None
    if not any(_compact(v) for v in vals):
        return vals, None
    if cut_end and not _compact(vals[0]):
        return vals, "right"
    if cut_start and not _compact(vals[-1]):
        return vals, "left"
    return vals, None


def parse_number(raw: str, cell_type: str = "count"):
    """(value, note code or None, value as shown in the note). Blank marks give None; text never gives 0."""
    s = _compact(raw)
    if s in BLANK_MARKS:
        return None, (None if s == "" else "parse.blank"), None
    m = _NUMBER.match(s)
    if not m:
        return None, "parse.not_number", None
    digits, unit, remark = m.group(1).replace(",", ""), m.group(2), m.group(3)
    value: int | float = float(digits) if "." in digits else int(digits)
    if cell_type == "count" and isinstance(value, float) and value.is_integer():
        value = int(value)
    if unit == "元" and cell_type == "amount":
        value = round(value / 10000, 8)
        return value, "parse.yuan_converted", _show(value)
    if remark:
        return value, "parse.note_removed", _show(value)
    if unit or "," in m.group(1):
        return value, "parse.unit_removed", _show(value)
    return value, None, None


# --- public API ---------------------------------------------------------------------------------

def parse_text(source: str, path: str | None = None) -> ParseResult:
    return _Parse(text_lines(source), path).run()


def parse_html(source: str, path: str | None = None) -> ParseResult:
    lines, title = html_lines(source)
    return _Parse(lines, path, title).run()


def looks_like_html(source: str) -> bool:
    return bool(re.search(r"<\s*(html|body|table|!doctype|div|p|tr)\b", source[:20000], re.IGNORECASE))


def decode(data: bytes, path: str = "") -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise GkxlError("parse.encoding", path=path)


def parse_path(path) -> ParseResult:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise GkxlError("parse.unreadable", path=str(p), detail=os_reason(e, "en"), reason=os_reason(e)) from None
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise GkxlError("parse.is_workbook", path=str(p))
    source = decode(data, str(p))
    if looks_like_html(source):
        return parse_html(source, str(p))
    return parse_text(source, str(p))
