"""The desk's work, apart from the web: a collection (store), its year and settings, checking, intake,
templates, the views of units and files, and the summary. Every step calls the functions the CLI uses.
"""
from __future__ import annotations

import csv
import io
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from gkxl.actions.previous import read_previous
from gkxl.actions.templates import templates
from gkxl.actions.units import load_units
from gkxl.desk.checking import Checker, received, stored_report, stored_result
from gkxl.desk.intake import Intake, Limits
from gkxl.desk.links import Links
from gkxl.desk.published import ReportIntake
from gkxl.desk.store import Staged, Store
from gkxl.findings.notice import SHOWN_CANDIDATES, return_notice
from gkxl.form import rules
from gkxl.form import spec as specmod
from gkxl.form.model import unit_key
from gkxl.io.inputs import collect
from gkxl.io.units import Unit
from gkxl.io.write import TemplateStamper
from gkxl.published.render import format_value, official_table
from gkxl.text.errors import UsageError
from gkxl.text.messages import Message, text

STATES = ("missing", "ok", "invalid", "unreadable", "returned", "blank")


def list_changes(changes: dict, units, path: Path | None, had: bool) -> list[Message]:
    """What a new units list changed, in sentences: renamed units (their returns kept), units that left
    the list, the counts when a list was there before, and each wrong code (the unit kept without it)."""
    said = []
    if had:
        said.append(Message("desk.units.changed", **{k: changes[k] for k in ("added", "kept", "removed")},
                            renamed=len(changes["renamed"])))
    said += [Message("desk.units.renamed", old=old, new=new) for old, new in changes["renamed"]]
    if changes["unlisted"] and had:
        said.append(Message("desk.units.unlisted", names="、".join(changes["unlisted"][:20]), count=len(changes["unlisted"])))
    said += [Message("units.bad_code_kept", path=str(path or ""), line=u.problem) for u in units if u.problem is not None]
    return said


def unit_state(row) -> str:
    if not row["file_id"]:
        return "missing"
    if row["returned"]:
        return "returned"
    if row["status"] == "ok" and row["blank"] and row["counted_id"] != row["file_id"]:
        return "blank"          # a blank template sent back: not a return until the clerk accepts it
    return row["status"]


# --- last year's returns ---------------------------------------------------------------------------

class Kept(NamedTuple):
    path: Path
    sent_as: str            # the file name it was sent under
    unit: str | None        # the unit the desk gave it, when it has one
    code: str | None


def latest_returns(folder: Path) -> list[Kept]:
    """The latest readable return of each unit of a desk collection: where it is kept, the name it was
    sent under, and the unit the desk decided it belongs to."""
    store = Store(Path(folder), read_only=True)
    units = {u["id"]: u for u in store.units(listed_only=False)}
    seen, out = set(), []
    for row in store.readable_files():          # newest first: each unit's latest return
        unit = row["unit_id"] or "read:" + unit_key(row["unit_read"])
        if unit not in seen:
            seen.add(unit)
            known = units.get(row["unit_id"])
            out.append(Kept(store.path_of(row["sha256"]), row["original_name"],
                            known["name"] if known else None, known["code"] if known else None))
    return out


def is_collection(path: Path) -> bool:
    return (Path(path) / "desk.sqlite").exists()


def load_previous(paths) -> list:
    """Last year's returns: from a desk collection (the latest readable return of each unit, under the
    unit the desk gave it) or, as `gkxl check --previous`, from files and folders."""
    files, units = [], []
    for p in paths:
        if is_collection(p):
            for kept in latest_returns(p):
                files.append(kept.path)
                units.append((kept.unit, kept.code))
            continue
        found = collect([Path(p)], required=False).files
        files += found
        units += [(None, None)] * len(found)
    reports = read_previous(files)
    for report, (unit, code) in zip(reports, units):
        if unit:
            report.unit, report.unit_code = unit, code or report.unit_code
    return reports


