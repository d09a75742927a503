"""Any input of check, merge, export and render: a Word or PDF report is parsed (its totals kept as
published), anything else goes to the workbook and JSON reader, gkxl.io.read.

The type is told by content. Only what is surely a document (a .docx, a PDF, an old .doc) is parsed here;
everything else, encrypted and broken files included, is for gkxl.io.source to vet and name.
"""
from __future__ import annotations

import stat
from pathlib import Path

from gkxl.findings.finding import Finding
from gkxl.form import spec as specmod
from gkxl.io.read import ReadResult, read_path
from gkxl.published.documents import MAX_DOCUMENT_BYTES, OLE_MAGIC, document_lines, document_type
from gkxl.published.parse import parse_lines
from gkxl.text.errors import GkxlError

PARSED = ("docx", "pdf", "doc")
# said again by the checks on the report itself (the balancing rules, V-blank): not twice
SAID_BY_CHECKS = ("P-total-mismatch", "P-group-row")


def read_any(path: Path, specs: tuple[specmod.Spec, ...] | None = None) -> ReadResult:
    """A workbook, gkxl JSON, or a Word or PDF report, read into a report in one of `specs` (the shipped
    forms unless --spec gave one)."""
    data = _head(Path(path))
    document = _document(Path(path), data, specs) if data is not None else None
    if document is not None:
        return document
    return read_path(Path(path), specs, data=data)     # the bytes read here, not read again


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
    lines, places, title = document_lines(doc_type, data, str(path))
    result = parse_lines(lines, str(path), title, places=places, file_type=doc_type, specs=specs)
    spec = result.report.spec
    tables = sum(1 for s in spec.sheets if s.holds == "table")
    if sum(1 for n in result.notes if n.rule == "P-table-missing") >= tables:
        raise GkxlError("doc.no_tables")
    findings: list[Finding] = [n for n in result.notes if n.severity in ("error", "warning")
                               and n.rule not in SAID_BY_CHECKS]
    return ReadResult(result.report, findings, stored_totals=True)
