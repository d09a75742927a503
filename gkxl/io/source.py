"""Open an input file safely: tell its kind by its first bytes and refuse what must not be parsed.

A return comes from a clerk's computer; it may be anything. Limits are checked on what the file
declares before anything is inflated, so a zip bomb or an XML entity attack never gets parsed.
"""
from __future__ import annotations

import io
import os
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from gkxl.io.files import os_reason
from gkxl.text.errors import GkxlError

MAX_FILE_BYTES = 30 * 1024 * 1024
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_RATIO = 300            # inflated/compressed; real workbooks stay well under 100
MAX_ROWS, MAX_COLS = 5000, 200
MAX_TOTAL_CELLS = 2_000_000     # all sheets' rectangles together (an ods builds every table at once)
MAX_STRING_BYTES = 128 * 1024 * 1024   # cells that copy a shared string × the longest shared string
MAX_ZIP_VERSION = 63           # "version needed to extract" above 6.3 is no spreadsheet application's
MAX_KEPT_BYTES = 16 * 1024 * 1024   # inflated parts kept for the reader (more: it inflates them itself)
INFLATE_STEP = 1024 * 1024

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


@dataclass
class Source:
    path: Path
    data: bytes
    file_type: str                     # xlsx | ods | xls | json
    saved_at: str | None = None   # when the application last saved it, from the file's own properties
    vetting: _Vetting | None = None   # a zip's: the parts inflated so far, the worksheets still to measure

    def vet_sheet(self, name: str) -> None:
        """Measure a worksheet before the reader builds it (opened with lazy=True; else all are measured)."""
        if self.vetting is not None:
            self.vetting.sheet(self.data, name)

    def part(self, sheet: str | None = None) -> bytes | None:
        """An xlsx part as inflated (and measured) for the reader: the worksheet `sheet`, or the workbook
        part (xl/workbook.xml) itself; None for any other kind of file or a sheet it cannot name."""
        if self.vetting is None or self.file_type != "xlsx":
            return None
        if sheet is None:
            info = next((i for i in self.vetting.infos if i.filename == "xl/workbook.xml"), None)
        else:
            self.vet_sheet(sheet)
            info = self.vetting.sheet_infos.get(sheet)
        if info is None:
            return None
        kept = self.vetting.kept.get(id(info))
        return kept if kept is not None else _inflate(self.data, info)

    def for_reader(self, read: frozenset[str] = frozenset()) -> bytes:
        """The bytes to give the reader. For a zip, the worksheets named in `read` (those the reader is
        about to read) are measured now, and the package comes back with each part inflated here stored
        as it is: the reader copies it instead of inflating it a second time. Any other sheet is
        measured by vet_sheet if it is read after all (the reader inflates that one itself)."""
        if self.vetting is None:
            return self.data
        for name in [n for n in self.vetting.deferred if n in read]:
            self.vet_sheet(name)
        return self.vetting.repacked(self.data)


def sniff(data: bytes) -> str:
    if not data:
        return "empty"
    if data.startswith(ZIP_MAGIC):
        return "zip"
    if data.startswith(OLE_MAGIC):
        return "ole"
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return "json"
    return "unknown"


def open_source(path: Path, *, lazy: bool = False, data: bytes | None = None) -> Source:
    """Read and vet a file. Raises GkxlError with a clerk-readable reason when it cannot be used.

    With `lazy`, an xlsx's worksheets are measured only when the caller asks for them by name
    (Source.vet_sheet, before reading each sheet with calamine): a sheet nobody reads is never inflated.
    Callers that read every part another way (openpyxl) open it without. `data`: the file's bytes, when
    the caller has just read them (the file is still looked at, and the bytes vetted, the same way)."""
    path = Path(path)
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            try:
                next(os.scandir(path), None)
            except OSError as e:
                raise GkxlError("src.folder_unreadable", reason=os_reason(e)) from None
            raise GkxlError("src.is_dir")
        if not stat.S_ISREG(st.st_mode):    # a pipe or a device would block or never end
            raise GkxlError("src.not_spreadsheet")
        size = st.st_size
        if size > MAX_FILE_BYTES:
            raise GkxlError("src.too_big", size=round(size / 1024 / 1024, 1))
        if data is None:
            data = path.read_bytes()
    except FileNotFoundError:
        raise GkxlError("src.missing") from None
    except IsADirectoryError:
        raise GkxlError("src.is_dir") from None
    except PermissionError:
        raise GkxlError("src.no_permission") from None
    except OSError as e:
        raise GkxlError("src.unreadable_path", reason=os_reason(e)) from None
    file_type = sniff(data)
    if file_type == "empty":
        raise GkxlError("src.empty")
    if file_type == "unknown":
        raise GkxlError("src.not_spreadsheet")
    saved = vetting = None
    if file_type == "zip":
        file_type, saved, vetting = _vet_zip(data, lazy)
    elif file_type == "ole":
        file_type, saved = _vet_ole(data)
    return Source(path, data, file_type, saved, vetting)


