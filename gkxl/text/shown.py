"""Text as gkxl shows and writes it: always encodable as UTF-8.

A file name unzip took from a Chinese-Windows zip holds GBK bytes that are not UTF-8; Python keeps them
as lone surrogates (surrogateescape) so that the file can still be opened, but no UTF-8 output accepts
them. Shown, each becomes U+FFFD; the path itself is kept as it is for opening the file.
"""
from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")


def shown(value):
    """`value` with undecodable bytes (lone surrogates) replaced; anything but text unchanged."""
    if isinstance(value, str) and _SURROGATE.search(value):
        return _SURROGATE.sub("\ufffd", value)
    return value
