"""JSON as gkxl writes it: UTF-8 text, indented, strict (no NaN or Infinity, which are not JSON)."""
from __future__ import annotations

import json
import math

from gkxl.text.printable import printable


def _strict(value):
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)                       # "nan", "inf": the value read, as text
    if isinstance(value, str):
        return printable(value)                     # a file name with undecodable bytes
    if isinstance(value, dict):
        return {printable(str(k)): _strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(v) for v in value]
    return value


def dumps(doc, compact: bool = False) -> str:
    """Indented for people; `compact` for what only programs read (the desk's stored reports): json's C
    encoder runs only without indentation, several times faster."""
    if compact:
        try:        # ASCII escapes keep undecodable bytes (lone surrogates) as valid JSON, in C
            return json.dumps(doc, separators=(",", ":"), allow_nan=False)
        except (ValueError, TypeError):
            return json.dumps(_strict(doc), separators=(",", ":"), allow_nan=False, default=str)
    return json.dumps(_strict(doc), ensure_ascii=False, indent=1, allow_nan=False, default=str)
