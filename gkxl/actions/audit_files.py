"""An audit as the office keeps it: a workbook (总表, 问题, 年度衔接) printable like gkxl's other lists, and a
self-contained web page with the same content (sortable, filterable, offline: its one script is in the page)."""
from __future__ import annotations

import html
from pathlib import Path

from gkxl.actions.audit import body_key
from gkxl.findings.catalogue import severity_word
from gkxl.findings.report import ActionReport
from gkxl.form import spec as specmod
from gkxl.io.files import write_text
from gkxl.io.write import write_lists
from gkxl.text.jsonout import dumps
from gkxl.text.messages import text

OUTPUTS = (".xlsx", ".html", ".htm", ".json")
TITLE = {"zh": "政府信息公开工作年度报告审查结果", "en": "Annual disclosure reports: audit"}


def _overview(report: ActionReport, lang: str) -> list[list]:
    """One row per body and year: the verdict of its report (one report in several files is one row) and
    of the links that end in that year (a carry break is the later year's to explain)."""
    en = lang == "en"
    rows: dict[tuple, dict] = {}
    for n, r in enumerate(report.files):
        key = (body_key(r.unit), r.year) if r.unit and r.year else ("", n)
        rows.setdefault(key, {"unit": r.unit, "year": r.year, "files": [], "links": []})["files"].append(r)
    for link in report.links:
        if link.rule == "X-copy" and len(link.years) == 1:
            continue                    # between bodies: said on 年度衔接 only
        key = (body_key(link.unit), link.years[-1]) if link.unit and link.years else None
        if key is not None:
            rows.setdefault(key, {"unit": link.unit, "year": link.years[-1], "files": [], "links": []})["links"].append(link)
    head = ["No.", "Body", "Year", "Verdict", "Errors", "Warnings", "Notes", "Between documents", "Files"] if en else \
        ["序号", "单位", "年度", "结论", "错误", "警告", "提示", "报告之间", "文件"]
    out = [head]
    for n, row in enumerate(sorted(rows.values(), key=lambda x: (x["unit"] or "", x["year"] or 0)), start=1):
        files, links = row["files"], row["links"]
        worst = max(files, key=lambda r: (r.status == "unreadable", r.errors, r.warnings), default=None)
        link_errors = sum(1 for x in links if x.severity == "error")
        if worst is None:
            verdict = text("audit.verdict_none", lang)
        elif worst.status == "unreadable":
            verdict = f"{text('out.status.unreadable', lang)}：{worst.error.render(lang) if worst.error else ''}"
        else:
            verdict = text("out.status.invalid" if worst.errors or link_errors else "out.status.ok", lang)
        between = "；".join(f"{x.rule} {severity_word(x.severity, lang)}" for x in links)
        out.append([n, row["unit"] or "", row["year"] or "", verdict,
                    worst.errors if worst else "", worst.warnings if worst else "", worst.infos if worst else "",
                    between, "\n".join(r.path for r in files)])
    return out


def tables(report: ActionReport, lang: str = "zh") -> list[tuple[str, list[list]]]:
    """总表 (a row per body and year), 问题 (every finding of every report with its place), 年度衔接 (every link)."""
    en = lang == "en"
    problems = [["No.", "Body", "Year", "File", "Severity", "Rule", "Place", "Read", "Message"] if en else
                ["序号", "单位", "年度", "文件", "级别", "规则", "位置", "读到", "说明"]]
    for r in report.files:
        if r.status == "unreadable":
            problems.append([len(problems), r.unit or "", r.year or "", r.path, severity_word("error", lang),
                             "", "", "", r.error.render(lang) if r.error else text("out.status.unreadable", lang)])
        for f in r.findings:
            place = f.place.render(lang) if f.place is not None else (f"{f.line}" if f.line else "")
            where = " ".join(x for x in (place, f.where, " · ".join(y for y in (f.row_label, f.col_label) if y)) if x)
            problems.append([len(problems), r.unit or "", r.year or "", r.path, severity_word(f.severity, lang), f.rule,
                             where, "" if f.value is None else f.value, f.message.render(lang)])
    links = [["No.", "Severity", "Rule", "Body", "Years", "Documents", "Places", "Message"] if en else
             ["序号", "级别", "规则", "单位", "年度", "文件", "位置", "说明"]]
    for n, link in enumerate(report.links, start=1):
        links.append([n, severity_word(link.severity, lang), link.rule, link.unit or "",
                      "→".join(str(y) for y in link.years), "\n".join(link.paths), "\n".join(p for p in link.places_in(lang) if p),
                      link.message.render(lang)])
    names = ("Reports", "Findings", "Links") if en else ("总表", "问题", "年度衔接")
    return list(zip(names, (_overview(report, lang), problems, links)))


