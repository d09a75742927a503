"""Row groups published as one row (the 2019 layout's （六）其他处理, still used by some 2021-format reports).

Such a report gives the group's sum and leaves its rows blank. The form is then seen with the group's
row in place of its rows: every rule that sums the rows sums the group's row instead, and the rules of
the rows themselves become one rule of the group's row. The checks run unchanged on that view, so a
failed equation can name the group's figure as its candidate, and the blank rows are not findings.
"""
from __future__ import annotations

import dataclasses
from functools import cache

from gkxl.form.spec import Cell, RowGroup, RuleInstance, Spec, derive_order
from gkxl.text.errors import UsageError


def given(group: RowGroup, values: dict) -> bool:
    """The report gives the group's row (any figure of it, even a wrong one)."""
    return any(values.get(c.key) is not None for c in group.cells)


def published_as_one_row(spec: Spec, values: dict) -> list[RowGroup]:
    """Groups given as one row whose rows are all blank: their row stands for their rows."""
    return [g for g in spec.groups if given(g, values) and all(values.get(k) is None for k in g.parts)]


def view(spec: Spec, values: dict) -> Spec:
    """The form as the report gives it: `spec` itself unless a group is published as one row."""
    keys = tuple(g.key for g in published_as_one_row(spec, values))
    return with_groups(spec, keys) if keys else spec


@cache
def with_groups(spec: Spec, keys: tuple[str, ...]) -> Spec:
    """`spec` with the rows of the groups `keys` replaced by the groups' rows (cached: one object per view,
    so that what is cached per spec, such as the localisation effects, is computed once)."""
    groups = [g for g in spec.groups if g.key in keys]
    to_group = {part: c.key for g in groups for c in g.cells for part in c.parts}
    group_cells = {c.key: c for g in groups for c in g.cells}
    row_of = {row: g for g in groups for row in g.rows}

    instances: list[RuleInstance] = []
    seen: set[tuple] = set()
    for inst in spec.instances:
        if not to_group.keys() & set(inst.keys):
            instances.append(inst)
            continue
        lhs, rhs = _collapse(inst, inst.lhs, to_group), _collapse(inst, inst.rhs, to_group)
        group = row_of.get(inst.binding)
        binding, label = (group.key, group.label) if group else (inst.binding, inst.label)
        if (inst.rule.id, binding) in seen:      # the rule of each row becomes one rule of the group's row
            continue
        seen.add((inst.rule.id, binding))
        instances.append(RuleInstance(inst.rule, binding, lhs, rhs, label, to_group.get(inst.anchor, inst.anchor)))

    defining: dict[str, RuleInstance] = {}
    for inst in instances:
        if inst.rule.defines and len(inst.lhs) == 1:
            defining.setdefault(inst.lhs[0], inst)
    cells: dict[str, Cell] = {}
    for key, cell in spec.cells.items():
        if key in to_group:
            cell, key = group_cells[to_group[key]], to_group[key]
            if key in cells:
                continue
        if cell.defined_by is not defining.get(key):
            cell = dataclasses.replace(cell, defined_by=defining.get(key))
        cells[key] = cell
    return dataclasses.replace(spec, cells=cells, instances=instances, derive_order=derive_order(cells))


def _collapse(inst: RuleInstance, keys: list[str], to_group: dict[str, str]) -> list[str]:
    """Keys with the rows of a group replaced by the group's key, once. A sum over only some of a group's
    rows cannot be said in the group's figure: the spec is refused."""
    out: list[str] = []
    for k in keys:
        g = to_group.get(k, k)
        if g not in out:
            out.append(g)
    for g in set(out) - set(keys):
        n = sum(to_group.get(k) == g for k in keys)
        parts = sum(v == g for v in to_group.values())
        if n not in (1, parts):
            raise UsageError("spec.unknown_key", key=g, rule=inst.id)
    return out
