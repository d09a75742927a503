"""Checking received files as `gkxl check` does (gkxl.checks.check_path), on worker processes that live as
long as the desk: the year and last year's returns are handed to each worker once, not with every file.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from threading import Lock

from gkxl import __version__
from gkxl.batch.parallel import workers
from gkxl.checks import check_path
from gkxl.findings.report import FileResult
from gkxl.form import spec as specmod

_YEAR: int | None = None
_PREVIOUS: tuple = ()
STORED_AS = "sentences as {zh, en}"   # how findings are stored: a change means checking every file again
SMALL_BATCH = 4          # fewer files than this are checked in the server process: no hand-off cost


def _init(year, previous) -> None:
    global _YEAR, _PREVIOUS
    _YEAR, _PREVIOUS = year, tuple(previous)


def _ready(_n: int) -> int:
    return os.getpid()


def _worker_check(path: str) -> tuple[FileResult, dict]:
    return check_one(path, _YEAR, _PREVIOUS)


def check_one(path: str, year: int | None, previous: tuple) -> tuple[FileResult, dict]:
    """check_path, keeping of the report only what the desk records (the values stay in the file)."""
    result = check_path(Path(path), year=year, previous=previous, keep_report=True)
    meta = {}
    if result.report is not None:
        r = result.report
        meta = {"unit_code": r.unit_code, "format": r.format,
                "kind": str(r.source.get("metadata", {}).get("kind") or "") or None}
        result.report = None
    return result, meta


def finding_dicts(result: FileResult) -> list[dict]:
    """Findings as stored: Finding.to_dict with its sentences in both languages ({"zh", "en"}), so the
    page can switch language without checking again."""
    out = []
    for f in result.findings:
        d = f.to_dict("zh")
        d["message"] = both(f.message)
        d["hint"] = both(f.hint) if f.hint else None
        d["where"] = f.where
        out.append(d)
    return out


def both(message) -> dict[str, str]:
    return {"zh": message.zh, "en": message.en}


class Checker:
    def __init__(self, year: int | None, previous=(), processes: int | None = None):
        self.year = year
        self.previous = tuple(previous)
        self.processes = processes or min(workers(), 8)
        self._pool: ProcessPoolExecutor | None = None
        self._lock = Lock()
        spec = specmod.load()
        # What a stored check depends on: a change (new gkxl, last year's data linked) means checking again.
        last = sorted(json.dumps([r.unit, r.year, r.values], sort_keys=True, default=str) for r in self.previous)
        basis = json.dumps([__version__, spec.id, spec.version, year, last, STORED_AS])
        self.fingerprint = hashlib.sha256(basis.encode()).hexdigest()[:16]

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                methods = multiprocessing.get_all_start_methods()
                # forkserver: workers start from a clean single-threaded process, not from the threaded server
                ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
                self._pool = ProcessPoolExecutor(self.processes, mp_context=ctx, initializer=_init,
                                                 initargs=(self.year, self.previous))
            return self._pool

    def warm(self) -> None:
        """Start the workers now (they import gkxl once), so the first upload does not wait for them."""
        if self.processes > 1:
            list(self._executor().map(_ready, range(self.processes)))

    def check(self, paths: list[Path]) -> list[tuple[FileResult, dict]]:
        if len(paths) < SMALL_BATCH or self.processes < 2:
            return [check_one(str(p), self.year, self.previous) for p in paths]
        chunk = max(1, min(16, len(paths) // (self.processes * 4)))
        try:
            return list(self._executor().map(_worker_check, [str(p) for p in paths], chunksize=chunk))
        except BrokenProcessPool:     # a worker died (out of memory?): start afresh, check here
            self.close()
            return [check_one(str(p), self.year, self.previous) for p in paths]

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)   # workers gone before the desk stops
                self._pool = None
