"""gkxl render: the published layout in Markdown, HTML and DOCX, and parsing it back."""
from __future__ import annotations

from pathlib import Path

import docx
import pytest
from conftest import ROOT  # noqa: E402
from docx.oxml.ns import qn

from gkxl.published.parse import parse_path
from gkxl.published.render import render, to_html, to_markdown
from gkxl.text.errors import GkxlError

SEED = ROOT / "samples" / "卫滨区司法局_2024年报.txt"      # the project's copy of shared/seeds/000_d764aaae447f3579.txt
DATA = Path(__file__).parent / "data" / "published"


def figures(report) -> dict:
    return {k: v for k, v in report.values.items() if k.startswith(("t2.", "t3.", "t4."))}


@pytest.fixture(scope="module")
def html_report():
    return parse_path(DATA / "html_rowspan_2024.html").report


@pytest.mark.parametrize("fixture", ["html_rowspan_2024.html", "text_shifted_2023.txt",
                                     "pdf_single_row_six_2022.txt", "format2019_2020.txt"])
@pytest.mark.parametrize("to", ["md", "html"])
def test_rendered_report_parses_back_to_the_same_figures(tmp_path, fixture, to):
    report = parse_path(DATA / fixture).report
    out = tmp_path / f"out.{to}"
    render(report, to, out)
    again = parse_path(out)
    assert again.report.format == report.format
    assert figures(again.report) == figures(report)
    assert (again.report.unit, again.report.year) == (report.unit, report.year)
    for key in ("text.overview", "text.problems", "text.other"):
        assert again.report.values[key] == report.values[key]


def test_markdown_blanks_are_empty_never_zero(html_report):
    md = to_markdown(html_report)
    assert md.startswith("# 东城区教育局2024年政府信息公开工作年度报告\n")
    assert "| 规章 |  |  |  |" in md
    assert "| 行政强制 |  |" in md
    assert "| 行政事业性收费 | 0.123456 |" in md
    assert "## 一、总体情况" in md and "## 六、其他需要报告的事项" in md
    assert md.index("## 一、") < md.index("## 二、") < md.index("## 三、") < md.index("## 四、") < md.index("## 五、")
    assert "| 一、本年新收政府信息公开申请数量 | 20 | 3 | 0 | 1 | 2 | 0 | 27 |" in md


def test_html_has_the_official_merged_headers(html_report):
    page = to_html(html_report)
    assert '<th class="note_header" rowspan="3" colspan="3">（本列数据的勾稽关系为' in page
    assert '<td class="row" rowspan="22">三、本年度办理结果</td>' in page
    assert '<td class="row" rowspan="8">（三）不予公开</td>' in page
    assert '<th class="header" colspan="10">行政诉讼</th>' in page
    assert '<th class="header" rowspan="2">自然人</th>' in page
    assert "<td></td>" in page                      # the blank 规章 cells
    assert "<title>东城区教育局2024年政府信息公开工作年度报告</title>" in page


def test_2019_report_renders_its_own_table_two():
    report = parse_path(DATA / "format2019_2020.txt").report
    page = to_html(report)
    assert "本年新制作数量" in page and "第二十条第（九）项" in page and "政府集中采购" in page
    assert '<td class="row" colspan="2">（六）其他处理</td>' in page


def _east_asian_font(run) -> str:
    return run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def test_docx_is_a4_with_government_document_fonts(tmp_path, html_report):
    out = tmp_path / "report.docx"
    render(html_report, "docx", out)
    document = docx.Document(str(out))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    title = paragraphs[0]
    assert title.text == "东城区教育局2024年政府信息公开工作年度报告"
    assert _east_asian_font(title.runs[0]) == "方正小标宋简体"
    heading = next(p for p in paragraphs if p.text == "一、总体情况")
    assert _east_asian_font(heading.runs[0]) == "黑体" and heading.runs[0].font.size.pt == 16
    body = next(p for p in paragraphs if p.text.startswith("（一）主动公开"))
    assert _east_asian_font(body.runs[0]) == "仿宋_GB2312" and body.runs[0].font.size.pt == 16
    assert len(document.tables) == 3
    table3 = document.tables[1]
    cell = table3.cell(5, 0)                         # 三、本年度办理结果 spans 22 rows
    assert cell.text == "三、本年度办理结果" and table3.cell(26, 0)._tc is cell._tc
    run = table3.cell(3, 0).paragraphs[0].runs[0]
    assert run.font.size.pt < 16
    values = [c.text for c in document.tables[0].rows[2].cells]
    assert values == ["规章", "", "", ""]            # blank, not 0
    t4_values = [c.text for c in document.tables[2].rows[-1].cells]
    assert t4_values == ["1", "0", "0", "1", "2", "0", "1", "0", "0", "1", "0", "0", "0", "0", "0"]


def test_unknown_target_is_refused(tmp_path, html_report):
    with pytest.raises(GkxlError):
        render(html_report, "odt", tmp_path / "x.odt")        # pdf is a target now (through LibreOffice)


def test_cli_render_json_and_workbook(tmp_path):
    from click.testing import CliRunner
    from test_parse import _cli
    runner = CliRunner()
    json_path = tmp_path / "seed.json"
    assert runner.invoke(_cli(), ["parse", str(SEED), "-o", str(json_path)]).exit_code == 0
    res = runner.invoke(_cli(), ["render", str(json_path), "--to", "html", "-o", str(tmp_path / "seed.html")])
    assert res.exit_code == 0, res.output
    assert figures(parse_path(tmp_path / "seed.html").report) == figures(parse_path(SEED).report)
    xlsx = tmp_path / "seed.xlsx"
    assert runner.invoke(_cli(), ["parse", str(SEED), "-o", str(xlsx)]).exit_code == 0
    res = runner.invoke(_cli(), ["render", str(xlsx), "-o", str(tmp_path / "seed.docx")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "seed.docx").stat().st_size > 0