_SAVED_AT = {"docProps/core.xml": re.compile(rb"<dcterms:modified[^>]*>([^<]+)<"),
             "meta.xml": re.compile(rb"<dc:date>([^<]+)<")}


def oversized(info: zipfile.ZipInfo, max_member: int = MAX_MEMBER_BYTES) -> bool:
    """Whether a zip member declares more than a member may hold, or inflates like a bomb (judged on what
    the zip declares, before anything is inflated). The one policy for workbooks and Word documents."""
    return info.file_size > max_member or bool(info.compress_size and info.file_size / info.compress_size > MAX_RATIO
                                                and info.file_size > 1024 * 1024)


def _vet_zip(data: bytes, lazy: bool = False) -> tuple[str, str | None, _Vetting]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except NotImplementedError as e:    # "zip file version 8.0": a member needs a newer unpacker
        raise GkxlError("src.zip_version", version=str(e).rpartition(" ")[2]) from None
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise GkxlError("src.corrupt_zip") from None
    names = {i.filename for i in infos}
    total = sum(i.file_size for i in infos)
    for i in infos:
        if oversized(i):
            raise GkxlError("src.zip_bomb", detail=f"{i.filename}: {i.file_size} B")
        if i.flag_bits & 0x1:
            raise GkxlError("src.encrypted")
        if i.extract_version > MAX_ZIP_VERSION:
            raise GkxlError("src.zip_version", version=f"{i.extract_version / 10:.1f}")
        if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise GkxlError("src.zip_method", member=i.filename)
    if total > MAX_TOTAL_BYTES or len(infos) > 10000:
        raise GkxlError("src.zip_bomb", detail=f"{len(infos)} files, {total} B")
    try:
        _apart(data, infos)
        if "mimetype" in names:   # OpenDocument: a text document or a slide show is not a spreadsheet
            if not _inflate(data, zf.getinfo("mimetype")).strip().startswith(ODS_MIME):
                raise GkxlError("src.not_spreadsheet")
            if "META-INF/manifest.xml" in names and b"encryption-data" in _inflate(data, zf.getinfo("META-INF/manifest.xml")):
                raise GkxlError("src.encrypted")
            file_type = "ods"
        elif "[Content_Types].xml" in names:   # Office Open XML: a .docx or .pptx is not a spreadsheet
            if not any(n.startswith("xl/") for n in names):
                raise GkxlError("src.not_spreadsheet")
            if "xl/workbook.xml" not in names:   # the reader would then take it for a binary .xlsb
                raise GkxlError("src.xlsb" if "xl/workbook.bin" in names else "src.corrupt_zip")
            file_type = "xlsx"
        else:
            raise GkxlError("src.zip_unsupported")
        if any(n.lower().endswith("vbaproject.bin") or n.startswith(("Basic/", "Scripts/")) for n in names):
            raise GkxlError("src.macro")
        vetting = _Vetting(file_type, infos, _worksheets(data, zf, infos) if lazy and file_type == "xlsx" else {})
        saved = vetting.members(data)
        return file_type, saved, vetting
    except GkxlError:
        raise
    except Exception:  # zlib errors, CRC failures, malformed or truncated XML
        raise GkxlError("src.corrupt_zip") from None


