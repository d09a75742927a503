"""Benchmark: checking returns as applications save them, against a bare python-calamine read, in one run.

    python bench/check.py --n 1000          # first run builds the corpora with LibreOffice (cached after)

Corpora (bench/corpus.py): N returns re-saved by LibreOffice (cached totals), and the same saved by
openpyxl (no cached totals). Figures are ratios against the baseline measured in the same run (each timing the best of --repeat runs,
alternated with its baseline, as other work on the machine only ever adds time):
- one core: check_path per file against a calamine read of every sheet of the same file, both in one
  process pinned to one core with the allocator set as in gkxl's workers, as CPU time of that process
  (the work done, whatever else the core runs);
- all cores: `gkxl check --format json` (its own process) against the same bare read in one process;
- memory: peak RSS of `gkxl check` at N/4, N and 10·N (10·N as hard links to the same files).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from gkxl.form import spec as specmod

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import YEAR, best, gkxl, run  # noqa: E402
from corpus import multiplied, returns  # noqa: E402

BARE = """
import sys, pathlib, python_calamine as pc
for p in sorted(pathlib.Path(sys.argv[1]).glob('*.xlsx')):
    wb = pc.CalamineWorkbook.from_path(str(p))
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python()
"""

ONE_CORE = """
import os, sys, time, pathlib, python_calamine as pc
from gkxl.actions.check import check_path
from gkxl.actions.parallel import steady_heap
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
steady_heap()                                          # the allocator as in gkxl's workers (both sides alike)
files = sorted(pathlib.Path(sys.argv[1]).glob('*.xlsx'))
check_path(files[0], year=int(sys.argv[2]))           # imports and caches warmed on both sides alike
bare = check = float("inf")
for _ in range(int(sys.argv[3])):                      # alternated, the best of each: others share the machine
    t = time.process_time()
    for p in files:
        wb = pc.CalamineWorkbook.from_path(str(p))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()
    bare = min(bare, time.process_time() - t)
    t = time.process_time()
    for p in files:
        check_path(p, year=int(sys.argv[2]), keep_report=False)
    check = min(check, time.process_time() - t)
print(check, bare)
"""


def one_core(folder: Path, repeat: int) -> tuple[float, float]:
    import subprocess
    out = subprocess.run([sys.executable, "-c", ONE_CORE, str(folder), str(YEAR), str(repeat)], capture_output=True,
                         text=True, check=True).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--no-10n", action="store_true", help="skip the 10·N memory run")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timing, the best kept (default 3)")
    args = parser.parse_args()
    spec = specmod.load()
    n = args.n
    cores = len(os.sched_getaffinity(0))
    print(f"cores: {cores}; N = {n}")
    for saved_by in ("app", "script"):
        folder = returns(spec, n, saved_by)
        check, bare = best([gkxl("check", "--format", "json", "--year", str(YEAR), str(folder)), ["-c", BARE, str(folder)]],
                           args.repeat)
        sample = returns(spec, max(4, n // 4), saved_by)
        per_file, bare_one = one_core(sample, args.repeat)
        print(f"[{saved_by}-saved] gkxl check {check[0]:.2f} s on {cores} cores, bare calamine read {bare[0]:.2f} s "
              f"on one: ratio {check[0] / bare[0]:.2f}; one core, check_path/calamine per file "
              f"{per_file / bare_one:.2f} ({per_file / len(list(sample.glob('*.xlsx'))) * 1000:.2f} ms a file)")
    folder = returns(spec, n, "app")
    quarter = returns(spec, max(4, n // 4), "app")
    peaks = [(len(list(quarter.glob("*.xlsx"))), run(gkxl("check", "--format", "json", str(quarter)))[1]),
             (n, run(gkxl("check", "--format", "json", str(folder)))[1])]
    if not args.no_10n:
        with tempfile.TemporaryDirectory() as tmp:
            many = multiplied(folder, 10, Path(tmp) / "x10")
            peaks.append((10 * n, run(gkxl("check", "--format", "json", str(many)))[1]))
    print("peak RSS of gkxl check: " + ", ".join(f"{k} files {mb:.0f} MB" for k, mb in peaks))


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"(bench ran {time.perf_counter() - started:.0f} s)")
