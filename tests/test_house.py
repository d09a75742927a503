"""The house rules of the code itself: one message catalogue, one finding catalogue that README shows,
imports that go one way, and every format's template made, read back and checked."""
from __future__ import annotations

import ast
import random
import re
import string
from importlib import resources
from pathlib import Path

import pytest
from conftest import ROOT

from gkxl.actions.check import check_path
from gkxl.findings.catalogue import TYPES, markdown_table, parse_markdown_table
from gkxl.form import spec as specmod
from gkxl.form.examples import balanced_values
from gkxl.form.model import Report
from gkxl.io.write import write_workbook
from gkxl.text.messages import MESSAGES, MessageError, text

PACKAGE = ROOT / "gkxl"
# published reading is input reading (Word, PDF, text and HTML reports), so it comes before the checks;
# every command and the desk go through the actions
LAYERS = ["text", "form", "findings", "io", "published", "checks", "actions", "cli", "desk"]
SAME_LEVEL = {frozenset({"cli", "desk"})}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_message_renders_in_both_languages_with_the_same_parameters(code):
    zh, en = MESSAGES[code]
    assert _fields(zh) == _fields(en), code
    params = {name: "X" for name in _fields(zh)}
    assert text(code, "zh", **params) and text(code, "en", **params)
    if params:
        with pytest.raises(MessageError):
            text(code, "zh")


def test_every_message_code_used_in_the_code_is_in_the_catalogue():
    used = set()
    for path in PACKAGE.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'(?:Message|GkxlError|text|say|Finding\.of\([^,]+,)\(?\s*"([a-z_]+\.[a-z_.]+)"', source))
    missing = sorted(c for c in used if c not in MESSAGES)
    assert not missing, missing


def test_every_finding_id_used_in_the_code_is_catalogued():
    used = set()
    for path in PACKAGE.rglob("*.py"):
        used |= set(re.findall(r'Finding(?:\.of)?\(\s*"([A-Z][A-Za-z0-9-]+)"', path.read_text(encoding="utf-8")))
    spec_rules = {r.id for s in map(specmod.load, specmod.available()) for r in [*s.rules, *s.year_rules]}
    assert used and not sorted(used - set(TYPES) - spec_rules)


def test_the_table_of_checks_is_the_catalogue():
    page = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    assert markdown_table(specmod.load("gk2021")) in page, "run: python docs/make_docs.py"
    assert parse_markdown_table() in page


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gkxl."):
            out.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            out |= {a.name.split(".")[1] for a in node.names if a.name.startswith("gkxl.")}
    return out


def test_imports_go_one_way():
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).parts
        if len(rel) < 2 or rel[0] not in LAYERS:
            continue
        here = LAYERS.index(rel[0])
        for layer in _imports(path) & set(LAYERS):
            if LAYERS.index(layer) > here and frozenset({layer, rel[0]}) not in SAME_LEVEL:
                wrong.append(f"{'/'.join(rel)} imports gkxl.{layer}")
    assert not wrong, wrong


@pytest.mark.parametrize("spec_id", specmod.available())
def test_every_shipped_spec_holds_to_the_meta_schema(spec_id):
    # load() trusts shipped specs (no validation at every worker's start); this is where they are held to it
    with resources.as_file(resources.files("gkxl.templates") / f"{spec_id}.json") as path:
        assert specmod.load_file(path).id == spec_id


@pytest.mark.parametrize("spec_id", specmod.available())
def test_every_format_template_is_made_read_back_and_checked(tmp_path, spec_id):
    spec = specmod.load(spec_id)
    year = spec.years[0] + 1
    blank = tmp_path / "blank.xlsx"
    write_workbook(blank, spec, Report.blank(spec, unit="甲局", year=year))
    result = check_path(blank, year=year)
    assert result.status == "ok" and [f.rule for f in result.findings] == ["ID-untouched"]
    values = balanced_values(spec, random.Random(3))
    filled = tmp_path / "filled.xlsx"
    write_workbook(filled, spec, Report(spec.id, spec.version, unit="甲局", year=year, values=values))
    result = check_path(filled, year=year)
    assert result.status == "ok" and result.findings == []
    assert result.report.format == spec_id
    assert {k: result.report.values[k] for k in values} == values


APPLICANTS = ["natural", "business", "research", "public_interest", "legal_service", "other"]


@pytest.mark.parametrize("seed", range(20))
def test_example_figures_satisfy_format_md_written_out_by_hand(seed):
    """FORMAT.md's equations, typed from the document rather than taken from the spec: the figures every test
    uses satisfy them, so a wrong rule in the spec cannot make the test data agree with it."""
    v = balanced_values(specmod.load("gk2021"), random.Random(seed))
    leaves = ["granted", "partial", "withheld_secret", "withheld_law", "withheld_security", "withheld_third_party",
              "withheld_internal", "withheld_process", "withheld_enforcement", "withheld_inquiry", "unable_not_held",
              "unable_need_create", "unable_unclear", "unhandled_petition", "unhandled_repeated",
              "unhandled_publication", "unhandled_mass", "unhandled_confirm", "otherwise_no_correction",
              "otherwise_no_fee", "otherwise_other"]
    assert len(leaves) == 21
    for row in ["new", "carried", *leaves, "total", "carry_next"]:                        # T3-a
        assert v[f"t3.{row}.total"] == sum(v[f"t3.{row}.{c}"] for c in APPLICANTS)
    for col in [*APPLICANTS, "total"]:
        assert v[f"t3.total.{col}"] == sum(v[f"t3.{r}.{col}"] for r in leaves)            # T3-b
        assert v[f"t3.new.{col}"] + v[f"t3.carried.{col}"] == v[f"t3.total.{col}"] + v[f"t3.carry_next.{col}"]  # T3-c
    for block in ("review", "suit_direct", "suit_after_review"):                          # T4-a
        assert v[f"t4.{block}.total"] == sum(v[f"t4.{block}.{c}"] for c in ("upheld", "corrected", "other", "pending"))
    assert all(isinstance(x, int) and x >= 0 for k, x in v.items() if k.startswith(("t3.", "t4.")))
