"""Any input of check, merge, export, render and audit: a published report (Word, PDF, and text or HTML
named so) is parsed, its totals kept as published; anything else goes to the workbook and JSON reader,
gkxl.io.read.

The type is told by content. Only what is surely a document (a .docx, a PDF, an old .doc; text that is not a
zip, an OLE file or JSON, in a file named .txt or .html) is parsed here; everything else, encrypted and broken
files included, is for gkxl.io.source to vet and name.
"""
from __future__ import annotations

import stat
from pathlib import Path

from gkxl.findings.finding import Finding
from gkxl.form import spec as specmod
from gkxl.io.inputs import TEXT_SUFFIXES
from gkxl.io.read import ReadResult, read_path
from gkxl.published.documents import MAX_DOCUMENT_BYTES, OLE_MAGIC, document_lines, document_type, is_binary
from gkxl.published.parse import ParseResult, parse_lines, parse_path
from gkxl.text.errors import GkxlError

PARSED = ("docx", "pdf", "doc")
# said again by the checks on the report itself (the balancing rules, V-blank): not twice
SAID_BY_CHECKS = ("P-total-mismatch", "P-group-row")


def read_any(path: Path, specs: tuple[specmod.Spec, ...] | None = None, suffix: str | None = None) -> ReadResult:
    """A workbook, gkxl JSON, or a published report (Word, PDF, text, HTML), read into a report in one of
    `specs` (the shipped forms unless --spec gave one). `suffix`: the name's ending the file was sent with,
    where it is kept under another name (the desk keeps files by their hash)."""
    path = Path(path)
    data = _head(path)
    document = _document(path, data, specs) if data is not None else None
    if document is not None:
        return document
    if data is None and (suffix or path.suffix).lower() in TEXT_SUFFIXES and _is_text(path):
        return _report(parse_path(path, specs))
    return read_path(path, specs, data=data)     # the bytes read here, not read again


def _is_text(path: Path) -> bool:
    """Text, not a workbook or JSON renamed (told by content: a renamed return is still read as one)."""
    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return bool(start) and not start.startswith((b"{", b"PK\x03\x04", OLE_MAGIC)) and not is_binary(head)


def _head(path: Path) -> bytes | None:
    """The whole file when it may be a document (a zip, a PDF, an OLE file), else None: the workbook
    reader then reads it itself and says why it cannot be used, in its words."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_DOCUMENT_BYTES:
            return None
        with path.open("rb") as f:
            head = f.read(1024)
            if not (b"%PDF-" in head or head.startswith((b"PK\x03\x04", OLE_MAGIC))):
                return None
            return head + f.read(MAX_DOCUMENT_BYTES)
    except OSError:
        return None


def _document(path: Path, data: bytes, specs) -> ReadResult | None:
    if data.startswith(b"PK\x03\x04") and b"word/document.xml" not in data:
        return None     # no part of that name in the zip (names are stored as they are): a workbook's zip
    doc_type = document_type(data)
    if doc_type not in PARSED:
        return None
    lines, places, title, unseen = document_lines(doc_type, data, str(path))
    return _report(parse_lines(lines, str(path), title, places=places, file_type=doc_type, specs=specs,
                               unseen=unseen))


def _report(result: ParseResult) -> ReadResult:
    """A parsed report as read for checking: not one at all when none of its tables was found."""
    spec = result.report.spec
    tables = sum(1 for s in spec.sheets if s.holds == "table")
    if sum(1 for n in result.notes if n.rule == "P-table-missing") >= tables:
        raise GkxlError("doc.no_tables")
    findings: list[Finding] = [n for n in result.notes if n.severity in ("error", "warning")
                               and n.rule not in SAID_BY_CHECKS]
    read = ReadResult(result.report, findings, stored_totals=True)
    read.lines, read.line_places = result.key_lines, result.places
    return read
