"""Tables read by the paths of their labels: a column is the path of header labels above it
(申请人情况 › 法人或其他组织 › 商业企业; 行政诉讼 › 复议后起诉 › 总计), a row the path of row labels left of it
(三、本年度办理结果 › （三）不予公开 › 1.属于国家秘密), whatever row or column each level of the path stands on.

The spec is the data: each label of a table sheet covers the columns (rows) its merge spans in the template.
In a sheet, a label covers what it is merged over, what it is repeated over (gkxl.io.sheetlabels), or, written
once in the first cell of its span, the empty cells after it up to the next cell that is not empty, never past
a label that starts a level above (left). A sheet's column matches the template's when its path ends in the
same label and holds no label the template's path does not: so a sheet that leaves a group label out (one
label column holding only the leaf text) is still read where the leaf says it all, and a leaf that stands
under several groups (结果维持 three times in 表四) is told by its group. Two places for one path is an
ambiguity the reader reports, never a pick.

This reads the tables whose header labels all stand above their figures (表三, 表四); 表二, whose blocks each
have their own header row, is read by row alignment (gkxl.io.locate).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from gkxl.form import spec as specmod
from gkxl.io.sheetlabels import Grid, keys, level

MATCH = 0.8                 # the lowest level at which a sheet's text is taken for a label


@dataclass(frozen=True)
class Tree:
    """A table sheet of the spec as paths: template column (row) of figures -> the label texts over it."""
    col_paths: dict[int, tuple[str, ...]]
    row_paths: dict[int, tuple[str, ...]]
    header_keys: tuple[tuple[str, str, str], ...]
    row_keys: tuple[tuple[str, str, str], ...]
    header_bottom: int                  # the template row of the lowest header label
    banded: bool                        # every header label stands above every row of figures


def _covers(label: specmod.Label) -> tuple[int, int, int, int]:
    return label.merge or (label.row, label.col, label.row, label.col)


@cache
def tree(sheet: specmod.Sheet) -> Tree:
    headers = [lab for lab in sheet.labels if lab.style == "header"]
    rows_ = [lab for lab in sheet.labels if lab.style == "row"]
    value_rows = sorted({c.row for c in sheet.cells})
    value_cols = sorted({c.col for c in sheet.cells})
    col_paths = {}
    for c in value_cols:
        over = [lab for lab in headers if _covers(lab)[1] <= c <= _covers(lab)[3] and lab.row < value_rows[0]]
        col_paths[c] = tuple(keys(lab.text)[0] for lab in sorted(over, key=lambda lab: lab.row))
    row_paths = {}
    for r in value_rows:
        left = [lab for lab in rows_ if _covers(lab)[0] <= r <= _covers(lab)[2] and lab.col < value_cols[0]]
        row_paths[r] = tuple(keys(lab.text)[0] for lab in sorted(left, key=lambda lab: lab.col))
    banded = bool(headers) and max(lab.row for lab in headers) < value_rows[0]
    return Tree(col_paths, row_paths, tuple({keys(lab.text) for lab in headers}), tuple({keys(lab.text) for lab in rows_}),
                max((lab.row for lab in headers), default=0), banded)


@dataclass
class Placed:
    """Template rows and columns of figures placed on the sheet (None: not found), and those found twice."""
    rows: dict[int, int | None]
    cols: dict[int, int | None]
    rows_twice: dict[int, list[tuple[int, int]]]
    cols_twice: dict[int, list[tuple[int, int]]]


def _best(found: tuple[str, str, str], wanted) -> tuple[float, str | None]:
    best, at = 0.0, None
    for want in wanted:
        lv = level(found, want)
        if lv > best:
            best, at = lv, want[0]
    return best, at


@lru_cache(maxsize=1 << 14)
def _classified(sheet: specmod.Sheet, found: tuple[str, str, str]) -> tuple[str | None, str | None]:
    """The label (its normalised text) a sheet's text is, as a header and as a row label: each only where
    it reads as that better than as the other (总计 is a header, （七）总计 a row; 其他 a header, 3.其他 a
    row). Asked for every text of every return, of a few hundred texts in all."""
    t = tree(sheet)
    as_header, header = _best(found, t.header_keys)
    as_row, row = _best(found, t.row_keys)
    return (header if as_header >= MATCH and as_header > as_row else None,
            row if as_row >= MATCH and as_row > as_header else None)


def _spans(grid: Grid, starts: dict[tuple[int, int], str], bound: tuple[int, int, int, int],
           across: bool, data_end: int) -> list[tuple[str, int, int, int]]:
    """(label, line, first, last) for each label start: the columns it covers on its row (`across`), or the
    rows it covers in its column. Merged or repeated, as drawn; written once, up to the next cell that is not
    empty or the next label a level up (a header starting in a row above; anything standing left of a row
    label), and never past the table: a column (row) with nothing in it down to row (right to column)
    `data_end`. A span cut short only leaves a level out of a path, which the match allows."""
    r0, c0, r1, c1 = bound
    firsts = grid.firsts
    used = _used(grid, (r0, c0, data_end, c1) if across else (r0, c0, r1, data_end), across)
    out = []
    for (r, c), name in starts.items():
        span = grid.spans.get((r, c))
        if span is not None:
            first, last = (span[1], span[3]) if across else (span[0], span[2])
            if (r, c) in grid.merged:       # a merge holds nothing but its first cell: one that does is stale
                nxt = next((x for x in range(first + 1, last + 1) if grid.filled(*((r, x) if across else (x, c)))), None)
                last = last if nxt is None else nxt - 1
            out.append((name, r if across else c, first, last))
            continue
        last = c if across else r
        while last < (c1 if across else r1):
            nxt = (r, last + 1) if across else (last + 1, c)
            if grid.filled(*nxt):
                break
            if (nxt[1] if across else nxt[0]) not in used:
                break           # past the table: a column (row) with nothing in it
            if across and any((rr, nxt[1]) in firsts for rr in range(r0, r)):
                break
            if not across and any(grid.filled(nxt[0], cc) for cc in range(c0, c)):
                break           # something stands left of it: a label a level up, a note, a 序号
            last += 1
        out.append((name, r if across else c, c if across else r, last))
    return out


def _used(grid: Grid, bound: tuple[int, int, int, int], across: bool) -> set[int]:
    """The columns (`across`) or rows within `bound` that hold anything."""
    r0, c0, r1, c1 = bound
    out = set()
    for r in range(r0, min(r1, len(grid.rows) - 1) + 1):
        line = grid.rows[r]
        for c in range(c0, min(c1, len(line) - 1) + 1):
            v = line[c]
            if not (v is None or (isinstance(v, str) and not v.strip())):
                out.add(c if across else r)
    return out


def _paths(spans, lines: range) -> dict[int, tuple[str, ...]]:
    """Each position along `lines`: the labels covering it, outer level first."""
    out: dict[int, list[tuple[int, str]]] = {}
    for name, level_at, first, last in spans:
        for x in range(first, last + 1):
            if x in lines:
                out.setdefault(x, []).append((level_at, name))
    return {x: tuple(name for _, name in sorted(found)) for x, found in out.items()}


def _match(wanted: dict[int, tuple[str, ...]], found: dict[int, tuple[str, ...]]):
    """Template line -> sheet line, and the lines found twice: a sheet path matches a template path when it
    ends in its leaf and holds nothing the template's does not; the fullest match wins, a tie is twice."""
    placed: dict[int, int | None] = {}
    twice: dict[int, list[int]] = {}
    claims: dict[int, list[int]] = {}
    by_leaf: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
    for x, p in found.items():
        if p:
            by_leaf.setdefault(p[-1], []).append((x, p))
    for t, path in wanted.items():
        if not path:
            placed[t] = None
            continue
        cands = [(len(p), x) for x, p in by_leaf.get(path[-1], ()) if set(p) <= set(path)]
        if not cands:
            placed[t] = None
            continue
        best = max(n for n, _ in cands)
        top = sorted(x for n, x in cands if n == best)
        if len(top) > 1:
            twice[t] = top
            placed[t] = None
            continue
        placed[t] = top[0]
        claims.setdefault(top[0], []).append(t)
    for x, ts in claims.items():          # one sheet line for two template lines: neither can be told
        if len(ts) > 1:
            for t in ts:
                twice[t] = [x]
                placed[t] = None
    return placed, twice


