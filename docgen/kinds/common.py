"""Payload parts shared by the document types: applicant, unit, 公示 period, and context helpers."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError

from docgen import rules
from docgen.profiles import Profile
from docgen.rules import hygiene
from docgen.rules.types import Date, Ethnicity, Gender, IdNumber, Level, PoliticalStatus, Uscc

# maxLength of the free-text fields: what their place in the layouts holds (a GB/T 9704 line is 28
# characters; the 评审表 and roster cells are narrower). The schema and the 422 state these numbers.
NAME_MAX = 20       # 姓名: a Uyghur name with “·” runs to ~15 characters
SHORT_MAX = 15      # 系列, 专业, 职务, 学历, 学位: names, not prose (少数民族语文翻译 is 8)
UNIT_MAX = 50       # 单位名称: under two lines of a letter
WORK_UNIT_MAX = 60  # 工作单位: two lines of the 评审表's cell
TEXT_MAX = 30       # office, phone, the short facts of a sentence


def limited(max_length: int, *, required: bool = False, paragraphs: bool = False) -> Any:
    """Return a stripped text type of at most `max_length` characters (at least one when required): one line,
    or, with `paragraphs`, paragraphs separated by line breaks (a review, an opinion: printed one a paragraph)."""
    length = StringConstraints(strip_whitespace=True, min_length=1 if required else None, max_length=max_length)
    return Annotated[str, length] if paragraphs else Annotated[str, length, AfterValidator(_one_line)]


def _one_line(text: str) -> str:
    """Refuse a line break inside a one-line field (U+2028 printed a name on two lines)."""
    reason = hygiene.line_break(text)
    if reason:
        raise PydanticCustomError("one_line", reason)
    return text


if TYPE_CHECKING:   # to mypy these are strings; pydantic reads the constraints made below
    Name: TypeAlias = str
    OptionalName: TypeAlias = str
    Short: TypeAlias = str
    ShortFilled: TypeAlias = str
    UnitName: TypeAlias = str
    WorkUnit: TypeAlias = str
    WorkUnitFilled: TypeAlias = str
    Text: TypeAlias = str
    Filled: TypeAlias = str
else:
    Name = limited(NAME_MAX, required=True)
    OptionalName = limited(NAME_MAX)
    Short = limited(SHORT_MAX)
    ShortFilled = limited(SHORT_MAX, required=True)
    UnitName = limited(UNIT_MAX, required=True)
    WorkUnit = limited(WORK_UNIT_MAX)
    WorkUnitFilled = limited(WORK_UNIT_MAX, required=True)
    Text = limited(TEXT_MAX)
    Filled = limited(TEXT_MAX, required=True)   # required text

# rules a client cannot read from the types, said where the fields are described (OpenAPI, JSON Schema)
ID_RULE = "18 位，含校验位（GB 11643，末位 X 可小写），出生日期须有效；须与性别、出生日期一致"
GENDER_RULE = "男或女；须与身份证号码第17位一致（奇数为男，偶数为女）"
BIRTH_RULE = "YYYY-MM-DD；须与身份证号码中的出生日期一致"
NOTICE_RULE = ("YYYY-MM-DD，不早于开始日期；公示期不少于5个工作日，按国家和自治区放假安排计算"
               "（含调休上班日、肉孜节、古尔邦节），且不超过60天")

BLANK = "__________"        # where a person writes by hand
# a blank is half an em an underscore (gbt9704.css .blank): 15 are 42 mm at 3号, room for a name written by
# hand; 22 are 62 mm, 18 digits of 3.5 mm (issue 21 point 9: 28 mm was too short for either)
NAME_BLANK = "_" * 15
ID_BLANK = "_" * 22
DATE_BLANK = "　　年　　月　　日"


class Payload(BaseModel):
    """Base of every payload: unknown keys are errors (a typo must not silently print 无)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    profile: str | None = Field(None, title="地区配置", examples=["bazhou-2024"],
                                description="地区配置编号（见 GET /v1/profiles），决定措辞、禁报年限、评审表份数、"
                                            "附件序号；查询参数 profile 优先；缺省为 xinjiang")
    date: Date | None = Field(None, title="成文日期",
                                 description="成文日期（YYYY-MM-DD），印为“2024年8月28日”；缺省时留空待手写")


