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

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


@dataclass
class Source:
    path: Path
    data: bytes
    kind: str                     # xlsx | ods | xls | json
    saved_at: str | None = None   # when the application last saved it, from the file's own properties


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


def open_source(path: Path) -> Source:
    """Read and vet a file. Raises GkxlError with a clerk-readable reason when it cannot be used."""
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
        data = path.read_bytes()
    except FileNotFoundError:
        raise GkxlError("src.missing") from None
    except IsADirectoryError:
        raise GkxlError("src.is_dir") from None
    except PermissionError:
        raise GkxlError("src.no_permission") from None
    except OSError as e:
        raise GkxlError("src.unreadable_path", reason=os_reason(e)) from None
    kind = sniff(data)
    if kind == "empty":
        raise GkxlError("src.empty")
    if kind == "unknown":
        raise GkxlError("src.not_spreadsheet")
    saved = None
    if kind == "zip":
        kind, saved = _vet_zip(data)
    elif kind == "ole":
        kind, saved = _vet_ole(data)
    return Source(path, data, kind, saved)


_SAVED_AT = {"docProps/core.xml": re.compile(rb"<dcterms:modified[^>]*>([^<]+)<"),
             "meta.xml": re.compile(rb"<dc:date>([^<]+)<")}


def _vet_zip(data: bytes) -> tuple[str, str | None]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise GkxlError("src.corrupt_zip") from None
    names = {i.filename for i in infos}
    total = sum(i.file_size for i in infos)
    for i in infos:
        if i.file_size > MAX_MEMBER_BYTES or (i.compress_size and i.file_size / i.compress_size > MAX_RATIO
                                               and i.file_size > 1024 * 1024):
            raise GkxlError("src.zip_bomb", detail=f"{i.filename}: {i.file_size} B")
        if i.flag_bits & 0x1:
            raise GkxlError("src.encrypted")
    if total > MAX_TOTAL_BYTES or len(infos) > 10000:
        raise GkxlError("src.zip_bomb", detail=f"{len(infos)} files, {total} B")
    try:
        if "mimetype" in names:   # OpenDocument: a text document or a slide show is not a spreadsheet
            if not zf.read("mimetype").strip().startswith(ODS_MIME):
                raise GkxlError("src.not_spreadsheet")
            if "META-INF/manifest.xml" in names and b"encryption-data" in zf.read("META-INF/manifest.xml"):
                raise GkxlError("src.encrypted")
            kind = "ods"
        elif "[Content_Types].xml" in names:   # Office Open XML: a .docx or .pptx is not a spreadsheet
            if not any(n.startswith("xl/") for n in names):
                raise GkxlError("src.not_spreadsheet")
            kind = "xlsx"
        else:
            raise GkxlError("src.zip_unsupported")
        if any(n.lower().endswith("vbaproject.bin") or n.startswith(("Basic/", "Scripts/")) for n in names):
            raise GkxlError("src.macro")
        # Inflate every member once, within the sizes checked above: a broken member fails its CRC here.
        # Entities can only be declared in a DTD, so a UTF-8 part without "<!DOCTYPE" anywhere has none;
        # other encodings get a real XML parser.
        saved = None
        for i in infos:
            data = zf.read(i)
            if not i.filename.endswith((".xml", ".rels")):
                continue
            if i.filename in _SAVED_AT:
                m = _SAVED_AT[i.filename].search(data)
                saved = m.group(1).decode("ascii", "replace").strip() if m else None
            is_sheet = i.filename.startswith("xl/worksheets/") or i.filename == "content.xml"
            if b"\x00" in data[:4]:
                _xml_parser(i.filename, _Extent(kind) if is_sheet else None).Parse(data, True)
                continue
            if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
                raise GkxlError("src.xml_entities", member=i.filename)
            if is_sheet and not (kind == "xlsx" and _plain_xlsx_extent_ok(data)):
                _xml_parser(i.filename, _Extent(kind)).Parse(data, True)     # exact, element by element
    except GkxlError:
        raise
    except Exception:  # BadZipFile, zlib.error, CRC failures, malformed or truncated XML
        raise GkxlError("src.corrupt_zip") from None
    return kind, saved


_CELL_REF = re.compile(rb' r="([A-Z]{1,3})([0-9]+)"')   # other spacing falls to the exact count
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:(?:c|row)[\s>/]")


def _plain_xlsx_extent_ok(xml: bytes) -> bool:
    """The fast answer for sheets as Excel, WPS, LibreOffice and xlsxwriter write them: every cell has
    an r="A1" attribute, so the largest reference bounds what the reader allocates. Anything unusual
    (cells without r, prefixed tags, a far reference) gets the exact element-by-element count instead."""
    if _PREFIXED.search(xml):
        return False
    refs = _CELL_REF.findall(xml)
    if len(refs) != xml.count(b"<c ") + xml.count(b"<c>"):
        return False
    if not refs:
        return True
    letters, digits = zip(*refs)
    rows = max(map(int, set(digits)))
    cols = max(_col_number(c.decode()) for c in set(letters))
    return rows <= MAX_ROWS and cols <= MAX_COLS


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


_REF = re.compile(r"([A-Z]{1,3})([0-9]+)")
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


class _Extent:
    """Where a sheet's last value lies, counted as the reader counts. A single stray value at XFD1048576
    (xlsx) or after a million repeated rows (ods) would make the reader allocate the whole rectangle."""

    def __init__(self, kind: str):
        self.kind = kind
        self.row = self.col = 0          # xlsx: current cell; ods: first row of the current row element
        self.rows_here = 1               # ods: how many times the current row repeats
        self.cell_end = 0                # ods: last column of the current cell
        self.in_cell = False

    def start(self, name: str, attrs: dict) -> None:
        tag = name.rpartition("}")[2]
        if self.kind == "xlsx":
            if tag == "row":
                self.row = _int(attrs.get("r"), self.row + 1)
                self.col = 0
            elif tag == "c":
                m = _REF.fullmatch(attrs.get("r") or "")
                self.col = _col_number(m.group(1)) if m else self.col + 1
            elif tag in ("v", "f", "is"):
                self._content(self.row, self.col)
        else:
            if tag == "table":
                self.row = 0
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
        if self.kind == "ods":
            tag = name.rpartition("}")[2]
            if tag == "table-row":
                self.row += self.rows_here
            elif tag in ("table-cell", "covered-table-cell"):
                self.in_cell = False

    @staticmethod
    def _content(rows: int, cols: int) -> None:
        if rows > MAX_ROWS or cols > MAX_COLS:
            raise GkxlError("src.huge_sheet", rows=rows, cols=cols)


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
        when = ole.get_metadata().last_saved_time
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
