"""One applicant's 申报材料.pdf with 8 scans, against merging the same files with pypdf alone.

    .venv/bin/python bench/package.py [--rounds 5]

docgen: packages.assemble() — each scan checked and laid on A4 (the copy note where the list asks, photos
downscaled to 300 dpi at their printed size), the 目录 rendered with the true page ranges, a bookmark per item
(pikepdf). pypdf alone: what a unit would do without docgen — each image made a PDF page by Pillow at its own
size, then everything appended with pypdf, a bookmark per item. Both start from the same rendered documents
(made once, not timed) and the same 8 uploads: 3 phone photos (3000×4000 JPEG), 2 two-page PDFs, 3 landscape
PNG scans. Medians of wall time and the output's size.
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from pypdf import PdfReader, PdfWriter  # noqa: E402

from docgen.batch import attachments, packages, plan  # noqa: E402
from docgen.bootstrap import bootstrap  # noqa: E402
from docgen.documents import Renderer, sample  # noqa: E402
from docgen.profiles import Profile  # noqa: E402
from docgen.render.scans import check_scan  # noqa: E402
from tests.batch import scans  # noqa: E402   the realistic scans the tests use

UPLOADS = {"continuing-education": [scans.phone_photo], "id-card": [scans.phone_photo],
           "certificates": [scans.two_page_pdf, scans.phone_photo], "papers": [scans.two_page_pdf],
           "annual-review": [scans.landscape_scan] * 3}


def prepared(renderer: Renderer) -> tuple[Profile, dict[str, bytes], dict, dict[str, bytes]]:
    """Render the documents of samples/batch.json's first applicant and the profile's blank forms (once)."""
    batch = sample("batch")
    batch["applicants"] = batch["applicants"][:1]
    request, items, _ = plan.intake(batch, renderer)
    profile = renderer.profile(request.profile)
    documents = {i.kind: renderer.render(i.kind, i.payload, "pdf", profile.id).content for i in items if i.folder}
    blanks = {m.document: renderer.blank(m.document, "pdf", profile.id).content for m in profile.materials
              if m.document and m.document not in documents}
    return profile, documents, items[-1].payload["applicant"], blanks


def with_docgen(renderer: Renderer, profile: Profile, documents: dict[str, bytes], person: dict,
                blanks: dict[str, bytes], uploads: dict[str, list[bytes]]) -> bytes:
    """Check the uploads and build the package as a batch does."""
    stored = {key: [attachments.Stored(key, check_scan(data, f"/attachments/0/{key}/{n}"), {})
                    for n, data in enumerate(files)] for key, files in uploads.items()}
    return packages.assemble(renderer, profile, documents, person, stored, {"copier": "王建国"}, blanks.__getitem__,
                             title="申报材料").pdf


def with_pypdf(profile: Profile, documents: dict[str, bytes], blanks: dict[str, bytes],
               uploads: dict[str, list[bytes]]) -> bytes:
    """Merge the same files in the list's order with pypdf, images made PDF pages by Pillow."""
    writer = PdfWriter()
    for item in profile.materials:
        files = [documents.get(item.document or "") or blanks.get(item.document or "")] if item.document else []
        files += [data if data.startswith(b"%PDF") else _image_pdf(data) for data in uploads.get(item.key, [])]
        first = len(writer.pages)
        for pdf in filter(None, files):
            writer.append(PdfReader(io.BytesIO(pdf)))
        if len(writer.pages) > first:
            writer.add_outline_item(title=item.title, page_number=first)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _image_pdf(data: bytes) -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(data)).convert("RGB").save(out, "PDF", resolution=72)
    return out.getvalue()


def measure(rounds: int) -> dict[str, float]:
    """Return the medians (ms, bytes) of both ways over interleaved rounds, after a warm-up of each."""
    renderer = Renderer()
    profile, documents, person, blanks = prepared(renderer)
    uploads = {key: [make() for make in makers] for key, makers in UPLOADS.items()}
    ours, theirs, sizes = [], [], {}
    for round_ in range(rounds + 1):
        for name, run in (("docgen", lambda: with_docgen(renderer, profile, documents, person, blanks, uploads)),
                          ("pypdf", lambda: with_pypdf(profile, documents, blanks, uploads))):
            start = time.perf_counter()
            sizes[name] = len(run())
            if round_:                      # round 0 warms both
                (ours if name == "docgen" else theirs).append((time.perf_counter() - start) * 1000)
    return {"docgen_ms": statistics.median(ours), "pypdf_ms": statistics.median(theirs),
            "docgen_bytes": sizes["docgen"], "pypdf_bytes": sizes["pypdf"],
            "scans": sum(len(v) for v in uploads.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    bootstrap()
    m = measure(args.rounds)
    print(f"package, {m['scans']} scans: docgen {m['docgen_ms']:.0f} ms, {m['docgen_bytes'] / 2**20:.1f} MB; "
          f"pypdf alone {m['pypdf_ms']:.0f} ms, {m['pypdf_bytes'] / 2**20:.1f} MB; time ×"
          f"{m['docgen_ms'] / m['pypdf_ms']:.2f}, size ×{m['docgen_bytes'] / m['pypdf_bytes']:.2f}")


if __name__ == "__main__":
    main()
