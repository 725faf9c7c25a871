"""docgen against warm LibreOffice, in one interleaved run: what `bench/run` executes (README "Benchmark").

Measures, on this machine and in the same run (so that the ratios hold on a busy machine):
- every document type as DOCX and PDF, warm, in this process;
- the same documents through warm LibreOffice: docgen's DOCX (docxtpl) converted by unoserver (Debian's
  python3-uno runs the server, the PyPI `unoserver` client talks to it), and through a cold
  `soffice --convert-to pdf` per document;
- the 1000-row roster, the 3-copy 评审表, a 100-applicant batch (the batch runner, in this process);
- one applicant's 申报材料.pdf with 8 scans against merging the same files with pypdf alone (bench/package.py);
- the DOCX of the 1000-row roster and of the letters against plain docxtpl on the same template (bench/docxtpl_plain.py);
- the letters' DOCX against docxtemplater (Node) filling the same document (bench/docxtemplater.py), where Node is;
- the HTTP service (`docgen serve`, gunicorn, on 127.0.0.1) at concurrency 1/2/4/8 from a bounded load
  generator: documents/s, p50, p99, errors;
- a worker's RSS over 2000 renders, cold start to first PDF (CLI and service), pydyf's zlib level.
Rounds interleave docgen, unoserver and soffice on the same document; figures are medians. The result is
the Markdown in bench/results.md, which README.md includes; each figure comes with its ratio to warm
LibreOffice. `--quick` runs fewer rounds and smaller loads (same table, less certain numbers).
"""
from __future__ import annotations

import argparse
import copy
import io
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pikepdf
from http_load import allowed as http_allowed
from http_load import combine as http_combine
from http_load import left_share
from http_load import measure as http_measure
from http_load import serve as http_serve
from http_load import stop_group
from direct import measure as direct_measure
from direct import rows as direct_rows
from docxtemplater import available as docxtemplater_available
from docxtemplater import measure as docxtemplater_measure
from docxtemplater import rows as docxtemplater_rows
from docxtpl_plain import measure as docxtpl_measure
from package import measure as package_measure
from roster import payload as roster_payload
from trust import TARGET_MS as TRUST_TARGET_MS
from trust import measure as trust_measure

from docgen.bootstrap import bootstrap
from docgen.documents import Renderer, sample
from docgen.kinds import KINDS

PYTHON = sys.executable
DOCGEN = str(Path(PYTHON).with_name("docgen"))
SYSTEM_PYTHON = "/usr/bin/python3"        # Debian's, with python3-uno: runs the unoserver server
NAMES = ["阿不都热合曼·买买提", "古丽米拉·艾则孜", "王建国", "李娟", "张喆", "刘䶮", "陈昇", "赵珺玥"]
ONE_PAGE_TARGET_MS, COMMITMENT_TARGET_MS, DOCX_TARGET_MS = 25, 15, 5
RESULTS = ROOT / "bench" / "results.md"
# the one-page letters set in docgen's own lines (docgen/render/lines.py, issue 26)
LETTERS = ("commitment", "public-notice", "notice-result", "recommendation", "integrity-certificate",
           "unit-nature-certificate", "work-history-certificate", "political-appraisal", "authenticity-guarantee",
           "material-list")
README_BEGIN, README_END = "<!-- bench/run results: begin -->", "<!-- bench/run results: end -->"


@dataclass
class Series:
    """Timings of one measured thing (ms)."""

    values: list[float] = field(default_factory=list)

    def add(self, ms: float) -> None:
        self.values.append(ms)

    @property
    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return (time.perf_counter() - start) * 1000, out


# --- warm LibreOffice (unoserver) and cold soffice -------------------------------------------------

