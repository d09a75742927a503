"""The collection store: one SQLite database (WAL) beside a files/ folder of the returns, named by sha256.

A return is kept once by its content: staged in files/tmp (written, fsynced), renamed into
files/ab/<sha256>, and only then recorded in the database. A process killed at any point leaves either
a recorded, complete file or nothing: staged leftovers and unrecorded files are swept when the store
is next opened for serving. The schema is versioned with PRAGMA user_version and migrated on open.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from gkxl.form.model import unit_key
from gkxl.io.inputs import DOCUMENT_SUFFIXES
from gkxl.text.errors import GkxlError
from gkxl.text.messages import Message

DB_NAME = "desk.sqlite"
FILES_DIR = "files"
STAGING_DIR = "tmp"
LOCK_NAME = "desk.lock"
CHUNK = 1 << 20

# Each entry brings a database of the version before it to its own version (index + 1). Never edit a
# released step: add one. v1 is the first layout; v2 keeps finding counts beside the findings (总览 of
# thousands of units without parsing JSON) and records which rules and last-year data a check used; v3 keeps
# the report each check read (the summary and the pages read no file again), counts 提示 apart from 警告, and
# has every file checked again to fill them in; v4 keeps the published reports (年报), apart from the returns;
# v5 keeps the clerk's word on a version (以此版为准 / 作废此版), and a unit's other columns (联系人…) and the
# problem of the code the list gave it; v6 the units' own links (the hash of each unit's token, never the
# token) and a unit's 正式报送 of a version.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT);
    CREATE TABLE units (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        code TEXT,
        key TEXT NOT NULL UNIQUE,
        position INTEGER NOT NULL,
        listed INTEGER NOT NULL DEFAULT 1
    );
    CREATE TABLE files (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        original_name TEXT NOT NULL,
        size INTEGER NOT NULL,
        received_at TEXT NOT NULL,
        unit_id INTEGER REFERENCES units(id),
        matched_by TEXT,
        unit_read TEXT,
        year INTEGER,
        status TEXT NOT NULL,
        findings TEXT NOT NULL DEFAULT '[]',
        error TEXT
    );
    CREATE INDEX files_by_unit ON files(unit_id, id);
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        unit_id INTEGER REFERENCES units(id),
        file_id INTEGER REFERENCES files(id),
        kind TEXT NOT NULL,
        note TEXT,
        at TEXT NOT NULL
    );
    CREATE INDEX events_by_file ON events(file_id, id);
    """,
    """
    ALTER TABLE files ADD COLUMN errors INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE files ADD COLUMN warnings INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE files ADD COLUMN checked_with TEXT NOT NULL DEFAULT '';
    UPDATE files SET
        errors = (SELECT count(*) FROM json_each(files.findings) WHERE json_extract(value, '$.severity') = 'error'),
        warnings = (SELECT count(*) FROM json_each(files.findings) WHERE json_extract(value, '$.severity') = 'warning');
    """,
    """
    ALTER TABLE files ADD COLUMN report TEXT;
    ALTER TABLE files ADD COLUMN infos INTEGER NOT NULL DEFAULT 0;
    UPDATE files SET
        warnings = (SELECT count(*) FROM json_each(files.findings) WHERE json_extract(value, '$.severity') = 'warning'),
        infos = (SELECT count(*) FROM json_each(files.findings) WHERE json_extract(value, '$.severity') = 'info'),
        checked_with = '';
    """,
    """
    CREATE TABLE reports (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        original_name TEXT NOT NULL,
        size INTEGER NOT NULL,
        received_at TEXT NOT NULL,
        unit_id INTEGER REFERENCES units(id),
        unit_read TEXT,
        year INTEGER,
        status TEXT NOT NULL,
        findings TEXT NOT NULL DEFAULT '[]',
        error TEXT,
        errors INTEGER NOT NULL DEFAULT 0,
        warnings INTEGER NOT NULL DEFAULT 0,
        infos INTEGER NOT NULL DEFAULT 0,
        spec TEXT,
        figures TEXT,
        places TEXT
    );
    CREATE INDEX reports_by_unit ON reports(unit_id, id);
    """,
    """
    ALTER TABLE files ADD COLUMN verdict TEXT;
    ALTER TABLE units ADD COLUMN extra TEXT;
    ALTER TABLE units ADD COLUMN problem TEXT;
    """,
    """
    ALTER TABLE units ADD COLUMN token_hash TEXT;
    ALTER TABLE units ADD COLUMN token_gen INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE units ADD COLUMN opened_at TEXT;
    CREATE UNIQUE INDEX units_by_token ON units(token_hash);
    ALTER TABLE files ADD COLUMN submitted_at TEXT;
    ALTER TABLE files ADD COLUMN submit_note TEXT;
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


def now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass
class Staged:
    """A received file written to the staging folder, fsynced, not yet kept or recorded."""
    path: Path
    sha256: str
    size: int


@dataclass
class Received:
    """What the desk knows about one stored file, ready to be recorded."""
    staged: Staged
    original_name: str
    status: str                      # ok | invalid | unreadable
    findings: list[dict]
    error: Message | None = None     # why unreadable (FileResult.error)
    unit_id: int | None = None
    matched_by: str | None = None    # identity | clerk
    unit_read: str | None = None
    year: int | None = None
    checked_with: str = ""
    report: dict | None = None       # the report as read (Report.to_dict), None when unreadable

    def count(self, severity: str) -> int:
        return sum(f.get("severity") == severity for f in self.findings)

    @property
    def errors(self) -> int:
        return self.count("error")


class TooLarge(Exception):
    pass


def _connect(db: Path, read_only: bool = False) -> sqlite3.Connection:
    if read_only:       # last year's collection, perhaps on a read-only share: never written
        try:
            conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=30,
                                   isolation_level=None, check_same_thread=False)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:   # a folder not ours to write: its journal cannot be opened either
            conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro&immutable=1", uri=True, timeout=30,
                                   isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        return conn
    conn = sqlite3.connect(db, timeout=30, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")     # a committed return survives a power cut
    return conn


def migrate(conn: sqlite3.Connection, upto: int = SCHEMA_VERSION) -> int:
    """Bring the database to version `upto`, one step per transaction. Returns the version found."""
    found = conn.execute("PRAGMA user_version").fetchone()[0]
    if found > SCHEMA_VERSION:
        raise GkxlError("desk.store.too_new", found=found, known=SCHEMA_VERSION)
    for version in range(found, upto):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[version].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return found


class Store:
    """A collection folder: desk.sqlite, files/, and a lock while a desk serves it."""

    def __init__(self, folder: Path, *, create: bool = False, read_only: bool = False):
        """`read_only`: a collection only read from (last year's, given to --previous): nothing is made or
        migrated; a newer gkxl's collection is still refused."""
        self.folder = Path(folder)
        self.db = self.folder / DB_NAME
        self.files = self.folder / FILES_DIR
        self.staging = self.files / STAGING_DIR
        self.read_only = read_only
        if not self.db.exists() and not create:
            raise GkxlError("desk.store.missing", path=str(self.folder))
        self._local = threading.local()
        self._made: set[Path] = set()        # files/ subfolders made by this desk (never removed while it runs)
        if read_only:
            try:
                with self.connection() as conn:
                    found = conn.execute("PRAGMA user_version").fetchone()[0]
            except sqlite3.DatabaseError as e:
                raise GkxlError("desk.store.broken", path=str(self.db), detail=str(e)) from None
            if found > SCHEMA_VERSION:
                raise GkxlError("desk.store.too_new", found=found, known=SCHEMA_VERSION)
            return
        try:
            self.staging.mkdir(parents=True, exist_ok=True)
            with self.connection() as conn:
                conn.execute("PRAGMA journal_mode = WAL")
                migrate(conn)
        except sqlite3.DatabaseError as e:
            raise GkxlError("desk.store.broken", path=str(self.db), detail=str(e)) from None
        except OSError as e:
            raise GkxlError("desk.store.unwritable", path=str(self.folder), detail=e.strerror or str(e)) from None

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection (opening one costs more than most queries); closed with the thread."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = _connect(self.db, self.read_only)
        yield conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    # --- settings ---------------------------------------------------------------------------------

    def setting(self, name: str, default: str | None = None) -> str | None:
        with self.connection() as conn:
            row = conn.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
        return row["value"] if row and row["value"] is not None else default

    def set_setting(self, name: str, value: str | None) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT INTO settings(name, value) VALUES (?, ?) "
                         "ON CONFLICT(name) DO UPDATE SET value = excluded.value", (name, value))

    # --- units ------------------------------------------------------------------------------------

    def set_units(self, units) -> dict:
        """Make the list `units` (objects with .name, .code, and perhaps .extra and .problem) the units
        list, in its order. A unit keeps its id, and so its returns, when the list renames it (found by its
        code); units that left the list but have returns stay, unlisted, so nothing received is lost.
        Returns the counts and the names renamed and unlisted."""
        added = kept = 0
        renamed, unlisted = [], []
        with self.transaction() as conn:
            existing = {r["key"]: r for r in conn.execute("SELECT id, key, name, code, listed FROM units")}
            by_code: dict[str, list] = {}
            for r in existing.values():
                if r["code"]:
                    by_code.setdefault(r["code"], []).append(r)
            wanted = {unit_key(u.name) for u in units}
            conn.execute("UPDATE units SET listed = 0, position = position + 1000000")
            taken: set[int] = set()
            for position, u in enumerate(units):
                key = unit_key(u.name)
                extra = json.dumps(getattr(u, "extra", None) or {}, ensure_ascii=False)
                problem = _sentence(getattr(u, "problem", None))
                row = existing.get(key)
                if row is None and u.code and len(by_code.get(u.code, ())) == 1:
                    old = by_code[u.code][0]          # the same code under a new name: the unit renamed
                    if old["key"] not in wanted and old["id"] not in taken:
                        row = old
                        renamed.append((old["name"], u.name))
                if row is not None and row["id"] not in taken:
                    conn.execute("UPDATE units SET name = ?, code = ?, key = ?, position = ?, listed = 1, extra = ?,"
                                 " problem = ? WHERE id = ?", (u.name, u.code, key, position, extra, problem, row["id"]))
                    taken.add(row["id"])
                    kept += 1
                else:
                    conn.execute("INSERT INTO units(name, code, key, position, extra, problem) VALUES (?, ?, ?, ?, ?, ?)",
                                 (u.name, u.code, key, position, extra, problem))
                    added += 1
            unlisted = [r["name"] for r in existing.values() if r["listed"] and r["id"] not in taken]
            removed = conn.execute(
                "DELETE FROM units WHERE listed = 0 AND id NOT IN (SELECT unit_id FROM files WHERE unit_id IS NOT NULL)"
                " AND id NOT IN (SELECT unit_id FROM events WHERE unit_id IS NOT NULL)"
                " AND id NOT IN (SELECT unit_id FROM reports WHERE unit_id IS NOT NULL)").rowcount
        return {"added": added, "kept": kept - len(renamed), "removed": removed, "renamed": renamed,
                "unlisted": unlisted}

    def units(self, listed_only: bool = True) -> list[sqlite3.Row]:
        with self.connection() as conn:
            where = "WHERE listed = 1" if listed_only else ""
            return conn.execute(f"SELECT * FROM units {where} ORDER BY position").fetchall()

    def unit(self, unit_id: int) -> sqlite3.Row | None:
        with self.connection() as conn:
            return conn.execute("SELECT * FROM units WHERE id = ?", (unit_id,)).fetchone()

    def unit_by_name(self, name) -> sqlite3.Row | None:
        with self.connection() as conn:
            return conn.execute("SELECT * FROM units WHERE key = ?", (unit_key(name),)).fetchone()

    def unit_by_code(self, code) -> sqlite3.Row | None:
        if not code:
            return None
        with self.connection() as conn:
            rows = conn.execute("SELECT * FROM units WHERE code = ?", (str(code).strip(),)).fetchall()
        return rows[0] if len(rows) == 1 else None

    # --- files: stage, keep, record ---------------------------------------------------------------

    def stage(self, stream: BinaryIO, limit: int | None = None, sync: bool = True) -> Staged:
        """Copy `stream` into the staging folder while hashing it; fsync unless `sync` is False (then
        sync_staged() before record()). Raises TooLarge past `limit` bytes."""
        fd, tmp = tempfile.mkstemp(dir=self.staging, prefix="in-")
        digest, size = hashlib.sha256(), 0
        try:
            with os.fdopen(fd, "wb") as out:
                while block := stream.read(CHUNK):
                    size += len(block)
                    if limit is not None and size > limit:
                        raise TooLarge(size)
                    digest.update(block)
                    out.write(block)
                out.flush()
                if sync:
                    os.fsync(out.fileno())
        except BaseException:
            _unlink(Path(tmp))
            raise
        return Staged(Path(tmp), digest.hexdigest(), size)

    @staticmethod
    def sync_staged(staged: list[Staged]) -> None:
        """fsync many staged files at once: the disk flushes them together, not one after another."""
        def flush(path: Path) -> None:
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        if len(staged) < 4:
            for s in staged:
                flush(s.path)
            return
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(flush, [s.path for s in staged]))

    def discard(self, staged: Staged) -> None:
        _unlink(staged.path)

    def path_of(self, sha256: str) -> Path:
        return self.files / sha256[:2] / sha256

    def make_folders(self, hashes) -> None:
        """The folders these files will be kept in, made ahead (an upload makes them while its files are
        checked: on some disks a mkdir costs as much as checking a return)."""
        for folder in {self.path_of(h).parent for h in hashes} - self._made:
            folder.mkdir(exist_ok=True)
            self._made.add(folder)

    def keep(self, staged: Staged) -> Path:
        """Move a staged file to its place by hash. The same content twice is the same file."""
        target = self.path_of(staged.sha256)
        if target.parent not in self._made:
            target.parent.mkdir(exist_ok=True)
        os.replace(staged.path, target)
        staged.path = target
        return target

    def sync_folders(self, folders) -> None:
        """Make the renames durable before the rows that point at them are committed."""
        for d in {self.files, *folders}:
            _fsync_dir(d)

    def known(self, sha256: str) -> sqlite3.Row | None:
        with self.connection() as conn:
            return conn.execute("SELECT * FROM files WHERE sha256 = ?", (sha256,)).fetchone()

    def record(self, received: list[Received]) -> list[int | None]:
        """Keep every staged file and record them all in one transaction. Returns each file's id, or
        None where the same content was recorded first (by another upload at the same time)."""
        folders = {self.keep(r.staged).parent for r in received}
        if received:
            self.sync_folders(folders)
        ids: list[int | None] = []
        at = now()
        with self.transaction() as conn:
            for r in received:
                cur = conn.execute(
                    "INSERT OR IGNORE INTO files(sha256, original_name, size, received_at, unit_id, matched_by, unit_read,"
                    " year, status, findings, error, errors, warnings, infos, checked_with, report)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (r.staged.sha256, r.original_name, r.staged.size, at, r.unit_id, r.matched_by, r.unit_read,
                     r.year if isinstance(r.year, int) else None, r.status, json.dumps(r.findings, ensure_ascii=False),
                     _sentence(r.error), r.errors, r.count("warning"), r.count("info"), r.checked_with,
                     _json(r.report)))
                ids.append(cur.lastrowid if cur.rowcount else None)
                if cur.rowcount and r.unit_id is not None:     # every version is an event of its unit's history
                    conn.execute("INSERT INTO events(unit_id, file_id, kind, at) VALUES (?, ?, ?, ?)",
                                 (r.unit_id, cur.lastrowid, "received_by_unit" if r.matched_by == "link" else "received", at))
        return ids

    def update_check(self, file_id: int, received: Received) -> None:
        """Store the findings of a new check of a recorded file (new rules, last year's data linked)."""
        with self.transaction() as conn:
            conn.execute("UPDATE files SET status = ?, findings = ?, error = ?, errors = ?, warnings = ?, infos = ?, "
                         "checked_with = ?, unit_read = ?, year = ?, report = ? WHERE id = ?",
                         (received.status, json.dumps(received.findings, ensure_ascii=False),
                          _sentence(received.error), received.errors, received.count("warning"),
                          received.count("info"), received.checked_with, received.unit_read,
                          received.year if isinstance(received.year, int) else None, _json(received.report), file_id))

    # --- files: read ------------------------------------------------------------------------------

    def file(self, file_id: int) -> sqlite3.Row | None:
        with self.connection() as conn:
            return conn.execute("SELECT * FROM files WHERE id = ?", (file_id,)).fetchone()

    def files_of(self, unit_id: int) -> list[sqlite3.Row]:
        """A unit's versions, newest first, each with whether it was returned (退回) to the unit."""
        with self.connection() as conn:
            return conn.execute(f"SELECT f.*, {_RETURNED} AS returned FROM files f WHERE unit_id = ? ORDER BY id DESC",
                                (unit_id,)).fetchall()

    def unmatched(self) -> list[sqlite3.Row]:
        """Files without a unit, but those the clerk set aside (not a return: an empty file, a letter)."""
        with self.connection() as conn:
            return conn.execute("SELECT * FROM files WHERE unit_id IS NULL AND id NOT IN"
                                " (SELECT file_id FROM events WHERE kind = 'set_aside') ORDER BY id").fetchall()

    def set_aside(self, file_id: int) -> bool:
        """Take a file without a unit off the list of files to assign (it stays stored, and its history
        says so); False when it has a unit meanwhile or was set aside already."""
        with self.transaction() as conn:
            waiting = conn.execute("SELECT 1 FROM files WHERE id = ? AND unit_id IS NULL AND id NOT IN"
                                   " (SELECT file_id FROM events WHERE kind = 'set_aside')", (file_id,)).fetchone()
            if waiting:
                conn.execute("INSERT INTO events(unit_id, file_id, kind, at) VALUES (NULL, ?, 'set_aside', ?)",
                             (file_id, now()))
        return waiting is not None

    def readable_files(self) -> list[sqlite3.Row]:
        """Returns that could be read (with or without errors), newest first."""
        with self.connection() as conn:
            return conn.execute("SELECT * FROM files WHERE status IN ('ok', 'invalid') ORDER BY id DESC").fetchall()

    def all_files(self) -> list[sqlite3.Row]:
        with self.connection() as conn:
            return conn.execute("SELECT id, sha256, original_name, checked_with FROM files ORDER BY id").fetchall()

    def overview(self) -> list[sqlite3.Row]:
        """Every unit with a list place or a return: its latest version's state and counts (a version the
        clerk voided is no longer its latest), and the version the summary counts, in list order."""
        with self.connection() as conn:
            return conn.execute(f"""
                SELECT u.id, u.name, u.code, u.listed, u.problem AS code_problem, u.token_hash, u.token_gen, c.versions, f.id AS file_id, f.status, f.received_at,
                       f.errors, f.warnings, f.original_name, {_RETURNED} AS returned, {_COUNTED} AS counted_id,
                       f.submitted_at, u.opened_at,
                       {_BLANK.replace('g.', 'f.')} AS blank
                FROM units u
                LEFT JOIN (SELECT unit_id, max(id) AS latest, count(*) AS versions FROM files
                           WHERE unit_id IS NOT NULL AND verdict IS NOT 'void' GROUP BY unit_id) c ON c.unit_id = u.id
                LEFT JOIN files f ON f.id = c.latest
                WHERE u.listed = 1 OR c.versions IS NOT NULL
                ORDER BY u.listed DESC, u.position""").fetchall()

    def set_verdict(self, file_id: int, verdict: str | None, note: str | None = None) -> bool:
        """The clerk's word on a version: 'accepted' (以此版为准: the one the summary counts, errors or not;
        no other version of its unit stays accepted), 'void' (作废: never counted, never the latest), or
        None (back to the rule). False when the file has no unit."""
        assert verdict in ("accepted", "void", None)
        with self.transaction() as conn:
            row = conn.execute("SELECT unit_id FROM files WHERE id = ?", (file_id,)).fetchone()
            if row is None or row["unit_id"] is None:
                return False
            if verdict == "accepted":
                conn.execute("UPDATE files SET verdict = NULL WHERE unit_id = ? AND verdict = 'accepted'", (row["unit_id"],))
            conn.execute("UPDATE files SET verdict = ? WHERE id = ?", (verdict, file_id))
            conn.execute("INSERT INTO events(unit_id, file_id, kind, note, at) VALUES (?, ?, ?, ?, ?)",
                         (row["unit_id"], file_id, {"accepted": "accepted", "void": "voided", None: "verdict_cleared"}[verdict],
                          note, now()))
        return True

    def reassign(self, file_id: int, unit_id: int) -> int | None:
        """Give a version to another unit (改指定单位); the unit it had, or None when nothing changed."""
        with self.transaction() as conn:
            row = conn.execute("SELECT unit_id FROM files WHERE id = ?", (file_id,)).fetchone()
            if row is None or row["unit_id"] == unit_id:
                return None
            conn.execute("UPDATE files SET unit_id = ?, matched_by = 'clerk', verdict = NULL WHERE id = ?", (unit_id, file_id))
            for unit, kind in ((row["unit_id"], "moved_out"), (unit_id, "moved_in")):
                if unit is not None:
                    conn.execute("INSERT INTO events(unit_id, file_id, kind, note, at) VALUES (?, ?, ?, NULL, ?)",
                                 (unit, file_id, kind, now()))
            return row["unit_id"]

    def assign(self, file_id: int, unit_id: int) -> bool:
        """Give a file that has no unit yet its unit; False (and nothing changed) when it has one already
        (given meanwhile, in another tab or by another clerk)."""
        with self.transaction() as conn:
            changed = conn.execute("UPDATE files SET unit_id = ?, matched_by = 'clerk' WHERE id = ? AND unit_id IS NULL",
                                   (unit_id, file_id)).rowcount
            if changed:
                conn.execute("INSERT INTO events(unit_id, file_id, kind, at) VALUES (?, ?, 'assigned', ?)",
                             (unit_id, file_id, now()))
        return bool(changed)

    # --- published reports (年报) --------------------------------------------------------------------

    def known_report(self, sha256: str) -> sqlite3.Row | None:
        with self.connection() as conn:
            return conn.execute("SELECT * FROM reports WHERE sha256 = ?", (sha256,)).fetchone()

    def record_report(self, staged: Staged, name: str, row: dict) -> int | None:
        """Keep a published report and record it with its check; None when the same content was recorded
        first (by another upload at the same time)."""
        self.keep(staged)
        self.sync_folders({staged.path.parent})
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT OR IGNORE INTO reports(sha256, original_name, size, received_at, unit_id, unit_read, year,"
                " status, findings, error, errors, warnings, infos, spec, figures, places)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (staged.sha256, name, staged.size, now(), row["unit_id"], row["unit_read"], row["year"],
                 row["status"], json.dumps(row["findings"], ensure_ascii=False), _sentence(row["error"]),
                 row["errors"], row["warnings"], row["infos"], row["spec"], _json(row["figures"]), _json(row["places"])))
            return cur.lastrowid if cur.rowcount else None

    def report_row(self, report_id: int) -> sqlite3.Row | None:
        with self.connection() as conn:
            return conn.execute("SELECT * FROM reports WHERE id = ?", (report_id,)).fetchone()

    def reports(self) -> list[sqlite3.Row]:
        """Every published report received, newest first, with its unit's name."""
        with self.connection() as conn:
            return conn.execute("SELECT r.*, u.name AS unit_name FROM reports r LEFT JOIN units u ON u.id = r.unit_id"
                                " ORDER BY r.id DESC").fetchall()

    def reports_of(self, unit_id: int) -> list[sqlite3.Row]:
        with self.connection() as conn:
            return conn.execute("SELECT * FROM reports WHERE unit_id = ? ORDER BY id DESC", (unit_id,)).fetchall()

    def assign_report(self, report_id: int, unit_id: int) -> bool:
        with self.transaction() as conn:
            return bool(conn.execute("UPDATE reports SET unit_id = ? WHERE id = ? AND unit_id IS NULL",
                                     (unit_id, report_id)).rowcount)

    # --- state changes ----------------------------------------------------------------------------

    def add_event(self, unit_id: int, file_id: int | None, kind: str, note: str | None = None) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT INTO events(unit_id, file_id, kind, note, at) VALUES (?, ?, ?, ?, ?)",
                         (unit_id, file_id, kind, note, now()))

    # --- the units' own links ----------------------------------------------------------------------

    def unit_by_token_hash(self, token_hash: str) -> sqlite3.Row | None:
        with self.connection() as conn:
            return conn.execute("SELECT * FROM units WHERE token_hash = ?", (token_hash,)).fetchone()

    def set_token(self, unit_id: int, token_hash: str, gen: int, changed: bool) -> None:
        """Record a unit's link (its hash); `changed`: a new link replaces the old (an event)."""
        with self.transaction() as conn:
            conn.execute("UPDATE units SET token_hash = ?, token_gen = ? WHERE id = ?", (token_hash, gen, unit_id))
            if changed:
                conn.execute("INSERT INTO events(unit_id, file_id, kind, at) VALUES (?, NULL, 'link_changed', ?)",
                             (unit_id, now()))

    def set_first_tokens(self, hashes: list[tuple[int, str]]) -> None:
        """Record the first link of many units at once (one transaction)."""
        with self.transaction() as conn:
            conn.executemany("UPDATE units SET token_hash = ?, token_gen = 0 WHERE id = ? AND token_hash IS NULL",
                             [(h, unit_id) for unit_id, h in hashes])

    def link_opened(self, unit_id: int) -> None:
        with self.transaction() as conn:
            first = conn.execute("UPDATE units SET opened_at = ? WHERE id = ? AND opened_at IS NULL", (now(), unit_id)).rowcount
            if first:
                conn.execute("INSERT INTO events(unit_id, file_id, kind, at) VALUES (?, NULL, 'link_opened', ?)",
                             (unit_id, now()))

    def submit(self, file_id: int, unit_id: int, note: str | None) -> bool:
        """正式报送 of a version by its unit; False when it is not that unit's, or was submitted already."""
        with self.transaction() as conn:
            done = conn.execute("UPDATE files SET submitted_at = ?, submit_note = ? WHERE id = ? AND unit_id = ?"
                                " AND submitted_at IS NULL", (now(), note, file_id, unit_id)).rowcount
            if done:
                conn.execute("INSERT INTO events(unit_id, file_id, kind, note, at) VALUES (?, ?, 'submitted', ?, ?)",
                             (unit_id, file_id, note, now()))
        return bool(done)

    def unit_dates(self) -> list[sqlite3.Row]:
        """Per unit: when its first and latest versions came (voided ones aside), and its latest 退回."""
        with self.connection() as conn:
            return conn.execute("""
                SELECT u.id AS unit_id,
                       (SELECT min(received_at) FROM files WHERE unit_id = u.id AND verdict IS NOT 'void') AS first_at,
                       (SELECT max(received_at) FROM files WHERE unit_id = u.id AND verdict IS NOT 'void') AS last_at,
                       (SELECT max(at) FROM events WHERE unit_id = u.id AND kind = 'returned') AS returned_at
                FROM units u""").fetchall()

    def return_note(self, file_id: int) -> str | None:
        """The clerk's note of the latest 退回 of a file, while it stands returned."""
        with self.connection() as conn:
            row = conn.execute("SELECT kind, note FROM events WHERE file_id = ? AND kind IN ('returned', 'reopened')"
                               " ORDER BY id DESC LIMIT 1", (file_id,)).fetchone()
        return row["note"] if row and row["kind"] == "returned" else None

    def events_of(self, unit_id: int) -> list[sqlite3.Row]:
        with self.connection() as conn:
            return conn.execute("SELECT e.*, f.original_name FROM events e LEFT JOIN files f ON f.id = e.file_id "
                                "WHERE e.unit_id = ? ORDER BY e.id DESC", (unit_id,)).fetchall()

    # --- housekeeping -----------------------------------------------------------------------------

    def sweep(self) -> dict:
        """Remove what an interrupted upload left: staged files, and kept files no row points at.
        Only while holding the serving lock (no other upload can be between keep and record)."""
        removed = {"staged": 0, "unrecorded": 0}
        for p in self.staging.iterdir():
            _unlink(p)
            removed["staged"] += 1
        with self.connection() as conn:
            recorded = {r[0] for r in conn.execute("SELECT sha256 FROM files UNION SELECT sha256 FROM reports")}
        for d in self.files.iterdir():
            if d.is_dir() and d.name != STAGING_DIR:
                for p in d.iterdir():
                    if p.name not in recorded:
                        _unlink(p)
                        removed["unrecorded"] += 1
        return removed


