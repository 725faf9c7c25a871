"""docgen's letters' DOCX against docxtemplater (Node, warm) filling the same document (issue 26: DOCX ahead of
docxtpl and docxtemplater).

    npm install --prefix bench          # docxtemplater and pizzip, pinned in bench/package.json (not docgen's)
    .venv/bin/python bench/docxtemplater.py [--rounds 15]

docxtemplater's template is docgen's own DOCX of the letter (docxtpl's output, before the finish) with the text of
each of its w:t elements replaced by a tag ([[t0]], [[t1]], …) and the text given as data: the same parts, runs
and characters to fill as docgen's template has, so both write the same document. docxtemplater runs in one warm
Node process (bench/docxtemplater.js) and reports the CPU of each render (process.cpuUsage: opening the template's
zip, filling, writing the deflated DOCX); docgen's is time.process_time() around Renderer.render(…, "docx") —
validation, context, lines, the QR code where the profile prints one — and the same without the QR code. The two
alternate render by render; medians.
"""
from __future__ import annotations

import argparse
import base64
import html
import io
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docgen.bootstrap import bootstrap  # noqa: E402
from docgen.documents import Marks, Renderer, sample  # noqa: E402

LETTERS = ("commitment", "public-notice", "notice-result", "recommendation", "integrity-certificate",
           "authenticity-guarantee", "unit-nature-certificate", "work-history-certificate", "political-appraisal")
BODY = "word/document.xml"
_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")
NODE_MODULES = Path(__file__).resolve().parent / "node_modules"


def available() -> bool:
    """Tell whether Node and docxtemplater (npm install --prefix bench) are there."""
    return shutil.which("node") is not None and (NODE_MODULES / "docxtemplater").is_dir()


def tagged(docx: bytes) -> tuple[bytes, dict[str, str]]:
    """Return a DOCX whose body's texts are tags, and the texts by tag."""
    data: dict[str, str] = {}

    def tag(match: re.Match) -> str:
        name = f"t{len(data)}"
        data[name] = html.unescape(match.group(1))
        return f'<w:t xml:space="preserve">[[{name}]]</w:t>'

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in source.infolist():
            part = source.read(item)
            copy.writestr(item, _TEXT.sub(tag, part.decode("utf-8")).encode("utf-8") if item.filename == BODY else part)
    return out.getvalue(), data


def texts(docx: bytes) -> list[str]:
    """Return the texts of a DOCX's body, in order."""
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        return [html.unescape(t) for t in _TEXT.findall(package.read(BODY).decode("utf-8"))]


class Peer:
    """docxtemplater in a warm Node process."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(["node", str(Path(__file__).with_suffix(".js"))], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parent)

    def ask(self, message: dict) -> dict:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(message, ensure_ascii=False) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        self.process.terminate()
        self.process.wait()


def cpu_ms(run: Callable[[], object]) -> float:
    start = time.process_time()
    run()
    return (time.process_time() - start) * 1000


def measure(rounds: int = 15) -> dict[str, tuple[float, float, float]]:
    """Return per letter the median CPU ms of docgen's DOCX, docgen's without the QR code, and docxtemplater's."""
    bootstrap()
    renderer, peer = Renderer(), Peer()
    try:
        for slug in LETTERS:
            plain = renderer.render(slug, sample(slug), "docx", preview=True).content   # no id, no QR
            template, data = tagged(plain)
            assert peer.ask({"load": slug, "template": base64.b64encode(template).decode(), "data": data})["ok"]
            filled = base64.b64decode(peer.ask({"render": slug, "keep": True})["docx"])
            assert texts(filled) == texts(plain), f"{slug}: docxtemplater wrote other text"
        times: dict[str, tuple[list[float], list[float], list[float]]] = {s: ([], [], []) for s in LETTERS}
        for round_ in range(rounds + 1):
            for slug in LETTERS:
                ours = cpu_ms(lambda: renderer.render(slug, sample(slug), "docx"))   # noqa: B023 (run at once)
                bare = cpu_ms(lambda: renderer.render(slug, sample(slug), "docx", marks=Marks(qr=False)))  # noqa: B023
                theirs = peer.ask({"render": slug})["cpu_ms"]
                if round_:   # round 0 warms all three
                    for series, value in zip(times[slug], (ours, bare, theirs), strict=True):
                        series.append(value)
    finally:
        peer.close()
    return {slug: tuple(statistics.median(s) for s in series) for slug, series in times.items()}   # type: ignore[misc]


def rows(results: dict[str, tuple[float, float, float]]) -> list[str]:
    """Return the results as README rows."""
    lines = ["| one-page letter DOCX, CPU ms (bench/docxtemplater.py) | docgen | docgen without QR code | "
             "docxtemplater (Node, warm) | docgen's speed vs docxtemplater | target: ahead |", "|---|---:|---:|---:|---:|---|"]
    for slug, (ours, bare, theirs) in results.items():
        lines.append(f"| {slug} | {ours:.1f} | {bare:.1f} | {theirs:.1f} | {theirs / ours:.2f}× ({theirs / bare:.2f}× "
                     f"without) | {'met' if ours < theirs else 'missed'} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    if not available():
        sys.exit("needs node and `npm install --prefix bench` (docxtemplater)")
    for slug, (ours, bare, theirs) in measure(args.rounds).items():
        print(f"{slug}: docgen {ours:.1f} ms (no QR {bare:.1f}), docxtemplater {theirs:.1f} ms CPU: "
              f"docgen {theirs / ours:.2f}× as fast ({theirs / bare:.2f}× without the QR code)")


if __name__ == "__main__":
    main()
