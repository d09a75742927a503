"""gkxl check on returns broken one way each, built from real generated workbooks: the exact finding."""
from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import ROOT, consistent_values
from hypothesis import given, settings
from hypothesis import strategies as st

from gkxl.actions.check import check_path
from gkxl.checks.localise import typo_kind
from gkxl.cli import main
from gkxl.form.model import Report
from gkxl.io.files import write_text
from gkxl.io.write import META_SHEET
from gkxl.text.errors import GkxlError
from gkxl.text.jsonout import dumps


def findings(path, **kw):
    result = check_path(path, **kw)
    return result, [(f.rule, f.severity, f.where) for f in result.findings]


def test_clean_return_passes(make_return):
    result, found = findings(make_return(), year=2024)
    assert result.status == "ok" and found == []
    assert (result.unit, result.year) == ("卫滨区司法局", 2024)


def test_seed_sample_passes():
    result = check_path(ROOT / "samples" / "卫滨区司法局_2024.xlsx", year=2024)
    assert result.status == "ok", result.findings
    assert result.unit == "卫滨区司法局" and result.year == 2024


@pytest.mark.parametrize("raw, rule, suggestion", [
    (None, "V-blank", None),
    ("无", "V-text", None),
    ("—", "V-text", None),
    ("3件", "V-text", 3),
    ("１２", "V-text", 12),
])
def test_not_a_number_in_a_count(make_return, raw, rule, suggestion):
    result, found = findings(make_return({"t3.granted.natural": raw}))
    assert found == [(rule, "error", "表三!D8")]
    f = result.findings[0]
    assert f.value == raw and f.expected is None                 # a guess is not an expected value
    assert suggestion is None or f"可能是想填 {suggestion}" in f.message.zh or f"半角数字 {suggestion}" in f.message.zh
    assert f.row_label == "三、本年度办理结果 · （一）予以公开" and f.col_label == "自然人"
    if raw:
        assert raw in f.message.zh
    assert result.report.values["t3.granted.natural"] == raw          # never turned into 0


def test_fee_written_in_yuan(make_return):
    result, found = findings(make_return({"t2.fees.amount": "251000元"}))
    assert found == [("V-text", "error", "表二!B15")]
    assert "25.1 万元" in result.findings[0].message.zh


@pytest.mark.parametrize("key, value, rule, severity, where", [
    ("t2.rules.issued", -1, "V-negative", "error", "表二!B4"),
    ("t4.review.upheld", 1.5, "V-decimal", "error", "表四!A5"),
    ("t2.fees.amount", 1.2345678, "V-decimals", "warning", "表二!B15"),
])
def test_bad_numbers(make_return, spec, key, value, rule, severity, where):
    values = {key: value}
    if key.startswith("t4."):
        values["t4.review.total"] = None
    result, found = findings(make_return(values))
    assert found == [(rule, severity, where)]          # one finding: the equations it breaks are in it
    assert next(f for f in result.findings if f.rule == rule).value == value


def test_balance_failure_lists_every_cell_that_would_explain_it(make_return, spec):
    """四 raised by 4: 一, 二 or 四 of that column could each be the wrong one; none is pinned."""
    values = consistent_values(spec, random.Random(1))
    result, found = findings(make_return({"t3.carry_next.business": values["t3.carry_next.business"] + 4}))
    assert found == [("T3-c", "error", "表三")]            # one finding for T3-c of 商业企业 and of 总计
    f = result.findings[0]
    assert f.expected is None and f.cell is None
    cands = {c["cell"]: c["needed"] for c in f.candidates}
    assert cands["表三!E30"] == values["t3.carry_next.business"]
    assert cands["表三!E6"] == values["t3.new.business"] + 4
    # the sentence names the likeliest three and counts the rest; the rule and its equations are the hint
    named = [c for c in cands if c in f.message.zh]
    assert len(named) == min(3, len(cands)) and (len(cands) <= 3 or f"还有 {len(cands) - 3} 格" in f.message.zh)
    assert f.message.zh.startswith("表三法人或其他组织 · 商业企业一列：一+二 比 （七）+四 少 4 件")
    assert "第一项加第二项之和" in f.hint.zh


