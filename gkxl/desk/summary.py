"""汇总: the merge action over each unit's latest return as the desk checked and stored it (those standing 退回
are held back), built once per state of the collection; the report (gkxl.published.render) and the CSV export
on request. No stored file is read again: the summary is made from the reports the checks stored.
"""
from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
from pathlib import Path

from gkxl.actions.export import export_results
from gkxl.actions.merge import merge_results
from gkxl.desk.checking import stored_result
from gkxl.findings.report import ActionReport, FileResult
from gkxl.io.files import safe_filename
from gkxl.io.inputs import DOCUMENT_SUFFIXES
from gkxl.io.units import Unit
from gkxl.published.render import render


def is_document_name(name: str) -> bool:
    return Path(name).suffix.lower() in DOCUMENT_SUFFIXES


def summary_candidate(versions):
    """Of a unit's versions (newest first) when none counts: the latest workbook not voided, else the
    latest version not voided (a report, said to be one)."""
    kept = [v for v in versions if v["verdict"] != "void"]
    return next((v for v in kept if not is_document_name(v["original_name"])), kept[0])


class SummaryBuild:
    def __init__(self, desk, key: str):
        self.desk, self.key = desk, key
        self.dir = Path(tempfile.mkdtemp(prefix="gkxl-desk-summary-"))
        self.office = desk.office
        self.office_code = desk.store.setting("office_code")
        self.held_back = []            # units whose latest return stands returned (退回)
        self.results: list[FileResult] = []
        assigned: list[Unit] = []         # the unit the desk shows each return under: the one it is summed as
        accepted: set[int] = set()        # results the clerk accepted whatever their findings
        for row, state in desk.overview()[0]:
            if not row["listed"] or not (row["file_id"] or row["counted_id"]):
                continue
            stored = desk.store.file(row["counted_id"]) if row["counted_id"] else None
            if stored is None and state == "returned":
                self.held_back.append(row)
                continue
            if stored is None:    # nothing counts: the version that says why (a workbook before a report)
                stored = summary_candidate(desk.store.files_of(row["id"]))
            if stored["verdict"] == "accepted":
                accepted.add(len(self.results))
            self.results.append(stored_result(stored))
            assigned.append(Unit(row["name"], row["code"], 0))
        self._lock = threading.Lock()
        self.result: ActionReport | None = None
        if self.office and (self.results or self.held_back):
            held = {r["id"] for r in self.held_back}
            # units held back are listed on the page, not as "sent nothing" in the workbook
            units = [Unit(u["name"], u["code"], n) for n, u in enumerate(desk.store.units(), start=1) if u["id"] not in held]
            self.result = merge_results(self.results, self.workbook, year=desk.year, office=self.office,
                                        office_code=self.office_code, spec=desk.spec, units=units or None,
                                        assigned=assigned, accepted=accepted)
            for r, unit in zip(self.results, assigned):      # the CSV names units as the summary does
                if r.report is not None:
                    r.report.unit, r.report.unit_code = unit.name, unit.code or r.report.unit_code

    @staticmethod
    def key_for(desk) -> str:
        rows = desk.overview()[0]
        basis = repr([(r["id"], r["file_id"], r["counted_id"], r["listed"], state) for r, state in rows]) + \
            repr((desk.office, desk.store.setting("office_code")))
        return hashlib.sha256(basis.encode()).hexdigest()

    @property
    def workbook(self) -> Path:
        return self.dir / "summary.xlsx"

    @property
    def download_stem(self) -> str:
        return safe_filename(f"{self.office or ''}{self.desk.year}年汇总")

    def report(self, to: str) -> Path:
        target = self.dir / f"report.{to}"
        with self._lock:
            if not target.exists():
                render(self.result.product, to, target)
        return target

    def city_copy(self) -> Path:
        from gkxl.desk.keeping import write_city_copy
        target = self.dir / "city.xlsx"
        with self._lock:
            if not target.exists():
                write_city_copy(self.workbook, target, self.office, self.office_code, self.desk.year)
        return target

    def csv(self) -> Path:
        target = self.dir / "data.csv"
        with self._lock:
            if not target.exists():
                export_results(self.results, target, "csv", spec=self.desk.spec)
        return target

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