def version_changes(versions, chosen) -> tuple[list[dict], object]:
    """The cells in which `chosen` differs from the version before it that could be read (both values),
    and that version; ([], None) for the first."""
    older = [v for v in versions if v["id"] < chosen["id"] and v["status"] in ("ok", "invalid")]
    if not older or chosen["status"] not in ("ok", "invalid"):
        return [], None
    before, now = stored_report(older[0]), stored_report(chosen)
    if before is None or now is None or before.format != now.format:
        return [], older[0]
    out = []
    for cell in now.spec.value_cells:
        a, b = before.values.get(cell.key), now.values.get(cell.key)
        if a != b and not (rules.number(a) is not None and rules.number(a) == rules.number(b)):
            out.append({"key": cell.key, "where": cell.where, "label": cell.label, "before": a, "after": b})
    return out, older[0]


# --- the official tables of a return, with the cells that have findings marked ---------------------

@dataclass
class ShownCell:
    text: str
    style: str                        # value, header, block, row, note_header (render.GridCell's)
    rowspan: int = 1
    colspan: int = 1
    key: str | None = None
    severity: str | None = None       # error | warning at this cell; candidate: one of several that may be wrong
    notes: tuple[str, ...] = ()


def marks(findings: list[dict], lang: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Which cells the findings point at, by key: the cell a finding names, or, for a failed equation that
    several cells could explain (cell None), each of those candidates, with the value it would need."""
    at: dict[str, list[tuple[str, str]]] = {}
    for f in findings:
        message = f["message"][lang]
        if f.get("key"):
            at.setdefault(f["key"], []).append((f["severity"], message))
        elif not f.get("cell"):
            for c in (f.get("candidates") or ())[:SHOWN_CANDIDATES]:     # the likeliest, as the finding names them
                note = text("desk.unit.candidate_note", lang, rule=f["rule"], needed=format_value(c["needed"]))
                at.setdefault(c["key"], []).append(("candidate", note))
    out = {}
    for key, found in at.items():
        kinds = {k for k, _ in found}
        kind = next(k for k in ("error", "warning", "candidate") if k in kinds)
        out[key] = (kind, tuple(note for _, note in found))
    return out


def shown_tables(report, findings: list[dict], lang: str) -> list[dict]:
    """Each table sheet as render.official_table draws it, each value cell knowing its key."""
    spec = report.spec
    at = marks(findings, lang)
    # a total saved without its value (a file saved by a script, not recalculated) shows what the
    # spreadsheet shows once it calculates: the sum of what was entered
    values = {**report.values, **{k: v for k, v in rules.derive(spec, report.values).items()
                                  if report.values.get(k) is None}}
    out = []
    for sheet in spec.sheets:
        if sheet.holds != "table":
            continue
        markers = {c.key: f"\x00{c.key}" for c in sheet.cells}
        table = official_table(sheet, markers)          # markers tell which grid cell holds which key
        title = next((lab.text for lab in sheet.labels if lab.style == "title"), sheet.name)
        rows = []
        for row in table.rows:
            shown = []
            for cell in row:
                if cell is None:
                    continue
                key = cell.text[1:] if cell.text.startswith("\x00") else None
                if key is None:
                    shown.append(ShownCell(cell.text, cell.style, cell.rowspan, cell.colspan))
                    continue
                severity, notes = at.get(key, (None, ()))
                shown.append(ShownCell(format_value(values.get(key)), "value", cell.rowspan, cell.colspan,
                                       key, severity, notes))
            rows.append(shown)
        out.append({"name": sheet.name, "title": title, "rows": rows})
    return out


def text_parts(report) -> list[tuple[str, str]]:
    spec = report.spec
    return [(c.label, report.values.get(c.key) or "") for s in spec.sheets if s.holds == "text" for c in s.cells]


def info_part(report) -> list[tuple[str, str]]:
    spec = report.spec
    out = []
    for s in spec.sheets:
        if s.holds == "info":
            for c in s.cells:
                value = getattr(report, c.meta) if c.meta else report.values.get(c.key)
                out.append((c.label, format_value(value)))
    return out


# --- the desk --------------------------------------------------------------------------------------

class Desk:
    def __init__(self, store: Store, *, previous=(), limits: Limits | None = None, processes: int | None = None):
        self.store = store
        self.year = int(store.setting("year"))
        self.spec = specmod.load(store.setting("spec") or specmod.DEFAULT_SPEC)
        self.checker = Checker(self.year, previous, processes)
        self.intake = Intake(store, self.checker, limits)
        self.limits = self.intake.limits
        self.report_intake = ReportIntake(store, self.limits)
        self._summary_lock = threading.Lock()
        self._summary = None
        self.units_said: list[Message] = []        # what opening with --units changed, to be said at start
        self.links = Links(store)
        self.base_url: str | None = None           # where units reach the desk (set by the server)

    @classmethod
    def open(cls, folder: Path, *, year: int | None, units_path: Path | None = None, previous_paths=(),
             office: str | None = None, limits: Limits | None = None, processes: int | None = None) -> Desk:
        """Create or reopen a collection. Raises GkxlError (with a usage flag in .params) when it cannot."""
        folder = Path(folder)
        new = not (folder / "desk.sqlite").exists()
        if new and year is None:
            raise UsageError("desk.serve.need_year")
        store = Store(folder, create=True)
        stored = store.setting("year")
        if stored is None:
            store.set_setting("year", str(year))
            store.set_setting("spec", specmod.DEFAULT_SPEC)
        elif year is not None and int(stored) != year:
            raise UsageError("desk.serve.year_differs", path=str(folder), stored=stored, year=year)
        units_said: list[Message] = []
        if units_path:      # said when it changes a list the collection had: edits on 总览 are not undone silently
            had = bool(store.units())
            units, _ = load_units(Path(units_path), method="forkserver")
            changes = store.set_units(units)
            units_said = list_changes(changes, units, Path(units_path), had)
        if office:
            store.set_setting("office", office.strip())
        if previous_paths:
            store.set_setting("previous", "\n".join(str(Path(p).resolve()) for p in previous_paths))
        linked = [p for p in (store.setting("previous") or "").splitlines() if p]
        previous = load_previous(linked) if linked else []
        desk = cls(store, previous=previous, limits=limits, processes=processes)
        desk.units_said = units_said
        return desk

    # --- settings ---------------------------------------------------------------------------------

    @property
    def office(self) -> str | None:
        return self.store.setting("office")

    def set_units_from(self, path: Path) -> tuple[dict, list, list[Message]]:
        units, duplicates = load_units(path, method="forkserver")
        changes = self.store.set_units(units)
        return changes, duplicates, list_changes(changes, units, None, True)

    def units_csv(self, exclude=()) -> str:
        """The list as CSV, its other columns (联系人…) kept: editing it on 总览 loses nothing."""
        units = [u for u in self.store.units() if u["id"] not in exclude]
        extras = [json.loads(u["extra"] or "{}") for u in units]
        columns = list(dict.fromkeys(k for e in extras for k in e))
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["单位名称", "单位代码", *columns])
        for u, e in zip(units, extras):
            w.writerow([u["name"], u["code"] or "", *(e.get(k, "") for k in columns)])
        return buf.getvalue()

    # --- checking again ---------------------------------------------------------------------------

    def stale(self) -> list:
        return [r for r in self.store.all_files() if r["checked_with"] != self.checker.fingerprint]

    def recheck(self, rows) -> int:
        """Check recorded files again (new gkxl rules, last year's returns linked); findings replaced."""
        rows = list(rows)
        for start in range(0, len(rows), 200):
            batch = rows[start:start + 200]
            results = self.checker.check([self.store.path_of(r["sha256"]) for r in batch])
            for row, (result, meta) in zip(batch, results):
                done = received(Staged(Path(), row["sha256"], 0), row["original_name"], result, meta,
                                self.checker.stamp(result))
                self.store.update_check(row["id"], done)
        return len(rows)

    # --- overview ---------------------------------------------------------------------------------

    def overview(self):
        rows = self.store.overview()
        counts = dict.fromkeys(STATES, 0)
        out = []
        for r in rows:
            state = unit_state(r)
            if r["listed"]:
                counts[state] += 1
            out.append((r, state))
        return out, counts

    # --- templates --------------------------------------------------------------------------------

    @property
    def deadline(self) -> str | None:
        return self.store.setting("deadline")

    def is_late(self, submitted_at: str | None) -> bool:
        """Submitted (or, with None, still not submitted) after the deadline's day, in local time."""
        import datetime as dt
        day = self.deadline
        if not day:
            return False
        when = submitted_at[:10] if submitted_at else dt.datetime.now().astimezone().date().isoformat()
        return when > day

    def reminders(self, rows) -> str:
        """The units of the list (overview rows) that have not submitted, each with its own address: to
        paste into the office's chat group."""
        rows = [r for r, _ in rows if r["listed"] and not r["submitted_at"]]
        if not self.base_url:
            return "\n".join(r["name"] for r in rows)
        tokens = self.links.tokens(rows)
        return "\n".join(f"{r['name']}：{self.base_url}/u/{tokens[r['id']]}" for r in rows)

    def unit_link(self, unit) -> str | None:
        """The unit's own address (its page: template, upload, check, 正式报送), when the desk is served."""
        return f"{self.base_url}/u/{self.links.token(unit)}" if self.base_url else None

    def template_for(self, unit, target: Path) -> None:
        TemplateStamper(self.spec, self.year).write(target, unit["name"], unit["code"], self.unit_link(unit))

    def templates_zip(self, target: Path) -> int:
        """Every listed unit's template in one zip, with 模板清单.csv: the templates action, as `gkxl template
        --units` runs it (in this process: a threaded server does not fork)."""
        listed = self.store.units()
        tokens = self.links.tokens(listed) if self.base_url else {}
        units = [Unit(u["name"], u["code"], n, link=f"{self.base_url}/u/{tokens[u['id']]}" if tokens else None)
                 for n, u in enumerate(listed, start=1)]
        templates(units, target, spec=self.spec, year=self.year, parallel=False)
        return len(units)

    # --- one file ---------------------------------------------------------------------------------

    def stored_path(self, row) -> Path:
        return self.store.path_of(row["sha256"])

    def report_of(self, row):
        """The values of a stored return as its check read them (None when it cannot be read); a file checked
        before reports were stored is read again."""
        if row["status"] == "unreadable":
            return None
        return stored_report(row) or self.checker.report(self.stored_path(row))

    def notice(self, row, lang: str = "zh") -> str:
        """The 退回通知 of a stored return: its findings as stored, its unit, the clerk's latest note on it."""
        unit = self.store.unit(row["unit_id"]) if row["unit_id"] else None
        return return_notice(stored_result(row), unit["name"] if unit else None, self.store.return_note(row["id"]), lang)

    def annotated(self, row, target: Path) -> None:
        """The annotated copy to send back: the file checked again with its report, then gkxl.io.annotate,
        headed by the notice."""
        self.checker.annotate(self.stored_path(row), target, self.notice(row))

    # --- summary ----------------------------------------------------------------------------------

    def summary(self):
        from .summary import SummaryBuild
        with self._summary_lock:
            key = SummaryBuild.key_for(self)
            if self._summary is None or self._summary.key != key:
                if self._summary is not None:
                    self._summary.close()
                self._summary = SummaryBuild(self, key)
            return self._summary

    def close(self) -> None:
        self.checker.close()
        self.report_intake.close()
        with self._summary_lock:
            if self._summary is not None:
                self._summary.close()
                self._summary = None


def state_text(state: str, lang: str) -> str:
    return text(f"desk.state.{state}", lang)