def test_overwritten_total_is_its_own_finding(make_return, spec, tmp_path):
    path = make_return()
    wb = openpyxl.load_workbook(path)
    wb["表三"]["J6"] = 999                      # a clerk typed over the formula
    wb.save(tmp_path / "overwritten.xlsx")
    result, found = findings(tmp_path / "overwritten.xlsx")
    assert found == [("T3-a", "error", "表三!J6")]
    assert result.findings[0].value == 999
    assert result.findings[0].expected == consistent_values(spec, random.Random(1))["t3.new.total"]


def test_stale_cached_total_is_found(make_return, spec, tmp_path):
    """A cached value that disagrees with its formula, as a tool that writes without calculating leaves it."""
    import re
    import zipfile
    values = consistent_values(spec, random.Random(1))
    src = make_return()
    stale = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(stale, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet5.xml":            # 表四
                data, n = re.subn(rb'(<c r="J5"[^>]*><f>[^<]*</f><v>)[0-9]+(</v>)',
                                  rb"\g<1>" + str(values["t4.suit_direct.total"] + 1).encode() + rb"\g<2>", data)
                assert n == 1
            zout.writestr(info, data)
    result, found = findings(stale)
    assert found == [("T4-a", "error", "表四!J5")]
    assert (result.findings[0].value, result.findings[0].expected) == (values["t4.suit_direct.total"] + 1,
                                                                        values["t4.suit_direct.total"])


def test_label_changed_and_row_inserted(make_return, tmp_path, spec):
    wb = openpyxl.load_workbook(make_return())
    wb["表二"]["A4"] = "规章（含修订）"
    wb.save(tmp_path / "label.xlsx")
    result, found = findings(tmp_path / "label.xlsx")
    assert ("STRUCT-label", "error", "表二!A4") in found
    wb = openpyxl.load_workbook(make_return())
    ws = wb["表三"]
    ws.protection.sheet = False
    ws.insert_rows(8)
    wb.save(tmp_path / "inserted.xlsx")
    result, found = findings(tmp_path / "inserted.xlsx")
    # read by its labels instead of skipped: a warning, every figure where it now stands
    assert ("STRUCT-moved", "warning", "表三") in found and result.status == "ok"
    assert not any(f.rule.startswith("STRUCT") and f.severity == "error" for f in result.findings)
    original = check_path(make_return()).report.values
    inputs = [c.key for c in spec.numeric_inputs]
    assert [result.report.values[k] for k in inputs] == [original[k] for k in inputs]
    ws["D10"] = "三"                    # 表三!D9 before the row was inserted: named at its new place
    wb.save(tmp_path / "inserted_text.xlsx")
    result = check_path(tmp_path / "inserted_text.xlsx")
    assert [(f.where, f.key) for f in result.findings if f.rule == "V-text"] == [("表三!D10", "t3.partial.natural")]


def test_missing_sheet(make_return, tmp_path):
    wb = openpyxl.load_workbook(make_return())
    del wb["表四"]
    wb.save(tmp_path / "nosheet.xlsx")
    result, found = findings(tmp_path / "nosheet.xlsx")
    assert ("STRUCT-sheet", "error", "表四") in found and result.status == "invalid"


def test_foreign_workbook_is_unreadable_with_its_own_message(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "随便一张表"
    wb.save(tmp_path / "foreign.xlsx")
    result = check_path(tmp_path / "foreign.xlsx")
    assert result.status == "unreadable" and "不是 gkxl 报表模板" in result.error.zh


def test_older_template_version(make_return, tmp_path):
    wb = openpyxl.load_workbook(make_return())
    ws = wb[META_SHEET]
    row = next(r for r in ws.iter_rows() if r[0].value == "template_version")
    row[1].value = "2020.9"
    wb.save(tmp_path / "old.xlsx")
    result, found = findings(tmp_path / "old.xlsx")
    assert ("ID-version", "error", "") in found
    assert "2020.9" in result.findings[0].message.zh


def test_year_demanded_and_unit_missing(make_return):
    result, found = findings(make_return(), year=2025)
    assert found == [("ID-year", "error", "基本信息!B5")]
    result, found = findings(make_return(unit=None))
    assert found == [("ID-unit", "error", "基本信息!B3")]


def test_previous_year_continuity_warnings(make_return, spec):
    last = make_return(seed=2, year=2023)
    this_values = consistent_values(spec, random.Random(1))
    last_values = consistent_values(spec, random.Random(2))
    result = check_path(make_return(), previous=check_path(last).report)
    carry = {(f.rule, f.cell) for f in result.findings if f.rule == "Y-carry"}
    expected = {("Y-carry", f"{c}7") for c, col in zip("DEFGHIJ", ["natural", "business", "research", "public_interest",
                                                                     "legal_service", "other", "total"])
                if this_values[f"t3.carried.{col}"] != last_values[f"t3.carry_next.{col}"]}
    assert carry == expected and carry
    assert result.status == "ok"                     # warnings only
    assert all(f.severity == "warning" for f in result.findings)


def test_previous_is_matched_by_unit_and_year(make_return, spec):
    other_unit = check_path(make_return(seed=2, year=2023, unit="卫滨区财政局", code=None)).report
    same_unit_wrong_year = check_path(make_return(seed=2, year=2022)).report
    result = check_path(make_return(), previous=(other_unit, same_unit_wrong_year))
    assert [(f.rule, f.severity) for f in result.findings] == [("Y-prev", "warning")]
    assert "卫滨区司法局" in result.findings[0].message.zh and "2023" in result.findings[0].message.zh
    right = check_path(make_return(seed=1, year=2023)).report      # same figures: carried == carried...
    result = check_path(make_return(), previous=(other_unit, right))
    assert not any(f.rule == "Y-prev" for f in result.findings)


def _published_json(tmp_path, spec, changes) -> Path:
    values = consistent_values(spec, random.Random(4))
    values.update(changes)
    report = Report(spec.id, spec.version, unit="某局", year=2024, values=values)
    path = tmp_path / "published.json"
    path.write_text(report.to_json(), encoding="utf-8")
    return path


def test_json_input_checks_published_totals_and_names_culprit(tmp_path, spec):
    values = consistent_values(spec, random.Random(4))
    d = 23 - values["t3.granted.natural"]          # make the true figure 23, every total agreeing with it
    for key in ("t3.granted.natural", "t3.granted.total", "t3.total.natural", "t3.total.total"):
        values[key] += d
    balance = ("t3.new.natural", "t3.new.total") if d >= 0 else ("t3.carry_next.natural", "t3.carry_next.total")
    for key in balance:
        values[key] += abs(d)
    values["t3.granted.natural"] = 32               # ...then published with two digits swapped
    result, found = findings(_published_json(tmp_path, spec, values))
    assert found == [("T3-a", "error", "表三!D8")]          # the one cell that explains T3-a and T3-b
    f = result.findings[0]
    assert (f.value, f.expected) == (32, 23) and "颠倒" in f.message.zh
    assert f.equations == ["T3-a（（一）予以公开）", "T3-b（自然人）"]


def test_count_anchor_never_expected_negative(make_return, spec):
    values = consistent_values(spec, random.Random(1))
    result, found = findings(make_return({"t3.granted.natural": values["t3.granted.natural"] + values["t3.new.natural"]
                                          + values["t3.carried.natural"] + 5}))
    [f] = result.findings
    assert f.expected is None and "表三!D30" not in {c["cell"] for c in f.candidates}   # 四 cannot go below 0
    assert {"表三!D8", "表三!D6", "表三!D7"} <= {c["cell"] for c in f.candidates}


def test_json_true_in_a_number_cell_is_not_a_number(tmp_path, spec):
    result, found = findings(_published_json(tmp_path, spec, {"t3.new.natural": True}))
    assert ("V-text", "error", "表三!D6") in found and result.status == "invalid"


@pytest.mark.parametrize("doc", [
    '{"model": "gkxl-report/1", "values": {"t3.new.natural": [1]}}',
    '{"model": "gkxl-report/1", "values": {}, "source": [1]}',
    '{"model": "gkxl-report/1", "values": {"t3.new.natural": NaN}}',
    "[" * 100000 + "]" * 100000,
    '{"model": "gkxl-report/1", "unit": {"a": 1}}',
])
def test_malformed_json_is_unreadable_not_a_crash(tmp_path, doc):
    path = tmp_path / "bad.json"
    path.write_text(doc, encoding="utf-8")
    result = check_path(path)
    assert result.status == "unreadable" and "JSON" in result.error.zh or "报表数据" in result.error.zh


def test_check_output_never_overwrites_an_input(make_return):
    path = make_return()
    before = path.read_bytes()
    out = CliRunner().invoke(main, ["check", str(path), "-o", str(path)])
    assert out.exit_code == 2 and path.read_bytes() == before


def test_typo_kinds():
    assert typo_kind(32, 23) == "swap" and typo_kind(125, 152) == "swap" and typo_kind(17, 19) == "digit"
    assert typo_kind(10, 200) is None and typo_kind(12, 12) is None


def test_cli_json_and_exit_codes(make_return, tmp_path):
    good, bad = make_return(), make_return({"t3.granted.natural": "无"})
    runner = CliRunner()
    out = runner.invoke(main, ["check", str(good), str(bad), str(tmp_path / "nothing.xlsx"), "--format", "json"])
    assert out.exit_code == 1
    doc = json.loads(out.output)
    assert doc["summary"] == {"files": 3, "ok": 1, "invalid": 1, "unreadable": 1}
    f = doc["files"][1]["findings"][0]
    assert {k: f[k] for k in ("rule", "severity", "sheet", "cell", "value")} == \
        {"rule": "V-text", "severity": "error", "sheet": "表三", "cell": "D8", "value": "无"}
    assert runner.invoke(main, ["check", str(good)]).exit_code == 0
    assert runner.invoke(main, ["check", "--no-such-option", str(good)]).exit_code == 2


def test_report_written_a_file_at_a_time_is_the_whole_document(make_return, tmp_path):
    # the CLI streams the report (flat memory for 10,000 returns): the pieces must make the one document
    units = tmp_path / "units.csv"
    units.write_text("单位名称\n甲局\n乙局\n", encoding="utf-8")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.txt").write_text("x", encoding="utf-8")
    args = [str(make_return()), str(make_return({"t3.granted.natural": "无"})), str(tmp_path / "none.xlsx"),
            str(tmp_path / "in"), "--units", str(units)]
    for fmt in ("json", "text"):
        for lang in ("zh", "en"):
            out = tmp_path / f"report.{fmt}.{lang}"
            result = CliRunner().invoke(main, ["--lang", lang, "check", *args, "--format", fmt, "-o", str(out)])
            assert result.exit_code == 1, result.output
            written = out.read_text(encoding="utf-8")
            if fmt == "json":
                doc = json.loads(written)
                assert written == dumps(doc) + "\n"           # the layout of dumps, piece by piece
                assert doc["summary"]["files"] == 3 and doc["skipped"] and len(doc["units"]["missing"]) == 2
            else:
                assert written.count("\n") >= 6 and ("notes.txt" in written) and written.endswith("\n")
    stdout = CliRunner().invoke(main, ["check", *args, "--format", "json"]).output
    assert json.loads(stdout) == json.loads((tmp_path / "report.json.zh").read_text(encoding="utf-8"))


def test_a_failure_while_the_report_is_produced_is_not_a_failure_to_write_it(tmp_path):
    def pieces():
        yield "{"
        raise OSError(11, "Resource temporarily unavailable")     # a worker could not be started
    target = tmp_path / "report.json"
    with pytest.raises(OSError) as raised:
        write_text(target, pieces())
    assert not isinstance(raised.value, GkxlError) and raised.value.errno == 11
    assert not target.exists() and list(tmp_path.iterdir()) == []      # and no temporary file left
    (tmp_path / "a file").write_text("x", encoding="utf-8")
    with pytest.raises(GkxlError) as raised:                       # the target itself cannot be written
        write_text(tmp_path / "a file" / "report.json", "{}")
    assert raised.value.message.code.startswith("io.")


def test_human_report_chinese_and_english(make_return):
    bad = make_return({"t3.granted.natural": "3件"})
    runner = CliRunner()
    zh = runner.invoke(main, ["check", str(bad)]).output
    assert "有错误" in zh and "表三!D8" in zh and "“3件”" in zh and "可能是想填 3" in zh
    en = runner.invoke(main, ["--lang", "en", "check", str(bad)]).output
    assert "invalid" in en and "表三!D8" in en and "perhaps meaning 3" in en
    assert "Traceback" not in zh + en


def test_annotate_copy_leaves_original_untouched(make_return, tmp_path):
    bad = make_return({"t3.granted.natural": "无"})
    before = hashlib.sha256(bad.read_bytes()).hexdigest()
    out = tmp_path / "back"
    result = CliRunner().invoke(main, ["check", str(bad), "--annotate", str(out)])
    assert result.exit_code == 1
    assert hashlib.sha256(bad.read_bytes()).hexdigest() == before
    (copy,) = out.glob("*.xlsx")
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == "校验结果"
    cell = wb["表三"]["D8"]
    assert cell.comment is not None and "无" in cell.comment.text
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    listing = [r for r in wb["校验结果"].iter_rows(min_row=5, values_only=True) if r[0]]
    assert listing[0][:3] == ("V-text", "错误", "表三!D8")


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["t3.new.natural", "t3.total.total", "t2.fees.amount", "t4.review.upheld",
                                        "text.overview", "t2.rules.issued", "unknown.key"]),
                       st.one_of(st.none(), st.sampled_from(["无", "3", "", "—"]), st.integers(-3, 3),
                                 st.floats(-2, 2, allow_nan=False), st.booleans()), max_size=4),
       st.sampled_from(["某局", "", None, 7]), st.sampled_from([2024, 2019, "2024", None, 2024.0]))
def test_the_value_checks_and_the_json_schema_say_the_same(spec_, changes, unit, year):
    """`gkxl schema` prints the JSON Schema that the value and identity checks hold a report to: a report is
    schema-valid exactly when those checks find no error in it."""
    import jsonschema

    from gkxl.actions.check import check_read
    from gkxl.form import model
    from gkxl.io.read import ReadResult
    values = {c.key: 0 for c in spec_.value_cells if c.numeric}
    values.update(changes)
    doc = Report(spec_.id, spec_.version, unit=unit, year=year, values=values).to_dict()
    valid = not list(jsonschema.Draft202012Validator(model.json_schema(spec_)).iter_errors(doc))
    found = check_read(ReadResult(Report.from_dict(doc), stored_totals=True))
    typed = [f for f in found if f.severity == "error" and f.rule.startswith(("V-", "ID-"))]
    assert valid == (not typed), (changes, unit, year, [f.rule for f in typed])


@pytest.fixture(scope="module")
def spec_():
    from gkxl.form import spec as specmod
    return specmod.load("gk2021")
