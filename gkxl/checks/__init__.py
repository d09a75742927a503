"""Checking a report: pure functions of the report and its context, run in one list.

Each check is a `Check` (gkxl.checks.context): a concern, the finding types it declares, and a function
(report, context) -> findings. `CHECKS` is the one list; README's table of checks and the catalogue follow
the same types. Nothing here reads a file: gkxl.actions.check reads (gkxl.published.reading.read_any) and
builds the context.
"""
from __future__ import annotations

from gkxl.checks.balance import BALANCE
from gkxl.checks.context import Check, Context
from gkxl.checks.continuity import CONTINUITY, COPIED
from gkxl.checks.groups import GROUPS
from gkxl.checks.identity import IDENTITY
from gkxl.checks.narrative import NARRATIVE
from gkxl.checks.values import VALUES
from gkxl.findings.finding import Finding
from gkxl.form.model import Report
from gkxl.form.spec import Spec

CHECKS: tuple[Check, ...] = (VALUES, GROUPS, IDENTITY, BALANCE, CONTINUITY, COPIED, NARRATIVE)

__all__ = ["CHECKS", "Check", "Context", "run_checks", "declared_types"]


def run_checks(report: Report, context: Context) -> list[Finding]:
    """Every check's findings, in the list's order."""
    out: list[Finding] = []
    for check in CHECKS:
        out += check.run(report, context)
    return out


def declared_types(spec: Spec) -> dict[str, tuple[str, ...]]:
    """Each check's finding types for this form, by check name."""
    return {c.name: c.types_for(spec) for c in CHECKS}
