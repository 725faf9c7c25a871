"""Profiles over HTTP: the list, and one profile's fee table with amounts in words."""


def test_list_profiles(client):
    ids = [p["id"] for p in client.get("/v1/profiles").json["profiles"]]
    assert ids == sorted(["xinjiang", "bazhou-2024", "bazhou-eng-2021", "aksu-archives-2024", "tacheng-2023",
                          "urumqi-etdz-2024"])


def test_fee_tables_differ_by_notice(client):
    bazhou = {f["item"]: f for f in client.get("/v1/profiles/bazhou-2024").json["fees"]}
    aksu = {f["item"]: f for f in client.get("/v1/profiles/aksu-archives-2024").json["fees"]}
    assert bazhou["中级"] == {"item": "中级", "yuan": 380, "in_words": "叁佰捌拾元整"}
    assert bazhou["初级"]["yuan"] == 220
    assert aksu["中级"]["in_words"] == "肆佰元整" and aksu["初级"]["yuan"] == 200


def test_profile_facts(client):
    tacheng = client.get("/v1/profiles/tacheng-2023").json
    assert tacheng["ban_years"] == 5 and tacheng["evaluation_copies"] == 2
    assert client.get("/v1/profiles/aksu-archives-2024").json["evaluation_copies"] == 3


def test_unknown_profile_404(client):
    resp = client.get("/v1/profiles/mars")
    assert resp.status_code == 404 and resp.mimetype == "application/problem+json"


def test_material_list_in_the_notices_order(client):
    resp = client.get("/v1/profiles/bazhou-2024/materials")
    assert resp.status_code == 200
    body = resp.json
    assert body["profile"] == "bazhou-2024" and body["paper"] is True
    items = body["materials"]
    # seed 000 (四): 评审表 4th, 承诺书 12th of its 13 items (item 3 is two documents, 五(一)12's 免试表 follows 5)
    assert [m["key"] for m in items][:5] == ["political-appraisal", "unit-nature", "public-notice", "notice-result",
                                             "evaluation-form"]
    assert items[-2]["key"] == "commitment" and items[-1] == {
        "key": "other", "title": "其他证明材料", "document": None, "upload": True, "copies": 1,
        "original": "原件或复印件", "annotate_copy": False, "condition": "", "notes": [], "seed": "000 (四)13"}
    form = next(m for m in items if m["key"] == "evaluation-form")
    assert form["document"] == "evaluation-form" and form["copies"] == 2 and not form["upload"]
    review = next(m for m in items if m["key"] == "annual-review")
    assert review["upload"] and review["annotate_copy"] and review["original"] == "复印件"
    assert "纸质注明复印人、复印时间并加盖单位公章" in review["notes"]


def test_material_list_without_paper(client):
    body = client.get("/v1/profiles/urumqi-etdz-2024/materials").json
    assert body["paper"] is False
    assert [m["document"] for m in body["materials"]][:3] == ["public-notice", "notice-result", "recommendation"]
    assert client.get("/v1/profiles/aksu-archives-2024/materials").json["materials"][0]["copies"] == 3


def test_material_list_of_unknown_profile_404(client):
    resp = client.get("/v1/profiles/mars/materials")
    assert resp.status_code == 404 and resp.mimetype == "application/problem+json"
    assert "xinjiang" in resp.json["detail"]
