"""The rendering core: `Renderer.render()` (validate → render → post-process, pure: it records nothing) and
`Issuer.issue()`, the one operation that makes a rendered file an issued document — its registry row and its
count — for the HTTP API, `docgen render`, the embedded batch runner and the Celery worker alike. A preview
is rendered with the 预览稿 mark, no number and no QR code, and never issued."""
from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import secrets
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from sqlalchemy import event
from sqlalchemy.orm import Session

from docgen import profiles
from docgen.config import ROOT, ConfigError, Settings, holiday_files
from docgen.db import Base
from docgen.errors import InvalidPayload, Problem, chinese_errors, unprintable
from docgen.kinds import KINDS, Kind, Options
from docgen.kinds.common import NAME_MAX
from docgen.metrics import Metrics
from docgen.registry import IssuedDocument, Registry, applicant_key
from docgen.render import docx as docx_render
from docgen.render import finish as finish_render
from docgen.render import merge
from docgen.render import qr
from docgen.render import pdf as pdf_render
from docgen.render.package import Package
from docgen.render.seal import Seal
from docgen.rules import WorkCalendar, hygiene

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SAMPLES_DIR = ROOT / "samples"
BLIND = "盲评"       # the subject of a blind copy: it names nobody
MAX_COPIES = 5
PREVIEW = "预览稿"                         # a preview's watermark, on every page
PREVIEW_NOTE = "仅供核对 · 未出具 · 无文书编号"   # under it, where an issued document's id would be
BLANK_NOTE = "空白表 · 手工填写 · 无文书编号"    # under a blank form's watermark (issue 21 point 9)
State = Literal["issued", "preview", "blank"]


def _json_value(value: object) -> str:
    """Write a date that our own code put in a payload (a batch's shared date) as JSON writes dates."""
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


@dataclass(frozen=True)
class Marks:
    """What makes an issued file stand as an original (issue 25): the unit's seal, its digital signature, PDF/A
    for the archive, the verification QR code (None: as the profile says)."""

    seal: bool = False
    sign: bool = False
    pdfa: bool | None = None   # None: the profile's archive_pdfa
    qr: bool | None = None     # None: whether the profile's qr_documents names the kind


@dataclass(frozen=True)
class Credentials:
    """A unit's seal image and signing certificate (DOCGEN_SEAL_IMAGE and DOCGEN_SIGNING_P12, or the unit's own
    from `docgen units`): never taken from a payload."""

    seal: Seal | None = None
    signer: Any = None          # docgen.render.signature.Signer


@dataclass
class Rendered:
    """A rendered file and what the caller should know about it."""

    content: bytes
    filename: str
    media_type: str
    document_id: str
    kind: Kind
    profile: str
    subject: str
    format: str
    warnings: list[str] = field(default_factory=list)
    applicant_key: str | None = None    # registry.applicant_key() of the applicant's ID number, if it has one
    preview: bool = False               # marked 预览稿, without a number ('' document_id): never to be issued


@dataclass
class Issuer:
    """Issues rendered documents: records each in the registry, so that it verifies at /v1/verify/{id}, and
    counts it for /metrics — exactly once, and only when its record is committed."""

    registry: Registry
    metrics: Metrics | None = None

    def issue(self, documents: Sequence[Rendered], *, batch_id: str | None = None,
              session: Session | None = None, also: Sequence[Base] = ()) -> None:
        """Issue documents: in a transaction of their own (with the rows `also`: who owns them), or in the
        caller's `session` (a batch item is completed in the same transaction as its documents are recorded),
        then counted once that commits."""
        if any(rendered.preview for rendered in documents):
            raise ValueError("a preview is never issued: render it again without preview")
        rows: list[Base] = [self._row(rendered, batch_id) for rendered in documents]
        if session is None:
            self.registry.add([*rows, *also])
            self._count(documents)
            return
        session.add_all(rows)
        event.listen(session, "after_commit", lambda _session: self._count(documents), once=True)

    def _count(self, documents: Sequence[Rendered]) -> None:
        if self.metrics is not None:
            for rendered in documents:
                self.metrics.count(rendered.kind.slug, rendered.format)

    @staticmethod
    def _row(rendered: Rendered, batch_id: str | None) -> IssuedDocument:
        """Return the registry row of a rendered file: its metadata and SHA-256, not the file."""
        return IssuedDocument(id=rendered.document_id, kind=rendered.kind.slug, title=rendered.kind.title,
                              profile=rendered.profile, subject=rendered.subject, format=rendered.format,
                              sha256=hashlib.sha256(rendered.content).hexdigest(), size=len(rendered.content),
                              issued_at=dt.datetime.now(dt.timezone.utc), batch_id=batch_id,
                              applicant_key=rendered.applicant_key)


