"""The compiled DOCX templates (docgen/render/docx.py Compiled) make what docxtpl makes: every part of the package
equal (its parsed XML, or its bytes), for every kind's sample and with every field at its limit, unfinished and
finished (copies, watermark, QR code, seals); templates the compiled path does not reproduce go to docxtpl."""
from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from lxml import etree

from docgen.documents import sample
from docgen.kinds import KINDS, Options
from docgen.render import docx as docx_render
from docgen.render import finish, qr, seal
from docgen.render.docx_builder import LINE, RULE_ALLOWANCE
from tests.layout.test_letters_layout import at_limit
from tests.render.credentials import seal_png

URL = qr.verify_url("https://docgen.example.gov.cn", "0123456789abcdef0123456789abcdef", "key")


def _parts(content: bytes) -> dict[str, bytes]:
    """Return a DOCX's parts, XML canonicalised (C14N: attribute order, empty elements and quoting as one)."""
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        return {name: etree.tostring(etree.fromstring(package.read(name)), method="c14n")
                if name.endswith((".xml", ".rels")) else package.read(name) for name in package.namelist()}


def _maximal(slug: str) -> dict:
    """Return a kind's payload with every free-text field at its limit (the letters' layout tests' builder)."""
    data = at_limit(slug, 3)[0]
    if slug == "ce-exemption":
        data["reason"] = data["reason"][:150]            # what always fits beside the form's other fields
    if slug == "work-summary":
        data["paragraphs"] = sample(slug)["paragraphs"]  # 2000–3000 字, not each paragraph at 600
    return data


