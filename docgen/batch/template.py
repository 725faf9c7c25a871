"""The XLSX roster template staff fill in Excel or WPS: Chinese headers, drop-down lists, input hints and an
example row; docgen.batch.xlsx reads it back (the example row is skipped)."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from docgen.batch.xlsx import EXAMPLE_MARK
from docgen.rules import vocab

UNIT_LINE = "单位（盖章）："
# (header as read back by docgen.batch.xlsx.HEADERS, width, choices, input hint, example)
COLUMNS: tuple[tuple[str, int, tuple[str, ...] | None, str, str], ...] = (
    ("序号", 6, None, "从1起编号；“示例”行不会生成文书，可删除", EXAMPLE_MARK),
    ("姓名", 12, None, "与身份证一致，少数民族姓名中间用“·”", "阿不都热合曼·买买提"),
    ("性别", 6, vocab.GENDERS, "从下拉列表选择", "男"),
    ("民族", 10, vocab.ETHNICITIES + vocab.OTHER_ETHNICITIES, "从下拉列表选择", "维吾尔族"),
    ("政治面貌", 12, vocab.POLITICAL_STATUSES, "从下拉列表选择", "中共党员"),
    ("身份证号码", 21, None, "18位，末位可为X；本列为文本格式，请勿改为数字", "652801199003152311"),
    ("现任专业技术职务", 16, None, "如：助理工程师；无则留空", "研究实习员"),
    ("获现任专业技术职务时间", 14, None, "如：2019-08-01 或 2019年8月", "2019-08-01"),
    ("拟申报专业技术职务", 16, None, "如：工程师", "助理研究员"),
    ("系列", 14, None, "如：工程、自然科学研究", "自然科学研究"),
    ("专业", 12, None, "如：农业科学", "农业科学"),
    ("级别", 8, vocab.LEVELS, "从下拉列表选择", "中级"),
    ("工作单位", 28, None, "缺省为本单位", ""),
    ("申报途径", 10, vocab.ROUTES, "从下拉列表选择：初定、授予或评审", "评审"),
    ("是否通过", 8, ("是", "否"), "评审结果，未评审时留空", ""),
    ("备注", 16, None, "无则留空", ""),
    ("思想政治条件", 30, None, "生成推荐单位公示时必填：思想政治表现、职业操守和从业行为",
     "拥护党的路线方针政策，遵纪守法，具有良好的职业道德。"),
    ("业绩成果", 40, None, "生成推荐单位公示时必填：近年来的业绩成果及本人的实际贡献",
     "主持完成自治区级科研项目1项，发表论文2篇。"),
)
ROWS = 500   # rows prepared with the drop-downs


def build(unit: str = "") -> bytes:
    """Return the template as XLSX bytes."""
    book = Workbook()
    sheet = book.active
    sheet.title = "花名册"
    choices = book.create_sheet("选项")
    choices.sheet_state = "hidden"
    sheet.append(["职称申报人员花名册"])
    sheet["A1"].font = Font(size=16, bold=True)
    sheet.append([UNIT_LINE + unit])
    sheet.append([header for header, *_ in COLUMNS])
    sheet.append([example for *_, example in COLUMNS])
    first, last = 4, 3 + ROWS
    gray = PatternFill("solid", fgColor="EEEEEE")
    for col, (header, width, values, hint, _) in enumerate(COLUMNS, start=1):
        letter = get_column_letter(col)
        sheet.column_dimensions[letter].width = width
        head = sheet.cell(row=3, column=col)
        head.font, head.alignment = Font(bold=True), Alignment(horizontal="center", wrap_text=True)
        sheet.cell(row=4, column=col).fill = gray
        if header in ("身份证号码", "获现任专业技术职务时间"):
            for row in range(first, last + 1):   # text: Excel would turn an ID number into 6.528E+17
                sheet.cell(row=row, column=col).number_format = "@"
        if values:
            choices.cell(row=1, column=col, value=header)
            for i, value in enumerate(values, start=2):
                choices.cell(row=i, column=col, value=value)
            rule = DataValidation(type="list", formula1=f"=选项!${letter}$2:${letter}${len(values) + 1}",
                                  allow_blank=True, showErrorMessage=True, errorTitle=header,
                                  error=f"请从下拉列表选择{header}")
        else:
            rule = DataValidation(allow_blank=True)
        rule.promptTitle, rule.prompt, rule.showInputMessage = header, hint, True
        rule.add(f"{letter}{first}:{letter}{last}")
        sheet.add_data_validation(rule)
    sheet.freeze_panes = "C4"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
