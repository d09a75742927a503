"""Receiving files: each upload (or each workbook in an uploaded zip) staged with size limits, recognised
when the same content came before, checked as `gkxl check` does, matched to its unit, then kept and
recorded in one step. Original names are shown, never used as paths.
"""
from __future__ import annotations

import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import BinaryIO

from gkxl.desk.checking import Checker, received
from gkxl.desk.store import Received, Staged, Store, TooLarge
from gkxl.form.model import unit_key
from gkxl.io.archives import is_archive, member_name
from gkxl.io.inputs import DOCUMENT_SUFFIXES, WORKBOOK_SUFFIXES
from gkxl.text.messages import Message

MB = 1024 * 1024
MAX_ARCHIVE_MEMBERS = 5000


@dataclass
class Limits:
    file_bytes: int = 30 * MB          # the same ceiling as check's vetting (gkxl.io.source.MAX_FILE_BYTES)
    request_bytes: int = 300 * MB


@dataclass
class Upload:
    name: str                          # as the browser sent it: shown, never a path
    stream: BinaryIO


@dataclass
class Outcome:
    """What became of one received file, for the page (and the JSON the upload script reads)."""
    name: str
    result: str                        # stored | same | refused | skipped
    message: Message | None = None
    file_id: int | None = None
    status: str | None = None          # ok | invalid | unreadable
    unit_id: int | None = None
    unit_name: str | None = None
    errors: int = 0
    warnings: int = 0
    suggestion: int | None = None      # a unit the clerk may mean, when the file itself does not say

    def to_dict(self, lang: str) -> dict:
        return {"name": self.name, "result": self.result, "message": self.message.render(lang) if self.message else "",
                "file_id": self.file_id,
                "status": self.status, "unit_id": self.unit_id, "unit_name": self.unit_name,
                "errors": self.errors, "warnings": self.warnings, "suggestion": self.suggestion}


@dataclass
class _Item:
    name: str
    staged: Staged
    outcome: Outcome | None = None
    received: Received | None = None
    extra: dict = field(default_factory=dict)


def is_published_report(name: str) -> bool:
    """A Word, PDF, web or text file: a published report, never a return (those are workbooks and gkxl
    JSON). The one rule 收件, zips and folders follow."""
    return PurePosixPath(name).suffix.lower() in DOCUMENT_SUFFIXES


