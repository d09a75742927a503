"""Row groups of a published report (（六）其他处理 given as one row): say so, once per group.

The checks themselves see the group's row in place of its rows (gkxl.form.groups.view); this check only
tells the reader that the sub-rows are unknown, or, where both are given, whether they agree.
"""
from __future__ import annotations

from gkxl.checks.context import Check, Context
from gkxl.findings.finding import Finding
from gkxl.form import groups as formgroups
from gkxl.form import rules
from gkxl.form.model import Report
from gkxl.form.spec import RowGroup
from gkxl.text.messages import Message
from gkxl.text.numbers import show


def group_findings(report: Report, ctx: Context) -> list[Finding]:
    spec = ctx.spec
    out = []
    values = report.values
    for group in spec.groups:
        if not formgroups.given(group, values):
            continue
        if group.cells[0].key in spec.cells:          # the row stands for its rows in this view
            figures = "、".join(show(values.get(c.key)) for c in group.cells)
            f = Finding.of(group.finding, "chk.group_one_row", label=_short(group), figures=figures, count=len(group.rows))
        else:
            f = Finding.of(group.finding, "chk.group_and_rows", label=_short(group), detail=_differences(group, values))
        f.sheet, f.row_label = group.cells[0].sheet, group.label
        out.append(f)
    return out


def _short(group: RowGroup) -> str:
    return group.label.split(" · ")[-1]


def _differences(group: RowGroup, values: dict) -> Message | str:
    columns = []
    for cell in group.cells:
        value, parts = rules.number(values.get(cell.key)), rules.total(values, list(cell.parts))
        if value is not None and parts is not None and round(value - parts, 4) != 0:
            columns.append(Message("chk.group_column", col=cell.col_label, value=value, parts=parts))
    return Message("chk.group_differs", columns=columns) if columns else ""


GROUPS = Check("groups", group_findings, lambda spec: tuple(dict.fromkeys(g.finding for g in spec.groups)))
