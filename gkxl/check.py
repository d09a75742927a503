"""Check a report: identity, values against the JSON Schema, the spec's balancing rules, last year's figures.

Findings name the cell, quote the value read and the value expected. Where a balance fails, a hint
names the one cell that would explain it, or a value one typo away; never an automatic fix.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import model, rules
from .errors import GkxlError
from .findings import Finding, both, both_with
from .messages import register
from .model import Report
from .read import ReadResult, read_path
from .spec import Cell, RuleInstance, Spec

register({
    "chk.blank": ("未填写（空白）；没有发生的请填 0", "blank; enter 0 when there was none"),
    "chk.text": ("应填数字，读到文字“{value}”", "a number is required; read the text “{value}”"),
    "chk.not_number": ("应填数字，读到 {shown}", "a number is required; read {shown}"),
    "chk.unit_not_text": ("单位名称应为文字，读到 {value}", "the unit name must be text; read {value}"),
    "chk.year_suggest": ("报告年度应为四位数字年份，读到“{value}”，可能是 {suggest}", "the report year must be a 4-digit year; read “{value}”, perhaps {suggest}"),
    "chk.rule_over": ("{message}右边其余各项之和已大于左边，即使本格为 0 也不成立：读到 {value}（{expression}：左边 {lhs}，右边 {rhs}），请核对本列各项",
                      "{message} The other right-hand items already exceed the left side, so even 0 here cannot balance: read {value} ({expression}: left {lhs}, right {rhs}); check the column."),
    "chk.prev_unmatched": ("上年报表中没有“{unit}”{year}年度的报表，未核对结转数", "no return of {unit} for {year} among last year's files: continuity not checked"),
    "chk.text_suggest": ("应填数字，读到文字“{value}”，可能是想填 {suggest}", "a number is required; read the text “{value}”, perhaps meaning {suggest}"),
    "chk.fullwidth": ("读到全角数字“{value}”，请改为半角数字 {suggest}", "full-width digits “{value}”; type them as {suggest}"),
    "chk.yuan": ("读到“{value}”，金额应以万元为单位填数字，{yuan} 元即 {suggest} 万元",
                 "read “{value}”; amounts are numbers in 万元 (10,000 yuan): {yuan} yuan is {suggest}"),
    "chk.negative": ("读到负数 {value}，应为 0 或正数", "negative value {value}; must be 0 or more"),
    "chk.decimal": ("读到小数 {value}，件数应为整数", "decimal {value}; counts are whole numbers"),
    "chk.decimals4": ("读到 {value}，金额（万元）最多保留 4 位小数", "{value} has more than 4 decimals (万元)"),
    "chk.year_range": ("年度 {value} 不在 {lo}–{hi} 之间", "year {value} is not between {lo} and {hi}"),
    "chk.unknown_key": ("数据中有本格式没有的项目“{value}”", "the data has an item “{value}” this format does not have"),
    "chk.unit_missing": ("单位名称未填写", "the unit name is blank"),
    "chk.year_missing": ("报告年度未填写或不是四位数字年份，读到“{value}”", "the report year is blank or not a 4-digit year; read “{value}”"),
    "chk.year_wrong": ("报告年度为 {value}，本次应报送 {expected} 年度", "the report year is {value}; {expected} is required"),
    "chk.rule": ("{message}读到 {value}，按本规则应为 {expected}（{expression}：左边 {lhs}，右边 {rhs}）",
                 "{message} Read {value}, expected {expected} ({expression}: left {lhs}, right {rhs})."),
    "chk.stored_total": ("合计格的数与明细不符：读到 {value}，按明细重新计算为 {expected}（公式被改写或未重新计算）。{message}",
                         "total does not match its parts: read {value}, recomputed {expected} (formula overwritten or not recalculated). {message}"),
    "chk.culprit": ("可能是 {where}（{label}）填错：读到 {value}，改为 {suggest} 后相关等式都成立{typo}",
                    "{where} ({label}) is probably wrong: read {value}; with {suggest} every related equation holds{typo}"),
    "chk.typo_swap": ("（疑似两位数字颠倒）", " (two digits swapped?)"),
    "chk.typo_digit": ("（疑似一位数字填错）", " (one digit mistyped?)"),
    "chk.typo_candidates": ("以下之一可能是笔误——{items}", "one of these may be a typo — {items}"),
    "chk.prev_carry": ("{message}本年读到 {value}，上年为 {expected}", "{message} This year {value}, last year {expected}."),
    "chk.prev_unreadable": ("上年报表无法使用：{detail}", "last year's return cannot be used: {detail}"),
})


@dataclass
class FileResult:
    path: str
    status: str                      # ok | invalid | unreadable
    unit: object = None
    year: object = None
    findings: list[Finding] = field(default_factory=list)
    error: tuple[str, str] | None = None      # why unreadable (zh, en)
    report: Report | None = None

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    def to_dict(self, lang: str = "zh") -> dict:
        d = {"path": self.path, "unit": self.unit, "year": self.year, "status": self.status,
             "errors": self.errors, "warnings": len(self.findings) - self.errors,
             "findings": [f.to_dict(lang) for f in self.findings]}
        if self.error:
            d["error"] = self.error[1 if lang == "en" else 0]
        return d


# --- values ----------------------------------------------------------------------------------

_NUMBER_IN_TEXT = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([^0-9\s].*)?$")


def suggest_number(text: str):
    """The number a clerk probably meant by a text, or None. Only a hint: never used as the value."""
    s = unicodedata.normalize("NFKC", text).replace(",", "").strip()
    m = _NUMBER_IN_TEXT.match(s)
    if not m:
        return None
    n = float(m.group(1))
    return int(n) if n.is_integer() else n


def _value_finding(cell: Cell, value, spec: Spec) -> Finding | None:
    """What is wrong with one value as the JSON Schema sees it, said for a clerk."""
    def f(code, **p):
        return Finding(f"V-{code.split('.')[-1]}", "error", both(code, value=value, **p), cell.sheet, cell.ref,
                       value, None, cell.row_label, cell.col_label, key=cell.key)
    if value is None:
        return f("chk.blank")
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):    # JSON true/false
        out = f("chk.not_number", shown=str(value).lower())
        out.rule = "V-text"
        return out
    if isinstance(value, str):
        guess = suggest_number(value)
        if guess is not None and unicodedata.normalize("NFKC", value).strip() == str(guess) and value.strip() != str(guess):
            out = f("chk.fullwidth", suggest=guess)
        elif guess is not None and cell.type == "amount" and "元" in value and "万" not in value:
            out = f("chk.yuan", yuan=guess, suggest=round(guess / 10000, 4))
        elif guess is not None:
            out = f("chk.text_suggest", suggest=guess)
        else:
            out = f("chk.text")
        out.rule = "V-text"
        out.expected = guess
        return out
    if cell.type == "year":
        lo, hi = spec.years
        if not isinstance(value, int) or not lo <= value <= hi:
            return f("chk.year_range", lo=lo, hi=hi)
        return None
    if value < 0 and cell.type != "delta":
        return f("chk.negative")
    if cell.type in ("count", "delta") and isinstance(value, float):
        return f("chk.decimal")
    return None


def value_findings(report: Report, spec: Spec, skip_sheets=(), stored_totals: bool = True) -> list[Finding]:
    """Schema errors as findings. In a workbook a total is a formula: a blank cache there is not the
    clerk's blank (files saved without calculating have none), and the total is recomputed anyway."""
    out = []
    doc = report.to_dict()
    errors = [] if model.is_valid(doc, spec.id) else model.validator(spec.id).iter_errors(doc)
    seen: set[str] = set()
    for err in errors:
        path = list(err.absolute_path)
        if path[:1] == ["values"] and len(path) == 2:
            key = path[1]
            cell = spec.cells.get(key)
            if cell is None:
                out.append(Finding("V-key", "error", both("chk.unknown_key", value=key), value=key))
            elif key not in seen and cell.sheet not in skip_sheets:
                seen.add(key)
                if not stored_totals and cell.defined_by is not None and report.values.get(key) is None:
                    continue
                finding = _value_finding(cell, report.values.get(key), spec)
                if finding:
                    out.append(finding)
        elif path == ["values"] and err.validator == "required":
            for key in spec.cells:
                if key not in report.values and spec.cells[key].numeric and key not in seen:
                    seen.add(key)
                    out.append(_value_finding(spec.cells[key], None, spec))
        elif path == ["values"] and err.validator == "additionalProperties":
            for key in report.values:
                if key not in spec.cells:
                    out.append(Finding("V-key", "error", both("chk.unknown_key", value=key), value=key))
        elif path == ["unit"] or (err.validator == "required" and "'unit'" in err.message):
            blank = report.unit is None or (isinstance(report.unit, str) and not report.unit.strip())
            out.append(_meta_finding(spec, "unit", "chk.unit_missing" if blank else "chk.unit_not_text", report.unit))
        elif path == ["year"] or (err.validator == "required" and "'year'" in err.message):
            guess = suggest_number(report.year) if isinstance(report.year, str) else None
            if guess is not None:
                out.append(_meta_finding(spec, "year", "chk.year_suggest", report.year, suggest=guess))
            else:
                out.append(_meta_finding(spec, "year", "chk.year_missing", report.year))
    # Not in the schema: JSON Schema's multipleOf on floats fails on values such as 0.0003.
    for cell in spec.cells.values():
        v = report.values.get(cell.key)
        if cell.type == "amount" and isinstance(v, float) and v >= 0 and round(v, 4) != v and cell.sheet not in skip_sheets:
            out.append(Finding("V-decimals4", "error", both("chk.decimals4", value=v), cell.sheet, cell.ref, v,
                               round(v, 4), cell.row_label, cell.col_label, key=cell.key))
    return out


