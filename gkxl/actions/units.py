"""The units list, read as untrusted input: a spreadsheet list is vetted like a return and read in a limited
worker (a broken .xls aborts its native reader; the command or the desk goes on and says why)."""
from __future__ import annotations

from pathlib import Path

from gkxl.actions.parallel import run_isolated
from gkxl.io.units import Unit, read_units, sheet_rows
from gkxl.text.errors import GkxlError, UsageError


def load_units(path: Path, *, method: str | None = None) -> tuple[list[Unit], list[tuple[int, str, int]]]:
    """read_units, a spreadsheet's rows read in a limited worker (`method` "forkserver" from the desk)."""
    def isolated(p: Path) -> list[list]:
        try:
            return run_isolated(sheet_rows, str(p), method=method)
        except UsageError:
            raise
        except GkxlError as e:
            raise UsageError("units.unreadable", path=str(path), detail=e.message) from None
    return read_units(Path(path), rows_of=isolated)


def note_problems(report, units: list[Unit], path) -> None:
    """Say each unit the list gives a wrong code (kept without it) in the action's report."""
    for u in units:
        if u.problem is not None:
            report.note("units.bad_code_kept", path=str(path), line=u.problem)
