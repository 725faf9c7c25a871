"""The registry of document types: each module in this package declares one `KIND`."""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, Callable

from pydantic import BaseModel

from docgen.profiles import Profile


@dataclass(frozen=True)
class Kind:
    """A document type: its payload model, how to build the template context, and its metadata.

    The templates live in templates/<slug>/document.html and templates/<slug>/document.docx; the sample
    payload in samples/<slug>.json. Renderers take the context dict and know no kind by name.
    """

    slug: str
    title: str                                         # shown in the API and in file names
    model: type[BaseModel]
    build: Callable[[Any, Profile], dict]              # (payload, profile) -> template context
    blank: Callable[[Profile], dict]                   # the empty form to fill by hand
    subject: Callable[[Any], str]                      # who the file is about: 张三 or the unit
    landscape: bool = False
    formats: tuple[str, ...] = ("pdf", "docx")
    seeds: str = ""                                    # where the seeds define it
    # in a batch, made only for applicants whose payload has these keys (e.g. 免学理由: few need the form)
    batch_when: tuple[str, ...] = ()
    extra_formats: dict[str, Callable[[dict], bytes]] = field(default_factory=dict)
    # post-processing of an issued document (docgen.render.finish), the same for every kind that asks:
    watermark: str | None = None                       # light-grey diagonal wording (+ the document id), every page
    verification_qr: bool = False                      # QR code on every page: PUBLIC_URL/v1/verify/<id>?s=<sig>
    copies: Callable[[Profile], int] | None = None     # default copies (each padded for duplex); None: always one
    blind_fields: tuple[str, ...] = ()                 # context paths masked in the blind (盲评) copy


_MODULES = ("public_notice", "notice_result", "recommendation", "commitment", "ce_exemption", "roster",
            "integrity_certificate", "authenticity_guarantee", "evaluation_form")


def _load() -> dict[str, Kind]:
    kinds: dict[str, Kind] = {}
    for name in _MODULES:
        try:
            module = import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            continue  # not written yet
        kinds[module.KIND.slug] = module.KIND
    return kinds


KINDS: dict[str, Kind] = _load()