def _meta_finding(spec: Spec, name: str, code: str, value, **params) -> Finding:
    cell = spec.meta_cell(name)
    shown = value if value not in (None, "") else "（空白）"
    return Finding(f"ID-{name}", "error", both(code, value=shown, **params), cell.sheet if cell else None,
                   cell.ref if cell else None, value, params.get("expected"), cell.label if cell else "", key=cell.key if cell else None)


# --- rules -----------------------------------------------------------------------------------

def _fmt(n):
    return "—" if n is None else (int(n) if isinstance(n, float) and n.is_integer() else n)


def _coefficient(inst: RuleInstance, key: str) -> int:
    return inst.lhs.count(key) - inst.rhs.count(key)


def rule_findings(report: Report, spec: Spec, stored_totals: bool, skip_sheets=()) -> list[Finding]:
    values = report.values
    skip_keys = {k for k, c in spec.cells.items() if c.sheet in skip_sheets}
    out: list[Finding] = []
    if stored_totals:
        effective = values
    else:
        recomputed = rules.derive(spec, values)
        effective = {**values, **recomputed}
        for cell in spec.totals:
            stored, fresh = rules.number(values.get(cell.key)), recomputed.get(cell.key)
            if cell.key in skip_keys or stored is None or fresh is None or stored == fresh:
                continue
            rule = cell.defined_by.rule
            out.append(Finding(rule.id, rule.severity,
                               both_with("chk.stored_total", rule.message, value=_fmt(stored), expected=_fmt(fresh)),
                               cell.sheet, cell.ref, stored, fresh, cell.row_label, cell.col_label, key=cell.key))
    failed: dict[str, tuple[RuleInstance, float]] = {}
    failures: list[Finding] = []
    for inst in spec.instances:
        if skip_keys.intersection(inst.keys):
            continue
        r = rules.residual(inst, effective)
        if r is None or r == 0:
            continue
        failed[inst.id] = (inst, r)
        anchor = spec.cells[inst.anchor]
        coef = _coefficient(inst, inst.anchor)
        value = rules.number(effective.get(inst.anchor))
        expected = value - r / coef
        if isinstance(expected, float) and expected.is_integer():
            expected = int(expected)
        lhs, rhs = rules.total(effective, inst.lhs), rules.total(effective, inst.rhs)
        if expected < 0 and anchor.type != "delta":      # the anchor cannot be what is wrong
            code, expected = "chk.rule_over", None
        else:
            code = "chk.rule"
        failures.append(Finding(inst.rule.id, inst.rule.severity,
                           both_with(code, inst.rule.message, value=_fmt(value), expected=_fmt(expected),
                                     expression=inst.rule.expression, lhs=_fmt(lhs), rhs=_fmt(rhs)),
                           anchor.sheet, anchor.ref, value, expected, anchor.row_label, anchor.col_label, key=anchor.key))
    out += failures if stored_totals else _editable_first(spec, failures)
    if failed:
        hint = culprit_hint(spec, effective, failed, stored_totals)
        if hint:
            for f in out:
                if f.rule in {i.rule.id for i, _ in failed.values()}:
                    f.hint = hint
    return out


