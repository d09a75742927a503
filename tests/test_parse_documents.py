"""Word and PDF reports: made from the project's own renderings by LibreOffice Writer and python-docx,
parsed back to exactly their figures; the narrative checked against the tables; bad documents refused."""
from __future__ import annotations

import io
import json
import random
import re
import shutil
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, consistent_values, soffice

from gkxl.actions.check import check_path
from gkxl.cli import main
from gkxl.findings.report import file_block
from gkxl.form import spec as specmod
from gkxl.form.model import Report
from gkxl.published import narrative
from gkxl.published.parse import parse_path
from gkxl.published.render import render, to_html
from gkxl.text.errors import GkxlError

SEED_TEXT = ROOT / "samples" / "卫滨区司法局_2024年报.txt"
DATA = Path(__file__).parent / "data" / "published"
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def figures(report: Report) -> dict:
    return {k: v for k, v in report.values.items() if k.startswith(("t2.", "t3.", "t4."))}


def codes(result, severity=None) -> list[str]:
    return [n.message.code for n in result.notes if severity is None or n.severity == severity]


# --- the source reports ---------------------------------------------------------------------------

def consistent_report(seed: int = 5, unit: str = "城西区市场监督管理局", year: int = 2024,
                      fee: float = 3.141593) -> Report:
    """Figures that satisfy every rule, a fee as wide as given (six decimals: one more than a return may
    hold, as published reports do), and a narrative that states the figures right."""
    spec = specmod.load("gk2021")
    v = consistent_values(spec, random.Random(seed))
    v["t2.fees.amount"] = fee
    v["text.overview"] = "\n".join([
        "（一）主动公开。全年主动公开政府信息 215 条。",
        f"（二）依申请公开。全年共收到政府信息公开申请 {v['t3.new.total']} 件，上年结转 {v['t3.carried.total']} 件，"
        f"办结 {v['t3.total.total']} 件，结转下年度继续办理 {v['t3.carry_next.total']} 件。其中予以公开 "
        f"{v['t3.granted.total']} 件，部分公开 {v['t3.partial.total']} 件。",
        f"（三）政府信息管理。全年制发行政规范性文件 {v['t2.normative.issued']} 件，作出行政许可决定 "
        f"{v['t2.license.decisions']} 件，行政事业性收费 {v['t2.fees.amount']} 万元。",
        f"（四）监督保障。发生政府信息公开行政复议 {v['t4.review.total']} 件。",
    ])
    v["text.problems"] = "（一）存在的主要问题：公开内容的深度有待提升。\n（二）改进情况：加强培训。"
    v["text.other"] = "本机关本年度未收取信息处理费。"
    return Report(spec.id, spec.version, unit=unit, year=year, values=v)


def single_row_six_html(report: Report) -> str:
    """The report's page with （六）其他处理 published as one row, as some offices print it."""
    page = to_html(report)
    if '<td class="row" colspan="2">（六）其他处理</td>' in page:      # the report keeps the group row: rendered so
        return page
    start = page.index('<tr><td class="row" rowspan="3">（六）其他处理</td>')
    end = page.index('<tr><td class="row" colspan="2">（七）总计</td>')
    row = '<tr><td class="row" colspan="2">（六）其他处理</td>' + "".join(f"<td>{n}</td>" for n in [1, 0, 0, 0, 0, 0, 1]) + "</tr>\n"
    page = page[:start] + row + page[end:]
    return page.replace('<td class="row" rowspan="22">三、本年度办理结果</td>', '<td class="row" rowspan="20">三、本年度办理结果</td>')


@pytest.fixture(scope="session")
def sources() -> dict:
    """name -> (report as its source holds it, HTML page rendered by gkxl)."""
    seed = parse_path(SEED_TEXT).report
    six = parse_path(DATA / "pdf_single_row_six_2022.txt").report
    blanks = parse_path(DATA / "html_rowspan_2024.html").report
    wide = consistent_report()
    return {"seed": (seed, to_html(seed)), "single_six": (six, single_row_six_html(six)),
            "blanks": (blanks, to_html(blanks)), "wide_fee": (wide, to_html(wide))}


