"""gkxl parse: the real seed report and hand-written reports in each shape seen on real pages."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT  # noqa: E402

from gkxl.form import spec as specmod
from gkxl.form.model import Report
from gkxl.io.write import write_workbook
from gkxl.published.parse import parse_html, parse_path, parse_text
from gkxl.published.render import render
from gkxl.text.labels import best_match, core, normalise, strip_numbering
from gkxl.text.numbers import read_number

SEED = ROOT / "samples" / "卫滨区司法局_2024年报.txt"      # the project's copy of shared/seeds/000_d764aaae447f3579.txt
DATA = Path(__file__).parent / "data" / "published"
COLS = ["natural", "business", "research", "public_interest", "legal_service", "other", "total"]
# The table 3 every hand-written fixture publishes (row key -> 7 columns)
T3 = {
    "new": [20, 3, 0, 1, 2, 0, 26], "carried": [2, 0, 0, 0, 0, 0, 2], "granted": [10, 1, 0, 0, 1, 0, 12],
    "partial": [2, 0, 0, 0, 0, 0, 2], "withheld_security": [1, 0, 0, 0, 0, 0, 1],
    "withheld_third_party": [1, 0, 0, 0, 0, 0, 1], "unable_not_held": [4, 1, 0, 1, 0, 0, 6],
    "unable_unclear": [1, 0, 0, 0, 0, 0, 1], "unhandled_petition": [1, 0, 0, 0, 0, 0, 1],
    "otherwise_no_correction": [1, 0, 0, 0, 0, 0, 1], "total": [21, 2, 0, 1, 1, 0, 25],
    "carry_next": [1, 1, 0, 0, 1, 0, 3],
}
T4 = [1, 0, 0, 1, 2, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0]
T4_KEYS = [f"t4.{r}.{c}" for r in ("review", "suit_direct", "suit_after_review")
           for c in ("upheld", "corrected", "other", "pending", "total")]


def row(values: dict, key: str) -> list:
    return [values[f"t3.{key}.{c}"] for c in COLS]


def codes(result, severity=None) -> list[str]:
    return [n.message.code for n in result.notes if severity is None or n.severity == severity]


def figures(report: Report) -> dict:
    return {k: v for k, v in report.values.items() if k.startswith(("t2.", "t3.", "t4."))}


def seed_seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


# --- labels --------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("（三）不予公开", "(三)不予公开"),
    ("1． 属于国家秘密", "1.属于国家秘密"),
    ("1、属于国家秘密", "1.属于国家秘密"),
    ("3. 危及“三安全一稳定”", '3.危及"三安全一稳定"'),
    ("商业\n企业", "商业企业"),
    ("结果　维持", "结果维持"),
    ("第二十条第【一】项", "第二十条第(一)项"),
])
def test_normalise(raw, expected):
    assert normalise(raw) == expected


def test_numbering_and_core():
    assert strip_numbering("（六）其他处理") == "其他处理"
    assert strip_numbering("一、本年新收政府信息公开申请数量") == "本年新收政府信息公开申请数量"
    assert core("（二）部分公开（区分处理的，只计这一情形，不计其他情形）") == "部分公开"


def test_fuzzy_match_takes_small_typos_not_other_labels():
    assert best_match("属于国家秘蜜", ["1.属于国家秘密", "7.属于行政执法案卷"])[0] == "1.属于国家秘密"
    assert best_match("行政处罚", ["行政许可", "行政强制"])[0] is None


@pytest.mark.parametrize("raw, value, code", [
    ("0", 0, None), ("１２", 12, None), ("3件", 3, "parse.unit_removed"), ("1,234", 1234, "parse.unit_removed"),
    ("55（含自然失效29件）", 55, "parse.note_removed"), ("-", None, "parse.blank"), ("/", None, "parse.blank"),
    ("—", None, "parse.blank"), ("无", None, "parse.blank"), ("", None, None), ("-2", -2, None),
])
def test_parse_number(raw, value, code):
    r = read_number(raw, "count")
    assert (r.value, r.note) == (value, code)


def test_fee_keeps_its_decimals_and_yuan_become_wan_yuan():
    assert read_number("0.123456", "amount").value == 0.123456
    r = read_number("251000元", "amount")
    assert (r.value, r.note) == (25.1, "parse.yuan_converted")


# --- the seed ------------------------------------------------------------------------------------

def test_seed_is_read_completely_and_silently():
    result = parse_path(SEED)
    report = result.report
    assert result.format_detected == "2021" and report.format == "gk2021"
    assert (report.unit, report.year) == ("卫滨区司法局", 2024)
    assert codes(result) == ["format.recognised"]
    spec = specmod.load("gk2021")
    for cell in spec.value_cells:
        if cell.numeric:
            assert report.values[cell.key] == 0, cell.key
    # the shifted row "3. 其他" (label moved to the first field) lands on its own row
    assert row(report.values, "otherwise_other") == [0] * 7
    assert report.values["text.overview"].startswith("(一) 主动公开")
    assert "171 条" in report.values["text.overview"]
    assert report.values["text.problems"].startswith("(一) 存在主要问题")
    assert report.values["text.other"] == "2024年度我单位不存在信息公开收费情况。"
    assert report.source["file_type"] == "text" and report.source["published"] and report.source["format_detected"] == "2021"


def test_seed_total_that_does_not_add_up_is_named_with_both_values():
    text = seed_seed_text().replace("(七) 总计\t\t0\t0", "(七) 总计\t\t5\t0")
    result = parse_text(text, "seed.txt")
    assert result.report.values["t3.total.natural"] == 5          # kept as published
    mismatches = {n.message.params["where"]: n for n in result.notes if n.message.code == "parse.total_mismatch"}
    assert set(mismatches) == {"表三!D29", "表三!J29"}     # its column and its row no longer add up
    note = mismatches["表三!D29"]
    assert note.severity == "warning"
    assert (note.message.params["published"], note.message.params["computed"]) == ("5", "0")
    assert note.line == next(i for i, l in enumerate(text.splitlines(), 1) if l.startswith("(七)"))
    assert "表三!D29" in note.message.en and "5" in note.message.zh


def test_seed_from_gb18030_bytes(tmp_path):
    path = tmp_path / "seed_gbk.txt"
    path.write_bytes(seed_seed_text().encode("gb18030"))
    assert figures(parse_path(path).report) == figures(parse_path(SEED).report)


def test_lines_that_fit_nowhere_are_reported_with_their_number():
    lines = seed_seed_text().splitlines()
    at = lines.index("(七) 总计\t\t0\t0\t0\t0\t0\t0\t0\t")
    lines.insert(at, "注：本表含一件跨年度申请。")
    result = parse_text("\n".join(lines))
    [note] = [n for n in result.notes if n.message.code == "parse.unplaced"]
    assert note.line == at + 1 and "跨年度" in note.message.zh


def _wrapped_by_character(row: str) -> list[str]:
    """A header row as a narrow print layout shows it: each cell's text one character a line."""
    cells = ["".join(c.split()) for c in row.split("\t")]
    return ["\t".join(c[i] if i < len(c) else "" for c in cells) for i in range(max(map(len, cells)))]