class Unoserver:
    """A unoserver (system python3 + python3-uno) with its own LibreOffice profile, and a client."""

    def __init__(self, work: Path):
        self.work = work
        self.port, self.uno_port = free_port(), free_port()
        shim = work / "unoserver-path"            # the pure-Python unoserver package, without the rest of .venv
        shim.mkdir()
        import unoserver
        package = Path(unoserver.__file__).parent
        for path in [package, *package.parent.glob("unoserver-*.dist-info")]:   # the code and its version
            (shim / path.name).symlink_to(path)
        env = {**os.environ, "PYTHONPATH": str(shim), "FONTCONFIG_FILE": str(ROOT / "fonts" / "fonts.conf")}
        self.process = subprocess.Popen(
            [SYSTEM_PYTHON, "-m", "unoserver.server", "--interface", "127.0.0.1", "--port", str(self.port),
             "--uno-port", str(self.uno_port), "--user-installation", str(work / "lo-profile")],
            env=env, stdout=subprocess.DEVNULL, stderr=(work / "unoserver.log").open("w"), start_new_session=True)
        from unoserver.client import UnoClient
        self.client = UnoClient(server="127.0.0.1", port=str(self.port))
        deadline = time.monotonic() + 120
        while True:     # the client itself retries a refused connection only every 10 s
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"unoserver did not start: {(work / 'unoserver.log').read_text()[-500:]}") from None
                time.sleep(0.2)
        self.convert(sample_docx())

    def convert(self, docx: bytes) -> bytes:
        pdf = self.client.convert(indata=docx, convert_to="pdf")
        if not pdf.startswith(b"%PDF"):
            raise RuntimeError("unoserver returned no PDF")
        return pdf

    def rss_mb(self) -> float:
        """RSS of the LibreOffice process the server drives."""
        children = subprocess.run(["pgrep", "-s", str(self.process.pid), "soffice.bin"], capture_output=True,
                                  text=True, check=False).stdout.split()
        return sum(rss_mb(int(pid)) for pid in children)

    def stop(self) -> None:
        stop_group(self.process)


def unoserver_available() -> str | None:
    """Return why the warm LibreOffice baseline cannot run here, or None."""
    if not shutil.which("soffice"):
        return "LibreOffice (soffice) not installed"
    if subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, check=False).returncode:
        return "python3-uno not installed (scripts/install-system.sh)"
    try:
        import unoserver  # noqa: F401
    except ImportError:
        return "the unoserver client is not installed (pip install -e '.[dev]')"
    return None


def cold_soffice_ms(docx: bytes, work: Path) -> float:
    """Wall time of one `soffice --convert-to pdf` (a new LibreOffice process; its profile reused)."""
    src = work / "in.docx"
    src.write_bytes(docx)
    cmd = ["soffice", f"-env:UserInstallation={(work / 'soffice-profile').as_uri()}", "--headless",
           "--convert-to", "pdf", "--outdir", str(work), str(src)]
    env = {**os.environ, "FONTCONFIG_FILE": str(ROOT / "fonts" / "fonts.conf")}
    if not (work / "soffice-profile").exists():
        subprocess.run(cmd, check=True, capture_output=True, env=env)     # the first run makes the profile
    ms, _ = timed(lambda: subprocess.run(cmd, check=True, capture_output=True, env=env))
    if not (work / "in.pdf").is_file():
        raise RuntimeError("soffice wrote no PDF")
    (work / "in.pdf").unlink()
    return ms


# --- cases -----------------------------------------------------------------------------------------

@dataclass
class Case:
    """One document measured in every round."""

    label: str
    slug: str
    payload: dict
    options: dict = field(default_factory=dict)
    vary_name: bool = True           # a different applicant each round: subsets for new glyph sets
    docx: Series = field(default_factory=Series)
    pdf: Series = field(default_factory=Series)
    lo_warm: Series = field(default_factory=Series)     # docgen's DOCX + unoserver's conversion
    lo_cold: Series = field(default_factory=Series)
    pages: int = 0

    def payload_for(self, n: int) -> dict:
        data = copy.deepcopy(self.payload)
        if self.vary_name and isinstance(data.get("applicant"), dict):
            data["applicant"]["name"] = NAMES[n % len(NAMES)]
        return data


def sample_docx() -> bytes:
    bootstrap()   # as every entry point: WeasyPrint patched, fonts configured
    return Renderer().render("commitment", sample("commitment"), "docx").content


