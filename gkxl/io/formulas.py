"""Formulas a workbook holds without a value to show, evaluated as the spreadsheet would once it calculates.

A workbook written by a program (an exporter, a script with openpyxl) and never opened in a spreadsheet keeps
its totals as formulas with no stored value. What a clerk sees there, once the spreadsheet calculates, is the
calculated value, so that is what gkxl reads. A stored value is read as stored (what any reader shows; one
that does not add up is a finding of the checks).

The grammar is exactly what office workbooks use for these totals: SUM over ranges and lists of cells, + and
−, numbers, cell references, across the sheets of the same workbook. Libraries that evaluate Excel formulas
were weighed: `formulas` (NumPy, SciPy and schedula, seconds to import, every Excel function) and `pycel`
(openpyxl loading the whole workbook again). Both evaluate far more than these totals need, which for files
from outside is more to trust, and both cost more than the reading of a return. So this small evaluator, with
limits: a formula outside its grammar, a circular reference, an error value or text where a number is added
is said (FormulaError, naming the cell and quoting the formula), never read as 0 or left blank silently.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable

from gkxl.form.a1 import a1, col_index

MAX_FORMULA = 8192           # characters: a SUM of a table's cells is a few hundred
MAX_VISITS = 200_000         # cells looked at while evaluating one workbook's formulas

_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF_ATTR = re.compile(rb'\br\s*=\s*["\']([A-Za-z]{1,3})(\d{1,7})["\']')
_FORMULA = re.compile(rb"<(?:\w+:)?f\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_VALUE = re.compile(rb"<(?:\w+:)?v\b[^>]*>(.+?)</(?:\w+:)?v>", re.S)
_ATTR = re.compile(rb'\b(t|si|ref)\s*=\s*["\']([^"\']*)["\']')


class FormulaError(Exception):
    """Why a formula gives no value: a message code of formula.* and its parameters (where and formula are
    added by whoever names the cell)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


def sheet_formulas(xml: bytes, every: bool = False) -> dict[tuple[int, int], str]:
    """The formulas of a worksheet part (xlsx) by zero-based (row, col): of the cells holding no value, or of
    every formula cell (`every`). Shared formulas are given at each cell they are shared to."""
    if b"<f" not in xml and b":f" not in xml:
        return {}
    out: dict[tuple[int, int], str] = {}
    shared: dict[bytes, tuple[int, int, str]] = {}
    for cell in _CELL.finditer(xml):
        inner = cell.group(2)
        if not inner or b"f" not in inner:
            continue
        fm = _FORMULA.search(inner)
        ref = _REF_ATTR.search(cell.group(1))
        if fm is None or ref is None:
            continue
        row, col = int(ref.group(2)) - 1, col_index(ref.group(1).decode("ascii").upper())
        attrs = dict(_ATTR.findall(fm.group(1)))
        text = html.unescape(fm.group(2).decode("utf-8", "replace")) if fm.group(2) else ""
        if attrs.get(b"t") == b"shared":
            si = attrs.get(b"si", b"")
            if text:
                shared[si] = (row, col, text)
            elif si in shared:
                r0, c0, anchor = shared[si]
                text = _shifted(anchor, row - r0, col - c0)
        if not text:
            continue
        stored = _VALUE.search(inner)
        if every or stored is None or not stored.group(1).strip():
            out[(row, col)] = text
    return out


_REF = re.compile(r"(\$?)([A-Za-z]{1,3})(\$?)(\d{1,7})(?![\w(])")


def _shifted(formula: str, rows: int, cols: int) -> str:
    """A shared formula as it reads at a cell `rows` down and `cols` right of its anchor."""
    def move(m: re.Match) -> str:
        col = col_index(m.group(2).upper()) + (0 if m.group(1) else cols)
        row = int(m.group(4)) - 1 + (0 if m.group(3) else rows)
        letters = a1(max(row, 0), max(col, 0)).rstrip("0123456789")
        return f"{m.group(1)}{letters}{m.group(3)}{max(row, 0) + 1}"
    parts = re.split(r"('(?:[^']|'')*')", formula)        # quoted sheet names are not references
    return "".join(p if p.startswith("'") else _REF.sub(move, p) for p in parts)


# --- evaluating ---------------------------------------------------------------------------------------

_TOKEN = re.compile(r"""\s*(?:
    (?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<ref>(?:(?P<sheet>'(?:[^']|'')+'|[^\s'!(),:+\-*/^&=<>"]+)!)?\$?[A-Za-z]{1,3}\$?\d{1,7}
        (?::\$?[A-Za-z]{1,3}\$?\d{1,7})?)
  | (?P<func>[A-Za-z_][A-Za-z0-9_.]*)\s*\(
  | (?P<op>[+\-(),])
  | (?P<other>\S)
)""", re.X)


