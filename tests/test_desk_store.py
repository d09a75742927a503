"""The desk's collection store and intake: schema migration, nothing half-stored when a process is
killed, concurrent uploads, recognising the same file, zips of returns, size limits, unit matching."""
from __future__ import annotations

import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import consistent_values

from gkxl.desk.checking import Checker
from gkxl.desk.intake import Intake, Limits, Upload
from gkxl.desk.store import SCHEMA_VERSION, Received, Store
from gkxl.findings.report import FileResult
from gkxl.form.model import Report
from gkxl.io.units import Unit
from gkxl.io.write import write_workbook
from gkxl.text.errors import GkxlError
from gkxl.text.messages import Message

YEAR = 2025

# The layout the first desk wrote (schema version 1), as an old collection on disk has it.
V1_SCHEMA = """
CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE units (id INTEGER PRIMARY KEY, name TEXT NOT NULL, code TEXT, key TEXT NOT NULL UNIQUE,
                    position INTEGER NOT NULL, listed INTEGER NOT NULL DEFAULT 1);
CREATE TABLE files (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, original_name TEXT NOT NULL,
                    size INTEGER NOT NULL, received_at TEXT NOT NULL, unit_id INTEGER REFERENCES units(id),
                    matched_by TEXT, unit_read TEXT, year INTEGER, status TEXT NOT NULL,
                    findings TEXT NOT NULL DEFAULT '[]', error TEXT);
CREATE INDEX files_by_unit ON files(unit_id, id);
CREATE TABLE events (id INTEGER PRIMARY KEY, unit_id INTEGER REFERENCES units(id), file_id INTEGER REFERENCES files(id),
                     kind TEXT NOT NULL, note TEXT, at TEXT NOT NULL);
CREATE INDEX events_by_file ON events(file_id, id);
PRAGMA user_version = 1;
"""


def staged_received(store: Store, data: bytes, name: str = "x.xlsx", status: str = "unreadable") -> Received:
    return Received(store.stage(io.BytesIO(data)), name, status, [], Message("src.empty"))


def rows(store: Store, sql: str = "SELECT * FROM files"):
    with store.connection() as conn:
        return conn.execute(sql).fetchall()


def stored_files(store: Store) -> list[Path]:
    return [p for d in store.files.iterdir() if d.is_dir() and d.name != "tmp" for p in d.iterdir()]


def write_return(spec, path: Path, unit: str, seed: int = 1, changes: dict | None = None) -> Path:
    values = consistent_values(spec, random.Random(seed))
    values.update(changes or {})
    write_workbook(path, spec, Report(spec.id, spec.version, unit=unit, year=YEAR, values=values))
    return path


# --- schema -----------------------------------------------------------------------------------------

def test_new_store_is_current_and_in_wal_mode(tmp_path):
    store = Store(tmp_path / "c", create=True)
    with store.connection() as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_migration_from_version_1_keeps_rows_and_fills_the_counts(tmp_path):
    folder = tmp_path / "old"
    folder.mkdir()
    conn = sqlite3.connect(folder / "desk.sqlite")
    conn.executescript(V1_SCHEMA)
    findings = [{"rule": "T3-c", "severity": "error"}, {"rule": "V-blank", "severity": "error"},
                {"rule": "Y-carry", "severity": "warning"}]
    conn.execute("INSERT INTO units(name, key, position) VALUES ('卫滨区财政局', '卫滨区财政局', 0)")
    conn.execute("INSERT INTO files(sha256, original_name, size, received_at, unit_id, status, findings)"
                 " VALUES ('ab' || hex(randomblob(31)), '财政局.xlsx', 10, '2025-01-02T10:00:00+08:00', 1, 'invalid', ?)",
                 (json.dumps(findings),))
    conn.commit()
    conn.close()

    store = Store(folder)
    with store.connection() as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    (row,) = rows(store)
    assert (row["original_name"], row["status"], row["errors"], row["warnings"]) == ("财政局.xlsx", "invalid", 2, 1)
    assert row["checked_with"] == ""          # so the desk checks it again with the current rules
    assert [u["name"] for u in store.units()] == ["卫滨区财政局"]


