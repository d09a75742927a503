"""Bench corpora as returns really arrive: filled in and saved by an application.

`app_saved` writes a few dozen distinct filled returns with gkxl, opens and saves each in LibreOffice
headless (styles, shared strings, cached totals, as Excel and WPS also leave them), then stamps N files
from those, each with its own unit name. `script_saved` takes the same application-saved returns through
openpyxl, as offices' scripts save them: formulas without cached values. Both are cached under
bench/.cache, keyed by the template's bytes and the corpus' shape, so a second run starts at once.
"""
from __future__ import annotations

import hashlib
import os
import random
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from gkxl import __version__
from gkxl.form.examples import balanced_values
from gkxl.form.model import Report
from gkxl.io.write import write_workbook

CACHE = Path(os.environ.get("GKXL_BENCH_CACHE") or Path(__file__).resolve().parent / ".cache")   # tests use their own
PLACEHOLDER = "GKXLBENCHUNIT7d1e"
YEAR = 2025
RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def masters(spec, folder: Path, distinct: int, broken_every: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(distinct):
        values = balanced_values(spec, random.Random(i))
        if broken_every and i % broken_every == broken_every - 1:
            values["t3.carry_next.natural"] += 1
        path = folder / f"m{i:03d}.xlsx"
        write_workbook(path, spec, Report(spec.id, spec.version, unit=PLACEHOLDER, year=YEAR, values=values))
        paths.append(path)
    return paths


def _libreoffice_resave(files: list[Path], out: Path) -> list[Path]:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise SystemExit("the bench corpus needs LibreOffice (apt-get install -y libreoffice-calc-nogui)")
    profile = out / "profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_XCU, encoding="utf-8")
    subprocess.run([exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", "xlsx", "--outdir", str(out), *map(str, files)],
                   check=True, capture_output=True, timeout=900)
    return [out / f.name for f in files]


def _openpyxl_resave(files: list[Path], out: Path) -> list[Path]:
    import openpyxl
    out.mkdir(parents=True, exist_ok=True)
    for f in files:
        openpyxl.load_workbook(f).save(out / f.name)       # formulas kept, cached values dropped
    return [out / f.name for f in files]


def stamp(masters: list[Path], folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    packages = []
    for m in masters:
        with zipfile.ZipFile(m) as zf:
            packages.append([(info, zf.read(info)) for info in zf.infolist()])
    for i in range(n):
        unit = f"第{i:05d}号单位".encode()
        with zipfile.ZipFile(folder / f"unit_{i:05d}.xlsx", "w", zipfile.ZIP_DEFLATED) as out:
            for info, data in packages[i % len(packages)]:
                out.writestr(info, data.replace(PLACEHOLDER.encode(), unit))


def _key(spec, *shape) -> str:
    with tempfile.TemporaryDirectory() as d:
        blank = Path(d) / "t.xlsx"
        write_workbook(blank, spec, Report.blank(spec), generated_at="2000-01-01T00:00:00+00:00")
        with zipfile.ZipFile(blank) as zf:
            digest = hashlib.sha256(b"".join(zf.read(n) for n in sorted(zf.namelist())))
    digest.update(repr((__version__, *shape)).encode())
    return digest.hexdigest()[:12]


def corpus(spec, n: int, saved_by: str = "app", distinct: int = 32, broken_every: int = 10) -> Path:
    """A folder of N returns saved by an application (`app`) or by a script without cached totals (`script`)."""
    folder = CACHE / f"{saved_by}-{_key(spec, n, distinct, broken_every)}"
    done = folder / ".complete"
    if done.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    with tempfile.TemporaryDirectory() as d:
        saved = _libreoffice_resave(masters(spec, Path(d) / "gkxl", min(distinct, n), broken_every), Path(d) / "app")
        if saved_by == "script":
            saved = _openpyxl_resave(saved, Path(d) / "script")
        stamp(saved, folder / "returns", n)
    done.write_text("ok\n")
    return folder


def returns(spec, n: int, saved_by: str = "app", **shape) -> Path:
    return corpus(spec, n, saved_by, **shape) / "returns"


def multiplied(folder: Path, times: int, into: Path) -> Path:
    """`times` copies of a corpus as hard links (10·N files without 10·N writes)."""
    into.mkdir(parents=True, exist_ok=True)
    for k in range(times):
        for f in sorted(folder.glob("*.xlsx")):
            target = into / f"{k:02d}_{f.name}"
            if not target.exists():
                try:
                    target.hardlink_to(f)
                except OSError:
                    shutil.copyfile(f, target)
    return into
