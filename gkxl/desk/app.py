"""The desk's web pages: thin handlers over gkxl.desk.service (which calls the CLI's own functions).

Every page is rendered by Jinja2 with autoescaping on; the one script (static/desk.js) is the desk's
own file; nothing is loaded from anywhere else.
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import tempfile
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from gkxl import __version__
from gkxl.desk import bureau
from gkxl.desk.intake import Upload, is_published_report
from gkxl.desk.published import differences, differences_as_findings, latest_return
from gkxl.desk.security import (
    COOKIE,
    CSRF_FIELD,
    BodyTooLarge,
    LoginThrottle,
    Sessions,
    cookie_header,
    csrf_ok,
    guarded,
    header,
    request_lang,
)
from gkxl.desk.service import STATES, Desk, info_part, shown_tables, state_text, text_parts, unit_state, version_changes
from gkxl.form.unit_code import problem as code_problem
from gkxl.io.files import os_reason, safe_filename
from gkxl.published.render import format_value
from gkxl.text.errors import GkxlError
from gkxl.text.messages import Message, text

HERE = Path(__file__).resolve().parent
MAX_FORM_FILES = 5000
OVERVIEW_PAGE = 500            # rows of 总览 a page: a county's units on one page, a province's on a few


ROW_ID_LIMIT = 2 ** 63        # SQLite's row ids: a number in an address past them is no row, not an error


class Refused(Exception):
    def __init__(self, http_status: int, code: str, /, **params):      # a message may have a {status} too
        super().__init__(code)
        self.status, self.code, self.params = http_status, code, params


def form_int(form, name: str) -> int:
    """A form's id field (0 when missing, found by nobody); what is not a number is refused."""
    try:
        return int(form.get(name) or 0)
    except ValueError:
        raise Refused(400, "desk.sec.bad_form") from None


