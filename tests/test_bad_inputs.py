"""Bad input, for real: every bad file is built at test time from a real template and then damaged.

Requirement: not a spreadsheet, a truncated or corrupt zip, a zip bomb, XML entity attacks, a
password-encrypted file, a macro workbook, an empty file, a huge sheet, an unreadable path: each gets one
clear line and status "unreadable", never a traceback. Exit 0 when every file is ok, 1 when any is invalid
or unreadable, 2 for wrong usage; a batch goes on past any bad file. The kind is told by content, not by
name; a return saved again by LibreOffice (.xlsx, .xls, .ods; .et is a renamed .xls) is still recognised.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from gkxl.actions.check import check_path
from gkxl.form import spec as specmod
from gkxl.form.model import Report
from gkxl.io.write import write_workbook

UNIT, YEAR = "某单位", 2025
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
SOFFICE = shutil.which("soffice")


# --- building files ------------------------------------------------------------------------------

def make_template(path: Path, **values) -> Path:
    spec = specmod.load(specmod.DEFAULT_SPEC)
    report = Report.blank(spec, unit=UNIT, year=YEAR)
    report.values.update(values)
    write_workbook(path, spec, report)
    return path


def rezip(src: Path, dst: Path, change=None, add=None, stored=()) -> Path:
    """Copy a zip member by member; `change` maps a member name to a function of its bytes."""
    with zipfile.ZipFile(src) as zin:
        members = [(i.filename, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members:
            if change and name in change:
                data = change[name](data)
            out.writestr(name, data, compress_type=zipfile.ZIP_STORED if name in stored or name == "mimetype"
                         else zipfile.ZIP_DEFLATED)
        for name, data in (add or {}).items():
            out.writestr(name, data)
    return dst


def member_data_offset(data: bytes, name: str) -> int:
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    o = info.header_offset
    name_len, extra_len = struct.unpack_from("<HH", data, o + 26)
    return o + 30 + name_len + extra_len


def patch_member_header(data: bytes, name: str, *, crc=None, file_size=None) -> bytes:
    """Rewrite what a member declares, in its local header and in the central directory."""
    b = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    local, raw = info.header_offset, name.encode()
    central = b.find(b"PK\x01\x02" + b[local + 4:local + 4], 0)
    while central >= 0 and b[central + 46:central + 46 + len(raw)] != raw:
        central = b.find(b"PK\x01\x02", central + 1)
    assert central > 0
    for at, field in ((local + 14, crc), (central + 16, crc), (local + 22, file_size), (central + 24, file_size)):
        if field is not None:
            struct.pack_into("<I", b, at, field)
    return bytes(b)


def billion_laughs() -> bytes:
    ents = [b'<!ENTITY lol "lol">'] + [b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                                       for i in range(1, 10)]
    return b"<!DOCTYPE lolz [" + b"".join(ents) + b"]>"


def with_doctype(padding: bytes = b""):
    def change(xml: bytes) -> bytes:
        end = xml.index(b"?>") + 2
        return xml[:end] + padding + billion_laughs() + xml[end:].replace(b"<t>", b"<t>&lol9;", 1)
    return change


def far_cell(xml: bytes, ref: bytes = b"XFD1048576", attrs: bytes = b"", q: bytes = b'"') -> bytes:
    row = re.match(rb"[A-Z]+([0-9]+)", ref).group(1)
    return xml.replace(b"</sheetData>", b"<row r=%s%s%s><c %sr=%s%s%s><v>1</v></c></row></sheetData>"
                       % (q, row, q, attrs, q, ref, q), 1)


def sheet_member(xlsx: Path, sheet_name: str = "表三") -> str:
    """The zip member of a sheet, found through workbook.xml and its relationships (not guessed)."""
    with zipfile.ZipFile(xlsx) as z:
        wb, rels = z.read("xl/workbook.xml").decode(), z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(r'<sheet name="%s" sheetId="\d+" r:id="(rId\d+)"' % sheet_name, wb).group(1)
    target = re.search(r'Id="%s"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="%s"' % (rid, rid), rels)
    target = target.group(1) or target.group(2)
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def rename_ole_entry(data: bytes, old: str, new: str) -> bytes:
    """Rename a stream in an OLE (compound file) directory: 64 bytes of UTF-16 name, then its byte length."""
    b = bytearray(data)
    at = b.find(old.encode("utf-16-le") + b"\0\0")
    assert at >= 0 and len(new) < 32
    b[at:at + 64] = new.encode("utf-16-le").ljust(64, b"\0")
    struct.pack_into("<H", b, at + 64, (len(new) + 1) * 2)
    return bytes(b)


def soffice(src: Path, fmt: str, outdir: Path, profile: Path) -> Path:
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", fmt, "--outdir", str(outdir), str(src)],
                   check=True, capture_output=True, timeout=180)
    out = outdir / (src.stem + "." + fmt.split(":")[0])
    assert out.exists(), f"LibreOffice did not write {out}"
    return out


# --- running the command --------------------------------------------------------------------------

def _limits():  # a regression must fail the test, not take the machine's memory
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


def gkxl(*args, prefix=(), cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-m", "gkxl.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=120, cwd=cwd,
                          preexec_fn=_limits if os.name == "posix" else None)


def json_check(*args, lang="zh") -> tuple[int, dict]:
    r = gkxl("--lang", lang, "check", "--format", "json", *args)
    assert "Traceback" not in r.stdout + r.stderr
    return r.returncode, json.loads(r.stdout)


# --- the bad files --------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def good(tmp_path_factory) -> Path:
    return make_template(tmp_path_factory.mktemp("good") / "good.xlsx")


def _truncated(good, d):
    p = d / "截断.xlsx"
    p.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    return p


def _truncated_tail(good, d):   # the central directory is cut: the zip cannot even be listed
    p = d / "截断尾部.xlsx"
    p.write_bytes(good.read_bytes()[:-40])
    return p


def _corrupt_member(member, at=40):
    """One byte flipped inside a member's compressed data (`at` past the start: deep in the member)."""
    def build(good, d):
        data = bytearray(good.read_bytes())
        data[member_data_offset(bytes(data), member) + at] ^= 0xFF
        p = d / f"损坏_{member.replace('/', '_')}.xlsx"
        p.write_bytes(bytes(data))
        return p
    return build


