"""Templates: the blank workbook, one pre-filled for a unit, or one per unit of a list, into a folder or a zip,
with 模板清单.csv beside them. The command line and the desk's 模板 page both come here."""
from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from gkxl.actions.check import Progress
from gkxl.actions.parallel import map_ordered
from gkxl.actions.units import load_units, note_problems
from gkxl.findings.report import ActionReport
from gkxl.form import spec as specmod
from gkxl.form.model import Report
from gkxl.form.unit_code import problem
from gkxl.io.cells import neutralise
from gkxl.io.files import atomic_path, safe_filename, unique_name, write_text
from gkxl.io.units import Unit
from gkxl.io.write import TemplateStamper, write_workbook
from gkxl.text.errors import GkxlError, UsageError

MANIFEST = "模板清单.csv"
MANIFEST_HEADERS = ["序号", "单位名称", "单位代码", "文件名", "年度"]


def _vetted(spec: specmod.Spec, year: int | None, unit_code: str | None = None) -> None:
    if year is not None and not spec.years[0] <= year <= spec.years[1]:
        raise UsageError("template.year_range", year=year, lo=spec.years[0], hi=spec.years[1])
    if unit_code and problem(unit_code):
        raise UsageError("template.bad_unit_code", reason=GkxlError(problem(unit_code), value=unit_code).message)


def template(output: Path, *, spec: specmod.Spec | None = None, year: int | None = None, unit: str | None = None,
             unit_code: str | None = None, password: str | None = None) -> ActionReport:
    """One template, blank or pre-filled for one unit."""
    spec = spec or specmod.load()
    _vetted(spec, year, unit_code)
    write_workbook(Path(output), spec, Report.blank(spec, unit=unit, unit_code=unit_code, year=year), password=password)
    report = ActionReport("template", summary_code="")
    report.wrote(output, "template.written")
    return report


def templates(units: Path | Iterable[Unit], output: Path, *, spec: specmod.Spec | None = None, year: int | None = None,
              password: str | None = None, progress: Progress | None = None, parallel: bool = True) -> ActionReport:
    """One template per unit (of a units list file, or of the units given), named after it, into the folder
    `output`, or into one zip when `output` ends in .zip; 模板清单.csv lists them. `parallel` False stamps them
    in this process (the desk: a threaded server must not fork)."""
    spec = spec or specmod.load()
    _vetted(spec, year)
    report = ActionReport("template", summary_code="")
    if isinstance(units, (str, Path)):
        path = Path(units)
        units, duplicates = load_units(path)
        for line, name, first in duplicates:
            report.note("units.duplicate", line=line, unit=name, first=first)
        note_problems(report, units, path)
        report.complete = not any(u.problem for u in units)     # made, but the list needs correcting
        note_problems(report, units, path)
        report.complete = not any(u.problem for u in units)     # made, but the list needs correcting
    units = list(units)
    output = Path(output)
    as_zip = output.suffix.lower() == ".zip"
    if not as_zip and (output.suffix.lower() in (".xlsx", ".xls") or (output.exists() and not output.is_dir())):
        raise UsageError("template.out_dir_needed")
    stamper = TemplateStamper(spec, year, password).prepared({(bool(u.code), bool(u.link)) for u in units})
    links = any(u.link for u in units)
    used: set[str] = set()
    names = [unique_name(safe_filename(u.name), ".xlsx", used) for u in units]
    rows = [[n, u.name, u.code or "", name, year or "", *([u.link or ""] if links else [])]
            for n, (u, name) in enumerate(zip(units, names), start=1)]
    manifest = _manifest(rows, links)
    with tempfile.TemporaryDirectory(prefix="gkxl-templates-") as staging:
        folder = Path(staging) if as_zip else output
        folder.mkdir(parents=True, exist_ok=True)
        jobs = [(folder / name, u.name, u.code, u.link) for u, name in zip(units, names)]
        done = map_ordered(stamper.write_job, jobs) if parallel else map(stamper.write_job, jobs)
        for _ in progress(done, len(jobs)) if progress else done:
            pass
        if as_zip:
            with atomic_path(output) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as zf:
                for _, name in zip(units, names):
                    zf.write(folder / name, name)
                zf.writestr(MANIFEST, manifest)
        else:
            write_text(folder / MANIFEST, manifest.decode("utf-8-sig"), encoding="utf-8-sig")
    report.counts = {"templates": len(units)}
    if as_zip:
        report.wrote(output, "template.zip_done", count=len(units))
    else:
        report.wrote(output / MANIFEST, "template.batch_done", count=len(units))
    return report


def _manifest(rows: list[list], links: bool = False) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(MANIFEST_HEADERS + (["报送网址"] if links else []))
    w.writerows([[neutralise(v) for v in row] for row in rows])
    return buf.getvalue().encode("utf-8-sig")
