"""A return's own 文字部分 against its tables: the narrative rules a published report is read with (gkxl.published
.narrative) run on the text sheets of a workbook too. A published report has them said by its parser."""
from __future__ import annotations

from gkxl.checks.context import Check, Context
from gkxl.findings.finding import Finding
from gkxl.form.model import Report


def narrative_statements(report: Report, ctx: Context) -> list:
    """Every figure the text states (gkxl.published.narrative.statements), on the figures the equations
    are evaluated on: read once for this check and for ranking a balance finding's candidates."""
    from gkxl.checks.equations import equations
    from gkxl.published.narrative import statements
    return statements(report, ctx.spec, ctx.once(equations, report).effective)


def narrative_findings(report: Report, ctx: Context) -> list[Finding]:
    if report.source.get("published"):
        return []
    return [m.finding(ctx.spec) for m, _ in ctx.once(narrative_statements, report) if m is not None]


NARRATIVE = Check("narrative", narrative_findings, lambda spec: tuple(dict.fromkeys(r.id for r in spec.narrative)))
