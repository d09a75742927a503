"""The desk probed from the office network as a hostile neighbour would, measured as the hardening issue
states it: password guesses a second, a clerk's session through a flood of cookie-less requests, bytes an
anonymous sender gets written to disk, the desk answering while a thousand slow connections are held, a
second clerk's upload behind a long one; and inputs whose cost must stay bounded (a units list of millions,
a broken spreadsheet as the units list, an HTML table of enormous spans, a table whose title was cleared)."""
from __future__ import annotations

import concurrent.futures
import csv
import http.client
import json
import os
import random
import resource
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import ROOT, consistent_values
from test_desk_browser import Server, browser, page  # noqa: F401  (fixtures)

YEAR = 2025
PASSWORD = "柜台口令2025年报"


def post_login(port: int, password: str, source: str = "127.0.0.1") -> tuple[int, str]:
    """A login attempt as a script sends it: a session cookie and its CSRF token first, then the form."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    conn.request("GET", "/login")
    r = conn.getresponse()
    form = r.read().decode()
    cookie = r.getheader("set-cookie").split(";")[0]
    token = form.split('name="csrf" value="')[1].split('"')[0]
    body = urlencode({"csrf": token, "password": password}).encode()
    conn.request("POST", "/login", body=body, headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    r = conn.getresponse()
    text = r.read().decode()
    conn.close()
    return r.status, text


@pytest.fixture
def guarded_desk(tmp_path):
    units = tmp_path / "units.csv"
    units.write_text("单位名称\n卫滨区司法局\n卫滨区财政局\n", encoding="utf-8")
    tmp = tmp_path / "server_tmp"
    tmp.mkdir()
    server = Server(tmp_path / "c", "--year", str(YEAR), "--units", str(units), "--password", PASSWORD)
    yield server
    server.stop()


def test_password_guessing_is_throttled_per_address_and_in_all(guarded_desk):
    port = guarded_desk.port
    started = time.monotonic()
    answers = [post_login(port, f"guess{n}")[0] for n in range(30)]
    seconds = time.monotonic() - started
    checked = answers.count(403)                 # attempts whose password was actually compared
    assert checked == 5 and answers.count(429) == 25, answers
    print(f"\n30 guesses from one address in {seconds:.1f} s: {checked} compared, {checked / seconds:.1f} a second")
    status, said = post_login(port, PASSWORD)    # even the right one waits out the lockout
    assert status == 429 and "秒后再试" in said
    status, _ = post_login(port, PASSWORD, source="127.0.0.2")     # another address is not locked out
    assert status == 303


def test_a_clerks_session_survives_a_flood_of_cookie_less_requests(guarded_desk):
    port = guarded_desk.port
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    r = conn.getresponse()
    form, cookie = r.read().decode(), r.getheader("set-cookie").split(";")[0]
    token = form.split('name="csrf" value="')[1].split('"')[0]
    conn.request("POST", "/login", body=urlencode({"csrf": token, "password": PASSWORD}).encode(),
                 headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    r = conn.getresponse()
    said = r.read().decode()
    assert r.status == 303, (r.status, said[:300])
    clerk = r.getheader("set-cookie").split(";")[0]

    def flood(n: int) -> int:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(n):
            c.request("GET", "/login")
            c.getresponse().read()
        c.close()
        return n
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        sent = sum(pool.map(flood, [1600] * 4))
    print(f"\n{sent} cookie-less requests in {time.monotonic() - started:.1f} s")
    conn.close()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/", headers={"Cookie": clerk, "Accept": "text/html"})
    r = conn.getresponse()
    body = r.read().decode()
    assert r.status == 200 and "units-table" in body        # still logged in: no redirect to /login
    conn.close()


def test_an_anonymous_sender_gets_nothing_written(guarded_desk, tmp_path):
    port = guarded_desk.port
    folder = guarded_desk.folder
    before = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    # a declared 290 MB body: refused before any of it is read
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /login HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: multipart/form-data; boundary=x\r\n"
              b"Content-Length: 304087040\r\n\r\n" % port)
    s.settimeout(10)
    assert b" 413 " in s.recv(4096).split(b"\r\n")[0]
    s.close()
    # a body that declares no length: cut off at 64 KB
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def chunks():
        for _ in range(200):
            yield b"--x\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\n" + b"0" * 65536
    try:
        conn.request("POST", "/login", body=chunks(), headers={"Content-Type": "multipart/form-data; boundary=x"},
                     encode_chunked=True)
        status = conn.getresponse().status
    except (ConnectionError, OSError):
        status = 413          # the desk closed the connection once the limit was passed
    assert status == 413
    time.sleep(0.5)
    after = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    assert after - before < 1024 * 1024          # nothing of the bodies reached the collection's disk
    tmp = [p for p in Path("/tmp").glob("tmp*") if p.is_file() and p.stat().st_mtime > time.time() - 30
           and p.stat().st_size > 1024 * 1024]
    assert not tmp, tmp


def test_the_desk_answers_while_a_thousand_slow_connections_are_held(guarded_desk):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2500:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    port = guarded_desk.port
    held = []
    for _ in range(1000):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")   # a head never finished
            held.append(s)
        except OSError:
            break
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=("127.0.0.3", 0))
    conn.request("GET", "/login")
    r = conn.getresponse()
    r.read()
    answered = time.monotonic() - started
    print(f"\n{len(held)} slow connections held; the login page answered in {answered * 1000:.0f} ms")
    assert r.status == 200 and answered < 3
    time.sleep(13)                                # the head timeout (10 s) has passed for every one
    closed = 0
    for s in held:
        s.settimeout(0.5)
        try:
            closed += s.recv(1) == b""
        except OSError:
            closed += 1
        s.close()
    assert closed == len(held)


def _return(spec, path: Path, unit: str, seed: int, year: int = YEAR) -> Path:
    from gkxl.form.model import Report
    from gkxl.io.write import write_workbook
    values = consistent_values(spec, random.Random(seed))
    write_workbook(path, spec, Report(spec.id, spec.version, unit=unit, unit_code=None, year=year, values=values))
    return path


def test_a_clerks_one_file_goes_between_slices_of_a_long_upload(tmp_path, spec):
    from gkxl.desk.intake import Upload
    from gkxl.desk.service import Desk
    many = [_return(spec, tmp_path / f"a{n}.xlsx", f"单位{n}", n) for n in range(120)]
    one = _return(spec, tmp_path / "one.xlsx", "另一单位", 999)
    desk = Desk.open(tmp_path / "c", year=YEAR, processes=2)
    desk.checker.warm()
    try:
        times, ended = {}, {}

        def upload(name, files):
            started = time.monotonic()
            streams = [open(f, "rb") for f in files]
            try:
                desk.intake.receive([Upload(f.name, s) for f, s in zip(files, streams)])
            finally:
                for s in streams:
                    s.close()
            ended[name] = time.monotonic()
            times[name] = ended[name] - started
        long = threading.Thread(target=upload, args=("long", many))
        long.start()
        time.sleep(0.3)
        upload("one", [one])
        long.join()
        print(f"\n120 returns: {times['long']:.2f} s; one return sent meanwhile: {times['one']:.2f} s")
        assert ended["one"] < ended["long"]          # it went between the long upload's slices, not after them
        assert not list((tmp_path / "c" / "files" / "tmp").iterdir())     # nothing staged is left behind
    finally:
        desk.close()


# --- the units list is untrusted input --------------------------------------------------------------------

def gkxl(*args, **kw):
    return subprocess.run([sys.executable, "-m", "gkxl.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, **kw)


def test_a_units_list_of_millions_is_refused_at_once(tmp_path):
    big = tmp_path / "单位名单.csv"
    with open(big, "w", encoding="utf-8") as f:
        f.write("单位名称\n")
        f.writelines(f"某县第{n}局\n" for n in range(1_000_000))
    started = time.monotonic()
    r = gkxl("template", "--year", YEAR, "--units", big, "-o", tmp_path / "out")
    assert r.returncode == 2 and "超过" in r.stderr and time.monotonic() - started < 10, r.stderr
    many = tmp_path / "多.csv"
    with open(many, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["单位名称"], *([f"单位{n}"] for n in range(25_000))])
    r = gkxl("template", "--year", YEAR, "--units", many, "-o", tmp_path / "out2")
    assert r.returncode == 2 and "25000" in r.stderr and "20000" in r.stderr, r.stderr


@pytest.mark.parametrize("content", [b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(5000), b"PK\x03\x04" + b"\x00" * 300])
def test_a_broken_spreadsheet_as_the_units_list_is_said_and_the_desk_stays_up(tmp_path, content, page):  # noqa: F811
    broken = tmp_path / "单位名单.xls"
    broken.write_bytes(content)
    for command in (["template", "--year", YEAR, "-o", tmp_path / "o"], ["check", ROOT / "samples" / "卫滨区司法局_2024.xlsx"]):
        r = gkxl(*command, "--units", broken)
        assert r.returncode == 2 and "单位名单" in r.stderr and "Traceback" not in r.stderr, r.stderr
    server = Server(tmp_path / "c", "--year", str(YEAR))
    try:
        page.goto(server.url + "/")
        page.locator("details#units summary").click()
        page.set_input_files("input[name=units_file]", str(broken))
        page.get_by_role("button", name="上传并替换名单").click()
        assert "单位名单" in page.locator(".flash.error").inner_text()
        page.goto(server.url + "/")                       # the desk is still there
        assert page.locator("#units-table").count() == 1
    finally:
        server.stop()


def test_the_overview_is_paged(tmp_path, page):  # noqa: F811
    units = tmp_path / "units.csv"
    units.write_text("单位名称\n" + "".join(f"第{n:04d}单位\n" for n in range(1200)), encoding="utf-8")
    server = Server(tmp_path / "c", "--year", str(YEAR), "--units", str(units))
    try:
        page.goto(server.url + "/")
        assert page.locator("#units-table tbody tr").count() == 500
        assert "共 3 页" in page.locator("#pager").inner_text()
        page.locator("#pager").get_by_role("link", name="3").click()
        rows = page.locator("#units-table tbody tr")
        assert rows.count() == 200 and rows.first.locator("td").first.inner_text() == "1001"
    finally:
        server.stop()


# --- bounded cost -------------------------------------------------------------------------------------------

def test_an_html_table_of_enormous_spans_is_refused_in_a_second(tmp_path):
    report = tmp_path / "年报.html"
    report.write_text("<html><body><h1>某局2024年政府信息公开工作年度报告</h1><table>" +
                    "".join(f"<tr><td rowspan=65534>{n}</td><td colspan=65534>x</td></tr>" for n in range(4000)) +
                    "</table></body></html>", encoding="utf-8")
    started = time.monotonic()
    r = gkxl("check", report, "--format", "json")
    assert time.monotonic() - started < 5
    f = json.loads(r.stdout)["files"][0]
    assert f["status"] == "unreadable" and "合并" in f["error"], f


def test_a_cleared_table_title_does_not_stop_the_table_being_checked(tmp_path, spec):
    import openpyxl
    path = _return(spec, tmp_path / "r.xlsx", "卫滨区司法局", 3)
    wb = openpyxl.load_workbook(path)
    wb["表三"]["A1"] = None                                  # the title cleared
    cell = spec.cells["t3.granted.natural"]
    wb[cell.sheet][cell.ref] = (wb[cell.sheet][cell.ref].value or 0) + 7
    wb.save(path)
    r = gkxl("check", path, "--format", "json")
    f = json.loads(r.stdout)["files"][0]
    rules = {x["rule"] for x in f["findings"]}
    assert "STRUCT-title" in rules and any(x.startswith("T3") for x in rules) and "STRUCT-label" not in rules, rules


def test_thousands_of_full_width_merged_ranges_cost_the_annotated_copy_not_the_check(tmp_path):
    """3,000 ranges A:XFD (78 KB of XML) would make openpyxl build 49 million cells: the copy is refused
    in a moment with its reason, and the check stands."""
    import zipfile

    import drawn
    d = drawn.draw(11, "changed", tmp_path / "drawn")
    sheet = next(iter(d.cells.values()))[0]
    with zipfile.ZipFile(d.path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    target = next(n for n, b in parts.items() if n.startswith("xl/worksheets/sheet") and b"mergeCells" not in b)
    merges = "".join(f'<mergeCell ref="A{r}:XFD{r}"/>' for r in range(2000, 5000)).encode()
    xml = parts[target]
    tail = next(t for t in (b"<pageMargins", b"<pageSetup", b"</worksheet>") if t in xml)
    parts[target] = xml.replace(tail, b'<mergeCells count="3000">' + merges + b"</mergeCells>" + tail, 1)
    merged = tmp_path / "merged.xlsx"
    with zipfile.ZipFile(merged, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    out = tmp_path / "out"
    started = time.monotonic()
    r = gkxl("check", merged, "--annotate", out, "--format", "json")
    assert time.monotonic() - started < 20
    report = json.loads(r.stdout)
    f = report["files"][0]
    assert f["status"] == "invalid", (sheet, f["status"])
    assert "合并单元格" in json.dumps(report, ensure_ascii=False)
    assert not list(out.glob("*校验标注*")) if out.exists() else True


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF written object by object, with its cross-reference table (no library: the bombs below are
    what no library would write)."""
    out, offsets = b"%PDF-1.4\n", []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def _stream(data: bytes, attrs: bytes) -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), attrs) + data + b"\nendstream"


