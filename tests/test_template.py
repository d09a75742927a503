"""The generated template, read back with openpyxl and calamine: layout, protection, validation, formulas."""
from __future__ import annotations

import csv
import json
import os
import random
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine as pc
from click.testing import CliRunner
from conftest import consistent_values
from openpyxl.utils import range_boundaries

from gkxl.cli import main
from gkxl.form.model import Report
from gkxl.io.write import META_SHEET, TemplateStamper, write_workbook

GOLDEN = Path(__file__).parent / "golden" / "gk2021_template.json"

# Written from FORMAT.md, not from the spec, so that a wrong spec fails here.
T3_ROW_LABELS = {
    "A6": "一、本年新收政府信息公开申请数量", "A7": "二、上年结转政府信息公开申请数量", "A8": "三、本年度办理结果",
    "B8": "（一）予以公开", "B9": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "B10": "（三）不予公开",
    "C10": "1.属于国家秘密", "C11": "2.其他法律行政法规禁止公开", "C12": "3.危及“三安全一稳定”", "C13": "4.保护第三方合法权益",
    "C14": "5.属于三类内部事务信息", "C15": "6.属于四类过程性信息", "C16": "7.属于行政执法案卷", "C17": "8.属于行政查询事项",
    "B18": "（四）无法提供", "C18": "1.本机关不掌握相关政府信息", "C19": "2.没有现成信息需要另行制作", "C20": "3.补正后申请内容仍不明确",
    "B21": "（五）不予处理", "C21": "1.信访举报投诉类申请", "C22": "2.重复申请", "C23": "3.要求提供公开出版物",
    "C24": "4.无正当理由大量反复申请", "C25": "5.要求行政机关确认或重新出具已获取信息", "B26": "（六）其他处理",
    "C26": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "C27": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "C28": "3.其他",
    "B29": "（七）总计", "A30": "四、结转下年度继续办理",
}
T3_HEADERS = {"A3": "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "D3": "申请人情况",
              "D4": "自然人", "E4": "法人或其他组织", "J4": "总计", "E5": "商业企业", "F5": "科研机构",
              "G5": "社会公益组织", "H5": "法律服务机构", "I5": "其他"}
T3_MERGES = {"A3:C5", "D3:J3", "D4:D5", "E4:I4", "J4:J5", "A8:A29", "B10:B17", "B18:B20", "B21:B25", "B26:B28"}
T2_LABELS = {"A2": "第二十条第（一）项", "B3": "本年制发件数", "C3": "本年废止件数", "D3": "现行有效件数", "A4": "规章",
             "A5": "行政规范性文件", "A6": "第二十条第（五）项", "B7": "本年处理决定数量", "A8": "行政许可",
             "A9": "第二十条第（六）项", "A11": "行政处罚", "A12": "行政强制", "A13": "第二十条第（八）项",
             "B14": "本年收费金额（单位：万元）", "A15": "行政事业性收费"}
