"""One 工作总结 PDF through Renderer().render, written directly and by WeasyPrint (DOCGEN_LETTER_WRITER).

    .venv/bin/python bench/work_summary.py [--rounds 20]

The sample (xinjiang, 4 pages) and the long sample (tacheng-2023 with its review, 6 pages), each rendered a few
times first, then `rounds` times by each writer in one process; the median, least and most milliseconds.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pikepdf  # noqa: E402

from docgen.bootstrap import bootstrap  # noqa: E402
from docgen.documents import Renderer, sample  # noqa: E402
from docgen.render.pdf import LETTER_WRITER  # noqa: E402

SLUG = "work-summary"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    bootstrap()
    renderer = Renderer()
    cases = {"sample, xinjiang": (sample(SLUG), "xinjiang"),
             "long, tacheng-2023": (json.loads((ROOT / "samples" / "long" / f"{SLUG}.json").read_text("utf-8")),
                                    "tacheng-2023")}
    for name, (data, profile) in cases.items():
        for writer in ("weasyprint", "direct"):
            os.environ[LETTER_WRITER] = writer
            for _ in range(3):
                renderer.render(SLUG, data, "pdf", profile)
            times = []
            for _ in range(rounds):
                start = time.perf_counter()
                content = renderer.render(SLUG, data, "pdf", profile).content
                times.append((time.perf_counter() - start) * 1000)
            with pikepdf.open(io.BytesIO(content)) as pdf:
                producer, pages = str(pdf.docinfo["/Producer"]).split(" ")[0], len(pdf.pages)
            print(f"{name:20} {writer:10} {producer:10} {pages} pages  median {statistics.median(times):6.1f} ms "
                  f"(least {min(times):.1f}, most {max(times):.1f})")


if __name__ == "__main__":
    main()
