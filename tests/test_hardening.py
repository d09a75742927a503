"""Hostile and broken files cost one file, never the batch, never gigabytes, never a wrong 通过 (issue 13).

Every file is built here from a generated template, the mutation written in the test. Commands run as a
clerk runs them, under an address-space limit of 1 GB (RLIMIT_AS) and a timeout: a file that made the
reader allocate or loop without bound fails the test instead of taking the machine.
"""
from __future__ import annotations

import faulthandler
import io
import json
import os
import random
import re
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from test_bad_inputs import SOFFICE, UNIT, make_template, rezip, sheet_member, soffice

from gkxl.actions.check import check_path
from gkxl.actions.parallel import Workers, map_ordered
from gkxl.actions.parallel import workers as parallel_workers
from gkxl.desk.checking import Checker
from gkxl.text.errors import GkxlError

GB = 1 << 30


def _one_gb():
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (GB, GB))


def gkxl(*args, timeout=60) -> subprocess.CompletedProcess:
    r = subprocess.run([sys.executable, "-m", "gkxl.cli", *map(str, args)], capture_output=True, text=True,
                       timeout=timeout, preexec_fn=_one_gb if os.name == "posix" else None)
    assert "Traceback" not in r.stdout + r.stderr, r.stderr[-2000:]
    assert r.returncode in (0, 1, 2), (r.returncode, r.stderr[-2000:])
    return r


def check_json(*paths, timeout=60) -> dict:
    r = gkxl("check", "--format", "json", *paths, timeout=timeout)
    doc = json.loads(r.stdout, parse_constant=_not_json)
    assert r.returncode == (0 if doc["summary"]["files"] == doc["summary"]["ok"] else 1)
    return doc


def _not_json(name):
    raise AssertionError(f"{name} is not JSON")


def only_result(doc: dict, name: str) -> dict:
    [r] = [f for f in doc["files"] if Path(f["path"]).name == name]
    return r


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> Path:
    return make_template(tmp_path_factory.mktemp("hard") / "good.xlsx")


# --- isolation: a worker's death, overrun or panic costs one item -------------------------------------

def _behaves(x):
    if x == 3:
        faulthandler.disable()                        # pytest's dump of the child's stack is noise here
        os.kill(os.getpid(), signal.SIGABRT)          # what a failed native allocation does
    if x == 5:
        time.sleep(60)                                # a hang
    if x == 7:
        return len(bytearray(2 * GB))                 # beyond the worker's address space
    if x == 9:
        raise _panic()                                # calamine's PanicException is a BaseException
    return x * x


def _panic():
    return type("PanicException", (BaseException,), {})("called `Option::unwrap()` on a `None` value")


def test_worker_failures_cost_only_their_item():
    t = time.monotonic()
    out = list(map_ordered(_behaves, range(30), lambda item, reason: (item, reason.code), seconds=2))
    assert time.monotonic() - t < 20
    assert out[3] == (3, "read.limit_crash")
    assert out[5] == (5, "read.limit_time")
    assert out[7] == (7, "read.limit_memory")
    assert out[9] == (9, "io.internal")
    assert [v for i, v in enumerate(out) if i not in (3, 5, 7, 9)] == [i * i for i in range(30) if i not in (3, 5, 7, 9)]


def test_single_item_is_isolated_too():
    assert list(map_ordered(_behaves, [3], lambda item, reason: reason.code)) == ["read.limit_crash"]


def test_long_lived_workers_of_the_desk_are_isolated_batch_after_batch():
    # the desk's workers (started from a forkserver, kept between uploads) have the same limits
    pool = Workers(_behaves, 2, method="forkserver", seconds=2)
    try:
        first = pool.map([1, 3, 2], lambda item, reason: (item, reason.code))
        assert first == [1, (3, "read.limit_crash"), 4]
        assert pool.map([7, 4], lambda item, reason: (item, reason.code)) == [(7, "read.limit_memory"), 16]
        assert pool.map([6]) == [36] and pool.map([]) == []
    finally:
        pool.close()


def _hog(n):
    held = [bytes(100_000) + bytes([i % 256]) for i in range(n)]       # heap blocks, under the mmap threshold
    return len(held)


def _rss_mb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) // 1024 for line in f if line.startswith("VmRSS"))


def test_a_worker_with_nothing_queued_gives_back_the_memory_it_kept():
    # the desk's workers live on between uploads: what one file needed is not held until the next
    pool = Workers(_hog, 1, method="forkserver")
    try:
        assert pool.map([1]) == [1]
        pid = pool._pool.workers[0].proc.pid
        idle = _rss_mb(pid)
        assert pool.map([1500]) == [1500]                    # 150 MB at once
        time.sleep(0.3)
        assert _rss_mb(pid) < idle + 8
    finally:
        pool.close()


def _staging_fails():
    yield from range(10, 60)
    raise OSError("the disk is full")


def test_workers_left_early_give_the_next_batch_its_own_answers():
    # an upload whose staging fails midway leaves answers due in the workers: never the next upload's
    pool = Workers(_behaves, 2, method="forkserver")
    try:
        with pytest.raises(OSError):
            pool.map(_staging_fails(), expected=100)
        assert pool.map(iter(range(100, 220))) == [i * i for i in range(100, 220)]
    finally:
        pool.close()


def test_desk_checks_even_one_file_in_a_limited_worker(template):
    checker = Checker(2025, processes=1)
    try:
        [(result, meta)] = checker.check([template])
        assert result.status == "ok" and meta["role"] == "template"
        assert checker._workers._pool.workers and all(w.proc.pid != os.getpid() for w in checker._workers._pool.workers)
    finally:
        checker.close()