class Intake:
    wanted = WORKBOOK_SUFFIXES | {".json"}            # what is taken out of an uploaded zip
    not_wanted = "desk.in.not_workbook"

    def __init__(self, store: Store, checker: Checker, limits: Limits | None = None):
        self.store, self.checker, self.limits = store, checker, limits or Limits()

    # --- staging ----------------------------------------------------------------------------------

    def _staged(self, uploads: list[Upload], done: list[Outcome], staged_all: list[_Item]) -> Iterator[_Item]:
        """Each upload (each workbook of an uploaded zip) staged, as it is asked for, and listed in
        `staged_all` as soon as it is on disk (to be cleaned up whatever happens); what is refused or
        skipped goes to `done`."""
        budget = [self.limits.request_bytes]
        for up in uploads:
            try:
                staged = self.store.stage(up.stream, self.limits.file_bytes, sync=False)
            except TooLarge:
                done.append(Outcome(up.name, "refused", Message("desk.in.too_big", mb=self.limits.file_bytes // MB)))
                continue
            if up.name.lower().endswith(".zip") and is_archive(staged.path):
                try:
                    got, skipped = self._unpack(staged, up.name, budget)
                finally:
                    self.store.discard(staged)
                done += skipped
                staged_all += got
                yield from got
            else:
                staged_all.append(_Item(up.name, staged))
                yield staged_all[-1]

    def _unpack(self, archive: Staged, shown: str, budget: list[int]) -> tuple[list[_Item], list[Outcome]]:
        items, done = [], []
        try:
            zf = zipfile.ZipFile(archive.path)
            infos = [i for i in zf.infolist() if not i.is_dir()]
        except (zipfile.BadZipFile, OSError, ValueError):
            return [], [Outcome(shown, "refused", Message("desk.in.zip_broken"))]
        if len(infos) > MAX_ARCHIVE_MEMBERS:
            return [], [Outcome(shown, "refused", Message("desk.in.zip_many", count=len(infos), most=MAX_ARCHIVE_MEMBERS))]
        with zf:
            for info in infos:
                name = member_name(info)
                label = f"{shown} › {name}"
                parts = PurePosixPath(info.filename).parts
                if any(p.startswith("__MACOSX") for p in parts) or name.startswith((".", "~$")):
                    done.append(Outcome(label, "skipped", Message("inputs.lock_file") if name.startswith("~$")
                                        else Message("desk.in.zip_system")))
                    continue
                if PurePosixPath(name).suffix.lower() not in self.wanted:
                    document = is_published_report(name) and self.wanted != DOCUMENT_SUFFIXES
                    done.append(Outcome(label, "skipped", Message("desk.in.zip_report" if document else self.not_wanted)))
                    continue
                if info.file_size > self.limits.file_bytes:
                    done.append(Outcome(label, "refused", Message("desk.in.too_big", mb=self.limits.file_bytes // MB)))
                    continue
                if info.file_size > budget[0]:
                    done.append(Outcome(label, "refused", Message("desk.in.zip_too_big", mb=self.limits.request_bytes // MB)))
                    continue
                try:
                    with zf.open(info) as member:
                        staged = self.store.stage(member, self.limits.file_bytes, sync=False)
                except TooLarge:
                    done.append(Outcome(label, "refused", Message("desk.in.too_big", mb=self.limits.file_bytes // MB)))
                    continue
                except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
                    done.append(Outcome(label, "refused", Message("desk.in.zip_member_broken")))
                    continue
                budget[0] -= staged.size
                items.append(_Item(label, staged))
        return items, done

    # --- the whole intake -------------------------------------------------------------------------

    def receive(self, uploads: list[Upload], for_unit=None) -> list[Outcome]:
        """Stage, check, match, keep and record `uploads`. `for_unit`: a unit handing in through its own
        link: what it sends is its return, unless the file is another unit's template (then refused, and
        nothing is kept)."""
        items: list[_Item] = []          # every file staged, in order
        fresh: list[_Item] = []          # those to check: not known before, not twice in this upload
        done: list[Outcome] = []
        first_here: dict[str, str] = {}
        prepared: list = []              # the fsync of the staged files and their folders, in a thread

        def to_check():
            """Files staged as the workers can take them: the first are checked while the rest arrive."""
            for item in self._staged(uploads, done, items):
                if self._is_new(item, first_here):
                    fresh.append(item)
                    yield str(item.staged.path)
            # to disk, and their folders made, while the last are checked
            prepared.append(syncing.submit(self._prepare, [i.staged for i in fresh]))
        try:
            with ThreadPoolExecutor(1) as syncing:
                results = self.checker.check(to_check(), expected=len(uploads))
                for p in prepared:
                    p.result()
            for item, (result, extra) in zip(fresh, results):
                item.extra = extra
                item.received = received(item.staged, item.name, result, extra, self.checker.stamp(result))
                self._match(item)
                if for_unit is not None:
                    self._for_unit(item, for_unit)
            fresh = [i for i in fresh if i.outcome is None]
            ids = self.store.record([i.received for i in fresh])
            for item, file_id in zip(fresh, ids):
                item.outcome = self._stored_outcome(item, file_id)
            firsts = {i.staged.sha256: i.outcome for i in fresh}
            for item in items:      # sent twice in this upload: what became of the first, beside it
                first = firsts.get(item.staged.sha256) if item.outcome and item.outcome.result == "same" else None
                if first is not None and item.outcome.file_id is None:
                    item.outcome.file_id, item.outcome.status = first.file_id, first.status
                    item.outcome.unit_id, item.outcome.unit_name = first.unit_id, first.unit_name
                    item.outcome.errors, item.outcome.warnings = first.errors, first.warnings
        finally:
            for item in items:
                if item.staged.path.parent == self.store.staging:
                    self.store.discard(item.staged)
        outcomes = [i.outcome for i in items if i.outcome] + done
        if for_unit is not None:     # a unit sees its own files only: another's is named by nothing
            outcomes = [o if o.result != "same" or o.unit_id == for_unit["id"]
                        else Outcome(o.name, "refused", Message("desk.in.someone_elses")) for o in outcomes]
        return outcomes

    def _prepare(self, staged: list[Staged]) -> None:
        self.store.sync_staged(staged)
        self.store.make_folders([s.sha256 for s in staged])

    def _is_new(self, item: _Item, first_here: dict[str, str]) -> bool:
        """Whether the file is to be checked: not recorded before, not sent twice in this upload (else its
        outcome says which it is the same as)."""
        sha = item.staged.sha256
        earlier = self.store.known(sha)
        if earlier is not None:
            item.outcome = self._same_outcome(item.name, earlier)
        elif sha in first_here:
            item.outcome = Outcome(item.name, "same", Message("desk.in.same_here", name=first_here[sha]))
        else:
            first_here[sha] = item.name
            return True
        return False

    def _same_outcome(self, name: str, row) -> Outcome:
        unit = self.store.unit(row["unit_id"]) if row["unit_id"] else None
        return Outcome(name, "same", Message("desk.in.same", name=row["original_name"], at=row["received_at"][:16].replace("T", " ")),
                       file_id=row["id"], status=row["status"], unit_id=row["unit_id"],
                       unit_name=unit["name"] if unit else None, errors=row["errors"], warnings=row["warnings"])

    def _match(self, item: _Item) -> None:
        """The unit a return belongs to, decided once: the unit its template was issued to (hidden in the
        template), else its 单位代码, else the unit name it shows. The clerk's assignment comes later."""
        r = item.received
        source = (item.extra.get("report") or {}).get("source") or {}
        meta = source.get("metadata") if isinstance(source.get("metadata"), dict) else {}
        issued = meta.get("unit") if meta.get("role") == "template" else None
        for find, value in ((self.store.unit_by_name, issued), (self.store.unit_by_code, item.extra.get("unit_code")),
                            (self.store.unit_by_name, r.unit_read)):
            unit = find(value) if isinstance(value, str) and value.strip() else None
            if unit is not None:
                r.unit_id, r.matched_by = unit["id"], "identity"
                return

    def _for_unit(self, item: _Item, unit) -> None:
        r = item.received
        if r.unit_id is not None and r.unit_id != unit["id"]:
            other = self.store.unit(r.unit_id)
            item.outcome = Outcome(item.name, "refused", Message("desk.in.other_units_template", unit=other["name"]))
            return
        r.unit_id, r.matched_by = unit["id"], "link"

    def suggest(self, name: str) -> int | None:
        """A unit whose name is in the file name, when exactly one is: a suggestion the clerk confirms."""
        key = unit_key(name)
        hits = [u for u in self.store.units() if u["key"] and u["key"] in key]
        longest = max((len(u["key"]) for u in hits), default=0)
        best = [u for u in hits if len(u["key"]) == longest]
        return best[0]["id"] if len(best) == 1 else None

    def _stored_outcome(self, item: _Item, file_id: int | None) -> Outcome:
        if file_id is None:        # the same content was recorded a moment ago by another upload
            return self._same_outcome(item.name, self.store.known(item.staged.sha256))
        r = item.received
        unit = self.store.unit(r.unit_id) if r.unit_id else None
        if r.status == "unreadable":
            message = r.error
        elif unit is None:
            message = Message("desk.in.no_unit", unit=r.unit_read or Message("out.unknown"))
        else:
            message = Message(f"desk.in.stored_{r.status}", errors=r.errors, warnings=r.count("warning"))
        return Outcome(item.name, "stored", message, file_id, r.status, r.unit_id, unit["name"] if unit else None,
                       r.errors, r.count("warning"), None if unit else self.suggest(item.name))
