"""Audit: every published report of the bodies under an office, each checked as `check` checks it, and the
links between them: one body's years (its carry-over and documents in force follow from last year, its tables
are not last year's copied), two bodies' reports that are one and the same, each report against the same
body's returned workbook, and the bodies of a units list that published nothing.

Each report is read in a limited worker, which keeps of it only what the links need (a few figures, a digest
of its tables, the differences from its return): 100,000 reports are audited in flat memory. A report's body
is its issuer as its own title names it (the file name only where the title does not, said so); bodies are
matched by their name normalised (brackets, spaces, 人民政府 and 政府, a trailing 办公室) and, against a units
list, by the list's codes and names. Nothing is dropped: a report whose body or year cannot be told, or that
stands beside another for the same body and year, is said, and left out of the links it would confuse.
"""
from __future__ import annotations

import functools
import hashlib
import re
import shutil
import tempfile
import weakref
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from gkxl.actions.check import Progress, check_read, not_a_report, unreadable
from gkxl.actions.parallel import map_ordered
from gkxl.actions.units import load_units, note_problems
from gkxl.checks.identity import report_year
from gkxl.findings.finding import Finding
from gkxl.findings.report import ActionReport, FileResult, Link
from gkxl.form import rules
from gkxl.form import spec as specmod
from gkxl.form.model import unit_key
from gkxl.io.archives import is_archive, unpack
from gkxl.io.files import sha256_file
from gkxl.io.inputs import DOCUMENT_SUFFIXES, WORKBOOK_SUFFIXES, collect
from gkxl.io.units import Unit
from gkxl.published.reading import read_any
from gkxl.text.errors import GkxlError
from gkxl.text.messages import Message
from gkxl.text.titles import file_name_identity

YEAR_LINKS = {"Y-carry": "X-carry", "Y-in-force": "X-stock"}   # the spec's year rules, across two reports


def body_key(name) -> str:
    """A body's name as reports and lists are matched by: no brackets, spaces or invisible characters;
    人民政府 read as 政府; a trailing 办公室 left out (a government's report published by its office)."""
    s = unit_key(name)
    s = re.sub(r"[(（【\[][^)）】\]]*[)）】\]]", "", s)
    s = s.replace("人民政府", "政府")
    if s.endswith("办公室") and len(s) > 5:
        s = s[:-3]
    return s


@dataclass
class Returned:
    """What the audit keeps of a returned workbook: its body, year and figures (in its form's order, NaN
    where blank: a few hundred bytes a return), and where they stand where not at the form's own cells."""
    path: str
    body: str
    year: int
    spec_id: str
    figures: array
    places: dict[str, tuple[str, str]]


@dataclass(slots=True)
class Seen:
    """What the audit keeps of one report besides its check (a few hundred bytes: 100,000 are kept)."""
    path: str
    body: str | None                     # the body id (a units list's name, or the normalised issuer)
    name: str | None                     # the issuer as the report names it
    year: int | None
    spec_id: str | None = None
    year_figures: array | None = None    # the figures the year rules compare, in year_keys order (NaN: blank)
    tables: bytes | None = None          # a digest of tables 二–四's figures (a copy has the same)
    content: bytes | None = None         # a digest of every figure (one report saved as .docx and .pdf has the same)
    nonzero: int = 0
    links: list[Link] = field(default_factory=list)                 # its differences from its return


@dataclass
class Published:
    """A report's figures and where it shows them: sent from the worker, compared with the return, dropped."""
    figures: array
    lines: dict[str, int]
    places: dict


@dataclass(frozen=True)
class Job:
    path: str
    label: str


@functools.cache
def numeric_keys(spec: specmod.Spec) -> tuple[str, ...]:
    return tuple(c.key for c in spec.value_cells if c.numeric)


@functools.cache
def year_keys(spec: specmod.Spec) -> tuple[str, ...]:
    return tuple(sorted({k for y in spec.year_rules for k in (y.this, *y.last, *y.plus, *y.minus)}))


