"""The 单位代码: a 统一社会信用代码 (unified social credit code) of GB 32100-2015.

18 characters from the alphabet below (no I, O, S, V, Z); the 18th is a check character computed from
the first 17 with the standard's weights. A code that passed through Excel as a number ("1.14107E+17")
has lost its digits and is never a code.
"""
from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code) -> str | None:
    """Why `code` is not a valid code (a message code), or None when it is valid."""
    s = str(code).strip().upper()
    if "E+" in s or (s.replace(".", "", 1).isdigit() and len(s) != 18):
        return "code.mangled"
    if len(s) != 18:
        return "code.length"
    if any(ch not in ALPHABET for ch in s):
        return "code.characters"
    if check_character(s[:17]) != s[17]:
        return "code.check"
    return None
