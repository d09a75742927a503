"""Benchmark: `gkxl check --format json` against bare reads of the same N returns, in the same run.

    python bench/check.py --n 1000

Baselines, each in its own process over the same files: python-calamine reading every sheet of every
file (the floor for any checker that reads values), and openpyxl loading every file (data_only; run
on N/10 files and scaled, because it is slow). Figures are ratios, so a noisy machine affects both
sides alike. Memory: peak RSS of the check process at N/4 and N.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from gkxl.form import spec as specmod

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import YEAR, gkxl, make_returns, run

CALAMINE = """
import sys, pathlib, python_calamine as pc
for p in sorted(pathlib.Path(sys.argv[1]).glob('*.xlsx')):
    wb = pc.CalamineWorkbook.from_path(str(p))
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python()
"""

OPENPYXL = """
import sys, pathlib, openpyxl
files = sorted(pathlib.Path(sys.argv[1]).glob('*.xlsx'))[:int(sys.argv[2])]
for p in files:
    wb = openpyxl.load_workbook(p, data_only=True)
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            pass
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    spec = specmod.load()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sorted({max(4, args.n // 4), args.n}):
            folder = Path(tmp) / f"n{n}"
            make_returns(spec, folder, n, broken_every=10)
            check = run(gkxl("check", "--format", "json", "--year", str(YEAR), str(folder)))
            assert check[2] == 1, "some returns are broken on purpose: check must exit 1"
            bare = run(["-c", CALAMINE, str(folder)])
            sample = max(1, n // 10)
            opx = run(["-c", OPENPYXL, str(folder), str(sample)])
            rows.append((n, check, bare, (opx[0] * n / sample, opx[1])))
    print(f"{'N':>6} {'check s':>8} {'calamine s':>10} {'openpyxl s*':>11} {'check/calamine':>14} "
          f"{'openpyxl/check':>14} {'check MB':>9}")
    for n, check, bare, opx in rows:
        print(f"{n:>6} {check[0]:>8.2f} {bare[0]:>10.2f} {opx[0]:>11.1f} {check[0] / bare[0]:>14.2f} "
              f"{opx[0] / check[0]:>14.1f} {check[1]:>9.0f}")
    print("* openpyxl timed on N/10 files and scaled to N")
    if len(rows) == 2:
        print(f"check peak RSS grows x{rows[1][1][1] / rows[0][1][1]:.2f} for x{rows[1][0] / rows[0][0]:.0f} the files")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"(bench ran {time.perf_counter() - started:.0f} s)")
