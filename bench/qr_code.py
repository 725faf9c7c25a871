"""The verification QR code per document: qrcode's own make(fit=True) against docgen.render.qr (issue 26).

    .venv/bin/python bench/qr_code.py [--links 400]

Before, a document's code was made by qrcode twice over (the PDF's modules, then qrcode's image for the DOCX), each
make laying the symbol out for all 8 masks; docgen now lays it out once and draws the DOCX's PNG from the same
modules. Both on the same verify links (uuid4 ids, docgen's signature), interleaved link by link; medians of CPU
time (time.process_time).
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import qrcode  # noqa: E402

from docgen.render import qr  # noqa: E402


def qrcode_matrix(data: str) -> list[list[bool]]:
    """Return the modules as qrcode makes them (docgen's code before)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def qrcode_png(data: str) -> bytes:
    """Return the DOCX's PNG as qrcode's image makes it (docgen's code before)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=qr.QUIET, box_size=6)
    code.add_data(data)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(out, format="PNG")
    return out.getvalue()


def measure(links: int = 400) -> dict[str, tuple[float, float]]:
    """Return, per use, the median CPU ms before (qrcode) and after (docgen.render.qr), interleaved."""
    urls = [qr.verify_url("https://docgen.example.gov.cn", uuid.uuid4().hex, "secret") for _ in range(links)]
    cases: dict[str, tuple[Callable[[str], object], Callable[[str], object]]] = {
        "modules (PDF)": (qrcode_matrix, qr.matrix), "PNG (DOCX)": (qrcode_png, qr.png)}
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in cases}
    for url in urls:
        for name, runs in cases.items():
            for run, out in zip(runs, times[name], strict=True):
                start = time.process_time()
                run(url)
                out.append((time.process_time() - start) * 1000)
    return {name: (statistics.median(before), statistics.median(after)) for name, (before, after) in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=400)
    args = parser.parse_args()
    results = measure(args.links)
    for name, (before, after) in results.items():
        print(f"QR code, {name}: qrcode {before:.2f} ms, docgen {after:.2f} ms CPU: {before / after:.1f}× as fast")
    before, after = (sum(pair[i] for pair in results.values()) for i in (0, 1))
    print(f"QR code, a document as PDF and DOCX: {before:.2f} ms before, {after:.2f} ms now")


if __name__ == "__main__":
    main()
