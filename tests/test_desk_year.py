"""A year at the desk as a clerk lives it (the desk-year issue), in Chromium: versions under the clerk's
hand (以此版为准, 作废此版, 改指定单位, 已退回 keeping the accepted version counted), a published report dropped
into 收件 going to 年报 instead of becoming a version, a blank template sent back as 疑似空表, and what changed
from one version to the next."""
from __future__ import annotations

import csv
import random
from pathlib import Path

import openpyxl
import published_drawn as pdw
import pytest
from conftest import consistent_values
from test_desk_browser import Server, browser, page, state_of  # noqa: F401  (fixtures)
from test_desk_browser import fill_template as typed

pytestmark = pytest.mark.browser
YEAR = 2025
UNITS = ["卫滨区司法局", "卫滨区财政局", "卫滨区教育局"]


@pytest.fixture
def year(tmp_path, page):  # noqa: F811
    units = tmp_path / "units.csv"
    units.write_text("单位名称\n" + "\n".join(UNITS) + "\n", encoding="utf-8")
    server = Server(tmp_path / "c", "--year", str(YEAR), "--units", str(units), "--office", "卫滨区政务公开办")
    page.goto(server.url + "/templates")
    with page.expect_download() as dl:
        page.locator("#all-templates").click()
    import zipfile
    archive = tmp_path / "t.zip"
    dl.value.save_as(archive)
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(tmp_path / "t")
    with open(tmp_path / "t" / "模板清单.csv", encoding="utf-8-sig") as f:
        server.templates = {r["单位名称"]: tmp_path / "t" / r["文件名"] for r in csv.DictReader(f)}
    yield server
    server.stop()


def upload(page, url: str, files: list[Path]) -> list[str]:  # noqa: F811
    page.goto(url + "/receive")
    page.set_input_files("#files", [str(p) for p in files])
    page.locator(f"body[data-uploaded='{len(files)}']").wait_for(timeout=60_000)
    return page.locator("#results tbody tr").all_inner_texts()


def summary_row(page, url: str, unit: str) -> str:  # noqa: F811
    page.goto(url + "/summary")
    return next(t for t in page.locator("#entries tbody tr").all_inner_texts() if unit in t)


def open_version(page, url: str, unit: str, number: int) -> None:  # noqa: F811
    page.goto(url + "/")
    page.get_by_role("link", name=unit, exact=True).click()
    row = page.locator(f"table.versions tbody tr[data-version='{number}']")
    link = row.get_by_role("link", name="查看")
    if link.count():
        link.click()


def test_versions_under_the_clerks_hand(year, page, spec, tmp_path):  # noqa: F811
    url, unit = year.url, UNITS[0]
    good = consistent_values(spec, random.Random(1))
    v1 = typed(year.templates[unit], tmp_path / "司法局_第一次.xlsx", spec, good)
    wrong = dict(good, **{"t3.granted.natural": good["t3.granted.natural"] + 5})
    v2 = typed(year.templates[unit], tmp_path / "司法局_第二次.xlsx", spec, wrong)
    assert "通过" in upload(page, url, [v1])[0]
    assert "有错误" in upload(page, url, [v2])[0]

    # the latest has errors: the one that passed is what the summary counts, and the page says which
    assert state_of(page.goto(url + "/") and page, unit) == "invalid"
    assert "是" in summary_row(page, url, unit) and "司法局_第一次.xlsx" in summary_row(page, url, unit)
    open_version(page, url, unit, 2)
    assert page.locator("tr[data-file] #counted-mark").count() == 1
    counted_row = page.locator("tr[data-file]", has=page.locator("#counted-mark"))
    assert "司法局_第一次.xlsx" in counted_row.inner_text()
    # what changed from version 1: the one cell, both values
    changes = page.locator("#changes")
    assert "改动了 1 个格子" in changes.inner_text()
    cell = spec.cells["t3.granted.natural"]
    assert cell.where in changes.inner_text()
    assert str(good["t3.granted.natural"]) in changes.inner_text() and str(wrong["t3.granted.natural"]) in changes.inner_text()

    # 退回 the wrong one: the accepted version stays counted
    page.locator("input[name=note]").fill("表三自然人一列不平衡")
    page.locator("#mark-returned").click()
    assert "司法局_第一次.xlsx" in summary_row(page, url, unit) and "是" in summary_row(page, url, unit)

    # 作废 version 1: nothing passing is left, the summary says why the unit is not counted
    open_version(page, url, unit, 1)
    page.locator("#void").click()
    assert "已作废" in page.locator("table.versions").inner_text()
    row = summary_row(page, url, unit)
    assert "司法局_第一次.xlsx" not in row

    # 以此版为准 on version 2 (errors and all): counted, and said so
    open_version(page, url, unit, 2)
    page.locator("#accept").click()
    row = summary_row(page, url, unit)
    assert "司法局_第二次.xlsx" in row and "收件人确认" in row, row
    page.goto(url + "/")
    page.get_by_role("link", name=unit, exact=True).click()
    history = page.locator("ul.history").inner_text()
    assert "以此版为准" in history and "作废" in history and "退回" in history