def cases() -> list[Case]:
    out = [Case(KINDS[slug].title, slug, sample(slug)) for slug in KINDS]
    for case in out:
        if case.slug == "evaluation-form":
            case.label, case.options = f"{case.label} ×3份", {"copies": 3}
        if case.slug == "roster":
            case.label = f"{case.label} (7 rows)"
    out.append(Case("申报人员花名册 ×1000", "roster", roster_payload(1000), vary_name=False))
    return out


def run_rounds(renderer: Renderer, all_cases: list[Case], rounds: int, heavy_rounds: int, cold_rounds: int,
               lo: Unoserver | None, work: Path) -> None:
    """Interleave docgen DOCX, docgen PDF, unoserver and soffice on each document, round after round."""
    for n in range(rounds):
        for case in all_cases:
            heavy = case.slug == "roster" and len(case.payload["applicants"]) > 100
            if heavy and n >= heavy_rounds:
                continue
            data = case.payload_for(n)
            ms, docx = timed(lambda c=case, d=data: renderer.render(c.slug, d, "docx", **c.options).content)
            case.docx.add(ms)
            ms, pdf = timed(lambda c=case, d=data: renderer.render(c.slug, d, "pdf", **c.options).content)
            case.pdf.add(ms)
            if not case.pages:
                with pikepdf.open(io.BytesIO(pdf)) as document:
                    case.pages = len(document.pages)
            if lo and (not heavy or n < max(1, heavy_rounds - 1)):
                ms, _ = timed(lambda d=docx: lo.convert(d))
                case.lo_warm.add(case.docx.values[-1] + ms)
            if n < cold_rounds and (not heavy or n == 0):
                case.lo_cold.add(cold_soffice_ms(docx, work))
        print(f"  round {n + 1}/{rounds}", file=sys.stderr)


# --- the batch runner ------------------------------------------------------------------------------

def batch_run(applicants: int, work: Path) -> dict:
    """Run a batch of N applicants through the embedded batch runner (bench/batch_scale.py: its process
    pool warmed by a small first run, the second timed); return its seconds, CPU seconds and peak RSS of the
    process tree, and the number of items."""
    from batch_scale import embedded

    result = embedded(applicants, work)
    if result["status"] != "done":
        raise RuntimeError(f"batch ended {result['status']}")
    return result


# --- HTTP ------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- RSS, cold start, zlib -------------------------------------------------------------------------

