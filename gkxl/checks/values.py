"""Each value against the type limits of its cell in the form spec (count, delta, amount, year, text).

The limits are the spec's (`types` in templates/*.json), the same ones the JSON Schema of the model and
the template's data validation are made from. Text in a number cell is reported with the number the clerk
probably meant, read by the one number reader; it is never used as the value. A wrong value (1.5, −3) that
alone breaks equations says which: those equations are not reported again (gkxl.checks.balance).
"""
from __future__ import annotations

import math

from gkxl.checks.context import Check, Context
from gkxl.checks.equations import equation_name, equations
from gkxl.checks.localise import effects
from gkxl.findings.finding import Finding
from gkxl.form import rules
from gkxl.form.model import Report
from gkxl.form.spec import Cell, RuleInstance, Spec
from gkxl.text.messages import Message
from gkxl.text.numbers import is_full_width, read_number

NUMERIC_FINDINGS = ("V-negative", "V-decimal", "V-decimals", "V-finite")
TYPES = ("V-blank", "V-unpublished", "V-text", "V-negative", "V-decimal", "V-decimals", "V-finite", "V-type", "V-key")


def _finding(cell: Cell, rule: str, code: str, value, **params) -> Finding:
    f = Finding.of(rule, code, value=value, **params)
    f.sheet, f.cell, f.value, f.key = cell.sheet, cell.ref, value, cell.key
    f.row_label, f.col_label = cell.row_label, cell.col_label
    return f


def value_finding(cell: Cell, value, spec: Spec) -> Finding | None:
    """What is wrong with one value of a number cell, said for a clerk; None when it is right."""
    limits = spec.types[cell.type]
    if value is None or value == "":
        return _finding(cell, "V-blank", "chk.blank", value)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):    # JSON true/false, lists
        return _finding(cell, "V-text", "chk.not_number", value, shown=str(value).lower())
    if isinstance(value, str):
        reading = read_number(value, cell.type)
        guess = reading.value
        if guess is None:
            f = _finding(cell, "V-text", "chk.text", value)
        elif is_full_width(value, guess):
            f = _finding(cell, "V-text", "chk.fullwidth", value, suggest=guess)
        elif reading.note == "parse.yuan_converted":
            yuan = read_number(value.replace("元", ""), "count").value
            f = _finding(cell, "V-text", "chk.yuan", value, yuan=yuan, suggest=guess)
        else:
            f = _finding(cell, "V-text", "chk.text_suggest", value, suggest=guess)
        return f           # the number meant is only a guess: said in the message, never an expected value
    if isinstance(value, float) and (not math.isfinite(value)) or abs(value) > limits.get("maximum", 1e9):
        return _finding(cell, "V-finite", "chk.not_finite", value if isinstance(value, int) or math.isfinite(value) else str(value))
    if value < limits.get("minimum", -math.inf):
        return _finding(cell, "V-negative", "chk.negative", value)
    if limits.get("integer") and isinstance(value, float) and not value.is_integer():
        return _finding(cell, "V-decimal", "chk.decimal", value)      # 2.0 in a JSON is the count 2, as JSON Schema says
    places = limits.get("decimals")
    if places is not None and isinstance(value, float) and round(value, places) != value:
        f = _finding(cell, "V-decimals", "chk.decimals", value, places=places)
        f.expected = round(value, places)
        return f
    return None