def figures_of(spec: specmod.Spec, values: dict, keys: tuple[str, ...] | None = None) -> array:
    """The figures of `keys` (every numeric cell of the form by default) as numbers, NaN where blank."""
    nan = float("nan")
    return array("d", (nan if (v := rules.number(values.get(k))) is None else v for k in keys or numeric_keys(spec)))


def _year_values(spec: specmod.Spec, seen: Seen) -> dict[str, float | None]:
    return {k: (v if v == v else None) for k, v in zip(year_keys(spec), seen.year_figures or ())}


def _body(name: str, bodies: dict[str, str] | None, code=None) -> str | None:
    """The body a report or return is of: the units list's name (by code, then by name), or the normalised
    name itself without a list; None when the list does not have it."""
    if bodies is None:
        return body_key(name)
    if code and "code:" + str(code) in bodies:
        return bodies["code:" + str(code)]
    return bodies.get(body_key(name))


def _read_return(job: Job, specs, bodies: dict[str, str] | None) -> Returned | Message:
    """A returned workbook as the audit keeps it, or why it cannot be used."""
    path = job.label
    try:
        read = read_any(Path(job.path), specs)
    except GkxlError as e:
        return Message("audit.return_unreadable", path=path, reason=e.message)
    report = read.report
    year = report_year(report.year)
    if not isinstance(report.unit, str) or year is None:
        return Message("audit.return_unnamed", path=path)
    body = _body(report.unit, bodies, report.unit_code)
    if body is None:
        return Message("audit.return_unlisted", path=path, unit=report.unit)
    return Returned(path, body, year, report.spec.id, figures_of(report.spec, report.values), dict(read.places))


def read_report(job: Job, specs, bodies: dict[str, str] | None = None, year: int | None = None
                ) -> tuple[FileResult, Seen, Published | None]:
    """Check one report and keep what the links need (in a limited worker): its check, what identifies it
    and what year links compare, and its figures with where it shows them."""
    try:
        read = read_any(Path(job.path), specs, suffix=Path(job.label).suffix)
        report, spec = read.report, read.report.spec
        named, when = report.unit if isinstance(report.unit, str) and report.unit else None, report_year(report.year)
        taken = []              # the title does not say: the file name (or --year), said so, before the checks
        if named is None or when is None:
            shown = Path(job.label.split(" › ")[-1]).name
            from_name, year_named = file_name_identity(shown)
            if named is None and from_name:
                report.unit = named = from_name
                taken.append(Finding.of("ID-source", "audit.unit_from_file", value=named, name=shown))
            if when is None and (year_named or year):
                report.year = when = year_named or year
                taken.append(Finding.of("ID-source", "audit.year_from_file" if year_named else "audit.year_by_option",
                                        value=when, name=shown, year=when))
        said = check_read(read) + taken
    except GkxlError as e:
        return FileResult(job.label, "unreadable", error=e.message), Seen(job.label, None, None, None), None
    body = _body(named, bodies) if named else None
    if named and body is None:
        said.append(Finding.of("X-unlisted", "audit.unlisted", unit=named))
    status = "invalid" if any(f.severity == "error" for f in said) else "ok"
    result = FileResult(job.label, status, named, when, said)
    seen = Seen(job.label, body, named, when, spec.id)
    seen.year_figures = figures_of(spec, report.values, year_keys(spec))
    figures = figures_of(spec, report.values)
    if any(v == v for v in figures):
        seen.content = hashlib.sha256(figures.tobytes()).digest()[:16]
    table_keys = [c.key for c in spec.value_cells if c.numeric and c.sheet != spec.sheets[0].name]
    tables = [rules.number(report.values.get(k)) for k in table_keys]
    numbers = [v for v in tables if v is not None]
    if len(numbers) >= 0.8 * len(table_keys):
        seen.tables = hashlib.sha256(repr(tables).encode()).digest()[:16]
        seen.nonzero = sum(1 for v in numbers if v != 0)
    return result, seen, Published(figures, dict(read.lines), dict(read.line_places))