def place(grid: Grid, sheet: specmod.Sheet, bound: tuple[int, int, int, int]) -> Placed:
    """The template's rows and columns of figures on the sheet, within `bound` (r0, c0, r1, c1)."""
    t = tree(sheet)
    r0, c0, r1, c1 = bound
    by_row: dict[int, list[tuple[int, int, str]]] = {}
    for r, c, v in grid.texts:
        if r <= r1 and c0 <= c <= c1:
            by_row.setdefault(r, []).append((r, c, v))
    # the header may begin above where the labels were aligned (自然人 over three rows, 行政复议 over two):
    # it goes up as far as rows of this table's header labels go
    while r0 > 0 and any(_classified(sheet, keys(v))[0] for _, _, v in by_row.get(r0 - 1, ())):
        r0 -= 1
    inside = [cell for r in range(r0, r1 + 1) for cell in by_row.get(r, ())]
    row_starts = {}
    for r, c, v in inside if t.row_keys else ():
        name = _classified(sheet, keys(v))[1]
        if name is not None:
            row_starts[(r, c)] = name
    first_data = min((r for r, _ in row_starts), default=r1 + 1)
    header_starts = {}
    for r, c, v in inside:
        name = _classified(sheet, keys(v))[0] if r < first_data else None
        if name is not None:
            header_starts[(r, c)] = name
    if not header_starts:
        return Placed({r: None for r in t.row_paths}, {c: None for c in t.col_paths}, {}, {})
    top = min(r for r, _ in header_starts)
    bottom = max(r for r, _ in header_starts)
    # the table's last row of figures: its last row label, or (表四) as far below the header as in the template
    last = max((r for r, _ in row_starts), default=bottom + max(t.row_paths, default=0) - t.header_bottom)
    col_spans = _spans(grid, header_starts, (top, c0, bottom, c1), across=True, data_end=min(last, r1))
    cols, cols_twice = _match(t.col_paths, _paths(col_spans, range(c0, c1 + 1)))
    placed_cols = [x for x in cols.values() if x is not None]
    if t.row_keys:
        left = min(placed_cols, default=c1 + 1)
        starts = {pos: name for pos, name in row_starts.items() if pos[1] < left and pos[0] > bottom}
        row_spans = _spans(grid, starts, (bottom + 1, c0, r1, left - 1), across=False, data_end=c1)
        rows, rows_twice = _match(t.row_paths, _paths(row_spans, range(bottom + 1, r1 + 1)))
    else:                   # one row of figures under the header (表四): as far below it as in the template
        rows = {r: bottom + (r - t.header_bottom) for r in t.row_paths}
        rows_twice = {}
    where_c = {tc: [(top, x) for x in xs] for tc, xs in cols_twice.items()}
    where_r = {tr: [(y, c0) for y in ys] for tr, ys in rows_twice.items()}
    return Placed(rows, cols, where_r, where_c)
