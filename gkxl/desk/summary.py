"""汇总: gkxl.batch.merge.merge over each unit's latest return (those standing 退回 are held back), built once
per state of the collection; the report (gkxl.published.render) and the CSV export (gkxl.batch.export) on request.
"""
from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
from pathlib import Path

from gkxl.batch.export import export
from gkxl.batch.merge import merge
from gkxl.io.files import safe_filename
from gkxl.published.render import render


class SummaryBuild:
    def __init__(self, desk, key: str):
        self.desk, self.key = desk, key
        self.dir = Path(tempfile.mkdtemp(prefix="gkxl-desk-summary-"))
        self.office = desk.office
        self.held_back = []            # units whose latest return stands returned (退回)
        paths, self.labels = [], {}
        for row, state in desk.overview()[0]:
            if not row["file_id"] or not row["listed"]:
                continue
            if state == "returned":
                self.held_back.append(row)
                continue
            path = desk.stored_path(desk.store.file(row["file_id"]))
            paths.append(path)
            self.labels[str(path)] = row["original_name"]
        self.paths = paths
        self._lock = threading.Lock()
        self.result = None
        if self.office:
            units_csv = self.dir / "units.csv"
            # units held back are listed on the page, not as "sent nothing" in the workbook
            listed = desk.units_csv(exclude={r["id"] for r in self.held_back})
            units_csv.write_text(listed, encoding="utf-8")
            self.result = merge(paths, self.workbook, year=desk.year, unit=self.office,
                                units_path=units_csv if listed.count("\n") > 1 else None,
                                labels=self.labels) if paths else None

    @staticmethod
    def key_for(desk) -> str:
        rows = desk.overview()[0]
        basis = repr([(r["id"], r["file_id"], r["listed"], state) for r, state in rows]) + repr(desk.office)
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
                render(self.result.summary, to, target)
        return target

    def csv(self) -> Path:
        target = self.dir / "data.csv"
        with self._lock:
            if not target.exists():
                export(self.paths, target, "csv", year=self.desk.year, labels=self.labels)
        return target

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
