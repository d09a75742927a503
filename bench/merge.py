"""Benchmark: `gkxl merge` against `gkxl check` on the same N returns, time and peak memory.

    python bench/merge.py --n 1000

Writes a few dozen distinct filled returns with write_workbook, then stamps N files from them, each with
its own unit name (bytes of the package with a placeholder replaced, as TemplateStamper does). Each
command runs as its own process; peak RSS comes from that process's rusage. It runs at N and N/4:
memory is flat when the peak hardly grows with N.
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from gkxl import spec as specmod
from gkxl.model import Report
from gkxl.write import write_workbook

PLACEHOLDER = "GKXLBENCHUNIT7d1e"
APPLICANTS = ["natural", "business", "research", "public_interest", "legal_service", "other"]
YEAR = 2025

# The merge and export commands live in gkxl/cli_merge.py; register them if cli.py does not (yet).
LAUNCHER = ("import sys; from gkxl.cli import main; from gkxl.cli_merge import merge_cmd, export_cmd\n"
            "for c in (merge_cmd, export_cmd):\n"
            "    main.commands.setdefault(c.name, c)\n"
            "main(sys.argv[1:])")


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


def make_returns(spec, folder: Path, n: int, distinct: int = 32) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    masters = []
    with tempfile.TemporaryDirectory() as d:
        for i in range(min(distinct, n)):
            path = Path(d) / f"m{i}.xlsx"
            report = Report(spec.id, spec.version, unit=PLACEHOLDER, year=YEAR,
                            values=balanced_values(spec, random.Random(i)))
            write_workbook(path, spec, report)
            with zipfile.ZipFile(path) as zf:
                masters.append([(info, zf.read(info)) for info in zf.infolist()])
    for i in range(n):
        unit = f"第{i:05d}号单位".encode()
        with zipfile.ZipFile(folder / f"unit_{i:05d}.xlsx", "w", zipfile.ZIP_DEFLATED) as out:
            for info, data in masters[i % len(masters)]:
                out.writestr(info, data.replace(PLACEHOLDER.encode(), unit))


def run(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB and exit code of one gkxl command in its own process."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", LAUNCHER, *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    peak_mb = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 1024 / 1024
    return seconds, peak_mb, proc.returncode


def measure(folder: Path, work: Path) -> dict:
    check = run(["check", "--format", "json", "--year", str(YEAR), str(folder)])
    merge = run(["merge", str(folder), "-o", str(work / f"汇总_{folder.name}.xlsx"), "--year", str(YEAR),
                 "--unit", "某市政务公开办"])
    if merge[2] != 0:
        raise SystemExit(f"merge exited {merge[2]} on {folder}: the bench returns should all be clean")
    return {"check": check, "merge": merge}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of returns (default 1000)")
    parser.add_argument("--keep", help="folder to keep the generated returns in (default: a temp folder)")
    args = parser.parse_args()
    spec = specmod.load()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.keep) if args.keep else Path(tmp)
        sizes = sorted({max(1, args.n // 4), args.n})
        t0 = time.perf_counter()
        for n in sizes:
            make_returns(spec, work / f"n{n}", n)
        print(f"generated {sum(sizes)} returns in {time.perf_counter() - t0:.1f} s")
        results = {n: measure(work / f"n{n}", work) for n in sizes}
    print()
    print(f"{'N':>6} {'check s':>8} {'merge s':>8} {'merge/check':>11} {'check MB':>9} {'merge MB':>9} {'merge ms/file':>13}")
    for n, r in results.items():
        (cs, cm, _), (ms, mm, _) = r["check"], r["merge"]
        print(f"{n:>6} {cs:>8.2f} {ms:>8.2f} {ms / cs:>11.2f} {cm:>9.0f} {mm:>9.0f} {1000 * ms / n:>13.1f}")
    if len(sizes) == 2:
        small, big = sizes
        growth = results[big]["merge"][1] / results[small]["merge"][1]
        print(f"\nmerge peak RSS grows x{growth:.2f} from N={small} to N={big} (x{big / small:.0f} the files)")


if __name__ == "__main__":
    main()