_PAGE_TREE = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]


@pytest.mark.parametrize("bomb", ["form_drawn_2000_times", "hex_over_flate", "forms_within_forms"])
def test_pdf_bombs_are_refused_in_a_second(tmp_path, bomb):
    import binascii
    import zlib
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    page_dict = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 6 0 R >> /XObject << /X1 5 0 R >> >> >>")
    if bomb == "hex_over_flate":                        # 870 KB that inflates to 300 MB
        z = zlib.compressobj(9)
        raw = b"".join(z.compress(b"0 0 m " * 1000) for _ in range(50000)) + z.flush()
        objects = [page_dict, _stream(binascii.hexlify(raw) + b">", b"/Filter [/ASCIIHexDecode /FlateDecode]"),
                   _stream(b"", b"/Type /XObject /Subtype /Form /BBox [0 0 1 1]"), font]
    else:
        text = b"BT /F1 8 Tf " + b" ".join(b"0 -9 Td (%d 12345 67890) Tj" % i for i in range(60)) + b" ET"
        if bomb == "form_drawn_2000_times":             # 3 KB drawing 1.5 million characters
            draws, inner = 2000, b""
        else:                                           # X1 draws X2 forty times; the page draws X1 forty times
            draws, inner = 40, b" /X2 7 0 R"
        drawing = b"".join(b"q 1 0 0 1 %d %d cm /%s Do Q\n" % (i % 50, i % 70, b"X1") for i in range(draws))
        form1 = drawing.replace(b"X1", b"X2") if inner else text
        objects = [page_dict, _stream(zlib.compress(drawing), b"/Filter /FlateDecode"),
                   _stream(zlib.compress(form1), b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Filter /FlateDecode "
                           b"/Resources << /Font << /F1 6 0 R >> /XObject <<" + inner + b" >> >>"),
                   font,
                   _stream(zlib.compress(text), b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Filter /FlateDecode "
                           b"/Resources << /Font << /F1 6 0 R >> >>")]
    report = tmp_path / "年报.pdf"
    report.write_bytes(_pdf(_PAGE_TREE + objects))
    started = time.monotonic()
    r = gkxl("check", report, "--format", "json")
    took = time.monotonic() - started
    f = json.loads(r.stdout)["files"][0]
    assert f["status"] == "unreadable" and "内容过大" in f["error"], f
    assert took < 5, took       # a second of work, plus starting Python twice on a busy machine


