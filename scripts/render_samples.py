"""Render every sample payload to out/samples/<slug>.pdf|.docx and samples/<slug>.png (page 1, for README.md),
the long-content cases samples/long/<slug>.json to samples/<slug>-long.png (page 1), and one applicant's
申报材料.pdf (samples/batch.json's first applicant, with generated scans) to samples/package-*.png."""
from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docgen.bootstrap import bootstrap  # noqa: E402
from docgen.documents import Renderer, sample  # noqa: E402
from docgen.kinds import KINDS  # noqa: E402
from docgen.batch import attachments, packages, plan  # noqa: E402
from docgen.render.scans import check_scan  # noqa: E402
from tests.batch import scans  # noqa: E402   the realistic scans the tests use

PACKAGE_SCANS = {"continuing-education": [scans.phone_photo], "certificates": [scans.two_page_pdf],
                 "annual-review": [scans.landscape_scan, scans.landscape_scan]}
PACKAGE_PAGES = 8      # the package's first pages, side by side in samples/package-pages.png


def main() -> None:
    out = ROOT / "out" / "samples"
    out.mkdir(parents=True, exist_ok=True)
    bootstrap()   # as every entry point: WeasyPrint patched, fonts configured
    renderer = Renderer()
    for slug, kind in KINDS.items():
        payload = sample(slug)
        for fmt in kind.formats:
            rendered = renderer.render(slug, payload, fmt)
            (out / f"{slug}.{fmt}").write_bytes(rendered.content)
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", "1", "-l", "1",
                            str(out / f"{slug}.pdf"), str(ROOT / "samples" / slug)], check=True)
        long = ROOT / "samples" / "long" / f"{slug}.json"
        if long.is_file() and shutil.which("pdftoppm"):
            pdf = out / f"{slug}-long.pdf"
            pdf.write_bytes(renderer.render(slug, json.loads(long.read_text(encoding="utf-8")), "pdf").content)
            subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", "1", "-l", "1",
                            str(pdf), str(ROOT / "samples" / f"{slug}-long")], check=True)
        print(f"{slug}: {', '.join(kind.formats)}")
    if shutil.which("pdftoppm"):
        package(renderer, out)
    print(f"samples in {out.relative_to(ROOT)}/")


def package(renderer: Renderer, out: Path) -> None:
    """Build the package of samples/batch.json's first applicant as a batch does (its documents, blanks for the
    rest, generated scans); write samples/package-list.png (the 目录) and samples/package-pages.png."""
    batch = copy.deepcopy(sample("batch"))
    batch["applicants"] = batch["applicants"][:1]
    batch["copy_note"] = {"copier": "王建国", "date": batch["date"]}
    request, items, _ = plan.intake(batch, renderer)
    profile = renderer.profile(request.profile)
    documents = {item.kind: renderer.render(item.kind, item.payload, "pdf", profile.id).content
                 for item in items if item.folder}
    stored = {key: [attachments.Stored(key, check_scan(make(), f"/attachments/0/{key}/{n}"), {})
                    for n, make in enumerate(makers)] for key, makers in PACKAGE_SCANS.items()}
    made = packages.assemble(renderer, profile, documents, items[-1].payload["applicant"], stored,
                             batch["copy_note"], lambda slug: renderer.blank(slug, "pdf", profile.id).content,
                             title="申报材料")
    pdf = out / "package.pdf"
    pdf.write_bytes(made.pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", "1", "-l", "1", str(pdf),
                    str(ROOT / "samples" / "package-list")], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "2", "-l", str(PACKAGE_PAGES + 1), str(pdf),
                        f"{tmp}/p"], check=True)
        pages = [Image.open(p) for p in sorted(Path(tmp).glob("p-*.png"))]
        sheet = Image.new("RGB", (sum(p.width for p in pages) + 8 * (len(pages) + 1), max(p.height for p in pages) + 16),
                          "#9a9a9a")
        x = 8
        for page in pages:
            sheet.paste(page, (x, 8))
            x += page.width + 8
        sheet.save(ROOT / "samples" / "package-pages.png", optimize=True)
    print(f"package: {made.pages} pages, {len(made.pdf) // 1024} KB")


if __name__ == "__main__":
    main()
