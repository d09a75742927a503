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

from gkxl.form.model import Report
from gkxl.io.write import write_workbook

PLACEHOLDER = "GKXLBENCHUNIT7d1e"
APPLICANTS = ["natural", "business", "research", "public_interest", "legal_service", "other"]
YEAR = 2025

def balanced_values(spec, rng: random.Random) -> dict:
    """Figures satisfying every rule of FORMAT.md (T3-c holds per column by choosing 二 last)."""
    values = {c.key: rng.randint(0, 30) for c in spec.numeric_inputs if c.key.startswith("t2.")}
    values["t2.fees.amount"] = round(rng.uniform(0, 50), 4)
    rows = list(dict.fromkeys(k.split(".")[1] for k in spec.cells if k.startswith("t3.")))
    leaves = [r for r in rows if r not in ("new", "carried", "total", "carry_next")]
    for col in APPLICANTS:
        done = 0
        for row in leaves:
            values[f"t3.{row}.{col}"] = v = rng.choice([0, 0, rng.randint(0, 40)])
            done += v
        carry_next = rng.randint(0, 5)
        new = rng.randint(0, done + carry_next)
        values.update({f"t3.carry_next.{col}": carry_next, f"t3.new.{col}": new,
                       f"t3.carried.{col}": done + carry_next - new})
    for block in ("review", "suit_direct", "suit_after_review"):
        for col in ("upheld", "corrected", "other", "pending"):
            values[f"t4.{block}.{col}"] = rng.randint(0, 9)
    return values


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
