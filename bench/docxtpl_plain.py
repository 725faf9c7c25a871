"""docgen's DOCX against plain docxtpl on the same template and context (issue 26: DOCX ahead of docxtpl).

    .venv/bin/python bench/docxtpl_plain.py [--rounds 9]

docgen: Renderer.render(…, "docx") — the payload validated, the context built, the template rendered (its
table rows streamed), the letter's line pitch, the QR code, watermark and copies. Plain docxtpl: what an
integrator would write around the same built template — DocxTemplate(template).render(context) with docgen's
Jinja environment and save, given the context docgen already built (so docxtpl is spared the validation and the
finish: the comparison favours it). The 1000-row roster and the one-page letters, interleaved round by round on
one warm process; medians of CPU time (time.process_time: a busy machine slows both alike, and more evenly than
wall time).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from docxtpl import DocxTemplate  # noqa: E402
from roster import payload as roster_payload  # noqa: E402

from docgen.bootstrap import bootstrap  # noqa: E402
from docgen.documents import Renderer, sample  # noqa: E402
from docgen.render import docx as docx_render  # noqa: E402
from docgen.render.jinja import docx_env  # noqa: E402

LETTERS = ("commitment", "public-notice", "notice-result", "recommendation", "integrity-certificate",
           "authenticity-guarantee")


def plain(renderer: Renderer, slug: str, payload: dict) -> Callable[[], bytes]:
    """Return a render of the type's built template by docxtpl alone, from the context docgen builds."""
    _, _, _, context, _ = renderer.prepare(slug, payload)
    context = {**context, "document_id": ""}
    template = docx_render.renderer(str(renderer.templates_dir)).template_bytes(slug)
    env = docx_env()

    def run() -> bytes:
        doc = DocxTemplate(BytesIO(template))
        doc.render(context, jinja_env=env, autoescape=True)
        out = BytesIO()
        doc.save(out)
        return out.getvalue()
    return run


def cpu_ms(run: Callable[[], object]) -> float:
    start = time.process_time()
    run()
    return (time.process_time() - start) * 1000


def measure(rounds: int = 9) -> dict[str, tuple[float, float]]:
    """Return, per case, the median CPU ms of docgen's DOCX and of plain docxtpl's, interleaved."""
    bootstrap()
    renderer = Renderer()
    cases = {"roster ×1000": ("roster", roster_payload(1000))} | {slug: (slug, sample(slug)) for slug in LETTERS}
    runs = {name: (lambda s=slug, p=data: renderer.render(s, p, "docx"), plain(renderer, slug, data))
            for name, (slug, data) in cases.items()}
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in runs}
    for round_ in range(rounds + 1):
        for name, (ours, theirs) in runs.items():
            pair = (cpu_ms(ours), cpu_ms(theirs))
            if round_:   # round 0 warms both
                times[name][0].append(pair[0])
                times[name][1].append(pair[1])
    return {name: (statistics.median(a), statistics.median(b)) for name, (a, b) in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    for name, (ours, theirs) in measure(args.rounds).items():
        print(f"{name}: docgen {ours:.1f} ms, plain docxtpl {theirs:.1f} ms CPU: docgen {theirs / ours:.2f}× as fast")


if __name__ == "__main__":
    main()