def test_a_report_dropped_into_receiving_goes_to_reports_and_never_becomes_a_version(year, page, spec, tmp_path):  # noqa: F811
    url, unit = year.url, UNITS[1]
    good = consistent_values(spec, random.Random(2))
    workbook = typed(year.templates[unit], tmp_path / "财政局.xlsx", spec, good)
    assert "通过" in upload(page, url, [workbook])[0]
    d = pdw.draw_report(3, unit=unit, year=YEAR)
    report = pdw.to_docx(d, tmp_path / f"{unit}2025年政府信息公开工作年度报告.docx")
    said = upload(page, url, [report])[0]
    assert "年度报告" in said and "年报" in said, said
    page.goto(url + "/")
    page.get_by_role("link", name=unit, exact=True).click()
    assert page.locator("table.versions tbody tr").count() == 1            # the workbook alone
    assert unit in page.locator("#published").inner_text() or "财政局" in page.locator("#published").inner_text()
    row = summary_row(page, url, unit)
    assert "财政局.xlsx" in row and "是" in row


def test_a_blank_template_sent_back_is_not_counted_until_the_clerk_accepts_it(year, page, spec, tmp_path):  # noqa: F811
    url, unit = year.url, UNITS[2]
    blank = tmp_path / "教育局.xlsx"
    blank.write_bytes(year.templates[unit].read_bytes())
    upload(page, url, [blank])
    page.goto(url + "/")
    assert state_of(page, unit) == "blank"
    assert page.locator("a.chip[data-state=blank] b").inner_text() == "1"
    row = summary_row(page, url, unit)
    assert "疑似空表" in row and "否" in row, row
    page.goto(url + "/")
    page.get_by_role("link", name=unit, exact=True).click()
    page.locator("#accept").click()
    row = summary_row(page, url, unit)
    assert "是" in row, row
    page.goto(url + "/")
    assert state_of(page, unit) == "ok"


