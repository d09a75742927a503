"""Who sent the return and for which year: unit name, unit code, report year, an untouched template."""
from __future__ import annotations

from gkxl.checks.context import Check, Context
from gkxl.findings.finding import Finding
from gkxl.form import rules
from gkxl.form.model import Report, unit_key
from gkxl.form.spec import Spec
from gkxl.form.unit_code import problem as code_problem
from gkxl.text.numbers import read_number

BLANK = {"zh": "（空白）", "en": "(blank)"}


def _at(spec: Spec, name: str, f: Finding, value) -> Finding:
    cell = spec.meta_cell(name)
    if cell is not None:
        f.sheet, f.cell, f.row_label, f.key = cell.sheet, cell.ref, cell.label, cell.key
    f.value = value
    return f


def report_year(value) -> int | None:
    """The year as a number, also from a JSON 2024.0; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, int) else None


def identity_findings(report: Report, ctx: Context) -> list[Finding]:
    """Unit, year and code as a collecting office needs them; what the reader has said already (two info
    blocks that disagree, say) is not said again."""
    spec, year = ctx.spec, ctx.year
    said = ctx.said & {"ID-unit", "ID-year"}
    out = []
    unit = report.unit
    if unit is None or (isinstance(unit, str) and not unit.strip()):
        out.append(_at(spec, "unit", Finding.of("ID-unit", "chk.unit_missing"), unit))
    elif not isinstance(unit, str):
        out.append(_at(spec, "unit", Finding.of("ID-unit", "chk.unit_not_text", value=unit), unit))
    found = report_year(report.year)
    lo, hi = spec.years
    if found is None:
        shown = BLANK if report.year in (None, "") else report.year
        guess = read_number(report.year, "year").value if isinstance(report.year, str) else None
        f = Finding.of("ID-year", "chk.year_suggest", value=shown, suggest=guess) if guess is not None \
            else Finding.of("ID-year", "chk.year_missing", value=shown)
        out.append(_at(spec, "year", f, report.year))
    elif not lo <= found <= hi:
        out.append(_at(spec, "year", Finding.of("ID-year", "chk.year_range", value=found, lo=lo, hi=hi), report.year))
    elif year is not None and found != year:
        f = _at(spec, "year", Finding.of("ID-year", "chk.year_wrong", value=found, expected=year), report.year)
        f.expected = year
        out.append(f)
    if report.unit_code is not None and not isinstance(report.unit_code, str):     # a JSON number: the code is lost
        out.append(_at(spec, "unit_code", Finding.of("V-type", "chk.not_text", value=report.unit_code), report.unit_code))
    elif report.unit_code not in (None, ""):
        why = code_problem(report.unit_code)
        if why:
            out.append(_at(spec, "unit_code", Finding.of("ID-code", why, value=report.unit_code), report.unit_code))
    issued = issued_unit(report)
    if issued and isinstance(unit, str) and unit.strip() and unit_key(unit) != unit_key(issued):
        out.append(_at(spec, "unit", Finding.of("ID-renamed", "chk.renamed", value=unit, issued=issued), unit))
    if _untouched(report, spec):
        out.append(Finding.of("ID-untouched", "chk.untouched"))
    return [f for f in out if f.rule not in said]


def _untouched(report: Report, spec: Spec) -> bool:
    """A return (not a summary or a published report) whose every figure is 0 and contact fields blank."""
    if workbook_role(report) != "template":
        return False
    if any(rules.number(report.values.get(c.key)) != 0 for c in spec.inputs if c.numeric):
        return False        # a filled return stops at its first figure
    info = {s.name for s in spec.sheets if s.holds == "info"}
    return all(report.values.get(c.key) in (None, "") for c in spec.value_cells if not c.numeric and c.sheet in info)


def issued_unit(report: Report) -> str | None:
    """The unit a gkxl template was issued to (its hidden metadata), whatever the name cell now says."""
    meta = report.source.get("metadata")
    unit = meta.get("unit") if isinstance(meta, dict) else None
    return unit.strip() if isinstance(unit, str) and unit.strip() and workbook_role(report) == "template" else None


def unit_keys(report: Report) -> set[tuple[str, str]]:
    """What identifies a return's unit: the unit its template was issued to, the name it shows, and its
    单位代码. Two returns share a unit when they share any of these."""
    keys = set()
    for name in (issued_unit(report), report.unit):
        if isinstance(name, str) and name.strip():
            keys.add(("name", unit_key(name)))
    if isinstance(report.unit_code, str) and report.unit_code.strip():
        keys.add(("code", report.unit_code.strip().upper()))
    return keys


def workbook_role(report: Report) -> str | None:
    """What a gkxl workbook says it is (its hidden metadata): template (a return), summary, parsed, annotated;
    older workbooks wrote it as "kind"."""
    meta = report.source.get("metadata")
    meta = meta if isinstance(meta, dict) else {}      # a JSON return's source is whatever its writer put there
    return str(meta.get("role") or meta.get("kind") or "") or None


IDENTITY = Check("identity", identity_findings, ("ID-unit", "ID-year", "V-type", "ID-code", "ID-renamed", "ID-untouched"))
