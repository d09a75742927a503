"""Verdicts a supervisor can pass on unchanged (issue 8): the right cell, one finding per problem, no false
alarms on real figures. Workbooks are generated templates filled with openpyxl and re-saved by LibreOffice
(recalculating on load), as a clerk's return is; published reports go through `gkxl parse`."""
from __future__ import annotations

import json
import random
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import APPLICANTS, consistent_values, libreoffice_convert
from hypothesis import given, settings
from hypothesis import strategies as st

from gkxl.actions.check import check_path, check_read
from gkxl.checks.values import value_finding
from gkxl.cli import main
from gkxl.form import model
from gkxl.form import spec as specmod
from gkxl.form.model import Report
from gkxl.io.read import ReadResult
from gkxl.io.write import write_workbook

DATA = Path(__file__).parent / "data" / "published"
LEAVES = ["granted", "partial", "withheld_secret", "withheld_law", "withheld_security", "withheld_third_party",
          "withheld_internal", "withheld_process", "withheld_enforcement", "withheld_inquiry", "unable_not_held",
          "unable_need_create", "unable_unclear", "unhandled_petition", "unhandled_repeated", "unhandled_publication",
          "unhandled_mass", "unhandled_confirm", "otherwise_no_correction", "otherwise_no_fee", "otherwise_other"]
T4_BLOCKS, T4_COLS = ("review", "suit_direct", "suit_after_review"), ("upheld", "corrected", "other", "pending")


def spreadsheet_totals(values: dict) -> dict:
    """Every total as the template's formulas give it (written out here, not taken from gkxl's rules)."""
    out = dict(values)
    for row in ["new", "carried", *LEAVES, "carry_next"]:
        out[f"t3.{row}.total"] = sum(out[f"t3.{row}.{c}"] for c in APPLICANTS)
    for col in APPLICANTS + ["total"]:
        out[f"t3.total.{col}"] = sum(out[f"t3.{r}.{col}"] for r in LEAVES)
    for block in T4_BLOCKS:
        out[f"t4.{block}.total"] = sum(out[f"t4.{block}.{c}"] for c in T4_COLS)
    return out


def d6_figures(spec) -> dict:
    """Balanced figures where 表三 D6 (一、本年新收 · 自然人) is 88 and D30 (四、结转下年度 · 自然人) is 9."""
    values = consistent_values(spec, random.Random(8))
    for row in LEAVES:
        values[f"t3.{row}.natural"] = 0
    values["t3.granted.natural"], values["t3.partial.natural"] = 57, 23        # (七) 80
    values["t3.new.natural"], values["t3.carried.natural"], values["t3.carry_next.natural"] = 88, 1, 9
    return spreadsheet_totals(values)


def fill_template(spec, path: Path, changes: dict) -> Path:
    """A generated blank template, its input cells typed in with openpyxl (formulas left to the sheet)."""
    write_workbook(path, spec, Report.blank(spec, unit="卫滨区司法局", unit_code="11410703MB1583512R", year=2024))
    values = {**d6_figures(spec), **changes}
    wb = openpyxl.load_workbook(path)
    for cell in spec.inputs:
        if values.get(cell.key) is not None:
            wb[cell.sheet][cell.ref] = values[cell.key]
    wb.save(path)
    return path


CASES = {
    "d6": {"t3.new.natural": 83},                       # 88 typed as 83
    "swap": {"t3.granted.natural": 75},                 # 57 typed as 75
    "decimal": {"t3.withheld_third_party.natural": 1.5},
    "clean": {},
}


@pytest.fixture(scope="module")
def resaved(spec, tmp_path_factory) -> dict[str, Path]:
    """Each case filled with openpyxl, then opened, recalculated and saved by LibreOffice."""
    src, out = tmp_path_factory.mktemp("filled"), tmp_path_factory.mktemp("resaved")
    filled = [fill_template(spec, src / f"{name}.xlsx", changes) for name, changes in CASES.items()]
    return dict(zip(CASES, libreoffice_convert(filled, out)))


def test_clean_resaved_return_passes(resaved):
    result = check_path(resaved["clean"], year=2024)
    assert result.status == "ok" and [f.rule for f in result.findings] == []


def test_d6_lists_d6_and_d30_and_pins_no_value(resaved):
    """一 typed 5 short: 一, 二, 四 or a (七) item could each be the wrong one; no cell is given a value."""
    result = check_path(resaved["d6"], year=2024)
    [f] = result.findings
    assert (f.rule, f.severity, f.cell, f.expected) == ("T3-c", "error", None, None)
    needed = {c["cell"]: c["needed"] for c in f.candidates}
    assert needed["表三!D6"] == 88 and needed["表三!D30"] == 4
    assert "表三!D6" in f.message.zh and "应为" not in f.message.zh         # the likeliest first: 83 for 88
    assert f.equations == ["T3-c（自然人）", "T3-c（总计）"]