def test_labels_repeated_over_thousands_of_rows_are_read_in_seconds(tmp_path):
    """表三's 41 labels, copied a hundred times down one sheet (4,000 rows, a hostile or broken export),
    once reached the 60 s stop through a quadratic chain in the label reader."""
    import openpyxl

    from gkxl.form import spec as specmod
    sheet = next(s for s in specmod.load().sheets if s.name == "表三")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "统计"
    for copy in range(100):
        for label in sheet.labels:
            ws.cell(copy * 40 + label.row + 1, label.col + 1, label.text)
        ws.cell(copy * 40 + 8, 4, copy)
    path = tmp_path / "repeated.xlsx"
    wb.save(path)
    assert ws.max_row >= 3960
    started = time.monotonic()
    r = gkxl("check", path, "--format", "json")
    took = time.monotonic() - started
    assert json.loads(r.stdout)["files"][0]["status"] in ("invalid", "unreadable")
    assert took < 20, took


# --- the disk, other applications' cookies, staged copies ----------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A real file system of 4 MB (tmpfs), to fill up or turn read-only; skipped where mounting is not allowed."""
    where = tmp_path / "disk"
    where.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(where)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (not root)")
    yield where
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


def _upload(page, url: str, files: list[Path], count: int) -> str:  # noqa: F811
    page.goto(url + "/receive")
    page.set_input_files("#files", [str(p) for p in files])
    page.locator(f"body[data-uploaded='{count}']").wait_for(timeout=60_000)
    return page.locator("#results tbody").inner_text()


