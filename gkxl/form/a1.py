"""A1 references: column letters, zero-based (row, col) pairs and ranges."""
from __future__ import annotations

import re


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def col_letters(index: int) -> str:
    s, index = "", index + 1
    while index:
        index, rem = divmod(index - 1, 26)
        s = chr(65 + rem) + s
    return s


_A1 = re.compile(r"^([A-Z]{1,3})([0-9]+)$")


def parse_a1(a1: str) -> tuple[int, int]:
    """'D6' -> (row 5, col 3), zero-based."""
    m = _A1.match(a1)
    if not m:
        raise ValueError(a1)
    return int(m.group(2)) - 1, col_index(m.group(1))


def a1(row: int, col: int) -> str:
    return f"{col_letters(col)}{row + 1}"


def parse_range(rng: str) -> tuple[int, int, int, int]:
    first, last = rng.split(":")
    return (*parse_a1(first), *parse_a1(last))
