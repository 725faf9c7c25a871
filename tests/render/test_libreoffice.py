"""LibreOffice opens every DOCX docgen writes (the proof of Word-compatible output) and prints its text."""
from __future__ import annotations

import pytest

from docgen.documents import sample
from docgen.kinds import KINDS
from tests.helpers import docx_text, libreoffice_to_pdf, pdf_text, same_text

PROFILES = ("xinjiang", "tacheng-2023")


@pytest.fixture(scope="module")
def converted(renderer, tmp_path_factory):
    """Write every sample and blank DOCX, convert them all in one LibreOffice run."""
    folder = tmp_path_factory.mktemp("docx")
    docs = {}
    for slug in KINDS:
        for pid in PROFILES:
            for variant, rendered in (("filled", renderer.render(slug, sample(slug), "docx", pid)),
                                      ("blank", renderer.blank(slug, "docx", pid))):
                path = folder / f"{slug}--{pid}--{variant}.docx"
                path.write_bytes(rendered.content)
                docs[path.stem] = rendered.content
    libreoffice_to_pdf(sorted(folder.glob("*.docx")), folder)
    return folder, docs


@pytest.mark.parametrize("slug", list(KINDS))
@pytest.mark.parametrize("pid", PROFILES)
@pytest.mark.parametrize("variant", ["filled", "blank"])
def test_libreoffice_opens_docx(converted, slug, pid, variant):
    folder, docs = converted
    pdf = folder / f"{slug}--{pid}--{variant}.pdf"
    assert pdf.is_file(), "LibreOffice could not convert the DOCX"
    assert same_text(pdf_text(pdf.read_bytes()), docx_text(docs[pdf.stem]), KINDS[slug])
