"""Domain rules: working days, ID and USCC checks, 无, Chinese dates, 大写金额, vocabularies."""
from docgen.rules.dates import cn_date, cn_date_numerals, cn_datetime, cn_month, cn_number, cn_year_numerals
from docgen.rules.errors import RuleError
from docgen.rules.ids import IdInfo, check_uscc, mask_id_number, parse_id_number
from docgen.rules.money import amount_in_words
from docgen.rules.text import or_none
from docgen.rules.vocab import (
    ETHNICITIES,
    GENDERS,
    LEVELS,
    OTHER_ETHNICITIES,
    POLITICAL_STATUSES,
    ROUTES,
    normalize_ethnicity,
    normalize_gender,
    normalize_level,
    normalize_political_status,
    normalize_route,
)
from docgen.rules.workdays import Festival, WorkCalendar, WorkdayCount, default_calendar, festival_estimates

__all__ = [
    "ETHNICITIES", "GENDERS", "LEVELS", "OTHER_ETHNICITIES", "POLITICAL_STATUSES", "ROUTES",
    "Festival", "IdInfo", "RuleError", "WorkCalendar", "WorkdayCount",
    "amount_in_words", "check_uscc", "cn_date", "cn_date_numerals", "cn_datetime", "cn_month", "cn_number",
    "cn_year_numerals",
    "default_calendar", "festival_estimates", "mask_id_number", "normalize_ethnicity", "normalize_gender", "normalize_level",
    "normalize_political_status", "normalize_route", "or_none", "parse_id_number",
]
