"""Last year's returns, against which this year's are checked for continuity: read in limited workers like
any return (a published report too), by `gkxl check --previous` and the desk alike."""
from __future__ import annotations

from pathlib import Path

from gkxl.batch.parallel import map_ordered
from gkxl.form.model import Report
from gkxl.published.reading import read_any_report
from gkxl.text.errors import GkxlError
from gkxl.text.messages import Message


def read_previous(files) -> list[Report]:
    """Each file's report; the first that cannot be used is raised as a usage error that names it."""
    files = [Path(f) for f in files]
    reports = []
    for path, got in zip(files, map_ordered(_read, files, _unusable)):
        if not isinstance(got, Report):
            raise GkxlError("cli.previous_unusable", path=str(path), reason=got)
        reports.append(got)
    return reports


def _read(path: Path) -> Report | Message:
    try:
        return read_any_report(path)
    except GkxlError as e:
        return e.message


def _unusable(_path, reason: Message) -> Message:
    return reason
