"""Balanced example figures for any form spec: what tests, benchmarks and the desk's pictures fill in.

Driven by the spec alone: every input gets a value of its type, each equation that is not a total's
definition is then made to hold by sharing its right side among the inputs on its left, and the totals
are filled in as an honest clerk's spreadsheet holds them. A seed gives the same figures every time.
"""
from __future__ import annotations

import random

from gkxl.form import rules
from gkxl.form.spec import Spec


def _value(typ: str, rng: random.Random, high: int):
    if typ == "count":
        return rng.choice([0, 0, 0, rng.randint(0, high)])
    if typ == "delta":
        return rng.randint(-5, 5)
    if typ == "amount":
        return round(rng.uniform(0, 50), 4)
    return None


def balanced_values(spec: Spec, rng: random.Random, high: int = 40) -> dict:
    """Figures of one return that satisfy every rule of the spec (texts on the text sheet filled in)."""
    values: dict = {}
    for cell in spec.inputs:
        if cell.numeric:
            values[cell.key] = _value(cell.type, rng, high)
        elif spec.sheet(cell.sheet).holds == "text":
            values[cell.key] = f"{cell.label}：本年度情况说明。"
        else:
            values[cell.key] = None
    for inst in spec.instances:
        if inst.rule.defines:
            continue
        free = [k for k in inst.lhs if spec.cells[k].is_input and spec.cells[k].type == "count"]
        if not free:
            continue                          # holds once the equations of its parts hold (a total column)
        known = {**values, **rules.derive(spec, values)}
        share = rules.total(known, inst.rhs) - sum(known[k] for k in inst.lhs if k not in free)
        if share < 0:                         # the left side's other terms already exceed the right
            for k in inst.lhs:
                if k not in free and spec.cells[k].is_input:
                    values[k] = 0
            known = {**values, **rules.derive(spec, values)}
            share = max(0, rules.total(known, inst.rhs) - sum(known[k] for k in inst.lhs if k not in free))
        cuts = sorted(rng.randint(0, share) for _ in free[:-1])
        for key, low, up in zip(free, [0, *cuts], [*cuts, share]):
            values[key] = up - low
    values.update(rules.derive(spec, values))
    return values
