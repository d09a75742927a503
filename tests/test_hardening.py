"""Hostile and broken files cost one file, never the batch, never gigabytes, never a wrong 通过 (issue 13).

Every file is built here from a generated template, the mutation written in the test. Commands run as a
clerk runs them, under an address-space limit of 1 GB (RLIMIT_AS) and a timeout: a file that made the
reader allocate or loop without bound fails the test instead of taking the machine.
"""
from __future__ import annotations

import faulthandler
import json
import os
import random
import re
import signal
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from test_bad_inputs import SOFFICE, make_template, rezip, sheet_member, soffice

from gkxl.batch.parallel import map_ordered

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