def test_wrapped_title_and_header_cells_wrapped_character_by_character_are_read_silently():
    """A title broken before 报告 is one title; header rows whose narrow cells wrapped (a row of text a
    line) are the header, told by the spec's header labels column by column. A stray line stays said."""
    lines = seed_seed_text().splitlines()
    title = lines.index("卫滨区司法局 2024 年政府信息公开工作年度报告")
    lines[title:title + 1] = ["卫滨区司法局 2024 年政府信息公开工作年度", "报告"]
    at = next(i for i, l in enumerate(lines) if l.startswith("结果 维持\t"))
    wrapped = _wrapped_by_character(lines[at]) + _wrapped_by_character(lines[at + 1])
    assert len(wrapped) == 12 and wrapped[1].startswith("果\t果\t他\t未\t计")
    result = parse_text("\n".join(lines[:at] + wrapped + lines[at + 2:]))
    assert (result.report.unit, result.report.year) == ("卫滨区司法局", 2024)
    assert result.report.source["title"] == "卫滨区司法局 2024 年政府信息公开工作年度报告"
    assert codes(result) == ["format.recognised"]
    assert figures(result.report) == figures(parse_path(SEED).report)
    stray = lines[:at] + ["注：本表含一件跨年度申请。"] + wrapped + lines[at + 2:]
    notes = [n for n in parse_text("\n".join(stray)).notes if n.message.code == "parse.unplaced"]
    assert [n.line for n in notes] == [at + 1]
    broken = lines[:at] + [wrapped[0].replace("结", "吉", 1)] + wrapped[1:] + lines[at + 2:]   # not the labels
    assert "parse.unplaced" in codes(parse_text("\n".join(broken)))


# --- hand-written reports ------------------------------------------------------------------------

