"""Every sentence gkxl says to a person, in Chinese (default) and English: the one catalogue.

A code names a sentence; both languages take the same {parameters} (tests/test_house.py proves it). The
codes are grouped by their prefix in the order data flows (spec … read … checks … actions … command line);
the desk's page copy lives in gkxl/text/desk_copy.py and joins the catalogue here.
Modules never define sentences of their own."""
from __future__ import annotations

from gkxl.text.desk_copy import DESK_COPY
from gkxl.text.numbers import show
from gkxl.text.printable import printable

MESSAGES: dict[str, tuple[str, str]] = {
    # --- spec: the form specs (templates/*.json and --spec files)
    "spec.not_found": ("没有表格格式 {name}（可用：{known}）", "no form spec {name} (known: {known})"),
    "spec.unreadable": ("表格定义文件 {path} 无法读取：{detail}", "cannot read form spec {path}: {detail}"),
    "spec.invalid": ("表格定义文件 {path} 有误（{where}）：{detail}", "form spec {path} is invalid at {where}: {detail}"),
    "spec.duplicate_key": ("表格定义中键 {key} 重复", "duplicate key {key} in form spec"),
    "spec.unknown_key": ("规则 {rule} 引用了不存在的键 {key}", "rule {rule} refers to unknown key {key}"),
    "spec.cyclic_totals": ("表格定义中的合计互相引用：{keys}", "totals depend on each other in a cycle: {keys}"),
    # --- model: the report model (gkxl JSON)
    "model.not_report": ("不是 gkxl 报表数据（JSON）", "not a gkxl report (JSON)"),
    "model.unknown_format": ("未知的表格格式 {format}", "unknown report format {format}"),
    "model.bad_json": ("JSON 文件无法解析，格式有误（{detail}）", "cannot parse JSON: {detail}"),
    "model.bad_shape": ("不是有效的 gkxl 报表数据：values 应为“键: 数字或文字”，source 应为对象",
                        "not a valid gkxl report: values must map keys to numbers or text, source must be an object"),
    # --- code: 统一社会信用代码 (GB 32100-2015)
    "code.mangled": ("单位代码“{value}”已被 Excel 变成数字（如 1.14107E+17），原来的代码已丢失；请把单位代码列设为文本后重新输入",
                     "unit code “{value}” was turned into a number by Excel (such as 1.14107E+17) and is lost; format the column as text and type it again"),
    "code.length": ("单位代码“{value}”不是 18 位统一社会信用代码", "unit code “{value}” is not an 18-character unified social credit code"),
    "code.characters": ("单位代码“{value}”含有统一社会信用代码不用的字符（不用 I、O、S、V、Z）",
                        "unit code “{value}” has characters a unified social credit code does not use (no I, O, S, V, Z)"),
    "code.check": ("单位代码“{value}”的校验位不对（GB 32100-2015），可能有字符输错", "unit code “{value}” has a wrong check character (GB 32100-2015): a character mistyped?"),
    # --- format: which format a file is in
    "format.recognised": ("识别为 {format} 年版格式（{basis}），按该格式读取",
                          "recognised the {format} format ({basis}); read as such"),
    "format.by_year": ("没有区分 2019 年版与 2021 年版格式的标志文字，按报告年度 {year} 年采用 {format} 年版格式读取",
                       "no marker of the 2019 or 2021 format; read as the {format} format, as the report year is {year}"),
    "format.assumed": ("没有区分 2019 年版与 2021 年版格式的标志文字，按 {format} 年版格式读取",
                       "no marker of the 2019 or 2021 format; read as the {format} format"),
    # --- inputs: what the given paths hold
    "inputs.none": ("没有找到要处理的报表（文件夹里找的是 .xlsx .xlsm .xls .et .ods；报告文件请逐个给出）{skipped}",
                    "no input files found (folders are searched for .xlsx .xlsm .xls .et .ods; give report files one by one){skipped}"),
    "inputs.none_documents": ("没有找到要处理的报表或报告（文件夹里找的是 .xlsx .xlsm .xls .et .ods 报表和 .docx .pdf .txt .html 报告）{skipped}",
                              "no input files found (folders are searched for .xlsx .xlsm .xls .et .ods returns and .docx .pdf .txt .html reports){skipped}"),
    "inputs.none_skipped": ("。跳过的文件：{items}", ". Skipped: {items}"),
    "inputs.skipped_item": ("{path}（{reason}）", "{path} ({reason})"),
    "inputs.not_report": ("不是年度报告，未校验（{reason}）", "not an annual report; not checked ({reason})"),
    "inputs.other_file": ("不是电子表格文件（文件夹里只校验 .xlsx .xlsm .xls .et .ods），未校验；如果它是报表，请改回原来的扩展名，或把文件名直接写在命令里",
                          "not a spreadsheet file (in folders only .xlsx .xlsm .xls .et .ods are checked); not checked — if it is a return, restore its extension or name the file itself"),
    "inputs.other_document": ("既不是报表也不是报告文件（文件夹里只读 .xlsx .xlsm .xls .et .ods 报表和 .docx .pdf .txt .html 报告），未校验；如果它是报表或报告，请改回原来的扩展名，或把文件名直接写在命令里",
                              "neither a return nor a report (in folders only .xlsx .xlsm .xls .et .ods returns and .docx .pdf .txt .html reports are read); not checked — if it is one, restore its extension or name the file itself"),
    "inputs.lock_file": ("Excel/WPS 打开文件时生成的临时文件，不是报表", "a lock file Excel/WPS leaves while a file is open, not a return"),
    # --- archive: zips of returns or reports
    "archive.broken": ("压缩包已损坏，无法打开", "the zip is broken and cannot be opened"),
    "archive.many": ("压缩包里有 {count} 个文件，超过上限 {most}", "the zip holds {count} files, more than {most}"),
    "archive.too_big": ("文件超过 {mb} MB，未读取", "the file is over {mb} MB; not read"),
    "archive.member_broken": ("压缩包里的这个文件已损坏，无法取出", "this file of the zip is broken and cannot be taken out"),
    # --- io: files written and read
    "io.output_is_input": ("输出文件 {path} 也是输入文件之一，拒绝覆盖", "output {path} is also an input; refusing to overwrite it"),
    "io.not_found": ("找不到文件或文件夹：{path}", "no such file or folder: {path}"),
    "io.os_error": ("无法读写 {path}：{reason}", "cannot read or write {path}: {reason}"),
    "io.write_failed": ("无法写入 {path}：{reason}", "cannot write {path}: {reason}"),
    "io.internal": ("处理这个文件时程序出错（{kind}），请把文件发给 gkxl 维护者", "gkxl failed on this file ({kind}); please send the file to its maintainers"),
    "io.output_twice": ("输出文件 {path} 也是本次运行的另一个输出，拒绝覆盖", "output {path} is also another output of this run; refusing to overwrite it"),
    # --- src: vetting an input before it is read
    "src.unreadable_path": ("无法打开：{reason}", "cannot open: {reason}"),
    "src.missing": ("文件不存在", "no such file"),
    "src.is_dir": ("这是文件夹，不是文件", "this is a folder, not a file"),
    "src.folder_unreadable": ("文件夹无法打开（{reason}），里面的文件没有校验", "the folder cannot be opened ({reason}); the files in it were not checked"),
    "src.no_permission": ("没有读取这个文件的权限", "no permission to read this file"),
    "src.empty": ("文件是空的（0 字节）", "the file is empty (0 bytes)"),
    "src.too_big": ("文件过大（{size} MB），不像一份年报报表", "file too large ({size} MB) for an annual report return"),
    "src.not_spreadsheet": ("不是电子表格文件（支持 .xlsx .xls .et .ods、gkxl 的 JSON 和年度报告的 .docx .pdf）",
    "not a spreadsheet (supported: .xlsx .xls .et .ods, gkxl JSON and reports as .docx or .pdf)"),
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
    "src.xlsb": ("这是 Excel 二进制工作簿（.xlsb），请另存为 .xlsx 后报送", "this is a binary workbook (.xlsb); save it as .xlsx"),
    "src.zip_version": ("压缩格式版本过新（{version}），无法读取；请用 Excel 或 WPS 打开后另存为 .xlsx",
    "the zip needs a newer unpacker (version {version}); save the file again as .xlsx"),
    "src.zip_method": ("文件内容使用了不支持的压缩方式（{member}），请用 Excel 或 WPS 打开后重新保存",
    "a part uses an unsupported compression method ({member}); save the file again"),
    "src.huge_strings": ("文件内文字总量过大（约 {size} MB），出于安全不予读取",
    "the text in the file adds up to too much (about {size} MB); refused for safety"),
    "src.huge_workbook": ("工作簿各表的范围合计过大（{cells} 个单元格），请删除多余的工作表和表格以外的内容后重新保存",
    "the sheets together span too many cells ({cells}); delete extra sheets and content outside the tables"),
    # --- formula: formulas with no value to show, evaluated
    "formula.unread": ("{where} 的公式 ={formula} 没有保存计算结果，gkxl 无法算出它显示的数：{reason}。请用 Excel 或 WPS 打开后保存再报送",
                       "{where} holds the formula ={formula} without a stored result, and gkxl cannot tell what it shows: {reason}. Open and save it in Excel or WPS and send it again"),
    "formula.unsupported": ("gkxl 只计算 SUM、加减、数字和单元格引用", "gkxl evaluates only SUM, + and −, numbers and cell references"),
    "formula.circular": ("公式直接或间接引用了自己（循环引用）", "the formula refers to itself (a circular reference)"),
    "formula.error_value": ("引用的 {ref} 是错误值 {error}", "it refers to {ref}, which holds the error {error}"),
    "formula.text_added": ("把 {ref} 的文字“{text}”当数相加", "it adds the text “{text}” of {ref} as a number"),
    "formula.no_sheet": ("引用的工作表“{sheet}”不存在", "it refers to a sheet “{sheet}” the workbook does not have"),
    "formula.too_much": ("引用的单元格过多", "it refers to too many cells"),
    # --- read: reading a workbook
    "read.corrupt": ("文件已损坏或内容不完整，无法解析（{detail}）；请用 Excel 或 WPS 打开后重新保存", "the file is corrupt and cannot be parsed ({detail}); open and save it again"),
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
    "read.title_changed": ("表格标题被改动或清除：应为“{expected}”，读到“{found}”；按行列标题照常读取和校验",
                           "the table's title was changed or cleared: expected “{expected}”, read “{found}”; read and checked by its row and column labels"),
    "read.labels_more": ("此表另有 {count} 处文字与标准格式不一致", "{count} more labels differ from the standard format on this sheet"),
    "read.sheet_skipped": ("表格结构已被改动，本表数字无法可靠读取，未做数字和勾稽校验", "the table's layout was changed; its figures were not checked"),
    "read.limit_time": ("读取超过 {seconds} 秒仍未完成，已停止；文件可能已损坏或被篡改，请用制作它的软件（Excel、WPS 或 Word）打开后重新保存",
    "reading took over {seconds} s and was stopped; the file may be broken or tampered with: open and save it again"),
    "read.limit_memory": ("读取所需内存超过上限（{limit} MB），已停止；文件可能已损坏或被篡改，请用制作它的软件（Excel、WPS 或 Word）打开后重新保存",
    "reading needed more than the memory limit ({limit} MB) and was stopped; the file may be broken or tampered with"),
    "read.limit_crash": ("读取时读取程序异常终止（{signal}，多为所需内存超过上限 {limit} MB）；文件可能已损坏或被篡改，"
    "请用制作它的软件（Excel、WPS 或 Word）打开后重新保存",
    "the reader stopped abnormally ({signal}, usually more memory than the {limit} MB limit); the file may be broken"),
    "read.worker_died": ("读取时读取程序意外退出（{reason}），未读取", "the reader ended unexpectedly ({reason}); not read"),
    "read.meta_corrupt": ("隐藏的模板标识表（_gkxl）已损坏，无法读取（{detail}）；请用 Excel 或 WPS 打开后重新保存",
    "the hidden template sheet (_gkxl) is corrupt ({detail}); open and save the file again"),
    "read.no_tables": ("不是 gkxl 报表模板生成的工作簿，也没有找到统一格式的表二、表三、表四（按表格文字查找，如 {looked}）",
    "not a workbook made from a gkxl template, and none of the official tables 2, 3, 4 was found (looked for labels such as {looked})"),
    # --- locate: reading a workbook in any layout, by its labels
    "locate.found": ("{title}：按表格文字在 {where} 读取", "{title}: read by its labels at {where}"),
    "locate.moved": ("{sheet}的行列被插入或删除过，已按表格文字找到各格读取，请核对",
    "rows or columns of {sheet} were inserted or deleted; its figures were read by their labels, please verify"),
    "locate.table_missing": ("没有找到{title}（按 {labels} 等文字查找），本表数字未读取",
    "{title} not found (looked for {labels}); its figures were not read"),
    "locate.table_twice": ("{title}出现了两份：{first} 和 {second}；不能确定用哪一份，本表数字未读取，请删去多余的一份",
    "{title} appears twice: {first} and {second}; which one counts cannot be told, so neither was read — delete the extra copy"),
    "locate.row_missing": ("{title}缺少统一格式中的“{label}”这一行，这一行的数字未读取",
    "{title} lacks the official row “{label}”; its figures were not read"),
    "locate.column_missing": ("{title}缺少统一格式中的“{label}”这一列，这一列的数字未读取",
    "{title} lacks the official column “{label}”; its figures were not read"),
    "locate.row_twice": ("{title}的“{label}”这一行出现在多处（{places}），不能确定读哪一处，这一行的数字未读取",
    "row “{label}” of {title} stands in several places ({places}); which one counts cannot be told, so it was not read"),
    "locate.column_twice": ("{title}的“{label}”这一列出现在多处（{places}），不能确定读哪一处，这一列的数字未读取",
    "column “{label}” of {title} stands in several places ({places}); which one counts cannot be told, so it was not read"),
    "locate.row_extra": ("{title}多出一行“{label}”，不在统一格式中，未读取", "{title} has an extra row “{label}”, not in the official format; not read"),
    "locate.column_extra": ("{title}多出一列“{label}”，不在统一格式中，未读取",
    "{title} has an extra column “{label}”, not in the official format; not read"),
    "locate.unit_from_title": ("单位名称“{value}”取自标题 {where}（表格中没有“单位名称”或“填报单位”）",
    "unit “{value}” taken from the title at {where} (no 单位名称 or 填报单位 in the workbook)"),
    "locate.year_from_title": ("报告年度 {value} 取自标题 {where}（表格中没有“报告年度”）",
    "report year {value} taken from the title at {where} (no 报告年度 in the workbook)"),
    "locate.unit_from_file": ("单位名称“{value}”取自文件名“{name}”（表格中没有单位名称），请核对",
    "unit “{value}” taken from the file name “{name}” (none in the workbook); please verify"),
    "locate.year_from_file": ("报告年度 {value} 取自文件名“{name}”（表格中没有年度），请核对",
    "report year {value} taken from the file name “{name}” (none in the workbook); please verify"),
    "locate.identity_twice": ("表格中的{what}有几处不一样：{items}；未能确定，请只保留正确的一处（年度也可用 --year 指定）",
                              "the workbook gives different {what}: {items}; not decided — keep only the right one (a year may be given with --year)"),
    "locate.what_unit": ("单位名称", "unit names"),
    "locate.what_year": ("报告年度", "report years"),
    "locate.what_unit_code": ("单位代码", "unit codes"),
    "locate.year_by_option": ("表格中有几个不同的报告年度（{items}），按 --year 取 {year}",
                              "the workbook gives several report years ({items}); {year} taken, as --year asks"),
    # --- doc: Word and PDF documents
    "doc.html_huge_table": ("网页里有一张表格合并的单元格覆盖 {cells} 格（{rows} 行），远超年度报告的表格，未读取",
                            "a table of the page spans {cells} positions ({rows} rows), far beyond a report's tables: not read"),
    "doc.file": ("{path}：{reason}", "{path}: {reason}"),
    "doc.is_doc": ("文件是旧版 Word 文档（.doc），无法直接解析；请在 Word 或 WPS 中“另存为” .docx 后再试",
                   "the file is an old binary Word document (.doc); save it as .docx in Word or WPS and try again"),
    "doc.encrypted": ("文件设置了打开密码，请取消密码后重新保存", "the file is password-protected; remove the password and save it again"),
    "doc.image": ("文件是图片，不是文字；需要 OCR 识别成文字后再解析", "the file is an image, not text: OCR needed before it can be parsed"),
    "doc.binary": ("文件不是文字、网页、Word（.docx）或 PDF 文件（扩展名为“{ext}”），无法解析",
                   "the file is not text, HTML, Word (.docx) or PDF (its name ends in “{ext}”); cannot parse it"),
    "doc.no_tables": ("没有找到年度报告的统计表（表二至表四）：既不是电子表格，也不是可以解析的年度报告",
                      "no statistics tables (tables 2 to 4): not a spreadsheet, nor a report that can be parsed"),
    "doc.broken_zip": ("文件已损坏（压缩包不完整或被截断），无法读取；请打开后重新保存",
                       "the file is corrupt (a broken or truncated zip); open it and save it again"),
    "doc.docx_corrupt": ("文件不是完整的 Word 文档（压缩包损坏或被截断），请用 Word 或 WPS 打开后重新保存",
                         "the file is not a complete Word document (broken or truncated zip); open and save it again"),
    "doc.docx_bomb": ("文件解压后过大（{detail}），出于安全不予读取", "the file inflates too much ({detail}); refused for safety"),
    "doc.docx_entities": ("文件内含 XML 实体声明（{member}），出于安全不予读取",
                          "the file declares XML entities ({member}); refused for safety"),
    "doc.pdf_corrupt": ("文件不是完整的 PDF 文件（{detail}），无法读取", "the file is not a complete PDF ({detail})"),
    "doc.pdf_encrypted": ("文件设置了打开密码，请取消密码后重新导出 PDF",
                          "the file is password-protected; export it again without a password"),
    "doc.pdf_no_text": ("文件没有文字层（可能是扫描件或图片），需要 OCR 识别成文字后再解析",
                        "the file has no text layer (a scan or images): OCR needed before it can be parsed"),
    "doc.pdf_no_unicode": ("文件的文字层无法转成文字（字体没有字符对照表），需要 OCR 识别成文字后再解析",
                           "the file has a text layer that does not map to characters (fonts without a Unicode map): OCR needed"),
    "doc.pdf_too_many_pages": ("文件超过 {limit} 页，不像一份年度报告，未读取",
                               "the file has more than {limit} pages; not an annual report, not read"),
    "doc.pdf_too_many_objects": ("文件含 {count} 个对象，超过上限 {limit}，未读取",
                                 "the file has {count} objects, over the limit of {limit}; not read"),
    "doc.pdf_huge_page": ("第 {page} 页尺寸异常（{width}×{height} 点），未读取",
                          "page {page} has an abnormal size ({width}×{height} pt); not read"),
    "doc.pdf_huge_content": ("第 {page} 页内容过大（{detail}），出于安全不予读取",
                             "page {page} has too much content ({detail}); refused for safety"),
    "doc.page": ("第 {page} 页", "page {page}"),
    "doc.paragraph": ("第 {n} 段", "paragraph {n}"),
    "doc.table_row": ("第 {table} 个表格第 {row} 行", "table {table}, row {row}"),
    # --- parse: reading a published report
    "parse.is_workbook": ("{path} 是电子表格，不是公开报告的文字；请用 gkxl check 校验或 gkxl render 生成报告",
    "{path} is a spreadsheet, not the text of a published report; use gkxl check or gkxl render"),
    "parse.unreadable": ("无法读取 {path}：{reason}", "cannot read {path}: {reason}"),
    "parse.too_big": ("{path} 超过 {size} MB，不像一份年度报告", "{path} is over {size} MB: not an annual report"),
    "parse.encoding": ("{path} 的文字编码无法识别（已尝试 UTF-8、GB18030）",
    "cannot decode {path} (tried UTF-8 and GB18030)"),
    "parse.no_title": ("未找到报告标题，单位名称和年度未能读取", "no report title found: unit and year not read"),
    "parse.no_year": ("标题“{title}”中没有年度", "no year in the title “{title}”"),
    "shown.hidden_sheet": ("工作表“{sheet}”是隐藏的，表格的数字却从它读出：页面上看到的可能是另一张表，请取消隐藏后核对",
                           "the sheet “{sheet}” is hidden, yet the table's figures are read from it: the page may show another; unhide it and check"),
    "shown.hidden_cell": ("这一格在隐藏的{where}里，页面上看不到它的数，请取消隐藏后核对",
                          "this cell is in a hidden {where}: its figure is not seen on the page; unhide and check"),
    "shown.row": ("第 {row} 行", "row {row}"),
    "shown.column": ("{column} 列", "column {column}"),
    "shown.lookalike": ("工作表名“{name}”与官方的“{official}”只差看不见的字符：请删除多余的表或改正表名",
                        "the sheet name “{name}” differs from the official “{official}” only by characters no one sees: remove the copy or fix the name"),
    "shown.format": ("这一格的数是 {value}，但数字格式“{format}”使它显示为{shown}：请把数字格式改为“常规”或“数值”",
                     "this cell holds {value}, but its number format “{format}” shows {shown}: set the format to General or Number"),
    "shown.other": ("别的样子（日期、百分比、按千缩小等）", "something else (a date, a percentage, thousands)"),
    "parse.unseen": ("这里有页面上看不见的文字“{text}”（隐藏、白色或在页面之外），未读取；按页面上显示的读取，请核对原文件",
                     "text the page does not show here, “{text}” (hidden, white or off the page), is not read; what the page shows is read: check the file"),
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
    "row “{label}” has blanks whose position is uncertain; read aligned to the {side}, please verify"),
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
    # --- narrative: the text's figures against the tables
    "narrative.mismatch": ("{message}第{section}部分写的是 {number}：“{sentence}”；表格中 {figures}",
                           "{message} Section {section} states {number}: “{sentence}”; the tables give {figures}"),
    "narrative.figure": ("{cells} 为 {value}", "{cells} = {value}"),
    "narrative.either": ("{first}，或 {second}", "{first}, or {second}"),
    "narrative.copied": ("表格数字与上年报告完全相同（{count} 个数字，非零 {nonzero} 个），可能照搬了上年的表格，请核对",
                         "the table figures are identical to last year's report ({count} figures, {nonzero} not zero): "
                         "a copied table? please verify"),
    # --- chk: the checks
    "chk.unpublished": ("公开报告中这一格没有数字（空白，或“-”“/”“—”“无”），不能当作 0；涉及这一格的等式没有核对",
                        "the published report gives no figure here (blank, or “-”, “/”, “—”, “无”), which is not 0; the equations through it are not checked"),
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
    "chk.renamed": ("表内单位名称为“{value}”，与下发模板的单位“{issued}”不同：按“{issued}”认定，如单位确已更名请告知收件单位",
                    "the table names the unit “{value}”, the issued template “{issued}”: taken as “{issued}”; tell the collecting office if the unit was renamed"),
    "chk.untouched": ("所有数字都是 0，填报人和联系电话也空着：是不是把空白模板原样报回了？如确实全年没有发生，请填写填报人后重新报送",
                      "every figure is 0 and the contact fields are blank: was the blank template sent back untouched? If the year really had none, fill in the contact and resend"),
    "chk.typo_swap": ("（疑似两位数字颠倒）", " (two digits swapped?)"),
    "chk.typo_digit": ("（疑似一位数字填错）", " (one digit mistyped?)"),
    "chk.prev_carry": ("{message}本年读到 {value}，上年为 {expected}", "{message} This year {value}, last year {expected}."),
    "chk.prev_unreadable": ("上年报表无法使用：{detail}", "last year's return cannot be used: {detail}"),
    "chk.group_one_row": ("“{label}”只公布了一行（{figures}），其 {count} 个子项未公布；按这一行核对总计",
                          "“{label}” was published as one row ({figures}) without its {count} sub-rows; the totals are checked with that row"),
    "chk.group_and_rows": ("“{label}”既公布了合并的一行，又填了子项；按子项核对{detail}",
                           "“{label}” is given both as one row and by its sub-rows; the sub-rows are checked{detail}"),
    "chk.group_differs": ("；合并行与子项之和不符：{columns}", "; the row differs from the sum of its sub-rows: {columns}"),
    "chk.group_column": ("{col} 合并行 {value}，子项之和 {parts}", "{col}: row {value}, sub-rows {parts}"),
    # --- annot: annotated copies
    "annot.unreadable": ("文件无法读取，没有可标注的内容", "the file could not be read: nothing to annotate"),
    "annot.too_merged": ("表中合并单元格超过 {cells} 个，不能生成标注副本；校验结果不受影响，请按校验结果修改",
                         "the sheets merge more than {cells} cells: no annotated copy can be made; the check "
                         "itself stands, fix the cells it names"),
    # --- stored: what the desk stored
    "stored.sentence": ("{sentence}", "{sentence}"),      # a sentence stored in both languages ({"zh", "en"})
    # --- audit: published reports against each other and against their returns
    "audit.progress": ("审查", "auditing"),
    "audit.unit_from_file": ("标题中没有发布机关，取自文件名“{name}”：{value}，请核对", "no issuer in the title: {value} taken from the file name “{name}”; please verify"),
    "audit.year_from_file": ("标题中没有年度，取自文件名“{name}”：{value} 年，请核对", "no year in the title: {value} taken from the file name “{name}”; please verify"),
    "audit.year_by_option": ("标题和文件名中都没有年度，按 --year 取 {year} 年，请核对", "no year in the title or file name: {year} taken from --year; please verify"),
    "audit.unlisted": ("发布机关“{unit}”不在单位名单中，未与其他报告和报表对照", "the issuer “{unit}” is not on the units list; not linked with other reports or returns"),
    "audit.place": ("{cell}（{at}）", "{cell} ({at})"),
    "audit.line": ("第 {line} 行", "line {line}"),
    "audit.return_differs": ("公开报告 {report} 中 {at} 公布为 {published}，报送的报表 {workbook} 的 {cell} 为 {returned}",
                             "the published report {report} gives {published} for {at}; the returned workbook {workbook} has {returned} at {cell}"),
    "audit.carry_link": ("{label}：{now} 年报告为 {this}，{before} 年报告的“{last_label}”为 {last}，两者应相等（{first} → {second}）",
                         "{label}: {this} in the {now} report, but {last} for “{last_label}” in the {before} report; they should be equal ({first} → {second})"),
    "audit.stock_link": ("{label}：{now} 年报告为 {this}，{before} 年报告的 {last} 加本年制发 {plus}、减本年废止 {minus} 为 {expected}；如有修订或失效，请看文字部分是否说明（{first} → {second}）",
                         "{label}: {this} in the {now} report; {last} in the {before} report + {plus} issued − {minus} repealed gives {expected}; revisions or expiry may explain it ({first} → {second})"),
    "audit.copied_year": ("{unit} {now} 年报告的表二至表四与 {before} 年的完全相同：可能照搬了上年的表格（{first}、{second}）",
                          "{unit}'s tables 2 to 4 of {now} are the same as those of {before}: copied from last year? ({first}, {second})"),
    "audit.copied_bodies": ("{year} 年几个单位的报告表二至表四完全相同：{units}（{paths}）", "in {year}, the tables 2 to 4 of several bodies are the same: {units} ({paths})"),
    "audit.no_report": ("单位名单中的 {unit} 没有 {year} 年的公开报告", "{unit}, on the units list, has no published report for {year}"),
    "audit.no_return": ("{unit} {year} 年的公开报告 {path} 没有对应的报表", "{unit}'s published report of {year} ({path}) has no return to compare with"),
    "audit.two_reports": ("{unit} {year} 年有几份不同的报告：{paths}；不能确定以哪一份为准，未做年度衔接核对",
                          "{unit} has several different reports for {year}: {paths}; which one counts cannot be told, so they are not linked"),
    "audit.same_report": ("{unit} {year} 年的报告有几种文件，数字完全相同，按一份报告核对：{paths}",
                          "{unit}'s report of {year} comes in several files with the same figures; linked as one report: {paths}"),
    "audit.verdict_none": ("没有公开报告", "no published report"),
    "audit.return_unreadable": ("报表 {path} 无法读取，未与公开报告对照：{reason}", "the return {path} could not be read and is not compared: {reason}"),
    "audit.return_unnamed": ("报表 {path} 看不出是哪个单位哪一年的，未与公开报告对照", "the return {path} names no unit or year; not compared"),
    "audit.return_unlisted": ("报表 {path} 的填报单位“{unit}”不在单位名单中，未与公开报告对照", "the return {path} is of “{unit}”, not on the units list; not compared"),
    "audit.two_returns": ("{unit} {year} 年有两份报表：{paths}；不能确定以哪一份为准，未与公开报告对照",
                          "{unit} has two returns for {year}: {paths}; which one counts cannot be told, so neither is compared"),
    "audit.same_file": ("{path} 与 {first} 内容相同，只读取一次", "{path} is the same file as {first}; read once"),
    "audit.totals": ("共 {files} 份报告（{bodies} 个单位）：通过 {ok}，有错误 {invalid}，无法读取 {unreadable}；报告之间的问题 {links} 个",
                     "{files} reports ({bodies} bodies): {ok} ok, {invalid} invalid, {unreadable} unreadable; {links} links between documents"),
    "audit.written": ("已写入审查结果 {path}", "audit written to {path}"),
    # --- out: the report of an action, as text
    "out.status.ok": ("通过", "ok"),
    "out.status.invalid": ("有错误", "invalid"),
    "out.status.unreadable": ("无法读取", "unreadable"),
    "out.severity.error": ("错误", "error"),
    "out.severity.warning": ("警告", "warning"),
    "out.severity.info": ("提示", "note"),
    "out.line": ("第 {line} 行 {where}", "line {line} {where}"),
    "out.published_name": ("{name}（年度报告，不是统计表）", "{name} (an annual report, not a return)"),
    "out.file_line": ("{name}：{unit}，{year} 年度 —— {status}{counts}", "{name}: {unit}, {year} — {status}{counts}"),
    "out.file_unreadable": ("{name} —— 无法读取：{reason}", "{name} — unreadable: {reason}"),
    "out.counts": ("（{counts}）", " ({counts})"),
    "out.count.error": ("{count} 个错误", "{count} errors"),
    "out.count.warning": ("{count} 个警告", "{count} warnings"),
    "out.count.info": ("{count} 条提示", "{count} notes"),
    "out.hint": ("提示：{hint}", "hint: {hint}"),
    "out.summary": ("合计 {files} 个文件：通过 {ok}，有错误 {invalid}，无法读取 {unreadable}",
    "{files} files: {ok} ok, {invalid} invalid, {unreadable} unreadable"),
    "out.skipped": ("跳过 {path}：{reason}", "skipped {path}: {reason}"),
    "out.unknown": ("未填", "blank"),
    "out.missing_head": ("单位名单 {path} 中 {count} 个单位未报送（没有收到能读取的报表）：",
                         "{count} units of the list {path} have not sent a readable return:"),
    "out.missing_unit": ("  未报送：{unit}{unit_code}", "  not sent: {unit}{unit_code}"),
    "out.missing_code": ("（{value}）", " ({value})"),
    "out.place": ("{place} {where}", "{place} {where}"),
    # --- check: gkxl check
    "check.progress": ("校验", "checking"),
    # --- previous: last year's returns
    "previous.unusable": ("--previous {path} 无法使用：{reason}", "--previous {path} cannot be used: {reason}"),
    # --- merge: gkxl merge and the summary's sheets
    "merge.status.ok": ("通过", "passed"),
    "merge.status.invalid": ("有错误", "has errors"),
    "merge.status.unreadable": ("无法读取", "unreadable"),
    "merge.status.skipped": ("跳过", "skipped"),
    "merge.status.missing": ("未报送", "not sent"),
    "merge.included.yes": ("是", "yes"),
    "merge.included.marked": ("是（有错误，按要求计入）", "yes (invalid, included on request)"),
    "merge.included.no": ("否", "no"),
    "merge.reason.ok": ("通过校验，已计入汇总", "passed the checks; included"),
    "merge.reason.accepted": ("收件人已确认以此版为准，已计入汇总", "the clerk took this version; included"),
    "merge.reason.accepted_invalid": ("有 {errors} 个错误，收件人确认以此版为准，已计入汇总",
                                      "{errors} errors, and the clerk took this version all the same; included"),
    "merge.reason.document": ("这是年度报告，不是统计表：未计入汇总（年度报告请在“年报”中核对）",
                              "this is an annual report, not a return: not included (reports are checked under Reports)"),
    "merge.reason.blank_held": ("疑似空表（所有数字为 0，联系信息空着）：收件人确认前不计入汇总",
                                "looks like the blank template sent back (every figure 0, no contact): not included until the clerk accepts it"),
    "merge.reason.unreadable": ("无法读取：{detail}", "unreadable: {detail}"),
    "merge.reason.skipped": ("{detail}", "{detail}"),
    "merge.reason.format": ("表格格式为 {found}，与汇总格式 {expected} 不同，未计入",
    "format {found} differs from the summary's {expected}; left out"),
    "merge.reason.year": ("报告年度为 {found}，不是 {expected} 年度，未计入",
    "report year is {found}, not {expected}; left out"),
    "merge.reason.invalid": ("有 {errors} 个错误，未计入汇总（改正后重新报送）",
    "{errors} errors; left out (to be resent corrected)"),
    "merge.reason.invalid_included": ("有 {errors} 个错误，按 --include-invalid 计入汇总；非数字的格子按 0 计",
    "{errors} errors; included because of --include-invalid; non-numbers count as 0"),
    "merge.reason.older": ("同一单位另有较新的文件 {newer}，本文件未计入（按文件记录的保存时间判断新旧，没有时按文件修改时间）",
    "the same unit sent a newer file {newer}; this one left out (newer by the saved time in the file, else its modification time)"),
    "merge.reason.newest": ("同一单位共 {count} 个文件，按保存时间（没有时按文件修改时间）取最新的这一个",
    "the unit sent {count} files; this, the newest by saved time (else modification time), is used"),
    "merge.reason.not_listed": ("单位不在单位名单中", "the unit is not on the units list"),
    "merge.reason.name_in_file": ("表内单位名称为“{name}”", "the file names the unit “{name}”"),
    "merge.reason.missing": ("单位名单中的单位，未收到能读取的报表（无法读取的文件见上面各行）",
    "on the units list; no readable return received (unreadable files are listed above)"),
    "merge.reason.own_summary": ("本级的汇总表（汇总单位与本次 --unit 相同），未计入，以免重复计算",
    "this office's own summary (its unit is this --unit); left out so nothing counts twice"),
    "merge.reason.no_unit": ("单位名称未填写", "the unit name is blank"),
    "merge.duplicates": ("单位“{unit}”有 {count} 个文件：{paths}", "unit {unit} sent {count} files: {paths}"),
    "merge.duplicates_refused": ("有单位重复报送，按 --on-duplicate error 未生成汇总表",
    "some units sent more than one file; no summary written (--on-duplicate error)"),
    "merge.role.summary": ("汇总表", "summary"),
    "merge.role.return": ("报表", "return"),
    "merge.office_missing": ("--unit 汇总单位名称不能为空", "--unit, the collecting office, must not be blank"),
    "merge.written": ("已写入汇总表 {path}：计入 {included} 个单位", "summary written to {path}: {included} units included"),
    "merge.left_out": ("未计入：{path}（{unit}）—— {reason}", "left out: {path} ({unit}) — {reason}"),
    "merge.marked": ("有错误但已计入：{path}（{unit}）—— {reason}", "included despite errors: {path} ({unit}) — {reason}"),
    "merge.untouched": ("已计入，但像是原样报回的空白模板（所有数字为 0）：{path}（{unit}），请向该单位核实",
                            "included, but it looks like the blank template sent back unchanged (every figure 0): {path} ({unit}); please check with the unit"),
    "merge.hint_include_invalid": ("有错误的报表也要计入时，加 --include-invalid（报送情况中会注明）",
                                  "to include the returns with errors all the same, add --include-invalid (报送情况 marks them)"),
    "merge.totals": ("共 {files} 个输入文件：计入 {included}，未计入 {left_out}；名单中未报送 {missing_units}",
                     "{files} input files: {included} included, {left_out} left out; {missing_units} listed units sent nothing"),
    "merge.reason.untouched": ("像是原样退回的空白模板（所有数字为 0，填报人等联系信息空着）；计入时按 0 相加，请向该单位核实",
                               "looks like the blank template sent back untouched (every figure 0, contact fields blank); it adds zeros: ask the unit"),
    "merge.reason.group_one_row": ("“{label}”只公布了合并的一行，没有子项，汇总表无法按子项相加，未计入（请该单位按子项报送）",
                                   "“{label}” is given as one row without its sub-rows; the summary adds sub-rows, so it is not included (ask the unit for them)"),
    "merge.reason.year_unread": ("报告年度未填写或不是四位数字年份（读到“{found}”），未计入",
                                 "the report year is blank or not a 4-digit year (read “{found}”); left out"),
    "merge.reason.overlap": ("这是汇总表，其中已包含{units}，这些单位的报表（或包含它们的另一张汇总表）也在本次汇总中；为免重复计算，本汇总表未计入",
                             "a summary that already includes {units}, whose returns (or another summary including them) are also in this merge; left out so that nothing counts twice"),
    "merge.unlisted": ("已计入，但单位不在应报送单位名单中：{path}（{unit}），请核对是否为名单遗漏或重复计算",
                           "included, but the unit is not on the units list: {path} ({unit}); check whether the list lacks it or it counts twice"),
    # --- export: gkxl export
    "export.other_format": ("格式为 {found}，与导出格式 {expected} 不同，数值未导出",
    "format {found} differs from the export's {expected}; values not exported"),
    "export.progress": ("读取", "reading"),
    "export.written": ("已导出 {records} 份报表到 {path}", "exported {records} returns to {path}"),
    # --- template: gkxl template
    "template.year_range": ("年度 {year} 不在本格式适用的 {lo}–{hi} 之间", "year {year} is outside {lo}–{hi} for this format"),
    "template.written": ("已生成 {path}", "written {path}"),
    "template.batch_done": ("已为 {count} 个单位生成模板，清单见 {path}", "wrote templates for {count} units; list in {path}"),
    "template.zip_done": ("已为 {count} 个单位生成模板，打包为 {path}（内含模板清单.csv）",
                          "wrote templates for {count} units into {path} (with 模板清单.csv)"),
    "template.out_dir_needed": ("使用 --units 时，-o 应为文件夹", "with --units, -o must be a folder"),
    "template.bad_unit_code": ("--unit-code 不对：{reason}", "--unit-code is wrong: {reason}"),
    "template.progress": ("生成模板", "writing"),
    # --- units: units lists
    "units.missing_column": ("单位名单 {path} 缺少“单位名称”列（第一行应为表头）",
                                      "units list {path} has no column 单位名称 (the first row must be the header)"),
    "units.too_big": ("单位名单 {path} 超过 {mb} MB，不像一份单位名单（几千个单位的名单只有几十 KB）",
                      "units list {path} is over {mb} MB: not a units list (thousands of units take tens of KB)"),
    "units.too_many": ("单位名单 {path} 有 {count} 行，超过上限 {most} 个单位", "units list {path} has {count} rows, more than {most} units"),
    "units.empty": ("单位名单 {path} 里没有单位", "units list {path} has no units"),
    "units.unreadable": ("单位名单 {path} 无法读取：{detail}", "cannot read units list {path}: {detail}"),
    "units.duplicate": ("单位名单第 {line} 行“{unit}”与第 {first} 行重复，已跳过",
                                 "units list line {line}: {unit} repeats line {first}; skipped"),
    "units.bad_code_kept": ("单位名单 {path} {line}；这个单位已按没有单位代码处理（模板里不锁定代码），请改正名单",
                            "units list {path}, {line}; the unit is taken without a code (none locked into its template): correct the list"),
    "units.bad_code_line": ("第 {line} 行“{unit}”：{reason}", "line {line} {unit}: {reason}"),
    # --- render: gkxl render
    "render.unknown_target": ("不支持的输出格式 {to}（可选 md、html、docx、pdf）", "unknown output format {to} (md, html, docx or pdf)"),
    "render.no_docx": ("生成 Word 文档需要 python-docx：pip install python-docx",
    "writing DOCX needs python-docx: pip install python-docx"),
    "render.written": ("已生成 {path}", "written {path}"),
    "render.no_soffice": ("生成 PDF 需要 LibreOffice（soffice），本机未找到。请安装 LibreOffice，或先生成 Word 文档（--to docx）再另存为 PDF",
    "writing PDF needs LibreOffice (soffice), which was not found; install LibreOffice, or write DOCX (--to docx) and save it as PDF"),
    "render.pdf_failed": ("LibreOffice 未能生成 PDF：{detail}", "LibreOffice did not write the PDF: {detail}"),
    "render.pdf_timeout": ("LibreOffice 生成 PDF 超过 {seconds} 秒未完成，已停止", "LibreOffice took more than {seconds} s to write the PDF; stopped"),
    # --- published: gkxl parse and render
    "published.written": ("已写入 {path}", "written {path}"),
    "published.bad_output": ("输出文件应以 {allowed} 结尾：{path}", "the output must end in {allowed}: {path}"),
    "published.bad_target": ("无法从 {path} 判断输出格式，请用 --to 指定 md、html、docx 或 pdf",
    "cannot tell the output format from {path}; use --to md, html, docx or pdf"),
    "published.summary": ("{path}：{errors} 个错误，{warnings} 个警告，{infos} 个提示",
    "{path}: {errors} errors, {warnings} warnings, {infos} notes"),
    # --- cli: the command line
    "cli.internal": ("gkxl 内部出错（{kind}：{detail}）。这是 gkxl 的问题，不是您的文件的问题；请在命令最前面加 --debug 重新运行（gkxl --debug …），把显示的全部内容和所用文件发给 gkxl 维护者",
                     "gkxl failed internally ({kind}: {detail}). This is a bug of gkxl, not of your files; run the command again with --debug first (gkxl --debug …) and send everything it prints, with the files used, to the maintainers"),
    "cli.usage": ("用法错误：{detail}（gkxl {command} --help 查看用法）", "usage error: {detail} (see gkxl {command} --help)"),
    "cli.usage.missing": ("缺少{what} {name}", "missing {what} {name}"),
    "cli.usage.bad_value": ("{name} 的值“{value}”不对", "invalid value “{value}” for {name}"),
    "cli.usage.no_option": ("没有这个选项：{name}", "no such option: {name}"),
    "cli.usage.no_command": ("没有这个命令：{name}", "no such command: {name}"),
    "cli.usage.argument": ("参数", "argument"),
    "cli.usage.option": ("选项", "option"),
    "cli.done_files": ("已写入 {path}", "written {path}"),
    "cli.annotated": ("已写入标注副本 {path}", "annotated copy written: {path}"),
    "cli.annotate_failed": ("{path} 无法生成标注副本：{reason}", "could not annotate {path}: {reason}"),
}
MESSAGES.update(DESK_COPY)          # the desk's page copy, in its own file




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
        return printable((en if lang == "en" else zh).format(**params))
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
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return show(value)          # every number a person reads, one way
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
