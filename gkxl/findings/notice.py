"""退回通知: what a clerk sends a unit whose return has errors, as one plain paragraph to paste into mail or
chat; the same text heads the annotated copy. Each error is said by its place and its first sentence (a
balance finding's short lead), with at most the likeliest few cells; warnings are counted, not listed."""
from __future__ import annotations

from pathlib import Path

from gkxl.findings.report import FileResult
from gkxl.text.messages import text

MOST_ITEMS = 8          # a notice is read on a phone: the annotated copy lists every finding
SHOWN_CANDIDATES = 3    # the likeliest cells a balance finding names, marks and sends (the rest are counted)


def first_sentence(message: str) -> str:
    head = message.split("。")[0].split(". ")[0]
    return head.rstrip("。.")


def return_notice(result: FileResult, unit: str | None, note: str | None, lang: str = "zh") -> str:
    """The notice for `result` (its findings in full), to `unit`, with the clerk's `note`."""
    errors = [f for f in result.findings if f.severity == "error"]
    items = []
    for n, f in enumerate(errors[:MOST_ITEMS], start=1):
        where = f.where or (f.sheet or "")
        said = first_sentence(f.message.render(lang))
        if f.candidates and not f.cell:
            cells = ("、" if lang == "zh" else ", ").join(c["cell"] for c in f.candidates[:SHOWN_CANDIDATES])
            said += text("notice.candidates", lang, cells=cells, count=len(f.candidates))
        if where and said.startswith(where):      # a balance finding's lead names its table already
            items.append(text("notice.item_plain", lang, n=n, said=said))
        else:
            items.append(text("notice.item", lang, n=n, where=where, said=said))
    more = len(errors) - MOST_ITEMS
    parts = [text("notice.head", lang, unit=unit or result.unit or text("out.unknown", lang), year=result.year or "",
                  file=Path(result.path).name, errors=len(errors), warnings=result.warnings)]
    parts += items
    if more > 0:
        parts.append(text("notice.more", lang, count=more))
    if result.warnings:
        parts.append(text("notice.warnings", lang, count=result.warnings))
    if note:
        parts.append(text("notice.note", lang, note=note.strip().rstrip("。.")))
    parts.append(text("notice.tail", lang))
    return ("" if lang == "zh" else " ").join(parts)
