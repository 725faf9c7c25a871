"""What the unit's seal, its PAdES signature and PDF/A add to a one-page document (issue 25: ≤ 15 ms together).

    .venv/bin/python bench/trust.py [--rounds 30]

The same 廉政情况证明 (one page, issued by the unit) rendered to PDF without a QR code, then with each mark and
with all three, interleaved round by round on one warm renderer; medians, what each adds to the plain
render, and each as a ratio of the plain render's median (the ratio, not the milliseconds, compares runs on a
shared machine). The certificate is a throwaway RSA-2048 one (tests/render/credentials.py), B-B (no time-stamp: a TSA's
round trip is the network's, not docgen's).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docgen.bootstrap import bootstrap  # noqa: E402
from docgen.documents import Credentials, Marks, Renderer, sample  # noqa: E402
from docgen.render import seal, signature  # noqa: E402
from tests.render.credentials import seal_png, throwaway_ca  # noqa: E402

SLUG = "integrity-certificate"
TARGET_MS = 15
CASES = {"plain": Marks(qr=False), "seal": Marks(qr=False, seal=True), "pdfa": Marks(qr=False, pdfa=True),
         "sign": Marks(qr=False, sign=True), "all": Marks(qr=False, seal=True, sign=True, pdfa=True)}


def measure(rounds: int = 30) -> dict[str, float]:
    """Return the median CPU ms of each case (this process's CPU time: the shared machine's other work, which
    made wall-clock medians swing by ±40 % at load 8, does not count), the cases interleaved."""
    bootstrap()
    p12, _ = throwaway_ca()
    renderer = Renderer(credentials=Credentials(seal.load(seal_png()), signature.Signer.from_p12(p12, "pw")))
    payload = sample(SLUG)
    times: dict[str, list[float]] = {case: [] for case in CASES}
    for _ in range(3):   # warm: fonts, stylesheets, the seal's pixels, pyHanko's imports
        for marks in CASES.values():
            renderer.render(SLUG, payload, "pdf", marks=marks)
    for _ in range(rounds):
        for case, marks in CASES.items():
            began = time.process_time()
            renderer.render(SLUG, payload, "pdf", marks=marks)
            times[case].append((time.process_time() - began) * 1000)
    return {case: statistics.median(values) for case, values in times.items()}


def table(ms: dict[str, float]) -> str:
    """Return the Markdown table of the medians and what each mark adds."""
    added = ms["all"] - ms["plain"]
    verdict = "met" if added <= TARGET_MS else f"missed by {added / TARGET_MS - 1:.0%}"
    rows = ["| 廉政情况证明, one page, PDF | median | added | × plain |", "|---|---:|---:|---:|"]
    names = {"plain": "plain (no QR code)", "seal": "+ seal", "pdfa": "+ PDF/A-2b", "sign": "+ PAdES B-B signature",
             "all": f"seal + signature + PDF/A (target: ≤ {TARGET_MS} ms added: {verdict})"}
    for case, name in names.items():
        extra = "" if case == "plain" else f"{ms[case] - ms['plain']:+.1f} ms"
        rows.append(f"| {name} | {ms[case]:.1f} ms | {extra} | {ms[case] / ms['plain']:.2f} |")
    return "\n".join(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    print(table(measure(parser.parse_args().rounds)))
