"""The one reader of numbers written as text: "3件", "1,200", "２５", "251000元", "55（含失效29件）", "-", "无".

`read_number` is used two ways with one grammar, so the two can never disagree:
- the published-report parser takes its value (a figure as published, with a note saying what was removed);
- the checker only offers it as a hint ("可能是想填 3") and never uses it as the value of a cell.
Text that is not a number reads as None, never as 0.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from gkxl.text.invisible import IGNORABLE

BLANK_MARKS = {"", "-", "--", "/", "\\", "—", "——", "–", "―", "无", "空", "×"}
UNITS = "件|个|条|项|次|人|家|篇|份|万元|元"
YEAR_UNITS = ("年度", "年")
MAX_DIGITS = 15            # beyond this a "number" is noise (and float() of 5,000 digits is slow)
_NUMBER = re.compile(rf"^([+-]?\d{{1,{MAX_DIGITS}}}(?:,\d{{3}})*(?:\.\d{{1,{MAX_DIGITS}}})?)({UNITS})?(\(.*\))?$")


@dataclass(frozen=True)
class Reading:
    value: int | float | None
    note: str | None = None      # message code saying what was done: parse.blank, parse.unit_removed, …
    shown: str | None = None     # the value as a note shows it

    @property
    def is_number(self) -> bool:
        return self.value is not None


def compact(token: str) -> str:
    """Half-width, no spaces, one kind of bracket: the form every number token is read in."""
    s = unicodedata.normalize("NFKC", str(token)).translate(IGNORABLE)
    s = re.sub(r"\s+", "", s).strip("*`")
    return s.replace("（", "(").replace("）", ")")


def show(n) -> str:
    """Every number a person reads, one way: a whole number without ".0", a fraction with the digits it has
    (up to 10 decimals, trailing zeros dropped: 24252.311082 stays whole, 0.1 + 0.2 reads 0.3); a blank as
    "—". Never rounded to fewer digits than were typed."""
    if n is None:
        return "—"
    if isinstance(n, float):
        if not math.isfinite(n):
            return str(n)
        if n.is_integer():
            return str(int(n))
        return f"{n:.10f}".rstrip("0").rstrip(".")
    return str(n)


def read_number(raw: str, cell_type: str = "count") -> Reading:
    """What number `raw` states, if any. Blank marks give None with a note; text gives None; never 0 for text."""
    s = compact(raw)
    if cell_type == "year" and s.endswith(YEAR_UNITS):
        s = s.removesuffix("度").removesuffix("年")
    if s in BLANK_MARKS:
        return Reading(None, None if s == "" else "parse.blank")
    m = _NUMBER.match(s)
    if not m:
        return Reading(None, "parse.not_number")
    digits, unit, remark = m.group(1).replace(",", ""), m.group(2), m.group(3)
    value: int | float = float(digits) if "." in digits else int(digits)
    if isinstance(value, float) and not math.isfinite(value):
        return Reading(None, "parse.not_number")
    if cell_type == "count" and isinstance(value, float) and value.is_integer():
        value = int(value)
    if unit == "元" and cell_type == "amount":
        value = round(value / 10000, 8)
        return Reading(value, "parse.yuan_converted", show(value))
    if remark:
        return Reading(value, "parse.note_removed", show(value))
    if unit or "," in m.group(1) or s != compact(raw):
        return Reading(value, "parse.unit_removed", show(value))
    return Reading(value)


def is_full_width(raw: str, value) -> bool:
    """Whether `raw` is exactly `value` typed in full-width digits (a clerk's IME left on)."""
    return unicodedata.normalize("NFKC", raw).strip() == str(value) and raw.strip() != str(value)