def place(spec: specmod.Spec, published: Published, key: str) -> Message | str:
    """Where a figure stands in a published report: its table row (or page), else its line."""
    label = spec.cells[key].label
    line = published.lines.get(key)
    at = published.places.get(line) if line else None
    if at is None and line:
        at = Message("audit.line", line=line)
    return Message("audit.place", cell=label, at=at) if at is not None else label


def differing(spec: specmod.Spec, shown: array, returned: array) -> list[tuple[str, float, float]]:
    """(key, published, returned) of each figure a report and a return both give, and give differently; a
    figure one of them leaves blank is not compared (the report's own check says V-unpublished)."""
    keys = numeric_keys(spec)
    return [(keys[i], a, b) for i, (a, b) in enumerate(zip(shown, returned))
            if a == a and b == b and round(a - b, 6) != 0]


def _differences(spec: specmod.Spec, seen: Seen, published: Published, ret: Returned) -> list[Link]:
    """One X-return for each figure that differs, naming both values and both places."""
    out = []
    for key, shown, returned in differing(spec, published.figures, ret.figures):
        at, cell = place(spec, published, key), "!".join(ret.places.get(key) or (spec.cells[key].where,))
        out.append(Link("X-return", "error", seen.name, (ret.year,), (seen.path, ret.path), (at, cell),
                        Message("audit.return_differs", report=seen.path, at=at, published=shown_number(shown),
                                workbook=ret.path, cell=cell, returned=shown_number(returned))))
    return out


def shown_number(v: float) -> int | float:
    return int(v) if v == int(v) else v


# --- the links between reports ------------------------------------------------------------------------

def _year_links(spec: specmod.Spec, spec_before: specmod.Spec, name: str, before: Seen, now: Seen) -> list[Link]:
    out: list[Link] = []
    failed: set[str] = set()
    now_values, before_values = _year_values(spec, now), _year_values(spec_before, before)
    for yr in spec.year_rules:
        this = rules.number(now_values.get(yr.this))
        last = rules.total(before_values, yr.last)
        plus, minus = rules.total(now_values, yr.plus), rules.total(now_values, yr.minus)
        if None in (this, last, plus, minus) or round(this - (last + plus - minus), 6) == 0:
            continue
        if yr.binding == "total" and yr.id in failed:
            continue        # the 总计 column follows from the applicant column already said
        failed.add(yr.id)
        rule = YEAR_LINKS.get(yr.id, yr.id)
        cell, last_cell = spec.cells[yr.this], spec.cells[yr.last[0]]
        code = "audit.stock_link" if yr.plus or yr.minus else "audit.carry_link"
        out.append(Link(rule, "error" if rule == "X-carry" else "warning", name, (before.year, now.year),
                        (before.path, now.path), (last_cell.label, cell.label),
                        Message(code, label=cell.label, last_label=last_cell.label, before=before.year,
                                now=now.year, this=shown_number(this), last=shown_number(last),
                                plus=shown_number(plus), minus=shown_number(minus),
                                expected=shown_number(last + plus - minus), first=before.path, second=now.path)))
    return out


