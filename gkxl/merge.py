"""Merge many returns into one summary: decide which returns count, sum them, write the summary workbook.

Every input ends up as one line of 报送情况 saying whether it was included and why; with a units list,
every expected unit that sent nothing gets a line too. The summary is an ordinary return of the same
format (totals are formulas, texts left blank), so it can be checked and merged again one level up.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from . import present  # noqa: F401  (registers the out.* and inputs.* sentences used here)
from . import rules
from . import spec as specmod
from .check import FileResult, check_path
from .model import unit_key
from .parallel import map_ordered
from .errors import GkxlError
from .fileio import refuse_overwrite
from .findings import both
from .inputs import collect
from .messages import register, text
from .model import Report
from .spec import Spec

register({
    "merge.status.ok": ("通过", "ok"),
    "merge.status.invalid": ("有错误", "invalid"),
    "merge.status.unreadable": ("无法读取", "unreadable"),
    "merge.status.skipped": ("跳过", "skipped"),
    "merge.status.missing": ("未报送", "not sent"),
    "merge.included.yes": ("是", "yes"),
    "merge.included.marked": ("是（有错误，按要求计入）", "yes (invalid, included on request)"),
    "merge.included.no": ("否", "no"),
    "merge.reason.ok": ("通过校验，已计入汇总", "passed the checks; included"),
    "merge.reason.unreadable": ("无法读取：{detail}", "unreadable: {detail}"),
    "merge.reason.skipped": ("{detail}", "{detail}"),
    "merge.reason.format": ("表格格式为 {found}，与汇总格式 {expected} 不同，未计入",
                            "format {found} differs from the summary's {expected}; left out"),
    "merge.reason.year": ("报告年度为 {found}，不是 {expected} 年度，未计入",
                          "report year is {found}, not {expected}; left out"),
    "merge.reason.invalid": ("有 {errors} 个错误，未计入汇总（改正后重新报送，或用 --include-invalid 计入）",
                             "{errors} errors; left out (resend corrected, or use --include-invalid)"),
    "merge.reason.invalid_included": ("有 {errors} 个错误，按 --include-invalid 计入汇总；非数字的格子按 0 计",
                                      "{errors} errors; included because of --include-invalid; non-numbers count as 0"),
    "merge.reason.older": ("同一单位另有较新的文件 {newer}，本文件未计入（按文件记录的保存时间判断新旧，没有时按文件修改时间）",
                           "the same unit sent a newer file {newer}; this one left out (newer by the saved time in the file, else its modification time)"),
    "merge.reason.newest": ("同一单位共 {count} 个文件，按保存时间（没有时按文件修改时间）取最新的这一个",
                            "the unit sent {count} files; this, the newest by saved time (else modification time), is used"),
    "merge.reason.not_listed": ("单位不在单位名单中", "the unit is not on the units list"),
    "merge.reason.missing": ("单位名单中的单位，未收到能读取的报表（无法读取的文件见上面各行）",
                             "on the units list; no readable return received (unreadable files are listed above)"),
    "merge.reason.own_summary": ("本级的汇总表（汇总单位与本次 --unit 相同），未计入，以免重复计算",
                                 "this office's own summary (its unit is this --unit); left out so nothing counts twice"),
    "merge.reason.no_unit": ("单位名称未填写", "the unit name is blank"),
    "merge.duplicates": ("单位“{unit}”有 {count} 个文件：{paths}", "unit {unit} sent {count} files: {paths}"),
    "merge.duplicates_refused": ("有单位重复报送，按 --on-duplicate error 未生成汇总表",
                                 "some units sent more than one file; no summary written (--on-duplicate error)"),
    "merge.no_inputs": ("没有找到要汇总的文件", "no input files found"),
    "merge.kind.summary": ("汇总表", "summary"),
    "merge.kind.return": ("报表", "return"),
})

STATUS_HEADERS = ["序号", "单位名称", "单位代码", "文件", "sha256", "状态", "错误数", "警告数", "是否计入汇总",
                  "原因", "报告年度", "表格格式", "文件类型", "保存时间"]
DETAIL_FIXED = ["序号", "单位名称", "单位代码", "文件类型", "状态", "文件"]


@dataclass
class Entry:
    """One line of 报送情况: an input file (or an expected unit that sent nothing) and what became of it."""
    path: str | None
    status: str                              # ok | invalid | unreadable | skipped | missing
    sha256: str | None = None
    mtime: float | None = None
    saved: float | None = None         # when the application last saved it (file properties)
    unit: str | None = None
    unit_code: str | None = None
    year: object = None
    format: str | None = None
    kind: str | None = None                  # the metadata kind: template (a return) or summary
    errors: int = 0
    warnings: int = 0
    included: bool = False
    reasons: list[tuple[str, str]] = field(default_factory=list)   # (zh, en)
    numbers: list | None = None              # values of spec.numeric_inputs, in order
    details: list | None = None              # values of detail_keys(spec), in order

    def reason(self, lang: str = "zh") -> str:
        i = 1 if lang == "en" else 0
        return ("；" if i == 0 else "; ").join(r[i] for r in self.reasons)


@dataclass
class MergeResult:
    spec: Spec
    summary: Report
    entries: list[Entry]
    duplicates: dict[str, list[Entry]]
    written: bool = False

    @property
    def included(self) -> list[Entry]:
        return [e for e in self.entries if e.included]

    @property
    def complete(self) -> bool:
        """Every input was included as a clean return and no expected unit is missing."""
        return all(e.included and e.status == "ok" for e in self.entries)


def detail_keys(spec: Spec) -> list[str]:
    """The 明细 columns: every input but the narratives (too long for a pivot table, and not summed)."""
    text_sheets = {s.name for s in spec.sheets if s.kind == "text"}
    return [c.key for c in spec.inputs if c.sheet not in text_sheets]


def sha256_file(path: Path) -> str | None:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


# --- one file -----------------------------------------------------------------------------------

def examine(path: Path, spec: Spec, year: int) -> Entry:
    """Check one file and keep only what the merge needs (the full report is dropped: memory stays flat)."""
    result = check_path(path, year=year)
    entry = Entry(str(path), result.status, sha256_file(path), _mtime(path))
    if result.report is None:
        zh, en = result.error or ("?", "?")
        entry.reasons.append((text("merge.reason.unreadable", "zh", detail=zh),
                              text("merge.reason.unreadable", "en", detail=en)))
        return entry
    _take_report(entry, result, spec)
    return entry


def _take_report(entry: Entry, result: FileResult, spec: Spec) -> None:
    report = result.report
    entry.unit = report.unit if isinstance(report.unit, str) and report.unit.strip() else None
    entry.unit_code = report.unit_code
    entry.year = report.year
    entry.format = report.format
    entry.kind = str(report.source.get("metadata", {}).get("kind") or "") or None
    entry.saved = _timestamp(report.source.get("saved_at"))
    entry.errors = result.errors
    entry.warnings = len(result.findings) - result.errors
    if report.format == spec.id:
        values = report.values
        entry.numbers = [values.get(c.key) for c in spec.numeric_inputs]
        entry.details = [values.get(k) for k in detail_keys(spec)]


def skipped_entry(path: Path, code: str) -> Entry:
    detail = (text(code, "zh"), text(code, "en"))
    reason = (text("merge.reason.skipped", "zh", detail=detail[0]), text("merge.reason.skipped", "en", detail=detail[1]))
    return Entry(str(path), "skipped", sha256_file(path), _mtime(path), reasons=[reason])


# --- policy -------------------------------------------------------------------------------------

def _eligible(entry: Entry, spec: Spec, year: int, office: str) -> bool:
    """Readable, same format, same year, not our own summary: the files among which a unit's newest
    return is chosen."""
    if entry.status in ("unreadable", "skipped", "missing"):
        return False
    if entry.kind == "summary" and entry.unit and unit_key(entry.unit) == unit_key(office):
        entry.reasons.append(both("merge.reason.own_summary"))
        return False
    if entry.format != spec.id:
        entry.reasons.append(both("merge.reason.format", found=entry.format, expected=spec.id))
        return False
    if entry.year != year:
        entry.reasons.append(both("merge.reason.year", found=entry.year if entry.year is not None else "（空白）",
                                  expected=year))
        return False
    return True


def _newest_first(entries: list[Entry]) -> list[Entry]:
    # Metadata generated_at is when the template was made (the same for a whole batch). The time the
    # application saved the return (its document properties) survives copying and e-mail; the file's
    # modification time on disk is the fallback; the path breaks exact ties.
    return sorted(entries, key=lambda e: (-(e.saved or 0), -(e.mtime or 0), e.path or ""))


def _timestamp(iso) -> float | None:
    try:
        return dt.datetime.fromisoformat(str(iso).replace("Z", "+00:00")).timestamp()
    except (TypeError, ValueError):
        return None


def find_duplicates(entries: list[Entry]) -> dict[str, list[Entry]]:
    groups: dict[str, list[Entry]] = {}
    for e in entries:
        if e.unit:
            groups.setdefault(unit_key(e.unit), []).append(e)
    return {k: _newest_first(g) for k, g in groups.items() if len(g) > 1}


def decide(entries: list[Entry], spec: Spec, year: int, include_invalid: bool, office: str) -> dict[str, list[Entry]]:
    """Set `included` and the reasons of every entry; returns the duplicate groups (newest first)."""
    eligible = [e for e in entries if _eligible(e, spec, year, office)]
    duplicates = find_duplicates(eligible)
    superseded = set()
    for group in duplicates.values():
        newest = group[0]
        newest.reasons.append(both("merge.reason.newest", count=len(group)))
        for older in group[1:]:
            older.reasons.append(both("merge.reason.older", newer=newest.path))
            superseded.add(id(older))
    for e in eligible:
        if id(e) in superseded:
            continue
        if not e.unit:
            e.reasons.append(both("merge.reason.no_unit"))
        if e.status == "ok":
            e.included = True
            e.reasons.insert(0, both("merge.reason.ok"))
        elif include_invalid:
            e.included = True
            e.reasons.insert(0, both("merge.reason.invalid_included", errors=e.errors))
        else:
            e.reasons.insert(0, both("merge.reason.invalid", errors=e.errors))
    return duplicates


def mark_expected(entries: list[Entry], units) -> list[Entry]:
    """Compare with the units list: note returns from units not on it; an entry for each unit that sent nothing."""
    expected = {unit_key(u.name): u for u in units}
    sent = {unit_key(e.unit) for e in entries if e.unit}
    for e in entries:
        if e.unit and unit_key(e.unit) not in expected:
            e.reasons.append(both("merge.reason.not_listed"))
    return [Entry(None, "missing", unit=u.name, unit_code=u.code, reasons=[both("merge.reason.missing")])
            for key, u in expected.items() if key not in sent]


# --- sums ---------------------------------------------------------------------------------------

def sum_numbers(spec: Spec, included: list[Entry]) -> dict[str, object]:
    """Per numeric input, the sum over the included returns (non-numbers count as 0; amounts to 4 decimals)."""
    cells = spec.numeric_inputs
    sums: list = [0] * len(cells)
    for e in included:
        for i, v in enumerate(e.numbers or ()):
            n = rules.number(v)
            if n is not None:
                sums[i] += n
    out = {}
    for cell, s in zip(cells, sums):
        if isinstance(s, float):
            s = round(s, 4)
            if cell.type == "count" and s.is_integer():
                s = int(s)
        out[cell.key] = s
    return out


def summary_report(spec: Spec, included: list[Entry], unit: str, unit_code: str | None, year: int) -> Report:
    values: dict[str, object] = {c.key: None for c in spec.value_cells}
    values.update(sum_numbers(spec, included))
    return Report(spec.id, spec.version, unit, unit_code, year, values,
                  source={"kind": "summary", "units": len(included)})


# --- sheets -------------------------------------------------------------------------------------

def _local_time(ts: float | None) -> str:
    if ts is None:
        return ""
    return dt.datetime.fromtimestamp(ts).astimezone().isoformat(timespec="seconds")


def _kind_text(kind: str | None) -> str:
    if kind is None:
        return ""
    return text("merge.kind.summary" if kind == "summary" else "merge.kind.return", "zh")


def _included_text(e: Entry) -> str:
    if not e.included:
        return text("merge.included.no", "zh")
    return text("merge.included.yes" if e.status == "ok" else "merge.included.marked", "zh")


def status_rows(entries: list[Entry]) -> list[list]:
    rows = [STATUS_HEADERS]
    for i, e in enumerate(entries, start=1):
        rows.append([i, e.unit or "", e.unit_code or "", e.path or "", e.sha256 or "",
                     text(f"merge.status.{e.status}", "zh"),
                     e.errors if e.status in ("ok", "invalid") else "",
                     e.warnings if e.status in ("ok", "invalid") else "",
                     _included_text(e) if e.status != "missing" else text("merge.included.no", "zh"),
                     e.reason("zh"), e.year if e.year is not None else "", e.format or "",
                     _kind_text(e.kind), _local_time(e.saved or e.mtime)])
    return rows


def detail_headers(spec: Spec) -> list[str]:
    return DETAIL_FIXED + [f"{spec.cells[k].sheet} · {spec.cells[k].label}" for k in detail_keys(spec)]


def detail_rows(spec: Spec, included: list[Entry]) -> list[list]:
    rows = [detail_headers(spec)]
    for i, e in enumerate(included, start=1):
        rows.append([i, e.unit or "", e.unit_code or "", _kind_text(e.kind),
                     text(f"merge.status.{e.status}", "zh"), e.path or "", *(e.details or [])])
    return rows


# --- the whole merge ----------------------------------------------------------------------------

def merge(paths, output: Path, *, year: int, unit: str, unit_code: str | None = None,
          spec_id: str = specmod.DEFAULT_SPEC, units_path: Path | None = None, include_invalid: bool = False,
          on_duplicate: str = "newer", password: str | None = None, progress=None) -> MergeResult:
    """Check every input, decide, and write the summary (unless duplicates are refused).

    `progress`, when given, wraps the results as they come, with their number (a progress bar)."""
    from .units import read_units
    from .write import write_workbook

    spec = specmod.load(spec_id)
    inputs = collect(paths)
    if not inputs.files and not inputs.skipped:
        raise GkxlError("merge.no_inputs")
    refuse_overwrite(output, [*inputs.files, *([units_path] if units_path else [])])
    units = read_units(Path(units_path))[0] if units_path else None
    examined = map_ordered(functools.partial(examine, spec=spec, year=year), [Path(p) for p in inputs.files])
    entries = list(progress(examined, len(inputs.files)) if progress else examined)
    entries += [skipped_entry(p, code) for p, code in inputs.skipped]
    duplicates = decide(entries, spec, year, include_invalid, unit)
    if units is not None:
        entries += mark_expected(entries, units)
    included = [e for e in entries if e.included]
    summary = summary_report(spec, included, unit, unit_code, year)
    result = MergeResult(spec, summary, entries, duplicates)
    if duplicates and on_duplicate == "error":
        return result
    write_workbook(Path(output), spec, summary, kind="summary", password=password,
                   extra_sheets=[("明细", detail_rows(spec, included)), ("报送情况", status_rows(entries))])
    result.written = True
    return result