def libreoffice(files: list[Path], to: str, out_dir: Path, profile: Path) -> list[Path]:
    exe = soffice()
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    if not any(Path(exe).resolve().parent.glob("libswlo.*")):
        pytest.skip("LibreOffice Writer is not installed (libreoffice-writer-nogui)")
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run([exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", to, "--outdir", str(out_dir), *map(str, files)],
                   check=True, capture_output=True, timeout=300)
    outs = [out_dir / (f.stem + "." + to.split(":")[0]) for f in files]
    assert all(o.exists() for o in outs), f"LibreOffice did not write {[o for o in outs if not o.exists()]}"
    return outs


@pytest.fixture(scope="session")
def documents(sources, tmp_path_factory) -> dict:
    """(name, kind) -> path: HTML -> DOCX by LibreOffice Writer, that DOCX -> PDF (as an office exports it),
    and the DOCX python-docx writes (gkxl render) -> PDF."""
    d = tmp_path_factory.mktemp("documents")
    profile = d / "lo_profile"
    pages = []
    for name, (_, page) in sources.items():
        (d / f"{name}.html").write_text(page, encoding="utf-8")
        pages.append(d / f"{name}.html")
    direct = []
    for name in ("seed", "wide_fee"):
        target = d / "direct" / f"{name}_direct.docx"
        render(sources[name][0], "docx", target)
        direct.append(target)
    docx = libreoffice(pages, "docx:MS Word 2007 XML", d / "docx", profile)
    pdf = libreoffice(docx + direct, "pdf", d / "pdf", profile)
    # ("seed", "docx"), ("seed", "pdf"), ("seed_direct", "docx"), ("seed_direct", "pdf"), ...
    return {(path.stem, path.suffix.lstrip(".")): path for path in docx + pdf + direct}


# --- Word and PDF parse to exactly the figures of their source --------------------------------------

CASES = ["seed", "single_six", "blanks", "wide_fee"]


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["docx", "pdf"])
@pytest.mark.parametrize("name", CASES)
def test_libreoffice_documents_parse_to_the_figures_of_their_source(documents, sources, name, kind):
    source, _ = sources[name]
    result = parse_path(documents[(name, kind)])
    report = result.report
    assert figures(report) == figures(source)
    assert (report.unit, report.year, report.format) == (source.unit, source.year, source.format)
    assert report.source["file_type"] == kind and report.source["published"]
    assert not codes(result, "error"), [n.message.zh for n in result.notes if n.severity == "error"]
    assert "parse.unplaced" not in codes(result)


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_seed_round_trips_text_to_document_and_back(documents, sources, kind):
    seed, _ = sources["seed"]
    result = parse_path(documents[("seed", kind)])
    assert codes(result) == ["format.recognised"]          # as silent as the text itself
    for key in ("text.overview", "text.problems", "text.other"):
        got, want = result.report.values[key], seed.values[key]
        if kind == "docx":
            assert got == want, key
        else:                                                     # lines of a PDF paragraph joined again
            assert re.sub(r"\s", "", got) == re.sub(r"\s", "", want), key
            assert got.count("\n") == want.count("\n"), key


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_single_row_six_is_noted_on_its_page_or_row(documents, kind):
    result = parse_path(documents[("single_six", kind)])
    [group] = [n for n in result.notes if n.message.code == "parse.group_row"]
    assert "1、0、0、0、0、0、1" in group.message.zh
    assert re.fullmatch(r"第 \d+ 页" if kind == "pdf" else r"第 \d+ 个表格第 \d+ 行", group.place.zh), group.place
    assert "parse.total_mismatch" not in codes(result)


