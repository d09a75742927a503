"""Turn the paths a clerk typed into the list of files to process, saying what was left out and why."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from gkxl.text.errors import UsageError
from gkxl.text.messages import Message

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".et", ".ods"})
# published reports: read when given by name; in a folder, only by commands that read reports (audit, check)
TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown", ".htm", ".html", ".xhtml", ".mht"})
DOCUMENT_SUFFIXES = frozenset({".docx", ".pdf", ".doc"}) | TEXT_SUFFIXES


@dataclass
class Inputs:
    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)   # (path, message code)
    documents: set[Path] = field(default_factory=set)   # files found in a folder as published reports


def collect(paths, *, required: bool = True, documents: bool = False, archives: bool = False) -> Inputs:
    """Files as given (any name: the kind is told by content); folders searched for workbooks, and with
    `documents` for published reports too (.docx .pdf .txt .html …), which the caller may find are not reports,
    and with `archives` for .zip files, which the caller unpacks.

    A missing path stays in `files`, so that it is reported as unreadable like any other bad input. With
    nothing to read, every command stops the same way (`required`): a usage error naming what was skipped.
    """
    out = Inputs()
    seen: set[Path] = set()

    def add(p: Path, key: Path | None = None):
        key = key or p.resolve()
        if key not in seen:
            seen.add(key)
            out.files.append(p)

    for raw in paths:
        p = Path(raw)
        if not p.is_dir():
            add(p)
            continue
        real = p.resolve()
        for f, is_dir, is_link in _walk(p):
            # below a folder that is not a link, a name that is not a link resolves to where it lies
            key = None if is_link else real / f.relative_to(p)
            if is_dir:                     # a folder that could not be opened
                add(f, key)
            elif archives and f.suffix.lower() == ".zip":
                add(f, key)
            elif documents and f.suffix.lower() in DOCUMENT_SUFFIXES and not f.name.startswith(("~$", ".~")):
                add(f, key)
                out.documents.add(f)
            elif f.suffix.lower() not in WORKBOOK_SUFFIXES:
                out.skipped.append((f, "inputs.other_document" if documents else "inputs.other_file"))   # said, not dropped: a .json or .csv given by mistake
            elif f.name.startswith("~$") or f.name.startswith(".~"):
                out.skipped.append((f, "inputs.lock_file"))   # Excel/WPS owner files and our temp files
            else:
                add(f, key)
    if required and not out.files:
        items = [Message("inputs.skipped_item", path=str(p), reason=Message(code)) for p, code in out.skipped]
        raise UsageError("inputs.none_documents" if documents else "inputs.none", skipped=Message("inputs.none_skipped", items=items) if items else "")
    return out


def _walk(folder: Path):
    """Every entry below `folder` that is not a readable folder, in name order, as (path, is a folder, is a
    link): files, links, pipes, and the folders that could not be listed (reported, never dropped)."""
    try:
        with os.scandir(folder) as it:
            entries = sorted((Path(e.path), e.is_dir(follow_symlinks=False), e.is_symlink()) for e in it)
    except OSError:
        yield folder, True, False
        return
    for entry, is_dir, is_link in entries:
        if is_dir:
            yield from _walk(entry)
        else:
            yield entry, False, is_link
