"""Fonts: the official face names resolve to our free fonts; rare name characters get real glyphs."""
from __future__ import annotations

import io
import shutil
import subprocess

import pdfplumber
import pytest
from fontTools.ttLib import TTFont

from docgen.documents import sample
from docgen.render import fonts

RARE = "䶮𠈌喆赟堃犇珺玥昇"


def _letter(renderer, name):
    """Render a one-page letter that prints the applicant's name in its 仿宋 body (廉政情况证明)."""
    payload = sample("integrity-certificate")
    payload["applicant"]["name"] = name
    return renderer.render("integrity-certificate", payload, "pdf").content


@pytest.mark.parametrize("face,family", [("仿宋_GB2312", "FandolFang"), ("方正小标宋简体", "FandolSong"),
                                         ("黑体", "FandolHei"), ("楷体_GB2312", "LXGW WenKai"),
                                         ("宋体", "FandolSong")])
def test_official_faces_resolve(renderer, face, family):
    fonts.use_fonts_dir(renderer.fonts_dir)
    assert fonts.resolve(face) == family


def test_rare_characters_and_uyghur_names_have_glyphs(renderer):
    name = f"{RARE}·阿不都热合曼·买买提"
    with pdfplumber.open(io.BytesIO(_letter(renderer, name))) as pdf:
        chars = pdf.pages[0].chars
    text = "".join(c["text"] for c in chars)
    assert name in text
    by_char = {c["text"]: c["fontname"] for c in chars}
    for ch in RARE:
        # FandolFang lacks these: a glyph from Noto proves the per-character fallback (no tofu box)
        assert "Noto" in by_char[ch], (ch, by_char[ch])
    assert "Fandol" in by_char["阿"]


def test_licensed_font_in_fonts_dir_wins(tmp_path):
    """A font whose family is the official name, dropped into fonts/, is chosen over the free mapping."""
    source = subprocess.run(["fc-match", "-f", "%{file}", "LXGW WenKai"], capture_output=True, text=True).stdout
    font = TTFont(source)
    font["name"].removeNames(platformID=1)  # Mac Roman records cannot hold Chinese
    for name_id in (1, 4, 16):
        font["name"].setName("方正小标宋简体", name_id, 3, 1, 0x409)
    font.save(tmp_path / "licensed.ttf")
    shutil.copy(fonts.__file__.replace("docgen/render/fonts.py", "fonts/fonts.conf"), tmp_path / "fonts.conf")
    env = {"FONTCONFIG_FILE": str(tmp_path / "fonts.conf"), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(["fc-match", "-f", "%{file}", "方正小标宋简体"], capture_output=True, text=True, env=env)
    assert out.stdout == str(tmp_path / "licensed.ttf")
    # the title asks for the regular face: the licensed one is neither emboldened nor weighted bold (GB/T 9704)
    out = subprocess.run(["fc-match", "-f", "%{weight} %{embolden}", "方正小标宋简体:weight=regular"],
                         capture_output=True, text=True, env=env)
    assert out.stdout.split()[0] == "80" and "True" not in out.stdout, out.stdout


def test_title_is_the_regular_face_the_free_fallback_its_bold(renderer):
    """Titles ask for 方正小标宋简体 unbolded (issue 21 point 10); FandolSong's Regular is far lighter than 小标宋,
    so the free fallback is its Bold (WeasyPrint) or made bold (LibreOffice reads the weight fonts.conf gives)."""
    from docx import Document

    fonts.use_fonts_dir(renderer.fonts_dir)
    env = {"FONTCONFIG_FILE": str(fonts.fonts_conf()), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(["fc-match", "-f", "%{file} %{weight}", "方正小标宋简体:weight=regular"],
                         capture_output=True, text=True, env=env).stdout
    assert out.split()[0].endswith("FandolSong-Bold.otf") and out.split()[1] == "200", out
    for slug in ("commitment", "evaluation-form", "roster"):
        style = Document(io.BytesIO(renderer.render(slug, sample(slug), "docx").content)).styles["DocTitle"]
        assert not style.font.bold, slug
    with pdfplumber.open(io.BytesIO(_letter(renderer, "王䶮"))) as pdf:
        title = [c for c in pdf.pages[0].chars if c["size"] > 20]
        assert title and all("FandolSong" in c["fontname"] for c in title)


def test_measurer_reads_the_configured_fonts_dir(tmp_path):
    """FONTS_DIR decides which file the text measurer reads: here 仿宋_GB2312 mapped to LXGW WenKai."""
    (tmp_path / "fonts.conf").write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        '<alias binding="same"><family>仿宋_GB2312</family><prefer><family>LXGW WenKai</family></prefer></alias>'
        '</fontconfig>', encoding="utf-8")
    before = fonts.fonts_conf()
    try:
        fonts.use_fonts_dir(tmp_path)
        assert "wenkai" in fonts.face("仿宋_GB2312").path.lower()
    finally:
        fonts.use_fonts_dir(before.parent)
    assert "fandolfang" in fonts.face("仿宋_GB2312").path.lower()


def test_measurer_widths_are_the_fonts_own():
    """Advances come from the font file: a CJK character is 1 em, a digit of FandolFang narrower."""
    face = fonts.face("仿宋_GB2312")
    assert face.ems("中文") == pytest.approx(2.0)
    assert 0.3 < face.ems("1") < 0.7
    assert face.width("中", 12) == pytest.approx(12.0)
