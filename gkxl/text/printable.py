"""Text as gkxl shows and writes it: always encodable as UTF-8.

A file name unzip took from a Chinese-Windows zip holds GBK bytes that are not UTF-8; Python keeps them
as lone surrogates (surrogateescape) so that the file can still be opened, but no UTF-8 output accepts
them. Shown, each becomes U+FFFD; the path itself is kept as it is for opening the file.
"""
from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")
# what XML 1.0 forbids (a document part with one cannot be opened): C0 controls but tab, LF and CR;
# U+FFFE and U+FFFF. A return's text may hold them (a BEL typed as _x0007_, a NUL).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def printable(value):
    """`value` with undecodable bytes (lone surrogates) replaced; anything but text unchanged."""
    if isinstance(value, str) and _SURROGATE.search(value):
        return _SURROGATE.sub("\ufffd", value)
    return value


def xml_safe(value):
    """`value` as text an XML document part may hold: forbidden control characters removed, undecodable
    bytes replaced; anything but text unchanged."""
    if isinstance(value, str) and _NOT_XML.search(value):
        value = _NOT_XML.sub("", value)
    return printable(value)
