"""The actions storey: every command and the desk go through gkxl.actions and get one ActionReport back.

Here: the one JSON shape of every command (called through the real CLI group), one way to stop when there is
nothing to read, a --spec file that works end to end, the checks declaring what they may say, and the desk's
summary made from what its store holds without reading a file again.
"""
from __future__ import annotations

import dataclasses
import json
import random
import shutil

import pytest
from click.testing import CliRunner
from conftest import ROOT, consistent_values

from gkxl.actions.check import check_path
from gkxl.checks import CHECKS, Context
from gkxl.cli import main
from gkxl.findings.catalogue import TYPES
from gkxl.findings.report import ActionReport
from gkxl.form import spec as specmod
from gkxl.form.model import Report
from gkxl.io.read import read_path
from gkxl.io.write import write_workbook

SHAPE = {"action", "files", "summary", "skipped", "units", "written", "notes", "links"}
SAMPLE = ROOT / "samples" / "卫滨区司法局_2024.xlsx"
SEED_TEXT = ROOT / "samples" / "卫滨区司法局_2024年报.txt"


def invoke(*args) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout


def test_every_command_says_what_it_did_in_one_json_shape(tmp_path):
    units = tmp_path / "units.csv"
    units.write_text("单位名称\n卫滨区司法局\n卫滨区教育局\n", encoding="utf-8")
    runs = {
        "check": ["check", SAMPLE, "--units", units],
        "merge": ["merge", SAMPLE, "-o", tmp_path / "汇总.xlsx", "--year", "2024", "--unit", "卫辉市政务公开办"],
        "export": ["export", SAMPLE, "--to", "csv", "-o", tmp_path / "数据.csv"],
        "parse": ["parse", SEED_TEXT, "-o", tmp_path / "年报.json"],
        "render": ["render", SAMPLE, "-o", tmp_path / "年报.html"],
        "template": ["template", "--year", "2025", "--units", units, "-o", tmp_path / "模板"],
        "audit": ["audit", SEED_TEXT, "-o", tmp_path / "审查结果.xlsx"],
    }
    for action, args in runs.items():
        code, out = invoke(*args, "--format", "json")
        doc = json.loads(out)
        assert set(doc) == SHAPE and doc["action"] == action, (action, sorted(doc))
        assert code == (1 if action == "check" else 0), (action, code)      # check: a listed unit sent nothing
        assert {"files", "ok", "invalid", "unreadable"} <= set(doc["summary"]), action
    assert json.loads(invoke(*runs["check"], "--format", "json")[1])["units"]["missing"] == [
        {"unit": "卫滨区教育局", "unit_code": None}]
    merged = json.loads(invoke(*runs["merge"], "--format", "json")[1])
    assert merged["files"][0]["included"] is True and merged["written"] == [str(tmp_path / "汇总.xlsx")]


def test_nothing_to_read_stops_every_command_the_same_way(tmp_path):
    folder = tmp_path / "报送"
    folder.mkdir()
    (folder / "a.txt").write_text("不是报表", encoding="utf-8")
    said = set()
    for args in (["merge", folder, "-o", tmp_path / "o.xlsx", "--year", "2025", "--unit", "某办"],
                 ["export", folder, "--to", "json", "-o", tmp_path / "o.json"]):
        result = CliRunner().invoke(main, [str(a) for a in args])
        assert result.exit_code == 2, result.output
        assert "没有找到要处理的报表" in result.output and "a.txt" in result.output, result.output
        said.add(result.output.strip())
    assert len(said) == 1                                   # one sentence for one event
    for command in ("check", "audit"):    # these read documents in folders too: a.txt is read and is no report
        result = CliRunner().invoke(main, [command, str(folder)])
        assert result.exit_code == 2, result.output
        assert "a.txt" in result.output and "不是年度报告" in result.output, result.output
    assert not (tmp_path / "o.xlsx").exists() and not (tmp_path / "o.json").exists()


def test_a_spec_file_given_with_spec_works_end_to_end(tmp_path):
    raw = json.loads((ROOT / "templates" / "gk2021.json").read_text(encoding="utf-8"))
    raw["id"], raw["version"] = "gk2021_local", "2021.local"
    mine = tmp_path / "本地格式.json"
    mine.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    template = tmp_path / "本地模板.xlsx"
    assert invoke("template", "--spec", mine, "--year", "2025", "--unit", "甲局", "-o", template)[0] == 0
    checked = json.loads(invoke("check", template, "--spec", mine, "--format", "json")[1])
    assert checked["files"][0]["status"] == "ok", checked["files"][0]
    without = json.loads(invoke("check", template, "--format", "json")[1])["files"][0]
    assert without["status"] == "unreadable" and "gk2021_local" in without["error"]      # said, not guessed
    code, out = invoke("merge", template, "--spec", mine, "-o", tmp_path / "汇总.xlsx", "--year", "2025",
                       "--unit", "某办", "--format", "json")
    assert json.loads(out)["files"][0]["included"] is True
    summary = read_path(tmp_path / "汇总.xlsx", specmod.known(specmod.load_file(mine))).report
    assert summary.format == "gk2021_local" and summary.spec.version == "2021.local"