class _Vetting:
    """Inflate members once, as the reader will, and measure what the reader will build from them.

    Which parts are worksheets is told by content, not by name: the reader follows the workbook's
    relationships wherever they point, so every member holding sheet data is measured (xlsx); an ods
    has all its tables in content.xml. Entities can only be declared in a DTD, so a UTF-8 part without
    "<!DOCTYPE" anywhere has none; other encodings get a real XML parser.

    `deferred` (sheet name -> its member, lazy mode) are the worksheets measured only when read; the
    totals (cells of all rectangles, copies of shared strings) count every sheet measured so far. The
    XML parts inflated here are kept (up to MAX_KEPT_BYTES) for the package given to the reader."""

    def __init__(self, file_type: str, infos: list[zipfile.ZipInfo], deferred: dict[str, zipfile.ZipInfo]):
        self.file_type = file_type
        self.infos = infos
        self.deferred = deferred
        self.sheet_infos = dict(deferred)     # every worksheet's member, by sheet name
        self.kept: dict[int, bytes] = {}      # id(ZipInfo) -> its inflated part
        self.kept_bytes = 0
        self.names = set(deferred)      # the workbook's sheets
        self.cells = 0                  # the rectangles the reader builds, over all sheets
        self.string_cells = 0           # cells that copy a shared string
        self.shared: list[bytes] = []   # the shared-string parts

    def members(self, data: bytes) -> str | None:
        later = {id(i) for i in self.deferred.values()}
        saved = None
        for i in self.infos:
            if id(i) in later:
                continue
            part = _inflate(data, i)
            if i.filename in _SAVED_AT:
                m = _SAVED_AT[i.filename].search(part)
                saved = m.group(1).decode("ascii", "replace").strip() if m else None
            self.member(i, part)
        self.strings()
        return saved

    def sheet(self, data: bytes, name: str) -> None:
        """Measure the worksheet `name` (and, for a name the workbook did not list, every one left)."""
        if name in self.deferred:
            infos = [self.deferred.pop(name)]
        elif name in self.names:         # measured already
            return
        else:
            infos = list(self.deferred.values())
            self.deferred.clear()
        try:
            for i in infos:
                self.member(i, _inflate(data, i))
        except GkxlError:
            raise
        except Exception:  # zlib errors, CRC failures, malformed XML
            raise GkxlError("src.corrupt_zip") from None
        self.strings()

    def member(self, i: zipfile.ZipInfo, part: bytes) -> None:
        file_type = self.file_type
        if file_type == "ods":
            is_sheet = i.filename == "content.xml"
        else:
            # a one-byte search (memchr) first: "D" or "!" absent rules out the longer needle at once
            is_sheet = (b"D" in part and b"sheetData" in part) or (b"\x00" in part[:4] and any(m in part for m in _SHEET_MARKERS))
            if b"sst" in part and (b"<sst" in part or b":sst" in part):
                self.shared.append(part)
        if not (is_sheet or i.filename.endswith((".xml", ".rels"))):
            return
        if self.kept_bytes + len(part) <= MAX_KEPT_BYTES:
            self.kept[id(i)] = part
            self.kept_bytes += len(part)
        if b"\x00" in part[:4]:
            extent = _Extent(file_type) if is_sheet else None
            _xml_parser(i.filename, extent).Parse(part, True)
            self.cells += extent.cells if extent else 0
            return
        if b"!" in part and (b"<!DOCTYPE" in part or b"<!ENTITY" in part):
            raise GkxlError("src.xml_entities", member=i.filename)
        if not is_sheet:
            return
        fast = _plain_xlsx_extent(part) if file_type == "xlsx" else None
        if fast is None:
            extent = _Extent(file_type)
            _xml_parser(i.filename, extent).Parse(part, True)     # exact, element by element
            self.cells += extent.cells
        else:
            self.cells += fast
        if file_type == "xlsx":
            self.string_cells += part.count(b't="s"') + (b"'" in part and part.count(b"t='s'"))
        if self.cells > MAX_TOTAL_CELLS:
            raise GkxlError("src.huge_workbook", cells=self.cells)

    def repacked(self, data: bytes) -> bytes:
        """The package with the kept parts stored (not compressed), every other member copied as it was.
        Names given twice leave the package as it is: which copy the reader takes is its own affair."""
        if not self.kept or len({i.filename for i in self.infos}) != len(self.infos):
            return data
        local, central, at = [], [], 0
        for i in self.infos:
            name = i.filename.encode("utf-8" if i.flag_bits & 0x800 else "cp437")
            body = self.kept.get(id(i))
            method, stored = (zipfile.ZIP_STORED, body) if body is not None else (i.compress_type, _raw(data, i))
            fields = (i.flag_bits & 0x800, method, 0, 0x21, i.CRC, len(stored), i.file_size, len(name))
            head = struct.pack("<4s5H3I2H", ZIP_MAGIC, 20, *fields, 0)
            central.append(struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, *fields, 0, 0, 0, 0, 0, at) + name)
            local += (head, name, stored)
            at += len(head) + len(name) + len(stored)
        directory = b"".join(central)
        end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), at, 0)
        return b"".join((*local, directory, end))

    def strings(self) -> None:
        """Cells × the longest shared string; the longest is looked for only when cells × the whole
        part's size could pass the limit (a shared string is never longer than its part)."""
        if not self.shared or self.string_cells * max(map(len, self.shared)) <= MAX_STRING_BYTES:
            return
        longest = max(max(map(len, _SHARED_ITEM.split(part))) for part in self.shared)
        if self.string_cells * longest > MAX_STRING_BYTES:
            raise GkxlError("src.huge_strings", size=round(self.string_cells * longest / 1024 / 1024))


