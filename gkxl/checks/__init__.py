"""Checking a report: the list of checks, run in order over what a reader produced.

Each check is a small function (report, context) -> findings, from one concern: values against their
types, identity, the balancing rules with localisation, continuity with last year (and a table copied
from it). `CHECKS` is the one list; the workbook's 校验 sheet and README's table come from the same spec
rules and finding catalogue. Files are read by gkxl.published.reading: workbooks, JSON, and Word and PDF
reports (parsed, their totals as published).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gkxl.checks.balance import balance_findings
from gkxl.checks.continuity import continuity_findings, copied_findings
from gkxl.checks.groups import group_findings
from gkxl.checks.identity import identity_findings
from gkxl.checks.values import value_findings
from gkxl.findings.finding import Finding
from gkxl.findings.report import FileResult
from gkxl.form import groups
from gkxl.form.model import Report
from gkxl.form.spec import Spec
from gkxl.io.read import ReadResult
from gkxl.published.reading import read_any
from gkxl.text.errors import GkxlError


@dataclass
class Context:
    result: ReadResult
    year: int | None = None
    previous: tuple = ()
    found: list[Finding] = field(default_factory=list)      # what earlier checks said
    spec: Spec | None = None        # the form as the report gives it (a row group published as one row)


def _values(report: Report, ctx: Context) -> list[Finding]:
    return value_findings(report, ctx.spec, ctx.result.skipped_sheets, ctx.result.stored_totals, ctx.result.unread)


def _groups(report: Report, ctx: Context) -> list[Finding]:
    return group_findings(report, ctx.spec)


def _identity(report: Report, ctx: Context) -> list[Finding]:
    said = {f.rule for f in ctx.found if f.rule in ("ID-unit", "ID-year")}     # the reader already said why
    return [f for f in identity_findings(report, ctx.spec, ctx.year) if f.rule not in said]


def _balance(report: Report, ctx: Context) -> list[Finding]:
    return balance_findings(report, ctx.spec, ctx.result.stored_totals, ctx.result.skipped_sheets, ctx.found,
                            ctx.result.unread)


def _continuity(report: Report, ctx: Context) -> list[Finding]:
    return continuity_findings(report, ctx.spec, ctx.previous)


def _copied(report: Report, ctx: Context) -> list[Finding]:
    return copied_findings(report, ctx.spec, ctx.previous)


CHECKS = (_values, _groups, _identity, _balance, _continuity, _copied)


def check_read(result: ReadResult, *, year: int | None = None, previous=()) -> list[Finding]:
    """All findings of one read report. `previous`: last year's reports (any units; matched by unit)."""
    if isinstance(previous, Report):
        previous = (previous,)
    _settle_year(result, year)
    ctx = Context(result, year, tuple(previous), list(result.findings))
    ctx.spec = groups.view(result.report.spec, result.report.values)
    for check in CHECKS:
        ctx.found += check(result.report, ctx)
    result.locate(ctx.found[len(result.findings):], result.report.spec)
    return ctx.found


def _settle_year(result: ReadResult, year: int | None) -> None:
    """A workbook whose info blocks give several years, one of them the --year asked for: that one, said."""
    years = (result.report.source.get("candidates") or {}).get("year") or []
    if year is None or result.report.year is not None or year not in years:
        return
    result.report.year = year
    result.findings = [f for f in result.findings if not (f.rule == "ID-year" and f.message.code == "locate.identity_twice")]
    result.findings.append(Finding.of("ID-source", "locate.year_by_option", items=[str(y) for y in years], year=year))


def unreadable(path, reason) -> FileResult:
    """The result of a file whose reading failed in its worker (died, overran its limits): `reason` a Message."""
    return FileResult(str(path), "unreadable", error=reason)


def check_path(path: Path, *, year: int | None = None, previous=(), keep_report: bool = True) -> FileResult:
    """Check one file. `keep_report` False drops the values from the result (a batch's worker processes
    then send back only what the report shows)."""
    try:
        result = read_any(path)
        findings = check_read(result, year=year, previous=previous)
    except GkxlError as e:
        return FileResult(str(path), "unreadable", error=e.message)
    report = result.report
    status = "invalid" if any(f.severity == "error" for f in findings) else "ok"
    return FileResult(str(path), status, report.unit, report.year, findings, report=report if keep_report else None)
