"""Check results for people (Chinese or English text) and for machines (JSON): the same content."""
from __future__ import annotations

import json

from .check import FileResult
from .findings import Finding
from .messages import register, text

register({
    "out.status.ok": ("通过", "ok"),
    "out.status.invalid": ("有错误", "invalid"),
    "out.status.unreadable": ("无法读取", "unreadable"),
    "out.severity.error": ("错误", "error"),
    "out.severity.warning": ("警告", "warning"),
    "out.file_line": ("{name}：{unit}，{year} 年度 —— {status}{counts}", "{name}: {unit}, {year} — {status}{counts}"),
    "out.file_unreadable": ("{name} —— 无法读取：{reason}", "{name} — unreadable: {reason}"),
    "out.counts": ("（{errors} 个错误，{warnings} 个警告）", " ({errors} errors, {warnings} warnings)"),
    "out.hint": ("提示：{hint}", "hint: {hint}"),
    "out.summary": ("合计 {files} 个文件：通过 {ok}，有错误 {invalid}，无法读取 {unreadable}",
                    "{files} files: {ok} ok, {invalid} invalid, {unreadable} unreadable"),
    "out.skipped": ("跳过 {path}：{reason}", "skipped {path}: {reason}"),
    "inputs.other_file": ("不是报表文件类型（文件夹中只处理 .xlsx .xlsm .xls .et .ods；其他文件请直接写出文件名）",
                          "not a workbook type (in folders only .xlsx .xlsm .xls .et .ods are read; name other files directly)"),
    "inputs.lock_file": ("Excel/WPS 打开文件时生成的临时文件，不是报表", "a lock file Excel/WPS leaves while a file is open, not a return"),
    "out.unknown": ("未填", "blank"),
})


def summary(results: list[FileResult]) -> dict:
    return {"files": len(results), **{s: sum(r.status == s for r in results) for s in ("ok", "invalid", "unreadable")}}


def finding_line(f: Finding, lang: str) -> str:
    i = 1 if lang == "en" else 0
    where = f.where
    labels = " · ".join(x for x in (f.row_label, f.col_label) if x)
    if labels:
        where = f"{where}（{labels}）" if lang != "en" else f"{where} ({labels})"
    sev = text(f"out.severity.{f.severity}", lang)
    head = f"  [{sev}] {f.rule} {where}".rstrip()
    line = f"{head}{'：' if lang != 'en' else ': '}{f.message[i]}"
    if f.hint:
        line += "\n      " + text("out.hint", lang, hint=f.hint[i])
    return line


def file_block(r: FileResult, lang: str, display_name: str | None = None) -> str:
    name = display_name or r.path
    if r.status == "unreadable":
        return text("out.file_unreadable", lang, name=name, reason=r.error[1 if lang == "en" else 0])
    counts = text("out.counts", lang, errors=r.errors, warnings=len(r.findings) - r.errors) if r.findings else ""
    blank = text("out.unknown", lang)
    lines = [text("out.file_line", lang, name=name, unit=r.unit or blank, year=r.year or blank,
                  status=text(f"out.status.{r.status}", lang), counts=counts)]
    lines += [finding_line(f, lang) for f in r.findings]
    return "\n".join(lines)


def human(results: list[FileResult], lang: str, skipped=()) -> str:
    blocks = [file_block(r, lang) for r in results]
    blocks += [text("out.skipped", lang, path=str(p), reason=text(code, lang)) for p, code in skipped]
    blocks.append(text("out.summary", lang, **summary(results)))
    return "\n".join(blocks)


def as_json(results: list[FileResult], lang: str, skipped=()) -> str:
    doc = {"files": [r.to_dict(lang) for r in results], "summary": summary(results)}
    if skipped:
        doc["skipped"] = [{"path": str(p), "reason": text(code, lang)} for p, code in skipped]
    return json.dumps(doc, ensure_ascii=False, indent=1, default=str)