class Workbook:
    """The values of a workbook's cells, formulas evaluated: `grid(sheet)` gives a sheet's values as rows
    (None for a sheet the workbook does not have), `formulas(sheet)` its formulas by (row, col)."""

    def __init__(self, grid: Callable[[str], list | None], formulas: Callable[[str], dict]):
        self._grid, self._formulas = grid, formulas
        self._grids: dict[str, list | None] = {}
        self._forms: dict[str, dict] = {}
        self._done: dict[tuple[str, int, int], object] = {}
        self._busy: set[tuple[str, int, int]] = set()
        self.visits = 0

    def formula(self, sheet: str, row: int, col: int) -> str | None:
        if sheet not in self._forms:
            self._forms[sheet] = self._formulas(sheet) or {}
        return self._forms[sheet].get((row, col))

    def _raw(self, sheet: str, row: int, col: int):
        if sheet not in self._grids:
            self._grids[sheet] = self._grid(sheet)
        rows = self._grids[sheet]
        if rows is None:
            raise FormulaError("formula.no_sheet", sheet=sheet)
        if 0 <= row < len(rows) and 0 <= col < len(rows[row]):
            return rows[row][col]
        return None

    def value(self, sheet: str, row: int, col: int):
        """The cell's value: its formula evaluated when it has one, else what it holds (None for blank)."""
        key = (sheet, row, col)
        if key in self._done:
            return self._done[key]
        self.visits += 1
        if self.visits > MAX_VISITS:
            raise FormulaError("formula.too_much")
        formula = self.formula(sheet, row, col)
        if formula is None:
            value = self._raw(sheet, row, col)
            if isinstance(value, str) and value.startswith("#") and value.rstrip("!?0/").isupper():
                raise FormulaError("formula.error_value", error=value, ref=f"{sheet}!{a1(row, col)}")
            return value
        if key in self._busy:
            raise FormulaError("formula.circular")
        self._busy.add(key)
        try:
            result = _Parser(self, sheet, formula).expression()
        finally:
            self._busy.discard(key)
        self._done[key] = result
        return result


def _number(value, where: str):
    """A value added with + or −, as a spreadsheet adds it: blank is 0, a number itself, text is #VALUE!."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    raise FormulaError("formula.text_added", ref=where, text=str(value)[:40])


class _Parser:
    def __init__(self, book: Workbook, sheet: str, formula: str):
        if len(formula) > MAX_FORMULA:
            raise FormulaError("formula.unsupported")
        self.book, self.sheet = book, sheet
        self.tokens = []
        for m in _TOKEN.finditer(formula.strip().lstrip("=")):
            kind = m.lastgroup if m.lastgroup != "sheet" else "ref"
            if kind == "other":
                raise FormulaError("formula.unsupported")
            if kind is None:
                continue
            self.tokens.append((kind if m.group("ref") is None else "ref", m.group(0).strip(), m))
        self.at = 0

    def _peek(self):
        return self.tokens[self.at] if self.at < len(self.tokens) else (None, None, None)

    def _take(self):
        token = self._peek()
        self.at += 1
        return token

    def expression(self):
        value = self._sum()
        if self.at != len(self.tokens):
            raise FormulaError("formula.unsupported")
        return value

    def _sum(self):
        total = self._term()
        while self._peek()[1] in ("+", "-"):
            sign = self._take()[1]
            right = self._term()
            total = total + right if sign == "+" else total - right
        return total

    def _term(self):
        kind, text, m = self._take()
        if text in ("+", "-"):
            value = self._term()
            return value if text == "+" else -value
        if kind == "num":
            n = float(text)
            return int(n) if n.is_integer() and "." not in text and "e" not in text.lower() else n
        if kind == "ref":
            cells = self._cells(m)
            if len(cells) != 1:
                raise FormulaError("formula.unsupported")          # a range outside SUM
            sheet, r, c = cells[0]
            return _number(self.book.value(sheet, r, c), f"{sheet}!{a1(r, c)}")
        if kind == "func" and text[:-1].strip().upper() == "SUM":
            return self._sum_call()
        if text == "(":
            value = self._sum()
            if self._take()[1] != ")":
                raise FormulaError("formula.unsupported")
            return value
        raise FormulaError("formula.unsupported")

    def _sum_call(self):
        """SUM(…): ranges and cells add their numbers (text and blanks count for nothing, as in a spreadsheet),
        other arguments add as + does."""
        total = 0
        if self._peek()[1] == ")":
            self._take()
            return 0
        while True:
            kind, _, m = self._peek()
            nxt = self.tokens[self.at + 1][1] if self.at + 1 < len(self.tokens) else None
            if kind == "ref" and nxt in (",", ")"):
                self._take()
                for sheet, r, c in self._cells(m):
                    value = self.book.value(sheet, r, c)
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        total += value
            else:
                total += self._sum()
            sep = self._take()[1]
            if sep == ")":
                return total
            if sep != ",":
                raise FormulaError("formula.unsupported")

    def _cells(self, m: re.Match) -> list[tuple[str, int, int]]:
        ref = m.group("ref")
        sheet = self.sheet
        if "!" in ref:
            name, ref = ref.rsplit("!", 1)
            sheet = name[1:-1].replace("''", "'") if name.startswith("'") else name
        corners = [_parse_a1(p) for p in ref.split(":")]
        (r0, c0), (r1, c1) = corners[0], corners[-1]
        r0, r1, c0, c1 = min(r0, r1), max(r0, r1), min(c0, c1), max(c0, c1)
        if (r1 - r0 + 1) * (c1 - c0 + 1) > MAX_VISITS:
            raise FormulaError("formula.too_much")
        return [(sheet, r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]


def _parse_a1(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})", ref)
    return int(m.group(2)) - 1, col_index(m.group(1).upper())


def summed_cells(formula: str, sheet: str) -> list[tuple[str, int, int]] | None:
    """The cells a formula adds up, when all it does is add cells (SUM of ranges and cells, +): a total
    that follows its parts. None for anything else (a number, a minus, another function)."""
    try:
        parser = _Parser(None, sheet, formula)
    except FormulaError:
        return None
    out, expect_value, depth = [], True, 0
    for kind, text, m in parser.tokens:
        if expect_value and kind == "ref":
            out += parser._cells(m)
            expect_value = False
        elif expect_value and kind == "func" and text[:-1].strip().upper() == "SUM":
            depth += 1
        elif not expect_value and text == "+" and depth == 0:
            expect_value = True
        elif not expect_value and text == "," and depth > 0:
            expect_value = True
        elif not expect_value and text == ")" and depth > 0:
            depth -= 1
        else:
            return None
    return out if out and depth == 0 and not expect_value else None
