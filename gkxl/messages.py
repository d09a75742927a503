"""Every sentence gkxl says to a person, in Chinese (default) and English."""
from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # spec
    "spec.not_found": ("找不到表格定义文件 {name}", "form spec {name} not found"),
    "spec.unreadable": ("表格定义文件 {path} 无法读取：{detail}", "cannot read form spec {path}: {detail}"),
    "spec.invalid": ("表格定义文件 {path} 有误（{where}）：{detail}", "form spec {path} is invalid at {where}: {detail}"),
    "spec.duplicate_key": ("表格定义中键 {key} 重复", "duplicate key {key} in form spec"),
    "spec.unknown_key": ("规则 {rule} 引用了不存在的键 {key}", "rule {rule} refers to unknown key {key}"),
    "spec.cyclic_totals": ("表格定义中的合计互相引用：{keys}", "totals depend on each other in a cycle: {keys}"),
    # model
    "model.not_report": ("不是 gkxl 报表数据（JSON）", "not a gkxl report (JSON)"),
    "model.unknown_format": ("未知的表格格式 {format}", "unknown report format {format}"),
    "model.bad_json": ("JSON 文件无法解析（格式有误）", "cannot parse JSON: {detail}"),
    "model.bad_shape": ("不是有效的 gkxl 报表数据：values 应为“键: 数字或文字”，source 应为对象",
                        "not a valid gkxl report: values must map keys to numbers or text, source must be an object"),
    # io
    "io.output_is_input": ("输出文件 {path} 也是输入文件之一，拒绝覆盖", "output {path} is also an input; refusing to overwrite it"),
    "io.not_found": ("找不到文件或文件夹：{path}", "no such file or folder: {path}"),
    "io.os_error": ("无法读写 {path}：{reason}", "cannot read or write {path}: {detail}"),
    "io.internal": ("处理这个文件时程序出错（{kind}），请把文件发给 gkxl 维护者", "gkxl failed on this file ({kind}); please send the file to its maintainers"),
    "cli.usage": ("用法错误：{detail}（gkxl {command} --help 查看用法）", "usage error: {detail} (see gkxl {command} --help)"),
    "cli.usage.missing": ("缺少{what} {name}", "missing {what} {name}"),
    "cli.usage.bad_value": ("{name} 的值“{value}”不对", "invalid value “{value}” for {name}"),
    "cli.usage.no_option": ("没有这个选项：{name}", "no such option: {name}"),
    "cli.usage.no_command": ("没有这个命令：{name}", "no such command: {name}"),
    "cli.usage.argument": ("参数", "argument"),
    "cli.usage.option": ("选项", "option"),
    "cli.year_range": ("年度 {year} 不在本格式适用的 {lo}–{hi} 之间", "year {year} is outside {lo}–{hi} for this format"),
    # template
    "template.units_missing_column": ("单位名单 {path} 缺少“单位名称”列（第一行应为表头）",
                                      "units list {path} has no column 单位名称 (the first row must be the header)"),
    "template.units_empty": ("单位名单 {path} 里没有单位", "units list {path} has no units"),
    "template.units_unreadable": ("单位名单 {path} 无法读取：{detail}", "cannot read units list {path}: {detail}"),
    "template.units_duplicate": ("单位名单第 {line} 行“{unit}”与第 {first} 行重复，已跳过",
                                 "units list line {line}: {unit} repeats line {first}; skipped"),
    "template.written": ("已生成 {path}", "written {path}"),
    "template.batch_done": ("已为 {count} 个单位生成模板，清单见 {manifest}", "wrote templates for {count} units; list in {manifest}"),
    "template.out_dir_needed": ("使用 --units 时，-o 应为文件夹", "with --units, -o must be a folder"),
}


def register(messages: dict[str, tuple[str, str]]) -> None:
    """Modules with their own sentences add them here at import time."""
    MESSAGES.update(messages)


def text(code: str, lang: str = "zh", **params) -> str:
    zh, en = MESSAGES.get(code, (code, code))
    template = en if lang == "en" else zh
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template