def _leaves_a_temporary_file(job):
    x, told = job
    fd, name = tempfile.mkstemp(suffix=".xlsx")          # as openpyxl, or a copy to annotate
    os.close(fd)
    Path(told).write_text(name)
    if x == 1:
        time.sleep(60)
    return name


def test_a_worker_stopped_midway_takes_its_temporary_files_with_it(tmp_path):
    jobs = [(x, tmp_path / f"{x}.txt") for x in range(3)]
    out = list(map_ordered(_leaves_a_temporary_file, jobs, lambda job, reason: reason.code, seconds=1))
    assert out[1] == "read.limit_time"
    made = [Path((tmp_path / f"{x}.txt").read_text()) for x in range(3)]
    assert made[0] == Path(out[0]) and made[1].parent != Path(tempfile.gettempdir())
    assert not any(p.exists() or p.parent.exists() for p in made)      # the stopped one's, and the others'


ORPHANED = """
import os, sys, time
from gkxl.actions.parallel import map_ordered

def where(x):
    time.sleep(0.02)
    return os.getpid(), os.environ["TMPDIR"]

if __name__ == "__main__":
    seen = set()
    for pid, folder in map_ordered(where, range(400)):
        if (pid, folder) not in seen:
            seen.add((pid, folder))
            print(pid, folder, flush=True)
"""


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_workers_of_a_killed_run_stop_and_take_their_folders(tmp_path):
    # the parent killed outright (the OOM killer, kill -9): a forked worker holds copies of the parent's
    # pipe ends and would wait for work forever
    script = tmp_path / "orphaned.py"
    script.write_text(ORPHANED)
    run = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    workers = [run.stdout.readline().split() for _ in range(min(2, parallel_workers()))]
    run.kill()
    run.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_running(int(pid)) for pid, _ in workers):
        time.sleep(0.1)
    assert not any(_running(int(pid)) for pid, _ in workers)
    assert not any(Path(folder).exists() for _, folder in workers)


def test_desk_reads_a_stored_file_for_its_page_or_its_annotated_copy_in_a_limited_worker(template, tmp_path):
    checker = Checker(2025, processes=1)
    try:
        report = checker.report(template)
        assert report.unit == UNIT and report.values
        readers = checker._reader._pool.workers
        assert readers and all(w.proc.pid != os.getpid() for w in readers)
        assert not checker._copier._pool.workers            # a copy has its own worker: a page never waits for it
        os.kill(readers[0].proc.pid, signal.SIGKILL)            # a reader lost between two pages
        readers[0].proc.join()
        checker.annotate(template, tmp_path / "标注.xlsx")
        assert openpyxl.load_workbook(tmp_path / "标注.xlsx")["校验结果"]
        garbage = tmp_path / "坏.xlsx"
        garbage.write_bytes(b"PK\x03\x04 not a workbook")
        assert checker.report(garbage) is None
        with pytest.raises(GkxlError) as e:
            checker.annotate(garbage, tmp_path / "坏_标注.xlsx")
        assert e.value.message.code == "annot.unreadable" and not (tmp_path / "坏_标注.xlsx").exists()
        copiers = checker._copier._pool.workers
        assert copiers and {w.proc.pid for w in copiers}.isdisjoint(w.proc.pid for w in checker._reader._pool.workers)
    finally:
        checker.close()


def test_a_page_whose_reader_is_stopped_says_why_and_the_desk_goes_on(template):
    checker = Checker(2025, processes=1, seconds=0.001)      # no reading finishes in a millisecond
    try:
        for _ in range(2):
            with pytest.raises(GkxlError) as e:
                checker.report(template)
            assert e.value.message.code == "read.limit_time"
    finally:
        checker.close()