def rss_mb(pid: int | None = None) -> float:
    with open(f"/proc/{pid or 'self'}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def rss_child(renders: int) -> None:
    """In a fresh process: warm up with `renders` documents, then render as many again, every type (PDF and DOCX,
    names varying); print RSS after warm-up and at the end as JSON. The warm-up fills the bounded caches (subsets,
    fits, set lines, WeasyPrint's own): after 60 renders RSS still rose 60 MB to a plateau it kept over 900."""
    bootstrap()   # as every entry point: WeasyPrint patched, fonts configured
    renderer, slugs = Renderer(), [s for s in KINDS if s != "evaluation-form"] + ["evaluation-form"]
    payloads = {s: sample(s) for s in slugs}

    def one(i: int) -> None:
        slug = slugs[i % len(slugs)]
        data = copy.deepcopy(payloads[slug])
        if isinstance(data.get("applicant"), dict):
            data["applicant"]["name"] = NAMES[i % len(NAMES)] + NAMES[(i // len(NAMES)) % len(NAMES)][:1]
        renderer.render(slug, data, "pdf" if i % 3 else "docx")

    for i in range(renders):
        one(i)
    warm = rss_mb()
    for i in range(renders, 2 * renders):
        one(i)
    print(json.dumps({"warm": warm, "end": rss_mb(), "renders": renders}))


def rss_growth(renders: int) -> dict:
    out = subprocess.run([PYTHON, __file__, "--rss-child", str(renders)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def cold_start_ms(work: Path) -> float:
    """Wall time of `docgen render commitment … -o x.pdf` in a new process (imports, fonts, first render)."""
    out = work / "cold.pdf"
    ms, _ = timed(lambda: subprocess.run([DOCGEN, "render", "commitment", str(ROOT / "samples" / "commitment.json"),
                                          "-o", str(out)], check=True, capture_output=True,
                                         env={**os.environ, "DOCGEN_DATA_DIR": str(work / "cold-data")}))
    if not out.read_bytes().startswith(b"%PDF"):
        raise RuntimeError("docgen render wrote no PDF")
    out.unlink()
    return ms


def zlib_levels(renderer: Renderer) -> list[tuple[int, float, int]]:
    """Deflate the streams of every one-page PDF (uncompressed as WeasyPrint builds them) at each level."""
    streams = []
    for slug in KINDS:
        pdf = pikepdf.open(io.BytesIO(renderer.render(slug, sample(slug), "pdf").content))
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream) and obj.get("/Filter") == pikepdf.Name.FlateDecode:
                streams.append(obj.read_bytes())
    rows = []
    for level in (1, 3, 6, 9):
        times = []
        for _ in range(5):
            ms, size = timed(lambda lv=level: sum(len(zlib.compress(s, lv)) for s in streams))
            times.append(ms)
        rows.append((level, statistics.median(times) / len(KINDS), size))
    return rows


# --- report ----------------------------------------------------------------------------------------

def fmt_ms(ms: float | None) -> str:
    if ms is None:
        return "–"
    return f"{ms:.0f} ms" if ms >= 100 else f"{ms:.1f} ms"


def ratio(lo: float | None, ours: float | None) -> str:
    return f"{lo / ours:.1f}×" if lo and ours else "–"


def verdict(value: float | None, limit: float, higher_is_better: bool = False) -> str:
    if value is None:
        return "not measured"
    ok = value >= limit if higher_is_better else value <= limit
    if ok:
        return "met"
    return f"missed by {abs(value - limit) / limit * 100:.0f} %"


def letters_table(all_cases: list[Case]) -> list[str]:
    """Return the letters' medians as ratios to the baselines, and issue 26's ratios between documents."""
    by_slug = {c.slug: c for c in all_cases if c.label == KINDS[c.slug].title or c.slug == "evaluation-form"}
    letters = [by_slug[s] for s in LETTERS if s in by_slug]

    def med(values: list[float | None]) -> float | None:
        known = [v for v in values if v]
        return statistics.median(known) if known else None

    pdf, docx = med([c.pdf.median for c in letters]), med([c.docx.median for c in letters])
    warm, cold = med([c.lo_warm.median for c in letters]), med([c.lo_cold.median for c in letters])
    form, exemption, commitment = by_slug.get("evaluation-form"), by_slug.get("ce-exemption"), by_slug.get("commitment")
    copy_ms = form.pdf.median / 3 if form and form.pdf.median else None     # the case is 一式三份
    rows = ["", f"| the {len(letters)} one-page letters (docgen's own lines), median of their medians | docgen | "
                "baseline | ratio | target |", "|---|---:|---:|---:|---|",
            f"| PDF vs warm LibreOffice | {fmt_ms(pdf)} | {fmt_ms(warm)} | {ratio(warm, pdf)} | |",
            f"| PDF vs cold soffice | {fmt_ms(pdf)} | {fmt_ms(cold)} | {ratio(cold, pdf)} | |",
            f"| DOCX (median) | {fmt_ms(docx)} | – | – | |",
            f"| 评审表, one copy of 4 pages, vs a letter's PDF | {fmt_ms(copy_ms)} | {fmt_ms(pdf)} | "
            f"{copy_ms / pdf:.1f}× the time | ≤ 5×: {verdict(copy_ms / pdf, 5)} |" if copy_ms and pdf else "",
            f"| 免学表 PDF vs 承诺书 PDF | {fmt_ms(exemption.pdf.median)} | {fmt_ms(commitment.pdf.median)} | "
            f"{exemption.pdf.median / commitment.pdf.median:.1f}× the time | ≤ 2×: "
            f"{verdict(exemption.pdf.median / commitment.pdf.median, 2)} |"
            if exemption and commitment and exemption.pdf.median and commitment.pdf.median else ""]
    return [row for row in rows if row != ""] if letters else []


def http_row(row: dict, lo_rate: float | None) -> str:
    """One HTTP row: throughput against what the server's CPU per document allows on the cores the load generator
    leaves it (bench/http_load.py), the cores others took and left idle meanwhile, and at concurrency 8 the
    targets: ≥ 80 % of allowed, p99 ≤ 3× p50."""
    cap = http_allowed(row)
    share = row["per_s"] / cap if cap else None
    target = ""
    if row["concurrency"] == 8:
        target = (f"≥ 80 % of allowed: {verdict(share, 0.8, True)}; p99 ≤ 3× p50: "
                  f"{verdict(row['p99'] / row['p50'], 3)}; errors: {row['errors']}")
    return (f"| concurrency {row['concurrency']} ({row['requests']} requests) | {row['per_s']:.0f} | "
            f"{ratio(row['per_s'], lo_rate) if lo_rate else '–'} | {fmt_ms(row.get('cpu_ms'))} | "
            f"{fmt_ms(row['client_ms'])} | {row['others_cores']:.2f} | {row['idle_cores']:.2f} | "
            f"{f'{cap:.0f}' if cap else '–'} | {f'{share:.0%}' if share else '–'} | "
            f"{f'{left:.0%}' if (left := left_share(row)) else '–'} | {fmt_ms(row['p50'])} | "
            f"{fmt_ms(row['p99'])} | {row['errors']} | {target} |")


def report(args, all_cases: list[Case], lo_note: str | None, http_rows: list[dict], serve_first_ms: float | None,
           batch: dict | None, rss: dict | None, lo_rss: float | None, cold: list[float],
           zlib_rows: list, wall_s: float, package: dict | None = None, trust: dict | None = None,
           docxtpl: dict | None = None) -> str:
    load = os.getloadavg()
    lines = [(f"Measured by `bench/run{' --quick' if args.quick else ''}` on {time.strftime('%Y-%m-%d')}: "
              f"{os.cpu_count()} cores shared with other work (load average {load[0]:.1f} at the end), "
              f"{args.rounds} interleaved rounds, medians; {wall_s / 60:.0f} min in all. "
              "Warm LibreOffice = docgen's DOCX (docxtpl) converted by a running unoserver; "
              "cold = one `soffice --convert-to pdf` process per document.")]
    if lo_note:
        lines.append(f"Warm LibreOffice not measured: {lo_note}.")
    lines += ["", "| document | DOCX | PDF | pages | warm LibreOffice | PDF vs warm LO | cold soffice | targets |",
              "|---|---:|---:|---:|---:|---:|---:|---|"]
    for case in all_cases:
        docx, pdf, warm, cold_lo = case.docx.median, case.pdf.median, case.lo_warm.median, case.lo_cold.median
        if case.slug == "roster" and "1000" in case.label:
            targets = f"DOCX ≤ 200 ms: {verdict(docx, 200)}; PDF ≤ 1.2 s: {verdict(pdf, 1200)}"
        elif case.slug == "evaluation-form":
            targets = f"DOCX ≤ {DOCX_TARGET_MS} ms: {verdict(docx, DOCX_TARGET_MS)}"
        else:
            limit = COMMITMENT_TARGET_MS if case.slug == "commitment" else ONE_PAGE_TARGET_MS
            targets = (f"PDF ≤ {limit} ms: {verdict(pdf, limit)}; DOCX ≤ {DOCX_TARGET_MS} ms: "
                       f"{verdict(docx, DOCX_TARGET_MS)}")
        lines.append(f"| {case.label} | {fmt_ms(docx)} | {fmt_ms(pdf)} | {case.pages} | {fmt_ms(warm)} | "
                     f"{ratio(warm, pdf)} | {fmt_ms(cold_lo)} | {targets} |")
    lines += letters_table(all_cases)
    commitment = next(c for c in all_cases if c.slug == "commitment")
    lo_one = commitment.lo_warm.median
    lines += ["", "| HTTP `docgen serve`, 个人承诺书 PDF | documents/s | vs warm LO | server CPU a document | "
              "load generator CPU a document | others' cores | idle cores | CPU-allowed documents/s (cores less the "
              "generator) | of allowed | of the CPU left it (less generator and others) | p50 | p99 | errors | target |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    lo_rate = 1000 / lo_one if lo_one else None     # unoserver converts one document at a time
    lines += [http_row(row, lo_rate) for row in http_rows]
    lines += ["", "| other | docgen | warm LibreOffice | ratio | target |", "|---|---:|---:|---:|---|"]
    if batch:
        ms, documents, applicants = batch["seconds"] * 1000, batch["items"], batch["applicants"]
        one_page = [c.lo_warm.median for c in all_cases if c.lo_warm.median and c.pages == 1]
        lo_ms = documents * statistics.median(one_page) if one_page else None   # an estimate: not run through LO
        lo_text = f"≈ {lo_ms / 1000:.0f} s (documents × median one-page)" if lo_ms else "–"
        lines.append(f"| batch of {applicants} applicants (bazhou-2024's set), embedded runner ({documents} items as "
                     f"PDF and DOCX, the roster, archive.zip, print.pdf); CPU {batch['cpu_seconds']:.0f} s, peak RSS "
                     f"{batch['peak_rss_mb']} MB (the process tree), load average {batch['load_average']} | "
                     f"{ms / 1000:.1f} s | {lo_text} | {ratio(lo_ms, ms)} | ≤ 15 s: {verdict(ms / 1000, 15)} |")
    if package:
        lines.append(f"| one applicant's 申报材料.pdf, {package['scans']} scans (3000×4000 photos, 2-page PDFs, landscape "
                     f"PNGs), vs the same files merged by pypdf alone (images as Pillow PDF pages) | "
                     f"{fmt_ms(package['docgen_ms'])}, {package['docgen_bytes'] / 2**20:.1f} MB | pypdf: "
                     f"{fmt_ms(package['pypdf_ms'])}, {package['pypdf_bytes'] / 2**20:.1f} MB | "
                     f"time {ratio(package['pypdf_ms'], package['docgen_ms'])}, size "
                     f"{ratio(package['pypdf_bytes'], package['docgen_bytes'])} | |")
    if trust:
        added = trust["all"] - trust["plain"]
        lines.append(f"| seal + PAdES signature + PDF/A added to a one-page 廉政情况证明 (CPU time: {fmt_ms(trust['plain'])} plain; "
                     f"seal {trust['seal'] - trust['plain']:+.1f}, PDF/A {trust['pdfa'] - trust['plain']:+.1f}, signature "
                     f"{trust['sign'] - trust['plain']:+.1f} ms; bench/trust.py) | {added:+.1f} ms | – | – | "
                     f"≤ {TRUST_TARGET_MS} ms: {verdict(added, TRUST_TARGET_MS)} |")
    for name, (ours, theirs) in (docxtpl or {}).items():
        lines.append(f"| DOCX {name}, CPU, vs plain docxtpl on the same template and context (bench/docxtpl_plain.py) | "
                     f"{fmt_ms(ours)} | docxtpl: {fmt_ms(theirs)} | {ratio(theirs, ours)} | ahead: "
                     f"{'met' if ours < theirs else 'missed'} |")
    if rss:
        growth = rss["end"] - rss["warm"]
        lo_text = f"{lo_rss:.0f} MB (soffice.bin, warm)" if lo_rss else "–"
        lines.append(f"| worker RSS over {rss['renders']} renders after as many to warm up (all types, PDF and DOCX) | {rss['warm']:.0f} → "
                     f"{rss['end']:.0f} MB (+{growth:.1f} MB) | {lo_text} | "
                     f"{ratio(lo_rss, rss['end']) if lo_rss else '–'} | growth ≤ 20 MB: {verdict(growth, 20)} |")
    if cold:
        cold_ms = statistics.median(cold)
        lo_cold = commitment.lo_cold.median
        lines.append(f"| cold start to first PDF: `docgen render` (new process) | {fmt_ms(cold_ms)} | "
                     f"{fmt_ms(lo_cold)} (cold soffice) | {ratio(lo_cold, cold_ms)} | ≤ 2 s: {verdict(cold_ms, 2000)} |")
    if serve_first_ms:
        lines.append(f"| cold start to first PDF: `docgen serve` to its first answer | {fmt_ms(serve_first_ms)} | – | – | |")
    if zlib_rows:
        lines += ["", ("pydyf's deflate level on the streams of the one-page PDFs (ms per document, bytes of all): " +
                  "; ".join(f"level {lv}: {ms:.2f} ms, {size} B" for lv, ms, size in zlib_rows) +
                  " — docgen uses level 3 (docgen/render/pdf.py).")]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and smaller loads (~2 min)")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--out", type=Path, default=RESULTS, help="bench/results.md (and README.md) by default")
    parser.add_argument("--rss-child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child is not None:
        rss_child(args.rss_child)
        return
    args.rounds = args.rounds or (5 if args.quick else 25)
    began = time.perf_counter()
    bootstrap()   # as every entry point: WeasyPrint patched, fonts configured
    renderer = Renderer()
    all_cases = cases()
    for case in all_cases:                      # warm: fonts, templates, stylesheets, DOCX parts
        renderer.render(case.slug, case.payload, "pdf", **case.options)
        renderer.render(case.slug, case.payload, "docx", **case.options)
    with tempfile.TemporaryDirectory(prefix="docgen-bench-") as tmp:
        work = Path(tmp)
        lo_note, lo, lo_rss = unoserver_available(), None, None
        if lo_note is None:
            print("starting unoserver …", file=sys.stderr)
            lo = Unoserver(work)
        try:
            print("documents …", file=sys.stderr)
            run_rounds(renderer, all_cases, args.rounds, heavy_rounds=2 if args.quick else 4,
                       cold_rounds=1 if args.quick else 3, lo=lo, work=work)
            lo_rss = lo.rss_mb() if lo else None
        finally:
            if lo:
                lo.stop()
        print("batch …", file=sys.stderr)
        batch = batch_run(100, work)
        print("package …", file=sys.stderr)
        package = package_measure(3 if args.quick else 9)
        print("seal, signature, PDF/A …", file=sys.stderr)
        trust = trust_measure(10 if args.quick else 30)
        print("DOCX vs plain docxtpl …", file=sys.stderr)
        docxtpl = docxtpl_measure(3 if args.quick else 9)
        print("HTTP …", file=sys.stderr)
        with http_serve(ROOT, work) as server:
            serve_first_ms = server.first_ms
            # three rounds a concurrency, their medians: one round of a quick run read 74 % of allowed where three
            # read 85–90 % (the machine's noise, not the server's)
            http_rows = [http_combine([http_measure(server, c, (15 if args.quick else 60) * c) for _ in range(3)])
                         for c in (1, 2, 4, 8)]
        print("RSS, cold start, zlib …", file=sys.stderr)
        rss = rss_growth(300 if args.quick else 2000)
        cold = [cold_start_ms(work) for _ in range(1 if args.quick else 3)]
        zlib_rows = zlib_levels(renderer)
    text = report(args, all_cases, lo_note, http_rows, serve_first_ms, batch, rss, lo_rss, cold, zlib_rows,
                  time.perf_counter() - began, package, trust, docxtpl)
    print("letters written directly …", file=sys.stderr)   # issue 26: bench/direct.py, its own interleaved rounds
    text += "\n\n" + "\n".join(direct_rows(direct_measure(5 if args.quick else 25))) + "\n"
    if docxtemplater_available():   # bench/run installs it where Node is
        print("DOCX vs docxtemplater …", file=sys.stderr)
        text += "\n" + "\n".join(docxtemplater_rows(docxtemplater_measure(5 if args.quick else 15))) + "\n"
    Path(args.out).write_text(text, encoding="utf-8")
    if Path(args.out) == RESULTS:
        into_readme(text)
    print(text)


def into_readme(text: str) -> None:
    """Put the results between README.md's bench markers (Markdown has no include)."""
    readme = ROOT / "README.md"
    content = readme.read_text(encoding="utf-8")
    start, end = content.find(README_BEGIN), content.find(README_END)
    if start < 0 or end < start:
        print(f"README.md has no {README_BEGIN} … {README_END}: results only in {RESULTS}", file=sys.stderr)
        return
    readme.write_text(content[:start + len(README_BEGIN)] + "\n" + text + content[end:], encoding="utf-8")


if __name__ == "__main__":
    main()