def _lying_size(good, d):
    """A member declares fewer bytes than it inflates to, with a CRC that matches the declared part."""
    name = sheet_member(good)
    real = zipfile.ZipFile(good).read(name)
    data = patch_member_header(rezip(good, d / "tmp.xlsx").read_bytes(), name, crc=zlib.crc32(real[:1500]),
                               file_size=1500)
    p = d / "声明大小不实.xlsx"
    p.write_bytes(data)
    return p


def _bomb_real(good, d):
    p = rezip(good, d / "炸弹.xlsx")
    with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED) as z, z.open("xl/media/image1.png", "w", force_zip64=True) as f:
        for _ in range(120):                       # 120 MB of zeros: ~120 KB on disk
            f.write(bytes(1 << 20))
    assert p.stat().st_size < 1 << 20
    return p


def _bomb_ratio(good, d):
    """Under every size limit but inflating 1000 times: a real sheet padded with 20 MB of blanks."""
    name = sheet_member(good)
    pad = lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + b" " * (20 << 20), 1)
    return rezip(good, d / "高压缩比.xlsx", change={name: pad})


def _bomb_declared(good, d):
    """Declares 4 GB in its headers; nothing must be inflated to find out."""
    name = sheet_member(good)
    p = d / "声明4GB.xlsx"
    p.write_bytes(patch_member_header(good.read_bytes(), name, file_size=0xFFFF0000))
    return p


def _many_members(good, d):
    return rezip(good, d / "一万个文件.xlsx", add={f"xl/media/x{i}.bin": b"" for i in range(10001)})


def _entities(member_of, padding=b""):
    def build(good, d):
        member = member_of(good)
        return rezip(good, d / f"实体_{member.replace('/', '_')}_{len(padding)}.xlsx",
                     change={member: with_doctype(padding)})
    return build