class Applicant(BaseModel):
    """申报人: only the name is always required; document types require more where they print it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name = Field(title="姓名", examples=["阿不都热合曼·买买提"])
    gender: Gender | None = Field(None, title="性别", description=GENDER_RULE)
    ethnicity: Ethnicity | None = Field(None, title="族别")
    political_status: PoliticalStatus | None = Field(None, title="政治面貌")
    id_number: IdNumber | None = Field(None, title="身份证号码", description=ID_RULE)
    birth_date: Date | None = Field(None, title="出生日期", description=BIRTH_RULE)
    current_title: Short | None = Field(None, title="现任专业技术职务", examples=["助理工程师"])
    current_title_date: Date | None = Field(None, title="获现任专业技术职务时间")
    target_title: Short | None = Field(None, title="拟申报专业技术职务", examples=["工程师"])
    series: Short | None = Field(None, title="系列", examples=["工程"])
    specialty: Short | None = Field(None, title="专业", examples=["电力工程"])
    level: Level | None = Field(None, title="级别")
    work_unit: WorkUnit | None = Field(None, title="工作单位")

    @model_validator(mode="after")
    def _matches_id_number(self) -> Applicant:
        """Reject a gender or birth date that contradicts the ID number (GB 11643)."""
        if self.id_number:
            info = rules.parse_id_number(self.id_number)
            if self.gender and self.gender != info.gender:
                raise PydanticCustomError(
                    "id_mismatch", "性别“{gender}”与身份证号码不符（号码第17位表示{expected}），请核对性别或号码",
                    {"gender": self.gender, "expected": info.gender, "field": "gender"})
            if self.birth_date and self.birth_date != info.birth_date:
                raise PydanticCustomError(
                    "id_mismatch", "出生日期与身份证号码不符（号码中为{expected}），请核对",
                    {"expected": rules.cn_date(info.birth_date), "field": "birth_date"})
        return self


class IdentifiedApplicant(Applicant):
    """申报人 as a notice or a recommendation describes them: everything 基本信息 prints is required."""

    gender: Gender = Field(title="性别", description=GENDER_RULE)
    ethnicity: Ethnicity = Field(title="族别")
    political_status: PoliticalStatus = Field(title="政治面貌")
    id_number: IdNumber = Field(title="身份证号码",
                                description=ID_RULE + "；公示中按地区配置遮盖中间8位")
    current_title: ShortFilled = Field(title="现任专业技术职务", examples=["助理研究员"])
    series: ShortFilled = Field(title="系列", examples=["自然科学研究"])
    specialty: ShortFilled = Field(title="专业", examples=["农业科学"])
    level: Level = Field(title="级别")


class Unit(BaseModel):
    """推荐单位 / 工作单位."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: UnitName = Field(title="单位名称", examples=["巴音郭楞蒙古自治州农业科学研究所"])
    uscc: Uscc | None = Field(None, title="统一社会信用代码",
                              description="18 位，含校验码（GB 32100），字母不用 I、O、Z、S、V")
    office: Text | None = Field(None, title="受理异议的办公室", examples=["人事科"])
    phone: Text | None = Field(None, title="监督电话", examples=["0996-2024393"])
    leader: OptionalName | None = Field(None, title="单位负责人")