def test_html_with_rowspan_and_colspan():
    result = parse_path(DATA / "html_rowspan_2024.html")
    v = result.report.values
    assert (result.report.unit, result.report.year) == ("东城区教育局", 2024)
    assert result.report.source["preamble"] == "本报告依据《中华人民共和国政府信息公开条例》编制。"
    expected = {**{k: list(x) for k, x in T3.items()}}
    expected["new"][6] = 27                                          # published that way
    for key, vals in expected.items():
        assert row(v, key) == vals, key
    assert [v[k] for k in T4_KEYS] == T4
    # blanks stay blank, each noted with its line
    assert [v["t2.rules.issued"], v["t2.rules.repealed"], v["t2.rules.in_force"], v["t2.coercion.decisions"]] == [None] * 4
    assert codes(result).count("parse.blank") == 4
    assert v["t2.normative.in_force"] == 55 and "parse.note_removed" in codes(result)
    assert v["t2.fees.amount"] == 0.123456 and v["t2.license.decisions"] == 1234
    fuzzy = [n for n in result.notes if n.message.code == "parse.label_fuzzy"]
    assert fuzzy and fuzzy[0].message.params["found"] == "1．属于国家秘蜜"
    mismatch = [n for n in result.notes if n.message.code == "parse.total_mismatch"]
    assert [(n.message.params["where"], n.message.params["published"], n.message.params["computed"]) for n in mismatch] == [("表三!J6", "27", "26")]
    assert "parse.section_reworded" in codes(result)
    assert not codes(result, "error")


def test_html_string_api_and_line_numbers():
    source = (DATA / "html_rowspan_2024.html").read_text(encoding="utf-8")
    result = parse_html(source)
    blank = next(n for n in result.notes if n.message.code == "parse.blank")
    assert "<td>规章</td>" in source.splitlines()[blank.line - 1]


def test_text_with_shifted_rows_full_width_digits_and_other_numbering():
    result = parse_path(DATA / "text_shifted_2023.txt")
    v = result.report.values
    assert (result.report.unit, result.report.year) == ("城关镇人民政府", 2023)
    for key, vals in T3.items():
        assert row(v, key) == vals, key
    assert row(v, "otherwise_other") == [0] * 7
    assert [v["t2.normative.issued"], v["t2.normative.in_force"], v["t2.license.decisions"]] == [2, 15, 12]
    assert [v[k] for k in T4_KEYS] == T4
    assert codes(result) == ["format.recognised"]


def test_pdf_text_with_single_row_six():
    result = parse_path(DATA / "pdf_single_row_six_2022.txt")
    v = result.report.values
    assert result.report.format == "gk2021" and result.report.year == 2022
    for key in ("otherwise_no_correction", "otherwise_no_fee", "otherwise_other"):
        assert row(v, key) == [None] * 7
    assert row(v, "total") == T3["total"]                            # the published (七) is kept
    [group] = [n for n in result.notes if n.message.code == "parse.group_row"]
    assert group.line == 48 and group.severity == "warning" and "1、0、0、0、0、0、1" in group.message.zh
    assert "parse.total_mismatch" not in codes(result)               # the single row still counts in the check
    assert v["t2.fees.amount"] == 25.1 and "parse.yuan_converted" in codes(result, "warning")
    unplaced = [n for n in result.notes if n.message.code == "parse.unplaced"]
    assert [n.line for n in unplaced] == [51]
    assert [v[k] for k in T4_KEYS] == T4
    assert "format.by_year" in codes(result)
    assert not codes(result, "error")


def test_single_row_six_with_a_wrong_total_is_still_checked():
    text = (DATA / "pdf_single_row_six_2022.txt").read_text(encoding="utf-8")
    text = text.replace("（七）总计 21 2", "（七）总计 22 2")
    result = parse_text(text)
    found = {n.message.params["where"]: (n.message.params["published"], n.message.params["computed"])
             for n in result.notes if n.message.code == "parse.total_mismatch"}
    assert found == {"表三!D29": ("22", "21"), "表三!J29": ("25", "26")}


def test_2019_format_is_recognised_and_parsed():
    result = parse_path(DATA / "format2019_2020.txt")
    report = result.report
    assert result.format_detected == "2019" and report.format == "gk2019"
    assert "2019" in next(n for n in result.notes if n.message.code == "format.recognised").message.en
    v = report.values
    assert [v["t2.license.last_year"], v["t2.license.change"], v["t2.license.decisions"]] == [12, -2, 150]
    assert [v["t2.procurement.projects"], v["t2.procurement.amount"]] == [15, 236.8]
    assert [v["t2.fees.last_year"], v["t2.fees.change"]] == [2, 0]
    assert row(v, "otherwise") == [1, 0, 0, 0, 0, 0, 1]
    assert row(v, "total") == T3["total"]
    assert not codes(result, "warning") and not codes(result, "error")


