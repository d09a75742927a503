"""gkxl on published reports it did not make: documents drawn by tests/published_drawn.py from FORMAT.md and
the real sample (Word by python-docx, PDF printed from it by LibreOffice, saved HTML, text copied from a web
page), parsed and checked through the command line, every figure compared with the figures they were made
from; series of years against each other; returned workbooks against the reports."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import published_drawn as pdw
import pytest
from conftest import ROOT, soffice

SHAPES = ("docx", "html", "txt")
N_REPORTS = 36
PDF_SEEDS = (1, 4, 6, 11, 16, 21, 26, 31, 34)


# (claim stated one or two off its table, what the narrative must look like for it to be stated)
CONTRADICTIONS = [
    ("handled", {"app_style": "received_handled"}),
    ("out_partial", {"app_style": "outcomes", "wording": {"partial": "区分处理后公开"}}),
    ("out_withheld", {"app_style": "outcomes"}),
    ("review", {"review_style": "cases_qi"}),
    ("suit", {"review_style": "applied_against"}),
    ("received_with", {"app_style": "with_carried"}),
    ("fees", {"docs_styles": ["fees"]}),
    ("out_unable", {"app_style": "outcomes"}),
    ("carry_next", {"app_style": "spaced"}),
    ("received_new", {"app_style": "outcomes"}),
    ("out_granted", {"app_style": "outcomes", "wording": {"granted": "同意公开"}}),
    ("normative_issued", {"docs_styles": ["issued"]}),
]


DISTRACTOR_SEEDS = (7, 20, 29)


def case(seed: int) -> dict:
    """How report `seed` is drawn: every title form and narrative style comes round; every third report
    states one figure off its table (a different claim each time); some print （六） as one row or carry a
    hotline sentence."""
    kw = {"title_form": pdw.TITLE_FORMS[seed % len(pdw.TITLE_FORMS)],
          "app_style": pdw.APPLICATION_STYLES[(seed * 3) % len(pdw.APPLICATION_STYLES)],
          "review_style": pdw.REVIEW_STYLES[(seed // 2) % len(pdw.REVIEW_STYLES)]}
    if seed % 3 == 0:
        claim, over = CONTRADICTIONS[(seed // 3 - 1) % len(CONTRADICTIONS)]
        kw.update(over, contradict=claim, profile=("small", "medium", "large")[seed % 3])
        if kw["app_style"] == "terse":
            kw["app_style"] = "received_handled"
    if seed % 9 == 5:
        kw["six_one_row"] = True
    if seed in DISTRACTOR_SEEDS:
        kw["distractor"] = True
    return kw


REPORTS = {seed: pdw.draw_report(seed, **case(seed)) for seed in range(1, N_REPORTS + 1)}


def describe(d: pdw.Drawn) -> str:
    return (f"seed {d.seed} title={d.title_form} {d.title} app={d.app_style} review={d.review_style} "
            f"docs={d.docs_styles} six_one_row={d.six_one_row} blanks={sorted(d.blanks)} "
            f"contradiction={d.contradiction} layout={d.layout}")


# --- running gkxl ---------------------------------------------------------------------------------------

def gkxl(*args) -> tuple[int, dict | None, str]:
    r = subprocess.run([sys.executable, "-m", "gkxl.cli", *map(str, args), "--format", "json"],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    try:
        return r.returncode, json.loads(r.stdout), r.stderr
    except json.JSONDecodeError:
        return r.returncode, None, r.stdout + r.stderr


def parse_job(path: Path) -> dict:
    out = path.with_name(path.name + ".parsed.json")
    rc, report, err = gkxl("parse", path, "-o", out)
    values = json.loads(out.read_text(encoding="utf-8")) if out.exists() else None
    return {"rc": rc, "report": report, "err": err, "model": values}


def check_job(path: Path, *extra) -> dict:
    rc, report, err = gkxl("check", path, *extra)
    return {"rc": rc, "report": report, "err": err}


def run_all(jobs: dict) -> dict:
    """name -> callable, run on every core (each is a gkxl process)."""
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {name: pool.submit(fn) for name, fn in jobs.items()}
        return {name: f.result() for name, f in futures.items()}


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> dict:
    """Every report in docx, html and text; parsed; the Word ones checked."""
    root = tmp_path_factory.mktemp("drawn")
    files = {}
    for seed, d in REPORTS.items():
        base = root / f"{d.seed:02d}_{d.year}"
        files[(seed, "docx")] = pdw.to_docx(d, base.with_suffix(".docx"))
        files[(seed, "html")] = base.with_suffix(".html")
        files[(seed, "html")].write_text(pdw.to_html(d), encoding="utf-8")
        files[(seed, "txt")] = base.with_suffix(".txt")
        files[(seed, "txt")].write_text(pdw.to_text(d), encoding="utf-8")
    jobs = {("parse", *k): (lambda p=p: parse_job(p)) for k, p in files.items()}
    jobs.update({("check", seed, "docx"): (lambda p=files[(seed, "docx")]: check_job(p)) for seed in REPORTS})
    return {"files": files, "results": run_all(jobs)}


@pytest.fixture(scope="session")
def pdf_corpus(corpus, tmp_path_factory) -> dict:
    exe = soffice()
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path_factory.mktemp("drawn_pdf")
    pdfs = pdw.to_pdf([corpus["files"][(s, "docx")] for s in PDF_SEEDS], out, exe)
    files = dict(zip(PDF_SEEDS, pdfs))
    jobs = {("parse", s): (lambda p=p: parse_job(p)) for s, p in files.items()}
    jobs.update({("check", s): (lambda p=p: check_job(p)) for s, p in files.items()})
    return {"files": files, "results": run_all(jobs)}


# --- what a reading must give -------------------------------------------------------------------------

def same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, float) or isinstance(b, float):
        return abs(float(a) - float(b)) < 1e-7
    return a == b


def figure_differences(d: pdw.Drawn, model: dict) -> list[str]:
    values = model["values"]
    return [f"{k}: made {v!r}, read {values.get(k)!r}" for k, v in d.expected().items() if not same(v, values.get(k))]


def findings(result: dict) -> list[dict]:
    return result["report"]["files"][0]["findings"]


def narrative_warnings(result: dict) -> list[dict]:
    return [f for f in findings(result) if f["rule"].startswith("N-") and f["severity"] == "warning"
            and f["rule"] != "N-six-group"]


def assert_figures(d: pdw.Drawn, result: dict):
    assert result["model"] is not None, f"no model written ({result['err'][:300]}); {describe(d)}"
    diff = figure_differences(d, result["model"])
    assert not diff, f"{len(diff)} figures differ: {diff[:8]}; {describe(d)}"


def assert_identity(d: pdw.Drawn, result: dict):
    assert result["model"] is not None, result["err"][:300]
    got = (result["model"]["unit"], result["model"]["year"])
    assert got == (d.unit, d.year), f"read {got}, title says {(d.unit, d.year)}; {describe(d)}"


def assert_narrative(d: pdw.Drawn, result: dict):
    assert result["report"] is not None, result["err"][:300]
    said = [(f["rule"], f["key"], f["value"]) for f in narrative_warnings(result)]
    if d.contradiction:
        keys = set(d.contradiction["keys"])
        assert any(f["key"] in keys for f in narrative_warnings(result)), \
            f"contradiction not warned: {d.contradiction}; N- warnings {said}; {describe(d)}"
        others = [s for s in said if s[1] not in keys]
        assert not others, f"N- warnings beyond the contradiction: {others}; {describe(d)}"
    else:
        assert not said, f"consistent narrative warned: {said}; {describe(d)}"


def assert_verdict(d: pdw.Drawn, result: dict):
    """gkxl check on a balanced document: status ok (warnings allowed); blank marks named; the
    contradiction, if any, named by an N- warning."""
    assert result["report"] is not None, result["err"][:300]
    f = result["report"]["files"][0]
    errors = [(x["rule"], x["key"], x["message"][:80]) for x in f["findings"] if x["severity"] == "error"]
    assert f["status"] == "ok", f"status {f['status']}, errors {errors[:6]}; {describe(d)}"
    named = {x["key"] for x in f["findings"]}
    assert set(d.blanks) <= named, f"blank marks not named: {sorted(set(d.blanks) - named)}; {describe(d)}"
    if d.contradiction:
        assert any(x["key"] in d.contradiction["keys"] for x in narrative_warnings(result)), \
            f"check did not warn the contradiction {d.contradiction}; {describe(d)}"


# --- the builders themselves (no gkxl) -----------------------------------------------------------------

def test_drawn_figures_balance_by_format_arithmetic():
    import random
    for seed in range(300):
        v = pdw.balanced_figures(random.Random(seed))
        assert not pdw.balance_errors(v), (seed, pdw.balance_errors(v))
    broken = dict(pdw.balanced_figures(random.Random(1), profile="medium"))
    broken["t3.granted.natural"] += 1
    assert pdw.balance_errors(broken)


def test_corpus_covers_every_title_form_and_style():
    assert {d.title_form for d in REPORTS.values()} == set(pdw.TITLE_FORMS)
    assert {d.app_style for d in REPORTS.values()} >= set(pdw.APPLICATION_STYLES) - {"accepted_answered"} | {"terse"}
    assert {d.contradiction["claim"] for d in REPORTS.values() if d.contradiction} == {c for c, _ in CONTRADICTIONS}
    assert any(d.six_one_row for d in REPORTS.values()) and any(d.blanks for d in REPORTS.values())


# --- every document, every figure ----------------------------------------------------------------------

PARAMS = [pytest.param(seed, shape, id=f"s{seed:02d}-{shape}") for seed in REPORTS for shape in SHAPES]


@pytest.mark.parametrize("seed, shape", PARAMS)
def test_figures_read_as_made(corpus, seed, shape):
    assert_figures(REPORTS[seed], corpus["results"][("parse", seed, shape)])


@pytest.mark.parametrize("seed, shape", PARAMS)
def test_issuer_and_year_from_the_title(corpus, seed, shape):
    assert_identity(REPORTS[seed], corpus["results"][("parse", seed, shape)])


@pytest.mark.parametrize("seed, shape", PARAMS)
def test_narrative_against_tables(corpus, seed, shape):
    assert_narrative(REPORTS[seed], corpus["results"][("parse", seed, shape)])


@pytest.mark.parametrize("seed", list(REPORTS), ids=lambda s: f"s{s:02d}-docx")
def test_check_verdict_of_word_document(corpus, seed):
    assert_verdict(REPORTS[seed], corpus["results"][("check", seed, "docx")])


PDF_PARAMS = [pytest.param(s, id=f"s{s:02d}-pdf", marks=pytest.mark.libreoffice) for s in PDF_SEEDS]


@pytest.mark.parametrize("seed", PDF_PARAMS)
def test_pdf_figures_read_as_made(pdf_corpus, seed):
    assert_figures(REPORTS[seed], pdf_corpus["results"][("parse", seed)])


@pytest.mark.parametrize("seed", PDF_PARAMS)
def test_pdf_issuer_and_year_from_the_title(pdf_corpus, seed):
    assert_identity(REPORTS[seed], pdf_corpus["results"][("parse", seed)])


@pytest.mark.parametrize("seed", PDF_PARAMS)
def test_pdf_narrative_against_tables(pdf_corpus, seed):
    assert_narrative(REPORTS[seed], pdf_corpus["results"][("parse", seed)])


@pytest.mark.parametrize("seed", PDF_PARAMS)
def test_pdf_check_verdict(pdf_corpus, seed):
    assert_verdict(REPORTS[seed], pdf_corpus["results"][("check", seed)])


# --- series of years ----------------------------------------------------------------------------------

YEARS = [2022, 2023, 2024]
SERIES = {
    "continuous": pdw.draw_series(501, YEARS),
    "carry_break": pdw.draw_series(502, YEARS, carry_break="business"),
    "in_force_break": pdw.draw_series(503, YEARS[1:], in_force_break="normative"),
}


def test_series_follow_from_year_to_year():
    for name, years in SERIES.items():
        assert len({d.unit for d in years}) == 1
        for last, this in zip(years, years[1:]):
            carried = {c: this.values[pdw.t3("carried", c)] - last.values[pdw.t3("carry_next", c)] for c in pdw.COLS}
            in_force = {r: this.values[f"t2.{r}.in_force"] - (last.values[f"t2.{r}.in_force"]
                        + this.values[f"t2.{r}.issued"] - this.values[f"t2.{r}.repealed"]) for r in ("rules", "normative")}
            brk = this.breaks
            want_carry = {c: 0 for c in pdw.COLS}
            if "carry" in brk:
                delta = brk["carry"]["this"] - brk["carry"]["last"]
                want_carry[brk["carry"]["col"]] = want_carry["total"] = delta
            assert carried == want_carry, (name, this.year, carried)
            want_force = {r: 0 for r in ("rules", "normative")}
            if "in_force" in brk:
                want_force[brk["in_force"]["row"]] = brk["in_force"]["this"] - brk["in_force"]["follows"]
            assert in_force == want_force, (name, this.year, in_force)
        assert any(d.values["t3.carry_next.total"] for d in years[:-1]), name


@pytest.fixture(scope="session")
def series_results(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("series")
    files = {}
    for name, years in SERIES.items():
        for d in years:
            files[(name, d.year)] = pdw.to_docx(d, root / f"{name}_{d.year}.docx")
    jobs = {}
    for name, years in SERIES.items():
        for last, this in zip(years, years[1:]):
            jobs[(name, this.year)] = (lambda a=files[(name, this.year)], b=files[(name, last.year)]:
                                       check_job(a, "--previous", b))
        jobs[(name, "parse", years[-1].year)] = (lambda p=files[(name, years[-1].year)]: parse_job(p))
    return run_all(jobs)


@pytest.mark.parametrize("name", list(SERIES))
def test_series_against_last_year(series_results, name):
    years = SERIES[name]
    assert_figures(years[-1], series_results[(name, "parse", years[-1].year)])
    for this in years[1:]:
        result = series_results[(name, this.year)]
        assert result["report"] is not None, result["err"][:300]
        f = result["report"]["files"][0]
        year_rules = [(x["rule"], x["key"]) for x in f["findings"] if x["rule"].startswith("Y-")]
        want = set()
        if "carry" in this.breaks:
            col = this.breaks["carry"]["col"]
            want |= {("Y-carry", pdw.t3("carried", col)), ("Y-carry", pdw.t3("carried", "total"))}
        if "in_force" in this.breaks:
            want.add(("Y-in-force", f"t2.{this.breaks['in_force']['row']}.in_force"))
        assert set(year_rules) == want, f"{name} {this.year}: Y- findings {year_rules}, expected {sorted(want)}"
        assert all(x["severity"] == "warning" for x in f["findings"] if x["rule"].startswith("Y-"))
        assert f["status"] == "ok", (f["status"], [(x["rule"], x["key"]) for x in f["findings"]])


# --- returned workbooks ---------------------------------------------------------------------------------

RETURN_SEEDS = (3, 10, 17, 24)


@pytest.fixture(scope="session")
def returns(corpus, tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("returns")
    made = {}
    for i, seed in enumerate(RETURN_SEEDS):
        d = REPORTS[seed]
        layout = pdw.RETURN_LAYOUTS[i % len(pdw.RETURN_LAYOUTS)]
        made[(seed, "same")] = pdw.write_return(d, root / f"{seed}_same.xlsx", layout=layout, formulas=i % 2 == 0)
        made[(seed, "differ")] = pdw.write_return(d, root / f"{seed}_differ.xlsx", layout=layout, differ=True,
                                                  formulas=i % 2 == 1)

    def export(path: Path) -> dict:
        out = path.with_suffix(".export.json")
        rc, report, err = gkxl("export", path, "--to", "json", "-o", out)
        return {"rc": rc, "report": report, "err": err,
                "data": json.loads(out.read_text(encoding="utf-8")) if out.exists() else None}

    jobs = {("export", *k): (lambda p=m["path"]: export(p)) for k, m in made.items()}
    jobs.update({("check", *k): (lambda p=m["path"]: check_job(p)) for k, m in made.items()})
    return {"made": made, "results": run_all(jobs)}


def _exported_values(data) -> dict:
    record = data[0] if isinstance(data, list) else (data.get("records") or data.get("reports") or [data])[0]
    return record.get("values", record)


@pytest.mark.parametrize("seed", RETURN_SEEDS)
@pytest.mark.parametrize("kind", ["same", "differ"])
def test_return_agrees_with_the_report_but_where_made_to_differ(returns, corpus, seed, kind):
    d, made = REPORTS[seed], returns["made"][(seed, kind)]
    check = returns["results"][("check", seed, kind)]
    assert check["report"] is not None, check["err"][:300]
    f = check["report"]["files"][0]
    assert f["status"] == "ok", (made["layout"], [(x["rule"], x["key"], x["message"][:60]) for x in f["findings"]])
    assert (f["unit"], f["year"]) == (d.unit, d.year)
    exported = returns["results"][("export", seed, kind)]
    assert exported["data"] is not None, exported["err"][:300]
    values = _exported_values(exported["data"])
    differ = [k for k in pdw.FIGURE_KEYS if not same(values.get(k), d.values[k])]
    want = [made["differ"]["key"]] if made["differ"] else []
    assert differ == want, (made["layout"], made["formulas"], [(k, d.values[k], values.get(k)) for k in differ])
    # and against the published report as gkxl read it, where it read it right
    model = corpus["results"][("parse", seed, "docx")]["model"]
    if model and not figure_differences(d, model):
        published = {k: v for k, v in model["values"].items() if k in d.values and d.expected()[k] is not None}
        against = [k for k, v in published.items() if not same(values.get(k), v)]
        assert against == [k for k in want if k in published]
