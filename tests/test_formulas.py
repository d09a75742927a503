"""Formulas saved without a value (a workbook written by a program, never opened) are read as the spreadsheet
shows them once it calculates; a formula gkxl cannot evaluate is a finding at its cell, never a 0 or a blank."""
from __future__ import annotations

import openpyxl
import pytest

from gkxl.actions.check import check_path
from gkxl.io.formulas import FormulaError, Workbook, _shifted, sheet_formulas


def book(cells: dict[str, dict[tuple[int, int], object]]) -> Workbook:
    """Sheets of values and formulas (a str starting with = is a formula)."""
    def grid(name):
        if name not in cells:
            return None
        n = 1 + max(r for r, _ in cells[name])
        m = 1 + max(c for _, c in cells[name])
        return [[(None if str(cells[name].get((r, c), "")).startswith("=") else cells[name].get((r, c))) for c in range(m)]
                for r in range(n)]
    return Workbook(grid, lambda name: {k: v[1:] for k, v in cells.get(name, {}).items() if str(v).startswith("=")})


@pytest.mark.parametrize("formula, expected", [
    ("=SUM(A1:C1)", 6), ("=A1+B1-C1", 0), ("=SUM(A1,B1,C1)+1", 7), ("=-A1+10", 9), ("=SUM(A1:A2)", 1),
    ("=SUM('其他 表'!A1,表二!B1)", 12), ("=(A1+B1)*1" , None), ("=VLOOKUP(A1,A1:C1,2)", None), ("=A1&B1", None),
    ("=SUM(A1:C1", None), ("=1.5+A1", 2.5), ("=SUM(A1:C1,D1)", 6),
])
def test_the_grammar_of_totals(formula, expected):
    sheets = {"表一": {(0, 0): 1, (0, 1): 2, (0, 2): 3, (0, 3): "注", (2, 0): formula},
              "其他 表": {(0, 0): 5}, "表二": {(0, 1): 7}}
    b = book(sheets)
    if expected is None:
        with pytest.raises(FormulaError) as raised:
            b.value("表一", 2, 0)
        assert raised.value.code == "formula.unsupported"
    else:
        assert b.value("表一", 2, 0) == expected


def test_circular_text_and_error_values_are_said():
    b = book({"S": {(0, 0): "=B1", (0, 1): "=A1", (1, 0): "三件", (1, 1): "=A2+1", (2, 0): "#DIV/0!", (2, 1): "=A3"}})
    for row, code in ((0, "formula.circular"), (1, "formula.text_added"), (2, "formula.error_value")):
        with pytest.raises(FormulaError) as raised:
            b.value("S", row, 1)
        assert raised.value.code == code


def test_shared_formulas_are_given_at_each_cell():
    xml = (b'<sheetData><row r="6"><c r="J6"><f t="shared" ref="J6:J8" si="0">SUM(D6:I6)</f></c></row>'
           b'<row r="7"><c r="J7"><f t="shared" si="0"/></c></row><row r="8"><c r="J8"><f t="shared" si="0"/>'
           b'<v>3</v></c></row></sheetData>')
    assert sheet_formulas(xml) == {(5, 9): "SUM(D6:I6)", (6, 9): "SUM(D7:I7)"}      # J8 has its value
    assert _shifted("SUM($D6:I6,'表 三'!A1)", 1, 1) == "SUM($D7:J7,'表 三'!B2)"


def test_a_workbook_written_by_a_program_is_read_as_it_calculates(tmp_path):
    """Table 4 as an exporter writes it: its 总计 are formulas with no value; one is a VLOOKUP."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表四"
    ws.append(["四、政府信息公开行政复议、行政诉讼情况"])
    ws.append(["行政复议", None, None, None, None, "行政诉讼"])
    ws.append([None] * 5 + ["未经复议直接起诉", None, None, None, None, "复议后起诉"])
    ws.append(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3)
    ws.append([1, 2, 0, 1, "=SUM(A5:D5)", 0, 1, 0, 0, "=F5+G5+H5+I5", 2, 0, 0, 0, "=VLOOKUP(K5,K5:N5,1)"])
    path = tmp_path / "导出.xlsx"
    wb.save(path)
    result = check_path(path)
    values = result.report.values
    assert (values["t4.review.total"], values["t4.suit_direct.total"]) == (4, 1)
    [said] = [f for f in result.findings if f.rule == "V-formula"]
    assert said.where == "表四!O5" and "=VLOOKUP(K5,K5:N5,1)" in said.message.zh and said.severity == "error"
    assert values["t4.suit_after_review.total"] is None
    assert not [f for f in result.findings if f.rule in ("V-blank", "T4-a")]      # said once, at the formula
