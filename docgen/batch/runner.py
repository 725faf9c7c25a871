"""Run a batch: render every document, write the folder tree, the ZIP and the duplex print file.

The same function serves the CLI, the in-process executor and (later) a Celery task. Files are built in
a temporary folder next to the destination and moved into place only when complete.
"""
from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from docgen import profiles
from docgen.batch.request import BatchRequest, applicant_fields, fit, shared_fields
from docgen.documents import Renderer
from docgen.errors import Problem
from docgen.kinds import KINDS, Kind
from docgen.render.merge import merge_for_duplex

ARCHIVE, PRINT = "archive.zip", "print.pdf"


@dataclass
class Job:
    """One file to render: which kind, from which payload, to which path."""

    kind: Kind
    payload: dict
    folder: str            # "" for unit-level documents (the roster), else "01-张三"
    who: str               # for error messages
    pointer: str           # where in the batch request this applicant is


@dataclass
class Outcome:
    files: list[Path] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


def plan(request: BatchRequest) -> list[Job]:
    """List the documents of a batch: the profile's set (or the requested one) for each applicant."""
    profile = profiles.get(request.profile)
    slugs = request.documents or [s for s in profile.documents if s in KINDS]
    shared = shared_fields(request, profile.id)
    jobs = []
    for slug in slugs:
        kind = KINDS[slug]
        if "applicants" in kind.model.model_fields:   # one document for the whole unit
            entries = [{"work_unit": request.unit.name, **applicant_fields(e)} for e in request.applicants]
            jobs.append(Job(kind, fit(kind.model, {**shared, "applicants": entries}), "", request.unit.name,
                            "/applicants"))
    width = len(str(len(request.applicants)))
    for i, entry in enumerate(request.applicants):
        folder = f"{i + 1:0{width}d}-{_safe(entry.name)}"
        person = {"work_unit": request.unit.name, **applicant_fields(entry)}
        for slug in slugs:
            kind = KINDS[slug]
            if "applicants" in kind.model.model_fields or any(k not in entry.payload for k in kind.batch_when):
                continue
            data = {**shared, **profile.batch_defaults.get(slug, {}), **request.defaults.get(slug, {}),
                    "applicant": person, **entry.payload}
            jobs.append(Job(kind, fit(kind.model, data), folder, entry.name, f"/applicants/{i}"))
    return jobs


def file_name(kind: Kind, profile: profiles.Profile, fmt: str) -> str:
    """Name a file as the notice lists it: 附件3-个人承诺书.pdf."""
    number = profile.attachments.get(kind.slug)
    return f"{'附件' + str(number) + '-' if number else ''}{kind.title}.{fmt}"


def run(request: BatchRequest, out_dir: Path, renderer: Renderer,
        progress: Callable[[int, int], None] = lambda done, total: None) -> Outcome:
    """Render the batch into out_dir (files/, archive.zip, print.pdf); report progress per document.

    Every file is issued by Renderer.issue (recorded, counted), so the QR code on a batch's 评审表 verifies
    like any other.
    """
    profile = profiles.get(request.profile)
    jobs = plan(request)
    formats = list(dict.fromkeys(request.formats))
    work = out_dir.with_name(out_dir.name + ".part")
    shutil.rmtree(work, ignore_errors=True)
    (work / "files").mkdir(parents=True)
    outcome, printable = Outcome(), []
    progress(0, len(jobs))
    for done, job in enumerate(jobs, 1):
        kind_formats = [f for f in formats if f in job.kind.formats] + \
            [f for f in job.kind.formats if f not in ("pdf", "docx")]  # e.g. the roster's XLSX
        pdf = None
        try:
            for fmt in kind_formats:
                rendered = renderer.issue(job.kind.slug, job.payload, fmt, profile.id)
                path = work / "files" / job.folder / file_name(job.kind, profile, fmt)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(rendered.content)
                outcome.files.append(path)
                if fmt == "pdf":
                    pdf = rendered.content
            if pdf is None:   # printed only: an issued document all the same
                pdf = renderer.issue(job.kind.slug, job.payload, "pdf", profile.id).content
            printable.append(pdf)
        except Problem as problem:
            outcome.errors.extend(_errors(job, problem))
        progress(done, len(jobs))
    if printable:
        (work / PRINT).write_bytes(merge_for_duplex(printable))
    with zipfile.ZipFile(work / ARCHIVE, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted((work / "files").rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(work / "files"))
    shutil.rmtree(out_dir, ignore_errors=True)
    work.rename(out_dir)
    outcome.files = [out_dir / p.relative_to(work) for p in outcome.files]
    return outcome


def check(request: BatchRequest, renderer: Renderer) -> list[dict]:
    """Validate every document of the batch before anything is written; return the errors found."""
    errors = []
    for job in plan(request):
        try:
            renderer.prepare(job.kind.slug, job.payload, request.profile)
        except Problem as problem:
            errors.extend(_errors(job, problem))
    unique = {(e["pointer"], e["detail"]): e for e in errors}   # the same field fails in every document
    return list(unique.values())


def _errors(job: Job, problem: Problem) -> list[dict]:
    """Point a document's errors back into the batch request: /applicant/x → /applicants/3/x."""
    out = []
    for err in problem.errors or [{"pointer": "", "detail": problem.detail}]:
        pointer = err["pointer"]
        if job.folder and (pointer == "/applicant" or pointer.startswith("/applicant/")):
            pointer = job.pointer + pointer.removeprefix("/applicant")
        elif job.folder and pointer.split("/")[1:2] and pointer.split("/")[1] not in ("unit", "notice", "date",
                                                                                     "profile", "applicant"):
            pointer = f"{job.pointer}/payload{pointer}"
        out.append({"pointer": pointer, "detail": f"{job.who}：{err['detail']}", "document": job.kind.slug})
    return out


def _safe(name: str) -> str:
    """Make a name safe as a folder name on Windows and Linux; keep Chinese and ·."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip() or "无名"