def links(specs: dict[str, specmod.Spec], seen: list[Seen], units: list[Unit] | None, with_returns: bool,
          returned: dict, audited: int | None = None) -> tuple[list[Link], list[tuple[str, Message]]]:
    """The links between the reports, and what is said of reports left out of them. `audited`: the year
    audited (the bodies of the units list must have a report of it); else every year a report is of."""
    out: list[Link] = []
    notes: list[tuple[str, Message]] = []
    by_body: dict[str, dict[int, list[Seen]]] = {}
    for s in seen:
        if s.body is not None and s.year is not None:
            by_body.setdefault(s.body, {}).setdefault(s.year, []).append(s)
    single: dict[str, dict[int, Seen]] = {}
    for body, years in by_body.items():
        for year, reports in years.items():
            if len(reports) > 1 and len({r.content for r in reports}) == 1 and reports[0].content:
                notes.append(("info", Message("audit.same_report", unit=reports[0].name, year=year,
                                              paths=[r.path for r in reports])))
                reports = reports[:1]    # one report published in several forms (the page, its .docx, its .pdf)
            if len(reports) > 1:       # two different reports of one body and year: which one counts is not told
                notes.append(("warning", Message("audit.two_reports", unit=reports[0].name, year=year,
                                                 paths=[r.path for r in reports])))
                out += [link for r in reports for link in r.links]     # each differs from the return all the same
                continue
            single.setdefault(body, {})[year] = reports[0]
    for body, years in single.items():
        for year in sorted(years):
            now, before = years[year], years.get(year - 1)
            out += now.links
            if before is None:
                continue
            out += _year_links(specs[now.spec_id], specs[before.spec_id], now.name or body, before, now)
            if now.tables and now.tables == before.tables and now.nonzero >= 3:
                out.append(Link("X-copy", "warning", now.name, (year - 1, year), (before.path, now.path), ("", ""),
                                Message("audit.copied_year", unit=now.name, before=year - 1, now=year,
                                        first=before.path, second=now.path)))
    by_tables: dict[tuple[int, str], list[Seen]] = {}
    for years in single.values():
        for year, s in years.items():
            if s.tables and s.nonzero >= 3:
                by_tables.setdefault((year, s.tables), []).append(s)
    for (year, _), same in by_tables.items():
        if len({s.body for s in same}) > 1:
            out.append(Link("X-copy", "warning", "、".join(s.name or "" for s in same), (year,),
                            tuple(s.path for s in same), ("",) * len(same),
                            Message("audit.copied_bodies", units=[s.name for s in same], year=year,
                                    paths=[s.path for s in same])))
    years_seen = [audited] if audited is not None else sorted({y for years in single.values() for y in years})
    if units is not None:
        for u in units:
            for year in years_seen:
                if year not in single.get(u.name, {}):
                    out.append(Link("X-missing", "warning", u.name, (year,), (), (),
                                    Message("audit.no_report", unit=u.name, year=year)))
    if with_returns:
        for body, years in single.items():
            for year, s in years.items():
                if (body, year) not in returned and year in years_seen:
                    out.append(Link("X-missing", "warning", s.name, (year,), (s.path,), ("",),
                                    Message("audit.no_return", unit=s.name, year=year, path=s.path)))
    return out, notes


# --- the whole audit ------------------------------------------------------------------------------------

def _gather(paths, folder: Path, wanted, documents: bool = True
            ) -> tuple[list[tuple[Path, str]], list[tuple[str, Message]], set[str]]:
    """The files to read, with the name each is shown under; zips unpacked into `folder`; and the names of
    those found in a folder or zip (skipped, not failed, when they are no report)."""
    inputs = collect(paths, documents=documents, archives=True)
    files, skipped = [], [(str(p), Message(code)) for p, code in inputs.skipped]
    found = {str(p) for p in inputs.documents}
    for n, path in enumerate(inputs.files):
        if path.suffix.lower() == ".zip" and is_archive(path):
            into = folder / f"zip{n}"
            into.mkdir()
            got, left = unpack(path, into, wanted)
            files += got
            skipped += left
            found.update(label for _, label in got)
        else:
            files.append((path, str(path)))
    return files, skipped, found


def _same_files(files: list[tuple[Path, str]]) -> dict[str, list[tuple[Path, str]]]:
    """Files by content, each group led by the plainest name ("A.txt" before "A (1).txt", "A - 副本.txt")."""
    groups: dict[str, list[tuple[Path, str]]] = {}
    for n, (path, label) in enumerate(files):
        groups.setdefault(sha256_file(path) or f"unread{n}", []).append((path, label))
    return {k: sorted(g, key=lambda f: (len(Path(f[1]).name), f[1])) for k, g in groups.items()}


