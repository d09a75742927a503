"""Bureaus hand in through the desk (the bureaus issue, first part), in Chromium: a unit opens its own link
with no clerk login, downloads its template (the link printed in it), uploads a return with a typo and sees
the cell and the candidates, uploads the fix and submits; the clerk's 总览 shows 已报送 at once. Another
unit's token and a wrong token see the same 404; a revoked token is refused; a POST without CSRF is refused;
another unit's template is refused by name and nothing is kept."""
from __future__ import annotations

import random
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import consistent_values
from test_desk_browser import CHROMIUM, Server, browser, page  # noqa: F401  (fixtures)
from test_desk_browser import fill_template as typed

pytestmark = pytest.mark.browser
YEAR = 2025
UNITS = ["卫滨区司法局", "卫滨区财政局", "卫滨区教育局"]
PASSWORD = "柜台口令2025年报"


def clerk_login(page, url: str) -> None:  # noqa: F811
    page.goto(url + "/login")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form[action='/login'] button").click()


def printed_qr(workbook: Path, tmp_path: Path) -> str | None:
    """The QR code on the first printed page of a workbook: LibreOffice prints it, zxing-cpp reads it."""
    import subprocess

    import zxingcpp
    from conftest import soffice
    from PIL import Image
    exe = soffice()
    if exe is None:
        pytest.skip("LibreOffice is not installed")
    out = tmp_path / "printed"
    subprocess.run([exe, "--headless", "--convert-to", "pdf", "--outdir", str(out), str(workbook)],
                   check=True, capture_output=True, timeout=180)
    pdf = next(out.glob("*.pdf"))
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-f", "1", "-l", "1", str(pdf), str(out / "page")], check=True)
    found = zxingcpp.read_barcodes(Image.open(next(out.glob("page*.png"))))
    return found[0].text if found else None


def link_of(page, url: str, unit: str) -> str:  # noqa: F811
    page.goto(url + "/")
    page.get_by_role("link", name=unit, exact=True).click()
    return page.locator("#link a").get_attribute("href")


def test_a_unit_hands_in_through_its_own_link(tmp_path, browser, page, spec):  # noqa: F811
    units = tmp_path / "units.csv"
    units.write_text("单位名称\n" + "\n".join(UNITS) + "\n", encoding="utf-8")
    server = Server(tmp_path / "c", "--year", str(YEAR), "--units", str(units), "--password", PASSWORD,
                    "--office", "卫滨区政务公开办")
    bureau_context = browser.new_context(accept_downloads=True, locale="zh-CN")
    bureau = bureau_context.new_page()
    try:
        url = server.url
        clerk_login(page, url)
        link = link_of(page, url, UNITS[0])
        other = link_of(page, url, UNITS[1])
        assert link.startswith(url + "/u/") and len(link.rsplit("/", 1)[1]) >= 32

        # the unit: no clerk login, no clerk page
        bureau.goto(link)
        assert bureau.locator("h1").inner_text() == UNITS[0]
        assert bureau.locator("header nav").count() == 0
        assert bureau.goto(url + "/").url.endswith("/login")           # the clerk's pages still need the password
        bureau.goto(link)
        with bureau.expect_download() as dl:
            bureau.locator("#template").click()
        template = tmp_path / "模板.xlsx"
        dl.value.save_as(template)
        guide = [str(c) for row in openpyxl.load_workbook(template)["填报说明"].iter_rows(values_only=True) for c in row if c]
        assert any(link in c for c in guide), guide                    # the link printed in its own template
        assert printed_qr(template, tmp_path) == link                    # and its QR code, as LibreOffice prints it

        # a return with a typo: the cell and the candidates, no 正式报送
        good = consistent_values(spec, random.Random(1))
        wrong = dict(good, **{"t3.granted.natural": good["t3.granted.natural"] + 50})
        bureau.set_input_files("#bureau-file", str(typed(template, tmp_path / "第一次.xlsx", spec, wrong)))
        bureau.locator("#bureau-upload button").click()
        assert bureau.locator("#bureau-state").inner_text() == "有错误"
        assert bureau.locator("#findings li.candidate").count() >= 1
        assert "表三" in bureau.locator("#findings").inner_text()
        assert bureau.locator("#submit").is_disabled()

        # the fix, then 正式报送
        bureau.set_input_files("#bureau-file", str(typed(template, tmp_path / "第二次.xlsx", spec, good)))
        bureau.locator("#bureau-upload button").click()
        assert bureau.locator("#bureau-state").inner_text() == "已收到，通过"
        bureau.locator("#submit").click()
        assert bureau.locator("#bureau-state").inner_text() == "已报送"
        assert bureau.locator("#bureau-versions tbody tr").count() == 2
        history = bureau.locator("ul.history").inner_text()          # every upload and the submission: events
        assert history.count("单位通过报送网址上传") == 2 and "正式报送" in history

        # the clerk sees it at once
        page.goto(url + "/")
        row = page.locator("#units-table tbody tr", has=page.get_by_role("link", name=UNITS[0], exact=True))
        assert row.locator("[data-submitted]").count() == 1

        # another unit's template: refused by name, nothing kept
        other_template = tmp_path / "别的模板.xlsx"
        other_template.write_bytes(bureau.request.get(other + "/template.xlsx").body())
        bureau.goto(link)
        bureau.set_input_files("#bureau-file", str(typed(other_template, tmp_path / "错拿.xlsx", spec, good)))
        bureau.locator("#bureau-upload button").click()
        assert f"这是 {UNITS[1]} 的模板" in bureau.locator(".flash.error").inner_text()
        assert bureau.locator("#bureau-versions tbody tr").count() == 2

        # tokens: another unit's page shows nothing of this one; a wrong token and a revoked token: the same 404
        bureau.goto(other)
        assert UNITS[0] not in bureau.content() and bureau.locator("#bureau-versions").count() == 0
        wrong_token = url + "/u/" + "a" * 32
        answer = bureau.goto(wrong_token)
        assert answer.status == 404
        not_found = bureau.locator("main").inner_text()
        file_id = page.locator("#units-table tbody tr").first.get_attribute("data-unit")
        assert bureau.goto(other + f"/file/{file_id}/annotated.xlsx").status in (404, 429)
        page.goto(url + "/")
        page.get_by_role("link", name=UNITS[1], exact=True).click()
        page.locator("#renew-link").click()
        renewed = page.locator("#link a").get_attribute("href")
        assert renewed != other
        answer = bureau.goto(other)
        assert answer.status in (404, 429)
        if answer.status == 404:
            assert bureau.locator("main").inner_text() == not_found
        # a POST without the CSRF token
        refused = bureau_context.request.post(link + "/submit", form={"file_id": "1"})
        assert refused.status == 403
    finally:
        bureau_context.close()
        server.stop()
    said = server.proc.stdout.read() + server.proc.stderr.read()
    assert link.rsplit("/", 1)[1] not in said and other.rsplit("/", 1)[1] not in said     # tokens are never logged