def test_a_full_disk_is_said_as_such_and_nothing_is_lost(small_disk, tmp_path, spec, page):  # noqa: F811
    a = _return(spec, tmp_path / "司法局.xlsx", "卫滨区司法局", 1)
    b = _return(spec, tmp_path / "财政局.xlsx", "卫滨区财政局", 2)
    units = tmp_path / "units.csv"
    units.write_text("单位名称\n卫滨区司法局\n卫滨区财政局\n", encoding="utf-8")
    server = Server(small_disk / "c", "--year", str(YEAR), "--units", str(units))
    try:
        assert "通过" in _upload(page, server.url, [a], 1)
        free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
        (small_disk / "filler").write_bytes(b"\0" * max(free - 4096, 0))
        said = _upload(page, server.url, [b], 1)
        assert "无法写入" in said and ("磁盘" in said or "空间" in said), said
        assert "程序出错" not in said
        (small_disk / "filler").unlink()
        assert "通过" in _upload(page, server.url, [b], 1)          # room again: taken as if nothing happened
        page.goto(server.url + "/")
        assert page.locator("#units-table tbody tr[data-state=ok]").count() == 2
    finally:
        server.stop()


def test_a_read_only_collection_of_last_year_serves_as_previous(small_disk, tmp_path, spec, page):  # noqa: F811
    last_year = small_disk / "2024年报"
    a = _return(spec, tmp_path / "司法局.xlsx", "卫滨区司法局", 1, year=YEAR - 1)
    server = Server(last_year, "--year", str(YEAR - 1))
    try:
        assert "通过" in _upload(page, server.url, [a], 1)
    finally:
        server.stop()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    server = Server(tmp_path / "c", "--year", str(YEAR), "--previous", str(last_year))
    try:
        b = _return(spec, tmp_path / "今年.xlsx", "卫滨区司法局", 2)
        assert "卫滨区司法局" in _upload(page, server.url, [b], 1)
    finally:
        server.stop()