T4_LABELS = {"A2": "行政复议", "F2": "行政诉讼", "F3": "未经复议直接起诉", "K3": "复议后起诉",
             **{f"{c}3": t for c, t in zip("ABCDE", ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"])},
             **{f"{c}4": t for c, t in zip("FGHIJ", ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"])},
             **{f"{c}4": t for c, t in zip("KLMNO", ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"])}}


@pytest.fixture(scope="module")
def blank(tmp_path_factory, spec):
    path = tmp_path_factory.mktemp("tpl") / "blank.xlsx"
    write_workbook(path, spec, Report.blank(spec, unit="卫滨区司法局", unit_code="X1", year=2025), password=None)
    return path


@pytest.fixture(scope="module")
def wb(blank):
    return openpyxl.load_workbook(blank)


def test_official_labels_at_their_places(wb):
    for sheet, labels in (("表三", {**T3_ROW_LABELS, **T3_HEADERS}), ("表二", T2_LABELS), ("表四", T4_LABELS)):
        ws = wb[sheet]
        for ref, text in labels.items():
            assert ws[ref].value == text, (sheet, ref)
    assert T3_MERGES <= {str(r) for r in wb["表三"].merged_cells.ranges}
    assert {"B8:D8", "B11:D11", "B12:D12", "B15:D15"} <= {str(r) for r in wb["表二"].merged_cells.ranges}


def test_every_spec_label_and_merge(wb, spec):
    for sheet in spec.sheets:
        ws = wb[sheet.name]
        merges = {str(r) for r in ws.merged_cells.ranges}
        for lab in sheet.labels:
            assert ws[lab.ref].value == lab.text
            if lab.merge:
                r0, c0, r1, c1 = lab.merge
                assert any(range_boundaries(m) == (c0 + 1, r0 + 1, c1 + 1, r1 + 1) for m in merges), lab.text


def test_sheets_in_order_and_metadata_very_hidden(wb):
    assert wb.sheetnames == ["填报说明", "基本信息", "表二", "表三", "表四", "文字部分", "校验", META_SHEET]
    assert wb[META_SHEET].sheet_state == "veryHidden"
    meta = {r[0].value: r[1].value for r in wb[META_SHEET].iter_rows(min_row=2)}
    assert meta["template"] == "gk2021" and meta["year"] == "2025" and meta["unit"] == "卫滨区司法局"
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["gkxl.template"] == "gk2021" and props["gkxl.unit"] == "卫滨区司法局" and "gkxl.generated_at" in props


def test_inputs_unlocked_everything_else_locked_and_protected(wb, spec):
    inputs = {(c.sheet, c.ref) for c in spec.cells.values() if c.is_input and not (c.meta and wb[c.sheet][c.ref].value)}
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
        for row in ws.iter_rows(min_row=1, max_row=max(ws.max_row, 35), max_col=max(ws.max_column, 16)):
            for cell in row:
                if (ws.title, cell.coordinate) in inputs:
                    assert not cell.protection.locked, (ws.title, cell.coordinate)
                elif type(cell).__name__ == "Cell":
                    assert cell.protection.locked, (ws.title, cell.coordinate)


def test_prefilled_unit_and_year_are_locked(wb):
    ws = wb["基本信息"]
    assert ws["B3"].value == "卫滨区司法局" and ws["B3"].protection.locked
    assert ws["B5"].value == 2025 and ws["B5"].protection.locked
    assert not ws["B6"].protection.locked          # contact person stays editable


def _covered(ws) -> dict[str, object]:
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            c0, r0, c1, r1 = range_boundaries(rng)
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    out[ws.cell(r, c).coordinate] = dv
    return out


def test_validation_with_chinese_prompt_on_every_input(wb, spec):
    for cell in spec.cells.values():
        if not cell.is_input or (cell.meta and wb[cell.sheet][cell.ref].protection.locked):
            continue
        dv = _covered(wb[cell.sheet]).get(cell.ref)
        assert dv is not None, cell.where
        assert dv.showInputMessage and dv.showErrorMessage and dv.prompt and dv.error
        assert any("\u4e00" <= ch <= "\u9fff" for ch in dv.prompt), cell.where
        expected_type = {"count": "whole", "amount": "decimal", "year": "whole", "text": "textLength"}[cell.type]
        assert dv.type == expected_type, cell.where


def test_inputs_start_at_zero_and_texts_blank(wb, spec):
    for cell in spec.inputs:
        value = wb[cell.sheet][cell.ref].value
        assert value == (0 if cell.numeric else None), cell.where


def test_totals_are_formulas_with_right_cached_values(tmp_path, spec):
    values = consistent_values(spec, random.Random(7))
    path = tmp_path / "filled.xlsx"
    write_workbook(path, spec, Report(spec.id, spec.version, unit="某单位", year=2024, values=values))
    formulas = openpyxl.load_workbook(path)
    cached = pc.CalamineWorkbook.from_path(str(path))
    grids = {s.name: cached.get_sheet_by_name(s.name).to_python(skip_empty_area=False) for s in spec.sheets}
    for cell in spec.totals:
        f = formulas[cell.sheet][cell.ref].value
        assert isinstance(f, str) and f.startswith("=SUM("), cell.where
        assert grids[cell.sheet][cell.row][cell.col] == values[cell.key], cell.where   # independent sums
    check = cached.get_sheet_by_name("校验").to_python()
    assert check[1][1] == "✓ 全部通过"
    assert all(row[4] == "✓" for row in check[4:] if row[0])


def test_check_sheet_shows_failure_in_cached_values(tmp_path, spec):
    values = consistent_values(spec, random.Random(3))
    values["t3.carry_next.natural"] += 2
    path = tmp_path / "bad.xlsx"
    write_workbook(path, spec, Report(spec.id, spec.version, unit="某单位", year=2024, values=values))
    rows = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("校验").to_python()
    failed = [r for r in rows[4:] if r and r[4] == "✗"]
    assert [r[6] for r in failed] == ["T3-c[natural]", "T3-c[total]"]       # 规则编号, last
    assert failed[0][0].startswith("表三 · 自然人：")                         # 检查内容 in words, first
    assert rows[1][1] == "✗ 有 2 条规则未通过"
    assert failed[0][3] == -2


def test_conditional_formatting_on_rule_cells(wb):
    ws = wb["表三"]
    rules_text = [r.formula[0] for cf in ws.conditional_formatting for r in cf.rules if r.formula]
    assert any("$D$30" in f and "<>0" in f for f in rules_text)      # T3-c of the 自然人 column
    assert any("ISNUMBER" in f for f in rules_text)                    # blank or text in an input


def test_print_setup(wb):
    for name in ("表二", "表三", "表四"):
        ws = wb[name]
        assert ws.page_setup.paperSize == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)  # 1 is the default
        assert ws.page_setup.fitToHeight in (None, 1)      # one page each, as the spec's "print" says
        assert ws.freeze_panes
        assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert wb["表三"].page_setup.orientation == "landscape"
    assert wb["校验"].page_setup.fitToHeight not in (None, 1) and wb["校验"].print_title_rows == "$4:$4"
    assert wb["表三"].print_title_rows == "$1:$5"


def test_password_option_sets_a_password(tmp_path, spec):
    path = tmp_path / "pw.xlsx"
    write_workbook(path, spec, password="s3cret")
    ws = openpyxl.load_workbook(path)["表三"]
    assert ws.protection.sheet and ws.protection.password


def _content(path: Path) -> dict:
    """What a person sees in the workbook, independent of zip details: values, formulas, merges, locks."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        cells = {c.coordinate: [c.value if not hasattr(c.value, "text") else str(c.value), c.protection.locked]
                 for row in ws.iter_rows() for c in row if c.value is not None or not c.protection.locked}
        out[ws.title] = {"state": ws.sheet_state, "protected": bool(ws.protection.sheet),
                         "merged": sorted(str(r) for r in ws.merged_cells.ranges), "cells": cells,
                         "validations": sorted(str(dv.sqref) for dv in ws.data_validations.dataValidation)}
    meta = out[META_SHEET]["cells"]
    row = next(ref[1:] for ref, (v, _) in meta.items() if v == "generated_at")
    meta.pop(f"B{row}")      # the time of writing
    return out


def test_template_matches_golden_file(blank):
    content = json.loads(json.dumps(_content(blank), ensure_ascii=False, default=str))
    if os.environ.get("GKXL_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(content, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    for sheet in golden:
        assert content[sheet] == golden[sheet], sheet
    assert set(content) == set(golden)


def test_stamped_template_equals_directly_written(tmp_path, spec):
    stamper = TemplateStamper(spec, 2025)
    stamped, direct = tmp_path / "stamped.xlsx", tmp_path / "direct.xlsx"
    stamper.write(stamped, "卫滨区<司法>&局", "C-1")
    write_workbook(direct, spec, Report.blank(spec, unit="卫滨区<司法>&局", unit_code="C-1", year=2025),
                   generated_at=stamper.generated_at)
    assert _content(stamped) == _content(direct)
    headers = [(ws.title, ws.oddHeader.left.text, ws.oddHeader.right.text)
               for path in (stamped, direct) for ws in openpyxl.load_workbook(path).worksheets[:2]]
    assert headers[:2] == headers[2:] and headers[0][1] == "卫滨区<司法>&&局" and headers[0][2] == "2025 年度"
    assert zipfile.ZipFile(stamped).testzip() is None


def test_units_batch_from_csv(tmp_path):
    units = tmp_path / "units.csv"
    units.write_text("单位名称,单位代码\n卫滨区司法局,11410703MB1583512R\n卫滨区财政局,\n卫滨区司法局,\nCON,\n“A/B”局:?,\n",
                     encoding="utf-8-sig")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["template", "--year", "2025", "--units", str(units), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "重复" in result.output
    names = sorted(p.name for p in out.glob("*.xlsx"))
    assert names == sorted(["卫滨区司法局.xlsx", "卫滨区财政局.xlsx", "_CON.xlsx", "“A_B”局__.xlsx"])
    manifest = list(csv.reader((out / "模板清单.csv").open(encoding="utf-8-sig")))
    assert manifest[0] == ["序号", "单位名称", "单位代码", "文件名", "年度"] and len(manifest) == 5
    ws = openpyxl.load_workbook(out / "卫滨区司法局.xlsx")["基本信息"]
    assert (ws["B3"].value, ws["B4"].value, ws["B5"].value) == ("卫滨区司法局", "11410703MB1583512R", 2025)
    assert not openpyxl.load_workbook(out / "卫滨区财政局.xlsx")["基本信息"]["B4"].protection.locked


def test_units_batch_from_xlsx_and_missing_column(tmp_path):
    import xlsxwriter
    units = tmp_path / "units.xlsx"
    book = xlsxwriter.Workbook(str(units))
    sheet = book.add_worksheet()
    for r, row in enumerate([["序号", "单位名称"], [1, "甲局"], [2, "乙局"]]):
        sheet.write_row(r, 0, row)
    book.close()
    runner = CliRunner()
    result = runner.invoke(main, ["template", "--year", "2025", "--units", str(units), "-o", str(tmp_path / "o")])
    assert result.exit_code == 0 and len(list((tmp_path / "o").glob("*.xlsx"))) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("名称\n甲局\n", encoding="utf-8")
    result = runner.invoke(main, ["template", "--units", str(bad), "-o", str(tmp_path / "p")])
    assert result.exit_code == 2 and "单位名称" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("code, phrase", [("1.14107E+17", "Excel"), ("11410703MB1583512X", "校验位"),
                                          ("11410703MB158351", "18 位"), ("11410703MB1583512I", "字符")])
def test_wrong_unit_code_is_never_locked_into_a_template(tmp_path, code, phrase):
    """The row is said and its unit's template made without a code; the other units are not held back."""
    units = tmp_path / "units.csv"
    units.write_text(f"单位名称,单位代码\n甲局,91110000600037341L\n乙局,{code}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["template", "--year", "2025", "--units", str(units), "-o", str(out)])
    assert result.exit_code == 1 and "第 3 行“乙局”" in result.output and phrase in result.output
    assert {p.name for p in out.glob("*.xlsx")} == {"甲局.xlsx", "乙局.xlsx"}
    import python_calamine as pc

    from gkxl.form.spec import META_SHEET
    meta = {str(r[0]): r[1] for r in pc.CalamineWorkbook.from_path(str(out / "乙局.xlsx")).get_sheet_by_name(META_SHEET).to_python() if r}
    assert meta.get("unit_code") in ("", None)
    result = CliRunner().invoke(main, ["template", "--unit", "乙局", "--unit-code", code, "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2 and phrase in result.output and not (tmp_path / "x.xlsx").exists()