def value_findings(report: Report, ctx: Context) -> list[Finding]:
    """Every value of the report against its cell. In a workbook a total is a formula: a blank cache there
    is not the clerk's blank (files saved without calculating have none), and totals are recomputed anyway.
    Cells on sheets the reader could not read, or that it could not place, are not checked."""
    spec, skip_sheets, skip_keys = ctx.spec, ctx.skipped_sheets, ctx.unread
    derived = {inst.lhs[0] for inst in ctx.via}
    published = bool(report.source.get("published"))
    out: list[Finding] = []
    values = report.values
    bounds = {name: (t.get("minimum", -math.inf), t.get("maximum", 1e9)) for name, t in spec.types.items()}
    for cell in spec.value_cells:
        if cell.sheet in skip_sheets or cell.key in skip_keys:
            continue
        value = values.get(cell.key)
        if cell.numeric:
            if type(value) is int and bounds[cell.type][0] <= value and abs(value) <= bounds[cell.type][1]:
                continue        # the common case, a whole number within limits: what value_finding passes
            if cell.key in derived and (value is None or isinstance(value, (int, float))):
                continue        # a formula: computed from its terms, and compared with them in balance
            if value is None and published:
                out.append(_finding(cell, "V-unpublished", "chk.unpublished", value))
                continue        # a report prints "-" or nothing for a figure it does not give: said, not an error
            finding = value_finding(cell, value, spec)
            if finding:
                out.append(finding)
        elif value is not None and not isinstance(value, str):
            out.append(_finding(cell, "V-type", "chk.not_text", value))
    for cell in spec.group_cells.values():       # a group's row given beside its rows: still a figure
        if cell.key not in spec.cells and values.get(cell.key) is not None:
            finding = value_finding(cell, values[cell.key], spec)
            if finding:
                out.append(finding)
    known = {c.key for c in spec.value_cells} | set(spec.group_cells)
    known |= {k for g in spec.groups for k in g.parts}       # a group's rows, left blank beside its row
    for key in values:
        if key not in known:
            out.append(Finding.of("V-key", "chk.unknown_key", value=key))
    return out


def explained(report: Report, ctx: Context) -> dict[int, list[tuple[RuleInstance, int | float]]]:
    """The failed equations each wrong value explains (by id of its finding in `problems`).

    With one wrong value in it, an equation is explained only when a valid value of that cell would make
    it (and the other equations laid to that cell) hold: 1.5 typed for 1 explains T3-c, but not when 一
    is also 5 short, which must then still be said. With several wrong values in it, any could."""
    spec = ctx.spec
    bad = [f for f in ctx.once(value_findings, report) if f.rule in NUMERIC_FINDINGS and f.key]
    failed = ctx.once(equations, report).failed
    if not bad or not failed:
        return {}
    eff = effects(spec, ctx.via)
    caused: dict[int, list] = {}
    shared = set()
    for inst, r in failed:
        culprits = [f for f in bad if inst.id in eff.get(f.key, {})]
        for f in culprits:
            caused.setdefault(id(f), []).append((inst, r))
        if len(culprits) > 1:
            shared.add(inst.id)
    out = {}
    for f in bad:
        laid = caused.get(id(f), [])
        alone = [(i, r) for i, r in laid if i.id not in shared]
        if alone and not _valid_value_explains(spec, f, alone, eff[f.key]):
            laid = [(i, r) for i, r in laid if i.id in shared]
        if laid:
            out[id(f)] = laid
    return out


def _valid_value_explains(spec: Spec, f: Finding, failed, touched: dict) -> bool:
    """Whether one valid value of the wrong cell makes every equation of `failed` hold."""
    value = rules.number(f.value)
    deltas = {round(-r / touched[i.id], 6) for i, r in failed}
    if value is None or len(deltas) != 1:
        return False
    needed = round(value + deltas.pop(), 6)        # residuals are rounded: so is what they imply
    if isinstance(needed, float) and needed.is_integer():
        needed = int(needed)
    return value_finding(spec.cells[f.key], needed, spec) is None


def _check_values(report: Report, ctx: Context) -> list[Finding]:
    found = ctx.once(value_findings, report)
    breaks = ctx.once(explained, report)
    for f in found:
        if id(f) in breaks:
            f.hint = Message("chk.breaks", equations="、".join(equation_name(i) for i, _ in breaks[id(f)]))
    return found


VALUES = Check("values", _check_values, TYPES)