class Notice(BaseModel):
    """公示期: at least 5 working days (seed 000 五(二), 002 四(二)); end_date computed when omitted."""

    model_config = ConfigDict(extra="forbid")

    start_date: Date = Field(title="公示开始日期", description="YYYY-MM-DD")
    end_date: Date | None = Field(None, title="公示结束日期",
                                     description=NOTICE_RULE + "；缺省时取满5个工作日的最早日期")
    days: int | None = Field(None, title="公示天数", ge=1, le=60,
                             description="公示结果中写明的天数；给出时须与起止日期相符（按地区配置为日历天数或工作日）")

    _workdays: int = PrivateAttr(0)

    @model_validator(mode="after")
    def _long_enough(self, info: ValidationInfo) -> Notice:
        """Check the period against the official calendar; note years no calendar data covers."""
        calendar, warnings = _calendar_and_warnings(info)
        if self.end_date is None:
            self.end_date, uncovered = calendar.earliest_end(self.start_date, MIN_NOTICE_WORKDAYS)
        else:
            if self.end_date < self.start_date:
                raise PydanticCustomError("notice_order", "公示结束日期早于开始日期，请核对")
            if (self.end_date - self.start_date).days >= MAX_NOTICE_DAYS:  # before counting: years cost seconds
                raise PydanticCustomError("notice_too_long", "公示期超过{days}天，请核对起止日期",
                                          {"days": MAX_NOTICE_DAYS, "field": "end_date"})
            uncovered = calendar.count(self.start_date, self.end_date).uncovered_years
        counted = calendar.count(self.start_date, self.end_date)
        self._workdays = counted.days
        for year in uncovered:
            warnings.append(f"{year}年的法定节假日安排尚无数据，公示期只扣除了周末，请人工核对")
        for festival in counted.regional_missing:
            when = f"（据伊斯兰历推算约在{rules.cn_date(festival.estimate)}）" if festival.estimate else ""
            warnings.append(f"{festival.year}年新疆{festival.name}{when}的放假日期尚未录入，"
                            f"公示期可能多计了工作日，请对照自治区放假通知人工核对")
        if counted.days < MIN_NOTICE_WORKDAYS:
            earliest, _ = calendar.earliest_end(self.start_date, MIN_NOTICE_WORKDAYS)
            raise PydanticCustomError(
                "notice_too_short",
                "公示期只有{days}个工作日，不少于5个工作日；从{start}开始最早到{earliest}结束",
                {"days": counted.days, "start": rules.cn_date(self.start_date), "earliest": rules.cn_date(earliest)})
        return self

    @property
    def workdays(self) -> int:
        return self._workdays

    @property
    def last_day(self) -> dt.date:
        """Return the end date, given or computed (set by the validation above)."""
        assert self.end_date is not None
        return self.end_date

    @property
    def calendar_days(self) -> int:
        return (self.last_day - self.start_date).days + 1


MIN_NOTICE_WORKDAYS = 5
MAX_NOTICE_DAYS = 60        # as 公示天数 (days) allows


def _calendar_and_warnings(info: ValidationInfo) -> tuple[Any, list[str]]:
    context = info.context or {}
    return context.get("calendar") or rules.default_calendar(), context.setdefault("warnings", [])


def fill(template: str | list[str], values: dict[str, Any]) -> Any:
    """Fill a profile's wording with the document's values (lists are filled item by item)."""
    if isinstance(template, list):
        return [fill(t, values) for t in template]
    return template.format_map(values)


def applicant_values(applicant: Applicant, profile: Profile, *, public: bool = False) -> dict[str, str]:
    """Return the applicant's printable values, 无 for what is empty, the ID masked on public documents."""
    id_number = applicant.id_number
    if id_number and public and profile.mask_id_in_public:
        id_number = rules.mask_id_number(id_number)
    data = applicant.model_dump()
    data["id_number"] = id_number
    out = {key: rules.or_none(rules.cn_date(v) if isinstance(v, dt.date) else v) for key, v in data.items()}
    return out


def signoff_date(value: dt.date | None) -> str:
    """Print the 成文日期, or a blank to fill by hand."""
    return rules.cn_date(value) if value else DATE_BLANK


# the seeds' blank forms leave the level to write as ×（高、中、初）级 (seed 000 附件1/2, 002 附件1, 003 附件1/2)
LEVEL_BLANK = "___（高、中、初）级"


def dated_before_notice_end(date: dt.date | None, notice: Notice, document: str) -> list[dict[str, str]]:
    """Return the errors, at both fields, of a `document` dated before the last day of the 公示 it reports on."""
    if date is None or date >= notice.last_day:
        return []
    when, end = rules.cn_date(date), rules.cn_date(notice.last_day)
    return [{"pointer": "/date", "detail": f"成文日期{when}早于公示结束日期{end}：公示期满后才能出具{document}，"
                                           "请核对成文日期或公示期"},
            {"pointer": "/notice/end_date", "detail": f"公示结束日期{end}晚于成文日期{when}：{document}写明公示期间"
                                                      "无异议，须在公示期满后出具，请核对公示期或成文日期"}]
