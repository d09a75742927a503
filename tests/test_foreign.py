"""Workbooks in the official layout that were not made from a gkxl template, read by their labels.

The workbooks are built here with openpyxl as bureaus build them (all tables on one sheet under a title,
sheets named 表1/表2/表3, a 序号 column, tables at row 3 or column B, half-width brackets, "1、"
numbering, line breaks in labels, totals typed as numbers), and the same re-saved by LibreOffice.
"""
from __future__ import annotations

import json
import random
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import consistent_values, libreoffice_convert

from gkxl.actions.check import check_path
from gkxl.actions.merge import merge
from gkxl.cli import main
from gkxl.form import spec as specmod
from gkxl.io.read import read_path

UNIT, YEAR = "卫滨区司法局", 2025


def half_width(text: str) -> str:
    return text.replace("（", "(").replace("）", ")")


def dun_numbering(text: str) -> str:
    return re.sub(r"^(\d)\.", r"\1、", text)


def broken_lines(text: str) -> str:
    """A line break in the middle of a label, as a clerk types Alt+Enter in a narrow column."""
    return text[:len(text) // 2] + "\n" + text[len(text) // 2:] if len(text) >= 4 else text


def put_table(ws, sheet: specmod.Sheet, values: dict, top: int, left: int, *, serial: bool = False,
              restyle=lambda t: t, merge_cells: bool = True, skip_rows=(), extra_row: int | None = None) -> int:
    """Write one official table with its top-left at (top, left), 1-based; returns the next free row.

    `serial` puts a 序号 column left of it; `skip_rows` leaves template rows out; `extra_row` adds a local
    row (with figures) after that template row."""
    rows = sorted({lab.row for lab in sheet.labels} | {c.row for c in sheet.cells})
    placed, r = {}, top
    for t in range(rows[0], rows[-1] + 1):
        if t in skip_rows:
            continue
        placed[t] = r
        r += 1
        if extra_row is not None and t == extra_row:
            r += 1
    shift = left + (1 if serial else 0)

    def at(t, c):
        return placed[t], shift + c - 0
    for lab in sheet.labels:
        if lab.row not in placed:
            continue
        row, col = at(lab.row, lab.col)
        ws.cell(row, col, restyle(lab.text))
        if merge_cells and lab.merge and all(x in placed for x in (lab.merge[0], lab.merge[2])):
            r1, c1 = at(lab.merge[2], lab.merge[3])
            if (r1, c1) != (row, col):
                ws.merge_cells(start_row=row, start_column=col, end_row=r1, end_column=c1)
    for cell in sheet.cells:
        if cell.row in placed and cell.meta is None:
            ws.cell(*at(cell.row, cell.col), values.get(cell.key))
    if serial:
        header = min(lab.row for lab in sheet.labels if lab.style == "header")
        ws.cell(placed[header], left, "序号")
        for n, t in enumerate(sorted({c.row for c in sheet.cells if c.row in placed}), start=1):
            ws.cell(placed[t], left, n)
    if extra_row is not None:
        first = min(c.col for c in sheet.cells)
        ws.cell(placed[extra_row] + 1, shift + first - 1, "其中：本地增加的项目")
        ws.cell(placed[extra_row] + 1, shift + first, 7)
    return r


def tables(spec):
    return [s for s in spec.sheets if s.holds == "table"]


def one_sheet(path: Path, values: dict, spec, **kw) -> Path:
    """All three tables on one sheet under a title row, with half-width brackets and "1、" numbering."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = f"{UNIT}{YEAR}年政府信息公开工作年度报告统计表"
    row = 3
    for sheet in tables(spec):
        row = put_table(ws, sheet, values, row, 1, restyle=lambda t: dun_numbering(half_width(t)), **kw) + 2
    wb.save(path)
    return path


def three_sheets(path: Path, values: dict, spec, names=("表1", "表2", "表3"), **kw) -> Path:
    """One table a sheet, sheets named 表1/表2/表3, an info block above table 2, line breaks in labels."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, sheet in zip(names, tables(spec)):
        ws = wb.create_sheet(name)
        top = 1
        if name == names[0]:
            ws["A1"], ws["B1"] = "填报单位", UNIT
            ws["A2"], ws["B2"] = "报告年度", f"{YEAR}年"
            top = 4
        put_table(ws, sheet, values, top, 1, restyle=broken_lines, **kw)
    wb.save(path)
    return path


def serial_column(path: Path, values: dict, spec, **kw) -> Path:
    """A 序号 column, tables starting at row 3 and column B, no merged cells, identity in one cell."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "统计表"
    ws["B1"] = f"填报单位：{UNIT}    报告年度：{YEAR}"
    row = 3
    for sheet in tables(spec):
        row = put_table(ws, sheet, values, row, 2, serial=True, merge_cells=False, **kw) + 1
    wb.save(path)
    return path


SHAPES = {"one_sheet": one_sheet, "three_sheets": three_sheets, "serial_column": serial_column}


@pytest.fixture(scope="module")
def values(spec):
    return consistent_values(spec, random.Random(9))


@pytest.mark.parametrize("shape", SHAPES)
def test_balanced_foreign_workbook_checks_ok(shape, spec, values, tmp_path):
    path = SHAPES[shape](tmp_path / f"{shape}.xlsx", values, spec)
    result = check_path(path, year=YEAR)
    errors = [f for f in result.findings if f.severity == "error"]
    assert result.status == "ok", [(f.rule, f.where, f.message.zh) for f in errors]
    assert (result.unit, result.year) == (UNIT, YEAR)
    numbers = {c.key for c in spec.value_cells if c.numeric}
    assert {k: result.report.values[k] for k in numbers} == {k: values[k] for k in numbers}


def test_broken_foreign_workbook_is_flagged_at_its_own_cell(spec, values, tmp_path):
    wrong = {**values, "t3.carry_next.natural": values["t3.carry_next.natural"] + 1, "t2.rules.issued": "3件"}
    path = one_sheet(tmp_path / "broken.xlsx", wrong, spec)
    ws = openpyxl.load_workbook(path)["Sheet1"]
    carry = next(r[0].row for r in ws.iter_rows() if r[0].value == "四、结转下年度继续办理")
    issued = next(r[0].row for r in ws.iter_rows() if r[0].value == "规章")
    result = check_path(path, year=YEAR)
    found = {(f.rule, f.where) for f in result.findings}
    assert result.status == "invalid"
    # T3-a and T3-c break together; the one cell that explains both is named, in the clerk's own terms
    assert any(rule.startswith("T3") and where == f"Sheet1!D{carry}" for rule, where in found), found
    assert ("V-text", f"Sheet1!B{issued}") in found
    assert not any(f.sheet in ("表二", "表三", "表四") for f in result.findings)


def test_typed_total_that_disagrees_with_its_parts_is_found(spec, values, tmp_path):
    wrong = {**values, "t4.review.total": values["t4.review.total"] + 2}
    path = three_sheets(tmp_path / "total.xlsx", wrong, spec)
    result = check_path(path, year=YEAR)
    t4 = [f for f in result.findings if f.rule == "T4-a"]
    assert result.status == "invalid" and t4 and t4[0].sheet == "表3"


# --- the same workbooks as LibreOffice saves them: xls, ods, and xlsx again ------------------------

@pytest.fixture(scope="module")
def resaved(spec, values, tmp_path_factory):
    """Every shape, balanced, plus one broken, converted by LibreOffice into each format."""
    src = tmp_path_factory.mktemp("foreign_src")
    wrong = {**values, "t3.carry_next.business": values["t3.carry_next.business"] + 1}
    files = [fn(src / f"{name}.xlsx", values, spec) for name, fn in SHAPES.items()]
    files.append(one_sheet(src / "broken.xlsx", wrong, spec))
    out = {}
    for fmt in ("xls", "ods", "xlsx"):
        converted = libreoffice_convert(files, tmp_path_factory.mktemp(f"foreign_{fmt}"), fmt, recalc=False)
        out[fmt] = dict(zip([*SHAPES, "broken"], converted))
    return out


@pytest.mark.parametrize("fmt", ["xls", "ods", "xlsx"])
def test_resaved_by_libreoffice_reads_the_same(fmt, resaved, spec, values):
    numbers = [c.key for c in spec.value_cells if c.numeric]
    for shape in SHAPES:
        result = check_path(resaved[fmt][shape], year=YEAR)
        assert result.status == "ok", (shape, [(f.rule, f.where, f.message.zh) for f in result.findings])
        assert (result.unit, result.year) == (UNIT, YEAR), shape
        assert [result.report.values[k] for k in numbers] == pytest.approx([values[k] for k in numbers]), shape
    broken = check_path(resaved[fmt]["broken"], year=YEAR)
    ws = openpyxl.load_workbook(resaved["xlsx"]["broken"])["Sheet1"]
    carry = next(r[0].row for r in ws.iter_rows() if r[0].value == "四、结转下年度继续办理")
    assert broken.status == "invalid"
    assert any(f.rule.startswith("T3") and f.where == f"Sheet1!E{carry}" for f in broken.findings)


# --- merge, export, render, --previous ----------------------------------------------------------

def test_merging_foreign_and_gkxl_returns_equals_independent_sums(spec, make_return, tmp_path):
    folder = tmp_path / "报送"
    folder.mkdir()
    written = []
    for i, (name, build) in enumerate(SHAPES.items()):
        v = consistent_values(spec, random.Random(200 + i))
        path = build(folder / f"{name}.xlsx", v, spec)
        if name == "one_sheet":             # each its own unit: the title names it
            wb = openpyxl.load_workbook(path)
            wb["Sheet1"]["A1"] = f"第{i}单位{YEAR}年政府信息公开工作年度报告统计表"
            wb.save(path)
        else:
            wb = openpyxl.load_workbook(path)
            ws = wb.worksheets[0]
            for row in ws.iter_rows(max_row=2):
                for c in row:
                    if isinstance(c.value, str) and UNIT in c.value:
                        c.value = c.value.replace(UNIT, f"第{i}单位")
            wb.save(path)
        written.append(v)
    gkxl_values = consistent_values(spec, random.Random(300))
    make_return(gkxl_values, unit="第9单位", year=YEAR, name="gkxl.xlsx").rename(folder / "gkxl.xlsx")
    written.append(gkxl_values)
    result = merge([folder], tmp_path / "汇总.xlsx", year=YEAR, office="某市政务公开办")
    assert [e.status for e in result.files] == ["ok"] * 4 and all(e.included for e in result.files)
    summary = read_path(tmp_path / "汇总.xlsx").report.values
    for cell in spec.numeric_inputs:
        expected = sum(Decimal(str(v[cell.key])) for v in written)
        assert summary[cell.key] == pytest.approx(float(expected), abs=1e-9), cell.key


def test_previous_year_from_a_foreign_workbook(spec, make_return, tmp_path):
    last_values = consistent_values(spec, random.Random(2))
    last = one_sheet(tmp_path / "去年.xlsx", last_values, spec)
    wb = openpyxl.load_workbook(last)
    wb["Sheet1"]["A1"] = f"{UNIT}{YEAR - 1}年政府信息公开工作年度报告统计表"
    wb.save(last)
    this = make_return(year=YEAR)
    run = CliRunner().invoke(main, ["check", str(this), "--previous", str(last), "--format", "json"])
    doc = json.loads(run.output)
    rules = {f["rule"] for f in doc["files"][0]["findings"]}
    assert "Y-carry" in rules and "Y-prev" not in rules, run.output


def test_export_and_render_read_foreign_workbooks(spec, values, tmp_path):
    path = three_sheets(tmp_path / "三张表.xlsx", values, spec)
    run = CliRunner().invoke(main, ["export", str(path), "--to", "json", "-o", str(tmp_path / "out.json")])
    assert run.exit_code == 0, run.output
    record = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["records"][0]
    assert record["unit"] == UNIT and record["values"]["t3.new.natural"] == values["t3.new.natural"]
    run = CliRunner().invoke(main, ["render", str(path), "-o", str(tmp_path / "out.md")])
    assert run.exit_code == 0, run.output
    assert UNIT in (tmp_path / "out.md").read_text(encoding="utf-8")


# --- what cannot be read with certainty ---------------------------------------------------------

def test_two_copies_of_a_table_name_both_and_read_neither(spec, values, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"], ws["B1"] = "填报单位", UNIT
    ws["A2"], ws["B2"] = "报告年度", YEAR
    t2, t3, t4 = tables(spec)
    start = put_table(ws, t2, values, 4, 1) + 1
    row = put_table(ws, t3, values, start, 1) + 1
    put_table(ws, t4, values, row, 1)
    put_table(ws, t3, {**values, "t3.new.natural": 999}, start, 13)      # last year's, side by side
    wb.save(tmp_path / "twice.xlsx")
    result = check_path(tmp_path / "twice.xlsx")
    twice = [f for f in result.findings if f.rule == "STRUCT-table"]
    assert result.status == "invalid" and len(twice) == 1
    text = twice[0].message.zh
    assert "Sheet1!A" in text and "Sheet1!M" in text and "两份" in text
    assert all(result.report.values[c.key] is None for c in t3.cells)
    assert not any(f.rule.startswith("T3") or (f.key or "").startswith("t3.") for f in result.findings)


def test_table_on_two_sheets_is_two_copies(spec, values, tmp_path):
    path = three_sheets(tmp_path / "dup.xlsx", values, spec)
    wb = openpyxl.load_workbook(path)
    put_table(wb.create_sheet("去年"), tables(spec)[2], values, 1, 1)
    wb.save(path)
    result = check_path(path)
    twice = [f.message.zh for f in result.findings if f.rule == "STRUCT-table"]
    assert len(twice) == 1 and "表3!" in twice[0] and "去年!" in twice[0]


def test_no_tables_is_unreadable_saying_what_was_looked_for(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "2025年工作总结"
    wb.active["A2"] = "本年度完成各项工作。"
    wb.save(tmp_path / "总结.xlsx")
    result = check_path(tmp_path / "总结.xlsx")
    assert result.status == "unreadable"
    assert "没有找到统一格式的表二、表三、表四" in result.error.zh and "申请人情况" in result.error.zh


def test_missing_row_is_an_error_naming_it_and_extra_row_a_warning(spec, values, tmp_path):
    t2, t3, t4 = tables(spec)
    row_of = {c.key: c.row for c in t3.cells}
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"] = "填报单位", UNIT
    ws["A2"], ws["B2"] = "报告年度", YEAR
    row = put_table(ws, t2, values, 4, 1, extra_row=min(c.row for c in t2.cells)) + 1
    row = put_table(ws, t3, values, row, 1, skip_rows={row_of["t3.withheld_law.natural"]}) + 1
    put_table(ws, t4, values, row, 1)
    wb.save(tmp_path / "rows.xlsx")
    result = check_path(tmp_path / "rows.xlsx", year=YEAR)
    missing = [f for f in result.findings if f.rule == "STRUCT-row"]
    extra = [f for f in result.findings if f.rule == "STRUCT-extra"]
    assert len(missing) == 1 and missing[0].severity == "error" and "其他法律行政法规禁止公开" in missing[0].message.zh
    assert len(extra) == 1 and extra[0].severity == "warning" and "本地增加的项目" in extra[0].message.zh
    assert result.report.values["t3.withheld_law.natural"] is None
    # the row is said once, not again as blanks or broken sums
    assert not any(f.rule == "V-blank" or f.rule.startswith("T3-b") for f in result.findings)


def test_a_row_label_standing_twice_is_not_read(spec, values, tmp_path):
    path = one_sheet(tmp_path / "amb.xlsx", values, spec)
    wb = openpyxl.load_workbook(path)
    ws = wb["Sheet1"]
    at = next(r[0].row for r in ws.iter_rows() if r[0].value == "行政处罚")
    ws.insert_rows(at + 1)
    ws.cell(at + 1, 1, "行政处罚")
    ws.cell(at + 1, 2, 5)
    wb.save(path)
    result = check_path(path, year=YEAR)
    twice = [f for f in result.findings if f.rule == "STRUCT-row"]
    assert len(twice) == 1 and f"Sheet1!A{at}" in twice[0].message.zh and f"Sheet1!A{at + 1}" in twice[0].message.zh
    assert result.report.values["t2.penalty.decisions"] is None and result.status == "invalid"


def test_2019_format_is_recognised_from_the_labels(tmp_path):
    spec19 = specmod.load("gk2019")
    v = {c.key: 1 for c in spec19.value_cells if c.numeric}
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = f"{UNIT}2020年度政府信息公开工作年度报告统计表"
    row = 3
    for sheet in tables(spec19):
        row = put_table(ws, sheet, v, row, 1) + 1
    wb.save(tmp_path / "2019.xlsx")
    result = read_path(tmp_path / "2019.xlsx")
    assert result.report.format == "gk2019" and result.report.year == 2020
    assert result.report.values["t2.procurement.projects"] == 1


def test_identity_from_the_file_name_or_a_finding(spec, values, tmp_path):
    wb = openpyxl.Workbook()
    row = 1
    for sheet in tables(spec):
        row = put_table(wb.active, sheet, values, row, 1) + 1
    wb.save(tmp_path / "卫滨区财政局_2025.xlsx")
    wb.save(tmp_path / "报表.xlsx")
    named = check_path(tmp_path / "卫滨区财政局_2025.xlsx")
    assert (named.unit, named.year) == ("卫滨区财政局", 2025) and named.status == "ok"
    assert {f.rule for f in named.findings if f.severity == "info"} >= {"ID-source"}
    anonymous = check_path(tmp_path / "报表.xlsx")
    assert {(f.rule, f.severity) for f in anonymous.findings} >= {("ID-unit", "error"), ("ID-year", "error")}
    assert all(f.sheet is None for f in anonymous.findings if f.rule.startswith("ID-"))


def test_info_blocks_that_disagree_are_said_and_year_is_settled_only_by_year_option(spec, values, tmp_path):
    """Two info blocks with different years or units: a finding naming both places, never a silent pick;
    --year settles the year when it is one of them."""
    path = three_sheets(tmp_path / "two_years.xlsx", values, spec)
    wb = openpyxl.load_workbook(path)
    ws = wb["表3"]
    ws.insert_rows(1, 3)
    ws["A1"], ws["B1"] = "报告年度", f"{YEAR - 1}年"
    wb.save(path)
    result = check_path(path)
    [said] = [f for f in result.findings if f.rule == "ID-year"]
    assert result.report.year is None and said.severity == "error"
    assert "表1!B2" in said.message.zh and "表3!B1" in said.message.zh and str(YEAR - 1) in said.message.zh
    settled = check_path(path, year=YEAR)
    assert settled.year == YEAR and not [f for f in settled.findings if f.rule == "ID-year"]
    assert any(f.rule == "ID-source" and "--year" in f.message.zh for f in settled.findings)
    elsewhere = check_path(path, year=YEAR + 5)
    assert elsewhere.status == "invalid" and [f.rule for f in elsewhere.findings].count("ID-year") == 1
    ws["A1"], ws["B1"] = "填报单位", "另一个局"
    ws["A2"], ws["B2"] = "报告年度", f"{YEAR}年"
    wb.save(path)
    result = check_path(path, year=YEAR)
    [unit] = [f for f in result.findings if f.rule == "ID-unit"]
    assert result.unit is None and "另一个局" in unit.message.zh and UNIT in unit.message.zh
