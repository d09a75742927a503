"""Shared builders: real workbooks written by gkxl (xlsxwriter), filled with consistent figures."""
from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from gkxl.form import spec as specmod
from gkxl.form.model import Report
from gkxl.io.write import write_workbook

ROOT = Path(__file__).resolve().parent.parent
APPLICANTS = ["natural", "business", "research", "public_interest", "legal_service", "other"]


@pytest.fixture(scope="session")
def spec():
    return specmod.load("gk2021")


def consistent_values(spec, rng: random.Random, high: int = 40) -> dict:
    """Input figures that satisfy every rule of FORMAT.md, built independently of gkxl's rule code."""
    values = {c.key: 0 for c in spec.value_cells if c.numeric}
    for key in values:
        if key.startswith("t2."):
            values[key] = rng.randint(0, high)
    values["t2.fees.amount"] = round(rng.uniform(0, 50), 4)
    leaf_rows = [r for r in _t3_rows(spec) if r not in ("new", "carried", "total", "carry_next")]
    for col in APPLICANTS:
        done = 0
        for row in leaf_rows:
            v = rng.choice([0, 0, 0, rng.randint(0, high)])
            values[f"t3.{row}.{col}"] = v
            done += v
        carry_next = rng.randint(0, 5)
        carried = rng.randint(0, done + carry_next)
        values[f"t3.carry_next.{col}"] = carry_next
        values[f"t3.carried.{col}"] = carried
        values[f"t3.new.{col}"] = done + carry_next - carried
    for block in ("review", "suit_direct", "suit_after_review"):
        for col in ("upheld", "corrected", "other", "pending"):
            values[f"t4.{block}.{col}"] = rng.randint(0, 9)
    # totals as an honest clerk's spreadsheet would hold them
    for row in _t3_rows(spec):
        if row != "total":
            values[f"t3.{row}.total"] = sum(values[f"t3.{row}.{c}"] for c in APPLICANTS)
    for col in APPLICANTS + ["total"]:
        values[f"t3.total.{col}"] = sum(values[f"t3.{r}.{col}"] for r in leaf_rows)
    for block in ("review", "suit_direct", "suit_after_review"):
        values[f"t4.{block}.total"] = sum(values[f"t4.{block}.{c}"] for c in ("upheld", "corrected", "other", "pending"))
    values["text.overview"] = "本年度主动公开信息若干条。"
    values["text.problems"] = None
    values["text.other"] = "本年度未收取信息处理费。"
    return values


def _t3_rows(spec) -> list[str]:
    return list(dict.fromkeys(k.split(".")[1] for k in spec.cells if k.startswith("t3.")))


@pytest.fixture
def make_return(spec, tmp_path):
    """Write a filled return; `changes` override values (a str in a number cell is written as text)."""
    counter = iter(range(10_000))

    def make(changes: dict | None = None, *, seed: int = 1, unit="卫滨区司法局", year=2024, name=None, **kw) -> Path:
        values = consistent_values(spec, random.Random(seed))
        values.update(changes or {})
        path = tmp_path / (name or f"return_{next(counter)}.xlsx")
        write_workbook(path, spec, Report(spec.id, spec.version, unit=unit, unit_code="11410700MB00000004",
                                          year=year, values=values), kind=kw.pop("kind", "template"), **kw)
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
