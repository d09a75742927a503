"""Benchmark: `gkxl merge` against `gkxl check` on the same N returns, time and peak memory.

    python bench/merge.py --n 1000

Writes a few dozen distinct filled returns with write_workbook, then stamps N files from them, each with
its own unit name (bytes of the package with a placeholder replaced, as TemplateStamper does). Each
command runs as its own process; peak RSS comes from that process's rusage. It runs at N and N/4:
memory is flat when the peak hardly grows with N.
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


def measure(folder: Path, work: Path) -> dict:
    check = run(gkxl("check", "--format", "json", "--year", str(YEAR), str(folder)))
    merge = run(gkxl("merge", str(folder), "-o", str(work / f"汇总_{folder.name}.xlsx"), "--year", str(YEAR),
                 "--unit", "某市政务公开办"))
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
