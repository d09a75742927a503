"""A finding: one thing wrong (or doubtful) in one place of one return or document."""
from __future__ import annotations

from dataclasses import dataclass, field

from gkxl.findings.catalogue import TYPES
from gkxl.text.messages import Message


@dataclass
class Finding:
    rule: str                      # stable id: T3-c, V-text, STRUCT-label, P-row-missing … (see the catalogue)
    severity: str                  # error | warning | info
    message: Message
    sheet: str | None = None
    cell: str | None = None        # A1 reference on `sheet`
    value: object = None           # what was read
    expected: object = None        # only where one value is the one explanation
    row_label: str = ""
    col_label: str = ""
    hint: Message | None = None
    key: str | None = None
    line: int | None = None        # line of a published text the finding concerns
    place: Message | None = None   # page or paragraph of a Word or PDF document (its line numbers mean nothing)
    candidates: list[dict] = field(default_factory=list)   # cells that alone would explain a failed equation
    equations: list[str] = field(default_factory=list)     # the failed equations this finding stands for

    @classmethod
    def of(cls, rule: str, code: str, **params) -> Finding:
        """A finding of a catalogued type: its severity comes from the catalogue."""
        return cls(rule, TYPES[rule].severity, Message(code, **params))

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""

    def to_dict(self, lang: str = "zh") -> dict:
        d = {"rule": self.rule, "severity": self.severity, "sheet": self.sheet, "cell": self.cell,
             "key": self.key, "row_label": self.row_label or None, "col_label": self.col_label or None,
             "value": self.value, "expected": self.expected, "message": self.message.render(lang)}
        if self.place is not None:              # a document's line numbers are gkxl's own, not the clerk's
            d["place"] = self.place.render(lang)
        elif self.line is not None:
            d["line"] = self.line
        if self.hint:
            d["hint"] = self.hint.render(lang)
        if self.equations:
            d["equations"] = self.equations
        if self.candidates:
            d["candidates"] = self.candidates
        return d
