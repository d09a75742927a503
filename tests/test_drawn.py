"""gkxl on workbooks drawn in the published layout by tests/drawn.py, which shares nothing with gkxl's own
template: hundreds of seeded drawings (merged / repeated / once-written headers, 表四's two header shapes,
表三's 2- or 3-row 自然人 and 总计, one or three label columns, 序号 and 备注 columns, notes, titles,
offsets, sheet names, typed / cached-formula / uncached-formula totals, label variants, identity blocks).

Every workbook goes through one `gkxl check --format json` and one `gkxl export --to json` over its folder.

- balanced: status "ok", no error finding, unit and year read, every figure read equal to the one drawn;
- changed: one 表三 input changed, totals left as typed: "invalid", and its sender cell is named;
- typed: one 总计 typed as a number that does not add up: "invalid", and that total's sender cell is named.

A sample is re-saved by LibreOffice (xls, ods, xlsx; recalculated on load) and checked the same way.

Seeds: GKXL_DRAWN_SEED (default 2025) picks the corpus; each message gives the workbook's seed, its drawing
options and the command that draws it again (python tests/drawn.py SEED VARIANT FOLDER).
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import drawn
import pytest
from conftest import soffice

ROOT = Path(__file__).resolve().parent.parent
BASE_SEED = int(os.environ.get("GKXL_DRAWN_SEED", "2025"))
N_BALANCED, N_CHANGED, N_TYPED = 300, 100, 100
PLAN = drawn.corpus_plan(BASE_SEED, N_BALANCED, N_CHANGED, N_TYPED)
# the LibreOffice sample: every 20th balanced drawing, every 20th changed and typed one
LO_PLAN = [p for i, p in enumerate(PLAN) if i % 20 == 0]
LO_FORMATS = ("xls", "ods", "xlsx")


def case_id(p) -> str:
    return f"{p[1]}-{p[0]}"


def run_gkxl(*args: str) -> dict:
    cmd = [sys.executable, "-m", "gkxl.cli", *args, "--format", "json"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"{' '.join(cmd)} exited {done.returncode} without JSON:\n"
                             f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}") from None


def check_and_export(folders: list[Path], out: Path) -> tuple[dict, dict]:
    """{resolved path: file result of gkxl check}, {resolved path: values of gkxl export}."""
    checked = run_gkxl("check", *map(str, folders), "--year", str(drawn.YEAR))
    run_gkxl("export", *map(str, folders), "--to", "json", "-o", str(out), "--year", str(drawn.YEAR))
    exported = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {"records": []}
    files = {str(Path(f["path"]).resolve()): f for f in checked.get("files", [])}
    records = {}
    for rec in exported.get("records", []):
        path = rec.get("path") or (rec.get("source") or {}).get("path")
        records[str(Path(path).resolve())] = rec
    return files, records


class Corpus:
    def __init__(self, folder: Path, plan):
        self.drawn = {(seed, variant): drawn.draw(seed, variant, folder) for seed, variant in plan}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("drawn")
    c = Corpus(folder / "books", PLAN)
    c.files, c.records = check_and_export([folder / "books"], folder / "export.json")
    return c


# --- what a result must say -------------------------------------------------------------------------

def errors_of(result: dict) -> list[dict]:
    return [f for f in result.get("findings", []) if f.get("severity") == "error"]


def show_findings(findings: list[dict], limit: int = 12) -> str:
    def at(f):
        return "!".join(x for x in (f.get("sheet"), f.get("cell")) if x) or "-"
    lines = [f"    {f.get('rule')} {f.get('severity')} at {at(f)} key={f.get('key')}: "
             f"{(f.get('message') or '')[:160]}" for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"    ... {len(findings) - limit} more")
    return "\n".join(lines)


def same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=0, abs_tol=1e-7)
    return a == b


def assert_balanced_read(dr: drawn.Drawn, result: dict | None, record: dict | None, label: str = "") -> None:
    head = f"{label}{dr.explain()}"
    assert result is not None, f"{head}\n  gkxl check gave no result for {dr.path.name}"
    errors = errors_of(result)
    assert result["status"] == "ok" and not errors, (
        f"{head}\n  status {result['status']}, {len(errors)} error findings:\n{show_findings(errors)}")
    assert (result.get("unit"), result.get("year")) == (dr.options["unit"], drawn.YEAR), (
        f"{head}\n  identity read as {result.get('unit')!r} {result.get('year')!r}")
    assert record is not None, f"{head}\n  gkxl export wrote no record for {dr.path.name}"
    assert "values" in record, f"{head}\n  gkxl export: {record.get('status')} {record.get('error')}"
    values = record["values"]
    wrong = [f"    {k} at {dr.where(k)}: drawn {dr.figures[k]!r}, read {values.get(k)!r}"
             for k in drawn.all_keys() if not same(values.get(k), dr.figures[k])]
    assert not wrong, f"{head}\n  {len(wrong)} figures read wrong:\n" + "\n".join(wrong[:15])


def named_cells(finding: dict) -> set[tuple[str, str]]:
    """(sheet, A1) of the finding's cell and of each candidate."""
    out = set()
    refs = [finding.get("cell")] + [c.get("cell") for c in finding.get("candidates") or []]
    for ref in refs:
        if not ref:
            continue
        sheet, _, cell = ref.rpartition("!")
        out.add(((sheet or finding.get("sheet") or "").strip("'"), cell.replace("$", "")))
    return out


