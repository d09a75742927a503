"""Every sentence gkxl says to a person, in Chinese (default) and English: the one catalogue.

A code names a sentence; both languages take the same {parameters} (tests/test_messages.py proves it).
Modules never define sentences of their own."""
from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # spec
    "spec.not_found": ("没有表格格式 {name}（可用：{known}）", "no form spec {name} (known: {known})"),
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
    "io.write_failed": ("无法写入 {path}：{reason}", "cannot write {path}: {detail}"),
    "io.internal": ("处理这个文件时程序出错（{kind}），请把文件发给 gkxl 维护者", "gkxl failed on this file ({kind}); please send the file to its maintainers"),
    "cli.internal": ("gkxl 内部出错（{kind}：{detail}）。这是 gkxl 的问题，不是您的文件的问题；请在命令最前面加 --debug 重新运行（gkxl --debug …），把显示的全部内容和所用文件发给 gkxl 维护者",
                     "gkxl failed internally ({kind}: {detail}). This is a bug of gkxl, not of your files; run the command again with --debug first (gkxl --debug …) and send everything it prints, with the files used, to the maintainers"),
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
    "template.units_bad_codes": ("单位名单 {path} 中有 {count} 个单位代码不对，请改正后重新生成模板（模板里的单位代码会被锁定）：{lines}",
                                 "units list {path} has {count} wrong unit codes; correct them and run again (codes are locked into the templates): {lines}"),
    "template.units_bad_code_line": ("第 {line} 行“{unit}”：{reason}", "line {line} {unit}: {reason}"),
    "template.written": ("已生成 {path}", "written {path}"),
    "template.batch_done": ("已为 {count} 个单位生成模板，清单见 {manifest}", "wrote templates for {count} units; list in {manifest}"),
    "template.out_dir_needed": ("使用 --units 时，-o 应为文件夹", "with --units, -o must be a folder"),
    # batch/export.py
    "export.no_inputs": ("没有找到要导出的文件", "no input files found"),
    "export.other_format": ("格式为 {found}，与导出格式 {expected} 不同，数值未导出",
    "format {found} differs from the export's {expected}; values not exported"),
    # batch/merge.py
    "merge.status.ok": ("通过", "ok"),
    "merge.status.invalid": ("有错误", "invalid"),
    "merge.status.unreadable": ("无法读取", "unreadable"),
    "merge.status.skipped": ("跳过", "skipped"),
    "merge.status.missing": ("未报送", "not sent"),
    "merge.included.yes": ("是", "yes"),
    "merge.included.marked": ("是（有错误，按要求计入）", "yes (invalid, included on request)"),
    "merge.included.no": ("否", "no"),
    "merge.reason.ok": ("通过校验，已计入汇总", "passed the checks; included"),
    "merge.reason.unreadable": ("无法读取：{detail}", "unreadable: {detail}"),
    "merge.reason.skipped": ("{detail}", "{detail}"),
    "merge.reason.format": ("表格格式为 {found}，与汇总格式 {expected} 不同，未计入",
    "format {found} differs from the summary's {expected}; left out"),
    "merge.reason.year": ("报告年度为 {found}，不是 {expected} 年度，未计入",
    "report year is {found}, not {expected}; left out"),
    "merge.reason.invalid": ("有 {errors} 个错误，未计入汇总（改正后重新报送，或用 --include-invalid 计入）",
    "{errors} errors; left out (resend corrected, or use --include-invalid)"),
    "merge.reason.invalid_included": ("有 {errors} 个错误，按 --include-invalid 计入汇总；非数字的格子按 0 计",
    "{errors} errors; included because of --include-invalid; non-numbers count as 0"),
    "merge.reason.older": ("同一单位另有较新的文件 {newer}，本文件未计入（按文件记录的保存时间判断新旧，没有时按文件修改时间）",
    "the same unit sent a newer file {newer}; this one left out (newer by the saved time in the file, else its modification time)"),
    "merge.reason.newest": ("同一单位共 {count} 个文件，按保存时间（没有时按文件修改时间）取最新的这一个",
    "the unit sent {count} files; this, the newest by saved time (else modification time), is used"),
    "merge.reason.not_listed": ("单位不在单位名单中", "the unit is not on the units list"),
    "merge.reason.missing": ("单位名单中的单位，未收到能读取的报表（无法读取的文件见上面各行）",
    "on the units list; no readable return received (unreadable files are listed above)"),
    "merge.reason.own_summary": ("本级的汇总表（汇总单位与本次 --unit 相同），未计入，以免重复计算",
    "this office's own summary (its unit is this --unit); left out so nothing counts twice"),
    "merge.reason.no_unit": ("单位名称未填写", "the unit name is blank"),
    "merge.duplicates": ("单位“{unit}”有 {count} 个文件：{paths}", "unit {unit} sent {count} files: {paths}"),
    "merge.duplicates_refused": ("有单位重复报送，按 --on-duplicate error 未生成汇总表",
    "some units sent more than one file; no summary written (--on-duplicate error)"),
    "merge.no_inputs": ("没有找到要汇总的文件", "no input files found"),
    "merge.kind.summary": ("汇总表", "summary"),
    "merge.kind.return": ("报表", "return"),
    # checks/run.py
    "chk.blank": ("未填写（空白）；没有发生的请填 0", "blank; enter 0 when there was none"),
    "chk.text": ("应填数字，读到文字“{value}”", "a number is required; read the text “{value}”"),
    "chk.not_number": ("应填数字，读到 {shown}", "a number is required; read {shown}"),
    "chk.unit_not_text": ("单位名称应为文字，读到 {value}", "the unit name must be text; read {value}"),
    "chk.year_suggest": ("报告年度应为四位数字年份，读到“{value}”，可能是 {suggest}", "the report year must be a 4-digit year; read “{value}”, perhaps {suggest}"),
    "chk.prev_unmatched": ("上年报表中没有“{unit}”{year}年度的报表，未核对结转数", "no return of {unit} for {year} among last year's files: continuity not checked"),
    "chk.text_suggest": ("应填数字，读到文字“{value}”，可能是想填 {suggest}", "a number is required; read the text “{value}”, perhaps meaning {suggest}"),
    "chk.fullwidth": ("读到全角数字“{value}”，请改为半角数字 {suggest}", "full-width digits “{value}”; type them as {suggest}"),
    "chk.yuan": ("读到“{value}”，金额应以万元为单位填数字，{yuan} 元即 {suggest} 万元",
    "read “{value}”; amounts are numbers in 万元 (10,000 yuan): {yuan} yuan is {suggest}"),
    "chk.negative": ("读到负数 {value}，应为 0 或正数", "negative value {value}; must be 0 or more"),
    "chk.decimal": ("读到小数 {value}，件数应为整数", "decimal {value}; counts are whole numbers"),
    "chk.year_range": ("年度 {value} 不在 {lo}–{hi} 之间", "year {value} is not between {lo} and {hi}"),
    "chk.unknown_key": ("数据中有本格式没有的项目“{value}”", "the data has an item “{value}” this format does not have"),
    "chk.unit_missing": ("单位名称未填写", "the unit name is blank"),
    "chk.year_missing": ("报告年度未填写或不是四位数字年份，读到“{value}”", "the report year is blank or not a 4-digit year; read “{value}”"),
    "chk.year_wrong": ("报告年度为 {value}，本次应报送 {expected} 年度", "the report year is {value}; {expected} is required"),
    "chk.stored_total": ("合计格的数与明细不符：读到 {value}，按明细重新计算为 {expected}（公式被改写或未重新计算）。{message}",
    "total does not match its parts: read {value}, recomputed {expected} (formula overwritten or not recalculated). {message}"),
    "chk.equation": ("{name}：{expression}，左边 {lhs}，右边 {rhs}，差 {diff}", "{name}: {expression}, left {lhs}, right {rhs}, difference {diff}"),
    "chk.equations": ("不成立的等式——{items}", "failing: {items}"),
    "chk.balance_one": ("{message}{equations}。只有本格单独改动能使这些等式都成立：读到 {value}，应为 {expected}{typo}",
                        "{message} {equations}. Only this cell, changed alone, makes them all hold: read {value}, expected {expected}{typo}"),
    "chk.balance_candidates": ("{message}{equations}。以下任一格单独改动都能使其成立，请核对是哪一格填错：{items}",
                               "{message} {equations}. Any one of these cells, changed alone, would make them hold; check which one is wrong: {items}"),
    "chk.candidate": ("{where}（{label}）读到 {value}，改为 {needed} 即成立{typo}", "{where} ({label}) read {value}, {needed} would balance{typo}"),
    "chk.balance_unexplained": ("{message}{equations}。没有哪一个格子单独改动能使它们都成立，可能不止一处有误；涉及的格子：{cells}",
                                "{message} {equations}. No single cell, changed alone, makes them all hold: more than one figure may be wrong; cells involved: {cells}"),
    "chk.breaks": ("这个数也使以下等式不成立：{equations}", "this value also breaks: {equations}"),
    "chk.not_finite": ("读到 {value}，不是有效的数或大得不合理", "read {value}: not a finite number, or absurdly large"),
    "chk.not_text": ("应为文字，读到 {value}", "text is required; read {value}"),
    "chk.decimals": ("读到 {value}，金额（万元）最多保留 {places} 位小数（精确到分）", "{value} has more than {places} decimals (万元, exact to the fen)"),
    "chk.untouched": ("所有数字都是 0，填报人和联系电话也空着：是不是把空白模板原样报回了？如确实全年没有发生，请填写填报人后重新报送",
                      "every figure is 0 and the contact fields are blank: was the blank template sent back untouched? If the year really had none, fill in the contact and resend"),
    "code.mangled": ("单位代码“{value}”已被 Excel 变成数字（如 1.14107E+17），原来的代码已丢失；请把单位代码列设为文本后重新输入",
                     "unit code “{value}” was turned into a number by Excel (such as 1.14107E+17) and is lost; format the column as text and type it again"),
    "code.length": ("单位代码“{value}”不是 18 位统一社会信用代码", "unit code “{value}” is not an 18-character unified social credit code"),
    "code.characters": ("单位代码“{value}”含有统一社会信用代码不用的字符（不用 I、O、S、V、Z）",
                        "unit code “{value}” has characters a unified social credit code does not use (no I, O, S, V, Z)"),
    "code.check": ("单位代码“{value}”的校验位不对（GB 32100-2015），可能有字符输错", "unit code “{value}” has a wrong check character (GB 32100-2015): a character mistyped?"),
    "chk.typo_swap": ("（疑似两位数字颠倒）", " (two digits swapped?)"),
    "chk.typo_digit": ("（疑似一位数字填错）", " (one digit mistyped?)"),
    "chk.prev_carry": ("{message}本年读到 {value}，上年为 {expected}", "{message} This year {value}, last year {expected}."),
    "chk.prev_unreadable": ("上年报表无法使用：{detail}", "last year's return cannot be used: {detail}"),
    # cli/__init__.py
    "cli.done_files": ("已写入 {path}", "written {path}"),
    "cli.annotated": ("已写入标注副本 {path}", "annotated copy written: {path}"),
    "cli.annotate_failed": ("{path} 无法生成标注副本：{reason}", "could not annotate {path}: {reason}"),
    "cli.previous_unusable": ("--previous {path} 无法使用：{reason}", "--previous {path} cannot be used: {reason}"),
    "cli.bad_unit_code": ("--unit-code 不对：{reason}", "--unit-code is wrong: {reason}"),
    "template.progress": ("生成模板", "writing"),
    "check.progress": ("校验", "checking"),
    "export.progress": ("读取", "reading"),
    "cli.office_missing": ("--unit 汇总单位名称不能为空", "--unit, the collecting office, must not be blank"),
    "cli.no_inputs": ("没有找到要处理的文件", "no input files found"),
    # cli/merge.py
    "cli.merge.written": ("已写入汇总表 {path}：计入 {included} 个单位", "summary written to {path}: {included} units included"),
    "cli.merge.left_out": ("未计入：{path}（{unit}）—— {reason}", "left out: {path} ({unit}) — {reason}"),
    "cli.merge.marked": ("有错误但已计入：{path}（{unit}）—— {reason}", "included despite errors: {path} ({unit}) — {reason}"),
    "cli.merge.missing": ("未报送：{unit}", "not sent: {unit}"),
    "cli.merge.totals": ("共 {files} 个输入文件：计入 {included}，未计入 {left_out}；名单中未报送 {missing}",
    "{files} input files: {included} included, {left_out} left out; {missing} listed units sent nothing"),
    "cli.export.written": ("已导出 {records} 份报表到 {path}", "exported {records} returns to {path}"),
    "cli.export.unreadable": ("无法读取：{path} —— {reason}", "unreadable: {path} — {reason}"),
    # cli/published.py
    "published.written": ("已写入 {path}", "written {path}"),
    "published.bad_output": ("输出文件应以 {allowed} 结尾：{path}", "the output must end in {allowed}: {path}"),
    "published.bad_target": ("无法从 {path} 判断输出格式，请用 --to 指定 md、html、docx 或 pdf",
    "cannot tell the output format from {path}; use --to md, html, docx or pdf"),
    "published.summary": ("{path}：{errors} 个错误，{warnings} 个警告，{infos} 个提示",
    "{path}: {errors} errors, {warnings} warnings, {infos} notes"),
    # findings/report.py
    "out.status.ok": ("通过", "ok"),
    "out.status.invalid": ("有错误", "invalid"),
    "out.status.unreadable": ("无法读取", "unreadable"),
    "out.severity.error": ("错误", "error"),
    "out.severity.warning": ("警告", "warning"),
    "out.severity.info": ("提示", "note"),
    "out.line": ("第 {line} 行 {where}", "line {line} {where}"),
    "out.file_line": ("{name}：{unit}，{year} 年度 —— {status}{counts}", "{name}: {unit}, {year} — {status}{counts}"),
    "out.file_unreadable": ("{name} —— 无法读取：{reason}", "{name} — unreadable: {reason}"),
    "out.counts": ("（{errors} 个错误，{warnings} 个警告）", " ({errors} errors, {warnings} warnings)"),
    "out.hint": ("提示：{hint}", "hint: {hint}"),
    "out.summary": ("合计 {files} 个文件：通过 {ok}，有错误 {invalid}，无法读取 {unreadable}",
    "{files} files: {ok} ok, {invalid} invalid, {unreadable} unreadable"),
    "out.skipped": ("跳过 {path}：{reason}", "skipped {path}: {reason}"),
    "inputs.other_file": ("不是电子表格文件（文件夹里只校验 .xlsx .xlsm .xls .et .ods），未校验；如果它是报表，请改回原来的扩展名，或把文件名直接写在命令里",
                          "not a spreadsheet file (in folders only .xlsx .xlsm .xls .et .ods are checked); not checked — if it is a return, restore its extension or name the file itself"),
    "inputs.lock_file": ("Excel/WPS 打开文件时生成的临时文件，不是报表", "a lock file Excel/WPS leaves while a file is open, not a return"),
    "out.unknown": ("未填", "blank"),
    # io/annotate.py
    "annot.unreadable": ("文件无法读取，没有可标注的内容", "the file could not be read: nothing to annotate"),
    # io/read.py
    "read.corrupt": ("文件已损坏或内容不完整，无法解析；请用 Excel 或 WPS 打开后重新保存", "the file is corrupt and cannot be parsed ({detail}); open and save it again"),
    "read.foreign": ("不是 gkxl 报表模板生成的工作簿（没有模板标识），无法核对；请用汇总机关下发的模板填报",
    "not a workbook made from a gkxl template (no template id); fill in the template the collecting office sent"),
    "read.unknown_template": ("模板“{template}”不是本程序认识的格式（认识：{known}）",
    "template {template} is not a known format (known: {known})"),
    "read.old_version": ("模板版本 {found} 不是当前版本 {current}，请改用新模板填报",
    "template version {found} is not the current {current}; use the new template"),
    "read.sheet_missing": ("缺少工作表“{sheet}”（可能被删除或改名）", "sheet {sheet} is missing (deleted or renamed)"),
    "read.label_changed": ("表格文字被改动：应为“{expected}”，读到“{found}”", "label changed: expected “{expected}”, read “{found}”"),
    "read.label_shifted": ("表格文字被改动：应为“{expected}”，读到“{found}”；该文字出现在第 {moved} 行，疑似插入或删除了行",
    "label changed: expected “{expected}”, read “{found}”; it appears at row {moved}: rows inserted or deleted?"),
    "read.labels_more": ("此表另有 {count} 处文字与标准格式不一致", "{count} more labels differ from the standard format on this sheet"),
    "read.sheet_skipped": ("表格结构已被改动，本表数字无法可靠读取，未做数字和勾稽校验", "the table's layout was changed; its figures were not checked"),
    # io/source.py
    "src.unreadable_path": ("无法打开：{reason}", "cannot open: {detail}"),
    "src.missing": ("文件不存在", "no such file"),
    "src.is_dir": ("这是文件夹，不是文件", "this is a folder, not a file"),
    "src.folder_unreadable": ("文件夹无法打开（{reason}），里面的文件没有校验", "the folder cannot be opened ({detail}); the files in it were not checked"),
    "src.no_permission": ("没有读取这个文件的权限", "no permission to read this file"),
    "src.empty": ("文件是空的（0 字节）", "the file is empty (0 bytes)"),
    "src.too_big": ("文件过大（{size} MB），不像一份年报报表", "file too large ({size} MB) for an annual report return"),
    "src.not_spreadsheet": ("不是电子表格文件（支持 .xlsx .xls .et .ods 和 gkxl 的 JSON）",
    "not a spreadsheet (supported: .xlsx .xls .et .ods and gkxl JSON)"),
    "src.corrupt_zip": ("文件已损坏（压缩包不完整或被截断），请重新保存后再报送",
    "the file is corrupt (truncated or broken zip); save it again and resend"),
    "src.zip_bomb": ("文件解压后过大（{detail}），出于安全不予读取", "the file inflates too much ({detail}); refused for safety"),
    "src.xml_entities": ("文件内含 XML 实体声明（{member}），出于安全不予读取",
    "the file declares XML entities ({member}); refused for safety"),
    "src.encrypted": ("文件设置了打开密码，请取消密码后重新报送", "the file is password-encrypted; remove the password and resend"),
    "src.macro": ("文件含有宏（VBA），出于安全不予读取；请另存为不含宏的 .xlsx 后报送",
    "the file contains macros (VBA); refused for safety — save as a macro-free .xlsx"),
    "src.huge_sheet": ("工作表范围过大（有内容到第 {rows} 行、第 {cols} 列），请删除表格以外的内容后重新保存",
    "a sheet is far too large (content up to row {rows}, column {cols}); delete what lies outside the tables"),
    "src.zip_unsupported": ("压缩包里不是电子表格", "the zip archive is not a spreadsheet"),
    # published/parse.py
    "parse.is_workbook": ("{path} 是电子表格，不是公开报告的文字；请用 gkxl check 校验或 gkxl render 生成报告",
    "{path} is a spreadsheet, not the text of a published report; use gkxl check or gkxl render"),
    "parse.unreadable": ("无法读取 {path}：{reason}", "cannot read {path}: {detail}"),
    "parse.too_big": ("{path} 超过 {size} MB，不像一份年度报告", "{path} is over {size} MB: not an annual report"),
    "parse.encoding": ("{path} 的文字编码无法识别（已尝试 UTF-8、GB18030）",
    "cannot decode {path} (tried UTF-8 and GB18030)"),
    "parse.format_recognised": ("识别为 {format} 年版格式（{basis}），按该格式解析",
    "recognised the {format} format ({basis}); parsed as such"),
    "parse.format_assumed": ("未找到区分 2019 年版与 2021 年版格式的标志文字，按 {format} 年版格式解析",
    "no marker of the 2019 or 2021 format found; parsed as the {format} format"),
    "parse.format_by_year": ("未找到区分 2019 年版与 2021 年版格式的标志文字，按报告年度 {year} 年采用 {format} 年版格式解析",
    "no marker of the 2019 or 2021 format found; parsed as the {format} format, as the report year is {year}"),
    "parse.no_title": ("未找到报告标题，单位名称和年度未能读取", "no report title found: unit and year not read"),
    "parse.no_year": ("标题“{title}”中没有年度", "no year in the title “{title}”"),
    "parse.no_unit": ("标题“{title}”中没有单位名称", "no unit name in the title “{title}”"),
    "parse.section_missing": ("未找到第{numeral}部分“{title}”", "section {numeral} “{title}” not found"),
    "parse.section_reworded": ("第{numeral}部分标题为“{found}”，按“{title}”读取",
    "section {numeral} is titled “{found}”; read as “{title}”"),
    "parse.table_missing": ("{sheet}：未找到表格数据，相应格子留空", "{sheet}: no table data found; its cells are left blank"),
    "parse.table_outside_section": ("{sheet} 的数据不在第{numeral}部分之内（该部分标题未找到），按表格行文字读取",
    "{sheet} read from rows outside section {numeral} (its heading was not found)"),
    "parse.row_missing": ("{sheet}：未找到“{label}”这一行，相应格子留空", "{sheet}: row “{label}” not found; left blank"),
    "parse.row_repeated": ("“{label}”再次出现（第 {first} 行已读取），本行未读取",
    "row “{label}” repeats (already read on line {first}); this line not read"),
    "parse.unplaced": ("这一行未能对应到表格中的任何位置：“{text}”", "line not placed in any table: “{text}”"),
    "parse.unplaced_text": ("这一行文字不属于任何部分，未读取：“{text}”", "text outside any section, not read: “{text}”"),
    "parse.value_count": ("“{label}”应有 {expected} 个数，本行读到 {found} 个，未读取（空白格在纯文本中无法定位）",
    "row “{label}” needs {expected} figures but has {found}; not read (blanks cannot be located in plain text)"),
    "parse.ambiguous_alignment": ("“{label}”一行有空白格且位置不能确定，按靠{side}对齐读取，请核对",
    "row “{label}” has blanks whose position is uncertain; read aligned to the {side_en}, please verify"),
    "parse.label_fuzzy": ("“{found}”与标准文字不完全一致，按“{label}”读取", "“{found}” read as “{label}” (wording differs)"),
    "parse.blank": ("{where} 公布为“{raw}”，作空白处理（空白不是 0）", "{where} published as “{raw}”: read as blank (not 0)"),
    "parse.unit_removed": ("{where} 公布为“{raw}”，读作 {value}", "{where} published as “{raw}”: read as {value}"),
    "parse.yuan_converted": ("{where} 公布为“{raw}”（元），换算为 {value} 万元",
    "{where} published as “{raw}” (yuan): converted to {value} (10,000 yuan)"),
    "parse.note_removed": ("{where} 公布为“{raw}”，读作 {value}，括号内说明未计入",
    "{where} published as “{raw}”: read as {value}, the remark in brackets left out"),
    "parse.not_number": ("{where} 公布为“{raw}”，不是数字，留空", "{where} published as “{raw}”: not a number, left blank"),
    "parse.total_mismatch": ("{where}（{label}）公布为 {published}，按明细合计应为 {computed}",
    "{where} ({label}) is published as {published} but its parts add up to {computed}"),
    "parse.group_row": ("“{label}”只公布了一行，未分 {count} 个子项（{values}）；子项留空，只在核对合计时计入该行，公布的总计照原样保留",
    "“{label}” is published as one row without its {count} sub-rows ({values}); the sub-rows are left blank, "
    "the row is counted only when checking totals, and the published totals are kept as they are"),
    "parse.values_without_label": ("这一行只有数字、没有行名，未读取：“{text}”", "figures without a row label, not read: “{text}”"),
    "parse.label_without_values": ("“{label}”这一行没有数字", "row “{label}” has no figures"),
    # published/render.py
    "render.unknown_target": ("不支持的输出格式 {to}（可选 md、html、docx、pdf）", "unknown output format {to} (md, html, docx or pdf)"),
    "render.no_docx": ("生成 Word 文档需要 python-docx：pip install python-docx",
    "writing DOCX needs python-docx: pip install python-docx"),
    "render.written": ("已生成 {path}", "written {path}"),
    # printing and PDF (issue 10: every page looks right on screen and on paper)
    "render.no_soffice": ("生成 PDF 需要 LibreOffice（soffice），本机未找到。请安装 LibreOffice，或先生成 Word 文档（--to docx）再另存为 PDF",
    "writing PDF needs LibreOffice (soffice), which was not found; install LibreOffice, or write DOCX (--to docx) and save it as PDF"),
    "render.pdf_failed": ("LibreOffice 未能生成 PDF：{detail}", "LibreOffice did not write the PDF: {detail}"),
    "render.pdf_timeout": ("LibreOffice 生成 PDF 超过 {seconds} 秒未完成，已停止", "LibreOffice took more than {seconds} s to write the PDF; stopped"),
}