def test_python_docx_document_parses_to_its_figures(sources, tmp_path):
    """No LibreOffice: the DOCX python-docx writes (gkxl render), merged cells and all."""
    for name in CASES:
        source, _ = sources[name]
        path = tmp_path / f"{name}.docx"
        render(source, "docx", path)
        result = parse_path(path)
        assert figures(result.report) == figures(source), name
        assert (result.report.unit, result.report.year) == (source.unit, source.year), name


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["seed", "wide_fee"])
def test_pdf_of_a_python_docx_document(documents, sources, name):
    result = parse_path(documents[(name + "_direct", "pdf")])
    assert figures(result.report) == figures(sources[name][0])
    assert not codes(result, "error")


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["sample", "wide_fee"])
def test_gkxl_render_pdf_parses_back_to_its_figures_without_unplaced_lines(sources, tmp_path, name):
    """gkxl's own print layout (公文 title that may wrap, narrow 表四 headers that wrap) read by gkxl parse:
    the same unit, year and figures, nothing left unplaced. The sample through the commands a clerk types;
    a report of distinct non-zero figures through render()."""
    out = tmp_path / f"{name}.pdf"
    if name == "sample":
        sample = ROOT / "samples" / "卫滨区司法局_2024.json"
        source = Report.from_json_file(sample)
        res = CliRunner().invoke(main, ["render", str(sample), "--to", "pdf", "-o", str(out)])
        if res.exit_code != 0 and "LibreOffice" in res.output and soffice() is None:
            pytest.skip("LibreOffice (soffice) is not installed")
        assert res.exit_code == 0, res.output
    else:
        source = sources[name][0]
        render(source, "pdf", out)
    res = CliRunner().invoke(main, ["parse", str(out), "-o", str(tmp_path / "parsed.json")])
    assert res.exit_code == 0, res.output
    parsed = Report.from_json_file(tmp_path / "parsed.json")
    assert figures(parsed) == figures(source)
    assert (parsed.unit, parsed.year) == (source.unit, source.year)
    notes = parsed.source["notes"]
    assert "P-unplaced" not in [n["rule"] for n in notes]
    assert [n for n in notes if n["severity"] != "info"] == []


@pytest.mark.libreoffice
def test_pdf_pages_are_realistic(documents):
    """The PDF is an A4 document of several pages whose tables are ruled (what pdfplumber reads by lines)."""
    import pdfplumber
    with pdfplumber.open(documents[("seed", "pdf")]) as pdf:
        assert len(pdf.pages) >= 4
        assert all(round(p.width) == 595 and round(p.height) == 842 for p in pdf.pages)
        assert sum(len(p.find_tables()) for p in pdf.pages) >= 4
        assert max(c["x1"] for p in pdf.pages for c in p.chars) < 595            # nothing runs off the page


@pytest.mark.libreoffice
def test_unruled_pdf_reads_whole_rows_and_says_which_rows_it_could_not(sources, tmp_path):
    """Tables without rules are read by word positions. A row that a page break cut in two cannot be
    joined safely without rules: it is reported missing, never guessed; every figure read is right."""
    seed, page = sources["seed"]
    html = tmp_path / "unruled.html"
    html.write_text(page.replace('border="1"', 'border="0"'), encoding="utf-8")
    [docx] = libreoffice([html], "docx:MS Word 2007 XML", tmp_path, tmp_path / "profile")
    [pdf] = libreoffice([docx], "pdf", tmp_path / "pdf", tmp_path / "profile")
    result = parse_path(pdf)
    got, want = figures(result.report), figures(seed)
    read = {k: v for k, v in got.items() if v is not None}
    assert read and all(want[k] == v for k, v in read.items())
    assert len(read) >= 0.8 * len(want)
    missing_rows = {n.message.params["label"] for n in result.notes if n.message.code == "parse.row_missing"}
    for key in set(want) - set(read):
        assert any(label in seed.spec.cells[key].row_label for label in missing_rows), key


# --- narrative against the tables ------------------------------------------------------------------

def _with_overview(report: Report, overview: str) -> Report:
    values = dict(report.values, **{"text.overview": overview})
    return Report(report.format, report.template_version, report.unit, report.unit_code, report.year, values)


