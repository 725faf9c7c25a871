"""Render every sample payload to out/samples/<slug>.pdf|.docx and samples/<slug>.png (page 1, for README.md),
and the long-content cases samples/long/<slug>.json to samples/<slug>-long.png (page 1)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docgen.bootstrap import bootstrap  # noqa: E402
from docgen.documents import Renderer, sample  # noqa: E402
from docgen.kinds import KINDS  # noqa: E402


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
    print(f"samples in {out.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
