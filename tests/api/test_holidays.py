"""A deployment adds next year's holiday schedule without a code change; until then the answer warns."""
from __future__ import annotations

import json
from urllib.parse import unquote

from docgen.app import create_app
from docgen.documents import sample
from tests.helpers import docx_text


def _result_in_2030(client):
    payload = sample("notice-result")
    payload["notice"] = {"start_date": "2030-09-30", "end_date": "2030-10-04"}   # Mon–Fri
    payload["date"] = "2030-10-08"
    return client.post("/v1/documents/notice-result?format=docx&profile=tacheng-2023", json=payload)


def _warnings(resp) -> list[str]:
    header = resp.headers.get("X-Docgen-Warnings")
    return json.loads(unquote(header)) if header else []


def test_uncovered_year_counts_weekdays_and_warns(client):
    resp = _result_in_2030(client)
    assert resp.status_code == 200
    assert any("2030年" in w and "只扣除了周末" in w for w in _warnings(resp))
    assert "经公示5个工作日无异议" in docx_text(resp.data)


def test_deployment_holiday_file_in_data_dir(tmp_path):
    # the 2030 National Day as a deployment would publish it: Oct 1–7 off, Sep 29 a working Sunday
    (tmp_path / "holidays.toml").write_text("""
[years.2030]
complete = true
holidays = ["2030-10-01", "2030-10-02", "2030-10-03", "2030-10-04", "2030-10-07"]
workdays = ["2030-09-29"]
""", encoding="utf-8")
    client = create_app({"TESTING": True, "DATA_DIR": str(tmp_path)}).test_client()
    resp = _result_in_2030(client)
    assert resp.status_code == 422   # Sep 30 only: 1 working day
    assert "1个工作日" in resp.json["errors"][0]["detail"]
    payload = sample("notice-result")
    payload["notice"] = {"start_date": "2030-09-29", "end_date": "2030-10-10"}
    payload["date"] = "2030-10-11"
    ok = client.post("/v1/documents/notice-result?format=docx&profile=tacheng-2023", json=payload)
    assert ok.status_code == 200, ok.json
    assert not any("只扣除了周末" in w for w in _warnings(ok))
    assert "经公示5个工作日无异议" in docx_text(ok.data)   # 29, 30, 8, 9, 10


def _notice_2024(client, start: str):
    payload = sample("public-notice")
    payload["notice"] = {"start_date": start}
    payload["date"] = start
    return client.post("/v1/documents/public-notice?format=docx", json=payload)


def test_2024_warns_only_near_an_estimated_festival(client):
    # 2024's official Xinjiang days are not in the tables: September is far from both festivals
    september = _notice_2024(client, "2024-09-02")
    assert september.status_code == 200 and _warnings(september) == []
    # a 公示 from 14 June runs into 古尔邦节 (Umm al-Qura 10 Dhu al-Hijjah 1445 = 16 June)
    june = _notice_2024(client, "2024-06-14")
    assert june.status_code == 200
    assert _warnings(june) == ["2024年新疆古尔邦节（据伊斯兰历推算约在2024年6月16日）的放假日期尚未录入，"
                               "公示期可能多计了工作日，请对照自治区放假通知人工核对"]
