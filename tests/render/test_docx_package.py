"""A DOCX package written once (docgen/render/package.py): a zip every reader takes, its parts as they were last set,
those compressed before reused only while unchanged."""
from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import pytest
from docx import Document

from docgen.documents import sample
from docgen.render import docx as docx_render
from docgen.render.package import BODY, STYLES, Deflated, Package


@pytest.fixture(scope="module")
def compiled(renderer):
    docx = docx_render.renderer(str(renderer.templates_dir))
    context = {**renderer.prepare("commitment", sample("commitment"))[3], "document_id": "0" * 32}
    return docx.compiled("commitment"), context


def test_a_saved_package_is_a_zip_of_its_parts_in_order(compiled):
    template, context = compiled
    package = template.render(context)
    package.parts["word/媒体/说明.xml"] = "<说明>é</说明>".encode()   # a name beyond ASCII: the UTF-8 flag
    content = package.save()
    with zipfile.ZipFile(io.BytesIO(content)) as saved:
        assert saved.testzip() is None                                   # every CRC-32 right
        assert saved.namelist() == list(package.parts)
        assert [saved.getinfo(name).compress_type for name in saved.namelist()] == [zipfile.ZIP_DEFLATED] * len(
            package.parts)
        assert {name: saved.read(name) for name in saved.namelist()} == package.parts
    assert "本人承诺" in "".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def test_a_part_changed_after_compiling_is_compressed_again(compiled):
    template, context = compiled
    package = template.render(context)
    assert package.deflated[STYLES].source is package.parts[STYLES]     # compressed once, with the template
    package.parts[STYLES] = package.parts[STYLES].replace(b"w:val=", b"w:val =")   # other bytes, longer
    with zipfile.ZipFile(io.BytesIO(package.save())) as saved:
        assert saved.read(STYLES) == package.parts[STYLES] and saved.testzip() is None


def test_the_body_is_compressed_fast_the_rest_as_zlib_does():
    body, other = b"<w:p>" * 2000, b"<w:r>" * 2000
    assert Deflated.of(body, BODY).data != Deflated.of(body, STYLES).data   # ZIP_LEVEL 1 against zlib's default
    assert zipfile.ZipFile(io.BytesIO(Package({BODY: body, STYLES: other}).save())).read(STYLES) == other


@pytest.mark.skipif(not shutil.which("unzip"), reason="unzip not installed")
def test_unzip_tests_it(compiled, tmp_path):
    template, context = compiled
    (tmp_path / "letter.docx").write_bytes(template.render(context).save())
    result = subprocess.run(["unzip", "-t", str(tmp_path / "letter.docx")], capture_output=True, text=True)
    assert result.returncode == 0 and "No errors detected" in result.stdout
