"""Across years: this year's return against the same unit's return of the year before (`--previous`)."""
from __future__ import annotations

from gkxl.checks.context import Check, Context
from gkxl.checks.identity import report_year, unit_keys
from gkxl.findings.finding import Finding
from gkxl.form import rules
from gkxl.form.model import Report
from gkxl.form.spec import Spec
from gkxl.text.messages import Message


def with_totals(spec: Spec, values: dict) -> dict:
    """Values with totals filled in where a workbook was saved without calculating them."""
    out = dict(values)
    for key, v in rules.derive(spec, values).items():
        if rules.number(out.get(key)) is None:
            out[key] = v
    return out


def last_years_return(report: Report, previous) -> tuple[Report | None, Finding | None]:
    """The return of the same unit for the year before, among last year's; or a warning why none."""
    mine = unit_keys(report)
    year = report_year(report.year)
    for last in previous:
        if last.format == report.format and mine & unit_keys(last) and \
                (year is None or report_year(last.year) == year - 1):
            return last, None
    shown_year = year - 1 if year is not None else "上一"
    return None, Finding.of("Y-prev", "chk.prev_unmatched", unit=report.unit, year=shown_year)


def continuity_findings(report: Report, ctx: Context) -> list[Finding]:
    spec, previous = ctx.spec, ctx.previous
    if not previous:
        return []
    last, unmatched = last_years_return(report, previous)
    if last is None:
        return [unmatched]
    out = []
    now, before_values = with_totals(spec, report.values), with_totals(spec, last.values)
    for yr in spec.year_rules:
        this = rules.number(now.get(yr.this))
        before = rules.total(before_values, yr.last)
        plus, minus = rules.total(now, yr.plus), rules.total(now, yr.minus)
        if this is None or before is None or plus is None or minus is None:
            continue
        expected = before + plus - minus
        if this != expected:      # either year may hold the wrong figure: no expected value is stated
            cell = spec.cells[yr.this]
            out.append(Finding(yr.id, yr.severity,
                               Message("chk.prev_carry", message=yr.message, value=this, expected=expected),
                               cell.sheet, cell.ref, this, None, cell.row_label, cell.col_label, key=cell.key))
    return out


def copied_findings(report: Report, ctx: Context) -> list[Finding]:
    """Every table figure the same as last year's, and some of them not zero: a sign of a copied table."""
    spec, previous = ctx.spec, ctx.previous
    if not previous:
        return []
    last, _ = last_years_return(report, previous)     # no return of last year: continuity_findings says so
    if last is None:
        return []
    keys = [c.key for c in spec.value_cells if c.numeric and c.sheet != spec.sheets[0].name]
    pairs = [(report.values.get(k), last.values.get(k)) for k in keys]
    numbers = [(a, b) for a, b in pairs if rules.number(a) is not None and rules.number(b) is not None]
    nonzero = sum(1 for a, _ in numbers if a != 0)
    if len(numbers) < len(keys) * 0.8 or nonzero < 3 or any(a != b for a, b in numbers):
        return []
    return [Finding.of("N-copied", "narrative.copied", count=len(numbers), nonzero=nonzero)]


CONTINUITY = Check("continuity", continuity_findings, lambda spec: (*dict.fromkeys(y.id for y in spec.year_rules), "Y-prev"))
COPIED = Check("copied", copied_findings, ("N-copied",))