def test_space_separated_row_missing_a_blank_is_refused_not_guessed():
    text = (DATA / "pdf_single_row_six_2022.txt").read_text(encoding="utf-8")
    text = text.replace("二、上年结转政府信息公开申请数量 2 0 0 0 0 0 2", "二、上年结转政府信息公开申请数量 2 0 0 0 2")
    result = parse_text(text)
    [n] = [n for n in result.notes if n.message.code == "parse.value_count"]
    assert n.severity == "error" and n.message.params["found"] == 5
    assert row(result.report.values, "carried") == [None] * 7


def test_blank_at_the_edge_of_a_padded_row_is_flagged():
    text = seed_seed_text().replace("四、结转下年度继续办理\t\t0\t0\t0\t0\t0\t0\t0\t", "四、结转下年度继续办理\t\t0\t0\t0\t0\t0\t0\t\t")
    result = parse_text(text)
    assert "parse.ambiguous_alignment" in codes(result, "warning")


def test_missing_table_is_an_error():
    text = seed_seed_text()
    text = text[:text.index("四、政府信息公开行政复议")] + text[text.index("五、存在的主要问题"):]
    result = parse_text(text)
    assert "parse.table_missing" in codes(result, "error") and "parse.section_missing" in codes(result, "error")
    assert all(result.report.values[k] is None for k in T4_KEYS)


# --- round trip ----------------------------------------------------------------------------------

def test_round_trip_seed_to_workbook_to_rendered_report_and_back(tmp_path):
    from gkxl.actions import check
    from gkxl.io import read
    parsed = parse_path(SEED).report
    workbook = tmp_path / "seed.xlsx"
    write_workbook(workbook, specmod.load(parsed.format), parsed, role="parsed")
    back = read.read_path(workbook).report
    assert figures(back) == figures(parsed)
    result = check.check_path(workbook)
    assert result.status == "ok", [f for f in result.findings if f.severity == "error"]
    md = tmp_path / "seed.md"
    render(back, "md", md)
    again = parse_path(md)
    assert figures(again.report) == figures(parsed)
    assert (again.report.unit, again.report.year) == (parsed.unit, parsed.year)
    assert again.report.values["text.other"] == parsed.values["text.other"]


# --- command line --------------------------------------------------------------------------------

def _cli():
    from gkxl.cli import main
    return main


def test_cli_parse_to_json_and_xlsx(tmp_path):
    runner = CliRunner()
    out = tmp_path / "r.json"
    res = runner.invoke(_cli(), ["parse", str(DATA / "html_rowspan_2024.html"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert f"{DATA / 'html_rowspan_2024.html'}：" in res.output and "[警告] P-total-mismatch 第 35 行：表三!J6" in res.output
    report = Report.from_json_file(out)
    assert report.values["t3.new.total"] == 27 and report.values["t2.rules.issued"] is None
    res = runner.invoke(_cli(), ["--lang", "en", "parse", str(SEED), "-o", str(tmp_path / "r.xlsx")])
    assert res.exit_code == 0 and (tmp_path / "r.xlsx").stat().st_size > 0


def test_cli_parse_exit_codes(tmp_path):
    runner = CliRunner()
    res = runner.invoke(_cli(), ["parse", str(tmp_path / "missing.txt"), "-o", str(tmp_path / "x.json")])
    assert res.exit_code == 1 and "Traceback" not in res.output
    res = runner.invoke(_cli(), ["parse", str(SEED), "-o", str(tmp_path / "x.csv")])
    assert res.exit_code == 2
    broken = tmp_path / "broken.txt"
    broken.write_text(seed_seed_text().replace("(七) 总计\t\t0\t0\t0\t0\t0\t0\t0", "(七) 总计\t\t0\t0\t0"), encoding="utf-8")
    res = runner.invoke(_cli(), ["--lang", "en", "parse", str(broken), "-o", str(tmp_path / "b.json")])
    assert res.exit_code == 1 and "[error] P-value-count line " in res.output
    assert ": row “（七）总计” needs 7 figures" in res.output
    assert json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["values"]["t3.total.natural"] is None
