"""docgen/render/measure.py: units, widths and line counts (breaking lines: tests/render/test_lines.py)."""
from __future__ import annotations

import pytest

from docgen.render import measure

FACE = "仿宋_GB2312"


@pytest.fixture(scope="module")
def face():
    return measure.face(FACE)


def test_units_agree_with_word_and_the_page():
    assert measure.mm_to_twips(25.4) == 1440                  # an inch
    assert measure.pt_to_mm(72) == pytest.approx(25.4)
    assert measure.mm_to_pt(measure.pt_to_mm(10.5)) == pytest.approx(10.5)
    # GB/T 9704: 28 characters of 3号 would take 158 mm of the 156 mm line (hence the condensed Normal style)
    assert measure.ems_in(156, 16) == pytest.approx(27.64, abs=0.01)
    assert measure.mm_to_twips(1) == 57 and round(measure.TWIPS_PER_MM, 3) == 56.693


def test_line_count_and_the_kinsoku_measure(face):
    assert measure.line_count("一" * 28, 28, face) == 1
    assert measure.line_count("一" * 28, 28, face, indent_em=2) == 2
    assert measure.kinsoku_measure(28.1) == 27      # a full line may lose a character to a held-back “，”
    assert measure.width_mm("一二", FACE, 16) == pytest.approx(2 * 16 * 25.4 / 72)