def _time(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else ""


def _size(n: int | None) -> str:
    if n is None:
        return ""
    if n < 1024:
        return f"{n} B"         # a 267-byte file is not "0 KB"
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


class Pages:
    """Every page of the desk: one method per route, sharing the desk, the Jinja environment and the sessions."""

    def __init__(self, desk: Desk, password: str | None = None):
        self.desk = desk
        self.password = password
        self.sessions = Sessions(password)
        self.throttle = LoginThrottle()
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                                      trim_blocks=True, lstrip_blocks=True)
        self.env.filters.update(time=_time, size=_size, value=format_value,
                                sentence=lambda stored, lang: json.loads(stored)[lang] if stored else "")

    def routes(self) -> list:
        return [
            Route("/", self.overview),
            Route("/units", self.units_post, methods=["POST"]),
            Route("/templates", self.templates_page),
            Route("/templates/all.zip", self.templates_zip),
            Route("/templates/unit/{unit_id:int}.xlsx", self.template_one),
            Route("/receive", self.receive_page),
            Route("/receive", self.receive_post, methods=["POST"]),
            Route("/assign", self.assign_post, methods=["POST"]),
            Route("/set-aside", self.set_aside_post, methods=["POST"]),
            Route("/unit/{unit_id:int}", self.unit_page),
            Route("/unit/{unit_id:int}/return", self.unit_return, methods=["POST"]),
            Route("/unit/{unit_id:int}/reopen", self.unit_return, methods=["POST"]),
            Route("/file/{file_id:int}/verdict", self.file_verdict, methods=["POST"]),
            Route("/file/{file_id:int}/reassign", self.file_reassign, methods=["POST"]),
            Route("/file/{file_id:int}/original", self.file_original),
            Route("/file/{file_id:int}/annotated.xlsx", self.file_annotated),
            Route("/reports", self.reports_page),
            Route("/reports", self.reports_post, methods=["POST"]),
            Route("/reports/assign", self.report_assign_post, methods=["POST"]),
            Route("/report/{report_id:int}/original", self.report_original),
            Route("/summary", self.summary_page),
            Route("/summary/office", self.office_post, methods=["POST"]),
            Route("/summary/download/{what}", self.summary_download),
            Route("/progress.xlsx", self.progress_download),
            Route("/backup.zip", self.backup_download),
            *bureau.routes(self),
            Route("/unit/{unit_id:int}/link", self.unit_link_renew, methods=["POST"]),
            Route("/deadline", self.deadline_post, methods=["POST"]),
            Route("/login", self.login_page),
            Route("/login", self.login_post, methods=["POST"]),
            Route("/logout", self.logout_post, methods=["POST"]),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ]

    def exception_handlers(self) -> dict:
        return {Refused: self.refused, GkxlError: self.gkxl_error, HTTPException: self.http_error,
                BodyTooLarge: self.too_large, Exception: self.internal}

    # --- shared by the pages ------------------------------------------------------------------------

    def page(self, request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
        lang = request.state.lang
        session = request.state.session

        def t(code: str, **params) -> str:
            return text(code, lang, **params)
        flash, session.flash = session.flash, []
        query = {k: v for k, v in request.query_params.items() if k in ("file", "q", "state")}
        query["lang"] = "zh" if lang == "en" else "en"
        switch = request.url.path + "?" + urlencode(query)
        body = self.env.get_template(name).render(
            request=request, t=t, lang=lang, csrf=session.csrf, year=self.desk.year, office=self.desk.office,
            password=self.password is not None, flash=flash, switch_url=switch, version=__version__,
            state_text=lambda s: state_text(s, lang), states=STATES, path=request.url.path, **context)
        return HTMLResponse(body, status_code=status)

    @staticmethod
    def flash(request: Request, code: str, level: str = "ok", **params) -> None:
        request.state.session.flash.append((level, text(code, request.state.lang, **params)))

    @staticmethod
    def flash_message(request: Request, message: Message, level: str = "ok") -> None:
        request.state.session.flash.append((level, message.render(request.state.lang)))

    @staticmethod
    async def form_of(request: Request):
        """The posted form, refused unless it carries the session's CSRF token (field or header)."""
        try:
            form = await request.form(max_files=MAX_FORM_FILES, max_fields=1000, max_part_size=8 * 1024 * 1024)
        except MultiPartException:
            raise Refused(400, "desk.sec.bad_form") from None
        if not (request.state.csrf_header_ok or csrf_ok(request.state.session, form.get(CSRF_FIELD))):
            raise Refused(403, "desk.sec.csrf")
        return form

    def unit_or_404(self, unit_id: int):
        unit = self.desk.store.unit(unit_id) if 0 < unit_id < ROW_ID_LIMIT else None
        if unit is None:
            raise Refused(404, "desk.err.no_unit")
        return unit

    def file_or_404(self, file_id: int):
        row = self.desk.store.file(file_id) if 0 < file_id < ROW_ID_LIMIT else None
        if row is None:
            raise Refused(404, "desk.err.no_file")
        return row

    @staticmethod
    def download(path: Path, name: str, media: str, cleanup: Path | None = None) -> FileResponse:
        task = BackgroundTask(_remove, cleanup) if cleanup else None
        return FileResponse(path, media_type=media, filename=name, background=task)

    # --- 总览 ---------------------------------------------------------------------------------------

    def overview(self, request: Request):
        desk = self.desk
        rows, counts = desk.overview()
        q = request.query_params.get("q", "").strip()
        state = request.query_params.get("state", "")
        shown = [(r, s) for r, s in rows if (not state or s == state) and (not q or q in r["name"] or q in (r["code"] or ""))]
        pages = max(1, -(-len(shown) // OVERVIEW_PAGE))
        asked = request.query_params.get("page", "1")
        page = min(pages, max(1, int(asked))) if asked.isdigit() and len(asked) < 7 else 1
        first = (page - 1) * OVERVIEW_PAGE
        links = {n: "/?" + urlencode({k: v for k, v in (("q", q), ("state", state), ("page", n)) if v})
                 for n in range(1, pages + 1)} if pages > 1 else {}
        return self.page(request, "overview.html", rows=shown[first:first + OVERVIEW_PAGE], first=first, page=page,
                         pages=pages, page_links=links, shown_count=len(shown), counts=counts,
                         total=sum(counts.values()), q=q, state=state, unmatched=desk.store.unmatched(),
                         units_csv=desk.units_csv(), folder=str(desk.store.folder.resolve()), nav="overview",
                         deadline=desk.deadline, late=lambda r: desk.is_late(r["submitted_at"]),
                         reminders=desk.reminders(rows))

    async def units_post(self, request: Request):
        form = await self.form_of(request)
        upload = form.get("units_file")
        with tempfile.TemporaryDirectory() as d:
            if isinstance(upload, UploadFile) and upload.filename:
                suffix = Path(upload.filename).suffix.lower()
                target = Path(d) / ("units" + (suffix if suffix in (".csv", ".txt", ".xlsx", ".xls", ".ods", ".et") else ".csv"))
                target.write_bytes(await upload.read())
            else:
                target = Path(d) / "units.csv"
                target.write_text(str(form.get("units_text") or ""), encoding="utf-8")
            try:
                changes, duplicates, said = await run_in_threadpool(self.desk.set_units_from, target)
            except GkxlError as e:
                self.flash(request, "desk.units.refused", "error",
                           reason=e.render(request.state.lang).replace(str(target), ""))
                return RedirectResponse("/#units", 303)
        self.flash(request, "desk.units.saved", **changes)
        for message in said[1:]:
            self.flash_message(request, message, "warn")
        for line, name, first in duplicates:
            self.flash(request, "units.duplicate", "warn", line=line, unit=name, first=first)
        return RedirectResponse("/", 303)

    # --- 模板 ---------------------------------------------------------------------------------------

    def templates_page(self, request: Request):
        return self.page(request, "templates.html", units=self.desk.store.units(), nav="templates")

    def template_one(self, request: Request):
        unit = self.unit_or_404(request.path_params["unit_id"])
        d = Path(tempfile.mkdtemp(prefix="gkxl-desk-"))
        target = d / "template.xlsx"
        self.desk.template_for(unit, target)
        return self.download(target, f"{safe_filename(unit['name'])}.xlsx", XLSX, cleanup=d)

    def templates_zip(self, request: Request):
        d = Path(tempfile.mkdtemp(prefix="gkxl-desk-"))
        target = d / "templates.zip"
        self.desk.templates_zip(target)
        return self.download(target, f"{self.desk.year}年报模板.zip", "application/zip", cleanup=d)

    # --- 收件 ---------------------------------------------------------------------------------------

    def unmatched_context(self, lang: str) -> dict:
        desk = self.desk
        unmatched = desk.store.unmatched()
        return {"unmatched": unmatched, "units": desk.store.units(), "limits": desk.limits, "nav": "receive",
                "suggest": {f["id"]: desk.intake.suggest(f["original_name"]) for f in unmatched},
                "why_unreadable": {f["id"]: json.loads(f["error"])[lang] for f in unmatched if f["error"]}}

    def receive_page(self, request: Request):
        return self.page(request, "receive.html", outcomes=None, **self.unmatched_context(request.state.lang))

    async def receive_post(self, request: Request):
        form = await self.form_of(request)
        uploads = [Upload(f.filename or "?", f.file) for f in form.getlist("files") if isinstance(f, UploadFile)]
        # one rule for what is a return (workbooks and gkxl JSON): a published report goes to 年报
        reports = [u for u in uploads if is_published_report(u.name)]
        returns = [u for u in uploads if not is_published_report(u.name)]
        try:
            outcomes = await run_in_threadpool(self.desk.intake.receive, returns) if returns else []
            if reports:
                said = await run_in_threadpool(self.desk.report_intake.receive, reports)
                outcomes += [dataclasses.replace(o, result="report", message=Message("desk.in.to_reports", said=o.message))
                             for o in said]
        finally:
            await form.close()
        lang = request.state.lang
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"results": [o.to_dict(lang) for o in outcomes]})
        return self.page(request, "receive.html", outcomes=outcomes, **self.unmatched_context(lang))

    async def assign_post(self, request: Request):
        form = await self.form_of(request)
        row, unit = self.file_or_404(form_int(form, "file_id")), self.unit_or_404(form_int(form, "unit_id"))
        if await run_in_threadpool(self.desk.store.assign, row["id"], unit["id"]):
            self.flash(request, "desk.assign.done", name=row["original_name"], unit=unit["name"])
        else:
            now_with = self.desk.store.unit(self.desk.store.file(row["id"])["unit_id"])
            self.flash(request, "desk.assign.already", "error", name=row["original_name"], unit=now_with["name"])
        back = str(form.get("back") or "")
        return RedirectResponse(local_path(back, "/receive"), 303)

    async def set_aside_post(self, request: Request):
        form = await self.form_of(request)
        row = self.file_or_404(form_int(form, "file_id"))
        if await run_in_threadpool(self.desk.store.set_aside, row["id"]):
            self.flash(request, "desk.in.set_aside_done", name=row["original_name"])
        return RedirectResponse("/receive#unmatched", 303)

    # --- 单位 ---------------------------------------------------------------------------------------

    def unit_page(self, request: Request):
        desk = self.desk
        unit = self.unit_or_404(request.path_params["unit_id"])
        versions = desk.store.files_of(unit["id"])
        live = [v for v in versions if v["verdict"] != "void"]
        chosen = live[0] if live else (versions[0] if versions else None)
        wanted = request.query_params.get("file", "")
        if wanted.isdigit():
            chosen = next((v for v in versions if v["id"] == int(wanted)), chosen)
        lang = request.state.lang
        findings, tables, texts_, info, report, not_shown = [], [], [], [], None, None
        if chosen is not None:
            findings = json.loads(chosen["findings"])
            try:
                report = desk.report_of(chosen)
            except GkxlError as e:      # its reader was stopped this time (a limit): the findings still show
                not_shown = e.message.render(lang)
            if report is not None:
                tables, texts_, info = shown_tables(report, findings, lang), text_parts(report), info_part(report)
        error = None
        if chosen is not None and chosen["error"]:
            error = json.loads(chosen["error"])[lang]
        overview_row = next((r for r, _ in desk.overview()[0] if r["id"] == unit["id"]), None)
        state = unit_state(overview_row) if overview_row else "missing"
        counted = overview_row["counted_id"] if overview_row else None
        changed, before = version_changes(versions, chosen) if report is not None else ([], None)
        published = desk.store.reports_of(unit["id"])
        published = published[0] if published else None
        against = latest_return(desk.store, unit["id"])
        diffs = differences(published, against)
        if diffs and report is not None and chosen is not None and against is not None and chosen["id"] == against["id"]:
            tables = shown_tables(report, findings + differences_as_findings(diffs), lang)   # marked beside the return
        return self.page(request, "unit.html", unit=unit, versions=versions, chosen=chosen, findings=findings,
                         tables=tables, texts=texts_, info=info, error=error, not_shown=not_shown, state=state,
                         published=published, published_findings=json.loads(published["findings"]) if published else [],
                         published_error=json.loads(published["error"])[lang] if published and published["error"] else None,
                         against=against, diffs=diffs,
                         latest=live[0] if live else None, events=desk.store.events_of(unit["id"]),
                         counted=counted, changed=changed, before=before,
                         contacts=json.loads(unit["extra"] or "{}"),
                         link=desk.unit_link(unit),
                         notice=desk.notice(chosen, lang) if chosen is not None and chosen["errors"] else None,
                         code_problem=json.loads(unit["problem"])[lang] if unit["problem"] else None,
                         units=desk.store.units() if versions else [],
                         number={v["id"]: len(versions) - i for i, v in enumerate(versions)}, nav="unit")

    async def unit_return(self, request: Request):
        form = await self.form_of(request)
        unit = self.unit_or_404(request.path_params["unit_id"])
        versions = self.desk.store.files_of(unit["id"])
        if not versions:
            raise Refused(400, "desk.err.nothing_to_return")
        event = "reopened" if request.url.path.endswith("/reopen") else "returned"
        if str(form.get("file_id") or versions[0]["id"]) != str(versions[0]["id"]):
            # the page was of an earlier version: a newer one came meanwhile, and is what would be marked
            self.flash(request, "desk.unit.newer_arrived", "error")
            return RedirectResponse(f"/unit/{unit['id']}", 303)
        note = str(form.get("note") or "").strip()[:2000] or None
        await run_in_threadpool(self.desk.store.add_event, unit["id"], versions[0]["id"], event, note)
        self.flash(request, f"desk.unit.{event}", unit=unit["name"])
        return RedirectResponse(f"/unit/{unit['id']}", 303)

    async def file_verdict(self, request: Request):
        """以此版为准 / 作废此版 / 恢复: the clerk's word on one version."""
        form = await self.form_of(request)
        row = self.file_or_404(request.path_params["file_id"])
        verdict = {"accept": "accepted", "void": "void", "clear": None}.get(str(form.get("verdict") or ""), "bad")
        if verdict == "bad" or row["unit_id"] is None:
            raise Refused(400, "desk.err.bad_verdict")
        note = str(form.get("note") or "").strip()[:2000] or None
        await run_in_threadpool(self.desk.store.set_verdict, row["id"], verdict, note)
        self.flash(request, f"desk.unit.verdict_{form.get('verdict')}", name=row["original_name"])
        return RedirectResponse(f"/unit/{row['unit_id']}?file={row['id']}", 303)

    async def file_reassign(self, request: Request):
        """改指定单位: a version that is another unit's return."""
        form = await self.form_of(request)
        row, unit = self.file_or_404(request.path_params["file_id"]), self.unit_or_404(form_int(form, "unit_id"))
        was = await run_in_threadpool(self.desk.store.reassign, row["id"], unit["id"])
        if was is not None or row["unit_id"] is None:
            self.flash(request, "desk.assign.done", name=row["original_name"], unit=unit["name"])
        return RedirectResponse(f"/unit/{unit['id']}?file={row['id']}", 303)

    async def deadline_post(self, request: Request):
        """The date by which units are to submit (end of that day, local time); empty: none."""
        import datetime as dt
        form = await self.form_of(request)
        value = str(form.get("deadline") or "").strip()
        try:
            day = dt.date.fromisoformat(value).isoformat() if value else None
        except ValueError:
            self.flash(request, "desk.deadline.bad", "error", value=value[:20])
            return RedirectResponse("/", 303)
        await run_in_threadpool(self.desk.store.set_setting, "deadline", day)
        self.flash(request, "desk.deadline.saved" if day else "desk.deadline.cleared", day=day or "")
        return RedirectResponse("/", 303)

    async def unit_link_renew(self, request: Request):
        """A new link for the unit (the old one opens nothing any more; its templates must be sent again)."""
        await self.form_of(request)
        unit = self.unit_or_404(request.path_params["unit_id"])
        await run_in_threadpool(self.desk.links.renew, unit)
        self.flash(request, "desk.link.renewed", unit=unit["name"])
        return RedirectResponse(f"/unit/{unit['id']}#link", 303)

    def file_original(self, request: Request):
        row = self.file_or_404(request.path_params["file_id"])
        return FileResponse(self.desk.stored_path(row), media_type="application/octet-stream",
                            filename=safe_filename(row["original_name"]))

    def file_annotated(self, request: Request):
        row = self.file_or_404(request.path_params["file_id"])
        if row["status"] == "unreadable":
            raise Refused(400, "annot.unreadable")
        return self.annotated_download(row)

    def annotated_download(self, row):
        """The annotated copy of a stored return, headed by its notice, as a download."""
        d = Path(tempfile.mkdtemp(prefix="gkxl-desk-"))
        target = d / "annotated.xlsx"
        try:
            self.desk.annotated(row, target)
        except BaseException:
            _remove(d)
            raise
        stem = safe_filename(Path(row["original_name"]).stem)
        return self.download(target, f"{stem}_校验标注.xlsx", XLSX, cleanup=d)

    # --- 年报 ---------------------------------------------------------------------------------------

    def report_or_404(self, report_id: int):
        row = self.desk.store.report_row(report_id) if 0 < report_id < ROW_ID_LIMIT else None
        if row is None:
            raise Refused(404, "desk.err.no_file")
        return row

    def reports_context(self, lang: str) -> dict:
        store = self.desk.store
        rows = store.reports()
        against, returns = {}, {}
        for r in rows:
            if r["unit_id"] and r["status"] != "unreadable":
                if r["unit_id"] not in returns:
                    returns[r["unit_id"]] = latest_return(store, r["unit_id"])
                ret = returns[r["unit_id"]]
                against[r["id"]] = None if ret is None else len(differences(r, ret))
        return {"reports": rows, "against": against, "units": store.units(), "nav": "reports", "limits": self.desk.limits,
                "unmatched": [r for r in rows if r["unit_id"] is None],
                "why_unreadable": {r["id"]: json.loads(r["error"])[lang] for r in rows if r["error"]}}

    def reports_page(self, request: Request):
        return self.page(request, "reports.html", outcomes=None, **self.reports_context(request.state.lang))

    async def reports_post(self, request: Request):
        form = await self.form_of(request)
        uploads = [Upload(f.filename or "?", f.file) for f in form.getlist("files") if isinstance(f, UploadFile)]
        try:
            outcomes = await run_in_threadpool(self.desk.report_intake.receive, uploads)
        finally:
            await form.close()
        return self.page(request, "reports.html", outcomes=outcomes, **self.reports_context(request.state.lang))

    async def report_assign_post(self, request: Request):
        form = await self.form_of(request)
        row, unit = self.report_or_404(form_int(form, "report_id")), self.unit_or_404(form_int(form, "unit_id"))
        if await run_in_threadpool(self.desk.store.assign_report, row["id"], unit["id"]):
            self.flash(request, "desk.rep.assigned", name=row["original_name"], unit=unit["name"])
        return RedirectResponse("/reports", 303)

    def report_original(self, request: Request):
        row = self.report_or_404(request.path_params["report_id"])
        return FileResponse(self.desk.store.path_of(row["sha256"]), media_type="application/octet-stream",
                            filename=safe_filename(row["original_name"]))

    # --- 汇总 ---------------------------------------------------------------------------------------

    def summary_page(self, request: Request):
        build = self.desk.summary()
        lang = request.state.lang
        done = build.result
        rows = [{"unit": r.unit, "path": r.path, "status": r.status, "included": r.included,
                 "reason": ("; " if lang == "en" else "；").join(m.render(lang) for m in r.reasons)}
                for r in (done.files if done else [])]
        rows += [{"unit": unit, "path": "", "status": "missing", "included": False,
                  "reason": text("merge.reason.missing", lang)} for unit, _ in (done.missing if done else [])]
        return self.page(request, "summary.html", build=build, entries=rows, nav="summary",
                         office_code=self.desk.store.setting("office_code"),
                         included=sum(bool(e["included"]) for e in rows), missing=sum(e["status"] == "missing" for e in rows),
                         left_out=sum(not e["included"] and e["status"] != "missing" for e in rows))

    async def office_post(self, request: Request):
        form = await self.form_of(request)
        office = str(form.get("office") or "").strip()
        code = str(form.get("office_code") or "").strip().upper()
        if not office:
            self.flash(request, "desk.sum.need_office", "error")
        else:
            await run_in_threadpool(self.desk.store.set_setting, "office", office[:200])
            if code and code_problem(code):
                self.flash(request, "desk.sum.bad_code", "error", reason=Message(code_problem(code), value=code))
            else:
                await run_in_threadpool(self.desk.store.set_setting, "office_code", code[:18] or None)
        return RedirectResponse("/summary", 303)

    def summary_download(self, request: Request):
        what = request.path_params["what"]
        build = self.desk.summary()
        if build.result is None:
            raise Refused(400, "desk.sum.nothing")
        stem = build.download_stem
        if what == "xlsx":
            return self.download(build.workbook, f"{stem}.xlsx", XLSX)
        if what in ("docx", "html"):
            media = "text/html; charset=utf-8" if what == "html" else \
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            return self.download(build.report(what), f"{stem}_报告.{what}", media)
        if what == "csv":
            return self.download(build.csv(), f"{stem}_数据.csv", "text/csv; charset=utf-8")
        if what == "city":
            return self.download(build.city_copy(), f"{stem}_上报.xlsx", XLSX)
        raise Refused(404, "desk.err.not_found")

    def progress_download(self, request: Request):
        """报送进度表: 总览 on paper."""
        from gkxl.desk.keeping import write_progress
        desk, lang = self.desk, request.state.lang
        d = Path(tempfile.mkdtemp(prefix="gkxl-desk-"))
        target = d / "progress.xlsx"
        try:
            write_progress(desk.store, desk.overview()[0], lambda s: state_text(s, lang), desk.office, desk.year, target)
        except BaseException:
            _remove(d)
            raise
        return self.download(target, safe_filename(f"{desk.office or ''}{desk.year}年报送进度表") + ".xlsx", XLSX, cleanup=d)

    async def backup_download(self, request: Request):
        """The whole collection as one zip, with a note of where it lives."""
        from gkxl.desk.keeping import write_backup
        desk = self.desk
        d = Path(tempfile.mkdtemp(prefix="gkxl-desk-"))
        target = d / "backup.zip"
        note = text("desk.backup.note", "zh", folder=str(desk.store.folder.resolve()), year=desk.year)
        try:
            await run_in_threadpool(write_backup, desk.store, target, note)
        except BaseException:
            _remove(d)
            raise
        return self.download(target, safe_filename(f"{desk.year}年报收件夹备份") + ".zip", "application/zip", cleanup=d)

    # --- login --------------------------------------------------------------------------------------

    def login_page(self, request: Request):
        return self.page(request, "login.html", failed=False, nav="login")

    async def login_post(self, request: Request):
        form = await self.form_of(request)
        address = request.client.host if request.client else ""
        wait = self.throttle.wait(address)
        if wait > 0:        # too many wrong passwords: not even looked at until the wait is over
            return self.page(request, "login.html", status=429, failed=False, nav="login",
                             locked=text("desk.login.locked", request.state.lang, seconds=int(wait) + 1))
        if not self.sessions.password_ok(str(form.get("password") or "")):
            self.throttle.failed(address)
            return self.page(request, "login.html", status=403, failed=True, nav="login")
        self.throttle.succeeded(address)
        self.sessions.drop(request.state.sid)
        sid, _ = self.sessions.new(authenticated=True)
        response = RedirectResponse("/", 303)
        response.raw_headers.append(cookie_header(COOKIE, sid, secure=request.url.scheme == "https"))
        return response

    async def logout_post(self, request: Request):
        await self.form_of(request)
        self.sessions.drop(request.state.sid)
        response = RedirectResponse("/login", 303)
        response.raw_headers.append(cookie_header(COOKIE, "", 0))
        return response

    # --- errors -------------------------------------------------------------------------------------

    async def refuse(self, scope, send, status: int, code: str, **params) -> None:
        """A guard's refusal (gkxl.desk.security), before any page runs: the error page, or JSON for a script."""
        lang = request_lang(scope)
        message = text(code, lang, **params)
        if "application/json" in header(scope, "accept"):
            body, ctype = json.dumps({"error": message}, ensure_ascii=False).encode(), b"application/json"
        else:
            body = self.env.get_template("error.html").render(
                t=lambda c, **p: text(c, lang, **p), lang=lang, csrf="", year=self.desk.year, office=None,
                password=False, flash=[], switch_url="?lang=" + ("zh" if lang == "en" else "en"), version=__version__,
                message=message, nav="login").encode()
            ctype = b"text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})

    def refused(self, request: Request, exc: Refused):
        message = text(exc.code, request.state.lang, **exc.params)
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"error": message}, status_code=exc.status)
        return self.page(request, "error.html", status=exc.status, message=message, nav="")

    def gkxl_error(self, request: Request, exc: GkxlError):
        return self.refused(request, Refused(400, exc.code, **exc.params))

    def http_error(self, request: Request, exc: HTTPException):
        code = "desk.err.not_found" if exc.status_code == 404 else "desk.err.http"
        return self.refused(request, Refused(exc.status_code, code, status=exc.status_code))

    def too_large(self, request: Request, exc: BodyTooLarge):
        mb = self.desk.limits.request_bytes // (1024 * 1024)
        return self.refused(request, Refused(413, "desk.sec.too_large", mb=mb))

    def internal(self, request: Request, exc: Exception):
        reason = storage_reason(exc)
        if reason is not None:      # the collection's disk, not the program: say what is wrong with it
            return self.refused(request, Refused(507, "desk.err.storage", folder=str(self.desk.store.folder),
                                                 reason=reason))
        return self.refused(request, Refused(500, "io.internal", kind=type(exc).__name__))