@dataclass
class Renderer:
    """Renders documents of every registered kind with one set of templates, fonts and calendar; records
    nothing (Issuer.issue does). docgen.bootstrap.bootstrap() must have run in the process."""

    templates_dir: Path = ROOT / "templates"
    fonts_dir: Path = ROOT / "fonts"
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    public_url: str = str(Settings.model_fields["PUBLIC_URL"].default)   # base of the verification links in QR codes
    # signs those links; without settings a key for this process only (from_settings reads the real one)
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    credentials: Credentials = field(default_factory=Credentials)   # the deployment's one unit's, if configured

    @classmethod
    def from_settings(cls, settings: Settings) -> Renderer:
        """Build the renderer the settings describe: folders, holiday tables, public URL and signing key."""
        return cls(templates_dir=settings.TEMPLATES_DIR, fonts_dir=settings.FONTS_DIR,
                   calendar=WorkCalendar(extra_files=holiday_files(settings)),
                   public_url=settings.PUBLIC_URL, secret_key=settings.SECRET_KEY,
                   credentials=deployment_credentials(settings))

    def kind(self, slug: str) -> Kind:
        """Return the registered kind, or a 404 problem naming the known ones."""
        try:
            return KINDS[slug]
        except KeyError:
            raise Problem(404, "没有这种文书", f"未知的文书类型“{slug}”，可用：{'、'.join(KINDS)}",
                          slug="unknown-type") from None

    def profile(self, profile_id: str | None) -> profiles.Profile:
        """Return the profile, or a 422 problem listing the known ones."""
        try:
            return profiles.get(profile_id)
        except profiles.UnknownProfile:
            raise InvalidPayload([{"pointer": "/profile",
                                   "detail": f"没有地区配置“{profile_id}”，可用：{'、'.join(profiles.ids())}"}]) from None

    def validate(self, kind: Kind, payload: object) -> tuple[BaseModel, list[str]]:
        """Validate a payload against the kind's model; return it and the warnings that do not stop a render."""
        if not isinstance(payload, dict):
            raise InvalidPayload([{"pointer": "", "detail": "提交的内容应为 JSON 对象（{…}）"}])
        payload, refused = hygiene.clean(payload)      # NFC; no bidi, control or private-use characters
        if refused:
            raise unprintable(kind.model, refused)
        context: dict[str, Any] = {"calendar": self.calendar, "warnings": []}
        try:   # JSON taken strictly: true/false a boolean, a number a number, a date a YYYY-MM-DD string
            model = kind.model.model_validate_json(json.dumps(payload, default=_json_value), strict=True,
                                                   context=context)
        except ValidationError as exc:
            raise InvalidPayload(chinese_errors(exc, kind.model)) from None
        return model, context["warnings"]

    def prepare(self, slug: str, payload: object, profile_id: str | None = None, *, copies: int | None = None,
                blind: bool = False) -> tuple[Kind, BaseModel, profiles.Profile, dict[str, Any], list[str]]:
        """Validate a payload; return its kind, model, the context every format renders from, and warnings."""
        kind = self.kind(slug)
        model, warnings = self.validate(kind, payload)
        profile = self.profile(profile_id or getattr(model, "profile", None))
        warnings += profile.unnamed_warnings(kind.slug, kind.title)
        options = Options(copies=self._copies(kind, profile, copies), blind=blind)
        return kind, model, profile, kind.build(model, profile, options), warnings

    def render(self, slug: str, payload: object, fmt: str = "pdf", profile_id: str | None = None, *,
               copies: int | None = None, blind: bool = False, preview: bool = False, marks: Marks = Marks(),
               credentials: Credentials | None = None) -> Rendered:
        """Render one document from a payload, without recording it (Issuer.issue records); `copies` (default:
        the profile's) and `blind` where the kind declares them (Kind.copies, Kind.blind_fields); a `preview`
        carries the 预览稿 mark on every page and neither number, QR code, seal, signature nor PDF/A, and is not to
        be issued (marks asked with it: 400); `marks` with the unit's `credentials` (default: the deployment's)
        seal, sign and archive it."""
        kind = self.kind(slug)
        self._check_options(kind, copies, blind)
        credentials = credentials or self.credentials
        if preview and (marks.seal or marks.sign or marks.pdfa):
            raise Problem(400, "参数不对", "预览稿不是出具的文书：不盖章、不签名、不按 PDF/A 归档生成（去掉 preview 即正式出具）",
                          slug="bad-preview")
        check_marks(kind, fmt, marks, credentials)
        kind, model, profile, context, warnings = self.prepare(slug, payload, profile_id, copies=copies, blind=blind)
        subject = kind.subject(model)
        if len(subject) <= NAME_MAX:   # the person's name never breaks across lines
            context = {**context, "keep_together": [subject]}
        if blind:
            context, subject = finish_render.mask(context, kind.blind_fields), BLIND
        rendered = self._finish(kind, profile, context, fmt, subject, warnings,
                                copies=self._copies(kind, profile, copies), state="preview" if preview else "issued",
                                trust=_Trust(marks, credentials, _author(model)))
        id_number = getattr(getattr(model, "applicant", None), "id_number", None)
        if id_number:
            rendered.applicant_key = applicant_key(self.secret_key, id_number)
        return rendered

    @staticmethod
    def _copies(kind: Kind, profile: profiles.Profile, copies: int | None) -> int:
        """Return the copies to print: those asked for, else the kind's default for the profile, else one."""
        if copies is not None:
            return copies
        return kind.copies(profile) if kind.copies else 1

    @staticmethod
    def _check_options(kind: Kind, copies: int | None, blind: bool) -> None:
        """Refuse copies or a blind copy a kind does not make (400, as a bad query parameter)."""
        if copies is not None and copies != 1:
            if not kind.copies:
                raise Problem(400, "参数不对", f"{kind.title}只生成一份，不接受 copies 参数", slug="bad-copies")
            if not 1 <= copies <= MAX_COPIES:
                raise Problem(400, "参数不对", f"copies（份数）应为1至{MAX_COPIES}，收到“{copies}”", slug="bad-copies")
        if blind and not kind.blind_fields:
            raise Problem(400, "参数不对", f"{kind.title}没有盲评版，不接受 blind 参数", slug="bad-blind")

    def blank(self, slug: str, fmt: str = "pdf", profile_id: str | None = None, *, copies: int | None = None
              ) -> Rendered:
        """Render the empty form of a kind, to fill by hand: its watermark and the copies its words say (一式两份),
        no number and no QR code (nothing is recorded)."""
        kind = self.kind(slug)
        self._check_options(kind, copies, False)
        profile = self.profile(profile_id)
        printed = self._copies(kind, profile, copies)
        options = Options(copies=printed, blank=True)
        return self._finish(kind, profile, kind.blank(profile, options), fmt, "空白", [], copies=printed,
                            state="blank")

    def _finish(self, kind: Kind, profile: profiles.Profile, context: dict, fmt: str, subject: str,
                warnings: list[str], *, copies: int = 1, state: State = "issued", trust: _Trust | None = None
                ) -> Rendered:
        if fmt not in kind.formats:
            raise Problem(406, "不支持的格式", f"{kind.title}可生成的格式：{'、'.join(kind.formats)}",
                          slug="unsupported-format")
        document_id = "" if state == "preview" else uuid.uuid4().hex
        context = {**context, "document_id": document_id}
        # a preview (未出具) and a blank form (filled by hand) are not issued documents: no seal or signature, and
        # not PDF/A even where the profile archives every PDF — an archive copy stands for the issued original
        issued = state == "issued"
        trust = trust if trust is not None and issued else _Trust()
        pdfa = fmt == "pdf" and issued and trust.pdfa(profile)
        across = trust.marks.seal and kind.cross_page_seal   # a 骑缝章: a strip on each sheet of the copy
        pdf, template = pdf_render.renderer(str(self.templates_dir), str(self.fonts_dir)), f"{kind.slug}/document.html"
        # the PDF's pages where the DOCX needs them: a one-page kind's check, the copies' padding (LibreOffice drops
        # the odd-page section break between copies: the DOCX pads as the PDF does) and the 骑缝章's sheets
        needs_pages = copies > 1 or across or (kind.one_page is not None and state != "blank")
        finish = replace(self._finishing(kind, profile, document_id, copies, state, trust),
                         archive=finish_render.Archive(kind.title, subject, trust.author) if pdfa else None)
        if fmt == "pdf":
            content = pdf.render(template, context, kind.layout)
            self._check_one_page(kind, state, lambda: merge.page_count(content))
            content = _finished(kind, content, finish)
        elif fmt == "docx":
            # a letter set in the lines a page its PDF is; its pages those of the PDF made of the same content (a
            # batch makes both: PdfRenderer remembers them), else from one layout of it
            if needs_pages:
                lines, pages = pdf.fit(template, context, kind.layout)
            else:
                lines, pages = pdf.lines_per_page(template, context, kind.layout), 0
            self._check_one_page(kind, state, lambda: pages)
            # the finish writes into the rendered package: one zip written (a DOCX copy's pages as the PDF lays them
            # out, padded to even as the PDF is)
            content = _finished(kind, docx_render.renderer(str(self.templates_dir)).package(kind.slug, context, lines),
                                replace(finish, copy_pages=pages if copies > 1 or across else 0))
        else:
            content = kind.extra_formats[fmt](context)
        _settle(kind.slug, fmt)
        return Rendered(content, f"{subject}-{kind.title}{'-' + PREVIEW if state == 'preview' else ''}.{fmt}",
                        MEDIA_TYPES[fmt], document_id, kind, profile.id, subject, fmt, warnings,
                        preview=state == "preview")

    @staticmethod
    def _check_one_page(kind: Kind, state: State, pages: Callable[[], int]) -> None:
        """Refuse (422 at the field that gives way) a letter the kind prints on one page that runs over it."""
        if kind.one_page and state != "blank" and pages() > 1:
            raise InvalidPayload([{"pointer": kind.one_page[0], "detail": kind.one_page[1]}])

    def _finishing(self, kind: Kind, profile: profiles.Profile, document_id: str, copies: int, state: State,
                   trust: _Trust) -> finish_render.Finish:
        """Return what to add to an issued document: the kind's watermark and copies, the QR code where the profile
        (or the request) wants it, the unit's seal and signature; to a preview the 预览稿 mark instead, with the
        issue's pages and no code; to a blank form its watermark and copies, no code."""
        duplex = kind.copies is not None or copies > 1    # copies each start on a front side
        if state == "blank":   # seed 000 五(三): 有水印方为有效, 一式两份 — the blank form too
            return finish_render.Finish("", watermark=kind.watermark, watermark_note=BLANK_NOTE, copies=copies,
                                        pad=duplex)
        if state == "preview":
            return finish_render.Finish(document_id, watermark=PREVIEW, watermark_note=PREVIEW_NOTE, copies=copies,
                                        pad=duplex)
        return finish_render.Finish(
            document_id, watermark=kind.watermark, copies=copies, pad=duplex,
            verify_url=qr.verify_url(self.public_url, document_id, self.secret_key)
            if carries_qr(kind.slug, profile, trust.marks.qr) else None,
            seal=trust.credentials.seal if trust.marks.seal and kind.issued_by_unit else None,
            cross_seal=trust.credentials.seal if trust.marks.seal and kind.cross_page_seal else None,
            signer=trust.credentials.signer if trust.marks.sign else None)


