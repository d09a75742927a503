"""Benchmark: `gkxl template --units` writing N per-unit templates, time and peak memory.

    python bench/template.py --n 1000

Baseline in the same run: write_workbook called once per unit (what a plain loop over xlsxwriter costs),
timed on N/20 units and scaled. The command itself runs in its own process; peak RSS from its rusage.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from gkxl.form import spec as specmod
from gkxl.form.model import Report
from gkxl.form.unit_code import check_character
from gkxl.io.write import write_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import gkxl, run


def unit_code(i: int) -> str:
    """A valid 统一社会信用代码 for unit i (template refuses a code whose check character is wrong)."""
    first17 = f"11410700{i:09d}"
    return first17 + check_character(first17)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    spec = specmod.load()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        units = tmp / "units.csv"
        units.write_text("单位名称,单位代码\n" + "".join(f"第{i:05d}号单位,{unit_code(i)}\n" for i in range(args.n)),
                         encoding="utf-8-sig")
        seconds, peak, code = run(gkxl("template", "--year", "2025", "--units", str(units), "-o", str(tmp / "out")))
        assert code == 0, f"gkxl template exited {code}"
        written = len(list((tmp / "out").glob("*.xlsx")))
        assert written == args.n, f"{written} files written, {args.n} expected"
        sample = max(1, args.n // 20)
        start = time.perf_counter()
        for i in range(sample):
            write_workbook(tmp / f"plain_{i}.xlsx", spec, Report.blank(spec, unit=f"单位{i}", unit_code=unit_code(i), year=2025))
        plain = (time.perf_counter() - start) * args.n / sample
    print(f"{'N':>6} {'gkxl template s':>15} {'ms/file':>8} {'plain loop s*':>13} {'plain/gkxl':>10} {'peak MB':>8}")
    print(f"{args.n:>6} {seconds:>15.2f} {1000 * seconds / args.n:>8.2f} {plain:>13.1f} {plain / seconds:>10.1f} {peak:>8.0f}")
    print("* write_workbook per unit, timed on N/20 units and scaled to N")


if __name__ == "__main__":
    main()
