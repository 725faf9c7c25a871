"""Benchmark: each document rendered warm (median ms, DOCX and PDF) against LibreOffice converting the same DOCX.

Run: .venv/bin/python bench/bench.py [--runs 50] [--lo-runs 5] [--roster 1000]
Prints a Markdown table for README.md. Times are medians of warm runs in this process; LibreOffice is
timed in the same run on the same machine, so the ratio holds even when the machine is busy.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docgen.documents import Renderer, sample  # noqa: E402
from docgen.kinds import KINDS  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from roster import payload as roster_payload  # noqa: E402


def median_ms(fn, runs: int) -> float:
    fn()  # warm: templates parsed, fonts loaded
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def libreoffice_ms(docx: bytes, runs: int) -> float:
    """Median wall time of `soffice --convert-to pdf` for this DOCX, warm profile reused across runs."""
    with tempfile.TemporaryDirectory(prefix="bench-lo-") as tmp:
        return _libreoffice_ms(Path(tmp), docx, runs)


def _libreoffice_ms(work: Path, docx: bytes, runs: int) -> float:
    src = work / "in.docx"
    src.write_bytes(docx)
    cmd = ["soffice", f"-env:UserInstallation=file://{work / 'profile'}", "--headless", "--convert-to", "pdf",
           "--outdir", str(work), str(src)]
    env = {**os.environ, "FONTCONFIG_FILE": str(ROOT / "fonts" / "fonts.conf")}
    subprocess.run(cmd, check=True, capture_output=True, env=env)  # first run creates the profile
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--lo-runs", type=int, default=5)
    parser.add_argument("--roster", type=int, default=1000)
    args = parser.parse_args()
    renderer = Renderer()
    rows = []
    cases = [(slug, sample(slug), args.runs) for slug in KINDS]
    if "roster" in KINDS and args.roster:
        cases.append((f"roster ×{args.roster}", roster_payload(args.roster), max(3, args.runs // 10)))
    for label, payload, runs in cases:
        slug = label.split(" ")[0]
        docx = renderer.render(slug, payload, "docx").content
        docx_ms = median_ms(lambda: renderer.render(slug, payload, "docx"), runs)
        pdf_ms = median_ms(lambda: renderer.render(slug, payload, "pdf"), runs)
        lo_ms = libreoffice_ms(docx, args.lo_runs)
        rows.append((label, docx_ms, pdf_ms, lo_ms))
        print(f"{label}: docx {docx_ms:.1f} ms, pdf {pdf_ms:.1f} ms, LibreOffice {lo_ms:.0f} ms", file=sys.stderr)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("\n| document | DOCX median ms | PDF median ms | LibreOffice DOCX→PDF median ms | PDF speed-up vs LibreOffice |")
    print("|---|---:|---:|---:|---:|")
    for label, docx_ms, pdf_ms, lo_ms in rows:
        print(f"| {label} | {docx_ms:.1f} | {pdf_ms:.1f} | {lo_ms:.0f} | {lo_ms / pdf_ms:.1f}× |")
    print(f"\npeak RSS of the benchmark process: {rss:.0f} MB; {os.cpu_count()} cores; "
          f"{args.runs} warm runs per document ({max(3, args.runs // 10)} for the large roster), "
          f"{args.lo_runs} LibreOffice runs")


if __name__ == "__main__":
    main()
