"""Rules as data, evaluated two ways from the same instance: as Python over values, as Excel formulas.

Every rule of the spec is an equation sum(lhs) == sum(rhs) over cell keys. A rule marked `defines`
also gives the formula of its lone left-hand cell (a total).
"""
from __future__ import annotations

from gkxl.form.spec import Cell, RuleInstance, Spec, a1


def number(v) -> int | float | None:
    """A usable number, or None for blank, text, booleans and errors."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return v


def total(values: dict, keys: list[str]):
    s = 0
    for k in keys:
        n = values.get(k)
        if type(n) is not int and type(n) is not float:   # hot loop: number() inlined; bool is not a number
            return None
        s += n
    return s


def derive(spec: Spec, values: dict) -> dict:
    """Every total recomputed from the inputs (None where an input it needs is not a number)."""
    out = dict(values)
    for inst in spec.derive_order:
        out[inst.lhs[0]] = total(out, inst.rhs)
    return {inst.lhs[0]: out[inst.lhs[0]] for inst in spec.derive_order}


def residual(inst: RuleInstance, values: dict):
    """sum(lhs) - sum(rhs), or None when a term is not a number."""
    left, right = total(values, inst.lhs), total(values, inst.rhs)
    if left is None or right is None:
        return None
    d = left - right
    return round(d, 4) if isinstance(d, float) else d


# --- Excel side --------------------------------------------------------------------------------

def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _runs(cells: list[Cell]) -> list[tuple[Cell, Cell]]:
    """Group cells of one sheet into rectangles-of-one-line (runs along a row or a column)."""
    runs: list[list[Cell]] = []
    for c in cells:
        last = runs[-1] if runs else None
        if last and last[-1].sheet == c.sheet and (
                (len(last) == 1 or last[0].row == last[-1].row) and c.row == last[-1].row and c.col == last[-1].col + 1
                or (len(last) == 1 or last[0].col == last[-1].col) and c.col == last[-1].col and c.row == last[-1].row + 1):
            last.append(c)
        else:
            runs.append([c])
    return [(r[0], r[-1]) for r in runs]


def refs(spec: Spec, keys: list[str], sheet: str | None = None, absolute: bool = False) -> list[str]:
    """Cell references for keys, contiguous ones folded into ranges; sheet-qualified unless on `sheet`."""
    out = []
    for first, last in _runs([spec.cells[k] for k in keys]):
        def ref(c: Cell) -> str:
            r = a1(c.row, c.col)
            if absolute:
                col = "".join(ch for ch in r if ch.isalpha())
                r = f"${col}${r[len(col):]}"
            return r
        text = ref(first) if first is last else f"{ref(first)}:{ref(last)}"
        out.append(text if first.sheet == sheet else f"{quote_sheet(first.sheet)}!{text}")
    return out


def sum_formula(spec: Spec, keys: list[str], sheet: str | None = None, absolute: bool = False) -> str:
    return "SUM(" + ",".join(refs(spec, keys, sheet, absolute)) + ")"


def total_formula(spec: Spec, cell: Cell) -> str:
    return "=" + sum_formula(spec, cell.defined_by.rhs, cell.sheet)


def failing_formula(spec: Spec, inst: RuleInstance, sheet: str) -> str:
    """True in Excel when the instance does not balance (for conditional formatting on `sheet`)."""
    return (f"=ROUND({sum_formula(spec, inst.lhs, sheet, True)}-{sum_formula(spec, inst.rhs, sheet, True)},4)<>0")
