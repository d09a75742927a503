"""A return's own 文字部分 against its tables: the narrative rules a published report is read with (gkxl.published
.narrative) run on the text sheets of a workbook too. A published report has them said by its parser."""
from __future__ import annotations

from gkxl.checks.context import Check, Context
from gkxl.findings.finding import Finding
from gkxl.form.model import Report


def narrative_findings(report: Report, ctx: Context) -> list[Finding]:
    if report.source.get("published"):
        return []
    from gkxl.checks.equations import equations
    from gkxl.published.narrative import mismatches
    return [m.finding(ctx.spec) for m in mismatches(report, ctx.spec, ctx.once(equations, report).effective)]


NARRATIVE = Check("narrative", narrative_findings, lambda spec: tuple(dict.fromkeys(r.id for r in spec.narrative)))
