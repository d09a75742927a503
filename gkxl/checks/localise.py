"""Which cells could explain failed equations (error localisation, after errorlocate's minimal change).

The failed equations are grouped: two equations belong together when one editable cell enters both.
For each group, a candidate is a cell that alone makes every equation of the group hold and breaks none
that holds, with the value it would need (a whole number ≥ 0 where the cell is a count). A group with
exactly one candidate names that cell and its value; with several, it lists them all and names none;
with none, it says that no single cell explains it. Typo-like candidates (two digits swapped, one digit
wrong in a figure of two digits or more) come first where few candidates look like one, and what the return
carries besides ranks them further (gkxl.checks.evidence). Nothing is ever changed.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from gkxl.form import rules
from gkxl.form.spec import RuleInstance, Spec


@dataclass
class Candidate:
    key: str
    value: int | float
    needed: int | float
    typo: str | None          # swap | digit | None


@dataclass
class Group:
    instances: list[tuple[RuleInstance, int | float]]      # (equation, residual), in spec order
    candidates: list[Candidate]


@cache
def effects(spec: Spec, via: tuple[RuleInstance, ...] = ()) -> dict[str, dict[str, int]]:
    """For each editable cell, how a +1 change moves each equation's residual. A total computed `via` a
    formula (every total of a gkxl template; those a workbook sums by a formula) follows its terms and is
    not editable; any other total is a figure like an input (published figures, a total typed over).

    Every total is the sum of its terms, so a change spreads linearly: each cell's response to each
    editable cell is gathered once, in the order totals are computed."""
    derived = {inst.lhs[0] for inst in via}
    free = [c.key for c in spec.cells.values() if c.numeric and c.meta is None and c.key not in derived]
    moves: dict[str, dict[str, int]] = {k: {k: 1} for k in free}     # cell -> {editable cell: change}
    for inst in via:
        total: dict[str, int] = {}
        for k in inst.rhs:
            for f, d in moves.get(k, {}).items():
                total[f] = total.get(f, 0) + d
        moves[inst.lhs[0]] = total
    out: dict[str, dict[str, int]] = {k: {} for k in free}
    for inst in spec.instances:
        for sign, keys in ((1, inst.lhs), (-1, inst.rhs)):
            for k in keys:
                for f, d in moves.get(k, {}).items():
                    out[f][inst.id] = out[f].get(inst.id, 0) + sign * d
    return {f: {i: d for i, d in touched.items() if d} for f, touched in out.items()}


def typo_kind(value: int, other: int) -> str | None:
    """swap or digit, when the slip tells something: a one-digit count changed is one digit either way."""
    a, b = str(value), str(other)
    if len(a) == len(b) and a != b and len(a.lstrip("-")) > 1:
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return "digit"
        if len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]:
            return "swap"
    return None


def groups(spec: Spec, values: dict, failed: list[tuple[RuleInstance, int | float]],
           via: tuple[RuleInstance, ...] = ()) -> list[Group]:
    eff = effects(spec, via)
    order = {inst.id: n for n, (inst, _) in enumerate(failed)}
    parent = {iid: iid for iid in order}

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    for touched in eff.values():
        hit = [i for i in touched if i in order]
        for other in hit[1:]:
            parent[root(other)] = root(hit[0])
    members: dict[str, list] = {}
    for inst, r in failed:
        members.setdefault(root(inst.id), []).append((inst, r))
    # an equation that cannot be evaluated (text in one of its cells) neither holds nor fails: a cell that
    # also enters it may still explain the failed ones
    unknown = {i.id for i in spec.instances if rules.residual(i, values) is None}
    return [Group(m, _candidates(spec, values, dict((i.id, r) for i, r in m), eff, unknown))
            for m in sorted(members.values(), key=lambda m: order[m[0][0].id])]


def _candidates(spec: Spec, values: dict, residuals: dict, eff: dict, unknown: set = frozenset()) -> list[Candidate]:
    out = []
    for key, touched in eff.items():
        touched = {i: d for i, d in touched.items() if i not in unknown}
        if set(touched) != set(residuals):
            continue
        value = rules.number(values.get(key))
        if value is None:
            continue
        deltas = {round(-residuals[i] / touched[i], 6) for i in touched}
        if len(deltas) != 1:
            continue
        needed = value + deltas.pop()
        cell = spec.cells[key]
        limits = spec.types[cell.type]
        if needed < limits.get("minimum", float("-inf")):
            continue
        if float(needed).is_integer():
            needed = int(needed)
        elif limits.get("integer"):
            continue
        else:
            needed = round(needed, limits.get("decimals", 6))
        typo = typo_kind(value, needed) if isinstance(value, int) and isinstance(needed, int) else None
        out.append(Candidate(key, value, needed, typo))
    return out      # in sheet order: gkxl.checks.evidence ranks them (a slip of a digit first, where it tells)
