"""What the benchmarks share: N distinct-enough filled returns, and one command measured in its own process."""
from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from gkxl.form.examples import balanced_values
from gkxl.form.model import Report
from gkxl.io.write import write_workbook

PLACEHOLDER = "GKXLBENCHUNIT7d1e"
YEAR = 2025

def make_returns(spec, folder: Path, n: int, distinct: int = 32, broken_every: int = 0) -> None:
    """N returns stamped from `distinct` written ones; with `broken_every` k, every k-th has a T3-c error."""
    folder.mkdir(parents=True, exist_ok=True)
    masters = []
    with tempfile.TemporaryDirectory() as d:
        for i in range(min(distinct, n)):
            path = Path(d) / f"m{i}.xlsx"
            values = balanced_values(spec, random.Random(i))
            if broken_every and i % broken_every == broken_every - 1:
                values["t3.carry_next.natural"] += 1
            report = Report(spec.id, spec.version, unit=PLACEHOLDER, year=YEAR, values=values)
            write_workbook(path, spec, report)
            with zipfile.ZipFile(path) as zf:
                masters.append([(info, zf.read(info)) for info in zf.infolist()])
    for i in range(n):
        unit = f"第{i:05d}号单位".encode()
        with zipfile.ZipFile(folder / f"unit_{i:05d}.xlsx", "w", zipfile.ZIP_DEFLATED) as out:
            for info, data in masters[i % len(masters)]:
                out.writestr(info, data.replace(PLACEHOLDER.encode(), unit))


def run(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB and exit code of `python ARGS...` in its own process."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    peak_mb = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 1024 / 1024
    return seconds, peak_mb, proc.returncode


def gkxl(*args: str) -> list[str]:
    return ["-m", "gkxl.cli", *args]