def write(report: ActionReport, output: Path, spec: specmod.Spec, lang: str = "zh") -> None:
    """The audit written to `output`: .xlsx, .html or .json by its name."""
    suffix = Path(output).suffix.lower()
    if suffix == ".json":
        write_text(output, "".join(report.pieces("json", lang)) + "\n")
    elif suffix == ".xlsx":
        write_lists(output, spec, [(name, rows, len(rows[0])) for name, rows in tables(report, lang)], TITLE[lang])
    else:
        write_text(output, page(report, lang))
    report.wrote(output, "audit.written")


def page(report: ActionReport, lang: str = "zh") -> str:
    """One HTML file that opens anywhere without the network: the three lists, each sortable by a click on
    its header and filtered by a box above it."""
    parts = []
    summary = text(report.summary_code, lang, **{"missing_units": 0, **report.summary()})
    for name, rows in tables(report, lang):
        head = "".join(f"<th>{html.escape(str(h))}</th>" for h in rows[0])
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v)).replace(chr(10), '<br>')}</td>" for v in row) + "</tr>"
                       for row in rows[1:])
        parts.append(f'<section><h2>{html.escape(name)}（{len(rows) - 1}）</h2>'
                     f'<input class="filter" placeholder="{"filter" if lang == "en" else "筛选"}">'
                     f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></section>")
    data = html.escape(dumps({"summary": report.summary()}))
    return f"""<!DOCTYPE html>
<html lang="{'en' if lang == 'en' else 'zh-CN'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{TITLE[lang]}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 1.5em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 2em; font-size: 14px; }}
th, td {{ border: 1px solid #bbb; padding: 4px 6px; vertical-align: top; text-align: left; }}
th {{ background: #eef2f7; cursor: pointer; position: sticky; top: 0; }}
input.filter {{ margin: 0.3em 0 0.6em; padding: 4px 8px; width: 20em; }}
@media print {{ input.filter {{ display: none; }} th {{ position: static; }} }}
</style></head><body>
<h1>{TITLE[lang]}</h1><p>{html.escape(summary)}</p>
<script type="application/json" id="summary">{data}</script>
{''.join(parts)}
<script>
for (const section of document.querySelectorAll("section")) {{
  const table = section.querySelector("table"), rows = () => [...table.tBodies[0].rows];
  section.querySelector("input").addEventListener("input", e => {{
    const q = e.target.value.trim();
    for (const r of rows()) r.style.display = !q || r.textContent.includes(q) ? "" : "none";
  }});
  table.tHead.rows[0].querySelectorAll("th").forEach((th, i) => th.addEventListener("click", () => {{
    const up = th.dataset.up !== "1"; th.dataset.up = up ? "1" : "0";
    const key = r => r.cells[i].textContent, num = v => v !== "" && !isNaN(v);
    const sorted = rows().sort((a, b) => {{ const x = key(a), y = key(b);
      const c = num(x) && num(y) ? x - y : x.localeCompare(y, "zh"); return up ? c : -c; }});
    table.tBodies[0].append(...sorted);
  }}));
}}
</script></body></html>
"""
