"""Values as gkxl puts them into cells others open (CSV, annotated copies, 模板清单): text stays text.

Text starting with = + - @ (or a tab or carriage return) would run as a formula in Excel or WPS
(CSV injection, a live =HYPERLINK in a sheet): it gets a leading apostrophe. Numbers stay numbers.
"""
from __future__ import annotations

from gkxl.text.printable import xml_safe

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    value = xml_safe(value)       # a NUL or BEL is refused by openpyxl and by Excel
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    if value is None or isinstance(value, (int, float, str)):
        return value
    return str(value)
