"""Published reports at the desk (年报): each upload (or each report in an uploaded zip) staged, read and
checked as `gkxl audit` reads a report, in a limited worker; matched to its unit by the issuer its own title
names (the file name only where the title does not); kept and recorded beside the returns. A unit's page then
sets its latest report against its latest return, figure by figure (X-return)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from gkxl.actions.audit import Job, Published, body_key, differing, figures_of, numeric_keys, place, read_report
from gkxl.actions.check import unreadable
from gkxl.actions.parallel import ITEM_SECONDS, Workers
from gkxl.desk.checking import both, finding_dicts, stored_report
from gkxl.desk.intake import Intake, Limits, Outcome, Upload, _Item
from gkxl.desk.store import Store
from gkxl.form import spec as specmod
from gkxl.io.inputs import DOCUMENT_SUFFIXES
from gkxl.text.messages import Message


def read_published(item: tuple[str, str]) -> dict:
    """One report read and checked (in a limited worker): what the store records of it. `item`: the staged
    file and the name it was sent under (its issuer and year are taken from that name only as a fallback)."""
    path, name = item
    specs = specmod.known()
    result, seen, published = read_report(Job(path, name), specs)
    return _row(result, seen.spec_id, published, {s.id: s for s in specs})


def _row(result, spec_id, published: Published | None, specs: dict) -> dict:
    row = {"status": result.status, "findings": finding_dicts(result), "error": result.error,
           "unit_read": result.unit if isinstance(result.unit, str) else None,
           "year": result.year if isinstance(result.year, int) else None, "spec": spec_id,
           "errors": result.errors, "warnings": result.warnings, "infos": result.infos, "figures": None, "places": None}
    if published is not None:
        spec = specs[spec_id]
        figures = {k: v for k, v in zip(numeric_keys(spec), published.figures) if v == v}
        row["figures"] = figures
        row["places"] = {k: _both(place(spec, published, k)) for k in figures}
    return row


def _both(m) -> dict[str, str]:
    return both(m) if isinstance(m, Message) else {"zh": m, "en": m}


def _failed(item: tuple[str, str], reason: Message) -> dict:
    return _row(unreadable(item[1], reason), None, None, {})


class ReportIntake(Intake):
    """The 年报 page's uploads: staged as returns are (zips unpacked, limits kept), read in workers of
    their own (a report's PDF does not wait behind an upload of returns)."""
    wanted = DOCUMENT_SUFFIXES
    not_wanted = "desk.rep.not_document"

    def __init__(self, store: Store, limits: Limits | None = None, processes: int | None = None,
                 seconds: float = ITEM_SECONDS):
        super().__init__(store, None, limits)
        self.workers = Workers(read_published, processes or 1, method="forkserver", seconds=seconds)

    def receive(self, uploads: list[Upload]) -> list[Outcome]:
        items: list[_Item] = []
        done: list[Outcome] = []
        try:
            fresh, first_here = [], {}
            for item in self._staged(uploads, done, items):
                earlier = self.store.known_report(item.staged.sha256)
                if earlier is not None:
                    item.outcome = self._same(item.name, earlier)
                elif item.staged.sha256 in first_here:
                    item.outcome = Outcome(item.name, "same", Message("desk.in.same_here", name=first_here[item.staged.sha256]))
                else:
                    first_here[item.staged.sha256] = item.name
                    fresh.append(item)
            self.store.sync_staged([i.staged for i in fresh])
            rows = self.workers.map_in_turns([(str(i.staged.path), i.name) for i in fresh], _failed)
            units = {body_key(u["name"]): u for u in self.store.units()}
            for item, row in zip(fresh, rows):
                unit = units.get(body_key(row["unit_read"])) if row["unit_read"] else None
                row["unit_id"] = unit["id"] if unit else None
                report_id = self.store.record_report(item.staged, item.name, row)
                if report_id is None:
                    item.outcome = self._same(item.name, self.store.known_report(item.staged.sha256))
                    continue
                item.outcome = self._outcome(item.name, report_id, row, unit)
        finally:
            for item in items:
                if item.staged.path.parent == self.store.staging:
                    self.store.discard(item.staged)
        return [i.outcome for i in items if i.outcome] + done

    def _same(self, name: str, row) -> Outcome:
        unit = self.store.unit(row["unit_id"]) if row["unit_id"] else None
        return Outcome(name, "same", Message("desk.in.same", name=row["original_name"], at=row["received_at"][:16].replace("T", " ")),
                       row["id"], row["status"], row["unit_id"], unit["name"] if unit else None, row["errors"], row["warnings"])

    @staticmethod
    def _outcome(name: str, report_id: int, row: dict, unit) -> Outcome:
        if row["status"] == "unreadable":
            message = row["error"]
        elif unit is None:
            message = Message("desk.rep.no_unit", unit=row["unit_read"] or Message("out.unknown"))
        else:
            message = Message(f"desk.in.stored_{row['status']}", errors=row["errors"], warnings=row["warnings"])
        return Outcome(name, "stored", message, report_id, row["status"], unit["id"] if unit else None,
                       unit["name"] if unit else None, row["errors"], row["warnings"])

    def close(self) -> None:
        self.workers.close()


@dataclass
class Difference:
    """One figure of a published report that its unit's return gives otherwise (X-return)."""
    key: str
    label: str
    published: int | float
    place: dict                       # {zh, en}: where the report shows it
    returned: int | float


def differences(report_row, return_row) -> list[Difference]:
    """Every figure the report and the return both give, and give differently."""
    if report_row is None or return_row is None or not report_row["figures"] or report_row["spec"] is None:
        return []
    returned = stored_report(return_row)
    spec = specmod.load(report_row["spec"]) if report_row["spec"] in specmod.available() else None
    if returned is None or spec is None or returned.spec.id != spec.id:
        return []
    shown = json.loads(report_row["figures"])
    places = json.loads(report_row["places"] or "{}")
    out = []
    for key, a, b in differing(spec, figures_of(spec, shown), figures_of(spec, returned.values)):
        out.append(Difference(key, spec.cells[key].label, _number(a), places.get(key) or {"zh": "", "en": ""}, _number(b)))
    return out


def _number(v: float) -> int | float:
    return int(v) if v == int(v) else v


def differences_as_findings(found: list[Difference]) -> list[dict]:
    """The differences as findings of the return's tables (the unit page marks those cells)."""
    return [{"rule": "X-return", "severity": "error", "key": d.key, "cell": None,
             "message": {lang: Message("desk.rep.differs_note", published=d.published, at=d.place[lang]).render(lang)
                         for lang in ("zh", "en")}} for d in found]


def latest_return(store: Store, unit_id: int):
    """The unit's latest return that could be read (the one its report is set against)."""
    return next((r for r in store.files_of(unit_id) if r["status"] in ("ok", "invalid") and r["verdict"] != "void"), None)


def stored_file(store: Store, row) -> Path:
    return store.path_of(row["sha256"])
