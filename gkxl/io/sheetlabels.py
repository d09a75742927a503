"""A sheet as the label readers see it: its values by position, its text cells indexed by the keys a label
is matched by (as printed, without its numbering, without its remarks), and each label's span."""
from __future__ import annotations

from functools import lru_cache

from gkxl.form.a1 import a1
from gkxl.io.grid import Cells
from gkxl.text.labels import core, normalise, strip_numbering

LEVELS = (1.0, 0.9, 0.8)     # a label matched as printed, without its numbering, without its remarks


@lru_cache(maxsize=1 << 16)
def keys(text: str) -> tuple[str, str, str]:
    n = normalise(text)
    return n, strip_numbering(n), core(n)


def level(found: tuple[str, str, str], wanted: tuple[str, str, str]) -> float:
    if found[0] == wanted[0]:
        return LEVELS[0]
    if found[1] and found[1] == wanted[1]:
        return LEVELS[1]
    if len(wanted[2]) >= 2 and found[2] == wanted[2]:
        return LEVELS[2]
    return 0.0


class Grid(Cells):
    """A sheet's values by zero-based position, and its text cells by their label keys.

    A label drawn over several cells of a row is one label, whichever way it was drawn: merged over them
    (`merges`, as the reader gives them), or repeated in every cell (a clerk who unmerged and filled, an
    export without merges). A repeated label is indexed at its first cell only, and `spans` says what each
    covers. Down a column a repeated label stays one per row: each row of a group repeats its group's label,
    and two rows under one leaf label are two rows (the reader says which cannot be told apart)."""

    def __init__(self, name: str, rows: list[list], merges=()):
        super().__init__(rows)
        self.name = name
        self.texts: list[tuple[int, int, str]] = []
        self.index: tuple[dict, dict, dict] = ({}, {}, {})
        self.spans: dict[tuple[int, int], tuple[int, int, int, int]] = {}
        self.firsts: set[tuple[int, int]] = set()           # where a text (a label, once) starts
        for (r0, c0), (r1, c1) in merges:
            self.spans[(r0, c0)] = (r0, c0, r1, c1)
        self.merged = set(self.spans)        # spans that are merges (a file edited by a program may keep stale ones)
        for r, line in enumerate(rows):
            start = None            # the first cell of a label repeated along this row
            for c, v in enumerate(line):
                if not (isinstance(v, str) and v.strip()):
                    start = None
                    continue
                left = line[c - 1] if c else None
                if start is not None and isinstance(left, str) and keys(left)[0] == keys(v)[0]:
                    r0, c0, r1, c1 = self.spans.get(start, (*start, *start))
                    self.spans[start] = (r0, c0, r1, max(c1, c))
                    continue
                start = (r, c)
                self.texts.append((r, c, v))
                self.firsts.add((r, c))
                for i, k in enumerate(keys(v)):
                    if k:
                        self.index[i].setdefault(k, []).append((r, c))

    def filled(self, row: int, col: int) -> bool:
        v = self.get(row, col)
        return not (v is None or (isinstance(v, str) and not v.strip()))

    def where(self, row: int, col: int) -> str:
        return f"{self.name}!{a1(row, col)}"

    def matches(self, label, taken: frozenset = frozenset()) -> dict[tuple[int, int], float]:
        """Positions where the label stands, with the level of the match."""
        out: dict[tuple[int, int], float] = {}
        for i in range(3):
            if i == 2 and len(label.keys[2]) < 2:
                break
            for pos in self.index[i].get(label.keys[i], ()):
                if pos in taken:
                    continue
                lv = level(keys(self.rows[pos[0]][pos[1]]), label.keys)
                if lv > out.get(pos, 0.0):
                    out[pos] = lv
        return out