def test_a_report_carries_its_spec_and_nothing_looks_it_up_by_id():
    spec = specmod.load_file(ROOT / "templates" / "gk2021.json")
    assert spec is not specmod.load("gk2021")
    report = Report.blank(spec, unit="甲局", year=2024)
    assert report.spec is spec
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.id = "other"                                    # frozen: a spec does not change once built


def _reports(spec, tmp_path) -> list[tuple[Report, Context]]:
    rng = random.Random(7)
    out = []
    for _ in range(12):
        values = consistent_values(spec, rng)
        key = rng.choice([c.key for c in spec.numeric_inputs])
        values[key] = rng.choice([values[key] + 5, "无", 1.5, -2, None, "３"])
        report = Report(spec.id, spec.version, unit=rng.choice(["甲局", "", None]), unit_code=rng.choice([None, "123"]),
                        year=rng.choice([2024, 1999, "x"]), values=values)
        last = Report(spec.id, spec.version, unit="甲局", year=2023, values=consistent_values(spec, rng))
        for stored in (True, False):
            out.append((report, Context.of(report, year=2024, previous=(last,), recompute=not stored)))
    return out


def test_every_check_says_only_the_finding_types_it_declares(spec, tmp_path):
    declared_anywhere = set(TYPES) | {r.id for r in spec.rules} | {y.id for y in spec.year_rules} | \
        {n.id for n in spec.narrative}
    for check in CHECKS:
        assert set(check.types_for(spec)) <= declared_anywhere, check.name
    for report, context in _reports(spec, tmp_path):
        for check in CHECKS:
            said = {f.rule for f in check.run(report, context)}
            assert said <= set(check.types_for(spec)), (check.name, said - set(check.types_for(spec)))


def test_the_checks_import_nothing_above_the_findings():
    allowed = {"text", "form", "findings", "checks"}
    for path in (ROOT / "gkxl" / "checks").glob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith(("from gkxl.", "import gkxl.")):
                assert line.split()[1].split(".")[1] in allowed, (path.name, line)


def test_an_info_finding_is_a_note_in_the_annotated_copy_not_a_warning(tmp_path):
    import openpyxl

    from gkxl.io.annotate import AMBER, RED, annotate
    result = check_path(SAMPLE, year=2024)
    from gkxl.findings.finding import Finding
    note = Finding.of("ID-source", "locate.unit_from_file", value="卫滨区司法局", name="x.xlsx")
    note.sheet, note.cell = "表三", "D6"
    result.findings = [note]
    annotate(result, tmp_path / "标注.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "标注.xlsx")
    assert wb["表三"]["D6"].fill.fgColor.rgb not in (RED.fgColor.rgb, AMBER.fgColor.rgb)
    assert next(wb["校验结果"].iter_rows(min_row=5, values_only=True))[1] == "提示"


def test_the_desk_summary_reads_no_file_its_store_checked(tmp_path, spec):
    from gkxl.desk.intake import Upload
    from gkxl.desk.service import Desk
    folder = tmp_path / "returns"
    folder.mkdir()
    sent = []
    for i in range(3):
        path = folder / f"单位{i}.xlsx"
        write_workbook(path, spec, Report(spec.id, spec.version, unit=f"单位{i}", year=2025,
                                          values=consistent_values(spec, random.Random(i))))
        sent.append(path)
    units = tmp_path / "units.csv"
    units.write_text("单位名称\n单位0\n单位1\n单位2\n单位3\n", encoding="utf-8")
    desk = Desk.open(tmp_path / "收件夹", year=2025, units_path=units, office="某市政务公开办", processes=1)
    try:
        with_streams = [Upload(p.name, p.open("rb")) for p in sent]
        outcomes = desk.intake.receive(with_streams)
        assert [o.result for o in outcomes] == ["stored"] * 3
        shutil.rmtree(tmp_path / "收件夹" / "files")          # the stored files gone: nothing can be read again
        build = desk.summary()
        assert isinstance(build.result, ActionReport) and build.result.counts["included"] == 3
        assert build.result.missing == [("单位3", None)]
        cli = json.loads(invoke("merge", folder, "-o", tmp_path / "cli.xlsx", "--year", "2025", "--unit", "某市政务公开办",
                                "--format", "json")[1])
        assert build.result.product.values == read_path(tmp_path / "cli.xlsx").report.values
        assert cli["summary"]["included"] == 3
        assert build.csv().read_text(encoding="utf-8-sig").count("\n") == 4
    finally:
        desk.close()