def test_another_applications_cookies_do_not_lock_the_clerk_out(guarded_desk):
    port = guarded_desk.port
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    foreign = 'a[b]=1; prefs={"theme":"dark","n":[1,2]}; =odd; broken'
    conn.request("GET", "/login", headers={"Cookie": foreign})
    r = conn.getresponse()
    form = r.read().decode()
    cookie = r.getheader("set-cookie").split(";")[0]
    token = form.split('name="csrf" value="')[1].split('"')[0]
    body = urlencode({"csrf": token, "password": PASSWORD}).encode()
    conn.request("POST", "/login", body=body, headers={"Cookie": f"{foreign}; {cookie}",
                                                       "Content-Type": "application/x-www-form-urlencoded"})
    assert conn.getresponse().status == 303


def test_uploading_one_return_four_times_leaves_nothing_staged(tmp_path, spec, page):  # noqa: F811
    a = _return(spec, tmp_path / "司法局.xlsx", "卫滨区司法局", 1)
    server = Server(tmp_path / "c", "--year", str(YEAR))
    try:
        for _ in range(4):
            _upload(page, server.url, [a], 1)
        assert list((server.folder / "files" / "tmp").iterdir()) == []
    finally:
        server.stop()
    server = Server(tmp_path / "c")
    try:
        page.goto(server.url + "/")
        assert "中断" not in page.locator("main").inner_text()
    finally:
        server.stop()