def test_section_one_stating_26_where_table_three_says_27_is_a_warning(tmp_path):
    report = consistent_report()
    new = report.values["t3.new.total"]
    stated = _with_overview(report, f"（二）依申请公开。全年共收到政府信息公开申请{new - 1}件。")
    render(stated, "docx", tmp_path / "差一件.docx")
    result = parse_path(tmp_path / "差一件.docx")
    [note] = [n for n in result.notes if n.message.code == "narrative.mismatch"]
    assert note.severity == "warning"
    zh, en = note.message.zh, note.message.en
    new_cell, carried_cell = (report.spec.cells[k].where for k in ("t3.new.total", "t3.carried.total"))
    assert f"写的是 {new - 1}" in zh and f"{new_cell} 为 {new}" in zh and "全年共收到政府信息公开申请" in zh
    assert f"states {new - 1}" in en and f"{new_cell} = {new}" in en
    both = new + report.values["t3.carried.total"]
    assert f"{new_cell}+{carried_cell} 为 {both}" in zh                   # the other reading, also unequal
    finding = check_path(tmp_path / "差一件.docx")
    [f] = [f for f in finding.findings if f.rule == "N-received"]
    # the text or the table may be the wrong one: no expected value
    assert (f.severity, f.where, f.value, f.expected) == ("warning", new_cell, new - 1, None)


@pytest.mark.libreoffice
def test_the_published_26_against_27_is_found_in_word_and_pdf(documents):
    for kind in ("docx", "pdf"):
        result = parse_path(documents[("blanks", kind)])
        [note] = [n for n in result.notes if n.message.code == "narrative.mismatch"]
        assert "写的是 26" in note.message.zh and "表三!J6 为 27" in note.message.zh, kind


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["seed", "wide_fee"])
def test_seed_and_a_consistent_report_get_no_narrative_warning(documents, name):
    for kind in ("docx", "pdf"):
        assert "narrative.mismatch" not in codes(parse_path(documents[(name, kind)])), kind


def test_consistent_narrative_is_actually_compared():
    """The consistent report's sentences are read (so "no warning" above means something)."""
    report = consistent_report()
    wrong = dict(report.values)
    for key in ("t3.granted.total", "t2.license.decisions", "t4.review.total", "t3.carry_next.total"):
        wrong[key] = report.values[key] + 1
    wrong["t2.fees.amount"] = 3.2
    changed = Report(report.format, None, report.unit, None, report.year, wrong)
    found = {m.rule.id for m in narrative.mismatches(changed)}
    assert found >= {"N-granted", "N-license", "N-review", "N-carry-next", "N-fees"}
    assert not narrative.mismatches(report)


@pytest.mark.parametrize("sentence, warnings", [
    ("全年共收到政府信息公开申请{new}件。", 0),
    ("全年共收到政府信息公开申请{wrong}件。", 1),
    ("全年共收到政府信息公开申请{new_and_carried}件（含上年结转{carried}件）。", 0),   # the pattern says what it means
    ("全年共收到政府信息公开申请{wrong}件（含上年结转{carried}件）。", 1),
    ("全年共收到政府信息公开申请{wrong}件（含转办2件）。", 0),                 # unsure: not compared
    ("2023年收到政府信息公开申请{wrong}件。", 0),                              # another year
    ("较去年收到申请{wrong}件有所增加。", 0),
    ("累计收到申请{wrong}件。", 0),
    ("全年收到申请约{wrong}件。", 0),
    ("全年新收政府信息公开申请{wrong}件。", 1),
    ("本年度未收到政府信息公开申请。", 1),                                     # the table has some
    ("收到行政复议申请{review}件。", 0),                                      # a review, not an application
    ("收到行政复议申请{wrong_review}件。", 1),
])
def test_which_numbers_are_compared(sentence, warnings):
    report = consistent_report()
    v = report.values
    assert v["t3.new.total"] > 0
    text = sentence.format(new=v["t3.new.total"], carried=v["t3.carried.total"],
                           new_and_carried=v["t3.new.total"] + v["t3.carried.total"],
                           wrong=v["t3.new.total"] + v["t3.carried.total"] + 7, review=v["t4.review.total"],
                           wrong_review=v["t4.review.total"] + 1)
    found = narrative.mismatches(_with_overview(report, text))
    assert len(found) == warnings, (text, [m.finding(report.spec).message.zh for m in found])