def _editable_first(spec: Spec, failures: list[Finding]) -> list[Finding]:
    """In a workbook, an equation that fails at a formula cell (T3-c of the 总计 column) follows from the
    failures at cells the clerk can type in; listing it too would point at a cell nobody can edit."""
    editable = {f.rule for f in failures if spec.cells[f.key].is_input}
    return [f for f in failures if spec.cells[f.key].is_input or f.rule not in editable]


@lru_cache(maxsize=None)
def _effects(spec: Spec, stored_totals: bool) -> dict[str, dict[str, int]]:
    """For each free cell, how a +1 change moves each instance's residual (through formulas in workbooks)."""
    free = [c for c in spec.cells.values() if c.numeric and c.meta is None and (stored_totals or c.is_input)]
    base = {c.key: 0 for c in spec.cells.values() if c.numeric}
    out = {}
    for cell in free:
        values = dict(base)
        values[cell.key] = 1
        if not stored_totals:
            values.update(rules.derive(spec, values))
        out[cell.key] = {i.id: d for i in spec.instances if (d := rules.residual(i, values))}
    return out


def typo_kind(value: int, other: int) -> str | None:
    a, b = str(value), str(other)
    if len(a) == len(b) and a != b:
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return "digit"
        if len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]:
            return "swap"
    return None