_settled: set[tuple[str, str]] = set()
_settling = threading.Lock()


def _settle(slug: str, fmt: str) -> None:
    """Freeze what this process keeps (fonts, templates, caches) out of the garbage collector's way after its
    first document of a kind and format: gc.collect() first, so no garbage is kept, then gc.freeze(); later
    collections skip those objects. Interleaved in one process (CPU, medians of 8 blocks): the 评审表's PDF
    −19 %, a letter's PDF and DOCX −12 %, the 免学表's PDF −9 %. At most once per kind and format."""
    if (slug, fmt) in _settled:
        return
    with _settling:
        if (slug, fmt) not in _settled:
            _settled.add((slug, fmt))
            gc.collect()
            gc.freeze()


def _finished(kind: Kind, content: bytes | Package, finish: finish_render.Finish) -> bytes:
    """Return the rendered file (a PDF, or a DOCX's package) finished; a DOCX whose pages cannot carry the 骑缝章's
    strips is refused (400)."""
    try:
        if isinstance(content, Package):
            return finish_render.docx(content, finish)
        return finish_render.pdf(content, finish)
    except finish_render.Unsealable:
        raise Problem(400, "参数不对", f"{kind.title}有内容超出原定页面，Word 版无法确定每页的骑缝章位置：请用 format=pdf",
                      slug="bad-seal") from None