def storage_reason(exc: BaseException):
    """Why the collection could not be written, when that is what failed: the disk is full, read-only, or
    not ours to write (an OSError, or SQLite saying so); else None."""
    import errno
    import sqlite3
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT):
        return os_reason(exc)
    if isinstance(exc, sqlite3.OperationalError):
        said = str(exc).lower()
        if "readonly" in said or "read-only" in said:
            return os_reason(OSError(errno.EROFS, "read-only file system"))
        if "disk is full" in said or "disk i/o" in said:
            return os_reason(OSError(errno.ENOSPC, "no space left on device"))
    return None


def local_path(back: str, default: str) -> str:
    """A page of this desk to go back to; anything else (another site: //host, /\\host) gives `default`."""
    return back if back.startswith("/") and not back.startswith(("//", "/\\")) else default


def create_app(desk: Desk, *, password: str | None = None, allowed_hosts: set[str] | None = None):
    pages = Pages(desk, password)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        await run_in_threadpool(desk.close)      # worker processes end with the desk

    app = Starlette(routes=pages.routes(), lifespan=lifespan, exception_handlers=pages.exception_handlers())
    app.state.desk = desk
    def trusted(scope) -> bool:
        """A unit's upload through its own link may send a return's size without a login."""
        parts = scope["path"].split("/")
        return len(parts) > 3 and parts[1] == "u" and desk.links.unit_of(parts[2]) is not None
    guard = guarded(app, pages.sessions, pages.refuse, allowed_hosts=allowed_hosts,
                    request_limit=desk.limits.request_bytes, trusted=trusted)
    guard.routes = app.routes
    return guard


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _remove(path: Path) -> None:
    import shutil
    shutil.rmtree(path, ignore_errors=True)


def post_routes(guard) -> list[str]:
    """Every path that takes a POST (the tests refuse a token-less POST on each)."""
    return [r.path for r in guard.routes if isinstance(r, Route) and "POST" in (r.methods or ())]
