"""The profiles' material lists: what each notice asks an applicant to hand in, as data the package builder reads."""
from __future__ import annotations

import pytest

from docgen import profiles
from docgen.kinds import KINDS



@pytest.mark.parametrize("pid", profiles.ids())
def test_materials_name_registered_kinds_or_uploads(pid):
    materials = profiles.get(pid).materials
    assert materials, f"{pid} has no material list"
    for item in materials:
        assert item.document is None or item.document in KINDS, item.key
        # a scan is brought by the applicant; a generated document is not (seed 000 (四) 6, 9, 10, 11, 13)
        assert item.upload == (item.document is None), item.key
        assert not item.annotate_copy or item.original == "复印件", item.key


def test_default_list_is_seed_000():
    items = profiles.get("xinjiang").materials
    assert profiles.get("bazhou-2024").materials == items
    assert [m.seed.split("、")[0] for m in items if m.seed.startswith("000 (四)")] == [
        f"000 (四){n}" for n in (1, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)]
    assert [m.title for m in items if m.document is None] == [
        "继续教育公需科目和专业科目合格证书", "申报人身份证复印件", "论文著作", "2021、2022、2023年度考核表",
        "学历证明、学历在线验证报告、现任专业技术职务任职资格证书以及任现职以来的获得证书", "其他证明材料"]


def test_lists_differ_by_notice():
    tacheng = {m.key: m for m in profiles.get("tacheng-2023").materials}
    assert "与原件一致" in "".join(tacheng["annual-review"].notes) and tacheng["annual-review"].annotate_copy
    assert "已审核，情况属实" in "".join(tacheng["work-summary"].notes)
    aksu = profiles.get("aksu-archives-2024").materials
    assert [m.document for m in aksu] == ["evaluation-form", "public-notice", "notice-result", "recommendation",
                                          "commitment", "work-history-certificate"]
    assert aksu[0].copies == 3 and aksu[-1].condition
    urumqi = profiles.get("urumqi-etdz-2024")
    assert not urumqi.paper and all(p.paper for p in map(profiles.get, profiles.ids()) if p.id != urumqi.id)


def test_a_key_named_twice_is_refused():
    item = profiles.get("xinjiang").materials[0]
    data = profiles.get("xinjiang").model_dump()
    data["materials"] = [item.model_dump(), item.model_dump()]
    with pytest.raises(ValueError, match="material keys twice"):
        profiles.Profile(**data)


@pytest.mark.parametrize("pid,slug", [("bazhou-2024", "political-appraisal"), ("bazhou-2024", "work-history-certificate"),
                                      ("bazhou-2024", "material-list"), ("tacheng-2023", "work-summary")])
def test_a_document_the_material_list_names_renders_without_a_warning(pid, slug):
    assert profiles.get(pid).unnamed_warnings(slug, "文书") == []


def test_a_document_no_list_names_still_warns():
    assert profiles.get("tacheng-2023").unnamed_warnings("political-appraisal", "现实表现政治鉴定材料")