@dataclass(frozen=True)
class _Trust:
    """The marks asked for an issued document, with the credentials and the author (unit) they need."""

    marks: Marks = Marks()
    credentials: Credentials = Credentials()
    author: str = ""

    def pdfa(self, profile: profiles.Profile) -> bool:
        """Tell whether the PDF is to be PDF/A: asked for, else the profile's archive setting."""
        return self.marks.pdfa if self.marks.pdfa is not None else profile.archive_pdfa


def deployment_credentials(settings: Settings) -> Credentials:
    """Return the one unit's seal and signer the settings name (DOCGEN_SEAL_IMAGE, DOCGEN_SIGNING_P12)."""
    from docgen.render import seal, signature

    try:
        stamp = seal.load(settings.SEAL_IMAGE.read_bytes()) if settings.SEAL_IMAGE else None
    except (OSError, seal.SealError) as exc:
        raise ConfigError(f"invalid setting: DOCGEN_SEAL_IMAGE: {exc}") from None
    try:
        signer = signature.Signer.from_p12(settings.SIGNING_P12.read_bytes(), settings.SIGNING_PASSWORD,
                                           settings.TSA_URL) if settings.SIGNING_P12 else None
    except (OSError, signature.SignerError) as exc:
        raise ConfigError(f"invalid setting: DOCGEN_SIGNING_P12: {exc}") from None
    return Credentials(stamp, signer)