def _macro_xlsm(good, d):
    with zipfile.ZipFile(good) as z:
        types = z.read("[Content_Types].xml")
    vba_types = types.replace(b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml").replace(
        b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    rels = lambda x: x.replace(b"</Relationships>", b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/'
                               b'office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "_VBA_PROJECT".encode("utf-16-le")
    return rezip(good, d / "宏.xlsm", change={"[Content_Types].xml": lambda _: vba_types,
                                              "xl/_rels/workbook.xml.rels": rels},
                 add={"xl/vbaProject.bin": ole})


def _huge(ref=b"XFD1048576", attrs=b"", q=b'"', label="huge"):
    def build(good, d):
        name = sheet_member(good)
        return rezip(good, d / f"超大_{label}.xlsx", change={name: lambda x: far_cell(x, ref, attrs, q)})
    return build


def _huge_rows_without_r(good, d):
    """Cells and rows without an r attribute: the reader counts them one by one, and so must the check."""
    name = sheet_member(good)
    rows = b"<row><c><v>1</v></c></row>" * 6000
    return rezip(good, d / "超大_无行号.xlsx", change={name: lambda x: x.replace(b"</sheetData>", rows + b"</sheetData>", 1)})


def _encrypted_ooxml(good, d):
    crypto = pytest.importorskip("msoffcrypto.format.ooxml", reason="msoffcrypto-tool not installed")
    p = d / "加密.xlsx"
    with open(good, "rb") as f, open(p, "wb") as out:
        crypto.OOXMLFile(f).encrypt("secret", out)
    assert p.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"   # an OLE file holding an EncryptedPackage
    return p


def _zip_encrypted_member(good, d):
    """A zip whose members carry the 'encrypted' flag (what `zip -e` or 7-Zip with a password make)."""
    data = bytearray(good.read_bytes())
    zf = zipfile.ZipFile(io.BytesIO(bytes(data)))
    for info in zf.infolist():
        data[info.header_offset + 6] |= 1
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) >= 0:
        data[pos + 8] |= 1
        pos += 4
    p = d / "压缩包密码.xlsx"
    p.write_bytes(bytes(data))
    return p


def _write(name, content: bytes):
    def build(good, d):
        p = d / name
        p.write_bytes(content)
        return p
    return build


def _docx(good, d):
    docx = pytest.importorskip("docx", reason="python-docx not installed")
    document = docx.Document()
    document.add_paragraph("某单位2025年政府信息公开工作年度报告")
    p = d / "其实是Word.xlsx"
    document.save(p)
    return p


def _odt_as_ods(good, d):
    """An OpenDocument text (mimetype says text) named .ods."""
    p = d / "其实是文档.ods"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", '<?xml version="1.0"?><office:document-content xmlns:office='
                                  '"urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
    return p


def _plain_zip(good, d):
    p = d / "压缩包.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("报表/说明.txt", "见附件")
    return p


PNG = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
PNG += struct.pack(">I", zlib.crc32(PNG[12:29])) + b"\0\0\0\0IEND\xaeB`\x82"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

# name -> (builder, Chinese key phrase, English key phrase)
BAD = {
    "empty": (_write("空文件.xlsx", b""), "文件是空的", "empty"),
    "text": (_write("文本.xlsx", "单位名称,年度\n某单位,2025\n".encode("gbk")), "不是电子表格", "not a spreadsheet"),
    "png": (_write("截图.xlsx", PNG), "不是电子表格", "not a spreadsheet"),
    "pdf": (_write("扫描件.xls", PDF), "需要 OCR", "OCR needed"),         # a PDF is read as a report: no text in it
    "html": (_write("网页导出.xls", b"<html><table><tr><td>1</td></tr></table></html>"), "不是电子表格",
             "not a spreadsheet"),
    "docx": (_docx, "没有找到年度报告的统计表", "not a spreadsheet"),      # a Word report without tables
    "odt": (_odt_as_ods, "不是电子表格", "not a spreadsheet"),
    "plain_zip": (_plain_zip, "不是电子表格", "not a spreadsheet"),
    "truncated": (_truncated, "损坏", "corrupt"),
    "truncated_tail": (_truncated_tail, "损坏", "corrupt"),
    "corrupt_sheet": (_corrupt_member("xl/worksheets/sheet4.xml"), "损坏", "corrupt"),
    "corrupt_strings": (_corrupt_member("xl/sharedStrings.xml"), "损坏", "corrupt"),
    "corrupt_theme": (_corrupt_member("xl/theme/theme1.xml", at=500), "损坏", "corrupt"),   # a part nobody reads
    "lying_size": (_lying_size, "损坏", "corrupt"),
    "bomb_real": (_bomb_real, "解压后过大", "inflates too much"),
    "bomb_ratio": (_bomb_ratio, "解压后过大", "inflates too much"),
    "bomb_declared": (_bomb_declared, "解压后过大", "inflates too much"),
    "many_members": (_many_members, "解压后过大", "inflates too much"),
    "entities_strings": (_entities(lambda g: "xl/sharedStrings.xml"), "XML 实体", "XML entities"),
    "entities_sheet": (_entities(sheet_member), "XML 实体", "XML entities"),
    "entities_late": (_entities(lambda g: "xl/sharedStrings.xml", b"<!--" + b" " * 5000 + b"-->"), "XML 实体",
                      "XML entities"),
    "macro_xlsm": (_macro_xlsm, "宏", "macros"),
    "huge": (_huge(), "工作表范围过大", "far too large"),
    "huge_attr_order": (_huge(attrs=b's="0" ', label="attr"), "工作表范围过大", "far too large"),
    "huge_single_quotes": (_huge(q=b"'", label="quote"), "工作表范围过大", "far too large"),
    "huge_wide": (_huge(ref=b"ZZ10", label="wide"), "工作表范围过大", "far too large"),
    "huge_no_r": (_huge_rows_without_r, "工作表范围过大", "far too large"),
    "encrypted_ooxml": (_encrypted_ooxml, "密码", "password"),
    "encrypted_zip_flag": (_zip_encrypted_member, "密码", "password"),
}


@pytest.fixture(scope="session")
def bad_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bad")


@pytest.fixture(scope="session")
def bad_files(good, bad_dir) -> dict:
    """Built once; a case whose tool is missing is left out here (and skipped in its own test)."""
    out = {}
    for name, (build, _, _) in BAD.items():
        try:
            out[name] = build(good, bad_dir)
        except pytest.skip.Exception:
            pass
    return out


def _assert_unreadable(path: Path, zh_phrase: str, en_phrase: str):
    r = check_path(path)
    assert r.status == "unreadable", (path.name, r.status, r.findings[:2])
    zh, en = r.error.zh, r.error.en
    assert "\n" not in zh and "\n" not in en and len(zh) < 200
    assert zh_phrase in zh, zh
    assert en_phrase in en, en
    assert not CJK.search(en), f"English message has Chinese in it: {en}"
    assert r.report is None and r.findings == []


@pytest.mark.parametrize("case", list(BAD))
def test_bad_file_is_unreadable_with_one_clear_line(case, good, bad_dir):
    build, zh_phrase, en_phrase = BAD[case]
    path = build(good, bad_dir)
    if not case.startswith("huge"):           # the huge ones only in a child process with a memory limit
        _assert_unreadable(path, zh_phrase, en_phrase)

    r = gkxl("check", path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    lines = [ln for ln in r.stdout.splitlines() if path.name in ln]
    assert len(lines) == 1 and "无法读取" in lines[0] and zh_phrase in lines[0], r.stdout
    assert "无法读取 1" in r.stdout

    r = gkxl("--lang", "en", "check", path)
    assert r.returncode == 1 and "Traceback" not in r.stdout + r.stderr
    lines = [ln for ln in r.stdout.splitlines() if path.name in ln]
    assert len(lines) == 1 and "unreadable" in lines[0] and en_phrase in lines[0], r.stdout
    assert not CJK.search(lines[0].replace(path.name, "")), lines[0]


def test_declared_sizes_are_checked_before_inflating(good, tmp_path):
    """A 4 GB declaration is refused at once: the check does not inflate to find out."""
    import time
    path = _bomb_declared(good, tmp_path)
    t = time.perf_counter()
    assert check_path(path).status == "unreadable"
    assert time.perf_counter() - t < 2


def test_entities_never_expanded(good, tmp_path):
    """Where a DOCTYPE hides past the first kilobytes, it is still found (no expansion, no pass)."""
    path = _entities(lambda g: "xl/sharedStrings.xml", b"\n" * 3000)(good, tmp_path)
    r = check_path(path)
    assert r.status == "unreadable" and "xl/sharedStrings.xml" in r.error.zh


def test_styled_empty_cell_far_away_is_not_a_huge_sheet(good, tmp_path):
    """Formatting alone far away (borders on a big selection) is no content: the reader skips it, and so do we."""
    name = sheet_member(good)
    path = rezip(good, tmp_path / "远处格式.xlsx", change={
        name: lambda x: x.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="1"/></row></sheetData>', 1)})
    r = check_path(path)
    assert r.status == "ok", r.error


def test_within_limits_a_far_value_is_read(good, tmp_path):
    """A stray value just inside the limits is read, not refused: the limit is not 'anything past the table'."""
    name = sheet_member(good)
    path = rezip(good, tmp_path / "近处.xlsx", change={name: lambda x: far_cell(x, b"Z300")})
    assert check_path(path).status == "ok"


# --- paths that cannot be read --------------------------------------------------------------------

def test_missing_path(tmp_path):
    r = check_path(tmp_path / "不存在.xlsx")
    assert r.status == "unreadable" and "不存在" in r.error.zh and "no such file" in r.error.en
    run = gkxl("check", tmp_path / "不存在.xlsx")
    assert run.returncode == 1 and "Traceback" not in run.stdout + run.stderr and "无法读取" in run.stdout


def test_directory_given_as_a_file(tmp_path):
    d = tmp_path / "报表.xlsx"
    d.mkdir()
    r = check_path(d)
    assert r.status == "unreadable" and "文件夹" in r.error.zh and "folder" in r.error.en


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_named_pipe_does_not_hang(tmp_path):
    pipe = tmp_path / "管道.xlsx"
    os.mkfifo(pipe)
    r = gkxl("check", pipe)                  # reading a pipe would wait for ever: the timeout would fail this
    assert r.returncode == 1 and "不是电子表格" in r.stdout


def test_name_too_long(tmp_path):
    r = check_path(tmp_path / ("长" * 200 + ".xlsx"))
    assert r.status == "unreadable" and "\n" not in r.error.zh


def test_no_read_permission(good, tmp_path):
    p = tmp_path / "无权限.xlsx"
    shutil.copy(good, p)
    p.chmod(0)
    prefix = ()
    if os.access(p, os.R_OK):      # root reads anything: drop the capability in the child, if we can
        if not shutil.which("setpriv"):
            pytest.skip("running as root and setpriv is missing: cannot make a file unreadable")
        prefix = ("setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps", "-all")
    else:
        r = check_path(p)
        assert r.status == "unreadable" and "权限" in r.error.zh and "permission" in r.error.en
    run = gkxl("check", p, prefix=prefix)
    assert run.returncode == 1 and "Traceback" not in run.stdout + run.stderr, run.stdout + run.stderr
    assert "没有读取这个文件的权限" in run.stdout
    run = gkxl("--lang", "en", "check", p, prefix=prefix)
    assert "no permission" in run.stdout


# --- batches, exit codes, JSON --------------------------------------------------------------------

def test_batch_goes_on_past_every_bad_file(good, bad_files, tmp_path):
    """One good file among all the bad ones, as a folder and as explicit paths: every file is reported."""
    folder = tmp_path / "报送"
    folder.mkdir()
    shutil.copy(good, folder / "好.xlsx")
    for name, p in bad_files.items():
        shutil.copy(p, folder / f"{name}{p.suffix}")
    missing = tmp_path / "不存在.xlsx"
    expected = len(bad_files) + 1

    code, doc = json_check(folder)
    assert code == 1
    assert len(doc["files"]) == expected, [f["path"] for f in doc["files"]]
    assert doc["summary"] == {"files": expected, "ok": 1, "invalid": 0, "unreadable": expected - 1}
    by_name = {Path(f["path"]).name: f for f in doc["files"]}
    assert by_name["好.xlsx"]["status"] == "ok" and by_name["好.xlsx"]["unit"] == UNIT
    assert by_name["好.xlsx"]["year"] == YEAR
    for name, f in by_name.items():
        if name != "好.xlsx":
            assert f["status"] == "unreadable" and f["error"] and "\n" not in f["error"], f

    # explicit paths, the good one last, plus a missing path and a folder without workbooks
    empty_folder = tmp_path / "空文件夹"
    empty_folder.mkdir()
    paths = [*bad_files.values(), missing, empty_folder, good]
    code, doc = json_check(*paths, lang="en")
    assert code == 1
    assert doc["summary"] == {"files": expected + 1, "ok": 1, "invalid": 0, "unreadable": expected}
    assert doc["files"][-1]["status"] == "ok"
    assert all(not CJK.search(f["error"]) for f in doc["files"] if "error" in f)

    r = gkxl("check", *paths)            # human text: one line per file and the summary
    assert r.returncode == 1 and "Traceback" not in r.stdout + r.stderr
    assert f"合计 {expected + 1} 个文件：通过 1，有错误 0，无法读取 {expected}" in r.stdout
    assert len([l for l in r.stdout.strip().splitlines() if not l.startswith(" ")]) == expected + 2


def test_exit_codes(good, tmp_path):
    assert gkxl("check", good).returncode == 0
    invalid = make_template(tmp_path / "有错.xlsx", **{"t3.new.natural": 5})
    assert gkxl("check", invalid).returncode == 1
    assert gkxl("check", good, invalid).returncode == 1
    for usage in (["check", "--no-such-option", good], ["check"], ["no-such-command"], ["check", "--format", "xml", good]):
        r = gkxl(*usage)
        assert r.returncode == 2, (usage, r.stdout, r.stderr)
        assert "Traceback" not in r.stdout + r.stderr


def test_json_output(good, bad_files, tmp_path):
    invalid = make_template(tmp_path / "有错.xlsx", **{"t3.new.natural": 5})
    code, doc = json_check(good, invalid, bad_files["empty"], bad_files["truncated"])
    assert code == 1
    assert doc["summary"] == {"files": 4, "ok": 1, "invalid": 1, "unreadable": 2}
    assert [f["status"] for f in doc["files"]] == ["ok", "invalid", "unreadable", "unreadable"]
    assert doc["files"][1]["errors"] >= 1 and doc["files"][1]["findings"]
    assert doc["files"][2]["error"] == "文件是空的（0 字节）"
    code, doc = json_check(bad_files["empty"], lang="en")
    assert doc["files"][0]["error"] == "the file is empty (0 bytes)"


def test_lang_after_the_command(good):
    r = gkxl("check", good, "--lang", "en")
    assert r.returncode == 0 and "1 ok" in r.stdout


# --- the kind is told by content, not by name -----------------------------------------------------

def test_kind_by_content_not_name(good, tmp_path):
    for name in ("改名.xls", "改名.ods", "改名.et", "改名.txt", "没有扩展名"):
        p = tmp_path / name
        shutil.copy(good, p)
        r = check_path(p)
        assert r.status == "ok" and r.unit == UNIT and r.year == YEAR, (name, r.error)


def test_folder_is_searched_by_suffix(good, tmp_path):
    folder = tmp_path / "报送"
    (folder / "下级").mkdir(parents=True)
    shutil.copy(good, folder / "a.xlsx")
    shutil.copy(good, folder / "b.XLSX")
    shutil.copy(good, folder / "下级" / "c.xlsm")        # an .xlsm without macros is a good return
    (folder / "说明.txt").write_text("不是报表")
    (folder / "扫描件.pdf").write_bytes(PDF)
    shutil.copy(good, folder / "~$a.xlsx")                # Excel's lock file: skipped, said so
    code, doc = json_check(folder)
    assert code == 0, doc
    assert sorted(Path(f["path"]).name for f in doc["files"]) == ["a.xlsx", "b.XLSX", "c.xlsm"]
    # every other file is said, not silently dropped
    assert sorted(Path(s["path"]).name for s in doc.get("skipped", [])) == sorted(["~$a.xlsx", "说明.txt", "扫描件.pdf"])


# --- OLE files: encrypted, macros, not a spreadsheet (LibreOffice makes the real .xls) ---------------

libreoffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


@pytest.fixture(scope="session")
def lo(tmp_path_factory):
    base = tmp_path_factory.mktemp("lo")
    return base, base / "profile"


@pytest.fixture(scope="session")
def resaved(good, lo) -> dict:
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    base, profile = lo
    out = {fmt: soffice(good, fmt, base / fmt, profile) for fmt in ("xls", "ods", "xlsx")}
    et = base / "et" / "good.et"
    et.parent.mkdir()
    shutil.copy(out["xls"], et)
    out["et"] = et
    return out


@pytest.mark.libreoffice
@libreoffice
@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods", "et"])
def test_resaved_by_libreoffice_is_recognised(resaved, fmt):
    r = check_path(resaved[fmt])
    assert r.status == "ok", (r.error, [f.message for f in r.findings[:3]])
    assert r.unit == UNIT and r.year == YEAR
    assert r.report.values["t3.new.natural"] == 0


@pytest.mark.libreoffice
@libreoffice
@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_resaved_filled_return_keeps_its_figures(good, lo, tmp_path, fmt):
    """The figures are read from the re-saved file itself, not only its identity: an error survives."""
    src = make_template(tmp_path / "有错.xlsx", **{"t3.new.natural": 5, "t2.rules.issued": 3})
    out = soffice(src, fmt, tmp_path / fmt, lo[1])
    r = check_path(out)
    assert r.status == "invalid" and r.unit == UNIT and r.year == YEAR
    assert r.report.values["t3.new.natural"] == 5 and r.report.values["t2.rules.issued"] == 3
    found = {(f.rule, f.sheet, f.cell) for f in r.findings}
    assert found == {(f.rule, f.sheet, f.cell) for f in check_path(src).findings} and ("T3-c", "表三", None) in found
    t3c = next(f for f in r.findings if f.rule == "T3-c")          # 一 or 四 may be the wrong one: both named
    assert {"表三!D6", "表三!D30"} <= {c["cell"] for c in t3c.candidates} and t3c.expected is None


@pytest.mark.libreoffice
@libreoffice
def test_resaved_renamed_across_kinds(resaved, tmp_path):
    """An .xls named .xlsx and an .ods named .xls are read by what they are."""
    for src, name in ((resaved["xls"], "实为xls.xlsx"), (resaved["ods"], "实为ods.xls"), (resaved["xlsx"], "实为xlsx.ods")):
        p = tmp_path / name
        shutil.copy(src, p)
        r = check_path(p)
        assert r.status == "ok" and r.unit == UNIT, (name, r.error)


@pytest.mark.libreoffice
@libreoffice
def test_ole_encrypted_package_and_macros_and_other_ole(resaved, tmp_path):
    xls = resaved["xls"].read_bytes()
    cases = {
        "宏.xls": (rename_ole_entry(xls, "\x01CompObj", "_VBA_PROJECT_CUR"), "宏", "macros"),
        "其实是Word.xls": (rename_ole_entry(xls, "Workbook", "WordDocument"), "旧版 Word 文档", "old binary Word document"),
        "加密包.xls": (rename_ole_entry(xls, "Workbook", "EncryptedPackage"), "密码", "password"),
    }
    for name, (data, zh, en) in cases.items():
        p = tmp_path / name
        p.write_bytes(data)
        _assert_unreadable(p, zh, en)
        r = gkxl("check", p)
        assert r.returncode == 1 and "Traceback" not in r.stdout + r.stderr


def _lo_save_with_password(src: Path, dst: Path, filter_name: str, profile: Path):
    """LibreOffice through UNO (the python that has `uno`); --convert-to cannot set an open password."""
    py = next((p for p in ("/usr/bin/python3", "/usr/lib/libreoffice/program/python") if Path(p).exists()), None)
    if py is None or subprocess.run([py, "-c", "import uno"], capture_output=True).returncode:
        pytest.skip("no python with the LibreOffice `uno` module")
    script = Path(__file__).parent / "data" / "bad" / "lo_save_with_password.py"
    subprocess.run([py, str(script), str(src), str(dst), filter_name, "secret", str(profile)],
                   check=True, capture_output=True, timeout=180)
    if not dst.exists():
        pytest.skip("LibreOffice did not save with a password")


@pytest.mark.libreoffice
@libreoffice
@pytest.mark.parametrize("filter_name,suffix", [("MS Excel 97", ".xls"), ("calc8", ".ods")])
def test_password_encrypted_by_libreoffice(good, tmp_path, filter_name, suffix):
    p = tmp_path / f"密码{suffix}"
    _lo_save_with_password(good, p, filter_name, tmp_path / "profile")
    _assert_unreadable(p, "密码", "password")
    r = gkxl("check", p)
    assert r.returncode == 1 and "设置了打开密码" in r.stdout


# --- huge sheets in the other formats -------------------------------------------------------------

def _ods_with(ods: Path, dst: Path, extra: bytes) -> Path:
    def add(content: bytes) -> bytes:
        at = content.find('table:name="表三"'.encode())
        end = content.find(b"</table:table>", at)
        return content[:end] + extra + content[end:]
    return rezip(ods, dst, change={"content.xml": add})


ODS_CELL = b'<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'


@pytest.mark.libreoffice
@libreoffice
@pytest.mark.parametrize("label,extra", [
    ("last_row", b"<table:table-row>" + ODS_CELL + b"</table:table-row>"),
    ("repeated", b'<table:table-row table:number-rows-repeated="100000"><table:table-cell '
                 b'table:number-columns-repeated="1000" office:value-type="float" office:value="1"/></table:table-row>'),
    ("far_column", b'<table:table-row><table:table-cell table:number-columns-repeated="300"/>' + ODS_CELL
                   + b"</table:table-row>"),
])
def test_huge_ods_sheet(resaved, tmp_path, label, extra):
    """In .ods one value after LibreOffice's million repeated empty rows made the reader build 1M rows."""
    p = _ods_with(resaved["ods"], tmp_path / f"超大_{label}.ods", extra)
    r = gkxl("check", "--format", "json", p)
    assert r.returncode == 1 and "Traceback" not in r.stdout + r.stderr, r.stderr[-500:]
    f = json.loads(r.stdout)["files"][0]
    assert f["status"] == "unreadable" and "工作表范围过大" in f["error"]


@pytest.mark.libreoffice
@libreoffice
def test_ods_repeated_empty_rows_are_fine(resaved, tmp_path):
    """LibreOffice itself writes 'repeat this empty row a million times': that is no content."""
    p = _ods_with(resaved["ods"], tmp_path / "空行.ods",
                  b'<table:table-row table:number-rows-repeated="1000000"><table:table-cell/></table:table-row>')
    assert check_path(p).status == "ok"


@pytest.mark.libreoffice
@libreoffice
def test_huge_xls_sheet(good, lo, tmp_path):
    """A value at IV65536 of an .xls: the whole 65536 x 256 rectangle must not be built."""
    name = sheet_member(good)
    src = rezip(good, tmp_path / "超大.xlsx", change={name: lambda x: far_cell(x, b"IV65536")})
    xls = soffice(src, "xls", tmp_path / "xls", lo[1])
    r = gkxl("check", "--format", "json", xls)
    assert r.returncode == 1 and "Traceback" not in r.stdout + r.stderr, r.stderr[-500:]
    f = json.loads(r.stdout)["files"][0]
    assert f["status"] == "unreadable" and "工作表范围过大" in f["error"]
