"""A DOCX finished in its package: only the parts that change are written, and the package stays whole (every
relationship's target there, every part typed, each drawing its own id), as Word opens it without a repair."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from posixpath import dirname, join, normpath
from urllib.parse import urlparse

import pytest
from lxml import etree

from docgen.documents import Credentials, Marks, Renderer, sample
from docgen.render import finish, qr, seal
from tests.helpers import libreoffice_to_pdf, pdf_pages_text
from tests.render.credentials import seal_png

URL = qr.verify_url("https://docgen.example.gov.cn", "0123456789abcdef0123456789abcdef", "key")
CHANGED = {"[Content_Types].xml", "word/document.xml", "word/_rels/document.xml.rels"}


def _parts(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        return {name: package.read(name) for name in package.namelist()}


@pytest.fixture(scope="module")
def sealing():
    return Renderer(credentials=Credentials(seal=seal.load(seal_png())))


@pytest.mark.parametrize("stamps", [
    finish.Finish("d1", verify_url=URL),
    finish.Finish("d2", watermark="新疆专业技术人员职称评审专用", verify_url=URL, copies=3, copy_pages=1),
    finish.Finish("d3", watermark="预览稿", watermark_note="未出具", copies=2, copy_pages=2),
])
def test_only_the_parts_that_change_are_written(renderer, stamps):
    plain = renderer.render("commitment", sample("commitment"), "docx").content   # no marks of its own
    before, after = _parts(plain), _parts(finish.docx(plain, stamps))
    assert {name: data for name, data in after.items() if name in before and name not in CHANGED} == \
        {name: data for name, data in before.items() if name not in CHANGED}
    added = set(after) - set(before)
    headers = {name for name in added if re.fullmatch(r"word/header\d+\.xml", name)}
    assert len(headers) == 3 * stamps.copies                      # default, even and first page of each copy
    pictures = {name for name in added if name.startswith("word/media/")}
    assert len(pictures) == bool(stamps.verify_url) + (stamps.copies if stamps.copies > 1 else 0)   # each once


def _whole(content: bytes) -> None:
    """Assert every relationship's target is in the package, every part has a content type, drawings have unique
    ids and each section has its own default, even and first-page header."""
    parts = _parts(content)
    types = etree.fromstring(parts["[Content_Types].xml"])
    defaults = {el.get("Extension") for el in types if el.tag.endswith("Default")}
    overrides = {el.get("PartName") for el in types if el.tag.endswith("Override")}
    for name in parts:
        assert "/" + name in overrides or name.rsplit(".", 1)[-1] in defaults, name
    for name, data in parts.items():
        if name.endswith(".rels"):
            source = dirname(dirname(name))
            for rel in etree.fromstring(data):
                if rel.get("TargetMode") != "External":
                    target = normpath(join(source, rel.get("Target"))).lstrip("/")
                    assert target in parts, (name, rel.get("Target"))
    drawings = [i for name, data in parts.items() if re.fullmatch(r"word/(document|header\d+|footer\d+)\.xml", name)
                for i in re.findall(rb'<wp:docPr id="(\d+)"', data)]
    assert len(drawings) == len(set(drawings))
    for section in re.findall(rb"<w:sectPr[ >].*?</w:sectPr>", parts["word/document.xml"], re.DOTALL):
        assert sorted(re.findall(rb'<w:headerReference w:type="(\w+)"', section)) == [b"default", b"even", b"first"]


def test_letter_with_its_code_is_a_whole_package(renderer):
    _whole(renderer.render("public-notice", sample("public-notice"), "docx").content)


def test_form_copies_with_photo_and_seals_are_a_whole_package(sealing):
    content = sealing.render("evaluation-form", sample("evaluation-form"), "docx", copies=3,
                             marks=Marks(seal=True)).content
    _whole(content)
    document = _parts(content)["word/document.xml"].decode()
    assert document.count("<w:sectPr") == 3
    assert document.count('r:embed="') == 3 + 3 * 2             # the photo a copy, the 骑缝章's 2 strips a copy


def test_a_seal_alone_adds_no_headers(sealing):
    content = sealing.render("integrity-certificate", sample("integrity-certificate"), "docx",
                             marks=Marks(seal=True, qr=False)).content
    parts = _parts(content)
    assert not [name for name in parts if "header" in name]
    assert parts["word/document.xml"].count(b'behindDoc="1"') == 1   # the seal, behind the 成文日期


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("zbarimg") and shutil.which("pdftoppm")),
                    reason="LibreOffice, zbarimg or pdftoppm not installed")
def test_code_in_the_docx_scans_in_libreoffices_render(renderer, tmp_path):
    rendered = renderer.render("integrity-certificate", sample("integrity-certificate"), "docx")
    plain = renderer.render("integrity-certificate", sample("integrity-certificate"), "docx", marks=Marks(qr=False))
    (tmp_path / "coded.docx").write_bytes(rendered.content)
    (tmp_path / "plain.docx").write_bytes(plain.content)
    libreoffice_to_pdf([tmp_path / "coded.docx", tmp_path / "plain.docx"], tmp_path)
    coded = (tmp_path / "coded.pdf").read_bytes()
    assert pdf_pages_text(coded, folios=True) == pdf_pages_text((tmp_path / "plain.pdf").read_bytes(), folios=True)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(tmp_path / "coded.pdf"), str(tmp_path / "page")], check=True)
    out = subprocess.run(["zbarimg", "-q", "--raw", *map(str, sorted(tmp_path.glob("page*.png")))],
                         capture_output=True, text=True)
    assert [urlparse(line).path for line in out.stdout.split()] == [f"/v1/verify/{rendered.document_id}"]