def carries_qr(slug: str, profile: profiles.Profile, asked: bool | None) -> bool:
    """Tell whether an issued document carries the verification QR code: as asked (qr=), else as the profile's
    qr_documents say."""
    return asked if asked is not None else slug in profile.qr_documents


def _author(model: BaseModel) -> str:
    """Return the unit a document comes from, for its metadata: the payload's unit, else the applicant's."""
    unit = getattr(getattr(model, "unit", None), "name", None)
    return str(unit or getattr(getattr(model, "applicant", None), "work_unit", None) or "")


def check_marks(kind: Kind, fmt: str, marks: Marks, credentials: Credentials) -> None:
    """Refuse marks a document cannot take (400, as a bad query parameter): a seal or signature on the
    applicant's own document, or without the unit's seal image or certificate; a seal on a spreadsheet; PDF/A or
    a signature on a DOCX; a QR code where the page has no room for it (Kind.qr_room)."""
    def refuse(slug: str, detail: str) -> Problem:
        return Problem(400, "参数不对", detail, slug=slug)

    if (marks.seal and not (kind.issued_by_unit or kind.cross_page_seal)) or (marks.sign and not kind.issued_by_unit):
        raise refuse("bad-seal", f"{kind.title}不是单位出具的文书，不加盖单位印章、不加单位签名")
    if marks.seal and fmt not in ("pdf", "docx"):
        raise refuse("bad-seal", f"印章只加在 PDF 和 Word 文件上，{fmt.upper()} 不加盖：请用 format=pdf 或 docx")
    if marks.seal and credentials.seal is None:
        raise refuse("no-seal", "本单位未登记印章图片：请设置 DOCGEN_SEAL_IMAGE 或运行 docgen units seal 单位 印章.png")
    if marks.sign and (fmt != "pdf" or credentials.signer is None):
        raise refuse("no-signer", "数字签名只用于 PDF，且须先登记本单位的证书（DOCGEN_SIGNING_P12 或 docgen units certificate）"
                     if credentials.signer is None else "数字签名只用于 PDF：请用 format=pdf")
    if marks.pdfa and fmt != "pdf":
        raise refuse("bad-pdfa", "PDF/A 只用于 PDF：请用 format=pdf")
    if marks.qr and not kind.qr_room:
        raise refuse("bad-qr", f"{kind.title}的页边没有印核验二维码的地方（会压住页码和表格）：请去掉 qr=true")


def sample(slug: str) -> dict:
    """Return the sample payload of a kind (samples/<slug>.json)."""
    return json.loads((SAMPLES_DIR / f"{slug}.json").read_text(encoding="utf-8"))
