"""Regional profiles: what each notice varies, including its fee table with amounts in words and its material list."""
from __future__ import annotations

from flask_openapi3 import Tag
from pydantic import BaseModel, Field

from docgen import profiles, rules
from docgen.api.openapi import Answer, blueprint, problems
from docgen.errors import Problem

bp = blueprint("profiles", __name__, url_prefix="/v1")
TAG = Tag(name="profiles", description="地区配置：各地区、各年度通知的差异：措辞、禁报年限、评审表份数、附件序号、收费标准、申报材料清单")


class ProfilePath(BaseModel):
    profile_id: str = Field(description="地区配置编号，见 GET /v1/profiles", json_schema_extra={"example": "bazhou-2024"})


class ProfileSummary(BaseModel):
    id: str = Field(description="地区配置编号，用作 profile 参数")
    name: str = Field(description="发文机关与年度")
    authority: str = Field(description="评审委员会或发文机关")
    year: int = Field(description="年度")


class ProfileList(BaseModel):
    profiles: list[ProfileSummary]


class Fee(BaseModel):
    item: str = Field(description="收费项目（级别或途径）")
    yuan: int = Field(description="金额（元/人）")
    in_words: str = Field(description="大写金额", examples=["叁佰捌拾元整"])


class ProfileDetail(profiles.Profile):
    """A profile as the API answers it: the fee table as items with amounts in words."""

    fees: list[Fee] = Field(description="评审费（元/人），含大写金额")  # type: ignore[assignment]


class MaterialList(BaseModel):
    """A profile's 申报材料 in its notice's order."""

    profile: str = Field(description="地区配置编号")
    paper: bool = Field(description="是否上报纸质申报材料；false：无需上报纸质材料，只在网上提交电子版")
    materials: list[profiles.Material] = Field(description="申报材料，按通知所列顺序")


def _profile(profile_id: str) -> profiles.Profile:
    """Return the profile, or a 404 problem listing the known ones."""
    try:
        return profiles.get(profile_id)
    except profiles.UnknownProfile:
        raise Problem(404, "没有这个地区配置", f"可用：{'、'.join(profiles.ids())}", slug="unknown-profile") from None


def _summary(profile: profiles.Profile) -> dict:
    return {"id": profile.id, "name": profile.name, "authority": profile.authority, "year": profile.year}


@bp.get("/profiles", tags=[TAG], summary="列出地区配置", responses={200: ProfileList},
        description="各发文机关、各年度的通知所定的差异（措辞、禁报年限、评审表份数、附件序号、收费、批量所含文书）"
                    "各为一个地区配置；编号用作 profile 参数。")
def list_profiles() -> Answer:
    return {"profiles": [_summary(profiles.get(pid)) for pid in profiles.ids()]}


@bp.get("/profiles/<profile_id>", tags=[TAG], summary="一个地区配置的全部内容，含收费标准（大写金额）",
        description="该地区配置的全部内容：依据的通知、措辞、份数、附件序号、收费标准（金额另以大写给出）与申报材料清单。",
        responses={200: ProfileDetail, **problems(404)})
def get_profile(path: ProfilePath) -> Answer:
    profile = _profile(path.profile_id)
    data = profile.model_dump()
    data["fees"] = [{"item": item, "yuan": yuan, "in_words": rules.amount_in_words(yuan)}
                    for item, yuan in profile.fees.items()]
    return data


@bp.get("/profiles/<profile_id>/materials", tags=[TAG], summary="一个地区配置的申报材料清单（按通知所列顺序）",
        description="每项材料的编号（key）、名称、由本服务生成的文书类型（或 null）、是否需上传扫描件（upload）与份数；"
                    "批量提交扫描件时以 key 命名 multipart 字段 attachment:<申报人序号>:<key>。",
        responses={200: MaterialList, **problems(404)})
def get_profile_materials(path: ProfilePath) -> Answer:
    profile = _profile(path.profile_id)
    return MaterialList(profile=profile.id, paper=profile.paper, materials=list(profile.materials)).model_dump()