def assert_flagged_at_sender_cell(dr: drawn.Drawn, result: dict | None, label: str = "") -> None:
    head = f"{label}{dr.explain()}"
    assert result is not None, f"{head}\n  gkxl check gave no result for {dr.path.name}"
    errors = errors_of(result)
    assert result["status"] == "invalid", f"{head}\n  status {result['status']}:\n{show_findings(errors)}"
    target = dr.cells[dr.mutation["key"]]
    naming = [f for f in errors if target in named_cells(f)]
    in_text = any(f"{target[0]}!{target[1]}" in (f.get("message") or "") for f in errors)
    assert naming, (f"{head}\n  no error finding names {target[0]}!{target[1]} ({dr.mutation['key']}) as its cell or "
                    f"a candidate{' (it appears only in a message text)' if in_text else ''}; "
                    f"{len(errors)} error findings:\n{show_findings(errors)}")


# --- the generator itself, without gkxl -------------------------------------------------------------

def test_corpus_is_large_and_varied(corpus):
    books = list(corpus.drawn.values())
    assert len(books) >= 300
    for option, wanted in [("header", {"merged", "repeated", "first"}),
                           ("totals", {"typed", "formula_cached", "formula_nocache"}),
                           ("t4_review", {"published", "leaves_high"}), ("t3_label_cols", {1, 3}),
                           ("t3_natural_span", {2, 3}), ("t3_total_span", {2, 3}), ("t3_note", {True, False}),
                           ("layout", {"one_sheet", "three_sheets"}), ("serial", {True, False}),
                           ("remarks", {True, False}), ("notes", {True, False})]:
        assert {b.options[option] for b in books} == wanted, option
    assert {tuple(b.options["sheets"]) for b in books} >= {tuple(n) for n in drawn.SHEET_NAMES}
    assert {v for b in books for v in b.options["labels"]} == set(drawn.LABEL_VARIANTS)


def test_drawn_figures_balance(corpus):
    """FORMAT.md's equations hold for every drawn set of figures (checked by hand-written sums)."""
    for b in corpus.drawn.values():
        assert not drawn.rule_breaks(b.figures), b.explain()
        assert b.figures["t2.fees.amount"] == round(b.figures["t2.fees.amount"], 6), b.explain()
        breaks = drawn.rule_breaks(b.written)
        assert bool(breaks) == (b.variant != "balanced"), (b.explain(), breaks)


def test_drawn_workbooks_hold_what_their_record_says(corpus):
    """Read back with openpyxl (a sample of a quarter): every figure at its recorded cell."""
    for i, b in enumerate(corpus.drawn.values()):
        if i % 4 == 0:
            problems = drawn.verify(b)
            assert not problems, f"{b.explain()}\n  " + "\n  ".join(problems[:10])


# --- gkxl on the drawn workbooks ---------------------------------------------------------------------

@pytest.mark.parametrize("plan", [p for p in PLAN if p[1] == "balanced"], ids=case_id)
def test_balanced_workbook_reads_ok_with_every_figure(plan, corpus):
    dr = corpus.drawn[plan]
    key = str(dr.path.resolve())
    assert_balanced_read(dr, corpus.files.get(key), corpus.records.get(key))


@pytest.mark.parametrize("plan", [p for p in PLAN if p[1] == "changed"], ids=case_id)
def test_changed_leaf_is_flagged_at_the_senders_cell(plan, corpus):
    dr = corpus.drawn[plan]
    assert_flagged_at_sender_cell(dr, corpus.files.get(str(dr.path.resolve())))


@pytest.mark.parametrize("plan", [p for p in PLAN if p[1] == "typed"], ids=case_id)
def test_typed_over_total_is_flagged_at_the_senders_cell(plan, corpus):
    dr = corpus.drawn[plan]
    assert_flagged_at_sender_cell(dr, corpus.files.get(str(dr.path.resolve())))


# --- the same, re-saved by LibreOffice ---------------------------------------------------------------

@pytest.fixture(scope="module")
def resaved(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("drawn_lo")
    books = [corpus.drawn[p] for p in LO_PLAN]
    converted = drawn.resave([b.path for b in books], out, LO_FORMATS)
    files, records = check_and_export([out / fmt for fmt in LO_FORMATS], out / "export.json")
    by_case = {}
    for fmt in LO_FORMATS:
        for b, path in zip(books, converted[fmt]):
            key = str(path.resolve())
            by_case[(fmt, b.seed, b.variant)] = (b, files.get(key), records.get(key))
    return by_case


@pytest.mark.libreoffice
@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("fmt", LO_FORMATS)
@pytest.mark.parametrize("plan", LO_PLAN, ids=case_id)
def test_resaved_by_libreoffice(fmt, plan, resaved, request):
    b, result, record = resaved[(fmt, *plan)]
    label = f"[LibreOffice {fmt}] "
    if fmt in ("xls", "ods") and b.mutation and b.mutation.get("feeds"):
        # a total typed over that a formula total adds up: telling the two apart needs the file's formulas,
        # which gkxl reads from xlsx only (python-calamine gives an xls's or ods's values, not its formulas)
        request.node.add_marker(pytest.mark.xfail(strict=True, reason="formulas are read from xlsx only"))
    if b.variant == "balanced":
        assert_balanced_read(b, result, record, label)
    else:
        assert_flagged_at_sender_cell(b, result, label)
