"""Benchmark the desk: 500 returns uploaded in one request against `gkxl check` on the same files; the 汇总
of 1,000 stored returns against `gkxl merge` of the same files; and the 总览 page of a collection of 3,000 units.

    python bench/desk.py --n 500 --summary-n 1000 --units 3000 --repeat 3

Upload: `gkxl serve` runs in its own process (workers started, as a clerk's desk would be); the time is
from sending one multipart request with every file until 总览 lists them all, against `gkxl check
--format json` on the folder in its own process. 总览: the server's own time (Server-Timing header) for
rendering the page of a collection with that many units, each with a return on record.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import io
import json
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from gkxl.desk.app import OVERVIEW_PAGE
from gkxl.form import spec as specmod

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import YEAR, gkxl, make_returns, run  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Desk:
    """`gkxl serve` on a free loopback port, and a client with its session cookie and CSRF token."""

    def __init__(self, folder: Path, *args: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([sys.executable, *gkxl("serve", str(folder), "--no-browser", "--port",
                                                           str(self.port), *args)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token = re.search(r'name="csrf-token" content="([^"]+)"', self.get("/")[0]).group(1)

    def get(self, path: str) -> tuple[str, float]:
        with self.opener.open(self.base + path, timeout=600) as r:
            body = r.read().decode()
            timing = r.headers.get("server-timing", "dur=0")
        return body, float(timing.split("dur=")[1])

    def upload(self, files: list[Path]) -> dict:
        boundary = uuid.uuid4().hex
        body = io.BytesIO()
        for p in files:
            body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{p.name}"\r\n'
                       f"Content-Type: application/octet-stream\r\n\r\n".encode())
            body.write(p.read_bytes())
            body.write(b"\r\n")
        body.write(f"--{boundary}--\r\n".encode())
        request = urllib.request.Request(self.base + "/receive", data=body.getvalue(), headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}", "X-CSRF-Token": self.token,
            "Accept": "application/json"})
        with self.opener.open(request, timeout=1200) as r:
            self.last_server_ms = float(r.headers.get("server-timing", "dur=0").split("dur=")[1])
            return json.loads(r.read())

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def units_csv(path: Path, names: list[str]) -> Path:
    path.write_text("单位名称\n" + "\n".join(names) + "\n", encoding="utf-8")
    return path


def bench_upload(spec, tmp: Path, n: int, repeat: int) -> tuple[float, float]:
    """The best of `repeat` uploads (each into a new collection) and of as many `gkxl check` runs, alternated:
    writing files is what the disk allows at the moment, and other work on the machine only adds time."""
    folder = tmp / "returns"
    make_returns(spec, folder, n, broken_every=10)
    files = sorted(folder.glob("*.xlsx"))
    names = [f"第{i:05d}号单位" for i in range(n)]
    units = units_csv(tmp / "units.csv", names)
    best_desk = best_check = float("inf")
    for k in range(repeat):
        check = run(gkxl("check", "--format", "json", "--year", str(YEAR), str(folder)))
        assert check[2] == 1, "some returns are broken on purpose: check must exit 1"
        best_check = min(best_check, check[0])
        desk = Desk(tmp / f"collection{k}", "--year", str(YEAR), "--units", str(units))
        try:
            started = time.perf_counter()
            results = desk.upload(files)["results"]
            posted = time.perf_counter() - started
            page, _ = desk.get("/")
            seconds = time.perf_counter() - started
            print(f"  upload request {posted:.2f} s (server {desk.last_server_ms / 1000:.2f} s), then 总览 "
                  f"{seconds - posted:.2f} s; gkxl check {check[0]:.2f} s")
        finally:
            desk.stop()
        assert len(results) == n and all(r["result"] == "stored" for r in results)
        states = re.findall(r'<tr data-unit="\d+" data-state="(\w+)"', page)
        assert len(states) == n and "missing" not in states and "invalid" in states, states[:5]
        best_desk = min(best_desk, seconds)
    return best_desk, best_check


def bench_summary(spec, tmp: Path, n: int, repeat: int) -> tuple[float, float]:
    """汇总 of `n` stored returns (the server's own time for the page that builds it: the merge action over
    what the checks stored, no file read again) against `gkxl merge` of the same files, best of `repeat`."""
    folder = tmp / "summary_returns"
    make_returns(spec, folder, n, broken_every=10)
    files = sorted(folder.glob("*.xlsx"))
    units = units_csv(tmp / "summary_units.csv", [f"第{i:05d}号单位" for i in range(n)])
    best_desk = best_merge = float("inf")
    for k in range(repeat):
        merged = run(gkxl("merge", str(folder), "-o", str(tmp / f"汇总{k}.xlsx"), "--year", str(YEAR),
                          "--unit", "某市政务公开办", "--units", str(units)))
        assert merged[2] == 1, "some returns are broken on purpose: merge must exit 1"
        best_merge = min(best_merge, merged[0])
        desk = Desk(tmp / f"summary{k}", "--year", str(YEAR), "--units", str(units), "--office", "某市政务公开办")
        try:
            assert len(desk.upload(files)["results"]) == n
            page, ms = desk.get("/summary")
            assert "dl-xlsx" in page
        finally:
            desk.stop()
        print(f"  汇总 of {n} stored returns: server {ms / 1000:.2f} s; gkxl merge {merged[0]:.2f} s")
        best_desk = min(best_desk, ms / 1000)
    return best_desk, best_merge


def bench_overview(tmp: Path, units: int) -> tuple[float, float]:
    """A collection of `units` units, each with a return on record (findings as checking stores them)."""
    from gkxl.desk.store import Received, Store
    from gkxl.io.units import Unit
    folder = tmp / "big"
    store = Store(folder, create=True)
    store.set_units([Unit(f"第{i:05d}号单位", None, i) for i in range(units)])
    store.set_setting("year", str(YEAR))
    store.set_setting("spec", spec_id := specmod.DEFAULT_SPEC)
    rng = random.Random(1)
    received = []
    for u in store.units():
        status = rng.choice(["ok", "ok", "ok", "invalid", "unreadable"])
        findings = [{"rule": "T3-c", "severity": "error", "message": {"zh": "错", "en": "wrong"}}] if status == "invalid" else []
        staged = store.stage(io.BytesIO(f"{spec_id} return of {u['name']}".encode()))
        received.append(Received(staged, f"{u['name']}.xlsx", status, findings, None, u["id"], "identity",
                                 u["name"], YEAR))
    store.record(received)
    desk = Desk(folder)            # first start checks the stand-in files once (they read as unreadable)
    try:
        server_ms, client_ms = [], []
        for _ in range(7):
            started = time.perf_counter()
            page, ms = desk.get("/")
            client_ms.append((time.perf_counter() - started) * 1000)
            server_ms.append(ms)
        assert page.count('<tr data-unit="') == min(units, OVERVIEW_PAGE)     # 总览 is paged
    finally:
        desk.stop()
    return statistics.median(server_ms), statistics.median(client_ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--summary-n", type=int, default=1000)
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3, help="uploads and checks, the best of each kept (default 3)")
    args = parser.parse_args()
    spec = specmod.load()
    with tempfile.TemporaryDirectory() as d:
        desk_s, check_s = bench_upload(spec, Path(d), args.n, args.repeat)
        print(f"{args.n} returns: desk upload until 总览 lists them {desk_s:.2f} s, gkxl check {check_s:.2f} s "
              f"(best of {args.repeat}): ratio {desk_s / check_s:.2f} (target 1.2)")
        summary_s, merge_s = bench_summary(spec, Path(d), args.summary_n, args.repeat)
        print(f"{args.summary_n} stored returns: desk 汇总 {summary_s:.2f} s, gkxl merge {merge_s:.2f} s "
              f"(best of {args.repeat}): ratio {summary_s / merge_s:.2f} (target 0.6)")
        server_ms, client_ms = bench_overview(Path(d), args.units)
        print(f"总览 of {args.units} units: server {server_ms:.0f} ms (target under 300), whole request {client_ms:.0f} ms")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"(bench ran {time.perf_counter() - started:.0f} s)")
