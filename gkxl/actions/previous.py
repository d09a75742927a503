"""Last year's returns, against which this year's are checked for continuity: read in limited workers like
any return (a published report too), by `gkxl check --previous` and the desk alike."""
from __future__ import annotations

import functools
from pathlib import Path

from gkxl.actions.parallel import map_ordered
from gkxl.form import spec as specmod
from gkxl.form.model import Report
from gkxl.published.reading import read_any
from gkxl.text.errors import GkxlError, UsageError
from gkxl.text.messages import Message


def read_previous(files, specs: tuple[specmod.Spec, ...] | None = None) -> list[Report]:
    """Each file's report; the first that cannot be used stops the command, naming it (a usage error: the
    clerk gave the wrong file as last year's)."""
    files = [Path(f) for f in files]
    reports = []
    for path, got in zip(files, map_ordered(functools.partial(_read, specs=specs), files, _unusable)):
        if not isinstance(got, Report):
            raise UsageError("previous.unusable", path=str(path), reason=got)
        reports.append(got)
    return reports


def _read(path: Path, specs=None) -> Report | Message:
    try:
        return read_any(path, specs).report
    except GkxlError as e:
        return e.message


def _unusable(_path, reason: Message) -> Message:
    return reason
