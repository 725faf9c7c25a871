"""The letters' PDF written directly (docgen.render.letter_pdf, issue 26) against WeasyPrint, typst and reportlab.

    .venv/bin/python bench/direct.py [--rounds 25]

Each one-page letter's sample, rendered by PdfRenderer with the direct writer and with DOCGEN_LETTER_WRITER=
weasyprint, interleaved round by round on one warm renderer (the PDF writer alone: no validation, no watermark
or QR code; each round a different document id, so nothing is served from a cache but the font subsets, as in
production); CPU medians (`time.process_time()`) and wall medians as ratios to WeasyPrint in the same run. The
个人承诺书 also against typst (warm compiler, the same fonts, the text as one paragraph, a number changed each
round) and reportlab (platypus, CJK word wrap, its built-in STSong-Light CID font: not embedded, so cheaper) when
they are installed (`pip install typst reportlab` in .venv: not docgen's dependencies).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from collections.abc import Callable
from functools import partial
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docgen.bootstrap import bootstrap  # noqa: E402
from docgen.documents import Renderer, sample  # noqa: E402
from docgen.render import pdf as pdf_render  # noqa: E402
from docgen.render.fonts import font_file  # noqa: E402

LETTERS = ("commitment", "public-notice", "notice-result", "recommendation", "integrity-certificate",
           "authenticity-guarantee", "political-appraisal", "unit-nature-certificate", "work-history-certificate")
FRESH = "commitment, new glyphs each round"
POOL = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定"
        "行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外")
TYPST = """#set page(paper: "a4", margin: (top: 37mm, bottom: 35mm, left: 28mm, right: 26mm),
  footer: align(right)[— #context counter(page).display() —])
#set text(font: "FandolFang", size: 16pt, lang: "zh", tracking: -0.2pt)
#set par(justify: true, first-line-indent: (amount: 2em, all: true), leading: 13pt, spacing: 13pt)
#align(center, text(font: "FandolSong", weight: "bold", size: 22pt, tracking: 0pt)[个人承诺书])
#v(10.227mm)
{body}

#align(right)[签字：#box(width: 80pt, stroke: (bottom: 0.75pt))（承诺人） #h(0.75em)]
#align(right)[按手印：#box(width: 80pt, stroke: (bottom: 0.75pt)) #h(2.75em)]
#align(right)[#sys.inputs.at("date") #h(4em)]
"""


def _renders(renderer: Renderer) -> dict[str, tuple[Any, str, dict]]:
    """Return each letter's PDF renderer, template and context (the sample, default profile)."""
    pdf = pdf_render.renderer(str(renderer.templates_dir), str(renderer.fonts_dir))
    out = {}
    for slug in LETTERS:
        kind, model, _, context, _ = renderer.prepare(slug, sample(slug))
        out[slug] = (pdf, f"{slug}/document.html", {**context, "keep_together": [kind.subject(model)]})
    return out


def _peers(renderer: Renderer) -> dict[str, Callable[[int], object]]:
    """Return typst's and reportlab's 个人承诺书 renders (by round number), those installed."""
    pdf, template, context = _renders(renderer)["commitment"]
    text = "".join(context["paragraphs"])
    peers: dict[str, Callable[[int], object]] = {}
    try:
        import typst
        fonts = sorted({str(Path(font_file(face)).parent) for face in ("仿宋_GB2312", "方正小标宋简体")})
        source = Path(tempfile.mkdtemp(prefix="docgen-typst-")) / "commitment.typ"
        source.write_text(TYPST.replace("{body}", text), encoding="utf-8")
        compiler = typst.Compiler(str(source), font_paths=fonts)
        peers["typst (warm)"] = lambda i: compiler.compile(sys_inputs={"date": f"2024年9月{i % 28 + 1}日"})
    except ImportError:
        pass
    try:
        peers["reportlab"] = _reportlab(text, "")
        peers["reportlab, TTF embedded"] = _reportlab(text, font_file("楷体_GB2312"))   # LXGW WenKai: TrueType
    except ImportError:
        pass
    return peers


def _reportlab(text: str, ttf: str) -> Callable[[int], object]:
    """Return reportlab's render of the 承诺书 (platypus, CJK wrap) by round number: in its built-in STSong-Light,
    or in a TrueType font file it embeds (subset) when `ttf` names one."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    from reportlab.pdfbase.ttfonts import TTFont

    name = Path(ttf).stem if ttf else "STSong-Light"
    pdfmetrics.registerFont(TTFont(name, ttf) if ttf else UnicodeCIDFont(name))
    body = ParagraphStyle("body", fontName=name, fontSize=16, leading=10.227 * mm, firstLineIndent=32,
                          wordWrap="CJK", alignment=4)
    title = ParagraphStyle("title", parent=body, fontSize=22, leading=12 * mm, alignment=1, firstLineIndent=0)
    right = ParagraphStyle("right", parent=body, alignment=2, firstLineIndent=0)

    def render(i: int) -> bytes:
        out = io.BytesIO()
        doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=28 * mm, rightMargin=26 * mm, topMargin=37 * mm,
                                bottomMargin=35 * mm)
        doc.build([Paragraph("个人承诺书", title), Spacer(1, 10.227 * mm), Paragraph(text, body),
                   Spacer(1, 10.227 * mm), Paragraph("签字：__________（承诺人）", right),
                   Paragraph("按手印：__________", right), Paragraph(f"2024年9月{i % 28 + 1}日", right)])
        return out.getvalue()
    return render


def _timed(fn: Callable[[int], Any], i: int) -> tuple[float, float]:
    """Return the CPU and wall ms of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    fn(i)
    return (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000


def _one(writer: str, pdf: Any, template: str, context: dict, i: int, *, fresh: bool = False) -> bytes:
    """Render a letter with one writer (direct or weasyprint), a new document id each time; `fresh`: three more
    characters each round, so that the body face's subset is made anew (another applicant's name and unit)."""
    os.environ[pdf_render.LETTER_WRITER] = writer
    if fresh:
        added = "".join(POOL[(3 * i + k) % len(POOL)] for k in range(3))
        context = {**context, "paragraphs": [context["paragraphs"][0] + added, *context["paragraphs"][1:]]}
    content: bytes = pdf.render(template, {**context, "document_id": f"{i:032x}"})
    return content


def measure(rounds: int = 25) -> dict[str, dict[str, float]]:
    """Return per letter (and per peer) the CPU median and the wall median (ms), both writers interleaved."""
    bootstrap()
    renderer = Renderer()
    renders, peers = _renders(renderer), _peers(renderer)
    jobs: dict[str, Callable[[int], Any]] = {}
    for slug, (pdf, template, context) in renders.items():
        for writer in ("direct", "weasyprint"):
            jobs[f"{slug} {writer}"] = partial(_one, writer, pdf, template, context)
    pdf, template, context = renders["commitment"]
    for writer in ("direct", "weasyprint"):
        jobs[f"{FRESH} {writer}"] = partial(_one, writer, pdf, template, context, fresh=True)
    jobs |= {name: render for name, render in peers.items()}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in jobs}
    try:
        for i in range(rounds + 3):
            for name, job in jobs.items():
                measured = _timed(job, i)
                if i >= 3:   # three warm rounds: fonts, stylesheets, subsets of the title and folio
                    times[name].append(measured)
    finally:
        os.environ.pop(pdf_render.LETTER_WRITER, None)
    return {name: {"cpu": statistics.median(t[0] for t in ts), "wall": statistics.median(t[1] for t in ts)}
            for name, ts in times.items()}


def rows(result: dict[str, dict[str, float]]) -> list[str]:
    """Return the README table of a measure() result."""
    typst, reportlab = result.get("typst (warm)"), result.get("reportlab, TTF embedded")
    out = ["| one-page letter PDF (PdfRenderer alone) | direct CPU | WeasyPrint CPU | wall, direct ÷ WeasyPrint |"
           " direct ÷ typst warm (wall) | direct ÷ reportlab, TTF embedded (wall) |", "|---|---:|---:|---:|---:|---:|"]
    for slug in (*LETTERS, FRESH):
        direct, weasy = result[f"{slug} direct"], result[f"{slug} weasyprint"]
        vs = [f"{direct['wall'] / peer['wall']:.2f}×" if peer else "–" for peer in (typst, reportlab)]
        out.append(f"| {slug} | {direct['cpu']:.1f} ms | {weasy['cpu']:.1f} ms | "
                   f"{direct['wall'] / weasy['wall']:.2f}× | {vs[0]} | {vs[1]} |")
    for name in ("typst (warm)", "reportlab", "reportlab, TTF embedded"):
        if name in result:
            out.append(f"| 个人承诺书 by {name} | {result[name]['cpu']:.1f} ms | – | – | – | – |")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=25)
    print("\n".join(rows(measure(parser.parse_args().rounds))))


if __name__ == "__main__":
    main()
