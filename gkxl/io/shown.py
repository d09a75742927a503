"""What a spreadsheet shows, against what gkxl reads from it: figures read from a hidden sheet, row or column;
a number format that shows another figure than the cell holds (`"4"` on a cell holding 504, `;;;`, a date
or a percentage on a count); a sheet named like an official one but for characters no one sees. Each is a
finding at the cells it concerns: a verdict on figures the clerk cannot see on the page is worth nothing.

Cheap where nothing is wrong: the workbook's styles (already inflated when it was vetted) are looked at once,
and a sheet's XML is searched only when a style that hides its figure exists or the sheet hides rows.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from gkxl.findings.finding import Finding
from gkxl.form.a1 import parse_a1
from gkxl.io.source import Source
from gkxl.text.invisible import has_invisible, visible
from gkxl.text.messages import Message

# built-in number formats that show the value's own digits: General, 0, 0.00, #,##0, #,##0.00, currency,
# accounting, @ (a number under @ shows as General)
HONEST_BUILTIN = frozenset({0, 1, 2, 3, 4, 5, 6, 7, 8, 37, 38, 39, 40, 41, 42, 43, 44, 49})
_NUMFMT = re.compile(rb'<(?:\w+:)?numFmt\b[^>]*?numFmtId="(\d+)"[^>]*?formatCode="([^"]*)"')
_XFS = re.compile(rb"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", re.S)
_XF = re.compile(rb"<(?:\w+:)?xf\b([^>]*?)/?>")
_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*)>")
_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_COL = re.compile(rb"<(?:\w+:)?col\b([^>]*)/?>")
_DATE_CODES = re.compile(r"[ymdhsYMDHS年月日时分秒]|AM/PM|上午/下午")


def _attrs(raw: bytes) -> dict[bytes, bytes]:
    return dict(_ATTR.findall(raw))


def _unescape(code: str) -> str:
    return code.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&apos;", "'")


def _parts(section: str) -> tuple[str, str]:
    """(what the section formats with, the literal text it shows): quoted text, escaped characters,
    [colours and conditions], _x spacing and *x fill taken apart."""
    code, literal, i = [], [], 0
    while i < len(section):
        ch = section[i]
        if ch == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            literal.append(section[i + 1:end])
            i = end + 1
        elif ch == "\\" and i + 1 < len(section):
            literal.append(section[i + 1])
            i += 2
        elif ch in "_*" and i + 1 < len(section):
            i += 2
        elif ch == "[":
            end = section.find("]", i)
            end = len(section) if end < 0 else end
            code.append(section[i:end + 1])
            i = end + 1
        else:
            code.append(ch)
            i += 1
    return "".join(code), "".join(literal)


def _sections(code: str) -> list[str]:
    out, cur, quoted = [], [], False
    for ch in code:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    return out + ["".join(cur)]


BLANK_ZERO = frozenset({"", "-", "—", "－", "–", " "})    # a zero shown as a dash: the same figure, as offices print it


def _section_for(code: str, value) -> str:
    sections = _sections(code)
    numeric = sections[:3]
    if not isinstance(value, (int, float)) or len(numeric) == 1:
        return numeric[0]
    if len(numeric) == 2:
        return numeric[0] if value >= 0 else numeric[1]
    return numeric[0] if value > 0 else numeric[1] if value < 0 else numeric[2]


def honest(code: str, value=None) -> bool:
    """Whether a number format shows `value` (a count or an amount) as its own digits (rounding aside);
    without a value, whether it shows every value so."""
    if code.strip().lower() in ("general", "@", ""):
        return True
    if any("[" in _parts(s)[0] and re.search(r"\[[<>=]", s) for s in _sections(code)):
        return False                                          # a condition chooses what is shown
    sections = [_section_for(code, value)] if value is not None else _sections(code)[:3]
    for section in sections:
        body, literal = _parts(section)
        if value == 0 and not re.search(r"[0#?]|general", body, flags=re.I) and literal.strip() in BLANK_ZERO:
            continue                                          # 0 shown as "-"
        if any(ch.isdigit() for ch in literal):               # "4", \5: a figure that is no figure
            return False
        plain = re.sub(r"\[(?:red|black|blue|green|white|yellow|cyan|magenta|color\d+|\$[^\]]*|dbnum\d)\]|general", "",
                       body, flags=re.I)
        if "[" in plain or "%" in plain or "/" in plain or re.search(r"[eE][+-]", plain) or _DATE_CODES.search(plain):
            return False                                      # percent, fraction, exponent, date
        if not re.search(r"[0#?]|general|@", body, flags=re.I):
            return False                                      # no digit placeholder: the figure is not shown
        if re.search(r"[0#?.],+\s*$", plain.strip()) or re.search(r"[1-9]", plain):
            return False                                      # thousands scaling, a digit typed as text
    return True


def shown_as(code: str, value=None) -> str | None:
    """What a format that shows only text shows for `value` (its literal), else None."""
    body, literal = _parts(_section_for(code, value))
    return literal if not re.search(r"[0#?]", body) else None


@functools.lru_cache(maxsize=32)         # the styles of returns made from one template are the same bytes
def hiding_styles(styles_xml: bytes | None) -> dict[int, str]:
    """Style index -> number format, for each cell style whose format does not show the value's digits."""
    if not styles_xml:
        return {}
    custom = {int(i): _unescape(c.decode("utf-8", "replace")) for i, c in _NUMFMT.findall(styles_xml)}
    m = _XFS.search(styles_xml)
    out = {}
    for n, raw in enumerate(_XF.findall(m.group(1)) if m else ()):
        fmt = int(_attrs(raw).get(b"numFmtId", b"0") or 0)
        code = custom.get(fmt)
        if code is None:
            if fmt in HONEST_BUILTIN:
                continue
            out[n] = f"#{fmt}"           # shown by its id: a built-in date, percent, fraction or exponent
        elif not (honest(code, 1) and honest(code, -1) and honest(code, 0)):
            out[n] = code
    return out


