"""Merge many returns into one summary: decide which returns count, sum them, write the summary workbook.

Every input ends up as one line of 报送情况 saying whether it was included and why; with a units list,
every expected unit that sent nothing gets a line too. The summary is an ordinary return of the same
format (totals are formulas, texts left blank), so it can be checked and merged again one level up.

`merge` checks files; the desk, whose returns are checked and stored already, hands their results to
`merge_results` and nothing is read again. Both end in `summarise`, which returns the one ActionReport.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from gkxl.actions.check import PUBLISHED_TYPES, Progress, check_path
from gkxl.actions.parallel import map_ordered
from gkxl.actions.units import load_units, note_problems
from gkxl.checks.identity import BLANK, issued_unit, report_year, workbook_role
from gkxl.findings.catalogue import SEVERITIES
from gkxl.findings.report import ActionReport, FileResult
from gkxl.form import groups as formgroups
from gkxl.form import rules
from gkxl.form import spec as specmod
from gkxl.form.model import Report, unit_key
from gkxl.form.spec import Spec
from gkxl.io.files import refuse_overwrite, sha256_file
from gkxl.io.inputs import collect
from gkxl.io.units import Unit
from gkxl.text.errors import UsageError
from gkxl.text.messages import Message, text

STATUS_HEADERS = ["序号", "单位名称", "单位代码", "文件", "状态", "错误数", "警告数", "是否计入汇总",
                  "原因", "报告年度", "表格格式", "文件类型", "保存时间", "sha256"]
STATUS_PRINTED = len(STATUS_HEADERS) - 1     # the digest is for machines: on screen, not on paper
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
    issued: str | None = None                # the unit a gkxl template was issued to (its hidden identity)
    year: object = None
    format: str | None = None
    role: str | None = None                  # what the workbook says it is: template (a return) or summary
    covers: list[str] | None = None          # a summary's included units, as its metadata records them
    unlisted: bool = False                   # a units list was given and this unit is not on it
    counted: dict[str, int] = field(default_factory=dict)   # findings by severity
    included: bool = False
    reasons: list[Message] = field(default_factory=list)
    untouched: bool = False                  # a blank template sent back as it was (ID-untouched)
    document: bool = False                   # a published report (Word, PDF, web page, text): not a return
    accepted: bool = False                   # the clerk took this version whatever its findings (the desk)
    blank_held: bool = False                 # untouched, and held back until the clerk accepts it (the desk)
    one_row: str | None = None               # a row group given only as one row: its label (cannot be summed)
    details: list | None = None              # values of detail_keys(spec), in order (the sums' too)

    def reason(self, lang: str = "zh") -> str:
        return ("; " if lang == "en" else "；").join(r.render(lang) for r in self.reasons)

    @property
    def errors(self) -> int:
        return self.counted.get("error", 0)

    @property
    def warnings(self) -> int:
        return self.counted.get("warning", 0)


@functools.cache       # asked for every return examined
def detail_keys(spec: Spec) -> tuple[str, ...]:
    """The 明细 columns: every input but the narratives (too long for a pivot table, and not summed);
    every figure that is summed is among them."""
    text_sheets = {s.name for s in spec.sheets if s.holds == "text"}
    figures = {c.key for c in spec.numeric_inputs}
    return tuple(c.key for c in spec.inputs if c.sheet not in text_sheets or c.key in figures)


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


# --- one file -----------------------------------------------------------------------------------

def examine(path: Path, spec: Spec, year: int, specs: tuple[Spec, ...] | None = None) -> Entry:
    """Check one file and keep only what the merge needs (the full report is dropped: memory stays flat)."""
    return entry_of(check_path(path, year=year, specs=specs), spec, sha256_file(path), _mtime(path))


def entry_of(result: FileResult, spec: Spec, sha256: str | None = None, mtime: float | None = None) -> Entry:
    """What the merge needs of a checked file (its report, when it could be read)."""
    entry = Entry(result.path, result.status, sha256, mtime)
    if result.report is None:
        entry.reasons.append(Message("merge.reason.unreadable", detail=result.error))
        return entry
    _take_report(entry, result, spec)
    return entry


def unreadable_entry(path: Path, reason: Message) -> Entry:
    """A file whose reading failed in its worker (died, overran its limits)."""
    return Entry(str(path), "unreadable", sha256_file(path), _mtime(path),
                 reasons=[Message("merge.reason.unreadable", detail=reason)])


def _take_report(entry: Entry, result: FileResult, spec: Spec) -> None:
    report = result.report
    entry.unit = report.unit if isinstance(report.unit, str) and report.unit.strip() else None
    entry.unit_code = report.unit_code
    entry.issued = issued_unit(report)
    entry.year = report.year
    entry.format = report.format
    entry.role = workbook_role(report)
    entry.covers = summary_units(report.source.get("metadata") or {}) if entry.role == "summary" else None
    entry.saved = _timestamp(report.source.get("saved_at")) if report.source.get("file_type") != "json" else None
    entry.counted = {s: result.count(s) for s in SEVERITIES}
    entry.untouched = any(f.rule == "ID-untouched" for f in result.findings)
    entry.document = report.source.get("file_type") in PUBLISHED_TYPES
    one_row = formgroups.published_as_one_row(report.spec, report.values)
    entry.one_row = one_row[0].label.split(" · ")[-1] if one_row else None
    if report.format == spec.id:
        values = report.values
        entry.details = [values.get(k) for k in detail_keys(spec)]


def skipped_entry(path: Path, code: str) -> Entry:
    reason = Message("merge.reason.skipped", detail=Message(code))
    return Entry(str(path), "skipped", sha256_file(path), _mtime(path), reasons=[reason])


# --- policy -------------------------------------------------------------------------------------

def _eligible(entry: Entry, spec: Spec, year: int, office: str) -> bool:
    """Readable, same format, same year, not our own summary: the files among which a unit's newest
    return is chosen."""
    if entry.status in ("unreadable", "skipped", "missing"):
        return False
    if entry.role == "summary" and entry.unit and unit_key(entry.unit) == unit_key(office):
        entry.reasons.append(Message("merge.reason.own_summary"))
        return False
    if entry.format != spec.id:
        entry.reasons.append(Message("merge.reason.format", found=entry.format, expected=spec.id))
        return False
    found = report_year(entry.year)
    if found is None:
        entry.reasons.append(Message("merge.reason.year_unread", found=BLANK if entry.year in (None, "") else entry.year))
        return False
    if found != year:
        entry.reasons.append(Message("merge.reason.year", found=found, expected=year))
        return False
    return True


def _newest_first(entries: list[Entry]) -> list[Entry]:
    # Metadata generated_at is when the template was made (the same for a whole batch). The time the
    # application saved the return (its document properties) survives copying and e-mail; the file's
    # modification time on disk is the fallback; the path breaks exact ties.
    latest = time.time() + FUTURE_SLACK
    return sorted(entries, key=lambda e: (-(e.saved or 0), -(e.mtime if e.mtime and e.mtime <= latest else 0),
                                          e.path or ""))


FUTURE_SLACK = 86400          # a day: clocks of offices' computers are off by hours, not by years


def _timestamp(iso) -> float | None:
    """Seconds since the epoch, or None for what is not a time or cannot be one on this machine
    (0001-01-01 and 9999-12-31 overflow the platform's time functions in some time zones), or is later than
    now: a file saved "in 2031" would otherwise outrank every correction sent after it."""
    try:
        ts = dt.datetime.fromisoformat(str(iso).replace("Z", "+00:00")).timestamp()
        dt.datetime.fromtimestamp(ts).astimezone()      # shown later in local time: it must be showable
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return ts if ts <= time.time() + FUTURE_SLACK else None


def summary_units(meta: dict) -> list[str] | None:
    """The units a summary says it includes (its metadata field "units", a JSON list of names)."""
    try:
        names = json.loads(str(meta.get("units") or ""))
    except ValueError:
        return None
    return [str(n) for n in names if str(n).strip()] if isinstance(names, list) else None


def find_duplicates(entries: list[Entry]) -> dict[str, list[Entry]]:
    groups: dict[str, list[Entry]] = {}
    for e in entries:
        if e.unit:
            groups.setdefault(unit_key(e.unit), []).append(e)
    return {k: _newest_first(g) for k, g in groups.items() if len(g) > 1}


def decide(entries: list[Entry], spec: Spec, year: int, include_invalid: bool, office: str,
           listed: set[str] | None = None) -> dict[str, list[Entry]]:
    """Set `included` and the reasons of every entry; returns the duplicate groups (newest first).
    `listed`: the unit keys of the units list; a return from a unit not on it is marked `unlisted`."""
    eligible = [e for e in entries if _eligible(e, spec, year, office)]
    duplicates = find_duplicates(eligible)
    superseded = set()
    for group in duplicates.values():
        newest = group[0]
        newest.reasons.append(Message("merge.reason.newest", count=len(group)))
        for older in group[1:]:
            older.reasons.append(Message("merge.reason.older", newer=newest.path))
            superseded.add(id(older))
    for e in eligible:
        if id(e) in superseded:
            continue
        if not e.unit:
            e.reasons.append(Message("merge.reason.no_unit"))
        if e.document:          # its figures are a report's: a return is a workbook (or gkxl's JSON)
            e.reasons.insert(0, Message("merge.reason.document"))
            continue
        if e.blank_held:
            e.reasons.insert(0, Message("merge.reason.blank_held"))
            continue
        if e.untouched:
            e.reasons.append(Message("merge.reason.untouched"))
        if e.one_row:          # its sub-rows are unknown: adding it would misplace or lose its figures
            e.reasons.insert(0, Message("merge.reason.group_one_row", label=e.one_row))
        elif e.status == "ok":
            e.included = True
            e.reasons.insert(0, Message("merge.reason.accepted" if e.accepted else "merge.reason.ok"))
        elif e.accepted:
            e.included = True
            e.reasons.insert(0, Message("merge.reason.accepted_invalid", errors=e.errors))
        elif include_invalid:
            e.included = True
            e.reasons.insert(0, Message("merge.reason.invalid_included", errors=e.errors))
        else:
            e.reasons.insert(0, Message("merge.reason.invalid", errors=e.errors))
        if listed is not None and e.unit and unit_key(e.unit) not in listed:
            e.unlisted = True       # summed all the same (the list may be out of date), but never silently
            e.reasons.append(Message("merge.reason.not_listed"))
    _leave_out_overlaps([e for e in eligible if e.included])
    return duplicates


def _leave_out_overlaps(included: list[Entry]) -> None:
    """A summary whose units' returns are also included, or whose units another included summary also
    covers, would count those units twice: it is left out, naming the units."""
    returns = {unit_key(e.unit): e for e in included if e.role != "summary" and e.unit}
    summaries = [e for e in included if e.role == "summary"]
    covers = {id(s): {unit_key(u): u for u in (s.covers or ())} for s in summaries}
    for s in summaries:
        mine = covers[id(s)]
        twice = [mine[k] for k in mine if k in returns]
        twice += [mine[k] for other in summaries if other is not s for k in mine
                  if k in covers[id(other)] or (other.unit and k == unit_key(other.unit))]
        if twice:
            s.included = False
            s.reasons[:] = [Message("merge.reason.overlap", units="、".join(dict.fromkeys(twice)))]


def identify(entries: list[Entry], units, assigned: dict[int, Unit] | None = None) -> None:
    """Give each entry the unit of the units list it belongs to, decided once: the clerk's assignment
    (`assigned`, by id of the entry), the unit its template was issued to, the 单位代码, the normalised
    name. An entry whose file names the unit otherwise keeps that name as a note; the summary then lists
    it under the list's name."""
    by_code = {_code(u.code): u for u in units or () if _code(u.code)}
    by_name = {unit_key(u.name): u for u in units or ()}
    for e in entries:
        if e.status in ("skipped", "missing"):
            continue
        unit = (assigned or {}).get(id(e))
        if unit is None and e.issued:
            unit = by_name.get(unit_key(e.issued))
        if unit is None and e.role != "summary" and _code(e.unit_code):
            unit = by_code.get(_code(e.unit_code))
        if unit is None and e.unit:
            unit = by_name.get(unit_key(e.unit))
        if unit is None:
            continue
        if e.unit and unit_key(e.unit) != unit_key(unit.name):
            e.reasons.append(Message("merge.reason.name_in_file", name=e.unit))
        e.unit = unit.name
        if unit.code:
            e.unit_code = unit.code


def _code(code) -> str:
    return "" if code is None else str(code).strip().upper()


def mark_expected(entries: list[Entry], units) -> list[Entry]:
    """Compare with the units list: an entry for each unit that sent nothing (returns from units not on
    it were left out by `decide`)."""
    expected = {unit_key(u.name): u for u in units}
    sent = {unit_key(e.unit) for e in entries if e.unit}
    return [Entry(None, "missing", unit=u.name, unit_code=u.code, reasons=[Message("merge.reason.missing")])
            for key, u in expected.items() if key not in sent]


# --- sums ---------------------------------------------------------------------------------------

def sum_numbers(spec: Spec, included: list[Entry]) -> dict[str, object]:
    """Per numeric input, the sum over the included returns (non-numbers count as 0; amounts to 4 decimals)."""
    cells = spec.numeric_inputs
    column = {k: i for i, k in enumerate(detail_keys(spec))}
    places = [column[c.key] for c in cells]
    sums: list = [0] * len(cells)
    for e in included:
        if e.details is None:
            continue
        for i, place in enumerate(places):
            n = rules.number(e.details[place])
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
    """The summary as reading its workbook gives it: the inputs summed, the totals computed from them (in the
    workbook they are formulas), the texts blank."""
    values: dict[str, object] = {c.key: None for c in spec.value_cells}
    values.update(sum_numbers(spec, included))
    values.update(rules.derive(spec, values))
    return Report(spec.id, spec.version, unit, unit_code, year, values, spec=spec,
                  source={"made_by": "merge", "units": len(included),
                          "unit_names": list(dict.fromkeys(n for e in included for n in [e.unit, *(e.covers or ())] if n))})


# --- sheets -------------------------------------------------------------------------------------

def _local_time(ts: float | None) -> str:
    if ts is None:
        return ""
    return dt.datetime.fromtimestamp(ts).astimezone().isoformat(timespec="seconds")


def _role_text(role: str | None) -> str:
    if role is None:
        return ""
    return text("merge.role.summary" if role == "summary" else "merge.role.return", "zh")


def _included_text(e: Entry) -> str:
    if not e.included:
        return text("merge.included.no", "zh")
    return text("merge.included.yes" if e.status == "ok" else "merge.included.marked", "zh")


def status_rows(entries: list[Entry]) -> list[list]:
    rows = [STATUS_HEADERS]
    for i, e in enumerate(entries, start=1):
        rows.append([i, e.unit or "", e.unit_code or "", e.path or "",
                     text(f"merge.status.{e.status}", "zh"),
                     e.errors if e.status in ("ok", "invalid") else "",
                     e.warnings if e.status in ("ok", "invalid") else "",
                     _included_text(e) if e.status != "missing" else text("merge.included.no", "zh"),
                     e.reason("zh"), e.year if e.year is not None else "", e.format or "",
                     _role_text(e.role), _local_time(e.saved or e.mtime), e.sha256 or ""])
    return rows


def detail_headers(spec: Spec) -> list[str]:
    return DETAIL_FIXED + [f"{spec.cells[k].sheet} · {spec.cells[k].label}" for k in detail_keys(spec)]


def detail_rows(spec: Spec, included: list[Entry]) -> list[list]:
    rows = [detail_headers(spec)]
    for i, e in enumerate(included, start=1):
        rows.append([i, e.unit or "", e.unit_code or "", _role_text(e.role),
                     text(f"merge.status.{e.status}", "zh"), e.path or "", *(e.details or [])])
    return rows


def in_units_order(entries: list[Entry], units=None) -> list[Entry]:
    """The order of the sheets' rows: the units list's order, then the rest by unit name (entries with
    no unit last), then by file; one unit's several files keep their newest-first order."""
    place = {unit_key(u.name): i for i, u in enumerate(units or [])}
    newest = {id(e): i for i, e in enumerate(_newest_first(entries))}

    def key(e: Entry):
        k = unit_key(e.unit) if e.unit else None
        if k in place:
            return (0, place[k], "", newest[id(e)])
        return (1 if k else 2, 0, k or e.path or "", newest[id(e)])
    return sorted(entries, key=key)


# --- the whole merge ----------------------------------------------------------------------------

def merge(paths, output: Path, *, year: int, office: str, office_code: str | None = None,
          spec: Spec | None = None, units_path: Path | None = None, include_invalid: bool = False,
          on_duplicate: str = "newer", password: str | None = None, progress: Progress | None = None) -> ActionReport:
    """Check every input, decide, and write the summary (unless duplicates are refused)."""
    spec = spec or specmod.load()
    if not office.strip():
        raise UsageError("merge.office_missing")
    inputs = collect(paths)
    refuse_overwrite(output, [*inputs.files, *([units_path] if units_path else [])])
    units = load_units(Path(units_path))[0] if units_path else None
    job = functools.partial(examine, spec=spec, year=year, specs=specmod.known(spec))
    examined = map_ordered(job, [Path(p) for p in inputs.files], unreadable_entry)
    entries = list(progress(examined, len(inputs.files)) if progress else examined)
    entries += [skipped_entry(p, code) for p, code in inputs.skipped]
    report = summarise(entries, output, spec=spec, year=year, office=office.strip(), office_code=office_code,
                       units=units, include_invalid=include_invalid, on_duplicate=on_duplicate, password=password)
    report.units_path = str(units_path) if units_path else None
    if units:
        note_problems(report, units, units_path)
    if any(e.status == "invalid" and not e.included for e in entries):
        report.note("merge.hint_include_invalid", "info")      # an option of the command line: said there only
    return report


def merge_results(results: list[FileResult], output: Path, *, year: int, office: str, spec: Spec,
                  units: list[Unit] | None = None, assigned: list[Unit | None] | None = None,
                  accepted: set[int] = frozenset(), office_code: str | None = None) -> ActionReport:
    """The summary of results checked before (the desk's stored returns): nothing is read again.
    `assigned`: for each result, the unit the desk decided it belongs to (None: decide here); `accepted`:
    the places of results the clerk accepted whatever their findings."""
    entries = [entry_of(r, spec) for r in results]
    for i in accepted:
        entries[i].accepted = True
    for e in entries:       # at the desk a blank template sent back is not a unit's return until the clerk says so
        e.blank_held = e.untouched and not e.accepted
    chosen = {id(e): u for e, u in zip(entries, assigned or ()) if u is not None}
    return summarise(entries, output, spec=spec, year=year, office=office, office_code=office_code, units=units,
                     assigned=chosen)


def summarise(entries: list[Entry], output: Path, *, spec: Spec, year: int, office: str,
              office_code: str | None = None, units: list[Unit] | None = None, include_invalid: bool = False,
              on_duplicate: str = "newer", password: str | None = None,
              assigned: dict[int, Unit] | None = None) -> ActionReport:
    """Decide which entries count, sum them, and write the summary workbook; the one report of a merge."""
    from gkxl.io.write import write_workbook
    identify(entries, units, assigned)
    listed = {unit_key(u.name) for u in units} if units is not None else None
    duplicates = decide(entries, spec, year, include_invalid, office, listed)
    missing = mark_expected(entries, units) if units is not None else []
    included = [e for e in entries if e.included]
    summary = summary_report(spec, included, office, office_code, year)
    read = [e for e in entries if e.status != "skipped"]
    report = ActionReport("merge", [_file_result(e) for e in read], shown="problems",
                          summary_code="merge.totals", product=summary)
    report.skipped = [(e.path, e.reasons[0]) for e in entries if e.status == "skipped"]
    report.missing = [(e.unit, e.unit_code) for e in missing]
    report.counts = {"included": len(included), "left_out": len(read) - len(included)}
    for group in duplicates.values():
        report.note("merge.duplicates", unit=group[0].unit, count=len(group), paths=[e.path for e in group])
    if duplicates and on_duplicate == "error":
        report.note("merge.duplicates_refused", "error")
        report.complete = False
        return report
    rows = in_units_order(entries + missing, units)
    write_workbook(Path(output), spec, summary, role="summary", password=password,
                   extra_sheets=[("明细", detail_rows(spec, in_units_order(included, units))),
                                 ("报送情况", status_rows(rows), STATUS_PRINTED)])
    report.wrote(output, "merge.written", included=len(included))
    # counted, but from a unit the list does not have: summed all the same, and the run is not clean
    report.complete = not any(e.unlisted for e in read)
    return report


def _file_result(e: Entry) -> FileResult:
    remarks = []
    if e.included and e.unlisted:
        remarks.append(Message("merge.unlisted", path=e.path, unit=e.unit))
    if e.included and e.untouched:
        remarks.append(Message("merge.untouched", path=e.path, unit=e.unit or BLANK))
    status = e.status
    return FileResult(e.path or "", status, e.unit, e.year, included=e.included,
                      reasons=list(e.reasons), counted=dict(e.counted), remarks=remarks,
                      error=e.reasons[0] if e.status == "unreadable" and e.reasons else None)
