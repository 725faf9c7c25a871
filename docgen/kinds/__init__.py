"""The registry of document types: each module in this package declares one `KIND`."""
from __future__ import annotations

from dataclasses import dataclass, field
import pkgutil
from importlib import import_module
from collections.abc import Mapping
from typing import Any
from collections.abc import Callable

from pydantic import BaseModel

from docgen.profiles import Profile


@dataclass(frozen=True)
class Options:
    """How a document is asked for (the API's query, the CLI's flags): build() and blank() see them, so the
    form's own words match what is printed (一式三份 when copies=3)."""

    copies: int | None = None   # copies printed, each padded for duplex; None: the kind's default (Kind.copies)
    blind: bool = False         # the 盲评 copy: Kind.blind_fields masked
    blank: bool = False         # the empty form to fill by hand


@dataclass(frozen=True)
class Kind:
    """A document type: its payload model, how to build the template context, and its metadata.

    Its presentation lives in templates/<slug>/: document.html, document.css and the DOCX builder <slug_with_underscores>_docx.py;
    the sample payload in samples/<slug>.json. Renderers take the context dict and know no kind by name.
    """

    slug: str
    title: str                                         # shown in the API and in file names
    model: type[BaseModel]
    build: Callable[[Any, Profile, Options], dict]     # (payload, profile, options) -> template context
    blank: Callable[[Profile, Options], dict]          # the empty form to fill by hand
    subject: Callable[[Any], str]                      # who the file is about: 张三 or the unit
    landscape: bool = False
    formats: tuple[str, ...] = ("pdf", "docx")
    seeds: str = ""                                    # where the seeds define it
    # in a batch, made only for applicants whose payload has these keys (e.g. 免学理由: few need the form)
    batch_when: tuple[str, ...] = ()
    # one document for the whole unit (the roster): a batch makes it once, from every applicant
    unit_level: bool = False
    # fields the unit gives once for all its applicants (the 纪检部门 that certifies): a batch takes them from its
    # `defaults` and reports one missing once, at /defaults/<slug>/<field>
    unit_fields: tuple[str, ...] = ()
    extra_formats: dict[str, Callable[[dict], bytes]] = field(default_factory=dict)
    # post-processing of an issued document (docgen.render.finish), the same for every kind that asks:
    watermark: str | None = None                       # light-grey diagonal wording (+ the document id), every page
    # the unit issues it (a 公示, a 证明, its 推荐意见): it may take the unit's seal and signature; never the
    # applicant's own (承诺书, 个人总结). Which documents carry the QR code is the profile's `qr_documents`.
    issued_by_unit: bool = False
    # sealed (seal=true), its copies take the unit's seal as a 骑缝章 across their sheets instead (the 评审表)
    cross_page_seal: bool = False
    copies: Callable[[Profile], int] | None = None     # default copies (each padded for duplex); None: always one
    blind_fields: tuple[str, ...] = ()                 # context paths masked in the blind (盲评) copy
    # its bottom margin holds the verification QR code (docgen.render.finish: 20 mm, 7 mm up, centred), clear of
    # the page number and the text; the landscape roster's 10 mm, under its centred 第N页, does not
    qr_room: bool = True
    # numbers the kind's Python and its stylesheet both need, defined once in the kind's module and handed
    # to templates/<slug>/document.css as CSS custom properties: {"line": "6mm"} is read as var(--line)
    layout: Mapping[str, str] = field(default_factory=dict)
    # a letter that must print on one page (sealed: two pages would need a 骑缝章): (the pointer of the field
    # that gives way, the 422's detail) when the PDF's layout runs over
    one_page: tuple[str, str] | None = None


SHARED = frozenset({"common"})   # modules of this package that hold shared parts, not a kind


def _load() -> dict[str, Kind]:
    """Import every module of this package (but the shared ones); each must declare `KIND`."""
    kinds: dict[str, Kind] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name in SHARED or info.name.startswith("_"):
            continue
        module = import_module(f"{__name__}.{info.name}")
        kind = getattr(module, "KIND", None)
        if not isinstance(kind, Kind):
            raise TypeError(f"{module.__name__} declares no KIND = Kind(...)")
        if kind.slug.replace("-", "_") != info.name or kind.slug in kinds:
            raise ValueError(f"{module.__name__}: KIND.slug {kind.slug!r} must be the module's name with - for _")
        kinds[kind.slug] = kind
    return kinds


KINDS: dict[str, Kind] = _load()