def test_a_collection_from_a_newer_gkxl_is_refused(tmp_path):
    store = Store(tmp_path / "c", create=True)
    with store.connection() as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(GkxlError) as e:
        Store(tmp_path / "c")
    assert e.value.code == "desk.store.too_new" and "99" in e.value.render()


def test_not_a_collection(tmp_path):
    with pytest.raises(GkxlError) as e:
        Store(tmp_path)
    assert e.value.code == "desk.store.missing"


# --- storing ----------------------------------------------------------------------------------------

def test_the_same_content_is_stored_once(tmp_path):
    store = Store(tmp_path / "c", create=True)
    first = store.record([staged_received(store, b"PK\x03\x04 one")])
    again = store.record([staged_received(store, b"PK\x03\x04 one", name="copy.xlsx")])
    assert first[0] is not None and again == [None]
    assert len(rows(store)) == 1 and len(stored_files(store)) == 1
    assert store.path_of(rows(store)[0]["sha256"]).read_bytes() == b"PK\x03\x04 one"
    assert list(store.staging.iterdir()) == []


def test_a_file_over_the_limit_is_not_staged(tmp_path):
    from gkxl.desk.store import TooLarge
    store = Store(tmp_path / "c", create=True)
    with pytest.raises(TooLarge):
        store.stage(io.BytesIO(b"x" * 5000), limit=4096)
    assert list(store.staging.iterdir()) == []


CHILD_STAGE_FROM_STDIN = """
import sys
from gkxl.desk.store import Store, Received
store = Store(sys.argv[1])
staged = store.stage(sys.stdin.buffer)
store.record([Received(staged, "half.xlsx", "unreadable", [], None)])
"""

CHILD_STORE_FILE = """
import io, sys
from gkxl.desk.store import Store, Received
store = Store(sys.argv[1])
staged = store.stage(open(sys.argv[2], "rb"))
store.record([Received(staged, "whole.xlsx", "unreadable", [], None)])
"""


