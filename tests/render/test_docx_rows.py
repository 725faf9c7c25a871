"""Table-row loops expanded without docxtpl (docgen/render/docx.py _RowLoop): the same document.xml as
docxtpl's own rendering, for the roster (1 loop) and the 评审表 (several), with text that must be escaped."""
from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from docgen.documents import sample
from docgen.render import docx as docx_render
from docgen.render import pictures

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from roster import payload as roster_payload


def _body(content: bytes) -> bytes:
    xml = zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml")
    return etree.tostring(etree.fromstring(xml), method="c14n")


def _docxtpl_alone(renderer, folder: str, context: dict) -> bytes:
    """Render as before streaming: the whole template through docxtpl."""
    docx = docx_render.renderer(str(renderer.templates_dir))
    doc = docx.template(folder)
    doc.render(pictures.for_docx(context, doc), jinja_env=docx.env, autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _tricky_roster() -> dict:
    data = roster_payload(120)
    data["applicants"][3]["work_unit"] = "A&B <研究所> \"一室\" 'x'"
    data["applicants"][4]["remark"] = "空格  两个　全角"
    return data


def _tricky_form() -> dict:
    data = sample("evaluation-form")
    data["applicant"]["name"] = "张<喆>&赟"
    return data


@pytest.mark.parametrize("slug,make", [("roster", lambda: sample("roster")), ("roster", _tricky_roster),
                                       ("evaluation-form", _tricky_form)])
def test_streamed_rows_equal_docxtpl(renderer, slug, make):
    kind, _, _, context, _ = renderer.prepare(slug, make())
    context = {**context, "document_id": "0" * 32}
    docx = docx_render.renderer(str(renderer.templates_dir))
    assert docx._streamed(kind.slug).loops, "the row loop is streamed"
    assert _body(docx.render(kind.slug, context)) == _body(_docxtpl_alone(renderer, kind.slug, context))
