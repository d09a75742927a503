"""Export the canonical data of many returns, one record per file: JSON for programs, CSV for Excel.

CSV is UTF-8 with a BOM (Excel then reads Chinese correctly); text that Excel would run as a formula
(= + - @, tab, CR at the start) is prefixed with an apostrophe; numbers stay numbers.
"""
from __future__ import annotations

import csv
import functools
import io
from pathlib import Path

from gkxl.actions.check import Progress, check_path, unreadable
from gkxl.actions.parallel import map_ordered
from gkxl.findings.catalogue import SEVERITIES
from gkxl.findings.report import ActionReport, FileResult
from gkxl.form import spec as specmod
from gkxl.form.spec import Spec
from gkxl.io.cells import neutralise
from gkxl.io.files import atomic_path, refuse_overwrite, write_text
from gkxl.io.inputs import collect
from gkxl.text.jsonout import dumps
from gkxl.text.messages import Message, text

EXPORT_MODEL = "gkxl-export/1"
FIXED_COLUMNS = ["文件", "单位名称", "单位代码", "年度", "状态", "错误数", "表格格式"]


def column_headers(spec: Spec) -> list[str]:
    return FIXED_COLUMNS + [f"{c.sheet} · {c.label}" for c in spec.value_cells]


def json_record(r: FileResult) -> dict:
    record = r.report.to_dict() if r.report is not None else {"unit": None, "unit_code": None, "year": None}
    record.update({"path": r.path, "status": r.status, "errors": r.errors})
    if r.error:
        record["error"] = r.error.zh
    return record


def csv_row(r: FileResult, spec: Spec) -> list:
    report = r.report
    status = text(f"out.status.{r.status}", "zh")
    if report is None:
        return [r.path, "", "", "", f"{status}：{r.error.zh if r.error else ''}", "", ""]
    row = [r.path, report.unit or "", report.unit_code or "", report.year if report.year is not None else "",
           status, r.errors, report.format]
    if report.format != spec.id:
        row[4] = f"{status}；{text('export.other_format', 'zh', found=report.format, expected=spec.id)}"
        return row
    return row + [report.values.get(c.key) for c in spec.value_cells]


def _csv_text(rows: list[list]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return buf.getvalue()


def export(paths, output: Path, fmt: str, *, year: int | None = None, spec: Spec | None = None,
           progress: Progress | None = None) -> ActionReport:
    """Read and check every input once, write all records atomically to `output` (json or csv)."""
    spec = spec or specmod.load()
    inputs = collect(paths)
    refuse_overwrite(output, inputs.files)
    job = functools.partial(check_path, year=year, specs=specmod.known(spec))
    checked = map_ordered(job, [Path(p) for p in inputs.files], unreadable)
    report = export_results(progress(checked, len(inputs.files)) if progress else checked, output, fmt, spec=spec)
    report.skipped = [(str(p), Message(code)) for p, code in inputs.skipped]
    return report


def export_results(results, output: Path, fmt: str, *, spec: Spec) -> ActionReport:
    """The records of results checked before (the desk's stored returns, each `path` the name it is shown
    under), written atomically to `output`."""
    report = ActionReport("export", shown="problems", fails_on=("unreadable",))
    records: list = []
    for r in results:
        records.append(json_record(r) if fmt == "json" else csv_row(r, spec))
        report.files.append(FileResult(r.path, r.status, r.unit, r.year, error=r.error,
                                       counted={s: r.count(s) for s in SEVERITIES}))
    if fmt == "json":
        doc = {"model": EXPORT_MODEL, "format": spec.id, "records": records}
        write_text(output, dumps(doc) + "\n")
    else:
        # bytes, not text mode: csv already ends rows with CRLF, and Windows must not double the CR
        with atomic_path(output) as tmp:
            tmp.write_bytes(_csv_text([column_headers(spec)] + records).encode("utf-8-sig"))
    report.counts = {"records": len(records)}
    report.wrote(output, "export.written", records=len(records))
    return report