def _wait_for(predicate, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_killed_while_receiving_leaves_no_half_file_and_no_row(tmp_path):
    store = Store(tmp_path / "c", create=True)
    child = subprocess.Popen([sys.executable, "-c", CHILD_STAGE_FROM_STDIN, str(store.folder)], stdin=subprocess.PIPE)
    try:
        child.stdin.write(os.urandom(3 << 20))          # 3 MB of a file that never finishes arriving
        child.stdin.flush()
        assert _wait_for(lambda: any(p.stat().st_size > 0 for p in store.staging.iterdir()))
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        child.kill()
    assert [p for p in store.staging.iterdir()], "the kill came while the file was being written"
    reopened = Store(store.folder)
    reopened.sweep()
    assert rows(reopened) == [] and stored_files(reopened) == [] and list(reopened.staging.iterdir()) == []


def test_killed_between_keeping_and_recording_leaves_no_orphan(tmp_path):
    store = Store(tmp_path / "c", create=True)
    source = tmp_path / "return.bin"
    source.write_bytes(os.urandom(100_000))
    import hashlib
    target = store.path_of(hashlib.sha256(source.read_bytes()).hexdigest())
    blocker = sqlite3.connect(store.db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")                   # the child's commit must wait: kill it there
    child = subprocess.Popen([sys.executable, "-c", CHILD_STORE_FILE, str(store.folder), str(source)])
    try:
        assert _wait_for(target.exists), "the child kept the file and is waiting to record it"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        child.kill()
        blocker.execute("ROLLBACK")
        blocker.close()
    assert target.exists() and rows(store) == []
    reopened = Store(store.folder)
    assert reopened.sweep()["unrecorded"] == 1
    assert not target.exists() and rows(reopened) == []


CHILD_INTAKE = """
import sys
from pathlib import Path
from gkxl.desk.checking import Checker
from gkxl.desk.intake import Intake, Upload
from gkxl.desk.store import Store
store = Store(sys.argv[1])
intake = Intake(store, Checker(2025, processes=1))
sys.stdin.readline()                                    # start together
for path in sys.argv[2:]:
    with open(path, "rb") as f:
        (outcome,) = intake.receive([Upload(Path(path).name, f)])
    print(outcome.result, flush=True)
"""


def test_two_uploads_at_once_lose_nothing(tmp_path, spec):
    store = Store(tmp_path / "c", create=True)
    store.set_units([Unit(f"单位{i:02d}", None, i) for i in range(12)])
    sent = tmp_path / "sent"
    sent.mkdir()
    paths = [write_return(spec, sent / f"u{i:02d}.xlsx", f"单位{i:02d}", seed=i) for i in range(12)]
    shared = paths[0]
    tabs = [[shared, *paths[1:6]], [shared, *paths[6:]]]
    children = [subprocess.Popen([sys.executable, "-c", CHILD_INTAKE, str(store.folder), *map(str, tab)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for tab in tabs]
    for c in children:
        c.stdin.write("go\n")
        c.stdin.flush()
    results = [c.communicate(timeout=120)[0].split() for c in children]
    assert all(c.returncode == 0 for c in children)
    assert sorted(r for rs in results for r in rs) == ["same"] + ["stored"] * 12
    recorded = rows(store)
    assert len(recorded) == 12 and len(stored_files(store)) == 12
    assert {r["unit_id"] for r in recorded} == {u["id"] for u in store.units()}
    assert all(r["status"] == "ok" for r in recorded)


# --- intake ----------------------------------------------------------------------------------------

@pytest.fixture
def intake(tmp_path):
    store = Store(tmp_path / "c", create=True)
    store.set_units([Unit("卫滨区司法局", "11410703MB1583512X", 2), Unit("卫滨区财政局", None, 3)])
    return Intake(store, Checker(YEAR, processes=1), Limits(file_bytes=2 << 20, request_bytes=20 << 20))


def test_returns_are_checked_matched_and_recognised(intake, tmp_path, spec):
    good = write_return(spec, tmp_path / "司法局.xlsx", "卫滨区司法局")
    bad = write_return(spec, tmp_path / "财政局.xlsx", "卫滨区财政局", changes={"t3.carry_next.natural": 999})
    outcomes = intake.receive([Upload("司法局.xlsx", open(good, "rb")), Upload("财政局.xlsx", open(bad, "rb"))])
    assert [(o.result, o.status, o.unit_name) for o in outcomes] == [
        ("stored", "ok", "卫滨区司法局"), ("stored", "invalid", "卫滨区财政局")]
    row = intake.store.file(outcomes[1].file_id)
    assert row["errors"] >= 1 and any(f["rule"] == "T3-c" for f in json.loads(row["findings"]))
    (again,) = intake.receive([Upload("再发一次.xlsx", open(good, "rb"))])
    assert again.result == "same" and "司法局.xlsx" in again.message.zh and again.file_id == outcomes[0].file_id
    # the same file twice in one upload: the second says what became of the first
    other = write_return(spec, tmp_path / "财政局2.xlsx", "卫滨区财政局", seed=5)
    first, twice = intake.receive([Upload("财政局2.xlsx", open(other, "rb")), Upload("副本.xlsx", open(other, "rb"))])
    assert first.result == "stored" and twice.result == "same" and "财政局2.xlsx" in twice.message.zh
    assert (twice.file_id, twice.status, twice.unit_name) == (first.file_id, "ok", "卫滨区财政局")


def test_a_zip_of_returns_with_gbk_names(intake, tmp_path, spec):
    good = write_return(spec, tmp_path / "a.xlsx", "卫滨区司法局").read_bytes()
    gbk = "报送/卫滨区司法局.xlsx".encode("gbk")        # Windows zips: GBK bytes, no UTF-8 flag
    placeholder = b"x" * (len(gbk) - 5) + b".xlsx"
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(placeholder.decode(), good)
        zf.writestr("说明.txt", "not a return")
        zf.writestr("__MACOSX/._x.xlsx", b"junk")
    data = archive.getvalue().replace(placeholder, gbk)
    outcomes = intake.receive([Upload("全部.zip", io.BytesIO(data))])
    by_result = {o.result: o for o in outcomes}
    assert by_result["stored"].name == "全部.zip › 卫滨区司法局.xlsx" and by_result["stored"].status == "ok"
    assert sorted(o.result for o in outcomes) == ["skipped", "skipped", "stored"]


def test_an_upload_that_fails_midway_leaves_nothing_staged(intake, tmp_path, spec):
    # an error while telling known files apart, in the middle of a zip: every staged file is cleaned up
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for k in range(4):
            zf.write(write_return(spec, tmp_path / f"r{k}.xlsx", f"单位{k}", seed=k), f"r{k}.xlsx")
    known, calls = intake.store.known, []

    def flaky(sha):
        calls.append(sha)
        if len(calls) == 2:
            raise sqlite3.OperationalError("database is locked")
        return known(sha)
    intake.store.known = flaky
    with pytest.raises(sqlite3.OperationalError):
        intake.receive([Upload("全部.zip", io.BytesIO(archive.getvalue()))])
    assert list(intake.store.staging.iterdir()) == []


def test_a_worker_killed_while_the_desk_waits_costs_no_file(intake, tmp_path, spec):
    good = write_return(spec, tmp_path / "司法局.xlsx", "卫滨区司法局")
    intake.checker.warm()
    for w in intake.checker._workers._pool.workers:          # the OOM killer, an administrator
        os.kill(w.proc.pid, signal.SIGKILL)
        w.proc.join()
    (outcome,) = intake.receive([Upload("司法局.xlsx", open(good, "rb"))])
    assert (outcome.result, outcome.status) == ("stored", "ok")


def test_a_check_stopped_by_something_passing_is_done_again_at_the_next_start(intake, tmp_path):
    stopped = FileResult("a.xlsx", "unreadable", error=Message("read.limit_time", seconds=60))
    broken = FileResult("b.xlsx", "unreadable", error=Message("src.empty"))
    checker = intake.checker
    assert checker.stamp(stopped) == "" and checker.stamp(broken) == checker.fingerprint
    store = intake.store
    store.record([Received(store.stage(io.BytesIO(b"hang")), "a.xlsx", "unreadable", [], stopped.error,
                           checked_with=checker.stamp(stopped))])
    desk_stale = [r["original_name"] for r in store.all_files() if r["checked_with"] != checker.fingerprint]
    assert desk_stale == ["a.xlsx"]


def test_size_limit_and_foreign_workbook(intake, tmp_path):
    import openpyxl
    big = io.BytesIO(b"PK\x03\x04" + b"\0" * (3 << 20))
    wb = openpyxl.Workbook()
    wb.active["A1"] = "别的表格"
    foreign = tmp_path / "卫滨区财政局自己做的表.xlsx"
    wb.save(foreign)
    outcomes = intake.receive([Upload("大文件.xlsx", big), Upload(foreign.name, open(foreign, "rb"))])
    assert outcomes[1].result == "refused" and "2 MB" in outcomes[1].message.zh
    stored = outcomes[0]
    assert stored.result == "stored" and stored.status == "unreadable" and stored.unit_id is None
    assert "模板" in stored.message.zh                       # read.foreign says why
    assert stored.suggestion == intake.store.unit_by_name("卫滨区财政局")["id"]   # a guess the clerk confirms
    assert [f["id"] for f in intake.store.unmatched()] == [stored.file_id]


def test_units_that_sent_returns_stay_when_the_list_changes(intake, tmp_path, spec):
    path = write_return(spec, tmp_path / "r.xlsx", "卫滨区财政局")
    intake.receive([Upload("r.xlsx", open(path, "rb"))])
    changes = intake.store.set_units([Unit("卫滨区司法局", None, 2), Unit("卫滨区教育局", None, 3)])
    assert changes == {"added": 1, "kept": 1, "removed": 0, "renamed": [], "unlisted": ["卫滨区财政局"]}
    names = {r["name"]: r["listed"] for r in intake.store.overview()}
    assert names == {"卫滨区司法局": 1, "卫滨区教育局": 1, "卫滨区财政局": 0}


def test_last_years_collection_is_linked_and_returns_are_checked_again(tmp_path, spec):
    from gkxl.desk.service import Desk
    last_year = Desk.open(tmp_path / "2024年报", year=2024, processes=1)
    this_year = consistent_values(spec, random.Random(6))
    values = consistent_values(spec, random.Random(5))
    shift = this_year["t3.carried.natural"] + 1 - values["t3.carry_next.natural"]   # not what is carried over
    values["t3.carry_next.natural"] += shift
    values["t3.new.natural"] += shift                                          # last year still balances
    values["t3.new.total"] += shift
    values["t3.carry_next.total"] += shift
    old = tmp_path / "2024.xlsx"
    write_workbook(old, spec, Report(spec.id, spec.version, unit="卫滨区司法局", year=2024, values=values))
    last_year.intake.receive([Upload("2024.xlsx", open(old, "rb"))])
    last_year.close()

    now = Desk.open(tmp_path / "2025年报", year=YEAR, processes=1)
    path = tmp_path / "2025.xlsx"
    write_workbook(path, spec, Report(spec.id, spec.version, unit="卫滨区司法局", year=YEAR, values=this_year))
    (first,) = now.intake.receive([Upload("2025.xlsx", open(path, "rb"))])
    assert first.status == "ok" and first.warnings == 0
    now.close()

    linked = Desk.open(tmp_path / "2025年报", year=None, previous_paths=[tmp_path / "2024年报"], processes=1)
    assert [r["id"] for r in linked.stale()] == [first.file_id]        # checked without last year's data
    linked.recheck(linked.stale())
    row = linked.store.file(first.file_id)
    assert row["warnings"] >= 1 and any(f["rule"] == "Y-carry" for f in json.loads(row["findings"]))
    assert linked.stale() == []
    linked.close()


def test_going_back_stays_on_the_desk():
    from gkxl.desk.app import local_path
    assert local_path("/unit/3?lang=en", "/receive") == "/unit/3?lang=en"
    for elsewhere in ("//evil.example/x", "/\\evil.example", "https://evil.example", "", "unit/3"):
        assert local_path(elsewhere, "/receive") == "/receive"


def test_sizes_are_shown_in_the_unit_that_says_something():
    from gkxl.desk.app import _size
    assert [_size(n) for n in (0, 267, 2048, 3 * 1024 * 1024 // 2)] == ["0 B", "267 B", "2 KB", "1.5 MB"]


def test_a_unit_page_shows_totals_a_script_saved_without_their_values(spec, tmp_path):
    import openpyxl

    from gkxl.desk.service import shown_tables
    from gkxl.form import rules
    from gkxl.io.read import read_path
    made = write_return(spec, tmp_path / "made.xlsx", "卫滨区司法局")
    wb = openpyxl.load_workbook(made)             # openpyxl keeps the formulas and drops their values
    wb.save(tmp_path / "script.xlsx")
    report = read_path(tmp_path / "script.xlsx").report
    assert report.values["t3.total.total"] is None
    shown = {c.key: c.text for t in shown_tables(report, [], "zh") for row in t["rows"] for c in row if c.key}
    derived = rules.derive(spec, report.values)
    assert shown["t3.total.total"] == str(derived["t3.total.total"]) != ""
    assert shown["t3.new.natural"] == str(report.values["t3.new.natural"])