def test_the_desk_starts_again_at_once_and_says_who_holds_a_port(tmp_path):
    """Stopped right after serving (its closed connections in TIME_WAIT), it starts again on the same port
    at once; a port another desk holds is said as such, one another program holds as that."""
    import http.client
    import socket
    import subprocess
    import sys
    import time
    first = Server(tmp_path / "a", "--year", str(YEAR))
    port = first.port
    for _ in range(5):             # the desk closes these connections itself: TIME_WAIT on its port
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/", headers={"Connection": "close"})
        conn.getresponse().read()
        conn.close()
    first.stop()
    started = time.monotonic()
    again = subprocess.Popen([sys.executable, "-m", "gkxl.cli", "serve", str(tmp_path / "a"), "--no-browser",
                              "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        while time.monotonic() - started < 20:
            assert again.poll() is None, again.stderr.read()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        print(f"\nstarted again in {time.monotonic() - started:.1f} s")
        assert time.monotonic() - started < 20
        other = subprocess.run([sys.executable, "-m", "gkxl.cli", "serve", str(tmp_path / "b"), "--year", str(YEAR),
                                "--no-browser", "--port", str(port)], capture_output=True, text=True, timeout=60)
        assert other.returncode == 1 and "另一个收件台已在" in other.stderr, other.stderr
    finally:
        again.terminate()
        again.wait(timeout=10)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        busy = holder.getsockname()[1]
        other = subprocess.run([sys.executable, "-m", "gkxl.cli", "serve", str(tmp_path / "c"), "--year", str(YEAR),
                                "--no-browser", "--port", str(busy)], capture_output=True, text=True, timeout=60)
        assert other.returncode == 1 and "另一个程序占用" in other.stderr, other.stderr


_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code(first17: str) -> str:
    total = sum(_ALPHABET.index(ch) * w for ch, w in zip(first17, (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)))
    return first17 + _ALPHABET[(31 - total % 31) % 31]


def test_the_units_list_as_clerks_keep_it(tmp_path, page, spec):  # noqa: F811
    """A title row above the header, one mistyped code among twelve, contact columns; then the list renames
    a unit (same code) that has already sent a return: the return stays with it and is counted."""
    names = [f"卫滨区第{n}局" for n in range(1, 13)]
    codes = [credit_code(f"1141070300552{n:04d}") for n in range(1, 13)]
    codes[6] = codes[6][:-1] + ("0" if codes[6][-1] != "0" else "1")          # one typo: the check character
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2025年度政府信息公开工作年度报告报送单位名单"])
    ws.append([])
    ws.append(["序号", "单位名称", "统一社会信用代码", "联系人", "联系电话"])
    for n, (name, code) in enumerate(zip(names, codes), start=1):
        ws.append([n, name, code, f"联系人{n}", f"0373-55{n:05d}"])
    listed = tmp_path / "名单.xlsx"
    wb.save(listed)
    server = Server(tmp_path / "c", "--year", str(YEAR), "--office", "卫滨区政务公开办")
    try:
        page.goto(server.url + "/")
        page.locator("#units summary").click()
        page.set_input_files("input[name=units_file]", str(listed))
        page.locator("form[action='/units'] button").first.click()
        assert page.locator("#units-table tbody tr").count() == 12
        flashes = page.locator(".flash").all_inner_texts()
        assert any("第 10 行" in f and names[6] in f for f in flashes), flashes      # the typo's row, said
        assert page.locator("#units-table tbody tr .code-problem").count() == 1
        page.get_by_role("link", name=names[0], exact=True).click()
        assert "联系人1" in page.locator("#contacts").inner_text() and "0373-5500001" in page.locator("#contacts").inner_text()
        page.goto(server.url + "/")
        page.get_by_role("link", name=names[6], exact=True).click()
        assert names[6] in page.locator("#code-problem").inner_text()

        # a return from unit 3, then the list renames unit 3 (same code)
        page.goto(server.url + "/")
        unit_id = page.get_by_role("link", name=names[2], exact=True).get_attribute("href").rsplit("/", 1)[1]
        template = tmp_path / "t3.xlsx"
        template.write_bytes(page.request.get(f"{server.url}/templates/unit/{unit_id}.xlsx").body())
        sent = typed(template, tmp_path / "第3局.xlsx", spec, consistent_values(spec, random.Random(3)))
        assert "通过" in upload(page, server.url, [sent])[0]
        ws.cell(6, 2, "卫滨区第三局（新）")
        wb.save(listed)
        page.goto(server.url + "/")
        page.locator("#units summary").click()
        page.set_input_files("input[name=units_file]", str(listed))
        page.locator("form[action='/units'] button").first.click()
        flashes = page.locator(".flash").all_inner_texts()
        assert any("改名" in f and "卫滨区第三局（新）" in f for f in flashes), flashes
        assert page.locator("#units-table tbody tr").count() == 12
        assert state_of(page, "卫滨区第三局（新）") == "ok"
        row = summary_row(page, server.url, "卫滨区第三局（新）")
        assert "是" in row, row
    finally:
        server.stop()


def test_what_a_clerk_keeps_and_sends_besides(year, page, spec, tmp_path):  # noqa: F811
    """报送进度表 with the dates, the city's copy of the summary (表二–四 and 报送情况, the office's code in the
    page header), and a backup zip that gkxl serves again as the same collection."""
    import zipfile
    url = year.url
    sent = typed(year.templates[UNITS[0]], tmp_path / "司法局.xlsx", spec, consistent_values(spec, random.Random(1)))
    upload(page, url, [sent])
    page.goto(url + "/summary")
    page.locator("input[name=office_code]").fill(credit_code("11410703005520000"))
    page.locator("form.office-form button").click()
    page.goto(url + "/")
    assert "收件夹位于" in page.locator("#where").inner_text()
    with page.expect_download() as dl:
        page.locator("#progress").click()
    progress = tmp_path / "进度.xlsx"
    dl.value.save_as(progress)
    rows = list(openpyxl.load_workbook(progress).active.iter_rows(values_only=True))
    assert "报送进度" in rows[0][0] and rows[2][1] == "单位名称"
    body = {r[1]: r for r in rows[3:]}
    assert set(body) == set(UNITS)
    assert body[UNITS[0]][3] == "通过" and body[UNITS[0]][6] and body[UNITS[0]][8] == "司法局.xlsx"
    assert body[UNITS[1]][3] == "未报送" and not body[UNITS[1]][6]
    page.goto(url + "/summary")
    with page.expect_download() as dl:
        page.locator("#dl-city").click()
    city = tmp_path / "上报.xlsx"
    dl.value.save_as(city)
    wb = openpyxl.load_workbook(city)
    assert wb.sheetnames == ["表二", "表三", "表四", "报送情况"]
    assert credit_code("11410703005520000") in wb["表三"].oddHeader.center.text
    assert len(list(wb["报送情况"].iter_rows(min_row=2))) == len(UNITS)
    page.goto(url + "/")
    with page.expect_download() as dl:
        page.locator("#backup").click()
    backup = tmp_path / "备份.zip"
    dl.value.save_as(backup)
    restored = tmp_path / "restored"
    with zipfile.ZipFile(backup) as zf:
        assert "说明.txt" in zf.namelist() and str(year.folder.resolve()) in zf.read("说明.txt").decode()
        zf.extractall(restored)
    again = Server(restored)
    try:
        page.goto(again.url + "/")
        assert state_of(page, UNITS[0]) == "ok" and page.locator("#units-table tbody tr").count() == len(UNITS)
        page.get_by_role("link", name=UNITS[0], exact=True).click()
        original = page.request.get(again.url + page.locator("a[href$='/original']").first.get_attribute("href"))
        assert original.body() == sent.read_bytes()          # the file received, whole
    finally:
        again.stop()
