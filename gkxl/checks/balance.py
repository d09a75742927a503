"""The spec's balancing rules: stored totals against their parts, then every equation, localised.

In a workbook the totals are formulas the clerk cannot edit: equations are evaluated with the totals
recomputed from the inputs, and a stored (cached) total that differs from its recomputation is a finding
of its own on that total. In published figures (JSON, parsed reports) the totals are figures like any
other and may themselves be the wrong cell.
"""
from __future__ import annotations

import math

from gkxl.checks.localise import Candidate, Group, effects, groups
from gkxl.checks.values import NUMERIC_FINDINGS, value_finding
from gkxl.findings.finding import Finding
from gkxl.form import rules
from gkxl.form.model import Report
from gkxl.form.spec import RuleInstance, Spec
from gkxl.text.messages import Message


def equation_name(inst: RuleInstance) -> str:
    return f"{inst.rule.id}（{inst.label.split(' · ')[-1]}）" if inst.label else inst.rule.id


def _equation(inst: RuleInstance, values: dict, residual) -> Message:
    return Message("chk.equation", name=equation_name(inst), expression=inst.rule.expression,
                   lhs=rules.total(values, inst.lhs), rhs=rules.total(values, inst.rhs), diff=residual)


def stored_total_findings(report: Report, spec: Spec, recomputed: dict, skip_keys: set) -> list[Finding]:
    out = []
    for cell in spec.totals:
        stored, fresh = rules.number(report.values.get(cell.key)), recomputed.get(cell.key)
        if cell.key in skip_keys or stored is None or fresh is None or math.isclose(stored, fresh, rel_tol=1e-12, abs_tol=1e-9):
            continue        # a spreadsheet may add fractions in another order: the last bit is not a finding
        rule = cell.defined_by.rule
        out.append(Finding(rule.id, rule.severity,
                           Message("chk.stored_total", message=rule.message, value=stored, expected=fresh),
                           cell.sheet, cell.ref, stored, fresh, cell.row_label, cell.col_label, key=cell.key))
    return out


def balance_findings(report: Report, spec: Spec, stored_totals: bool, skip_sheets=(),
                     value_problems: list[Finding] = (), skip=()) -> list[Finding]:
    """Stored-total findings, then one finding per group of failed equations.

    Equations broken only by a value that is already wrong in itself (a decimal count, a negative) are
    not findings of their own: they are listed in that value's finding, the one cell the clerk must fix."""
    skip_keys = {k for k, c in spec.cells.items() if c.sheet in skip_sheets} | set(skip)
    out: list[Finding] = []
    if stored_totals:
        effective = report.values
    else:
        recomputed = rules.derive(spec, report.values)
        effective = {**report.values, **recomputed}
        out += stored_total_findings(report, spec, recomputed, skip_keys)
    failed = []
    for inst in spec.instances:
        if skip_keys.intersection(inst.keys):
            continue
        r = rules.residual(inst, effective)
        if r is not None and r != 0:
            failed.append((inst, r))
    failed = _explained_by_bad_values(spec, effective, failed, value_problems, stored_totals)
    if not failed:
        return out
    eff = effects(spec, stored_totals)
    bad = [f.key for f in value_problems if f.rule in NUMERIC_FINDINGS and f.key in eff]
    for group in groups(spec, effective, failed, stored_totals):
        # a wrong value (1.5, -3) still in the equations makes every value they imply doubtful: none is pinned
        doubtful = any(i.id in eff[k] for k in bad for i, _ in group.instances)
        out.append(_group_finding(spec, effective, group, pin=not doubtful))
    return out


def _explained_by_bad_values(spec, effective, failed, value_problems, stored_totals):
    """The failed equations that a wrong value explains: listed in that value's finding, not reported again.

    With one wrong value in it, an equation is explained only when a valid value of that cell would make
    it (and the other equations laid to that cell) hold: 1.5 typed for 1 explains T3-c, but not when 一
    is also 5 short, which must then still be said. With several wrong values in it, any could."""
    bad = [f for f in value_problems if f.rule in NUMERIC_FINDINGS and f.key]
    if not bad or not failed:
        return failed
    eff = effects(spec, stored_totals)
    caused: dict[int, list] = {}
    shared = set()
    for inst, r in failed:
        culprits = [f for f in bad if inst.id in eff.get(f.key, {})]
        for f in culprits:
            caused.setdefault(id(f), []).append((inst, r))
        if len(culprits) > 1:
            shared.add(inst.id)
    explained = set()
    for f in bad:
        laid = caused.get(id(f), [])
        alone = [(i, r) for i, r in laid if i.id not in shared]
        if alone and not _valid_value_explains(spec, f, alone, eff[f.key]):
            laid = [(i, r) for i, r in laid if i.id in shared]
        if laid:
            f.hint = Message("chk.breaks", equations="、".join(equation_name(i) for i, _ in laid))
            explained |= {i.id for i, _ in laid}
    return [(inst, r) for inst, r in failed if inst.id not in explained]


def _valid_value_explains(spec, f: Finding, failed, touched: dict) -> bool:
    """Whether one valid value of the wrong cell makes every equation of `failed` hold."""
    value = rules.number(f.value)
    deltas = {round(-r / touched[i.id], 6) for i, r in failed}
    if value is None or len(deltas) != 1:
        return False
    needed = round(value + deltas.pop(), 6)        # residuals are rounded: so is what they imply
    if isinstance(needed, float) and needed.is_integer():
        needed = int(needed)
    return value_finding(spec.cells[f.key], needed, spec) is None


def _group_finding(spec: Spec, values: dict, group: Group, pin: bool = True) -> Finding:
    first = group.instances[0][0]
    severity = "error" if any(i.rule.severity == "error" for i, _ in group.instances) else "warning"
    messages = list({i.rule.id: i.rule.message for i, _ in group.instances}.values())
    message = messages[0] if len(messages) == 1 else {
        lang: "".join(m[lang] if lang == "zh" else m[lang] + " " for m in messages) for lang in ("zh", "en")}
    equations = Message("chk.equations", items=[_equation(i, values, r) for i, r in group.instances])
    cands = group.candidates
    if len(cands) == 1 and pin:
        c = cands[0]
        cell = spec.cells[c.key]
        typo = Message(f"chk.typo_{c.typo}") if c.typo else ""
        f = Finding(first.rule.id, severity,
                    Message("chk.balance_one", message=message, equations=equations, value=c.value,
                            expected=c.needed, typo=typo),
                    cell.sheet, cell.ref, c.value, c.needed, cell.row_label, cell.col_label, key=c.key)
    else:
        anchor = spec.cells[first.anchor]
        if cands:
            code = "chk.balance_candidates"
            params = {"items": [_candidate_text(spec, c) for c in cands]}
        else:
            code = "chk.balance_unexplained"
            params = {"cells": sorted({spec.cells[k].where for i, _ in group.instances for k in i.keys},
                                      key=lambda w: (len(w), w))}
        f = Finding(first.rule.id, severity, Message(code, message=message, equations=equations, **params),
                    anchor.sheet, None, key=None)
    f.candidates = [{"cell": spec.cells[c.key].where, "key": c.key, "value": c.value, "needed": c.needed,
                     "typo": c.typo} for c in cands]
    f.equations = [equation_name(i) for i, _ in group.instances]
    return f


def _candidate_text(spec: Spec, c: Candidate) -> Message:
    cell = spec.cells[c.key]
    return Message("chk.candidate", where=cell.where, label=cell.label, value=c.value, needed=c.needed,
                   typo=Message(f"chk.typo_{c.typo}") if c.typo else "")
