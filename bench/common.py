"""What the benchmarks share: N distinct-enough filled returns, and one command measured in its own process."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import YEAR, masters, stamp  # noqa: E402,F401  (YEAR: the bench returns' year, for the scripts)


def make_returns(spec, folder: Path, n: int, distinct: int = 32, broken_every: int = 0) -> None:
    """N returns as gkxl writes them, stamped from `distinct` filled ones; with `broken_every` k, every k-th
    has a T3-c error. (bench/corpus.py gives the same re-saved by an application.)"""
    with tempfile.TemporaryDirectory() as d:
        stamp(masters(spec, Path(d), min(distinct, n), broken_every), folder, n)


def run(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB and exit code of `python ARGS...` in its own process."""
    # as gkxl runs once installed: with its modules compiled (pip compiles them; an environment that
    # forbids writing bytecode would make every run compile them again, ~30 ms of nothing a clerk pays)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    peak_mb = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 1024 / 1024
    return seconds, peak_mb, proc.returncode


def gkxl(*args: str) -> list[str]:
    return ["-m", "gkxl.cli", *args]


def best(commands: list[list[str]], repeat: int) -> list[tuple[float, float]]:
    """Each command run `repeat` times, alternated; the shortest time and the largest peak RSS of each."""
    out = [(float("inf"), 0.0)] * len(commands)
    for _ in range(repeat):
        for k, args in enumerate(commands):
            seconds, mb, _ = run(args)
            out[k] = (min(out[k][0], seconds), max(out[k][1], mb))
    return out