def _tricky_roster() -> dict:
    """Return a 120-row roster with text to escape, runs of spaces and units long enough to break (\\n)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from roster import payload

    data = payload(120)
    data["applicants"][3]["work_unit"] = "A&B <研究所> \"一室\" 'x'"
    data["applicants"][4]["remark"] = "空格  两个　全角"
    return data


def _tricky_form() -> dict:
    data = sample("evaluation-form")
    data["applicant"]["name"] = "张<喆>&赟"
    return data


CASES = ([(slug, lambda s=slug: sample(s)) for slug in KINDS] + [(slug, lambda s=slug: _maximal(s)) for slug in KINDS]
         + [("roster", _tricky_roster), ("evaluation-form", _tricky_form)])
IDS = [f"{slug}-{kind}" for slug, kind in [(s, "sample") for s in KINDS] + [(s, "maximal") for s in KINDS]
       + [("roster", "tricky"), ("evaluation-form", "tricky")]]


def _context(renderer, slug: str, data: dict) -> dict:
    context = renderer.prepare(slug, data)[3]
    return {**context, "document_id": "0" * 32}


@pytest.fixture(scope="module")
def docx(renderer):
    return docx_render.renderer(str(renderer.templates_dir))


@pytest.mark.parametrize("slug,make", CASES, ids=IDS)
def test_compiled_render_is_docxtpls(renderer, docx, slug, make):
    context = _context(renderer, slug, make())
    assert docx.compiled(slug) is not None, "every template of docgen is compiled"
    compiled, plain = _parts(docx.render(slug, context, 23)), _parts(docx.docxtpl(slug, context).save())
    plain["word/styles.xml"] = _parts(_tree_pitch(docx.docxtpl(slug, context).save(), 23))["word/styles.xml"]
    assert compiled.keys() == plain.keys()
    assert {name for name in compiled if compiled[name] != plain[name]} == set()


@pytest.mark.parametrize("slug", KINDS)
def test_blank_form_is_docxtpls(renderer, docx, slug):
    context = {**renderer.kind(slug).blank(renderer.profile(None), Options(copies=1, blank=True)), "document_id": ""}
    assert _parts(docx.render(slug, context)) == _parts(docx.docxtpl(slug, context).save())


def _tree_pitch(content: bytes, lines_per_page: int) -> bytes:
    """Return the DOCX with its pitch set on python-docx's styles tree, as the renderer did before it set it on the
    text of styles.xml."""
    doc = Document(io.BytesIO(content))
    pitch = round(LINE.twips * 22 / lines_per_page)
    pitches = {str(int(LINE.twips)): str(pitch),
               str(int(LINE.twips - RULE_ALLOWANCE.twips)): str(pitch - int(RULE_ALLOWANCE.twips))}
    for spacing in doc.styles.element.iter(qn("w:spacing")):
        for key in ("w:line", "w:after"):
            if spacing.get(qn(key)) in pitches:
                spacing.set(qn(key), pitches[spacing.get(qn(key))])
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_a_letter_set_in_23_lines_a_page_has_its_pitch(renderer, docx):
    context = _context(renderer, "commitment", sample("commitment"))
    styles = {n: docx.package("commitment", context, n).parts["word/styles.xml"].decode() for n in (22, 23)}
    pitch = round(LINE.twips * 22 / 23)
    assert f'w:line="{int(LINE.twips)}"' in styles[22] and f'w:line="{pitch}"' not in styles[22]
    assert f'w:line="{int(LINE.twips)}"' not in styles[23] and f'w:line="{pitch}"' in styles[23]
    assert f'w:line="{pitch - int(RULE_ALLOWANCE.twips)}"' in styles[23]   # the ruled lines to write on


STAMPS = {
    "code": finish.Finish("d1", verify_url=URL),
    "copies": finish.Finish("d2", watermark="新疆专业技术人员职称评审专用", verify_url=URL, copies=3, copy_pages=1),
    "preview": finish.Finish("", watermark="预览稿", watermark_note="仅供核对", copies=2, copy_pages=2),
}


@pytest.mark.parametrize("stamps", STAMPS.values(), ids=STAMPS.keys())
@pytest.mark.parametrize("slug", KINDS)
def test_finished_in_the_package_is_docxtpls_finished(renderer, docx, slug, stamps):
    context = _context(renderer, slug, _maximal(slug))
    compiled = finish.docx(docx.package(slug, context), stamps)
    plain = finish.docx(docx.docxtpl(slug, context).save(), stamps)
    assert _parts(compiled) == _parts(plain)
    assert len([name for name in _parts(compiled) if name.startswith("word/header")]) == 3 * stamps.copies


@pytest.mark.parametrize("slug", ["integrity-certificate", "evaluation-form"])
def test_sealed_is_docxtpls_sealed(renderer, docx, slug):
    stamp = seal.load(seal_png())
    stamps = finish.Finish("d3", verify_url=URL, copies=2 if slug == "evaluation-form" else 1,
                           seal=stamp if slug != "evaluation-form" else None,
                           cross_seal=stamp if slug == "evaluation-form" else None, copy_pages=4)
    context = _context(renderer, slug, sample(slug))
    compiled = _parts(finish.docx(docx.package(slug, context), stamps))
    assert compiled == _parts(finish.docx(docx.docxtpl(slug, context).save(), stamps))
    assert any(name.startswith("word/media/") for name in compiled)


# --- templates the compiled path must hand to docxtpl's fix_tables, or to docxtpl itself

def _template(build) -> bytes:
    doc = Document()
    build(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _loop_only_table(doc) -> None:
    """A table whose every row is in a loop: no row at all leaves fix_tables a grid to narrow."""
    table = doc.add_table(rows=3, cols=2)
    table.cell(0, 0).text, table.cell(1, 0).text, table.cell(1, 1).text = "{%tr for r in rows %}", "{{ r }}", "x"
    table.cell(2, 0).text = "{%tr endfor %}"


def _cell_loop_table(doc) -> None:
    """A table whose cells are repeated ({%tc %}): fix_tables widens its grid."""
    table = doc.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "头"
    table.cell(1, 0).text, table.cell(1, 1).text = "{%tc for r in rows %}", "{{ r }}"
    table.cell(1, 2).text = "{%tc endfor %}"


def _headed_table(doc) -> None:
    table = doc.add_table(rows=4, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "甲", "乙"
    table.cell(1, 0).text, table.cell(2, 0).text = "{%tr for r in rows %}", "{{ r }}"
    table.cell(2, 1).text = "{% if r %}是{% endif %}"   # a block inside its cell
    table.cell(3, 0).text = "{%tr endfor %}"


def _docxtpl(env, source: bytes, context: dict) -> dict[str, bytes]:
    doc = docx_render._Template(io.BytesIO(source))
    doc.render(context, jinja_env=env, autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    return _parts(out.getvalue())


@pytest.mark.parametrize("build,fixes", [(_loop_only_table, True), (_cell_loop_table, True), (_headed_table, False)])
@pytest.mark.parametrize("rows", [[], ["一", "二", "三"]])
def test_tables_docxtpl_would_fix_are_fixed(docx, build, fixes, rows):
    source = _template(build)
    compiled = docx_render.Compiled.of(source, docx.env)
    assert compiled is not None and compiled.fix_tables is fixes
    assert _parts(compiled.render({"rows": rows}).save()) == _docxtpl(docx.env, source, {"rows": rows})


def test_a_template_with_tags_in_its_footer_goes_to_docxtpl(docx):
    def footed(doc) -> None:
        doc.add_paragraph("{{ title }}")
        doc.sections[0].footer.paragraphs[0].text = "第{{ page_label }}页"

    source = _template(footed)
    assert docx_render.Compiled.of(source, docx.env) is None
    rendered = _docxtpl(docx.env, source, {"title": "题", "page_label": "一"})
    assert "第一页" in rendered["word/footer1.xml"].decode()   # docxtpl renders it
