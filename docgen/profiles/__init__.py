"""Regional profiles: the data files that say what each issuing authority's notice varies."""
from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DEFAULT_PROFILE = "xinjiang"
# an id names a file in this package: nothing else (no paths, no names longer than a file system allows)
PROFILE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
COVER = "material-list"    # the document type of a package's 目录, named by every profile with a material list


class Material(BaseModel):
    """One item of a notice's list of 申报材料 (seed 000 (四), 002 四(五), 003 三(三)), in the notice's order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9-]{0,39}$", description="材料编号（英文），批量上传扫描件时用作 attachment:<序号>:<key>")
    title: str = Field(min_length=2, max_length=60, description="材料名称（通知原文）")
    document: str | None = Field(None, description="生成该材料的文书类型（见 GET /v1/document-types）；null：本服务不生成")
    upload: bool = Field(False, description="是否由申报人提供扫描件（证书、论文、考核表等）")
    copies: int = Field(1, ge=1, le=5, description="份数")
    original: Literal["原件", "复印件", "原件或复印件"] = Field("原件", description="交原件还是复印件")
    annotate_copy: bool = Field(False, description="复印件是否加注“复印件 与原件一致 / 复印人 / 复印时间 / 盖章处”")
    condition: str = Field("", description="只有符合此情形的申报人才提交（如免除继续教育者）；空：每人都交")
    notes: tuple[str, ...] = Field((), description="通知对该材料的要求：谁签字、盖章、复印件如何注明等")
    seed: str = Field("", description="出处：通知中的条目")


class Profile(BaseModel):
    """One issuing authority and year: wording, ban years, copies, attachment numbers, fees."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str = Field(description="发文机关与年度")
    authority: str = Field(description="评审委员会或发文机关")
    source: str = Field(default="", description="依据的通知")
    year: int
    ban_years: int = Field(3, ge=1, le=10, description="弄虚作假者不得申报的年限")
    evaluation_copies: int = Field(2, ge=1, le=5, description="评审表份数")
    documents: tuple[str, ...] = Field(description="本地区单位需提交的文书（批量生成的范围）")
    attachments: dict[str, int] = Field(default_factory=dict, description="文书对应的附件序号")
    fees: dict[str, int] = Field(default_factory=dict, description="评审费（元/人），按级别或途径")
    mask_id_in_public: bool = Field(True, description="张贴公示时是否遮盖身份证号码中间位")
    batch_defaults: dict[str, dict[str, str]] = Field(default_factory=dict,
                                                      description="批量生成时各文书的缺省字段，如推荐意见由谁出具")
    texts: dict[str, dict[str, bool | int | str | list[str]]] = Field(default_factory=dict, description="各文书的措辞")
    paper: bool = Field(True, description="是否上报纸质申报材料（档案袋）；false：只在网上提交电子版")  # seed 004
    materials: tuple[Material, ...] = Field((), description="申报材料清单，按通知所列顺序")
    qr_documents: tuple[str, ...] = Field((), description="页下白边印核验二维码的文书（可用 qr=true|false 逐份改）")
    archive_pdfa: bool = Field(False, description="PDF 一律按 PDF/A-2b 生成（归档用；也可用 pdfa=true 逐份要求）")

    @model_validator(mode="after")
    def _keys_unique(self) -> Profile:
        """Reject a material list that names one key twice (a scan must find its one item)."""
        keys = [m.key for m in self.materials]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise ValueError(f"profile {self.id!r}: material keys twice: {twice}")
        return self

    def text(self, slug: str, key: str) -> Any:
        """Return the wording `key` of document `slug`; a KeyError names what the profile lacks."""
        try:
            return self.texts[slug][key]
        except KeyError:
            raise KeyError(f"profile {self.id!r} has no text {slug}.{key}") from None

    def names(self, slug: str) -> bool:
        """Tell whether the profile's notice names document `slug`: among its documents, its attachments or its
        material list — whose own 目录 the list implies (seed 000 (四): 档案袋封面张贴申报材料目录)."""
        listed = {item.document for item in self.materials} | ({COVER} if self.materials else set())
        return slug in self.documents or slug in self.attachments or slug in listed

    def unnamed_warnings(self, slug: str, title: str) -> list[str]:
        """Return the warning for a document the profile's notice does not name; none when it names it."""
        if self.names(slug):
            return []
        return [f"{self.name}的通知未要求提交《{title}》：仍按通用格式生成，请确认本次申报是否需要此文书"]


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _raw(profile_id: str) -> dict:
    if not isinstance(profile_id, str) or not PROFILE_ID.fullmatch(profile_id):
        raise UnknownProfile(profile_id)
    name = f"{profile_id}.toml"
    files = resources.files(__package__)
    if not files.joinpath(name).is_file():
        raise UnknownProfile(profile_id)
    data = tomllib.loads(files.joinpath(name).read_text(encoding="utf-8"))
    parent = data.pop("extends", None)
    return _merge(_raw(parent), data) if parent else data


class UnknownProfile(LookupError):
    """No profile file has this id."""

    def __init__(self, profile_id: str):
        super().__init__(profile_id)
        self.profile_id = profile_id


@cache
def get(profile_id: str | None = None) -> Profile:
    """Load a profile by id (default `xinjiang`), its `extends` chain merged under it."""
    profile_id = profile_id or DEFAULT_PROFILE
    return Profile(id=profile_id, **_raw(profile_id))


def ids() -> list[str]:
    """List the ids of all packaged profiles."""
    return sorted(p.name.removesuffix(".toml") for p in resources.files(__package__).iterdir()
                  if p.name.endswith(".toml"))