def test_swapped_digits_in_a_workbook_come_first(resaved):
    """In a workbook the totals are formulas, so 一, 二 and the other (七) items explain T3-c as well as the
    swapped cell: no value is pinned, the swapped cell is listed first and called a swap."""
    result = check_path(resaved["swap"], year=2024)
    [f] = result.findings
    assert f.expected is None and f.cell is None
    first = f.candidates[0]
    assert (first["cell"], first["value"], first["needed"], first["typo"]) == ("表三!D8", 75, 57, "swap")
    assert "颠倒" in f.message.zh


def test_swapped_digits_in_published_figures_name_the_one_cell(resaved, tmp_path):
    """The same figures as published (every total a figure of its own, as LibreOffice computed them):
    only 表三!D8 explains both failed equations, so it is named with the value it needs."""
    report = check_path(resaved["clean"]).report
    report.values["t3.granted.natural"] = 75
    path = tmp_path / "published.json"
    path.write_text(report.to_json(), encoding="utf-8")
    result = check_path(path, year=2024)
    [f] = [f for f in result.findings if f.severity == "error"]
    assert (f.where, f.value, f.expected) == ("表三!D8", 75, 57)
    assert [c["cell"] for c in f.candidates] == ["表三!D8"] and "颠倒" in f.message.zh


def test_a_decimal_count_is_one_finding(resaved):
    result = check_path(resaved["decimal"], year=2024)
    [f] = result.findings
    assert (f.rule, f.where, f.value) == ("V-decimal", "表三!D13", 1.5)
    assert f.hint is not None and "T3-c" in f.hint.zh          # the equations it breaks, inside the one finding


def test_a_decimal_does_not_hide_another_error_in_its_column(spec):
    """1.5 typed for 1 explains the T3-c it breaks; with 一 also 5 short, no valid value of that cell
    would, so T3-c is still said, and no value is pinned while the 1.5 stands."""
    values = d6_figures(spec)
    values["t3.withheld_third_party.natural"], values["t3.granted.natural"] = 1.5, 56       # (七) still 80 with 1
    report = Report(spec.id, spec.version, unit="某局", year=2024, values=spreadsheet_totals(values))
    alone = check_read(ReadResult(report, stored_totals=False))
    assert [f.rule for f in alone] == ["V-decimal"]
    report.values = spreadsheet_totals({**values, "t3.new.natural": 83})
    both = check_read(ReadResult(report, stored_totals=False))
    assert [f.rule for f in both] == ["V-decimal", "T3-c"]
    assert all(f.expected is None for f in both)


def test_text_elsewhere_does_not_hide_the_candidates(spec):
    """“3件” in 商业企业 leaves the 总计 column unknown; 一 of 自然人 still explains T3-c（自然人）."""
    values = {**d6_figures(spec), "t3.new.natural": 83}
    values = {**spreadsheet_totals(values), "t3.granted.business": "3件"}
    for key in ("t3.granted.total", "t3.total.business", "t3.total.total"):
        values[key] = None                     # what the formulas over a text cell leave
    report = Report(spec.id, spec.version, unit="某局", year=2024, values=values)
    found = check_read(ReadResult(report, stored_totals=False))
    assert [f.rule for f in found] == ["V-text", "T3-c"]
    needed = {c["cell"]: c["needed"] for c in found[1].candidates}
    assert needed["表三!D6"] == 88 and needed["表三!D30"] == 4 and found[1].expected is None


# --- one perturbed cell of a balanced return, in memory -----------------------------------------

def _perturbable(spec, stored_totals: bool) -> list[str]:
    """Cells that enter a balancing rule and that a clerk could have mistyped: in a workbook the inputs of
    表三 (表四's totals are formulas of its inputs alone); in published figures every figure of 表三 and 表四."""
    keys = [c.key for c in spec.cells.values() if c.numeric and c.key.startswith(("t3.", "t4."))]
    return keys if stored_totals else [k for k in keys if k.startswith("t3.") and spec.cells[k].is_input]


