"""Regional profiles: what each notice varies, including its fee table with amounts in words."""
from __future__ import annotations

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from docgen import profiles, rules
from docgen.errors import Problem

bp = APIBlueprint("profiles", __name__, url_prefix="/v1")
TAG = Tag(name="地区配置", description="各地区、各年度通知的差异：措辞、禁报年限、评审表份数、附件序号、收费标准")


class ProfilePath(BaseModel):
    profile_id: str = Field(description="地区配置编号，如 bazhou-2024")


def _summary(profile: profiles.Profile) -> dict:
    return {"id": profile.id, "name": profile.name, "authority": profile.authority, "year": profile.year}


@bp.get("/profiles", tags=[TAG], summary="列出地区配置")
def list_profiles():
    return {"profiles": [_summary(profiles.get(pid)) for pid in profiles.ids()]}


@bp.get("/profiles/<profile_id>", tags=[TAG], summary="一个地区配置的全部内容，含收费标准（大写金额）")
def get_profile(path: ProfilePath):
    try:
        profile = profiles.get(path.profile_id)
    except profiles.UnknownProfile:
        raise Problem(404, "没有这个地区配置", f"可用：{'、'.join(profiles.ids())}", slug="unknown-profile") from None
    data = profile.model_dump()
    data["fees"] = [{"item": item, "yuan": yuan, "in_words": rules.amount_in_words(yuan)}
                    for item, yuan in profile.fees.items()]
    return data
