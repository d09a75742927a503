"""Benchmark: reading a workbook in the official layout not made by gkxl (found by its labels) against
reading a gkxl template (the fast path) with the same figures, in the same run.

    python bench/foreign.py --n 40
    python bench/foreign.py --n 40 --baseline /work/main     # also the template path of another checkout

Each kind is timed in its own process over the same N files, after a warm-up, best of five rounds:
milliseconds per file for read_path (reading only) and check_path (reading and every check). The foreign workbooks hold the three
tables on one sheet under a title row, with a 序号 column, as bureaus send them. Target: a foreign
workbook in at most 3x the time of a template; with --baseline, the template path must not be slower
than the other checkout's.
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

from gkxl.form import spec as specmod
from gkxl.form.examples import balanced_values
from gkxl.form.model import Report
from gkxl.io.write import write_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import YEAR  # noqa: E402

TIMER = """
import sys, time, pathlib
from gkxl.actions.check import check_path
from gkxl.io.read import read_path
files = sorted(pathlib.Path(sys.argv[1]).glob('*.xlsx'))
for p in files[:3]:
    check_path(p)
out = []
for fn in (read_path, check_path):
    best = float("inf")
    for _ in range(5):                  # the best of five rounds: the least disturbed by other processes
        start = time.perf_counter()
        for p in files:
            fn(p)
        best = min(best, time.perf_counter() - start)
    out.append(best / len(files) * 1000)
print(*out)
"""


def foreign_workbook(spec, path: Path, unit: str, values: dict) -> None:
    """The spec's tables written as a bureau lays them out: one sheet, a title, a 序号 column, no merges."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = f"{unit}{YEAR}年政府信息公开工作年度报告统计表"
    top = 3
    for sheet in (s for s in spec.sheets if s.holds == "table"):
        first = min(lab.row for lab in sheet.labels)
        for lab in sheet.labels:
            ws.cell(top + lab.row - first, 2 + lab.col, lab.text.replace("（", "(").replace("）", ")"))
        for n, row in enumerate(sorted({c.row for c in sheet.cells}), start=1):
            ws.cell(top + row - first, 1, n)
        for c in sheet.cells:
            ws.cell(top + c.row - first, 2 + c.col, values.get(c.key))
        top += max(c.row for c in sheet.cells) - first + 3
    wb.save(path)


def with_totals(spec, values: dict) -> dict:
    from gkxl.form import rules
    return {**values, **rules.derive(spec, values)}


def make(spec, folder: Path, n: int, kind: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        values = with_totals(spec, balanced_values(spec, random.Random(i)))
        unit = f"第{i:03d}号单位"
        if kind == "template":
            write_workbook(folder / f"{i:03d}.xlsx", spec,
                           Report(spec.id, spec.version, unit=unit, year=YEAR, values=values))
        else:
            foreign_workbook(spec, folder / f"{i:03d}.xlsx", unit, values)


def timed(folder: Path, pythonpath: str | None = None) -> tuple[float, float]:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    out = subprocess.run([sys.executable, "-c", TIMER, str(folder)], capture_output=True, text=True, env=env, check=True)
    read, check = map(float, out.stdout.split())
    return read, check


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--baseline", help="another gkxl checkout whose template path to time as well")
    args = parser.parse_args()
    spec = specmod.load()
    with tempfile.TemporaryDirectory() as tmp:
        folders = {kind: Path(tmp) / kind for kind in ("template", "foreign")}
        for kind, folder in folders.items():
            make(spec, folder, args.n, kind)
        rows = [(kind, *timed(folder), sum(p.stat().st_size for p in folder.iterdir()) / args.n / 1024)
                for kind, folder in folders.items()]
        if args.baseline:
            rows.append(("template@baseline", *timed(folders["template"], args.baseline), rows[0][3]))
    print(f"{'kind':<18} {'read ms':>8} {'check ms':>9} {'file KB':>8} {'read x':>7} {'check x':>8}")
    for kind, read, check, size in rows:
        print(f"{kind:<18} {read:>8.2f} {check:>9.2f} {size:>8.1f} {read / rows[0][1]:>7.2f} {check / rows[0][2]:>8.2f}")
    print("x: ratio to the gkxl template read in this run (target for foreign: at most 3)")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"(bench ran {time.perf_counter() - started:.0f} s)")