def test_zero_phrases_and_fees_in_yuan():
    report = consistent_report()
    values = dict(report.values)
    values.update({"t4.review.total": 0, "t4.suit_direct.total": 1, "t4.suit_after_review.total": 0,
                   "t2.fees.amount": 2.51})
    r = Report(report.format, None, report.unit, None, report.year, values)
    said = _with_overview(r, "未发生政府信息公开行政复议和行政诉讼案件。本年行政事业性收费25100元。")
    assert [m.rule.id for m in narrative.mismatches(said)] == ["N-suit"]       # 复议 0 is right, 诉讼 is 1
    said = _with_overview(r, "未发生被行政复议纠正的情况。")                   # not a statement about counts
    assert not narrative.mismatches(said)


def test_narrative_patterns_are_data_in_the_form_spec():
    for spec_id in ("gk2021", "gk2019"):
        spec = specmod.load(spec_id)
        ids = [r.id for r in spec.narrative]
        assert {"N-received", "N-granted", "N-review", "N-suit"} <= set(ids)
        for rule in spec.narrative:
            assert all(k in spec.cells for keys in rule.equals for k in keys)

def test_a_narrative_pattern_without_its_number_is_a_spec_error(tmp_path):
    raw = json.loads((ROOT / "templates" / "gk2021.json").read_text(encoding="utf-8"))
    raw["narrative"][0]["patterns"] = ["收到申请(\\d+)件"]                       # no group n
    (tmp_path / "gkbad.json").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(GkxlError) as e:
        specmod.load_file(tmp_path / "gkbad.json")
    assert e.value.code == "spec.invalid" and "narrative" in e.value.render("en")
    raw["narrative"][0]["patterns"] = ["收到申请(?P<n>\\d+)件"]
    raw["narrative"][0]["equals"] = [["t3.no_such.total"]]
    (tmp_path / "gkbad.json").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(GkxlError) as e:
        specmod.load_file(tmp_path / "gkbad.json")
    assert e.value.code == "spec.unknown_key"


def test_copied_table_is_a_warning_with_previous(tmp_path):
    this = consistent_report(year=2024)
    last = consistent_report(year=2023)                          # the very same figures
    render(this, "docx", tmp_path / "本年.docx")
    result = check_path(tmp_path / "本年.docx", previous=[last])
    assert "N-copied" in [f.rule for f in result.findings]
    other = consistent_report(seed=9, year=2023)
    result = check_path(tmp_path / "本年.docx", previous=[other])
    assert "N-copied" not in [f.rule for f in result.findings]


# --- gkxl check, merge, export, render accept documents -----------------------------------------

def test_check_parses_a_document_and_checks_it_with_totals_as_published(sources, tmp_path):
    seed, _ = sources["seed"]
    render(seed, "docx", tmp_path / "卫滨区司法局.docx")
    result = check_path(tmp_path / "卫滨区司法局.docx", year=2024)
    assert result.status == "ok" and (result.unit, result.year) == ("卫滨区司法局", 2024), result.findings
    blanks, _ = sources["blanks"]
    render(blanks, "docx", tmp_path / "东城区教育局.docx")
    result = check_path(tmp_path / "东城区教育局.docx")
    rules = {f.rule for f in result.findings}
    assert result.status == "invalid" and {"V-unpublished", "T3-a", "N-received-new"} <= rules