amounts = st.one_of(st.integers(-10**6, 10**6), st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 10**6), stored_totals=st.booleans(), pick=st.integers(0, 10**6), delta=amounts)
def test_one_perturbed_cell_is_always_among_the_candidates(seed, stored_totals, pick, delta):
    spec = specmod.load("gk2021")       # not the fixture: hypothesis would print the whole spec
    values = spreadsheet_totals(consistent_values(spec, random.Random(seed)))
    keys = _perturbable(spec, stored_totals)
    key = keys[pick % len(keys)]
    new = values[key] + delta
    if isinstance(new, float) and new.is_integer():
        new = int(new)                                   # what a reader gives for a whole number
    if new == values[key]:
        return
    values[key] = new
    if not stored_totals:
        values = spreadsheet_totals(values)              # the sheet recalculates its formulas
    report = Report(spec.id, spec.version, unit="某局", year=2024, values=values)
    found = check_read(ReadResult(report, stored_totals=stored_totals))
    assert all(f.expected is None or f.key == key for f in found), found
    if value_finding(spec.cells[key], new, spec) is not None:
        assert any(f.key == key and f.rule.startswith("V-") for f in found), found
    else:
        assert any(key in {c["key"] for c in f.candidates} for f in found), found


# --- published figures ----------------------------------------------------------------------------

def _parse_and_check(runner, source: Path, tmp_path) -> tuple[dict, dict]:
    out = tmp_path / (source.stem + ".json")
    assert runner.invoke(main, ["parse", str(source), "-o", str(out)]).exit_code == 0
    checked = runner.invoke(main, ["check", str(out), "--format", "json"])
    return json.loads(out.read_text(encoding="utf-8")), {**json.loads(checked.output), "exit": checked.exit_code}


def test_fees_to_the_fen_are_not_a_finding(tmp_path):
    """24252.311082 万元 is 242,523,110.82 元: six decimals are an amount exact to the fen."""
    text = (DATA / "text_shifted_2023.txt").read_text(encoding="utf-8").replace("行政事业性收费\t1.5", "行政事业性收费\t24252.311082")
    source = tmp_path / "fees_2023.txt"
    source.write_text(text, encoding="utf-8")
    parsed, checked = _parse_and_check(CliRunner(), source, tmp_path)
    assert parsed["values"]["t2.fees.amount"] == 24252.311082
    assert checked["exit"] == 0 and checked["files"][0]["status"] == "ok"
    assert checked["files"][0]["findings"] == []


def test_single_row_six_checks_ok_with_one_warning(tmp_path):
    parsed, checked = _parse_and_check(CliRunner(), DATA / "pdf_single_row_six_2022.txt", tmp_path)
    v = parsed["values"]
    assert [v[f"t3.otherwise.{c}"] for c in [*APPLICANTS, "total"]] == [1, 0, 0, 0, 0, 0, 1]
    assert v["t3.otherwise_other.natural"] is None                 # the sub-rows were not published
    assert checked["exit"] == 0
    [f] = checked["files"][0]["findings"]
    assert (f["rule"], f["severity"]) == ("N-six-group", "warning")
    assert "（六）其他处理" in f["message"] and "1、0、0、0、0、0、1" in f["message"]
    assert not schema_errors(parsed, specmod.load("gk2021"))


def test_single_row_six_with_a_wrong_figure_names_the_row(tmp_path):
    """（六） published as 2 for 自然人 with its 总计 still 1: the row is the one cell that explains both."""
    text = (DATA / "pdf_single_row_six_2022.txt").read_text(encoding="utf-8")
    source = tmp_path / "six_wrong_2022.txt"
    source.write_text(text.replace("（六）其他处理 1 0 0 0 0 0 1", "（六）其他处理 2 0 0 0 0 0 1"), encoding="utf-8")
    _, checked = _parse_and_check(CliRunner(), source, tmp_path)
    errors = [f for f in checked["files"][0]["findings"] if f["severity"] == "error"]
    assert [(f["cell"], f["key"], f["value"], f["expected"]) for f in errors] == [("D26:D28", "t3.otherwise.natural", 2, 1)]


def test_single_row_six_renders_as_one_row_and_parses_back(tmp_path):
    from gkxl.published.parse import parse_path
    from gkxl.published.render import render, to_html
    report = parse_path(DATA / "pdf_single_row_six_2022.txt").report
    page = to_html(report)
    assert '<td class="row" colspan="2">（六）其他处理</td><td>1</td><td>0</td>' in page
    assert "1.申请人无正当理由逾期不补正" not in page
    assert '<td class="row" rowspan="20">三、本年度办理结果</td>' in page       # 22 rows less the 2 folded
    for to in ("md", "html"):
        render(report, to, tmp_path / f"six.{to}")
        again = parse_path(tmp_path / f"six.{to}").report
        assert again.values == report.values


