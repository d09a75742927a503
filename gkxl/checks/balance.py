"""The spec's balancing rules: stored totals against their parts, then every failed equation, localised.

A stored (cached) total of a workbook that differs from its recomputation is a finding of its own on that
total. Equations broken only by a value that is already wrong in itself (a decimal count, a negative) are not
findings of their own: that value's finding says which it breaks (gkxl.checks.values), the one cell the clerk
must fix.
"""
from __future__ import annotations

import math

from gkxl.checks.context import Check, Context
from gkxl.checks.equations import equation_name, equations
from gkxl.checks.evidence import Ranked, lead, rank
from gkxl.checks.localise import Group, effects, groups
from gkxl.checks.values import NUMERIC_FINDINGS, explained, value_findings
from gkxl.findings.finding import Finding
from gkxl.findings.notice import SHOWN_CANDIDATES as SHOWN
from gkxl.form import rules
from gkxl.form.model import Report
from gkxl.form.spec import RuleInstance, Spec
from gkxl.text.messages import Message


def _equation(inst: RuleInstance, values: dict, residual) -> Message:
    return Message("chk.equation", name=equation_name(inst), expression=inst.rule.expression,
                   lhs=rules.total(values, inst.lhs), rhs=rules.total(values, inst.rhs), diff=residual)


def stored_total_findings(report: Report, spec: Spec, recomputed: dict, skip_keys) -> list[Finding]:
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


def _check_balance(report: Report, ctx: Context) -> list[Finding]:
    """Stored-total findings, then one finding per group of failed equations."""
    spec = ctx.spec
    state = ctx.once(equations, report)
    out: list[Finding] = []
    if state.recomputed is not None:
        out += stored_total_findings(report, spec, state.recomputed, state.skip_keys)
    laid = {i.id for found in ctx.once(explained, report).values() for i, _ in found}
    failed = [(i, r) for i, r in state.failed if i.id not in laid]
    if not failed:
        return out
    eff = effects(spec, ctx.via)
    bad = [f.key for f in ctx.once(value_findings, report) if f.rule in NUMERIC_FINDINGS and f.key in eff]
    for group in groups(spec, state.effective, failed, ctx.via):
        # a wrong value (1.5, -3) still in the equations makes every value they imply doubtful: none is pinned
        doubtful = any(i.id in eff[k] for k in bad for i, _ in group.instances)
        ranked = rank(report, ctx, group.candidates)
        out.append(_group_finding(spec, state.effective, group, ranked, pin=not doubtful))
    return out


def _group_finding(spec: Spec, values: dict, group: Group, ranked: list[Ranked], pin: bool = True) -> Finding:
    """One finding for a group of failed equations: led by one short sentence, then the one cell that
    explains it, or the likeliest few of the cells that could (the rest counted), the equations in full
    as the hint."""
    first, residual = group.instances[0]
    severity = "error" if any(i.rule.severity == "error" for i, _ in group.instances) else "warning"
    messages = list({i.rule.id: i.rule.message for i, _ in group.instances}.values())
    message = messages[0] if len(messages) == 1 else {
        lang: "".join(m[lang] if lang == "zh" else m[lang] + " " for m in messages) for lang in ("zh", "en")}
    said = lead(spec, first, residual, len(group.instances) - 1)
    detail = Message("chk.balance_detail", message=message,
                     equations=Message("chk.equations", items=[_equation(i, values, r) for i, r in group.instances]))
    if len(ranked) == 1 and pin:
        c = ranked[0].candidate
        cell = spec.cells[c.key]
        typo = Message(f"chk.typo_{c.typo}") if c.typo else ""
        f = Finding(first.rule.id, severity,
                    Message("chk.balance_one", lead=said, value=c.value, expected=c.needed, typo=typo),
                    cell.sheet, cell.ref, c.value, c.needed, cell.row_label, cell.col_label, key=c.key)
    else:
        anchor = spec.cells[first.anchor]
        if ranked:
            rest = len(ranked) - SHOWN
            f = Finding(first.rule.id, severity,
                        Message("chk.balance_candidates", lead=said, items=[_candidate_text(spec, r) for r in ranked[:SHOWN]],
                                rest=Message("chk.balance_rest", count=rest) if rest > 0 else ""),
                        anchor.sheet, None, key=None)
        else:
            cells = sorted({spec.cells[k].where for i, _ in group.instances for k in i.keys}, key=lambda w: (len(w), w))
            f = Finding(first.rule.id, severity, Message("chk.balance_unexplained", lead=said, cells=cells),
                        anchor.sheet, None, key=None)
    f.hint = detail
    f.candidates = [{"cell": spec.cells[r.candidate.key].where, "key": r.candidate.key, "value": r.candidate.value,
                     "needed": r.candidate.needed, "typo": r.candidate.typo,
                     "why": {lang: "；".join(m.render(lang) for m in r.why) if lang == "zh" else "; ".join(m.render(lang) for m in r.why)
                             for lang in ("zh", "en")} if r.why else None}
                    for r in ranked]
    f.equations = [equation_name(i) for i, _ in group.instances]
    return f


def _candidate_text(spec: Spec, r: Ranked) -> Message:
    c = r.candidate
    cell = spec.cells[c.key]
    why = Message("chk.why", reasons=r.why) if r.why else ""
    return Message("chk.candidate", where=cell.where, label=cell.label, value=c.value, needed=c.needed, why=why)


BALANCE = Check("balance", _check_balance, lambda spec: tuple(dict.fromkeys(r.id for r in spec.rules)))