def audit(paths, *, returns=(), kept_returns: list[tuple[Path, str]] = (), units_path: Path | None = None,
          year: int | None = None, spec: specmod.Spec | None = None, progress: Progress | None = None,
          hold: bool = True) -> ActionReport:
    """Read and check every report (and, with `returns`, every returned workbook), then link them.
    `kept_returns`: returns kept under other names (a desk collection's), with the names they were sent under.
    `hold` False: the reports' results arrive as they are read (`ActionReport.arriving`) and are kept only as
    much as the summary needs, the links made once all are in: 100,000 reports in flat memory."""
    spec = spec or specmod.load()
    specs = specmod.known(spec)
    specs_by_id = {s.id: s for s in specs}
    units = load_units(Path(units_path))[0] if units_path else None
    bodies = None
    if units is not None:
        bodies = {body_key(u.name): u.name for u in units}
        bodies.update({"code:" + u.code: u.name for u in units if u.code})
    report = ActionReport("audit", shown="status", units_path=str(units_path) if units_path else None,
                          summary_code="audit.totals")
    if units is not None:
        note_problems(report, units, units_path)
    tmp = Path(tempfile.mkdtemp(prefix="gkxl-audit-"))
    cleanup = weakref.finalize(report, shutil.rmtree, tmp, True)
    try:
        files, report.skipped, found = _gather(paths, tmp, DOCUMENT_SUFFIXES | WORKBOOK_SUFFIXES)
        returned = _returns(report, returns, kept_returns, tmp, specs, bodies)
    except BaseException:
        cleanup()
        raise
    jobs = []
    for group in _same_files(files).values():     # the same report saved twice: read once, and said (in the
                                                  # order the files came, the copy read under its plainest name)
        path, label = group[0]
        jobs.append(Job(str(path), label))
        for _, other in group[1:]:
            report.note("audit.same_file", "info", path=other, first=label)
    del files                                     # what is kept of each report is Seen's, from here on
    seen: list[Seen] = []

    def arriving() -> Iterator[FileResult]:
        try:
            reader = functools.partial(read_report, specs=specs, bodies=bodies, year=year)
            done: Iterable = map_ordered(reader, jobs, lambda job, reason: (unreadable(job.label, reason),
                                                                            Seen(job.label, None, None, None), None))
            for result, s, published in progress(done, len(jobs)) if progress else done:
                if result.path in found and not_a_report(result):
                    report.skipped.append((result.path, Message("inputs.not_report", reason=result.error)))
                    continue
                ret = returned.get((s.body, s.year)) if s.body is not None else None
                if ret is not None and published is not None and ret.spec_id == s.spec_id:
                    s.links = _differences(specs_by_id[s.spec_id], s, published, ret)
                seen.append(s)
                yield result
        finally:
            cleanup()

    def settle(done: ActionReport) -> None:
        done.links, notes = links(specs_by_id, seen, units, bool(returns or kept_returns), returned, year)
        done.notes += notes
        done.counts = {"bodies": len({s.body for s in seen if s.body is not None}), "links": len(done.links)}

    if hold:
        report.files = list(arriving())
        settle(report)
    else:
        report.arriving, report.settle = arriving(), settle
    return report


def _returns(report: ActionReport, returns, kept: list[tuple[Path, str]], folder: Path, specs,
             bodies: dict[str, str] | None) -> dict[tuple[str, int], Returned | None]:
    """The returned workbooks by body and year (None where two stand for one: neither is compared)."""
    returned: dict[tuple[str, int], Returned | None] = {}
    if not (returns or kept):
        return returned
    files, skipped, _ = _gather(returns, folder, WORKBOOK_SUFFIXES | {".json"}, False) if returns else ([], [], None)
    report.skipped += skipped
    reader = functools.partial(_read_return, specs=specs, bodies=bodies)
    failed = lambda job, reason: Message("audit.return_unreadable", path=job.label, reason=reason)  # noqa: E731
    for got in map_ordered(reader, [Job(str(p), label) for p, label in [*files, *kept]], failed):
        if isinstance(got, Message):
            report.notes.append(("warning", got))
            continue
        key = (got.body, got.year)
        if key in returned:
            report.note("audit.two_returns", unit=got.body, year=got.year, paths=[got.path])
        returned[key] = None if key in returned else got
    return returned