class MessageError(KeyError):
    """A message asked for with an unknown code or without one of its parameters: a bug of gkxl's."""


def text(code: str, lang: str = "zh", **params) -> str:
    """The sentence `code` in `lang` (zh or en) with its parameters filled in."""
    try:
        zh, en = MESSAGES[code]
    except KeyError:
        raise MessageError(f"unknown message {code}") from None
    params = {k: _localised(v, lang) for k, v in params.items()}
    try:
        return (en if lang == "en" else zh).format(**params)
    except (KeyError, IndexError) as e:
        raise MessageError(f"message {code} needs parameter {e}") from None


def _localised(value, lang: str):
    """A parameter that is itself a sentence (a Message, or a spec's {"zh": …, "en": …}) in `lang`."""
    if isinstance(value, Message):
        return value.render(lang)
    if isinstance(value, (list, tuple)):
        return ("; " if lang == "en" else "；").join(str(_localised(v, lang)) for v in value)
    if isinstance(value, dict) and "zh" in value and "en" in value:
        return value["en" if lang == "en" else "zh"]
    return value


class Message:
    """A sentence not yet rendered: its code and parameters. Rendered in either language when shown."""
    __slots__ = ("code", "params")

    def __init__(self, code: str, **params):
        if code not in MESSAGES:
            raise MessageError(f"unknown message {code}")
        self.code, self.params = code, params

    def render(self, lang: str = "zh") -> str:
        return text(self.code, lang, **self.params)

    @property
    def zh(self) -> str:
        return self.render("zh")

    @property
    def en(self) -> str:
        return self.render("en")

    def __str__(self) -> str:
        return self.zh

    def __repr__(self) -> str:
        return f"Message({self.code!r}, {self.params!r})"

    def __getstate__(self):
        return self.code, self.params

    def __setstate__(self, state):
        self.code, self.params = state
