"""Checking received files as `gkxl check` does (gkxl.actions.check.check_path), in limited worker processes that
live as long as the desk: the year and last year's returns are handed to each worker once, not with every file.
What else the desk reads of a stored file (its values for the unit page, an annotated copy) is read in a
limited worker of its own, so that a page is not kept waiting behind an upload.
"""
from __future__ import annotations

import functools
import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from gkxl import __version__
from gkxl.actions.check import check_path, unreadable
from gkxl.actions.parallel import ITEM_SECONDS, STOPS_WORTH_RETRYING, Workers
from gkxl.checks.identity import workbook_role
from gkxl.desk.store import Received, Staged
from gkxl.findings.finding import Finding
from gkxl.findings.report import FileResult
from gkxl.form import spec as specmod
from gkxl.form.model import Report
from gkxl.io.annotate import annotate
from gkxl.io.read import read_path
from gkxl.text.errors import GkxlError
from gkxl.text.messages import Message

# how a check is stored (findings as sentences in both languages, the report as the model's JSON): a change
# means checking every file again
STORED_AS = "sentences as {zh, en}; report as gkxl-report/1"


def check_one(path: str, year: int | None, previous: tuple) -> tuple[FileResult, dict]:
    """check_path, with the report handed back as the model's JSON, which the desk stores: its summary and
    pages then never read the file again."""
    result = check_path(Path(path), year=year, previous=previous, keep_report=True)
    meta = {}
    if result.report is not None:
        r = result.report
        meta = {"unit_code": r.unit_code, "format": r.format, "role": workbook_role(r), "report": r.to_dict()}
        result.report = None
    return result, meta


def stored_report(row) -> Report | None:
    """The report of a stored file, as its check read it (None for an unreadable file)."""
    doc = row["report"] if "report" in row.keys() else None
    return Report.from_dict(json.loads(doc)) if doc else None


def stored_result(row) -> FileResult:
    """A stored file's check as the actions take it, under the name it was sent with."""
    error = Message("stored.sentence", sentence=json.loads(row["error"])) if row["error"] else None
    return FileResult(row["original_name"], row["status"], row["unit_read"], row["year"], stored_findings(row),
                      error=error, report=stored_report(row))


def stored_findings(row) -> list[Finding]:
    """The findings of a stored check, as Finding objects again (their sentences as stored)."""
    out = []
    for d in json.loads(row["findings"]):
        f = Finding(d["rule"], d["severity"], Message("stored.sentence", sentence=d["message"]), d.get("sheet"), d.get("cell"),
                    d.get("value"), d.get("expected"), d.get("row_label") or "", d.get("col_label") or "",
                    Message("stored.sentence", sentence=d["hint"]) if d.get("hint") else None, d.get("key"),
                    candidates=d.get("candidates") or [], equations=d.get("equations") or [])
        out.append(f)
    return out


def read_stored(job: tuple, year: int | None, previous: tuple):
    """("report", path): the file's values as the reader reads them, or None when it cannot be read.
    ("annotate", path, target): the annotated copy to send back, the file checked again with its report."""
    kind, path, *rest = job
    if kind == "report":
        try:
            return read_path(Path(path)).report
        except GkxlError:
            return None
    with tempfile.TemporaryDirectory() as d:
        copy = Path(d) / "return.xlsx"      # openpyxl opens by file name ending; stored files are named by hash
        shutil.copyfile(path, copy)
        annotate(check_path(copy, year=year, previous=previous, keep_report=True), Path(rest[0]), rest[1])
    return None


def finding_dicts(result: FileResult) -> list[dict]:
    """Findings as stored: Finding.to_dict with its sentences in both languages ({"zh", "en"}), so the
    page can switch language without checking again."""
    out = []
    for f in result.findings:
        d = f.to_dict("zh")
        d["message"] = both(f.message)
        d["hint"] = both(f.hint) if f.hint else None
        if f.place is not None:                 # a published report's page or table row
            d["place"] = both(f.place)
        d["where"] = f.where
        out.append(d)
    return out


def received(staged: Staged, name: str, result: FileResult, meta: dict, stamp: str) -> Received:
    """What the store records of one checked file."""
    unit = result.unit
    return Received(staged, name, result.status, finding_dicts(result), result.error,
                    unit_read=unit if isinstance(unit, str) else (str(unit) if unit is not None else None),
                    year=result.year if isinstance(result.year, int) else None, checked_with=stamp,
                    report=meta.get("report"))


def both(message) -> dict[str, str]:
    return {"zh": message.zh, "en": message.en}


class Checker:
    """The desk's checking: every file read in a limited worker (memory, time), as `gkxl check` reads it;
    the workers live as long as the desk, with the year and last year's returns handed over once."""

    def __init__(self, year: int | None, previous=(), processes: int | None = None, *, seconds: float = ITEM_SECONDS):
        self.year = year
        self.previous = tuple(previous)
        spec = specmod.load()
        # What a stored check depends on: a change (new gkxl, last year's data linked) means checking again.
        last = sorted(json.dumps([r.unit, r.year, r.values], sort_keys=True, default=str) for r in self.previous)
        basis = json.dumps([__version__, spec.id, spec.version, year, last, STORED_AS])
        self.fingerprint = hashlib.sha256(basis.encode()).hexdigest()[:16]
        # forkserver: workers start from a clean single-threaded process, not from the threaded server
        self._workers = Workers(functools.partial(check_one, year=year, previous=self.previous), processes,
                                method="forkserver", seconds=seconds)
        # a page's values and an annotated copy each in a worker of their own: a page never waits
        # behind a copy (openpyxl, seconds for a big return), nor either behind an upload
        reading = functools.partial(read_stored, year=year, previous=self.previous)
        self._reader = Workers(reading, 1, method="forkserver", seconds=seconds)
        self._copier = Workers(reading, 1, method="forkserver", seconds=seconds)      # started when first asked for

    def warm(self) -> None:
        """Start the workers now (they import gkxl once), so the first upload or page does not wait for them."""
        self._workers.start()
        self._reader.start()

    def check(self, paths: Iterable, expected: int | None = None) -> list[tuple[FileResult, dict]]:
        """Results in order; `paths` may be a generator, drawn on as the workers can take more."""
        return self._workers.map_in_turns((str(p) for p in paths), _unreadable, expected)

    def report(self, path: Path):
        """A stored file's values (a Report), or None when it cannot be read; a GkxlError when its
        worker was stopped (the reason)."""
        return self._reader.map([("report", str(path))])[0]

    def annotate(self, path: Path, target: Path, notice: str | None = None) -> None:
        """Write the annotated copy of a stored file to `target`, headed by `notice`; a GkxlError says why
        it could not be."""
        self._copier.map([("annotate", str(path), str(target), notice)])

    def stamp(self, result: FileResult) -> str:
        """What a stored check is marked with: the fingerprint, or nothing when the file's worker was
        stopped by something that may not happen again (a hang under load, a kill from outside): the
        file is then checked again when the desk next starts."""
        if result.error is not None and result.error.code in STOPS_WORTH_RETRYING:
            return ""
        return self.fingerprint

    def close(self) -> None:
        self._workers.close()
        self._reader.close()
        self._copier.close()


def _unreadable(path: str, reason) -> tuple[FileResult, dict]:
    """A file whose worker died or overran its limits: unreadable, with the reason, like `gkxl check` says."""
    return unreadable(path, reason), {}
