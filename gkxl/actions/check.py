"""Check: read every input (a workbook, gkxl JSON, or a published report) in a limited worker, run the checks
over it, and say where each finding is in the sender's own file; annotated copies on request.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from pathlib import Path

from gkxl.actions.parallel import map_ordered
from gkxl.actions.previous import read_previous
from gkxl.actions.units import load_units, note_problems
from gkxl.checks import Context, run_checks
from gkxl.findings.finding import Finding
from gkxl.findings.report import ActionReport, FileResult
from gkxl.form import spec as specmod
from gkxl.form.model import Report
from gkxl.io.files import Claims, safe_filename
from gkxl.io.inputs import collect
from gkxl.io.read import ReadResult
from gkxl.io.units import not_sent
from gkxl.published.reading import read_any
from gkxl.text.errors import GkxlError
from gkxl.text.messages import Message

Progress = Callable[[Iterable, int], Iterable]


def check_read(result: ReadResult, *, year: int | None = None, previous=()) -> list[Finding]:
    """All findings of one read report: the reader's, then every check's, moved to the sender's places.
    `previous`: last year's reports (any units; matched by unit), or one."""
    if isinstance(previous, Report):
        previous = (previous,)
    _settle_year(result, year)
    report = result.report
    context = Context.of(report, year=year, previous=tuple(previous), recompute=not result.stored_totals,
                         formulas=tuple(result.formulas),
                         skipped_sheets=frozenset(result.skipped_sheets), unread=frozenset(result.unread),
                         said=frozenset(f.rule for f in result.findings))
    found = run_checks(report, context)
    result.locate(found, report.spec)
    return [*result.findings, *found]


def _settle_year(result: ReadResult, year: int | None) -> None:
    """A workbook whose info blocks give several years, one of them the --year asked for: that one, said."""
    years = (result.report.source.get("candidates") or {}).get("year") or []
    if year is None or result.report.year is not None or year not in years:
        return
    result.report.year = year
    result.findings = [f for f in result.findings if not (f.rule == "ID-year" and f.message.code == "locate.identity_twice")]
    result.findings.append(Finding.of("ID-source", "locate.year_by_option", items=[str(y) for y in years], year=year))


def check_path(path: Path, *, year: int | None = None, previous=(), keep_report: bool = True,
               specs: tuple[specmod.Spec, ...] | None = None) -> FileResult:
    """Check one file. `keep_report` False drops the values from the result (a batch's worker processes
    then send back only what the report shows); `specs`: the forms it may be in (--spec first)."""
    try:
        result = read_any(Path(path), specs)
        findings = check_read(result, year=year, previous=previous)
    except GkxlError as e:
        return FileResult(str(path), "unreadable", error=e.message)
    report = result.report
    status = "invalid" if any(f.severity == "error" for f in findings) else "ok"
    return FileResult(str(path), status, report.unit, report.year, findings, report=report if keep_report else None,
                      published=report.source.get("file_type") in PUBLISHED_TYPES)


PUBLISHED_TYPES = frozenset({"docx", "doc", "pdf", "html", "text"})    # a published report is read from these


def unreadable(path, reason: Message) -> FileResult:
    """The result of a file whose reading failed in its worker (died, overran its limits)."""
    return FileResult(str(path), "unreadable", error=reason)


