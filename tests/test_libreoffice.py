"""What a spreadsheet application shows: templates filled through openpyxl, recalculated by LibreOffice.

openpyxl keeps the formulas but drops every cached value, so whatever LibreOffice writes back was
computed by LibreOffice itself from the formulas gkxl generated.
"""
from __future__ import annotations

import random
from pathlib import Path

import openpyxl
import pytest
import python_calamine as pc
from conftest import consistent_values, libreoffice_convert, soffice
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from gkxl.actions.check import check_path
from gkxl.io.write import write_workbook

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")]


def fill(template: Path, target: Path, spec, values: dict) -> None:
    """What a clerk does: type the unit, the year and the figures into the unlocked cells."""
    wb = openpyxl.load_workbook(template)
    wb["基本信息"]["B3"], wb["基本信息"]["B5"] = "卫滨区司法局", 2024
    for cell in spec.inputs:
        if cell.numeric and cell.key in values:
            wb[cell.sheet][cell.ref] = values[cell.key]
    wb.save(target)


def shown(path: Path) -> dict[str, list]:
    book = pc.CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}


def assert_totals(spec, values: dict, grids: dict) -> None:
    for cell in spec.totals:
        assert grids[cell.sheet][cell.row][cell.col] == values[cell.key], cell.where


@pytest.fixture(scope="module")
def template(tmp_path_factory, spec):
    path = tmp_path_factory.mktemp("lo") / "template.xlsx"
    write_workbook(path, spec, None)
    return path


# Each example costs a LibreOffice start (seconds): few examples, and no shrinking, which would rerun it
# hundreds of times; a failure still prints its seed.
@settings(max_examples=4, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), high=st.sampled_from([3, 40, 5000]))
def test_random_consistent_figures_recalculate_to_all_ticks(tmp_path_factory, spec, template, seed, high):
    d = tmp_path_factory.mktemp("h")
    values = consistent_values(spec, random.Random(seed), high)
    fill(template, d / "filled.xlsx", spec, values)
    (out,) = libreoffice_convert([d / "filled.xlsx"], d / "out")
    grids = shown(out)
    assert_totals(spec, values, grids)
    checks = [r for r in grids["校验"][4:] if r and r[0]]
    assert checks and all(r[4] == "✓" for r in checks), [r for r in checks if r[4] != "✓"]
    assert grids["校验"][1][1] == "✓ 全部通过"
    assert check_path(out).status == "ok"


def test_one_broken_cell_shows_its_cross(tmp_path, spec, template):
    values = consistent_values(spec, random.Random(11))
    values["t3.granted.research"] += 3          # a leaf: its column's 一+二 = 三+四 no longer holds
    fill(template, tmp_path / "broken.xlsx", spec, values)
    values["t4.review.upheld"] = 1
    (out,) = libreoffice_convert([tmp_path / "broken.xlsx"], tmp_path / "out")
    grids = shown(out)
    crosses = {r[6]: r[3] for r in grids["校验"][4:] if r and r[4] == "✗"}
    assert crosses == {"T3-c[research]": -3, "T3-c[total]": -3}
    assert grids["校验"][1][1] == "✗ 有 2 条规则未通过"
    result = check_path(out)
    assert result.status == "invalid"
    [f] = result.findings                        # one finding for both crosses, naming no single cell
    assert (f.rule, f.cell, f.expected) == ("T3-c", None, None)
    assert {"cell": "表三!F8", "needed": values["t3.granted.research"] - 3} == \
        {k: c[k] for c in f.candidates if c["cell"] == "表三!F8" for k in ("cell", "needed")}


def test_seed_figures(tmp_path, spec, template):
    """卫滨区司法局 2024: every figure 0 in the published tables."""
    values = {c.key: 0 for c in spec.inputs if c.numeric}
    fill(template, tmp_path / "seed.xlsx", spec, values)
    (out,) = libreoffice_convert([tmp_path / "seed.xlsx"], tmp_path / "out")
    grids = shown(out)
    assert all(grids[c.sheet][c.row][c.col] == 0 for c in spec.totals)
    assert grids["校验"][1][1] == "✓ 全部通过"


def test_resaved_as_xls_and_ods_still_recognised(tmp_path, make_return, spec):
    src = make_return(seed=5)
    for fmt in ("xls", "ods", "xlsx"):
        (out,) = libreoffice_convert([src], tmp_path / f"out_{fmt}", to=fmt)
        result = check_path(out)
        assert (result.status, result.unit, result.year) == ("ok", "卫滨区司法局", 2024), (fmt, result.findings)
        assert result.report.values["t3.new.natural"] == consistent_values(spec, random.Random(5))["t3.new.natural"]


def test_check_sheet_names_cells_left_blank_or_holding_text(tmp_path, spec, template):
    """The 校验 sheet, recomputed by LibreOffice, names the cells, not only their count."""
    values = consistent_values(spec, random.Random(4))
    fill(template, tmp_path / "text.xlsx", spec, values)
    wb = openpyxl.load_workbook(tmp_path / "text.xlsx")
    wb["表三"]["E6"], wb["表二"]["B4"], wb["表四"]["C5"] = "3件", None, "无"
    wb.save(tmp_path / "text.xlsx")
    (out,) = libreoffice_convert([tmp_path / "text.xlsx"], tmp_path / "out")
    rows = {r[6]: r for r in shown(out)["校验"][4:] if r and r[6]}
    assert rows["V-blank[表三]"][0] == "表三未填数字的格子：表三!E6 是文字；"
    assert rows["V-blank[表二]"][0] == "表二未填数字的格子：表二!B4 空白；"
    assert rows["V-blank[表四]"][0] == "表四未填数字的格子：表四!C5 是文字；"
    assert rows["V-blank[表三]"][4] == "✗" and rows["T3-c[business]"][4] == "✗"
    assert rows["T3-c[natural]"][0].startswith("表三 · 自然人：") and rows["T3-c[natural]"][4] == "✓"


def test_text_in_a_number_cell_is_orange_even_when_its_equation_fails(tmp_path, spec, template):
    """Orange (text or nothing) comes first and stops; the red equation rule leaves such cells out, for
    LibreOffice, which does not stop at overlapping ranges."""
    ws = openpyxl.load_workbook(template)["表三"]
    rules_by_priority = sorted((r for cf in ws.conditional_formatting for r in cf.rules), key=lambda r: r.priority)
    orange = [r for r in rules_by_priority if r.formula[0].startswith("NOT(ISNUMBER(")]
    red = [r for r in rules_by_priority if "<>0" in r.formula[0]]
    assert orange and red and max(r.priority for r in orange) < min(r.priority for r in red)
    assert all(r.stopIfTrue for r in orange) and all(r.formula[0].startswith("AND(ISNUMBER(") for r in red)