def test_check_names_the_table_row_of_a_word_document(sources, tmp_path):
    """A note of a document says where it is by table and row (or page, paragraph), in text and JSON."""
    import docx
    path = tmp_path / "多一行.docx"
    render(sources["seed"][0], "docx", path)
    document = docx.Document(path)
    row = document.tables[0].add_row()
    for i, cell in enumerate(row.cells):
        cell.text = "无关的一行" if i == 0 else "7"
    document.save(path)
    result = check_path(path)
    [f] = result.findings
    assert f.rule == "P-unplaced" and f.place.zh == "第 1 个表格第 15 行" and f.place.en == "table 1, row 15"
    assert "第 1 个表格第 15 行：这一行未能对应" in file_block(result, "zh")
    assert "table 1, row 15: line not placed" in file_block(result, "en")
    d = f.to_dict("en")
    assert d["place"] == "table 1, row 15" and "line" not in d


def test_cli_check_merge_export_render_take_documents(sources, tmp_path):
    render(sources["seed"][0], "docx", tmp_path / "in" / "卫滨区司法局.docx")
    render(consistent_report(fee=3.1416), "docx", tmp_path / "in" / "城西区市场监督管理局.docx")
    a, b = tmp_path / "in" / "卫滨区司法局.docx", tmp_path / "in" / "城西区市场监督管理局.docx"
    runner = CliRunner()
    res = runner.invoke(main, ["check", str(a), str(b), "--format", "json"])
    assert res.exit_code == 0, res.output
    assert [f["status"] for f in json.loads(res.output)["files"]] == ["ok", "ok"]
    # a published report is never a unit's return: merge reads it and says so (one rule for what is a return)
    res = runner.invoke(main, ["merge", str(a), str(b), "-o", str(tmp_path / "汇总.xlsx"), "--year", "2024",
                               "--unit", "卫辉市政务公开办"])
    assert res.exit_code == 1 and res.output.count("这是年度报告，不是统计表") == 2, res.output
    res = runner.invoke(main, ["check", str(a)])
    assert "年度报告，不是统计表" in res.output
    res = runner.invoke(main, ["export", str(b), "--to", "json", "-o", str(tmp_path / "数据.json")])
    assert res.exit_code == 0, res.output
    assert json.loads(tmp_path.joinpath("数据.json").read_text(encoding="utf-8"))["records"][0]["values"]["t2.fees.amount"] == 3.1416
    res = runner.invoke(main, ["render", str(b), "-o", str(tmp_path / "报告.md")])
    assert res.exit_code == 0, res.output
    assert "| 行政事业性收费 | 3.1416 |" in (tmp_path / "报告.md").read_text(encoding="utf-8")


def test_cli_parse_prints_the_narrative_warning(tmp_path):
    report = consistent_report()
    stated = _with_overview(report, "全年共收到政府信息公开申请1000件。")
    render(stated, "docx", tmp_path / "r.docx")
    res = CliRunner().invoke(main, ["--lang", "en", "parse", str(tmp_path / "r.docx"), "-o", str(tmp_path / "r.json")])
    assert res.exit_code == 0, res.output
    assert "[warning] N-received" in res.output and ": Applications received stated in the text" in res.output
    assert "states 1000" in res.output
    notes = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["source"]["notes"]
    assert any(n["rule"] == "N-received" and n["severity"] == "warning" for n in notes)


# --- bad documents: one clear line each, in bounded time and memory --------------------------------

def _docx_bytes() -> bytes:
    buf = io.BytesIO()
    import docx
    document = docx.Document()
    document.add_paragraph("某单位2025年政府信息公开工作年度报告")
    document.save(buf)
    return buf.getvalue()


def _rezip(data: bytes, change: dict) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info)
            z.writestr(info.filename, change[info.filename](body) if info.filename in change else body)
    return out.getvalue()


def _bomb(data: bytes) -> bytes:
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/media/padding.xml", b"<a>" + b" " * (80 * 1024 * 1024) + b"</a>")
    return out.getvalue()


