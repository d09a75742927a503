"""The benchmarks still run (tiny sizes, nothing timed): a bench that broke unnoticed measures nothing."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import ROOT, soffice

BENCH = ROOT / "bench"
RUNS = {
    "check.py": (["--n", "8", "--repeat", "1", "--no-10n"], ["[app-saved]", "[script-saved]", "peak RSS"]),
    "merge.py": (["--n", "8"], ["merge/check"]),
    "template.py": (["--n", "8"], ["plain/gkxl"]),
    "foreign.py": (["--n", "4"], ["foreign"]),
    "parse.py": (["--pages", "2", "--repeat", "1"], ["pdf"]),
    "desk.py": (["--n", "20", "--summary-n", "20", "--units", "20", "--repeat", "1"], ["ratio", "汇总", "总览 of 20 units"]),
}


@pytest.mark.parametrize("script", sorted(RUNS))
def test_bench_runs(script, tmp_path):
    if script in ("check.py", "parse.py") and soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    args, expected = RUNS[script]
    env = {**os.environ, "GKXL_BENCH_CACHE": str(tmp_path / "cache"), "TMPDIR": str(tmp_path)}
    out = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True, text=True, env=env,
                         timeout=600, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert all(word in out.stdout for word in expected), out.stdout
