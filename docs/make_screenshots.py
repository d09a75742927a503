"""Make the README's pictures of the desk: docs/desk-overview.png (总览) and docs/desk-unit.png (a unit page).

    .venv/bin/python docs/make_screenshots.py

A collection of the sample units list is filled with returns made here (three pass, one has a typo and a
text in a number cell, one unit has sent nothing), `gkxl serve` serves it, headless Chromium takes the
pictures. Run it again whenever the pages change.
"""
from __future__ import annotations

import io
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from conftest import consistent_values  # noqa: E402

from gkxl.desk.intake import Upload  # noqa: E402
from gkxl.desk.service import Desk  # noqa: E402
from gkxl.form import spec as specmod  # noqa: E402
from gkxl.form.model import Report  # noqa: E402
from gkxl.io.write import write_workbook  # noqa: E402

CHROMIUM = os.environ.get("GKXL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--font-render-hinting=none"]
YEAR = 2025
WIDTH, SCALE = 1280, 0.7
BROKEN = "卫滨区财政局"


def build(folder: Path, work: Path) -> None:
    spec = specmod.load()
    desk = Desk.open(folder, year=YEAR, units_path=ROOT / "samples" / "units.csv", office="卫滨区政务公开办",
                     processes=1)
    uploads = []
    for seed, unit in enumerate(["卫滨区司法局", BROKEN, "卫滨区教育局", "卫滨区卫生健康委员会"]):
        values = consistent_values(spec, random.Random(seed + 10))
        if unit == BROKEN:
            values["t3.carry_next.natural"] += 10        # T3-c fails; five cells could explain it: all are shown
            values["t2.license.decisions"] = "12件"          # text in a number cell
        path = work / f"{unit}.xlsx"
        write_workbook(path, spec, Report(spec.id, spec.version, unit=unit, year=YEAR, values=values))
        uploads.append(Upload(path.name, io.BytesIO(path.read_bytes())))
    desk.intake.receive(uploads)
    desk.close()


def main() -> None:
    out = ROOT / "docs"
    with tempfile.TemporaryDirectory() as d:
        folder, work = Path(d) / "2025年报", Path(d) / "returns"
        work.mkdir()
        build(folder, work)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen([sys.executable, "-m", "gkxl.cli", "serve", str(folder), "--no-browser",
                                   "--port", str(port)], stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            base = f"http://127.0.0.1:{port}"
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                # drawn at 0.7 scale: the pictures stay readable and under 250 KB each
                page = browser.new_page(viewport={"width": WIDTH, "height": 760}, device_scale_factor=SCALE,
                                        locale="zh-CN")
                page.goto(base + "/")
                page.screenshot(path=str(out / "desk-overview.png"))
                page.get_by_role("link", name=BROKEN, exact=True).click()
                # down to the end of 表三, where the marked cells are
                bottom = page.locator('table[data-sheet="表三"]').bounding_box()
                page.screenshot(path=str(out / "desk-unit.png"), full_page=True,
                                clip={"x": 0, "y": 0, "width": WIDTH, "height": bottom["y"] + bottom["height"] + 16})
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"written {out / 'desk-overview.png'} and {out / 'desk-unit.png'}")


if __name__ == "__main__":
    main()
