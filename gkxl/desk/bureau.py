"""A unit's own page, reached through its link (/u/<token>) without the clerk's login: its template, an upload
field for its return, the check at once in the clerk's words, its versions and their states, and 正式报送.

A token opens that unit's page and nothing else: a wrong, revoked or another unit's token gets the same 404,
a file id in an address is checked against the token's unit, and failed tokens count against the address as
failed passwords do (gkxl.desk.security.LoginThrottle).
"""
from __future__ import annotations

import json
import tempfile
import threading
import time
from collections import deque
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from gkxl.desk.intake import Upload, is_published_report
from gkxl.desk.service import shown_tables
from gkxl.io.files import safe_filename
from gkxl.text.messages import Message

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def routes(pages) -> list[Route]:
    b = BureauPages(pages)
    return [Route("/u/{token}", b.page),
            Route("/u/{token}/template.xlsx", b.template),
            Route("/u/{token}/upload", b.upload, methods=["POST"]),
            Route("/u/{token}/submit", b.submit, methods=["POST"]),
            Route("/u/{token}/file/{file_id:int}/annotated.xlsx", b.annotated)]


def version_state(v) -> str:
    """What a unit reads of one of its versions."""
    if v["submitted_at"] and v["verdict"] == "accepted":
        return "confirmed"
    if v["returned"]:
        return "returned"
    if v["submitted_at"]:
        return "submitted"
    return {"ok": "passed", "invalid": "has_errors"}.get(v["status"], "unreadable")


class UploadRate:
    """At most UPLOADS uploads by one unit in WINDOW seconds: a unit corrects and sends again a few times;
    a script sending its link's uploads in a loop is told to wait."""
    UPLOADS, WINDOW = 20, 600

    def __init__(self):
        self._times: dict[int, deque] = {}
        self._lock = threading.Lock()

    def allow(self, unit_id: int) -> bool:
        now = time.monotonic()
        with self._lock:
            times = self._times.setdefault(unit_id, deque())
            while times and now - times[0] > self.WINDOW:
                times.popleft()
            if len(times) >= self.UPLOADS:
                return False
            times.append(now)
            return True


class BureauPages:
    def __init__(self, pages):
        self.pages, self.desk = pages, pages.desk
        self.rate = UploadRate()

    def unit_of(self, request: Request):
        """The unit the address's token opens; the same 404 for every token that opens none."""
        from gkxl.desk.app import Refused
        address = request.client.host if request.client else ""
        if self.pages.throttle.wait(address) > 0:
            raise Refused(429, "desk.bureau.locked")
        unit = self.desk.links.unit_of(request.path_params["token"])
        if unit is None:
            self.pages.throttle.failed(address)
            raise Refused(404, "desk.bureau.no_page")
        return unit

    def page(self, request: Request):
        unit = self.unit_of(request)
        desk, lang = self.desk, request.state.lang
        self.desk.store.link_opened(unit["id"])
        versions = [v for v in desk.store.files_of(unit["id"]) if v["verdict"] != "void"]
        latest = versions[0] if versions else None
        findings, tables = [], []
        if latest is not None and latest["status"] != "unreadable":
            findings = json.loads(latest["findings"])
            report = desk.report_of(latest)
            if report is not None:
                tables = shown_tables(report, findings, lang)
        error = json.loads(latest["error"])[lang] if latest is not None and latest["error"] else None
        notes = {e["file_id"]: e["note"] for e in desk.store.events_of(unit["id"]) if e["kind"] == "returned" and e["note"]}
        return self.pages.page(request, "bureau.html", nav="bureau", unit=unit, versions=versions, latest=latest,
                               findings=findings, tables=tables, error=error, notes=notes,
                               version_states={v["id"]: version_state(v) for v in versions},
                               number={v["id"]: len(versions) - i for i, v in enumerate(versions)},
                               events=[e for e in desk.store.events_of(unit["id"]) if e["kind"] in BUREAU_EVENTS],
                               token=request.path_params["token"], deadline=desk.deadline,
                               late=lambda v: desk.is_late(v["submitted_at"]),
                               late_now=not any(v["submitted_at"] for v in versions) and desk.is_late(None))

    def template(self, request: Request):
        unit = self.unit_of(request)
        d = Path(tempfile.mkdtemp(prefix="gkxl-desk-"))
        target = d / "template.xlsx"
        self.desk.template_for(unit, target)
        return self.pages.download(target, f"{safe_filename(unit['name'])}.xlsx", XLSX, cleanup=d)

    async def upload(self, request: Request):
        from gkxl.desk.app import Refused
        unit = self.unit_of(request)
        if not self.rate.allow(unit["id"]):
            raise Refused(429, "desk.bureau.too_often")
        form = await self.pages.form_of(request)
        token = request.path_params["token"]
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
        try:
            said = []
            for f in files:
                if f.filename.lower().endswith(".zip"):
                    said.append(Message("desk.bureau.no_zip", name=f.filename))
                elif is_published_report(f.filename):
                    said.append(Message("desk.bureau.not_return", name=f.filename))
            if said or not files:
                for m in said or [Message("desk.bureau.no_file")]:
                    self.pages.flash_message(request, m, "error")
                return RedirectResponse(f"/u/{token}", 303)
            outcomes = await run_in_threadpool(self.desk.intake.receive, [Upload(f.filename, f.file) for f in files], unit)
        finally:
            await form.close()
        for o in outcomes:
            level = "ok" if o.result in ("stored", "same") and o.status == "ok" else "error"
            self.pages.flash_message(request, Message("desk.bureau.received", name=o.name, said=o.message), level)
        return RedirectResponse(f"/u/{token}", 303)

    async def submit(self, request: Request):
        from gkxl.desk.app import Refused, form_int
        unit = self.unit_of(request)
        form = await self.pages.form_of(request)
        token = request.path_params["token"]
        row = self.desk.store.file(form_int(form, "file_id"))
        if row is None or row["unit_id"] != unit["id"]:
            raise Refused(404, "desk.bureau.no_page")
        note = str(form.get("note") or "").strip()[:2000] or None
        if row["status"] != "ok":
            self.pages.flash(request, "desk.bureau.cannot_submit", "error")
        elif row["warnings"] and not note:
            self.pages.flash(request, "desk.bureau.explain_warnings", "error", count=row["warnings"])
        elif await run_in_threadpool(self.desk.store.submit, row["id"], unit["id"], note):
            self.pages.flash(request, "desk.bureau.submitted", name=row["original_name"])
        return RedirectResponse(f"/u/{token}", 303)

    def annotated(self, request: Request):
        from gkxl.desk.app import Refused
        unit = self.unit_of(request)
        row = self.desk.store.file(request.path_params["file_id"])
        if row is None or row["unit_id"] != unit["id"] or row["status"] == "unreadable":
            raise Refused(404, "desk.bureau.no_page")
        return self.pages.annotated_download(row)


BUREAU_EVENTS = ("received", "received_by_unit", "returned", "reopened", "submitted", "accepted", "link_changed")
