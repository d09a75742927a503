"""What ranks the candidates of a failed equation: sources independent of the equation itself.

A failed equation with several candidates says "one of these"; which one is likelier is told by what the
return carries besides: its own 文字部分 (a sentence "收到申请105件" that the candidate's needed value makes
true), last year's return (a carried-over figure whose needed value continues last year's), and typo
likeness only where it discriminates (98 for 93 is a telling slip; 3 for 8 is one digit either way and
tells nothing). Evidence orders the candidates and is shown beside them; it never pins one: the text or last
year may be the wrong one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from gkxl.checks.context import Context
from gkxl.checks.equations import equations
from gkxl.checks.localise import Candidate
from gkxl.form import rules
from gkxl.form.model import Report
from gkxl.form.spec import RuleInstance, Spec
from gkxl.text.messages import Message

_ORDINAL = re.compile(r"^(?:([一二三四五六七八九十]+)、|（([一二三四五六七八九十]+)）|\(([一二三四五六七八九十]+)\))")


@dataclass
class Ranked:
    candidate: Candidate
    score: int = 0
    why: list[Message] = field(default_factory=list)


def rank(report: Report, ctx: Context, candidates: list[Candidate]) -> list[Ranked]:
    """The candidates, likeliest first (stable otherwise: sheet order), each with what speaks for it."""
    stated = ctx.once(_narrative_statements, report)
    last = ctx.once(_last_year, report)
    effective = ctx.once(equations, report).effective
    # a slip of one digit tells which cell only when few candidates look like one: with a difference of 30,
    # most two-digit counts do
    telling = sum(1 for c in candidates if c.typo) <= max(1, len(candidates) // 3)
    out = []
    for c in candidates:
        r = Ranked(c)
        if stated:
            changed = _changed(ctx, effective, c)
            for number, alternatives in stated:
                if any(_states(number, changed, keys) and not _states(number, effective, keys) for keys in alternatives):
                    r.score += 3
                    r.why.append(Message("chk.why_text", number=number))
                    break
        for this, expected in last:
            if this == c.key and expected is not None:
                if expected == c.needed:
                    r.score += 2
                    r.why.append(Message("chk.why_last_year", expected=expected))
                elif expected == c.value:
                    r.score -= 2
                    r.why.append(Message("chk.why_last_year_agrees", value=c.value))
        if c.typo and telling:
            r.score += 1
            r.why.append(Message(f"chk.why_{c.typo}"))
        out.append(r)
    return sorted(out, key=lambda r: -r.score)


def _narrative_statements(report: Report, ctx: Context) -> list[tuple[object, list[list[str]]]]:
    """(number, the cells each reading of it sums) for every figure the return's own text states and its
    tables give otherwise."""
    from gkxl.checks.narrative import narrative_statements
    return [said for m, said in ctx.once(narrative_statements, report) if m is not None]


def _changed(ctx: Context, values: dict, c: Candidate) -> dict:
    """The figures with the candidate changed, and the totals that follow it (formulas) recomputed."""
    out = dict(values)
    out[c.key] = c.needed
    for inst in ctx.via:
        out[inst.lhs[0]] = rules.total(out, inst.rhs)
    return out


def _states(number, values: dict, keys: list[str]) -> bool:
    figure = rules.total(values, keys)
    return figure is not None and abs(figure - number) < 1e-9


def _last_year(report: Report, ctx: Context) -> list[tuple[str, object]]:
    """(this year's carried-over cell, the figure last year's return implies for it)."""
    if not ctx.previous:
        return []
    from gkxl.checks.continuity import last_years_return, with_totals
    last, _ = last_years_return(report, ctx.previous)
    if last is None:
        return []
    spec = ctx.spec
    now, before = with_totals(spec, report.values), with_totals(spec, last.values)
    out = []
    for yr in spec.year_rules:
        b, plus, minus = rules.total(before, yr.last), rules.total(now, yr.plus), rules.total(now, yr.minus)
        out.append((yr.this, None if None in (b, plus, minus) else b + plus - minus))
    return out


def lead(spec: Spec, inst: RuleInstance, residual, others: int) -> Message:
    """The failed equation in one short sentence: 表三自然人一列：一+二 比 （七）+四 多 5 件, or for an equation
    along a row, 表三“3.补正后申请内容仍不明确”一行：总计 比 自然人+商业企业+… 少 2 件."""
    first = spec.cells[inst.lhs[0]]
    keys = [*inst.lhs, *inst.rhs]
    unit = {"count": {"zh": "件", "en": ""}, "amount": {"zh": "万元", "en": " (10,000 yuan)"}}.get(first.type, "")
    said = {"more": Message("chk.lead_more") if residual > 0 else Message("chk.lead_less"), "diff": abs(residual),
            "unit": unit, "others": Message("chk.lead_others", count=others) if others else "", "sheet": first.sheet}
    if len({spec.cells[k].row_label for k in keys}) == 1 and len({spec.cells[k].col_label for k in keys}) == len(keys):
        name = lambda k: spec.cells[k].col_label.split(" · ")[-1].strip()       # noqa: E731  (terms are columns)
        return Message("chk.lead_row", row=_short(first.row_label, 16), lhs="+".join(map(name, inst.lhs)),
                       rhs="+".join(map(name, inst.rhs)), **said)
    return Message("chk.lead", column=first.col_label or "", lhs=_terms(spec, inst.lhs), rhs=_terms(spec, inst.rhs),
                   **said)


def _terms(spec: Spec, keys) -> str:
    return "+".join(_short(spec.cells[k].row_label) for k in keys)


def _short(label: str, most: int = 8) -> str:
    part = label.split(" · ")[-1].strip()
    m = _ORDINAL.match(part)
    if m and most <= 8:
        return m.group(1) or f"（{m.group(2) or m.group(3)}）"
    return part if len(part) <= most else part[:most] + "…"