_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SIMPLE_TARGET = re.compile(r"(?:/xl/)?(?!xl/)[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*\.xml")


def _worksheets(data: bytes, zf: zipfile.ZipFile, infos) -> dict[str, zipfile.ZipInfo]:
    """Sheet name -> its member, as the reader finds it (xl/workbook.xml's sheets through
    xl/_rels/workbook.xml.rels; a target is relative to xl/ unless it starts with /). Only plain targets
    are trusted, each member the target of one sheet; anything else gives {} and every part is measured
    at once. The parts read here are vetted again with the others (they are small)."""
    try:
        book, rels = (_inflate(data, zf.getinfo(n)) for n in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"))
        if any(b"<!DOCTYPE" in p or b"<!ENTITY" in p or b"\x00" in p[:4] for p in (book, rels)):
            return {}
        sheets: list[tuple[str, str | None]] = []
        targets: dict[str, str] = {}

        def start(name, attrs):
            tag = name.rpartition("}")[2]
            if tag == "sheet" and name.startswith("http://schemas.openxmlformats.org/spreadsheetml/"):
                sheets.append((attrs.get("name"), attrs.get(_REL_NS + "}id")))
            elif tag == "Relationship":      # an Id given twice is ambiguous: ""
                rid = attrs.get("Id")
                targets[rid] = "" if rid in targets else attrs.get("Target")
        for part in (book, rels):
            parser = expat.ParserCreate(namespace_separator="}")
            parser.StartElementHandler = start
            parser.Parse(part, True)
    except Exception:  # KeyError (no such part), zlib, expat: the eager measure says what is wrong
        return {}
    members = {i.filename: i for i in infos}
    found: dict[str, zipfile.ZipInfo] = {}
    for name, rid in sheets:
        target = targets.get(rid)
        if not name or name in found or not target or not _SIMPLE_TARGET.fullmatch(target):
            return {}
        member = target[1:] if target.startswith("/") else "xl/" + target
        if member not in members or any(members[member] is f for f in found.values()):
            return {}
        found[name] = members[member]
    return found


def _apart(data: bytes, infos) -> None:
    """Each member's stored bytes lie apart from every other's. Entries that share or overlap stored bytes
    are how a small zip claims to hold far more than it does; no application writes them."""
    end = 0
    for i in sorted(infos, key=lambda i: i.header_offset):
        if i.header_offset < end:
            raise GkxlError("src.corrupt_zip")
        end = _data_start(data, i) + i.compress_size


def _data_start(data: bytes, info: zipfile.ZipInfo) -> int:
    """Where a member's stored bytes begin: after its local header, which must be there."""
    at = info.header_offset
    if data[at:at + 4] != ZIP_MAGIC or len(data) < at + 30:
        raise GkxlError("src.corrupt_zip")
    name_len, extra_len = struct.unpack_from("<HH", data, at + 26)
    return at + 30 + name_len + extra_len


def _raw(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """A member's bytes as stored in the zip (compressed or not)."""
    start = _data_start(data, info)
    raw = data[start:start + info.compress_size]
    if len(raw) != info.compress_size:
        raise GkxlError("src.corrupt_zip")
    return raw


def _inflate(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """A member's bytes, inflated in steps and never beyond the size its directory entry declares (a
    stream that goes on inflating past it is refused, not inflated to the end), then its CRC checked."""
    raw = _raw(data, info)
    if info.compress_type == zipfile.ZIP_STORED:
        out = raw
    else:
        inflater = zlib.decompressobj(-15)
        pieces, size = [], 0
        while not inflater.eof:
            piece = inflater.decompress(raw, INFLATE_STEP)
            raw = inflater.unconsumed_tail
            if not piece and not raw:      # the stream ends before its end marker: truncated
                break
            size += len(piece)
            if size > info.file_size:      # more than declared: stop here, do not inflate the rest
                raise GkxlError("src.corrupt_zip")
            pieces.append(piece)
        out = b"".join(pieces)
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        raise GkxlError("src.corrupt_zip")
    return out


# One pass over a sheet's tags. A cell as every application writes it, <c r="A1"…> (its reference
# captured), a row's own number, or anything else that opens a cell or a row (other spacing or quoting,
# a prefix, a cell without r first, a lower-case or far reference): that last sends the sheet to the
# exact count, element by element.
_TAGS = re.compile(rb'<(?:c r="([A-Z]{1,3})([0-9]{1,7})"|row r="([0-9]{1,7})"|(?:[A-Za-z_][\w.-]*:)?(?:c|row)[\s>/])')
_SHEET_MARKERS = (b"sheetData", "sheetData".encode("utf-16-le"), "sheetData".encode("utf-16-be"))
_SHARED_ITEM = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]")


def _plain_xlsx_extent(xml: bytes) -> int | None:
    """The fast answer for sheets as Excel, WPS, LibreOffice and xlsxwriter write them: every cell has
    an r="A1" attribute first, so the largest reference bounds what the reader allocates (the reader
    trusts a cell's own reference over its row's). Returns the cells of that rectangle, or None for
    anything unusual, which gets the exact element-by-element count instead (a far styled cell without
    a value does no harm there)."""
    tags = _TAGS.findall(xml)
    if not tags:
        return 0
    letters, digits, rows = zip(*tags)
    if letters.count(b"") + rows.count(b"") != len(tags):      # a tag that is neither kind
        return None
    # a cell without r (should another element carry one) would sit in its row's row: count those too
    last_row = max(map(int, {*digits, *rows} - {b""}))
    last_col = max((_col_number(c.decode()) for c in set(letters) - {b""}), default=0)
    if last_row > MAX_ROWS or last_col > MAX_COLS:
        return None
    return last_row * last_col


def _xml_parser(member: str, extent: _Extent | None):
    parser = expat.ParserCreate(namespace_separator="}")

    def refuse(*_):
        raise GkxlError("src.xml_entities", member=member)
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    if extent:
        parser.StartElementHandler = extent.start
        parser.EndElementHandler = extent.end
    return parser


_REF = re.compile(r"([A-Za-z]{1,3})([0-9]+)")
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


class _Extent:
    """Where a sheet's last value lies, counted as the reader counts. A single stray value at XFD1048576
    (xlsx) or after a million repeated rows (ods) would make the reader allocate the whole rectangle.
    `cells` adds up the rectangles of all tables (an ods holds them all in one part)."""

    def __init__(self, file_type: str):
        self.file_type = file_type
        self.row = self.col = 0          # xlsx: current row and cell; ods: first row of the current row element
        self.cell_row = 0                # xlsx: the current cell's row (its own reference wins over its row's)
        self.rows_here = 1               # ods: how many times the current row repeats
        self.cell_end = 0                # ods: last column of the current cell
        self.in_cell = False
        self.last_row = self.last_col = 0
        self.done_cells = 0              # rectangles of tables already closed

    @property
    def cells(self) -> int:
        return self.done_cells + self.last_row * self.last_col

    def start(self, name: str, attrs: dict) -> None:
        tag = name.rpartition("}")[2]
        if self.file_type == "xlsx":
            if tag == "row":
                self.row = _int(attrs.get("r"), self.row + 1)
                self.col = 0
            elif tag == "c":
                ref = attrs.get("r")
                if ref is None:
                    self.cell_row, self.col = self.row, self.col + 1
                else:
                    m = _REF.fullmatch(ref)
                    if not m:              # the reader fails on it; nothing worth measuring
                        raise GkxlError("src.corrupt_zip")
                    self.cell_row, self.col = int(m.group(2)), _col_number(m.group(1).upper())
            elif tag in ("v", "f", "is"):
                self._content(self.cell_row, self.col)
        else:
            if tag == "table":
                self.done_cells += self.last_row * self.last_col
                self.row = self.last_row = self.last_col = 0
            elif tag == "table-row":
                self.rows_here = _int(attrs.get(_TABLE + "number-rows-repeated"), 1)
                self.col = 0
            elif tag in ("table-cell", "covered-table-cell"):
                self.cell_end = self.col + _int(attrs.get(_TABLE + "number-columns-repeated"), 1)
                self.col, self.in_cell = self.cell_end, True
                if _OFFICE + "value-type" in attrs:
                    self._content(self.row + self.rows_here, self.cell_end)
            elif tag == "p" and self.in_cell:
                self._content(self.row + self.rows_here, self.cell_end)

    def end(self, name: str) -> None:
        if self.file_type == "ods":
            tag = name.rpartition("}")[2]
            if tag == "table-row":
                self.row += self.rows_here
            elif tag in ("table-cell", "covered-table-cell"):
                self.in_cell = False

    def _content(self, rows: int, cols: int) -> None:
        if rows > MAX_ROWS or cols > MAX_COLS:
            raise GkxlError("src.huge_sheet", rows=rows, cols=cols)
        self.last_row, self.last_col = max(self.last_row, rows), max(self.last_col, cols)
        if self.cells > MAX_TOTAL_CELLS:
            raise GkxlError("src.huge_workbook", cells=self.cells)


def _int(value, default: int) -> int:
    return int(value) if value and value.isdigit() else default


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


# BIFF8: the workbook globals begin with a BOF record; FILEPASS (0x002F) right after it means encrypted.
_XLS_GLOBALS_BOF = bytes.fromhex("0908100000060500")


def _vet_ole(data: bytes) -> tuple[str, str | None]:
    # Stream names in an OLE directory are UTF-16LE.
    if "EncryptedPackage".encode("utf-16-le") in data:
        raise GkxlError("src.encrypted")
    if "_VBA_PROJECT".encode("utf-16-le") in data or b"_VBA_PROJECT" in data:
        raise GkxlError("src.macro")
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        at = data.find(_XLS_GLOBALS_BOF)
        if at >= 0 and data[at + 20:at + 22] == b"\x2f\x00":
            raise GkxlError("src.encrypted")
        return "xls", _vet_biff_extent(data)
    raise GkxlError("src.not_spreadsheet")


# BIFF records that hold a value, each starting with row (u16) and column (u16); MULRK ends with its last column.
_BIFF_VALUES = {0x0203, 0x027E, 0x00FD, 0x0204, 0x0006, 0x0205, 0x00D6, 0x00BD}
_BIFF_MULRK, _BIFF_FILEPASS = 0x00BD, 0x002F


def _vet_biff_extent(data: bytes) -> str | None:
    """The .xls counterpart of the sheet-extent check: one value at IV65536 would make the reader build
    the whole 65536 x 256 rectangle. The workbook stream is read with olefile, its records walked."""
    import olefile
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
        name = "Workbook" if ole.exists("Workbook") else "Book"
        stream = ole.openstream(name).read()
        when = _last_saved(ole)
    except Exception:  # a broken compound file: the reader reports it as corrupt
        return None
    rows = cols = 0
    pos, end = 0, len(stream) - 4
    while pos <= end:
        rtype, size = struct.unpack_from("<HH", stream, pos)
        body = pos + 4
        if rtype == _BIFF_FILEPASS:
            raise GkxlError("src.encrypted")
        if rtype in _BIFF_VALUES and size >= 4 and body + size <= len(stream):
            row, col = struct.unpack_from("<HH", stream, body)
            if rtype == _BIFF_MULRK and size >= 6:
                col = struct.unpack_from("<H", stream, body + size - 2)[0]
            rows, cols = max(rows, row + 1), max(cols, col + 1)
        pos = body + size
    if rows > MAX_ROWS or cols > MAX_COLS:
        raise GkxlError("src.huge_sheet", rows=rows, cols=cols)
    return when.isoformat() if when else None


_SUMMARY = "\x05SummaryInformation"
_PID_LASTSAVE_DTM, _VT_FILETIME = 13, 64


def _last_saved(ole):
    """When the application last saved the .xls, from its SummaryInformation property set, read here
    within the stream's bounds (olefile's get_metadata trusts the counts it reads: a vector count of
    0x7FFFFFFF makes it loop for an hour)."""
    import datetime as dt
    if not ole.exists(_SUMMARY) or ole.get_size(_SUMMARY) > 64 * 1024:
        return None
    s = ole.openstream(_SUMMARY).read()
    if len(s) < 48 or s[:2] != b"\xfe\xff":
        return None
    section = struct.unpack_from("<I", s, 44)[0]
    if section + 8 > len(s):
        return None
    count = min(struct.unpack_from("<I", s, section + 4)[0], (len(s) - section - 8) // 8)
    for k in range(count):
        pid, offset = struct.unpack_from("<II", s, section + 8 + 8 * k)
        at = section + offset
        if pid == _PID_LASTSAVE_DTM and at + 12 <= len(s):
            vtype, filetime = struct.unpack_from("<IQ", s, at)
            if vtype != _VT_FILETIME or not filetime:
                return None
            try:
                return dt.datetime(1601, 1, 1) + dt.timedelta(microseconds=filetime // 10)
            except OverflowError:
                return None
    return None
