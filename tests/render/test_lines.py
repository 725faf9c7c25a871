"""docgen/render/lines.py: a letter's lines, property-tested (禁则, nothing kept whole split, nothing over 28 字)."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docgen.kinds import roster
from docgen.render import lines

HAN = "阿不都热合曼买提古丽娜尔吐逊依汗明江克木艾力努兰哈别拉米"
WORDS = ("根据自治区职称评审工作的要求，现对", "同志申报自然科学研究系列农业科学专业中级专业技术任职资格进行公示。",
         "身份证号码：", "（公章）", "于", "起至", "日止（公示期不少于5个工作日）。", "统一社会信用代码", "，", "；",
         "《", "》", "所在单位：", "签字：", "______", "现任助理馆员", "“", "”", "、")
DATES = st.builds(lambda y, m, d: f"{y}年{m}月{d}日", st.integers(2000, 2030), st.integers(1, 12), st.integers(1, 31))
IDS = st.just("65290119910614032") .map(lambda s: s + "7") | st.just("652801********2312")
USCC = st.just("12652800MB1234567X")


@st.composite
def names(draw: st.DrawFn) -> str:
    """Return a name of 18–20 characters with “·” at any position inside."""
    length = draw(st.integers(18, 20))
    chars = draw(st.lists(st.sampled_from(HAN), min_size=length - 1, max_size=length - 1))
    dot = draw(st.integers(1, length - 2))
    return "".join(chars[:dot]) + "·" + "".join(chars[dot:])


@st.composite
def paragraphs(draw: st.DrawFn) -> tuple[str, str, list[str]]:
    """Return (text, the name, the tokens kept whole that it holds)."""
    name = draw(names())
    kept = draw(st.lists(DATES | IDS | USCC | st.just(name) | st.sampled_from(lines.LABELS), min_size=1, max_size=8))
    filler = draw(st.lists(st.sampled_from(WORDS), min_size=len(kept), max_size=len(kept)))
    text = "".join(w + k for w, k in zip(filler, kept, strict=True)) + "。"
    return text, name, [k for k in kept if k in text]


@pytest.fixture(scope="module")
def measure() -> lines.Measure:
    return lines.body_measure()


def _check(text: str, name: str, kept: list[str], measure: lines.Measure, broken: list[str]) -> None:
    assert "".join(broken) == text
    for i, line in enumerate(broken):
        room = measure.first_ems if i == 0 else measure.width_ems
        assert measure.ems(line) <= room + 1e-9, (i, line)
        if i:
            assert line[0] not in lines.NO_START, broken
        if i < len(broken) - 1:
            assert line[-1] not in lines.NO_END, broken
    for token in {name, *kept}:
        whole = sum(line.count(token) for line in broken)
        assert whole == text.count(token), (token, broken)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(paragraph=paragraphs())
def test_lines_keep_names_dates_ids_and_labels_whole(measure, paragraph):
    text, name, kept = paragraph
    _check(text, name, kept, measure, lines.break_lines(text, measure, names=[name]))


@settings(max_examples=100, derandomize=True, deadline=None)
@given(paragraph=paragraphs(), label=st.sampled_from(("", "基本信息：", "业绩成果：", "思想政治条件：")))
def test_set_lines_fill_the_measure_in_both_formats(measure, paragraph, label):
    from docgen.render.jinja import DOCX_DRAWN, PDF_DRAWN
    text, name, _ = paragraph
    for drawn in (PDF_DRAWN, DOCX_DRAWN):
        set_ = lines.set_lines(text, drawn, names=[name], label=label)
        assert "".join(line.text for line in set_) == text
        # a line is spread at most 0.15 em a character, and condensed never so far that glyphs touch
        assert all(line.spacing is None or -0.1 * lines.BODY_PT < line.spacing <= lines.MAX_SPACING_PT for line in set_)


def test_a_dot_never_starts_a_line_and_an_opening_bracket_never_ends_one(measure):
    text = "经研究，同意推荐" + "古丽娜尔·吐尔逊" * 6 + "（排名第三）。"
    for first in range(4, 27):
        broken = lines.break_lines(text, lines.Measure(measure.face, 28, first))
        assert not any(line.startswith("·") for line in broken), broken
        assert not any(line.endswith("（") for line in broken[:-1]), broken


def test_a_name_longer_than_a_line_is_broken_by_characters_not_lost(measure):
    name = "阿" * 30
    broken = lines.break_lines(f"兹证明{name}同志。", measure, names=[name])
    assert "".join(broken) == f"兹证明{name}同志。" and len(broken) == 2


def test_a_line_before_something_long_stays_flush_left():
    from docgen.render.jinja import PDF_DRAWN
    name = "阿不都热合曼·买买提明江克力木·艾力"
    set_ = lines.set_lines("申报人同志" + "一" * 12 + name + "。", PDF_DRAWN, names=[name])
    assert [line.text[-1] for line in set_] == ["一", "。"]
    assert set_[0].spacing is None   # 9 characters short: not spread over 16 gaps


def test_underlined_blanks_stay_whole(measure):
    text = "本人" + "，______，身份证号码" * 8
    broken = lines.break_lines(text, measure)
    assert all(len(b) == 6 for line in broken for b in re.findall(r"_+", line))


# --- a table cell's lines (the roster's, lines.wrap): the letters' breaker in a narrow measure

@pytest.fixture(scope="module")
def face():
    return lines.fonts.face(lines.BODY_FACE)


def test_a_transliterated_name_too_long_for_its_cell_breaks_after_its_dots(face):
    assert lines.wrap("阿不都热合曼·买买提", 7, face) == ["阿不都热合曼·", "买买提"]
    assert lines.wrap("热依汗古丽·阿不都热合曼·买买提明江", 7.02, face) == ["热依汗古丽·", "阿不都热合曼·", "买买提明江"]


@pytest.mark.parametrize("width", [3, 4, 5, 6, 7, 8, 9, 10])
def test_a_cell_keeps_kinsoku_after_brackets_and_digits(face, width):
    # measure.wrap, the roster's own breaker before, started lines with “；” after a bracketed group or a digit run
    text = "审定（排名第三）；发表论文3篇，其中中文核心期刊1篇"
    broken = lines.wrap(text, width, face)
    assert "".join(broken) == text
    assert not [line for line in broken[1:] if line[0] in lines.NO_START], broken
    assert all(face.ems(line) <= width + 1e-9 for line in broken), broken


def test_a_date_stays_whole_in_its_cell_and_a_unit_keeps_its_tail(face):
    # the roster's 获现任专业职务时间 column, LibreOffice's gaps between digits and Chinese counted (issue 21.1)
    columns = [c.header for c in roster.GEOMETRY.columns]
    date_ems = roster.GEOMETRY.inner_ems[columns.index("获现任专业职务时间")]
    assert lines.wrap("2018年12月", date_ems, face) == ["2018年12月"]
    assert lines.wrap("若羌县林业和草原局", 8.42, face) == ["若羌县林业", "和草原局"]   # no “局” alone


def test_balanced_lines_are_as_few_but_even(face):
    assert lines.balanced("拟晋升专业技术职务", 6, face) == ["拟晋升专业", "技术职务"]