# The latest of a file's 退回/撤销退回 events decides whether it stands returned.
_RETURNED = ("coalesce((SELECT e.kind = 'returned' FROM events e WHERE e.file_id = f.id"
             " AND e.kind IN ('returned', 'reopened') ORDER BY e.id DESC LIMIT 1), 0)")
# The version of unit u the summary counts: the one the clerk accepted; else its latest version that passed,
# is a workbook (a published report never outranks one), was not voided and does not stand returned.
_DOCUMENT = "(" + " OR ".join(f"lower(g.original_name) GLOB '*{sfx}'" for sfx in sorted(DOCUMENT_SUFFIXES)) + ")"
_BLANK = "coalesce(g.findings LIKE '%\"ID-untouched\"%', 0)"
_COUNTED = ("coalesce((SELECT g.id FROM files g WHERE g.unit_id = u.id AND g.verdict = 'accepted' ORDER BY g.id DESC LIMIT 1),"
            " (SELECT g.id FROM files g WHERE g.unit_id = u.id AND g.verdict IS NULL AND g.submitted_at IS NOT NULL"
            f" AND NOT {_RETURNED.replace('f.id', 'g.id')} ORDER BY g.id DESC LIMIT 1),"
            " (SELECT g.id FROM files g WHERE g.unit_id = u.id AND g.verdict IS NULL AND g.status = 'ok'"
            f" AND NOT {_BLANK}"
            f" AND NOT {_DOCUMENT} AND NOT {_RETURNED.replace('f.id', 'g.id')} ORDER BY g.id DESC LIMIT 1))")


class ServingLock:
    """One desk per collection folder: an OS lock held while serving (released when the process dies)."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / LOCK_NAME
        self._handle = None

    def acquire(self) -> bool:
        handle = open(self.path, "a+b")
        try:
            if os.name == "nt":
                import msvcrt
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _json(doc: dict | None) -> str | None:
    if doc is None:
        return None
    from gkxl.text.jsonout import dumps
    return dumps(doc, compact=True)


def _sentence(message: Message | None) -> str | None:
    """A sentence as stored: both languages, so the page shows it in either without checking again."""
    return json.dumps({"zh": message.zh, "en": message.en}, ensure_ascii=False) if message else None


def _unlink(path: Path) -> None:
    try:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        pass


def _fsync_dir(path: Path) -> None:
    if os.name == "nt":        # Windows cannot open a folder to flush it; NTFS journals renames
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
