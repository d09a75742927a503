"""The desk in a real browser: `gkxl serve` in its own process, Chromium driven by Playwright.

One office's year from an empty folder: templates downloaded as a zip, returns filled with openpyxl and
one saved by LibreOffice as .xls, uploaded with a broken and a foreign one; the states, the cell named
on the broken unit's page, the annotated copy, the summary that passes `gkxl check`; and the guards:
a unit named like a script shows as text, a POST without the CSRF token is refused, the LAN without a
password is refused at start, the password's login and its cookie.
"""
from __future__ import annotations

import csv
import os
import random
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, consistent_values, libreoffice_convert

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
expect = playwright_api.expect

CHROMIUM = os.environ.get("GKXL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
YEAR = 2025
XSS = "<script>alert(1)</script>"
UNITS = ["卫滨区司法局", "卫滨区财政局", "卫滨区教育局", "卫滨区卫生健康委员会", "卫滨区市场监督管理局", XSS]
OFFICE = "卫辉市政务公开办"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gkxl(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gkxl.cli", *args], capture_output=True, text=True, timeout=120, **kw)


class Server:
    def __init__(self, folder: Path, *args: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.folder = folder
        self.proc = subprocess.Popen([sys.executable, "-m", "gkxl.cli", "serve", str(folder), "--no-browser",
                                      "--port", str(self.port), *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"gkxl serve stopped: {self.proc.stderr.read()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("gkxl serve did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, locale="zh-CN")
    pg = context.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()


def fill_template(template: Path, target: Path, spec, values: dict) -> Path:
    """What a clerk does in a spreadsheet program: type the figures into the template's yellow cells."""
    wb = openpyxl.load_workbook(template)
    for cell in spec.inputs:
        value = values.get(cell.key)
        if value is not None:
            wb[cell.sheet][cell.ref] = value
    wb.save(target)
    return target


def state_of(page, unit_name: str) -> str:
    row = page.locator("#units-table tbody tr", has=page.get_by_role("link", name=unit_name, exact=True))
    return row.get_attribute("data-state")


def test_a_year_at_the_desk(tmp_path, page, spec):
    units_csv = tmp_path / "units.csv"
    with open(units_csv, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["单位名称", "单位代码"])
        w.writerows([[u, ""] for u in UNITS])
    server = Server(tmp_path / "2025年报", "--year", str(YEAR), "--units", str(units_csv))
    try:
        _the_year(server, page, spec, tmp_path)
    finally:
        server.stop()


def _the_year(server: Server, page, spec, tmp_path: Path):
    base = server.url
    page.goto(base + "/")
    assert page.locator("#units-table tbody tr").count() == len(UNITS)
    assert all(state_of(page, u) == "missing" for u in UNITS)

    # the script-like unit name is text, everywhere it is shown
    assert page.get_by_role("link", name=XSS, exact=True).inner_text() == XSS
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content()

    # 模板: all templates as one zip
    page.get_by_role("link", name="模板", exact=True).click()
    with page.expect_download() as dl:
        page.locator("#all-templates").click()
    archive = tmp_path / "templates.zip"
    dl.value.save_as(archive)
    out = tmp_path / "templates"
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(out)
    with open(out / "模板清单.csv", encoding="utf-8-sig") as f:
        by_unit = {r["单位名称"]: out / r["文件名"] for r in csv.DictReader(f)}
    assert set(by_unit) == set(UNITS)

    # returns as the units send them
    sent = tmp_path / "sent"
    sent.mkdir()
    values = [consistent_values(spec, random.Random(seed)) for seed in range(4)]
    broken_key = "t3.carry_next.natural"
    values[3][broken_key] += 7
    justice = fill_template(by_unit[UNITS[0]], sent / "司法局年报.xlsx", spec, values[0])
    finance = fill_template(by_unit[UNITS[1]], sent / "财政局.xlsx", spec, values[1])
    education_xlsx = fill_template(by_unit[UNITS[2]], tmp_path / "教育局.xlsx", spec, values[2])
    (education,) = libreoffice_convert([education_xlsx], sent, to="xls")
    health = fill_template(by_unit[UNITS[3]], sent / "卫健委.xlsx", spec, values[3])
    foreign_wb = openpyxl.Workbook()
    foreign_wb.active["A1"] = "卫滨区市场监督管理局自制统计表"
    foreign = sent / "卫滨区市场监督管理局年报.xlsx"
    foreign_wb.save(foreign)

    # 收件: several files at once, checked as they arrive
    page.get_by_role("link", name="收件", exact=True).click()
    page.set_input_files("#files", [str(p) for p in (justice, finance, education, health, foreign)])
    page.locator("body[data-uploaded='5']").wait_for(timeout=60_000)    # set by desk.js when all are done
    assert page.locator("#results tbody tr").count() == 5
    assert "完成" in page.locator("#progress-text").inner_text()
    # the foreign workbook names no unit: the clerk confirms the unit guessed from its name
    pick = page.locator("#unmatched form.assign")
    assert pick.count() == 1
    assert pick.locator("select option:checked").inner_text() == UNITS[4]
    pick.get_by_role("button").click()
    assert UNITS[4] in page.locator(".flash.ok").inner_text()

    # the same file again is recognised
    page.set_input_files("#files", [str(justice)])
    page.locator("body[data-uploaded='1']").wait_for(timeout=30_000)   # the page was loaded afresh
    assert "重复" in page.locator("#results tbody tr").last.inner_text()

    # 总览: every unit's state
    page.get_by_role("link", name="总览", exact=True).click()
    expected = {UNITS[0]: "ok", UNITS[1]: "ok", UNITS[2]: "ok", UNITS[3]: "invalid", UNITS[4]: "unreadable", XSS: "missing"}
    assert {u: state_of(page, u) for u in UNITS} == expected
    assert page.locator("a.chip[data-state=invalid] b").inner_text() == "1"

    # 单位: the broken unit's page names the cell and marks it in the official table. A changed 结转下年度
    # breaks T3-c, which other cells could explain as well: the cell is shown as one of the candidates, each
    # with the value that would balance, and marked as such (never as the one wrong cell)
    page.get_by_role("link", name=UNITS[3], exact=True).click()
    findings = page.locator("#findings")
    # the likeliest three are shown and marked, the rest behind "还有 N 格": the changed cell is among them
    assert findings.locator(f'li.candidate[data-key="{broken_key}"]').count() == 1
    shown = findings.locator("ul.candidates").first.locator("li.candidate")
    assert shown.count() == 3
    top = shown.first.get_attribute("data-key")
    assert page.locator(f'td[data-key="{top}"]').get_attribute("class") == "mark-candidate"
    assert page.locator("table.official td.mark-candidate").count() == 3
    assert page.locator("table.official td.mark-error").count() == 0
    with page.expect_download() as dl:
        page.locator("#annotated").click()
    annotated = tmp_path / "annotated.xlsx"
    dl.value.save_as(annotated)
    wb = openpyxl.load_workbook(annotated)
    cell = spec.cells[top]
    assert "校验结果" in wb.sheetnames
    assert wb[cell.sheet][cell.ref].comment is not None
    assert wb[cell.sheet][cell.ref].fill.fgColor.rgb.endswith("FFEB9C")     # amber: one of the candidates (gkxl.io.annotate)

    # 已退回 with a note
    page.locator("input[name=note]").fill("请核对表三“结转下年度继续办理”")
    page.locator("#mark-returned").click()
    assert page.locator("#unit-state").inner_text() == "已退回待重报"
    assert "请核对表三" in page.locator("ul.history").inner_text()

    # 汇总: by merge's rules, downloads that gkxl itself accepts
    page.get_by_role("link", name="汇总", exact=True).click()
    page.locator("input[name=office]").fill(OFFICE)
    page.get_by_role("button", name="保存").click()
    rows = page.locator("#entries tbody tr")
    included = page.locator("#entries tbody tr.in")
    # merge's lines: 3 in, the unreadable file under the unit the clerk gave it (never again as a unit that
    # sent nothing), the unit that sent nothing; then the one held back
    assert included.count() == 3 and rows.count() == 6, rows.all_inner_texts()
    assert UNITS[4] in rows.nth(3).inner_text() and "无法读取" in rows.nth(3).inner_text()
    assert UNITS[3] in rows.last.inner_text() and "已退回待重报" in rows.last.inner_text()
    downloads = {}
    for what in ("xlsx", "docx", "html", "csv"):
        with page.expect_download() as dl:
            page.locator(f"#dl-{what}").click()
        downloads[what] = tmp_path / f"summary.{what}"
        dl.value.save_as(downloads[what])
    checked = gkxl("check", str(downloads["xlsx"]), "--year", str(YEAR))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"{OFFICE}2025年政府信息公开工作年度报告" in downloads["html"].read_text(encoding="utf-8")
    data = list(csv.reader(downloads["csv"].read_text(encoding="utf-8-sig").splitlines()))
    assert len(data) == 1 + 4 and {r[1] for r in data[1:]} >= {UNITS[0], UNITS[1], UNITS[2]}
    assert any(r[0] == "司法局年报.xlsx" for r in data[1:])       # the names they were sent under

    # a wrong address, or a form's address opened as a page: said in a sentence, not an internal error
    missing = page.goto(base + "/没有这个页面")
    assert missing.status == 404 and "没有这个页面" in page.locator("main").inner_text()
    for address in ("/unit/99999999999999999999999", "/file/99999999999999999999/original",
                    "/templates/unit/99999999999999999999.xlsx"):
        assert page.goto(base + address).status == 404, address
    wrong = page.goto(base + "/summary/office")
    assert wrong.status == 405 and "请求无法处理（405）" in page.locator("main").inner_text()

    # English, with the same switch
    page.goto(base + "/")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("link", name="Overview", exact=True)).to_be_visible()
    assert page.dialogs == []


def test_posts_without_the_csrf_token_are_refused(tmp_path, page):
    from gkxl.desk.app import create_app, post_routes
    from gkxl.desk.service import Desk
    guard = create_app(Desk.open(tmp_path / "probe", year=YEAR, processes=1))
    posts = post_routes(guard)
    assert set(posts) == {"/units", "/receive", "/assign", "/set-aside", "/unit/{unit_id:int}/return",
                          "/unit/{unit_id:int}/reopen", "/summary/office", "/login", "/logout", "/reports",
                          "/reports/assign", "/file/{file_id:int}/verdict", "/file/{file_id:int}/reassign",
                          "/unit/{unit_id:int}/link", "/u/{token}/upload", "/u/{token}/submit", "/deadline"}
    server = Server(tmp_path / "c", "--year", str(YEAR), "--units", str(ROOT / "samples" / "units.csv"))
    try:
        page.goto(server.url + "/")
        from gkxl.desk.links import Links
        from gkxl.desk.store import Store
        store = Store(tmp_path / "c")
        token = Links(store).token(store.units()[0])         # a unit's real link: its forms need the token too
        for path in posts:
            path = path.replace("{unit_id:int}", "1").replace("{file_id:int}", "1").replace("{token}", token)
            refused = page.request.post(server.url + path, form={"units_text": "单位名称\n新单位", "office": "x"})
            assert refused.status == 403, path
            forged = page.request.post(server.url + path, form={"csrf": "forged", "units_text": "单位名称\n新单位"},
                                       headers={"X-CSRF-Token": "forged"})
            assert forged.status == 403, path
        page.reload()
        assert page.locator("#units-table tbody tr").count() == 5       # nothing changed
        token = page.locator('meta[name="csrf-token"]').get_attribute("content")
        accepted = page.request.post(server.url + "/summary/office", form={"csrf": token, "office": OFFICE})
        assert accepted.ok
    finally:
        server.stop()


def test_size_limits_and_foreign_host_names(tmp_path, page):
    import http.client
    server = Server(tmp_path / "c", "--year", str(YEAR), "--max-file-mb", "1", "--max-request-mb", "2")
    try:
        big, huge = tmp_path / "大.xlsx", tmp_path / "特大.xlsx"
        big.write_bytes(b"PK\x03\x04" + os.urandom(1_500_000))
        huge.write_bytes(b"PK\x03\x04" + os.urandom(3_000_000))
        page.goto(server.url + "/receive")
        page.set_input_files("#files", [str(big)])
        page.locator("body[data-uploaded='1']").wait_for(timeout=30_000)
        row = page.locator("#results tbody tr").last.inner_text()
        assert "拒收" in row and "超过 1 MB" in row
        page.set_input_files("#files", [str(huge)])
        page.locator("body[data-uploaded='2']").wait_for(timeout=30_000)
        row = page.locator("#results tbody tr").last.inner_text()
        assert "拒收" in row and "超过 2 MB" in row, row
        assert list((server.folder / "files").rglob("*")) == [server.folder / "files" / "tmp"]   # nothing kept
        # a page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) is not served
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/", headers={"Host": f"desk.example.com:{server.port}"})
        answer = conn.getresponse()
        assert answer.status == 400 and "不是本机地址" in answer.read().decode()
    finally:
        server.stop()


def test_the_network_without_a_password_is_refused_at_start(tmp_path):
    started = gkxl("serve", str(tmp_path / "c"), "--year", str(YEAR), "--host", "0.0.0.0", "--no-browser",
                   "--port", str(free_port()))
    assert started.returncode == 2
    assert "--password" in started.stderr and "Traceback" not in started.stderr
    assert not (tmp_path / "c").exists()


def test_login_with_a_password(tmp_path, page):
    server = Server(tmp_path / "c", "--year", str(YEAR), "--password", "柜台口令2025")
    try:
        page.goto(server.url + "/")
        assert page.url.endswith("/login")
        page.locator("input[name=password]").fill("wrong")
        page.get_by_role("button", name="登录").click()
        expect(page.locator("body")).to_contain_text("密码不对")
        assert page.request.get(server.url + "/summary", headers={"Accept": "application/json"}).status == 401
        page.locator("input[name=password]").fill("柜台口令2025")
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("heading", name="总览")).to_be_visible()      # waits for the page after login
        (cookie,) = [c for c in page.context.cookies() if c["name"] == "gkxl_desk"]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        # the units list edited on 总览, by the rules of --units (the repeated line is skipped and said)
        page.locator("details#units summary").click()
        page.locator("textarea[name=units_text]").fill("单位名称,单位代码\n甲局,\n乙局,\n甲局,\n")
        page.get_by_role("button", name="保存名单").click()
        assert "新增 2 个" in page.locator(".flash.ok").inner_text()
        assert "重复" in page.locator(".flash.warn").inner_text()
        assert page.locator("#units-table tbody tr").count() == 2
    finally:
        server.stop()


def test_two_windows_never_act_on_what_the_other_changed_meanwhile(tmp_path, page, spec):
    from gkxl.form.model import Report
    from gkxl.io.write import write_workbook
    units = ROOT / "samples" / "units.csv"
    server = Server(tmp_path / "c", "--year", str(YEAR), "--units", str(units))
    sent = tmp_path / "sent"
    sent.mkdir()

    def a_return(name: str, unit: str, seed: int) -> str:
        values = consistent_values(spec, random.Random(seed))
        write_workbook(sent / name, spec, Report(spec.id, spec.version, unit, None, YEAR, values))
        return str(sent / name)
    foreign_wb = openpyxl.Workbook()
    foreign_wb.active["A1"] = "自制统计表"
    foreign_wb.save(sent / "来历不明.xlsx")
    try:
        other = page.context.new_page()
        for pg in (page, other):
            pg.goto(server.url + "/receive")
        (sent / "空文件.xlsx").write_bytes(b"")
        with zipfile.ZipFile(sent / "两份.zip", "w") as zf:
            zf.write(a_return("卫健委.xlsx", "卫滨区卫生健康委员会", 3), "卫健委.xlsx")
            zf.write(a_return("市场监管局.xlsx", "卫滨区市场监督管理局", 4), "市场监管局.xlsx")
        page.set_input_files("#files", [a_return("司法局.xlsx", "卫滨区司法局", 1), str(sent / "来历不明.xlsx"),
                                        str(sent / "空文件.xlsx"), str(sent / "两份.zip")])
        page.locator("body[data-uploaded='4']").wait_for(timeout=60_000)
        assert page.locator("#results tbody tr").count() == 5
        assert "共处理 5 个文件" in page.locator("#progress-text").inner_text()     # the zip's two, each
        # an empty file waits for a unit it will never have: it says why it cannot be read, and is set aside
        page.reload()
        empty = page.locator("#unmatched tr", has_text="空文件.xlsx")
        assert "文件是空的" in empty.locator(".why").inner_text()
        empty.locator("form.set-aside button").click()
        assert "已把“空文件.xlsx”移出待指定列表" in page.locator(".flash.ok").inner_text()
        assert page.locator("#unmatched tr", has_text="空文件.xlsx").count() == 0
        # 收件: both windows list the file without a unit; the second assigns it after the first did
        other.reload()
        page.locator("#unmatched form.assign select").select_option(label="卫滨区财政局")
        page.locator("#unmatched form.assign button").click()
        other.locator("#unmatched form.assign select").select_option(label="卫滨区教育局")
        other.locator("#unmatched form.assign button").click()
        assert "已经指定给 卫滨区财政局" in other.locator(".flash.error").inner_text()
        other.goto(server.url + "/")
        assert state_of(other, "卫滨区教育局") == "missing"
        # 单位: a page opened on the first version; a second version arrives in the other window
        page.goto(server.url + "/")
        page.get_by_role("link", name="卫滨区司法局", exact=True).click()
        other.goto(server.url + "/receive")
        other.set_input_files("#files", [a_return("司法局_改.xlsx", "卫滨区司法局", 2)])
        other.locator("body[data-uploaded='1']").wait_for(timeout=60_000)
        page.locator("input[name=note]").fill("请改正")
        page.locator("#mark-returned").click()
        assert "刚收到新的一版" in page.locator(".flash.error").inner_text()
        assert page.locator("#unit-state").inner_text() != "已退回待重报"
        assert "请改正" not in page.locator("main").inner_text()
    finally:
        server.stop()
