"""The notes a reader of published reports makes: findings of the catalogue's parse types, with a line
(and, for a Word or PDF document, the page or paragraph that line came from)."""
from __future__ import annotations

from gkxl.findings.catalogue import parse_type
from gkxl.findings.finding import Finding
from gkxl.text.messages import Message


class Notes(list):
    def __init__(self, places: dict[int, Message] | None = None):
        super().__init__()
        self.places = places or {}

    def add(self, line: int | None, code: str, **params) -> Finding:
        ftype = parse_type(code)
        finding = Finding(ftype.id, ftype.severity, Message(code, **params), line=line, place=self.places.get(line))
        self.append(finding)
        return finding

    def add_at(self, place: Message, code: str, **params) -> Finding:
        """A note about a place that is no line of the text (a paragraph or table row of a document)."""
        ftype = parse_type(code)
        finding = Finding(ftype.id, ftype.severity, Message(code, **params), place=place)
        self.append(finding)
        return finding

    @property
    def has_errors(self) -> bool:
        return any(n.severity == "error" for n in self)
