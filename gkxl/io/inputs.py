"""Turn the paths a clerk typed into the list of files to process, saying what was left out and why."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".et", ".ods"}


@dataclass
class Inputs:
    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)   # (path, message code)


def collect(paths) -> Inputs:
    """Files as given (any name: the kind is told by content); folders searched for workbooks.

    A missing path stays in `files`, so that it is reported as unreadable like any other bad input.
    """
    out = Inputs()
    seen: set[Path] = set()

    def add(p: Path):
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            out.files.append(p)

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for f in _walk(p):
                if f.is_dir() and not f.is_symlink():        # a folder that could not be opened
                    add(f)
                    continue
                if f.suffix.lower() not in WORKBOOK_SUFFIXES:
                    out.skipped.append((f, "inputs.other_file"))   # said, not dropped: a .json or .csv given by mistake
                    continue
                if f.name.startswith("~$") or f.name.startswith(".~"):
                    out.skipped.append((f, "inputs.lock_file"))   # Excel/WPS owner files and our temp files
                    continue
                add(f)
        else:
            add(p)
    return out


def _walk(folder: Path):
    """Every entry below `folder` that is not a readable folder, in name order: files, links, pipes, and
    the folders that could not be listed (so that they are reported, never dropped)."""
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        yield folder
        return
    for entry in entries:
        if entry.is_dir() and not entry.is_symlink():
            yield from _walk(entry)
        else:
            yield entry
