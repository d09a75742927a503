"""What a PDF page will cost to read, measured before pdfplumber reads it.

pdfminer decodes every filter of a stream and interprets a form XObject again at each `Do` that draws
it: a stream of ASCIIHex over Flate, or one small form drawn thousands of times, turns a file of a few
KB into gigabytes of objects. Here each content stream is decoded through its whole filter chain with
the output capped, and a page's cost is its own content plus, for each form it draws, the form's cost
times the number of times it is drawn (nested forms likewise). Text is counted by the bytes of its
strings (a CJK font takes two per character, so this errs on the side of reading).
"""
from __future__ import annotations

import io
import re
import zlib

from gkxl.text.errors import GkxlError

MAX_PAGE_POINTS = 14400            # the PDF specification's largest page side, 200 inches
MAX_CONTENT_BYTES = 8 * 1024 * 1024     # content a page makes pdfminer interpret, forms counted each time
MAX_TEXT_BYTES = 240_000           # string bytes a page draws: a dense CJK page draws about 6,000
MAX_FORM_DEPTH = 12

_DO = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*Do\b")
_STRINGS = re.compile(rb"\((?:[^()\\]|\\.)*\)|<[0-9A-Fa-f\s]*>")


class _Cost:
    __slots__ = ("content", "text")

    def __init__(self, content: int = 0, text: int = 0):
        self.content, self.text = content, text


def vet_page(page) -> None:
    """Refuse an abnormal page size, and a page whose content, forms and text would cost more than any
    report's page, before pdfplumber parses it."""
    from pdfminer.pdftypes import resolve1
    w, h = float(page.width), float(page.height)
    if not (0 < w <= MAX_PAGE_POINTS and 0 < h <= MAX_PAGE_POINTS):
        raise GkxlError("doc.pdf_huge_page", page=page.page_number, width=round(w), height=round(h))
    measure = _Measure(page.page_number)
    contents = page.page_obj.contents or []
    data = b"".join(measure.decoded(resolve1(s)) for s in contents)
    measure.check(measure.cost(data, page.page_obj.resources, 0, ()))


class _Measure:
    def __init__(self, page_number: int):
        self.page = page_number
        self.forms: dict[int, _Cost] = {}

    def refuse(self, detail: str):
        raise GkxlError("doc.pdf_huge_content", page=self.page, detail=detail)

    def check(self, cost: _Cost) -> None:
        if cost.content > MAX_CONTENT_BYTES:
            self.refuse(f"> {MAX_CONTENT_BYTES} B")
        if cost.text > MAX_TEXT_BYTES:
            self.refuse(f"> {MAX_TEXT_BYTES} B 文字")

    def cost(self, data: bytes, resources, depth: int, within: tuple) -> _Cost:
        from pdfminer.pdftypes import resolve1
        total = _Cost(len(data), sum(_string_bytes(m) for m in _STRINGS.findall(data)))
        self.check(total)
        draws: dict[bytes, int] = {}
        for name in _DO.findall(data):
            draws[name] = draws.get(name, 0) + 1
        if not draws:
            return total
        xobjects = resolve1((resolve1(resources) or {}).get("XObject")) or {}
        for name, times in draws.items():
            ref = xobjects.get(name.decode("latin-1"))
            form = resolve1(ref)
            if form is None or getattr(form, "attrs", {}).get("Subtype") is None:
                continue
            if getattr(form.attrs["Subtype"], "name", None) != "Form":
                continue                              # an image is one object, however large
            key = getattr(ref, "objid", id(form))
            if key in within or depth >= MAX_FORM_DEPTH:
                self.refuse("XObject 嵌套")
            one = self.forms.get(key)
            if one is None:
                one = self.cost(self.decoded(form), form.attrs.get("Resources") or resources, depth + 1, within + (key,))
                self.forms[key] = one
            total.content += times * one.content
            total.text += times * one.text
            self.check(total)
        return total

    def decoded(self, stream) -> bytes:
        """A stream's bytes through its whole filter chain, each step capped at MAX_CONTENT_BYTES."""
        from pdfminer.pdftypes import (
            LITERALS_ASCII85_DECODE,
            LITERALS_ASCIIHEX_DECODE,
            LITERALS_FLATE_DECODE,
            LITERALS_LZW_DECODE,
            LITERALS_RUNLENGTH_DECODE,
        )
        raw = getattr(stream, "rawdata", None)
        if raw is None:                       # already decoded, or no stream
            return getattr(stream, "data", None) or b""
        data = raw
        for f, _params in stream.get_filters():
            if f in LITERALS_FLATE_DECODE:
                data = _inflate(data, MAX_CONTENT_BYTES + 1)
            elif f in LITERALS_ASCIIHEX_DECODE:
                from pdfminer.ascii85 import asciihexdecode
                data = asciihexdecode(data)
            elif f in LITERALS_ASCII85_DECODE:
                from pdfminer.ascii85 import ascii85decode
                data = ascii85decode(data)
            elif f in LITERALS_LZW_DECODE:
                data = _lzw(data, MAX_CONTENT_BYTES + 1)
            elif f in LITERALS_RUNLENGTH_DECODE:
                data = _run_length(data, MAX_CONTENT_BYTES + 1)
            else:                             # an image codec: not content pdfminer interprets
                return b""
            if len(data) > MAX_CONTENT_BYTES:
                self.refuse(f"> {MAX_CONTENT_BYTES} B")
        return data


def _string_bytes(s: bytes) -> int:
    if s.startswith(b"<"):
        return sum(1 for ch in s if ch not in b" \t\r\n<>") // 2
    return len(s) - 2


def _inflate(data: bytes, cap: int) -> bytes:
    try:
        return zlib.decompressobj().decompress(data, cap)
    except zlib.error:
        return b""                            # pdfminer reports a broken stream its own way


def _lzw(data: bytes, cap: int) -> bytes:
    from pdfminer.lzw import LZWDecoder
    out = bytearray()
    try:
        for chunk in LZWDecoder(io.BytesIO(data)).run():
            out += chunk
            if len(out) >= cap:
                break
    except Exception:
        pass
    return bytes(out)


def _run_length(data: bytes, cap: int) -> bytes:
    out = bytearray()
    i, n = 0, len(data)
    while i < n and len(out) < cap:
        length = data[i]
        if length == 128:
            break
        if length < 128:
            out += data[i + 1:i + 2 + length]
            i += 2 + length
        else:
            out += data[i + 1:i + 2] * (257 - length)
            i += 2
    return bytes(out)