def test_merge_leaves_out_a_report_without_the_sub_rows(tmp_path, make_return):
    """A summary adds sub-rows; （六） given as one row cannot be added to them, so it is not included and
    报送情况 says why (rather than counting it as 0 or in the wrong sub-row)."""
    import python_calamine as pc
    folder = tmp_path / "in"
    folder.mkdir()
    runner = CliRunner()
    assert runner.invoke(main, ["parse", str(DATA / "pdf_single_row_six_2022.txt"), "-o", str(folder / "six.json")]).exit_code == 0
    other = make_return(year=2022, name="in/return.xlsx")
    out = tmp_path / "summary.xlsx"
    result = runner.invoke(main, ["merge", str(folder / "six.json"), str(other), "-o", str(out), "--year", "2022",
                                  "--unit", "某市政务公开办"])
    assert result.exit_code == 1 and out.exists()
    rows = pc.CalamineWorkbook.from_path(str(out)).get_sheet_by_name("报送情况").to_python()
    col = {name: i for i, name in enumerate(rows[0])}
    six = next(r for r in rows if str(r[col["文件"]]).endswith("six.json"))
    assert six[col["是否计入汇总"]] == "否" and "（六）其他处理" in six[col["原因"]] and "子项" in six[col["原因"]]


# --- units that sent nothing; untouched templates ----------------------------------------------

def test_check_with_units_lists_who_sent_nothing(tmp_path, make_return):
    folder = tmp_path / "in"
    folder.mkdir()
    make_return(unit="卫滨区司法局", name="in/a.xlsx")
    units = tmp_path / "units.csv"
    units.write_text("单位名称,单位代码\n卫滨区司法局,\n卫滨区教育局,11410703MB1583512R\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["check", str(folder), "--units", str(units)])
    assert result.exit_code == 1
    assert "1 个单位未报送" in result.output and "未报送：卫滨区教育局（11410703MB1583512R）" in result.output
    doc = json.loads(runner.invoke(main, ["check", str(folder), "--units", str(units), "--format", "json"]).output)
    assert doc["units"]["missing"] == [{"unit": "卫滨区教育局", "unit_code": "11410703MB1583512R"}]
    assert doc["summary"]["missing_units"] == 1
    units.write_text("单位名称\n卫滨区司法局\n", encoding="utf-8")
    assert runner.invoke(main, ["check", str(folder), "--units", str(units)]).exit_code == 0


def test_merge_says_when_a_return_is_an_untouched_template(tmp_path, spec):
    import python_calamine as pc
    folder = tmp_path / "in"
    folder.mkdir()
    write_workbook(folder / "blank.xlsx", spec, Report.blank(spec, unit="卫滨区教育局", year=2024))
    out = tmp_path / "summary.xlsx"
    result = CliRunner().invoke(main, ["merge", str(folder), "-o", str(out), "--year", "2024", "--unit", "某市政务公开办"])
    assert result.exit_code == 0
    assert f"已计入，但像是原样报回的空白模板（所有数字为 0）：{folder / 'blank.xlsx'}（卫滨区教育局）" in result.output
    rows = pc.CalamineWorkbook.from_path(str(out)).get_sheet_by_name("报送情况").to_python()
    col = {name: i for i, name in enumerate(rows[0])}
    assert "原样退回的空白模板" in rows[1][col["原因"]] and rows[1][col["是否计入汇总"]] == "是"


# --- the JSON Schema and the checks agree ----------------------------------------------------------

def schema_errors(doc: dict, spec) -> list:
    import jsonschema
    return list(jsonschema.Draft202012Validator(model.json_schema(spec)).iter_errors(doc))


ODD = st.one_of(st.none(), st.sampled_from(["", "无", "3", "—", " ", "１２"]), st.booleans(),
                st.integers(-5, 5), st.sampled_from([1.5, -0.5, 2.0, 1e12, 24252.311082, 0.1234567]))


@settings(max_examples=300, deadline=None)
@given(changes=st.dictionaries(st.sampled_from(["t3.new.natural", "t3.total.total", "t2.fees.amount", "t4.review.total",
                                                "text.overview", "t3.otherwise.natural", "t3.otherwise.total",
                                                "t3.otherwise_other.natural", "t3.otherwise_no_fee.total", "unknown.key"]),
                               ODD, max_size=5),
       unit=st.sampled_from(["某局", "", " ", None, 7]), year=st.sampled_from([2024, 2019, "2024", None, 2024.0, True]),
       unit_code=st.sampled_from([None, "", "11410703MB1583512R", 7]))
def test_every_schema_invalid_report_has_an_error_finding(changes, unit, year, unit_code):
    spec = specmod.load("gk2021")
    values = {c.key: 0 for c in spec.value_cells if c.numeric}
    values.update(changes)
    doc = Report(spec.id, spec.version, unit=unit, unit_code=unit_code, year=year, values=values).to_dict()
    if not schema_errors(doc, spec):
        return
    found = check_read(ReadResult(Report.from_dict(doc), stored_totals=True))
    assert any(f.severity == "error" for f in found), (changes, unit, year, unit_code)

