"""Regional profiles: what each notice varies, including its fee table with amounts in words."""
from __future__ import annotations

from flask_openapi3 import Tag
from pydantic import BaseModel, Field

from docgen import profiles, rules
from docgen.api.openapi import blueprint, problems
from docgen.errors import Problem

bp = blueprint("profiles", __name__, url_prefix="/v1")
TAG = Tag(name="profiles", description="地区配置：各地区、各年度通知的差异：措辞、禁报年限、评审表份数、附件序号、收费标准")


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


def _summary(profile: profiles.Profile) -> dict:
    return {"id": profile.id, "name": profile.name, "authority": profile.authority, "year": profile.year}


@bp.get("/profiles", tags=[TAG], summary="列出地区配置", responses={200: ProfileList})
def list_profiles():
    return {"profiles": [_summary(profiles.get(pid)) for pid in profiles.ids()]}


@bp.get("/profiles/<profile_id>", tags=[TAG], summary="一个地区配置的全部内容，含收费标准（大写金额）",
        responses={200: ProfileDetail, **problems(404)})
def get_profile(path: ProfilePath):
    try:
        profile = profiles.get(path.profile_id)
    except profiles.UnknownProfile:
        raise Problem(404, "没有这个地区配置", f"可用：{'、'.join(profiles.ids())}", slug="unknown-profile") from None
    data = profile.model_dump()
    data["fees"] = [{"item": item, "yuan": yuan, "in_words": rules.amount_in_words(yuan)}
                    for item, yuan in profile.fees.items()]
    return data
