"""A finding: one thing wrong (or doubtful) in one place of one return."""
from __future__ import annotations

from dataclasses import dataclass

from .messages import text


def both(code: str, **params) -> tuple[str, str]:
    return text(code, "zh", **params), text(code, "en", **params)


def both_with(code: str, message: dict, **params) -> tuple[str, str]:
    """Like both(), where one parameter is itself a sentence given in both languages."""
    return text(code, "zh", message=message["zh"], **params), text(code, "en", message=message["en"], **params)


@dataclass
class Finding:
    rule: str                      # stable id: T3-c, V-type, STRUCT-label, ...
    severity: str                  # error | warning
    message: tuple[str, str]       # (zh, en)
    sheet: str | None = None
    cell: str | None = None        # A1 reference on `sheet`
    value: object = None           # what was read
    expected: object = None
    row_label: str = ""
    col_label: str = ""
    hint: tuple[str, str] | None = None
    key: str | None = None

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""

    def to_dict(self, lang: str = "zh") -> dict:
        i = 1 if lang == "en" else 0
        d = {"rule": self.rule, "severity": self.severity, "sheet": self.sheet, "cell": self.cell,
             "key": self.key, "row_label": self.row_label or None, "col_label": self.col_label or None,
             "value": self.value, "expected": self.expected, "message": self.message[i]}
        if self.hint:
            d["hint"] = self.hint[i]
        return d
