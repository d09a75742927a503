"""Read a published annual report (web-page text, Markdown, saved HTML, a Word document or a PDF) into a Report.

Figures are kept exactly as published, totals included, so that checking can find a published total that
does not add up. Whatever cannot be placed is reported as a note (a finding with its line number); nothing
is guessed silently. The steps each live in their own module: lines (text and HTML to lines of fields),
sections (where 一 to 六 start, the title), tables (rows to cell values), documents (Word and PDF to lines,
by docx_reader and pdf_reader), narrative (the text's figures against the tables); this module picks the
format, runs them, and compares published totals with their parts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gkxl.findings.finding import Finding
from gkxl.form import rules
from gkxl.form import spec as specmod
from gkxl.form.model import Report
from gkxl.io.files import os_reason
from gkxl.io.recognise import recognise
from gkxl.published import narrative
from gkxl.published.documents import MAX_DOCUMENT_BYTES, document_lines, document_type, is_binary
from gkxl.published.lines import Line, decode, html_lines, looks_like_html, text_lines
from gkxl.published.notes import Notes
from gkxl.published.sections import SectionFinder
from gkxl.published.tables import TableReader, table_specs
from gkxl.text.errors import GkxlError
from gkxl.text.labels import normalise
from gkxl.text.messages import Message
from gkxl.text.numbers import show
from gkxl.text.titles import year_in

MAX_TEXT_BYTES = 8 * 1024 * 1024        # a report is tens of kilobytes; more is not a report


@dataclass
class ParseResult:
    report: Report
    notes: list[Finding]
    format_detected: str
    key_lines: dict[str, int] = field(default_factory=dict)     # the line each figure was read on
    places: dict[int, Message] = field(default_factory=dict)    # a document's page or table row of each line

    @property
    def has_errors(self) -> bool:
        return any(n.severity == "error" for n in self.notes)


def detect_spec(lines: list[Line], notes: Notes, html_title: str = "",
                specs: tuple[specmod.Spec, ...] | None = None) -> specmod.Spec:
    """The format by its marker words; else by the report year; else the default (gkxl.io.recognise)."""
    whole = normalise("".join(l.raw for l in lines))
    spec, said = recognise(specs or specmod.shipped(), whole, _year_hint(lines, html_title))
    notes.append(said)
    return spec


def _year_hint(lines: list[Line], html_title: str) -> int | None:
    for raw in [html_title] + [l.raw for l in lines if l.raw.strip()][:5]:
        year = year_in(raw)
        if year is not None:
            return year
    return None


def parse_lines(lines: list[Line], path: str | None = None, html_title: str = "", *,
                places: dict[int, Message] | None = None, file_type: str = "text",
                specs: tuple[specmod.Spec, ...] | None = None, unseen=()) -> ParseResult:
    """Lines of any reader into a report. `places`: the page or paragraph of each line of a document;
    `specs`: the forms it may be in (the shipped ones by default); `unseen`: (place, text) of text with
    figures that the document holds but its page does not show (left out of the lines, said here)."""
    notes = Notes(places)
    for place, hidden in unseen:
        notes.add_at(place, "parse.unseen", text=hidden[:60])
    spec = detect_spec(lines, notes, html_title, specs)
    tables = {s.numeral: t for t in table_specs(spec) for s in spec.sections if s.sheet == t.sheet}
    texts = {s.numeral: s for s in spec.sections if s.text}
    finder = SectionFinder(spec, lines, notes, html_title)
    sections, first_heading = finder.find_sections({s.numeral: s.heading for s in spec.sections}, tables)
    title_line, preamble = finder.read_title(first_heading)
    unit, year = finder.unit_and_year(title_line)
    reader = TableReader(spec, notes, lines)
    for numeral, section in texts.items():
        if numeral in sections:
            reader.values[section.text] = finder.narrative(sections[numeral]) or None
    for numeral, table in tables.items():
        if numeral in sections:
            reader.read_table(table, sections[numeral])
        else:
            reader.read_table_anywhere(table, {n: ls for n, ls in sections.items() if n in texts})
    _published_totals(spec, reader, notes)
    _group_rows(spec, reader)
    report = Report(spec.id, spec.version, unit, None, year, reader.values, spec=spec, source={
        "file_type": file_type, "published": True, "path": path, "format_detected": spec.edition,
        "title": title_line.raw.strip() if title_line else None})
    if preamble:
        report.source["preamble"] = preamble
    notes.sort(key=lambda n: (n.line or 0))
    notes += narrative.findings(report)
    report.source["notes"] = [_note_dict(n) for n in notes]
    return ParseResult(report, list(notes), spec.edition, dict(reader.key_lines), dict(places or {}))


def _note_dict(n: Finding) -> dict:
    d = {"line": n.line, "rule": n.rule, "severity": n.severity, "message": n.message.zh}
    if n.place is not None:
        d["place"] = n.place.zh
    return d


def _published_totals(spec: specmod.Spec, reader: TableReader, notes: Notes) -> None:
    """A published total that differs from the sum of its published parts is said, with both values, once
    per total (表三!J29 is both a row and a column total). A group published as one row (（六）其他处理)
    counts in the sums it feeds."""
    values = dict(reader.values)
    for target, numbers in reader.group_values:
        for col, n in enumerate(numbers):
            for i, keys in enumerate(target.group):
                if values.get(keys[col]) is None:
                    values[keys[col]] = n if i == 0 else 0
    said: set[str] = set()
    for inst in spec.instances:
        key = inst.lhs[0]
        if not inst.rule.defines or key in said:
            continue
        published, computed = rules.number(values.get(key)), rules.total(values, inst.rhs)
        if published is None or computed is None or rules.residual(inst, values) == 0:
            continue
        said.add(key)
        cell = spec.cells[key]
        notes.add(reader.key_lines.get(key), "parse.total_mismatch", where=cell.where, label=cell.label,
                  published=show(published), computed=show(computed))


def _group_rows(spec: specmod.Spec, reader: TableReader) -> None:
    """A group of the form published as one row keeps its figures in the report, under the group's keys
    (its rows stay blank: they were not published)."""
    for target, numbers in reader.group_values:
        keys = {k for row in target.group for k in row}
        for group in spec.groups:
            if set(group.parts) == keys:
                column = {key: n for key, n in zip(target.group[0], numbers)}
                for cell in group.cells:
                    reader.values[cell.key] = column.get(cell.parts[0])


def parse_text(source: str, path: str | None = None, specs=None) -> ParseResult:
    return parse_lines(text_lines(source), path, specs=specs)


def parse_html(source: str, path: str | None = None, specs=None) -> ParseResult:
    lines, title = html_lines(source)
    return parse_lines(lines, path, title, file_type="html", specs=specs)


def parse_path(path, specs: tuple[specmod.Spec, ...] | None = None) -> ParseResult:
    """Any published report, its doc_type told by content: Word and PDF documents, else text or HTML."""
    p = Path(path)
    try:
        with open(p, "rb") as f:                       # bounded: /dev/zero or a huge file is not a report
            data = f.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as e:
        raise GkxlError("parse.unreadable", path=str(p), reason=os_reason(e)) from None
    doc_type = document_type(data)
    limit = MAX_DOCUMENT_BYTES if doc_type else MAX_TEXT_BYTES
    if len(data) > limit:
        raise GkxlError("parse.too_big", path=str(p), size=limit // (1024 * 1024))
    if doc_type is not None:
        try:
            lines, places, title, unseen = document_lines(doc_type, data, str(p))
        except GkxlError as e:
            raise GkxlError("doc.file", path=str(p), reason=e.message) from None
        return parse_lines(lines, str(p), title, places=places, file_type=doc_type, specs=specs, unseen=unseen)
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise GkxlError("parse.is_workbook", path=str(p))
    if is_binary(data):
        raise GkxlError("doc.file", path=str(p), reason=Message("doc.binary", ext=p.suffix or "—"))
    source = decode(data, str(p))
    if looks_like_html(source):
        return parse_html(source, str(p), specs)
    return parse_text(source, str(p), specs)