def culprit_hint(spec: Spec, effective: dict, failed: dict, stored_totals: bool) -> tuple[str, str] | None:
    """One cell whose change balances every failed equation and breaks none; else one-typo candidates."""
    residuals = {iid: r for iid, (_, r) in failed.items()}
    explaining = []
    for key, effect in _effects(spec, stored_totals).items():
        value = rules.number(effective.get(key))
        if value is None or set(effect) != set(residuals):
            continue
        deltas = {-residuals[i] / effect[i] for i in effect}
        if len(deltas) != 1:
            continue
        delta = deltas.pop()
        new = value + delta
        if new < 0 or (spec.cells[key].type == "count" and not float(new).is_integer()):
            continue
        explaining.append((key, value, int(new) if float(new).is_integer() else new))
    if not explaining:
        return None
    typos = [(k, v, n, typo_kind(v, n)) for k, v, n in explaining
             if isinstance(v, int) and isinstance(n, int) and typo_kind(v, n)]
    if len(explaining) == 1:
        k, v, n = explaining[0]
        kind = typo_kind(v, n) if isinstance(v, int) and isinstance(n, int) else None
        return _culprit(spec, k, v, n, kind)
    if len(typos) == 1:
        return _culprit(spec, *typos[0])
    if 1 < len(typos) <= 3:
        items = [_culprit(spec, *t) for t in typos]
        return (both("chk.typo_candidates", items="；".join(i[0] for i in items))[0],
                both("chk.typo_candidates", items="; ".join(i[1] for i in items))[1])
    return None