def check(paths, *, year: int | None = None, previous=(), units_path: Path | None = None,
          annotate_dir: Path | None = None, output: Path | None = None, spec: specmod.Spec | None = None,
          progress: Progress | None = None) -> ActionReport:
    """Check every input. The results arrive as they are read (`ActionReport.arriving`): a report of 10,000
    returns is rendered without holding them; with `annotate_dir` they are held, and a copy of each file with
    findings is written there. `output`: where the caller will write the report (never over an input)."""
    specs = specmod.known(spec)
    last_files = collect(previous, required=False).files
    last = read_previous(last_files, specs)
    inputs = collect(paths, documents=True)
    claims = Claims([*inputs.files, *last_files, units_path])
    if output:
        claims.claim(Path(output))
    units = load_units(Path(units_path))[0] if units_path else None
    job = functools.partial(check_path, year=year, previous=tuple(last), keep_report=bool(annotate_dir), specs=specs)
    results: Iterable[FileResult] = map_ordered(job, inputs.files, unreadable)
    if progress:
        results = progress(results, len(inputs.files))
    report = ActionReport("check", skipped=[(str(p), Message(code)) for p, code in inputs.skipped],
                          units_path=str(units_path) if units is not None else None)
    results = _reports_only(results, {str(p) for p in inputs.documents}, report)
    if units is not None:
        note_problems(report, units, units_path)
        report.settle = lambda done: setattr(done, "missing", not_sent(units, done.files))
    if annotate_dir:             # annotated copies are made from whole results, once all are in
        report.files = list(results)
        annotate_all(report, Path(annotate_dir), claims)
    else:
        report.arriving = results
    return report


# what a document found in a folder says when it is no annual report at all (a 说明.txt, a scanned letter)
NOT_A_REPORT = ("doc.no_tables", "doc.pdf_no_text", "doc.pdf_no_unicode", "doc.image", "doc.binary", "parse.encoding")


def not_a_report(r: FileResult) -> bool:
    """The file could not be read because it is no annual report at all (a 说明.txt, a scanned letter)."""
    code = r.error.code if r.error is not None else None
    inner = r.error.params.get("reason") if code == "doc.file" else None
    return r.status == "unreadable" and (code in NOT_A_REPORT or getattr(inner, "code", None) in NOT_A_REPORT)


def _reports_only(results: Iterable[FileResult], documents: set[str], report: ActionReport) -> Iterable[FileResult]:
    """The results, but a document from a folder that is not a report is skipped (and said so), as any
    other file a folder holds besides returns."""
    for r in results:
        if r.path in documents and not_a_report(r):
            report.skipped.append((r.path, Message("inputs.not_report", reason=r.error)))
            continue
        yield r


def annotate_all(report: ActionReport, out_dir: Path, claims: Claims) -> None:
    """An annotated copy of each file with findings, named after it (the source extension kept when two
    inputs share a name); never written over an input or another output (then named …_2). openpyxl reads
    the whole return to copy it: in a limited worker, like every reading of a return. A copy that cannot
    be made is a note of the report: the check itself stands."""
    results = report.files
    stems: dict[str, int] = {}
    for r in results:
        stems[Path(r.path).stem.lower()] = stems.get(Path(r.path).stem.lower(), 0) + 1
    used: set[str] = set()
    jobs = []
    for r in results:
        if r.report is None or not r.findings:    # unreadable files are already in the report
            continue
        source = Path(r.path)
        base = safe_filename(source.stem)
        if stems[source.stem.lower()] > 1:        # a.xls and a.ods: say which is which
            base += "_" + source.suffix.lstrip(".").lower()
        jobs.append((r, claims.free(out_dir, base + "_校验标注", ".xlsx", used)))
    for (r, target), failed in zip(jobs, map_ordered(_annotate_one, jobs, _annotate_failed)):
        if failed is None:
            r.written = str(target)
            report.wrote(target, "cli.annotated")
        else:
            report.note("cli.annotate_failed", path=r.path, reason=failed)


def _annotate_one(job) -> Message | None:
    """Write one annotated copy; None, or why it could not be written (an annotated copy is a courtesy:
    its failure never costs the check report)."""
    from gkxl.io.annotate import annotate
    result, target = job
    try:
        annotate(result, target)
    except GkxlError as e:
        return e.message
    except MemoryError:
        raise                   # the worker says which limit it reached
    except Exception as e:
        return Message("io.internal", kind=type(e).__name__)
    return None


def _annotate_failed(_job, reason: Message) -> Message:
    return reason
