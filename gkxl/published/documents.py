"""Word and PDF reports as the parser's lines, each line with its page or paragraph.

The type of a file is told by its content, never by its extension: a zip holding word/document.xml is a
Word document, "%PDF-" a PDF. An old binary Word file (.doc), an encrypted Office file and an image are
refused with a sentence that says what to do. The readers themselves are docx_reader and pdf_reader.
"""
from __future__ import annotations

import io
import zipfile

from gkxl.published.lines import Line
from gkxl.text.errors import GkxlError
from gkxl.text.messages import Message

MAX_DOCUMENT_BYTES = 30 * 1024 * 1024      # a report with its images is a few MB; the limit bounds memory
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")
DOCUMENT_KINDS = ("docx", "pdf", "doc", "encrypted", "image", "broken_zip")


def document_type(data: bytes) -> str | None:
    """docx | pdf | doc | encrypted | image | broken_zip | None (text, HTML, a workbook: the caller decides)."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError, EOFError):   # truncated: the local headers still name parts
            return "docx" if b"word/document.xml" in data else "broken_zip"
        except NotImplementedError:          # a zip feature Python cannot read: gkxl.io.source names it
            return None
        return "docx" if "word/document.xml" in names else None
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            return "encrypted"
        if "WordDocument".encode("utf-16-le") in data:
            return "doc"
        return None
    if data.startswith(IMAGE_MAGIC):
        return "image"
    return None


def is_binary(data: bytes) -> bool:
    head = data[:4096]
    return b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))


REFUSED = {"doc": "doc.is_doc", "encrypted": "doc.encrypted", "image": "doc.image", "broken_zip": "doc.broken_zip"}


def document_lines(doc_type: str, data: bytes, path: str
                   ) -> tuple[list[Line], dict[int, Message], str, list[tuple[Message, str]]]:
    """A .docx or PDF as (lines, the place of each line number, the title, the text with figures that the
    page does not show: hidden, white, off the page); the other kinds refused."""
    if doc_type in REFUSED:
        raise GkxlError(REFUSED[doc_type])
    if doc_type == "docx":
        from gkxl.published.docx_reader import docx_lines
        return docx_lines(data, path)
    from gkxl.published.pdf_reader import pdf_lines
    lines, places, unseen = pdf_lines(data, path)
    return lines, places, "", unseen