def _culprit(spec: Spec, key, value, new, kind) -> tuple[str, str]:
    cell = spec.cells[key]
    typo = both(f"chk.typo_{kind}") if kind else ("", "")
    zh = both("chk.culprit", where=cell.where, label=cell.label, value=value, suggest=new, typo=typo[0])[0]
    en = both("chk.culprit", where=cell.where, label=cell.label, value=value, suggest=new, typo=typo[1])[1]
    return zh, en


# --- identity and last year ---------------------------------------------------------------------

def identity_findings(report: Report, spec: Spec, year: int | None) -> list[Finding]:
    out = []
    if year is not None and isinstance(report.year, int) and report.year != year:
        out.append(_meta_finding(spec, "year", "chk.year_wrong", report.year, expected=year))
    return out


def _with_totals(spec: Spec, values: dict) -> dict:
    """Values with totals filled in where a workbook was saved without calculating them."""
    out = dict(values)
    for key, v in rules.derive(spec, values).items():
        if rules.number(out.get(key)) is None:
            out[key] = v
    return out


def last_years_return(report: Report, previous) -> tuple[Report | None, Finding | None]:
    """The return of the same unit for the year before, among last year's files; or a warning why none."""
    key = model.unit_key(report.unit)
    for last in previous:
        if last.format == report.format and model.unit_key(last.unit) == key and \
                (not isinstance(report.year, int) or last.year == report.year - 1):
            return last, None
    year = report.year - 1 if isinstance(report.year, int) else "上一"
    return None, Finding("Y-prev", "warning", both("chk.prev_unmatched", unit=report.unit, year=year))


def previous_findings(report: Report, last: Report, spec: Spec) -> list[Finding]:
    out = []
    now, before_values = _with_totals(spec, report.values), _with_totals(spec, last.values)
    for yr in spec.year_rules:
        this = rules.number(now.get(yr.this))
        before = rules.total(before_values, yr.last)
        plus, minus = rules.total(now, yr.plus), rules.total(now, yr.minus)
        if this is None or before is None or plus is None or minus is None:
            continue
        expected = before + plus - minus
        if this != expected:
            cell = spec.cells[yr.this]
            out.append(Finding(yr.id, yr.severity,
                               both_with("chk.prev_carry", yr.message, value=_fmt(this), expected=_fmt(expected)),
                               cell.sheet, cell.ref, this, expected, cell.row_label, cell.col_label, key=cell.key))
    return out


def check_read(result: ReadResult, *, year: int | None = None, previous=()) -> list[Finding]:
    """All findings of one read report. `previous`: last year's reports (any units; matched by unit)."""
    report = result.report
    spec = report.spec
    findings = list(result.findings)
    findings += value_findings(report, spec, result.skipped_sheets, result.stored_totals)
    findings += identity_findings(report, spec, year)
    findings += rule_findings(report, spec, result.stored_totals, result.skipped_sheets)
    if isinstance(previous, Report):
        previous = [previous]
    if previous:
        last, unmatched = last_years_return(report, previous)
        findings += previous_findings(report, last, spec) if last else [unmatched]
    return findings


def check_path(path: Path, *, year: int | None = None, previous=(),
               keep_report: bool = True) -> FileResult:
    """Check one file. `keep_report` False drops the values from the result (a batch's worker processes
    then send back only what the report shows)."""
    try:
        result = read_path(path)
        findings = check_read(result, year=year, previous=previous)
    except GkxlError as e:
        return FileResult(str(path), "unreadable", error=(e.render("zh"), e.render("en")))
    report = result.report
    status = "invalid" if any(f.severity == "error" for f in findings) else "ok"
    return FileResult(str(path), status, report.unit, report.year, findings, report=report if keep_report else None)