def _styled_cells(sheet_xml: bytes, styles: dict[int, str]) -> dict[str, str]:
    """A1 reference -> number format of the cells of a sheet that carry one of `styles`."""
    out = {}
    for raw in _CELL.findall(sheet_xml):
        attrs = _attrs(raw)
        style = int(attrs.get(b"s", b"0") or 0)
        if style in styles and b"r" in attrs:
            out[attrs[b"r"].decode("ascii", "replace")] = styles[style]
    return out


def _hidden_lines(sheet_xml: bytes) -> tuple[set[int], set[int]]:
    """(0-based rows, 0-based columns) a sheet hides, by a flag or by a size of 0."""
    rows, cols = set(), set()
    for raw in _ROW.findall(sheet_xml):
        a = _attrs(raw)
        if a.get(b"hidden") in (b"1", b"true") or (a.get(b"ht") in (b"0", b"0.0") and b"customHeight" in a):
            try:
                rows.add(int(a[b"r"]) - 1)
            except (KeyError, ValueError):
                pass
    for raw in _COL.findall(sheet_xml):
        a = _attrs(raw)
        if a.get(b"hidden") in (b"1", b"true") or a.get(b"width") in (b"0", b"0.0"):
            try:
                cols.update(range(int(a[b"min"]) - 1, min(int(a[b"max"]), 16384)))
            except (KeyError, ValueError):
                pass
    return rows, cols


def _styles_part(src: Source) -> bytes | None:
    v = src.vetting
    if v is None:
        return None
    info = next((i for i in v.infos if i.filename.lower().endswith("styles.xml")), None)
    return v.kept.get(id(info)) if info is not None else None


_HIDING = (b' hidden="1"', b' hidden="true"', b' ht="0"', b' ht="0.0"', b' width="0"', b' width="0.0"')


def shown_findings(src: Source, visibility: dict[str, bool], sheets: Iterable[str], places, official: Iterable[str],
                   values: dict) -> list[Finding]:
    """Findings for figures read where the page does not show them as read. `visibility`: sheet name ->
    shown; `sheets`: the sheets figures were read from; `places()`: (key, sheet, A1 ref) of each figure
    read, asked for only when something may hide one; `official`: the official sheet names; `values`: the
    figures read, by key."""
    out: list[Finding] = []
    sheets = sorted(set(sheets))
    for sheet in sheets:
        if not visibility.get(sheet, True):
            f = Finding.of("STRUCT-hidden", "shown.hidden_sheet", sheet=sheet)
            f.sheet = sheet
            out.append(f)
    names = {visible(n): n for n in official}
    for name in visibility:
        if has_invisible(name) and visible(name) in names:
            f = Finding.of("STRUCT-lookalike", "shown.lookalike", name=name.encode("unicode_escape").decode("ascii"),
                           official=names[visible(name)])
            f.sheet = name
            out.append(f)
    if src.file_type != "xlsx":
        return out
    styles = hiding_styles(_styles_part(src))
    parts = {sheet: src.part(sheet) or b"" for sheet in sheets}
    hiding = {sheet for sheet, xml in parts.items() if any(n in xml for n in _HIDING)}
    if not (styles or hiding):
        return out
    by_sheet: dict[str, list[tuple[str, str]]] = {}
    for key, sheet, ref in places():
        by_sheet.setdefault(sheet, []).append((key, ref))
    for sheet, cells in by_sheet.items():
        xml = parts.get(sheet) or src.part(sheet) or b""
        if sheet in hiding:
            rows, cols = _hidden_lines(xml)
            for key, ref in cells:
                r, c = parse_a1(ref)
                if r in rows or c in cols:
                    where = Message("shown.row", row=r + 1) if r in rows else \
                        Message("shown.column", column=ref.rstrip("0123456789"))
                    f = Finding.of("STRUCT-hidden", "shown.hidden_cell", where=where)
                    f.sheet, f.cell, f.key = sheet, ref, key
                    out.append(f)
        if styles:
            styled = _styled_cells(xml, styles)
            for key, ref in cells:
                value = values.get(key)
                code = styled.get(ref)
                builtin = code is not None and code.startswith("#")      # a built-in date, percent or fraction
                if code is not None and isinstance(value, (int, float)) and (builtin or not honest(code, value)):
                    shown = shown_as(code, value) if not builtin else None
                    f = Finding.of("V-shown", "shown.format", format=code, value=value,
                                   shown=f"“{shown}”" if shown is not None else Message("shown.other"))
                    f.sheet, f.cell, f.key, f.value = sheet, ref, key, value
                    out.append(f)
    return out
