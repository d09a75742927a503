"""Shared builders: real workbooks written by gkxl (xlsxwriter), filled with consistent figures."""
from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from gkxl.form import spec as specmod
from gkxl.form.examples import balanced_values
from gkxl.form.model import Report
from gkxl.io.write import write_workbook

ROOT = Path(__file__).resolve().parent.parent
APPLICANTS = ["natural", "business", "research", "public_interest", "legal_service", "other"]


@pytest.fixture(scope="session")
def spec():
    return specmod.load("gk2021")


def consistent_values(spec, rng: random.Random, high: int = 40) -> dict:
    """Figures that satisfy every rule of the spec (the one builder, gkxl.form.examples; tests/test_house.py
    holds its output against FORMAT.md's equations written out by hand)."""
    return balanced_values(spec, rng, high)


@pytest.fixture
def make_return(spec, tmp_path):
    """Write a filled return; `changes` override values (a str in a number cell is written as text)."""
    counter = iter(range(10_000))

    def make(changes: dict | None = None, *, seed: int = 1, unit="卫滨区司法局", year=2024, name=None,
             code="11410700MB00000004", **kw) -> Path:
        values = consistent_values(spec, random.Random(seed))
        values.update(changes or {})
        path = tmp_path / (name or f"return_{next(counter)}.xlsx")
        write_workbook(path, spec, Report(spec.id, spec.version, unit=unit, unit_code=code,
                                          year=year, values=values), role=kw.pop("role", "template"), **kw)
        return path
    return make


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def libreoffice_convert(files: list[Path], out_dir: Path, to: str = "xlsx", recalc: bool = True) -> list[Path]:
    """Open files in LibreOffice headless and save them as `to`, recalculating on load when `recalc`."""
    exe = soffice()
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = out_dir / ("lo_profile_recalc" if recalc else "lo_profile")
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    if recalc:
        (user / "registrymodifications.xcu").write_text(RECALC_XCU, encoding="utf-8")
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run([exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", to, "--outdir", str(out_dir), *map(str, files)],
                   check=True, capture_output=True, timeout=300)
    outs = [out_dir / (Path(f).stem + "." + to.split(":")[0]) for f in files]
    missing = [o for o in outs if not o.exists()]
    assert not missing, f"LibreOffice did not write {missing}"
    return outs
