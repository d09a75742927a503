"""The spec's equations over one report, computed once for the checks that need them (values, balance).

In a workbook the totals are formulas the clerk cannot edit: equations are evaluated with the totals
recomputed from the inputs. In published figures (JSON, parsed reports) the totals are figures like any other.
"""
from __future__ import annotations

from dataclasses import dataclass

from gkxl.checks.context import Context
from gkxl.form import rules
from gkxl.form.model import Report
from gkxl.form.spec import RuleInstance


@dataclass
class Equations:
    effective: dict                             # the values the equations are evaluated on
    recomputed: dict | None                     # totals recomputed from the inputs (a workbook's formulas)
    skip_keys: frozenset[str]                   # cells not read: equations over them are not evaluated
    failed: list[tuple[RuleInstance, int | float]]   # (equation, left − right), in spec order


def equations(report: Report, ctx: Context) -> Equations:
    spec = ctx.spec
    skip = frozenset({k for k, c in spec.cells.items() if c.sheet in ctx.skipped_sheets} | ctx.unread)
    recomputed = None
    effective = report.values
    if ctx.recompute:
        recomputed = rules.derive(spec, report.values)
        effective = {**report.values, **recomputed}
    failed = []
    for inst in spec.instances:
        if skip.intersection(inst.keys):
            continue
        r = rules.residual(inst, effective)
        if r is not None and r != 0:
            failed.append((inst, r))
    return Equations(effective, recomputed, skip, failed)


def equation_name(inst: RuleInstance) -> str:
    return f"{inst.rule.id}（{inst.label.split(' · ')[-1]}）" if inst.label else inst.rule.id
