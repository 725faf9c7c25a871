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
