"""docgen's DOCX against plain docxtpl on the same template and context (issue 26: DOCX ahead of docxtpl).

    .venv/bin/python bench/docxtpl_plain.py [--rounds 9]

docgen: Renderer.render(…, "docx") — the payload validated, the context built, the letter's lines a page, the
template rendered — unfinished (no QR code), finished with the QR code, and as a preview (the 预览稿 watermark).
Plain docxtpl: what an integrator would write around the same built template — DocxTemplate(template).render(context)
with docgen's Jinja environment and save, given the context docgen already built (so docxtpl is spared the
validation, the line breaking and the finish: the comparison favours it). The 1000-row roster and the one-page
letters, interleaved round by round on one warm process; medians of CPU time (time.process_time: a busy machine
slows both alike, and more evenly than wall time).
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
from docgen.documents import Marks, Renderer, sample  # noqa: E402
from docgen.render import docx as docx_render  # noqa: E402
from docgen.render.jinja import docx_env  # noqa: E402

# the one-page letters of issue 26: 承诺书, 公示, 公示结果, 推荐意见, the 证明s, 保证书, 目录
LETTERS = ("commitment", "public-notice", "notice-result", "recommendation", "integrity-certificate",
           "unit-nature-certificate", "work-history-certificate", "authenticity-guarantee", "material-list")
VARIANTS = {"unfinished": {"marks": Marks(qr=False)}, "QR code": {"marks": Marks(qr=True)},
            "预览稿 watermark": {"preview": True}}


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


def timings(rounds: int = 9) -> dict[str, dict[str, float]]:
    """Return, per case, the median CPU ms of plain docxtpl ("docxtpl") and of docgen's DOCX in each variant,
    interleaved round by round (round 0 warms them all)."""
    bootstrap()
    renderer = Renderer()
    cases = {"roster ×1000": ("roster", roster_payload(1000))} | {slug: (slug, sample(slug)) for slug in LETTERS}
    runs: dict[str, dict[str, Callable[[], object]]] = {}
    for name, (slug, data) in cases.items():
        variants = {"unfinished": VARIANTS["unfinished"]} if slug == "roster" else VARIANTS
        runs[name] = {"docxtpl": plain(renderer, slug, data)} | {
            variant: (lambda s=slug, p=data, o=options: renderer.render(s, p, "docx", **o))
            for variant, options in variants.items()}
    times: dict[str, dict[str, list[float]]] = {name: {v: [] for v in case} for name, case in runs.items()}
    for round_ in range(rounds + 1):
        for name, case in runs.items():
            for variant, run in case.items():
                ms = cpu_ms(run)
                if round_:
                    times[name][variant].append(ms)
    return {name: {v: statistics.median(ms) for v, ms in case.items()} for name, case in times.items()}


def measure(rounds: int = 9) -> dict[str, tuple[float, float]]:
    """Return bench/run's rows: (docgen's median CPU ms, plain docxtpl's) for the roster ×1000 and, for the letters,
    the median of their medians in each variant."""
    found = timings(rounds)
    rows = {"roster ×1000": (found["roster ×1000"]["unfinished"], found["roster ×1000"]["docxtpl"])}
    for variant in VARIANTS:
        rows[f"{len(LETTERS)} one-page letters, {variant} (median of their medians)"] = (
            statistics.median(found[slug][variant] for slug in LETTERS),
            statistics.median(found[slug]["docxtpl"] for slug in LETTERS))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    for name, case in timings(args.rounds).items():
        theirs = case.pop("docxtpl")
        print(f"{name}: plain docxtpl {theirs:.2f} ms CPU; docgen " + ", ".join(
            f"{variant} {ours:.2f} ms ({theirs / ours:.2f}× as fast)" for variant, ours in case.items()))


if __name__ == "__main__":
    main()