def test_members_sharing_their_bytes_are_refused(template, tmp_path):
    # twenty directory entries pointing at one padded member: a small file claiming far more (the reader
    # would copy the padding once per entry)
    with zipfile.ZipFile(template) as zf:
        parts = [(i.filename, zf.read(i)) for i in zf.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts:
            zf.writestr(name, data)
        zf.writestr("xl/media/pad.bin", b"x" * 200_000)
    data = bytearray(out.getvalue())
    end = data.rfind(b"PK\x05\x06")
    entry = data.rfind(b"PK\x01\x02", 0, end)          # the last central entry: the padded member
    extra = bytearray()
    for k in range(20):
        copy = bytearray(data[entry:end])               # same local header, another name
        copy[46:46 + len("xl/media/pad.bin")] = f"xl/media/p{k:02d}.bin".encode()
        extra += copy
    count = 1 + len(parts) + 20
    tail = bytearray(data[end:])
    struct.pack_into("<HHI", tail, 8, count, count, int.from_bytes(tail[12:16], "little") + len(extra))
    shared = tmp_path / "shared.xlsx"
    shared.write_bytes(bytes(data[:end]) + bytes(extra) + bytes(tail))
    assert len(zipfile.ZipFile(shared).infolist()) == count          # a zip as far as the directory goes
    result = check_path(shared)
    assert result.status == "unreadable" and result.error.code == "src.corrupt_zip"
    assert check_path(template).status != "unreadable"


def test_a_big_sheet_nobody_reads_does_not_refuse_a_template(template, tmp_path):
    import openpyxl
    wb = openpyxl.load_workbook(template)
    ledger = wb.create_sheet("台账")                   # the office's own list, past the sheet limits
    for r in range(1, 6001):
        ledger.cell(r, 1, r)
    extra = tmp_path / "带台账.xlsx"
    wb.save(extra)
    assert check_path(extra).status != "unreadable"


def test_hidden_sheet_broken_is_reported_with_the_file_and_the_batch_goes_on(template, tmp_path):
    """A truncated _gkxl sheet used to escape as 程序出错（XmlError） with no file name and no report."""
    with zipfile.ZipFile(template) as z:
        wb = z.read("xl/workbook.xml").decode()
    index = re.findall(r'<sheet name="([^"]+)"', wb).index("_gkxl") + 1
    member = f"xl/worksheets/sheet{index}.xml"
    bad = rezip(template, tmp_path / "标识表截断.xlsx", change={member: lambda x: x[: len(x) * 2 // 3]})
    doc = check_json(template, bad)
    r = only_result(doc, bad.name)
    assert r["status"] == "unreadable" and "_gkxl" in r["error"]
    assert only_result(doc, template.name)["status"] == "ok"


# --- resource bounds: measured as calamine measures, refused before it builds anything --------------

def _far(xml: bytes, cell: bytes, row: bytes = b"") -> bytes:
    row = row or re.search(rb'r="[A-Z]+([0-9]+)"', cell).group(1)
    return xml.replace(b"</sheetData>", b'<row r="%s">%s</row></sheetData>' % (row, cell), 1)


def _sheet_outside_worksheets(template, path):
    """The sheet part moved to xl/elsewhere/, the workbook's relationships pointing there."""
    name = sheet_member(template)
    with zipfile.ZipFile(template) as z:
        members = {i.filename: z.read(i.filename) for i in z.infolist()}
    moved = "xl/elsewhere/" + name.rsplit("/", 1)[1]
    members[moved] = _far(members.pop(name), b'<c r="XFD1048576"><v>1</v></c>')
    rel = name.removeprefix("xl/").encode()
    members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(rel, moved[3:].encode())
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(b"/" + name.encode(), b"/" + moved.encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in members.items():
            z.writestr(n, data)
    return path


FAR_CELLS = {
    "tab_in_cell_tag": b'<c\tr="XFD1048576"><v>1</v></c>',
    "newline_in_cell_tag": b'<c\nr="XFD1048576" t="n"><v>1</v></c>',
    "cell_row_disagrees_with_row": (b'<c r="A1048576"><v>1</v></c>', b"60"),
    "far_column_in_a_near_row": (b'<c r="XFD60"><v>1</v></c>', b"60"),
}


@pytest.mark.parametrize("case", list(FAR_CELLS))
def test_far_cell_however_written_is_refused(template, tmp_path, case):
    cell, row = FAR_CELLS[case] if isinstance(FAR_CELLS[case], tuple) else (FAR_CELLS[case], b"")
    bad = rezip(template, tmp_path / f"{case}.xlsx", change={sheet_member(template): lambda x: _far(x, cell, row)})
    r = only_result(check_json(bad, template), bad.name)
    assert r["status"] == "unreadable" and "范围过大" in r["error"], r


def test_sheet_part_outside_worksheets_is_measured(template, tmp_path):
    bad = _sheet_outside_worksheets(template, tmp_path / "别处的表.xlsx")
    r = only_result(check_json(bad, template), bad.name)
    assert r["status"] == "unreadable" and "范围过大" in r["error"], r


def test_xlsb_renamed_xlsx_is_refused(tmp_path):
    bad = tmp_path / "二进制.xlsx"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")
        z.writestr("xl/worksheets/sheet1.bin", b"\x81\x01\x00" * 100)
    r = only_result(check_json(bad), bad.name)
    assert r["status"] == "unreadable" and ".xlsb" in r["error"], r


def test_one_long_shared_string_copied_into_many_cells_is_refused(template, tmp_path):
    """4 MB of text in one shared string, referenced from 550 cells: 2.2 GB once copied into cells."""
    with zipfile.ZipFile(template) as z:
        count = z.read("xl/sharedStrings.xml").count(b"<si>")
    rng = random.Random(4)        # text that does not compress: the zip's size limits do not catch it
    long = b"<si><t>" + "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(1_400_000)).encode() + b"</t></si>"
    sst = lambda x: x.replace(b"</sst>", long + b"</sst>")
    rows = b"".join(b'<row r="%d"><c r="Z%d" t="s"><v>%d</v></c></row>' % (r, r, count) for r in range(100, 650))
    sheet = lambda x: x.replace(b"</sheetData>", rows + b"</sheetData>", 1)
    bad = rezip(template, tmp_path / "长文字.xlsx", change={"xl/sharedStrings.xml": sst, sheet_member(template): sheet})
    r = only_result(check_json(bad, template), bad.name)
    assert r["status"] == "unreadable" and "文字总量过大" in r["error"], r


def test_member_inflating_past_its_declared_size_stops_at_it(template, tmp_path):
    """The directory says 1,500 bytes; the deflate stream goes on for 1.5 GB of zeros."""
    name = sheet_member(template)
    real = zipfile.ZipFile(template).read(name)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = packer.compress(real[:1500]) + b"".join(packer.compress(bytes(1 << 24)) for _ in range(96))
    stream += packer.flush()
    bad = tmp_path / "后面还有.xlsx"
    rezip(template, bad, stored=(name,))
    data = bytearray(bad.read_bytes())
    info = zipfile.ZipFile(bad).getinfo(name)
    local = info.header_offset
    n, m = struct.unpack_from("<HH", data, local + 26)
    start = local + 30 + n + m
    data[start:start + info.compress_size] = stream
    for at in (local + 8,):
        struct.pack_into("<H", data, at, 8)                                    # method: deflate
    struct.pack_into("<III", data, local + 14, zlib.crc32(real[:1500]), len(stream), 1500)
    shift = len(stream) - info.compress_size
    cd = data.find(b"PK\x01\x02")
    while cd >= 0:
        (offset,) = struct.unpack_from("<I", data, cd + 42)
        if data[cd + 46:cd + 46 + len(name)] == name.encode():
            struct.pack_into("<H", data, cd + 10, 8)
            struct.pack_into("<III", data, cd + 16, zlib.crc32(real[:1500]), len(stream), 1500)
        elif offset > local:
            struct.pack_into("<I", data, cd + 42, offset + shift)
        cd = data.find(b"PK\x01\x02", cd + 4)
    eocd = data.rfind(b"PK\x05\x06")
    struct.pack_into("<I", data, eocd + 16, struct.unpack_from("<I", data, eocd + 16)[0] + shift)
    bad.write_bytes(bytes(data))
    t = time.monotonic()
    r = only_result(check_json(bad, template), bad.name)
    assert time.monotonic() - t < 30
    assert r["status"] == "unreadable" and "损坏" in r["error"], r


def test_zip_version_above_6_3_is_a_clear_refusal(template, tmp_path):
    data = bytearray(template.read_bytes())
    for sig, at in ((b"PK\x03\x04", 4), (b"PK\x01\x02", 6)):
        pos = data.find(sig)
        while pos >= 0:
            struct.pack_into("<H", data, pos + at, 80)
            pos = data.find(sig, pos + 4)
    bad = tmp_path / "新版本压缩.xlsx"
    bad.write_bytes(bytes(data))
    r = only_result(check_json(bad), bad.name)
    assert r["status"] == "unreadable" and "版本过新（8.0）" in r["error"], r


# --- LibreOffice-saved .ods and .xls --------------------------------------------------------------------

libreoffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


@pytest.fixture(scope="session")
def saved(template, tmp_path_factory) -> dict:
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    base = tmp_path_factory.mktemp("lo_hard")
    return {fmt: soffice(template, fmt, base / fmt, base / "profile") for fmt in ("ods", "xls")}


@pytest.mark.libreoffice
@libreoffice
def test_ods_with_hundreds_of_tables_each_under_the_limit_is_refused(saved, tmp_path):
    table = (b'<table:table table:name="T%d"><table:table-row table:number-rows-repeated="4000">'
             b'<table:table-cell table:number-columns-repeated="150"/></table:table-row><table:table-row>'
             b'<table:table-cell table:number-columns-repeated="149"/>'
             b'<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'
             b"</table:table-row></table:table>")
    extra = b"".join(table % i for i in range(300))
    bad = rezip(saved["ods"], tmp_path / "三百张表.ods",
                change={"content.xml": lambda x: x.replace(b"</office:spreadsheet>", extra + b"</office:spreadsheet>", 1)})
    assert bad.stat().st_size < 200_000
    r = only_result(check_json(bad, saved["ods"]), bad.name)
    assert r["status"] == "unreadable" and "合计过大" in r["error"], r


def _vector_count_trick(xls: bytes) -> bytes:
    """The SummaryInformation property set's first property turned into a VT_VECTOR of 0x7FFFFFFF empty items
    (olefile appends them one by one: an hour, and a list toward 17 GB)."""
    fmtid = bytes.fromhex("e0859ff2f94f6810ab9108002b27b3d9")
    head = xls.find(b"\xfe\xff\x00\x00")
    while head >= 0 and xls[head + 28:head + 44] != fmtid:
        head = xls.find(b"\xfe\xff\x00\x00", head + 1)
    assert head >= 0, "no SummaryInformation in the LibreOffice .xls"
    (section,) = struct.unpack_from("<I", xls, head + 44)
    pid, offset = struct.unpack_from("<II", xls, head + section + 8)
    b = bytearray(xls)
    struct.pack_into("<II", b, head + section + offset, 0x1000, 0x7FFFFFFF)  # VT_VECTOR | VT_EMPTY, count
    return bytes(b)


@pytest.mark.libreoffice
@libreoffice
def test_xls_summary_vector_count_does_not_hang(saved, tmp_path):
    bad = tmp_path / "属性计数.xls"
    bad.write_bytes(_vector_count_trick(saved["xls"].read_bytes()))
    t = time.monotonic()
    r = only_result(check_json(bad, timeout=30), bad.name)
    assert time.monotonic() - t < 20
    assert r["status"] == "ok", r          # the figures are intact: the property set is only metadata


# --- amounts that are not numbers: an error on their cell, strict JSON, merge goes on -------------------

@pytest.mark.parametrize("raw", ["NaN", "INF", "-INF", "1e309", "9" * 400])
def test_non_finite_amount_is_an_error_never_ok(template, tmp_path, raw):
    member = sheet_member(template, "表二")

    def put(xml: bytes) -> bytes:
        cell = re.search(rb'<c r="B15"[^>]*?(/>|>.*?</c>)', xml).group(0)
        return xml.replace(cell, b'<c r="B15"><v>%s</v></c>' % raw.encode())
    bad = rezip(template, tmp_path / "金额.xlsx", change={member: put})
    r = only_result(check_json(bad), bad.name)
    assert r["status"] == "invalid"
    assert any(f["rule"] == "V-finite" and f["cell"] == "B15" for f in r["findings"]), r["findings"]
    m = gkxl("merge", bad, template, "-o", tmp_path / "汇总.xlsx", "--year", "2025", "--unit", "某市")
    assert m.returncode == 1 and (tmp_path / "汇总.xlsx").exists()


# --- fuzz: seeded mutants of every kind ---------------------------------------------------------------

FUZZ_N = int(os.environ.get("GKXL_FUZZ_N", "0") or 0)


def _flip(data: bytes, rng: random.Random, count: int) -> bytes:
    b = bytearray(data)
    for _ in range(count):
        at = rng.randrange(len(b))
        b[at] = rng.choice([0, 0xFF, rng.randrange(256), b[at] ^ (1 << rng.randrange(8))])
    return bytes(b)


XML_MUTATIONS = [
    lambda x, rng: x[: rng.randrange(len(x))],                                        # truncated part
    lambda x, rng: _flip(x, rng, rng.randint(1, 8)),                                  # flipped bytes
    lambda x, rng: re.sub(rb'r="[A-Z]+[0-9]+"', lambda m: b'r="%s%d"' % (rng.choice([b"A", b"Z", b"XFD", b"GR"]),
                          rng.choice([1, 70, 5001, 1048576])), x, count=rng.randint(1, 3)),
    lambda x, rng: x.replace(b"<v>", b"<v>" + rng.choice([b"NaN", b"1e309", b"-", b"9" * 40, b"&#0;"]), 1),
    lambda x, rng: x.replace(b'<c r="', rng.choice([b'<c\tr="', b'<c  r="', b"<c r='"]), rng.randint(1, 50)),
    lambda x, rng: x.replace(b"</sheetData>", b'<row r="9"><c r="B9" t="s"><v>%d</v></c></row></sheetData>'
                             % rng.choice([-1, 99999, 2**40]), 1),
]


def _xlsx_mutants(template: Path, out: Path, n: int, rng: random.Random) -> None:
    with zipfile.ZipFile(template) as z:
        names = [i.filename for i in z.infolist()]
    for k in range(n):
        sheets = [n for n in names if n.startswith("xl/worksheets/sheet")]
        member = rng.choice(sheets * 3 + names)
        mutation = rng.choice(XML_MUTATIONS)
        rezip(template, out / f"x{k:04d}.xlsx", change={member: lambda x, m=mutation: m(x, rng)})


def _byte_mutants(src: Path, out: Path, n: int, rng: random.Random, suffix: str) -> None:
    data = src.read_bytes()
    for k in range(n):
        (out / f"{suffix}{k:04d}.{suffix}").write_bytes(_flip(data, rng, rng.choice([1, 2, 6, 30])))


def _ods_mutants(src: Path, out: Path, n: int, rng: random.Random) -> None:
    for k in range(n):
        mutation = rng.choice(XML_MUTATIONS[:2] + [lambda x, r: x.replace(b'number-rows-repeated="',
                                                                           b'number-rows-repeated="99', r.randint(1, 3))])
        rezip(src, out / f"o{k:04d}.ods", change={rng.choice(["content.xml", "content.xml", "meta.xml"]):
                                                  lambda x, m=mutation: m(x, rng)})


def _fuzz_batch(folder: Path, timeout: float) -> dict:
    doc = check_json(folder, timeout=timeout)
    assert doc["summary"]["files"] == len(list(folder.iterdir()))
    return doc["summary"]


def test_fuzz_workbooks(template, saved, tmp_path):
    """A few hundred mutants of xlsx, xls and ods in one batch each: every one reported, exit 0 or 1,
    strict JSON, under 1 GB and the timeout. GKXL_FUZZ_N=3000 for a long run."""
    rng = random.Random(20250613)
    n = FUZZ_N or 120
    outcomes = {}
    for kind, build in (("xlsx", lambda d: _xlsx_mutants(template, d, n, rng)),
                        ("xls", lambda d: _byte_mutants(saved["xls"], d, n // 2, rng, "xls")),
                        ("ods", lambda d: _ods_mutants(saved["ods"], d, n // 2, rng))):
        folder = tmp_path / kind
        folder.mkdir()
        build(folder)
        outcomes[kind] = _fuzz_batch(folder, timeout=60 + n)
    print("fuzz outcomes:", outcomes)
    merged = gkxl("merge", tmp_path / "xlsx", tmp_path / "ods", "-o", tmp_path / "汇总.xlsx", "--year", "2025",
                  "--unit", "某市", timeout=60 + n)
    assert merged.returncode in (0, 1)


TEXT_MUTATIONS = [
    lambda t, rng: t[: rng.randrange(len(t))],
    lambda t, rng: "".join(ch if rng.random() > 0.02 else rng.choice(["\x00", "\t", "\u200b", "9" * 30, "\n# ", "<script>"])
                           for ch in t),
    lambda t, rng: t.replace("\n", "\t" * rng.randint(1, 300), rng.randint(1, 5)),
    lambda t, rng: re.sub(r"\d+", lambda m: rng.choice(["NaN", "1e309", "9" * 400, "-0", m.group(0)]), t),
    lambda t, rng: "<table>" + "<tr>" + '<td rowspan="100" colspan="100">1</td>' * 50 + "</tr></table>" + t,
]


def test_fuzz_report_texts(tmp_path):
    root = Path(__file__).resolve().parent.parent
    source = next((root / "samples").glob("*.txt")).read_text(encoding="utf-8")
    rng = random.Random(613)
    n = FUZZ_N // 10 or 24
    codes = []
    for k in range(n):
        text = rng.choice(TEXT_MUTATIONS)(source, rng)
        src = tmp_path / f"t{k:03d}.{rng.choice(['txt', 'html'])}"
        src.write_text(text, encoding="utf-8", errors="surrogatepass")
        r = gkxl("parse", src, "-o", tmp_path / f"t{k:03d}.json", timeout=60)
        codes.append(r.returncode)
        out = tmp_path / f"t{k:03d}.json"
        assert r.returncode in (0, 1) and "Traceback" not in r.stderr, r.stderr
        assert out.exists() or (r.returncode == 1 and r.stderr.strip()), r.stderr     # refused: said why
        if out.exists():
            json.loads(out.read_text(encoding="utf-8"), parse_constant=_not_json)
    print("parse outcomes:", {c: codes.count(c) for c in set(codes)})


# --- wrong verdicts and lost reports: the year, and merge counting nothing twice ----------------------

def _spec():
    from gkxl.form import spec as specmod
    return specmod.load(specmod.DEFAULT_SPEC)


def _return(path: Path, unit: str, seed: int = 1, year=2025, role="template") -> Path:
    from conftest import consistent_values

    from gkxl.form.model import Report
    from gkxl.io.write import write_workbook
    spec = _spec()
    values = consistent_values(spec, random.Random(seed))
    values["info.contact"] = "张三"
    write_workbook(path, spec, Report(spec.id, spec.version, unit=unit, unit_code=None, year=year, values=values),
                   role=role)
    return path


def _json_return(path: Path, unit: str, source: dict, seed: int = 1, year=2025.0) -> Path:
    from conftest import consistent_values

    from gkxl.form.model import Report
    spec = _spec()
    values = consistent_values(spec, random.Random(seed))
    values["info.contact"] = "张三"
    doc = Report(spec.id, spec.version, unit=unit, year=year, values=values).to_dict()
    doc["source"] = source
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _year_cell(template: Path, dst: Path, cell: bytes) -> Path:
    def put(xml: bytes) -> bytes:
        old = re.search(rb'<c r="B5"[^>]*?(/>|>.*?</c>)', xml).group(0)
        return xml.replace(old, cell)
    return rezip(template, dst, change={sheet_member(template, "基本信息"): put})


def test_blank_or_error_year_is_not_quoted_as_read_and_a_json_year_with_point_zero_counts(template, tmp_path):
    blank = _year_cell(template, tmp_path / "空白.xlsx", b'<c r="B5" s="6"/>')
    div0 = _year_cell(template, tmp_path / "除零.xlsx", b'<c r="B5" s="6" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    doc = check_json(blank, div0)
    for name in (blank.name, div0.name):
        [f] = [f for f in only_result(doc, name)["findings"] if f["rule"] == "ID-year"]
        assert f["message"] == "报告年度未填写或不是四位数字年份，读到“（空白）”" and f["cell"] == "B5", f
    json_return = _json_return(tmp_path / "乙.json", "乙单位", {})
    assert only_result(check_json(json_return), json_return.name)["status"] == "ok"
    m = gkxl("merge", blank, json_return, "-o", tmp_path / "汇总.xlsx", "--year", "2025", "--unit", "某市",
             "--include-invalid")
    assert m.returncode == 1
    assert f"未计入：{blank}（某单位）—— 报告年度未填写或不是四位数字年份（读到“（空白）”），未计入" in m.stderr
    assert "不是 2025 年度" not in m.stderr and "乙单位" not in m.stderr      # 2025.0 is 2025: included
    assert "计入 1 个单位" in m.stdout


def _meta_units(path: Path) -> list:
    import python_calamine as pc
    rows = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("_gkxl").to_python()
    return json.loads(dict((r[0], r[1]) for r in rows if len(r) > 1)["units"])


def test_a_summary_with_its_own_units_returns_is_left_out_and_names_them(tmp_path):
    county = tmp_path / "甲县"
    county.mkdir()
    a = _return(county / "a.xlsx", "甲县司法局", 1)
    b = _return(county / "b.xlsx", "甲县民政局", 2)
    summary = tmp_path / "甲县汇总.xlsx"
    first = gkxl("merge", county, "-o", summary, "--year", "2025", "--unit", "甲县政务公开办")
    assert first.returncode == 0, first.stderr
    assert _meta_units(summary) == ["甲县司法局", "甲县民政局"]
    # the city merges the county's summary, one of its returns (sealed, a zero-width space) and its own unit
    sealed = _return(tmp_path / "a_盖章.xlsx", "甲县\u200b司法局（盖章）", 1)
    c = _return(tmp_path / "c.xlsx", "乙县司法局", 3)
    m = gkxl("merge", summary, sealed, c, "-o", tmp_path / "市.xlsx", "--year", "2025", "--unit", "某市政务公开办")
    assert m.returncode == 1
    assert (f"未计入：{summary}（甲县政务公开办）—— 这是汇总表，其中已包含甲县司法局，这些单位的报表（或包含它们的另一张"
            "汇总表）也在本次汇总中；为免重复计算，本汇总表未计入") in m.stderr
    assert "共 3 个输入文件：计入 2，未计入 1" in m.stderr
    # two summaries covering the same unit: neither counts
    again = tmp_path / "甲县汇总_再报.xlsx"
    gkxl("merge", a, "-o", again, "--year", "2025", "--unit", "甲县政务公开办（二）")
    m = gkxl("merge", summary, again, "-o", tmp_path / "市2.xlsx", "--year", "2025", "--unit", "某市政务公开办")
    assert m.returncode == 1 and "共 2 个输入文件：计入 0，未计入 2" in m.stderr
    assert b.exists()


def test_same_unit_however_typed_counts_once_and_unlisted_units_are_left_out_on_screen(tmp_path):
    old = _return(tmp_path / "old.xlsx", "某单位", 1)
    os.utime(old, (1e9, 1e9))
    new = _return(tmp_path / "new.xlsx", "某\u200b单位 (盖章)", 2)
    stray = _return(tmp_path / "stray.xlsx", "名单外单位", 3)
    units = tmp_path / "名单.csv"
    units.write_text("单位名称\n某单位\n", encoding="utf-8")
    m = gkxl("merge", old, new, stray, "-o", tmp_path / "汇总.xlsx", "--year", "2025", "--unit", "某市",
             "--units", units)
    assert m.returncode == 1
    assert f"已计入，但单位不在应报送单位名单中：{stray}（名单外单位），请核对是否为名单遗漏或重复计算" in m.stderr
    assert f"未计入：{old}（某单位）—— 同一单位另有较新的文件 {new}" in m.stderr
    assert "共 3 个输入文件：计入 2，未计入 1" in m.stderr


def _saved_at(src: Path, dst: Path, when: str) -> Path:
    def put(xml: bytes) -> bytes:
        return re.sub(rb"(<dcterms:modified[^>]*>)[^<]+<", rb"\g<1>" + when.encode() + b"<", xml)
    return rezip(src, dst, change={"docProps/core.xml": put})


def test_merge_survives_extreme_saved_times_and_never_trusts_a_json_saved_time(tmp_path):
    base = _return(tmp_path / "base.xlsx", "甲单位", 1)
    early = _saved_at(base, tmp_path / "early.xlsx", "0001-01-01T00:00:00")
    late = _saved_at(_return(tmp_path / "b.xlsx", "乙单位", 2), tmp_path / "late.xlsx", "9999-12-31T23:59:59Z")
    honest = _saved_at(_return(tmp_path / "c.xlsx", "丙单位", 3), tmp_path / "丙.xlsx", "2020-01-01T00:00:00Z")
    boast = _json_return(tmp_path / "丙.json", "丙单位", {"saved_at": "2099-01-01T00:00:00Z", "metadata": [1, 2]}, 4)
    os.utime(boast, (1e9, 1e9))       # the file itself is from 2001
    r = subprocess.run([sys.executable, "-m", "gkxl.cli", "merge", early, late, honest, boast, "-o",
                        tmp_path / "汇总.xlsx", "--year", "2025", "--unit", "某市"],
                       capture_output=True, text=True, timeout=60, env={**os.environ, "TZ": "Asia/Shanghai"})
    assert "Traceback" not in r.stderr and r.returncode == 1, r.stderr
    assert f"未计入：{boast}（丙单位）—— 同一单位另有较新的文件 {honest}" in r.stderr
    assert "共 4 个输入文件：计入 3，未计入 1" in r.stderr


# --- nothing lost: no output over an input, a --previous file or another output of the run -----------

def _digests(folder: Path) -> dict:
    import hashlib
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_annotated_copies_and_the_report_never_replace_inputs_or_each_other(template, tmp_path):
    d = tmp_path / "报送"
    d.mkdir()
    _year_cell(template, d / "X.xlsx", b'<c r="B5" s="6"/>')
    (d / "X_校验标注.xlsx").write_bytes(template.read_bytes())         # a unit's file that happens to be named so
    before = _digests(d)
    r = gkxl("check", d, "--annotate", d, "-o", d / "X_校验标注_2.xlsx")
    assert r.returncode == 1
    assert f"已写入标注副本 {d / 'X_校验标注_3.xlsx'}" in r.stderr           # not over the input, nor over -o
    assert {k: v for k, v in _digests(d).items() if k in before} == before
    assert "合计 2 个文件" in (d / "X_校验标注_2.xlsx").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["check-previous", "check-hardlink", "merge", "export", "render", "parse"])
def test_every_output_that_is_an_input_is_refused(template, tmp_path, command):
    last = tmp_path / "上年"
    last.mkdir()
    previous = last / "上年.xlsx"
    previous.write_bytes(template.read_bytes())
    text = tmp_path / "年报.txt"
    text.write_text("某单位2025年政府信息公开工作年度报告\n", encoding="utf-8")
    link = tmp_path / "另一个名字.xlsx"
    os.link(template, link)
    target, args = {
        "check-previous": (previous, ["check", template, "--previous", last, "-o", previous]),
        "check-hardlink": (template, ["check", template, "-o", link]),
        "merge": (template, ["merge", template, "-o", link, "--year", "2025", "--unit", "某市"]),
        "export": (template, ["export", template, "--to", "csv", "-o", template]),
        "render": (template, ["render", template, "--to", "md", "-o", template]),
        "parse": (text, ["parse", text, "-o", tmp_path / "年报.json"]),
    }[command]
    os.link(text, tmp_path / "年报.json")             # the same file under a name parse may write
    before = target.read_bytes()
    r = gkxl(*args)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert re.search(r"输出文件 .* 也是输入文件之一，拒绝覆盖", r.stderr), r.stderr
    assert target.read_bytes() == before


# --- file names unzip leaves from a Chinese-Windows zip (GBK bytes) -----------------------------------

def test_gbk_file_names_never_crash_and_are_shown_with_the_bytes_replaced(template, tmp_path):
    if sys.platform != "linux":
        pytest.skip("undecodable file names are a Linux/Unix matter")
    d = tmp_path / "报送"
    d.mkdir()
    gbk = os.fsdecode(os.fsencode(d) + b"/" + "卫滨区".encode("gbk") + b".xlsx")
    _year_cell(template, Path(gbk), b'<c r="B5" s="6"/>')
    env = {k: v for k, v in os.environ.items() if k != "PYTHONIOENCODING"} | {"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    shown = f"{d}/{chr(0xFFFD) * 6}.xlsx"      # each undecodable byte replaced

    def run(*args, code=1):
        r = subprocess.run([sys.executable, "-m", "gkxl.cli", *map(str, args)], capture_output=True, timeout=60, env=env)
        out, err = r.stdout.decode("utf-8"), r.stderr.decode("utf-8")     # strict: the output is UTF-8
        assert "Traceback" not in err and "内部出错" not in err and r.returncode == code, err
        return out, err
    out, _ = run("check", d)
    assert f"{shown}：某单位，未填 年度 —— 有错误" in out
    run("check", d, "--format", "json", "-o", tmp_path / "r.json")
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"), parse_constant=_not_json)
    assert [f["path"] for f in doc["files"]] == [shown]
    _, err = run("merge", d, "-o", tmp_path / "汇总.xlsx", "--year", "2025", "--unit", "某市")
    assert f"未计入：{shown}（某单位）" in err
    run("export", d, "--to", "csv", "-o", tmp_path / "e.csv", code=0)      # export lists, it does not judge
    assert shown in (tmp_path / "e.csv").read_text(encoding="utf-8-sig")


# --- injection and control characters: text from a return is only ever text ---------------------------

HYPERLINK = '=HYPERLINK("http://example.com","点我")'


def test_texts_with_control_characters_markup_and_formulas_stay_inert_text(tmp_path):
    import docx
    import openpyxl
    path = _json_return(tmp_path / "文字.json", HYPERLINK, {})
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["values"]["text.overview"] = "全年\x07受理\x00申请"
    doc["values"]["text.other"] = "# 标题\n<script>alert(1)</script>\n1. 一项"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    r = gkxl("render", path, "--to", "docx", "-o", tmp_path / "报告.docx")
    assert r.returncode == 0, r.stderr
    paragraphs = [p.text for p in docx.Document(str(tmp_path / "报告.docx")).paragraphs]
    assert "全年受理申请" in paragraphs
    r = gkxl("render", path, "--to", "md", "-o", tmp_path / "报告.md")
    assert r.returncode == 0, r.stderr
    md = (tmp_path / "报告.md").read_text(encoding="utf-8")
    assert "\n\\# 标题\n" in md and "\n&lt;script&gt;alert(1)&lt;/script&gt;\n" in md and "\n1\\. 一项\n" in md
    assert "<script>" not in md and "\x07" not in md
    r = gkxl("check", path, "--year", "2024", "--annotate", tmp_path / "退回")
    assert r.returncode == 1
    [copy] = (tmp_path / "退回").iterdir()
    a1 = openpyxl.load_workbook(copy)["校验结果"]["A1"]
    assert a1.data_type == "s" and a1.value.startswith("'" + HYPERLINK), a1.value


# --- kill -9 leftovers ---------------------------------------------------------------------------------

def test_temporary_files_a_killed_run_left_are_cleaned_by_the_next_write_there(tmp_path):
    stale, fresh, other = tmp_path / ".~gkxl-k9x2.xlsx", tmp_path / ".~gkxl-now1.xlsx", tmp_path / ".~其他.xlsx"
    for p in (stale, fresh, other):
        p.write_bytes(b"PK half")
    old = time.time() - 120
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    r = gkxl("template", "--year", "2025", "-o", tmp_path / "模板.xlsx")
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([fresh.name, other.name, "模板.xlsx"])


# --- lazy vetting: a worksheet is measured when it is read, never skipped when read ----------------------

def test_lazily_vetted_sheet_is_measured_before_it_is_read(template, tmp_path):
    from gkxl.io.source import open_source
    from gkxl.text.errors import GkxlError
    bad = rezip(template, tmp_path / "远处.xlsx",
                change={sheet_member(template): lambda x: _far(x, b'<c r="XFD1048576"><v>1</v></c>')})
    src = open_source(bad, lazy=True)              # the far cell's sheet is not inflated yet
    src.vet_sheet("基本信息")
    with pytest.raises(GkxlError) as e:
        src.vet_sheet("表三")
    assert e.value.message.code == "src.huge_sheet"
    with pytest.raises(GkxlError):
        open_source(bad)                           # at once, for readers of every part (openpyxl)


def test_sheet_behind_an_unusual_target_is_measured_at_once(template, tmp_path):
    from gkxl.io.source import open_source
    from gkxl.text.errors import GkxlError
    name = sheet_member(template)
    rel = name.removeprefix("xl/").encode()
    bad = rezip(template, tmp_path / "点路径.xlsx", change={
        name: lambda x: _far(x, b'<c r="XFD1048576"><v>1</v></c>'),
        "xl/_rels/workbook.xml.rels": lambda x: x.replace(b'"' + rel + b'"', b'"./' + rel + b'"')})
    with pytest.raises(GkxlError) as e:
        open_source(bad, lazy=True)
    assert e.value.message.code == "src.huge_sheet"
    r = only_result(check_json(bad, template), bad.name)
    assert r["status"] == "unreadable" and "范围过大" in r["error"], r