def _entities(data: bytes) -> bytes:
    laugh = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>')
    return _rezip(data, {"word/document.xml": lambda x: laugh + x.split(b"?>", 1)[1]})


def _encrypted_docx(data: bytes) -> bytes:
    crypto = pytest.importorskip("msoffcrypto.format.ooxml", reason="msoffcrypto-tool not installed")
    out = io.BytesIO()
    crypto.OOXMLFile(io.BytesIO(data)).encrypt("secret", out)
    return out.getvalue()


def make_pdf(objects: dict[int, bytes], root: int = 1, xref_entries: int = 0) -> bytes:
    """A PDF written object by object, with a classic cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += f"{num} 0 obj\n".encode() + objects[num] + b"\nendobj\n"
    size = max(max(objects) + 1, xref_entries)
    xref = len(out)
    out += f"xref\n0 {size}\n".encode() + b"0000000000 65535 f \n"
    for n in range(1, size):
        out += f"{offsets.get(n, 9):010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {size} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
TEXT = b"BT /F1 12 Tf 72 720 Td (Annual report 2024) Tj ET"


def _pdf_pages(count: int, media: bytes = b"[0 0 595 842]", content: bytes = TEXT, extra: bytes = b"") -> bytes:
    kids = " ".join(f"{5 + i} 0 R" for i in range(count)).encode()
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
               3: FONT, 4: _stream(content, extra)}
    for i in range(count):
        objects[5 + i] = (b"<< /Type /Page /Parent 2 0 R /MediaBox %s /Contents 4 0 R "
                          b"/Resources << /Font << /F1 3 0 R >> >> >>" % media)
    return make_pdf(objects)


BAD_DOCUMENTS = {
    "docx_zip_bomb": (lambda: _bomb(_docx_bytes()), "报告.docx", "解压后过大", "inflates too much"),
    "docx_entities": (lambda: _entities(_docx_bytes()), "报告.docx", "XML 实体", "XML entities"),
    "docx_encrypted": (lambda: _encrypted_docx(_docx_bytes()), "报告.docx", "密码", "password"),
    "docx_truncated": (lambda: _docx_bytes()[:3000], "报告.docx", "不是完整的 Word", "not a complete Word"),
    "pdf_too_many_pages": (lambda: _pdf_pages(201), "报告.pdf", "超过 200 页", "more than 200 pages"),
    "pdf_huge_page": (lambda: _pdf_pages(1, b"[0 0 200000 200000]"), "报告.pdf", "尺寸异常", "abnormal size"),
    "pdf_content_bomb": (lambda: _pdf_pages(1, content=zlib.compress(b" " * (40 * 1024 * 1024), 9),
                                            extra=b"/Filter /FlateDecode"), "报告.pdf", "内容过大", "too much content"),
    "pdf_content_array_bomb": (lambda: make_pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>", 3: FONT,
        4: _stream(zlib.compress(b" " * (40 * 1024 * 1024), 9), b"/Filter /FlateDecode"),
        5: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [4 0 R] >>"}),
        "报告.pdf", "内容过大", "too much content"),
    "pdf_many_rules": (lambda: _pdf_pages(1, content=TEXT + b"\n" + b"0 0 m 100 0 l S\n" * 6000), "报告.pdf",
                       "内容过大", "too much content"),
    "pdf_many_objects": (lambda: make_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>",
                                           2: b"<< /Type /Pages /Kids [] /Count 0 >>"}, xref_entries=250_000),
                         "报告.pdf", "个对象", "objects"),
    "pdf_no_text": (lambda: _pdf_pages(2, content=b"0 0 m 100 100 l S"), "扫描件.pdf", "需要 OCR", "OCR needed"),
    "pdf_truncated": (lambda: _pdf_pages(1)[:60], "报告.pdf", "不是完整的 PDF", "not a complete PDF"),
    "image_named_pdf": (lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "扫描件.pdf", "是图片", "is an image"),
    "binary_named_pdf": (lambda: bytes(range(256)) * 8, "报告.pdf", "不是文字、网页、Word", "is not text, HTML, Word"),
    "ole_not_word": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "报告.doc", "是电子表格", "is a spreadsheet"),
    "zip_truncated": (lambda: _docx_bytes().replace(b"word/", b"wxrd/")[:3000], "报告.docx", "压缩包不完整", "truncated zip"),
}


CHECK_SAYS = {"image_named_pdf": "不是电子表格", "binary_named_pdf": "不是电子表格", "ole_not_word": "不是电子表格",
              "zip_truncated": "文件已损坏"}


@pytest.mark.parametrize("case", list(BAD_DOCUMENTS))
def test_bad_documents_are_refused_in_one_line(case, tmp_path):
    build, name, zh_phrase, en_phrase = BAD_DOCUMENTS[case]
    path = tmp_path / name
    path.write_bytes(build())
    with pytest.raises(GkxlError) as e:
        parse_path(path)
    zh, en = e.value.render("zh"), e.value.render("en")
    assert zh_phrase in zh and en_phrase in en, (zh, en)
    assert "\n" not in zh and "\n" not in en and not CJK.search(en.replace(str(path), ""))
    assert "{" not in zh + en and zh.startswith(str(path)) and en.startswith(str(path))   # named once, in front
    res = CliRunner().invoke(main, ["parse", str(path), "-o", str(tmp_path / "x.json")])
    assert res.exit_code == 1 and "Traceback" not in res.output and zh_phrase in res.output
    r = check_path(path)
    check_phrase = CHECK_SAYS.get(case, zh_phrase)     # not a document at all: the spreadsheet reader says why
    assert r.status == "unreadable" and check_phrase in r.error.zh and "\n" not in r.error.zh, r.error


@pytest.mark.libreoffice
def test_doc_and_password_pdf_from_libreoffice_are_refused(documents, tmp_path):
    seed_docx = documents[("seed", "docx")]
    [doc] = libreoffice([seed_docx], "doc:MS Word 97", tmp_path, tmp_path / "profile")
    secret = ('pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
              '"DocumentOpenPassword":{"type":"string","value":"secret"}}')
    [pdf] = libreoffice([seed_docx], secret, tmp_path / "pdf", tmp_path / "profile")
    for path, zh_phrase, en_phrase in ((doc, "另存为", "save it as .docx"), (pdf, "打开密码", "password")):
        with pytest.raises(GkxlError) as e:
            parse_path(path)
        assert zh_phrase in e.value.render("zh") and en_phrase in e.value.render("en")
        r = check_path(path)
        assert r.status == "unreadable" and zh_phrase in r.error.zh


@pytest.mark.libreoffice
def test_extension_that_lies_is_no_obstacle(documents, sources, tmp_path):
    """Content decides: a PDF named .docx and a Word file named .pdf are read for what they are."""
    shutil.copy(documents[("seed", "pdf")], tmp_path / "年报.docx")
    shutil.copy(documents[("seed", "docx")], tmp_path / "年报.pdf")
    for name in ("年报.docx", "年报.pdf"):
        assert figures(parse_path(tmp_path / name).report) == figures(sources["seed"][0])
        assert check_path(tmp_path / name).status == "ok"


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "年报.pdf"
    with path.open("wb") as f:
        f.write(b"%PDF-1.4\n")
        f.truncate(31 * 1024 * 1024)                      # sparse: no 31 MB written
    with pytest.raises(GkxlError) as e:
        parse_path(path)
    assert "超过 30 MB" in e.value.render("zh") and "over 30 MB" in e.value.render("en")
    r = check_path(path)
    assert r.status == "unreadable" and "过大" in r.error.zh


def test_a_word_document_without_tables_is_not_a_report(tmp_path):
    path = tmp_path / "其实是Word.xlsx"
    path.write_bytes(_docx_bytes())
    r = check_path(path)
    assert r.status == "unreadable" and "没有找到年度报告的统计表" in r.error.zh and "not a spreadsheet" in r.error.en