def test_the_desk_serves_https_with_its_own_certificate(tmp_path):
    """--certfile/--keyfile: uvicorn's TLS; the session cookie is Secure; the units' links are https."""
    import http.client
    import shutil
    import ssl
    import subprocess
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "desk.pem", tmp_path / "desk.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    units = tmp_path / "units.csv"
    units.write_text("单位名称\n卫滨区司法局\n", encoding="utf-8")
    server = Server(tmp_path / "c", "--year", str(YEAR), "--units", str(units), "--password", PASSWORD,
                    "--certfile", str(cert), "--keyfile", str(key))
    try:
        context = ssl.create_default_context(cafile=str(cert))
        context.check_hostname = False
        conn = http.client.HTTPSConnection("127.0.0.1", server.port, timeout=10, context=context)
        conn.request("GET", "/login")
        answer = conn.getresponse()
        body = answer.read().decode()
        assert answer.status == 200 and 'content="gkxl desk"' in body
        assert "Secure" in answer.getheader("set-cookie")
        plain = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            plain.request("GET", "/login")
            served = b"gkxl desk" in plain.getresponse().read()
        except (http.client.HTTPException, ConnectionError, OSError):
            served = False
        assert not served, "a page went out in plain HTTP from an HTTPS desk"
    finally:
        server.stop()
    refused = subprocess.run([sys.executable, "-m", "gkxl.cli", "serve", str(tmp_path / "d"), "--year", str(YEAR),
                              "--no-browser", "--certfile", str(cert)], capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "--keyfile" in refused.stderr


def test_a_late_submission_is_taken_and_marked_and_the_others_are_listed_to_remind(tmp_path, browser, page, spec):  # noqa: F811
    import datetime as dt
    units = tmp_path / "units.csv"
    units.write_text("单位名称\n" + "\n".join(UNITS) + "\n", encoding="utf-8")
    server = Server(tmp_path / "c", "--year", str(YEAR), "--units", str(units), "--office", "卫滨区政务公开办")
    bureau = browser.new_context(accept_downloads=True, locale="zh-CN").new_page()
    try:
        url = server.url
        page.goto(url + "/")
        yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
        page.locator("#deadline-form input[name=deadline]").fill(yesterday)
        page.locator("#deadline-form button").click()
        assert yesterday in page.locator(".flash.ok").inner_text()
        link = link_of(page, url, UNITS[0])
        bureau.goto(link)
        assert yesterday in bureau.locator("#deadline").inner_text() and "逾期" in bureau.locator("#deadline").inner_text()
        template = tmp_path / "模板.xlsx"
        template.write_bytes(bureau.request.get(link + "/template.xlsx").body())
        good = consistent_values(spec, random.Random(2))
        bureau.set_input_files("#bureau-file", str(typed(template, tmp_path / "报表.xlsx", spec, good)))
        bureau.locator("#bureau-upload button").click()
        bureau.locator("#submit").click()
        assert bureau.locator("#bureau-versions [data-late]").count() == 1
        page.goto(url + "/")
        row = page.locator("#units-table tbody tr", has=page.get_by_role("link", name=UNITS[0], exact=True))
        assert row.locator("[data-submitted]").count() == 1 and row.locator("[data-late]").count() == 1
        remind = page.locator("#remind-text").input_value()
        lines = remind.splitlines()
        assert len(lines) == 2 and all("/u/" in line for line in lines)
        assert {line.split("：")[0] for line in lines} == set(UNITS[1:])
    finally:
        bureau.context.close()
        server.stop()
