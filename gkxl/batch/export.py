"""Export the canonical data of many returns, one record per file: JSON for programs, CSV for Excel.

CSV is UTF-8 with a BOM (Excel then reads Chinese correctly); text that Excel would run as a formula
(= + - @, tab, CR at the start) is prefixed with an apostrophe; numbers stay numbers.
"""
from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass, field
from pathlib import Path

from gkxl.batch.parallel import map_ordered
from gkxl.checks import check_path, unreadable
from gkxl.findings.report import FileResult
from gkxl.form import spec as specmod
from gkxl.form.spec import Spec
from gkxl.io.cells import neutralise
from gkxl.io.files import atomic_path, refuse_overwrite, write_text
from gkxl.io.inputs import collect
from gkxl.text.errors import GkxlError
from gkxl.text.jsonout import dumps
from gkxl.text.messages import Message, text

EXPORT_MODEL = "gkxl-export/1"
FIXED_COLUMNS = ["文件", "单位名称", "单位代码", "年度", "状态", "错误数", "表格格式"]


@dataclass
class ExportResult:
    records: int = 0
    unreadable: list[tuple[str, Message]] = field(default_factory=list)   # (path, why)
    skipped: list[tuple[str, str]] = field(default_factory=list)                 # (path, message code)

    def failures(self, lang: str = "zh") -> list[tuple[str, str]]:
        return [(p, reason.render(lang)) for p, reason in self.unreadable]


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


def export(paths, output: Path, fmt: str, *, year: int | None = None, spec_id: str = specmod.DEFAULT_SPEC,
           progress=None, labels: dict[str, str] | None = None) -> ExportResult:
    """Read and check every input once, write all records atomically to `output` (json or csv).
    `labels` maps an input path to the name its record shows (the desk's stored files)."""
    spec = specmod.load(spec_id)
    inputs = collect(paths)
    if not inputs.files:
        raise GkxlError("export.no_inputs")
    refuse_overwrite(output, inputs.files)
    result = ExportResult(skipped=[(str(p), code) for p, code in inputs.skipped])
    records: list = []
    checked = map_ordered(functools.partial(check_path, year=year), [Path(p) for p in inputs.files], unreadable)
    for r in progress(checked, len(inputs.files)) if progress else checked:
        r.path = (labels or {}).get(r.path, r.path)
        if r.report is None:
            result.unreadable.append((r.path, r.error))
        records.append(json_record(r) if fmt == "json" else csv_row(r, spec))
        result.records += 1
    if fmt == "json":
        doc = {"model": EXPORT_MODEL, "format": spec.id, "records": records}
        write_text(output, dumps(doc) + "\n")
    else:
        # bytes, not text mode: csv already ends rows with CRLF, and Windows must not double the CR
        with atomic_path(output) as tmp:
            tmp.write_bytes(_csv_text([column_headers(spec)] + records).encode("utf-8-sig"))
    return result
