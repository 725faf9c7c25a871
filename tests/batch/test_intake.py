"""Batch intake as strict as a single document, the XLSX template read back by the same reader, and the
operations around a batch: Idempotency-Key, limits, DELETE, retention, the ZIP layout and manifest."""
from __future__ import annotations

import copy
import hashlib
import io
import json
import time
import zipfile
from pathlib import Path

import pypdf
import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

from docgen.app import create_app
from docgen.batch import work
from docgen.batch.xlsx import read_roster_cells
from docgen.rules import vocab
from tests.helpers import pdf_text

SAMPLE = json.loads((Path(__file__).resolve().parents[2] / "samples" / "batch.json").read_text("utf-8"))


def _wait(client, location, seconds=120):
    deadline = time.monotonic() + seconds
    while (status := client.get(location).json)["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, status
        time.sleep(0.2)
    return status


def _pointers(resp) -> set[str]:
    assert resp.status_code == 422, resp.json
    return {e["pointer"] for e in resp.json["errors"]}


def test_a_typo_in_any_row_is_named_and_nothing_is_stored(client, app):
    bad = copy.deepcopy(SAMPLE)
    bad["applicants"][1]["ethnicty"] = "汉族"
    bad["applicants"][0]["payload"]["achievments"] = "…"
    bad["defaults"]["roster"]["speciality"] = "农业"
    resp = client.post("/v1/batches", json=bad)
    assert _pointers(resp) == {"/applicants/1/ethnicty", "/applicants/0/payload/achievments",
                               "/defaults/roster/speciality"}
    assert any("ethnicty" in e["detail"] and "李娟" in e["detail"] for e in resp.json["errors"])
    assert app.extensions["docgen"].store.unfinished() == []


def test_roster_fields_belong_to_the_roster(client):
    old = {**SAMPLE, "year": 2024}
    assert "/year" in _pointers(client.post("/v1/batches", json=old))


def _filled_template(client, rows: list[list]) -> bytes:
    resp = client.get("/v1/batches/template.xlsx")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(resp.data))
    sheet = book["花名册"]
    sheet["A2"] = "单位（盖章）：巴音郭楞蒙古自治州农业科学研究所"
    for number, row in enumerate(rows, start=5):   # below the example row, as staff type them
        for column, value in enumerate(row, start=1):
            sheet.cell(row=number, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_template_has_chinese_headers_drop_downs_hints_and_an_example(client):
    book = load_workbook(io.BytesIO(client.get("/v1/batches/template.xlsx").data))
    sheet, options = book["花名册"], book["选项"]
    headers = [c.value for c in sheet[3]]
    for header in ("姓名", "性别", "民族", "政治面貌", "身份证号码", "级别", "申报途径"):
        assert header in headers
    assert sheet.cell(row=4, column=1).value == "示例"
    lists = {}
    for rule in sheet.data_validations.dataValidation:
        column = headers[int(str(rule.sqref).split(":")[0][0], 36) - 10]
        assert rule.prompt, column                   # every column has an input hint
        if rule.type == "list":
            letter = rule.formula1.split("$")[1]
            lists[column] = [c.value for c in options[letter][1:] if c.value]
    assert lists["性别"] == list(vocab.GENDERS)
    assert lists["民族"][:56] == list(vocab.ETHNICITIES)
    assert lists["政治面貌"] == list(vocab.POLITICAL_STATUSES)
    assert lists["级别"] == list(vocab.LEVELS)
    assert lists["申报途径"] == list(vocab.ROUTES)


GOOD = [1, "李娟", "女", "汉族", "群众", "650102198802290026", "研究实习员", "2018-07-01", "助理研究员",
        "自然科学研究", "农业科学", "中级", None, "评审", None, None]
BAD_ID = [2, "王芳", "女", "汉族", "群众", "650102198802290027", None, None, "助理研究员",
          "自然科学研究", "农业科学", "中级", None, "评审", None, None]


def test_filled_template_errors_name_row_and_column_and_partial_runs_the_good_rows(client):
    content = _filled_template(client, [GOOD, BAD_ID])
    form = {"profile": "bazhou-2024", "documents": "commitment"}
    resp = client.post("/v1/batches", data={**form, "file": (io.BytesIO(content), "花名册.xlsx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 422, resp.json
    (error,) = [e for e in resp.json["errors"] if e["pointer"] == "/applicants/1/id_number"]
    assert error["row"] == 6 and error["column"] == "身份证号码"
    assert error["detail"].startswith("第6行“身份证号码”：") and "校验位" in error["detail"]

    resp = client.post("/v1/batches?partial=true", data={**form, "file": (io.BytesIO(content), "花名册.xlsx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 202, resp.json
    assert {e["row"] for e in resp.json["rejected"]} == {6}
    status = _wait(client, resp.headers["Location"])
    assert status["progress"]["total"] == 1
    with client.get(status["links"]["archive"]) as got:
        names = zipfile.ZipFile(io.BytesIO(got.data)).namelist()
    assert sorted(names) == ["files/01-李娟/附件3-个人承诺书.docx", "files/01-李娟/附件3-个人承诺书.pdf", "manifest.json"]


def test_public_notice_from_the_template_takes_its_two_texts_per_row(client):
    """The 公示 needs 思想政治条件 and 业绩成果 for each applicant: the template has a column for each."""
    political, achievements = "遵纪守法，爱岗敬业，作风正派。", "主持完成玉米抗旱品种选育项目，发表论文3篇。"
    missing = [*BAD_ID[:5], "650102198802290026", *BAD_ID[6:], political, None]
    content = _filled_template(client, [[*GOOD, political, achievements], missing])
    form = {"profile": "bazhou-2024", "documents": "public-notice", "unit.office": "所办公室",
            "unit.phone": "0996-2025816", "notice.start_date": "2024-09-02"}
    resp = client.post("/v1/batches", data={**form, "file": (io.BytesIO(content), "花名册.xlsx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 422, resp.json
    (error,) = [e for e in resp.json["errors"] if e["pointer"] == "/applicants/1/payload/achievements"]
    assert error["row"] == 6 and error["column"] == "业绩成果"

    resp = client.post("/v1/batches?partial=true", data={**form, "file": (io.BytesIO(content), "花名册.xlsx")},
                       content_type="multipart/form-data")
    status = _wait(client, resp.headers["Location"])
    assert status["status"] == "done", status
    with client.get(status["links"]["archive"]) as got:
        archive = zipfile.ZipFile(io.BytesIO(got.data))
        (notice,) = [n for n in archive.namelist() if n.endswith("推荐单位公示.pdf")]
        text = "".join(pdf_text(archive.read(notice)).split())
    assert political in text and achievements in text and "2024年9月2日" in text


def test_idempotency_key_returns_the_same_batch(client):
    first = client.post("/v1/batches", json=SAMPLE, headers={"Idempotency-Key": "unit-42-2024-09"})
    again = client.post("/v1/batches", json=SAMPLE, headers={"Idempotency-Key": "unit-42-2024-09"})
    assert first.status_code == 202 and again.status_code == 200
    assert first.json["id"] == again.json["id"]
    other = client.post("/v1/batches", json=SAMPLE, headers={"Idempotency-Key": "unit-42-2024-10"})
    assert other.json["id"] != first.json["id"]


@pytest.mark.parametrize("key", ["", "unit 42", "单位-42", "k" * 201, "tab\there"])
def test_an_idempotency_key_its_description_does_not_allow_is_refused(client, key):
    """The API describes the key as 1–200 printable ASCII characters; another one is refused (it was truncated or
    taken as it came: schemathesis found a batch accepted with one); 200 of them are a key."""
    answer = client.post("/v1/batches", json=SAMPLE, headers={"Idempotency-Key": key.encode("utf-8").decode("latin-1")})
    assert answer.status_code == 400 and answer.mimetype == "application/problem+json", answer.json
    assert answer.json["type"].endswith("/bad-idempotency-key") and "Idempotency-Key" in answer.json["detail"]
    assert "Location" not in answer.headers
    assert client.post("/v1/batches", json=SAMPLE, headers={"Idempotency-Key": "k" * 200}).status_code == 202


@pytest.fixture
def idle_app(tmp_path):
    """An app whose batches nobody runs (as under `docgen serve` with its runner stopped)."""
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "BATCH_RUNNER": "none",
                      "MAX_BATCH_APPLICANTS": 2, "MAX_RUNNING_BATCHES_PER_UNIT": 1})
    yield app
    app.extensions["docgen"].registry.engine.dispose()


def test_limits_per_batch_and_per_unit(idle_app):
    client = idle_app.test_client()
    three = {**SAMPLE, "applicants": SAMPLE["applicants"] + SAMPLE["applicants"][:1]}
    resp = client.post("/v1/batches", json=three)
    assert resp.status_code == 422 and "每批最多2名" in resp.json["errors"][0]["detail"]
    assert client.post("/v1/batches", json=SAMPLE).status_code == 202
    busy = client.post("/v1/batches", json=SAMPLE)
    assert busy.status_code == 429 and busy.headers["Retry-After"]
    assert busy.json["title"] == "本单位进行中的批次过多"


def test_zip_layout_manifest_delete_and_retention(client, app):
    resp = client.post("/v1/batches", json=SAMPLE)
    status = _wait(client, resp.headers["Location"])
    with client.get(status["links"]["archive"]) as got:
        archive = zipfile.ZipFile(io.BytesIO(got.data))
    names = archive.namelist()
    assert "files/附件5-申报人员花名册.pdf" in names and "files/附件5-申报人员花名册.xlsx" in names   # the roster at the top
    assert "files/01-阿不都热合曼·买买提/附件3-个人承诺书.pdf" in names
    manifest = json.loads(archive.read("manifest.json"))
    assert {f["path"] for f in manifest["files"]} == set(names) - {"manifest.json"}
    assert all(len(f["sha256"]) == 64 and len(f["document_id"] or "-" * 32) == 32 for f in manifest["files"])
    # the whole set: each applicant's package too, described item by item
    package = next(f for f in manifest["files"] if f["path"] == "files/01-阿不都热合曼·买买提/申报材料.pdf")
    assert package["type"] == "package" and package["document_id"] is None and package["pages"] > 10
    assert status["expires_at"] > status["finished_at"]
    for entry in manifest["files"]:   # copied in as each stored file was read: whole, and readable once unzipped
        info = archive.getinfo(entry["path"])
        assert hashlib.sha256(archive.read(info)).hexdigest() == entry["sha256"] and info.file_size == entry["size"]
        assert info.external_attr >> 16 == 0o600 and info.compress_type == zipfile.ZIP_STORED   # compressed within
    assert archive.getinfo("manifest.json").compress_type == zipfile.ZIP_DEFLATED
    with client.get(status["links"]["print"]) as got:   # every document's PDF, each from a front side
        printed = pypdf.PdfReader(io.BytesIO(got.data), strict=True)
    documents = [f["pages"] for f in manifest["files"] if f["format"] == "pdf" and f["document_id"]]
    assert len(printed.pages) == sum(pages + pages % 2 for pages in documents)

    deleted = client.delete(f"/v1/batches/{status['id']}")
    assert deleted.status_code == 200 and deleted.json["files_deleted"]["reason"] == "deleted"
    gone = client.get(status["links"]["archive"])
    assert gone.status_code == 410 and "删除" in gone.json["detail"]
    assert client.get(f"/v1/batches/{status['id']}").json["files_deleted"]["reason"] == "deleted"
    assert not (Path(app.config["DATA_DIR"]) / "batches" / status["id"]).exists()
    document_id = manifest["files"][0]["document_id"]   # the registry keeps what was issued
    assert client.get(f"/v1/verify/{document_id}", headers={"Accept": "application/json"}).status_code == 200


def test_expired_batches_lose_their_files_and_say_so(tmp_path):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "BATCH_RETENTION_HOURS": 0})
    client = app.test_client()
    try:
        status = _wait(client, client.post("/v1/batches", json={**SAMPLE, "documents": ["commitment"]})
                       .headers["Location"])
        services = app.extensions["docgen"]
        deadline = time.monotonic() + 30
        while "files_deleted" not in (status := client.get(f"/v1/batches/{status['id']}").json):
            work.expire(services)
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert status["files_deleted"]["reason"] == "expired" and "links" not in status
        resp = client.get(f"/v1/batches/{status['id']}/archive")
        assert resp.status_code == 410 and "保存期限" in resp.json["detail"]
    finally:
        app.extensions["docgen"].close()


def test_the_template_with_an_applicants_row_reads_back_as_that_applicant(client: FlaskClient) -> None:
    """The page exports a draft as one 花名册 row: the template's columns, read back by the batch's own reader."""
    applicant = SAMPLE["applicants"][0]
    resp = client.post("/v1/batches/template.xlsx", json={"unit": SAMPLE["unit"]["name"], "applicants": [applicant]})
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet"), resp.data[:300]
    sheet = load_workbook(io.BytesIO(resp.data))["花名册"]
    assert sheet["A2"].value == "单位（盖章）：" + SAMPLE["unit"]["name"]
    assert [c.value for c in sheet[5]][:2] == [1, applicant["name"]]
    assert sheet.cell(row=5, column=6).number_format == "@"      # the ID number stays text in Excel
    data, _ = read_roster_cells(resp.data)
    (read,) = data["applicants"]
    assert {k: read[k] for k in ("name", "id_number", "gender", "target_title", "level")} == \
        {k: applicant[k] for k in ("name", "id_number", "gender", "target_title", "level")}
    assert read["payload"]["political"] == applicant["payload"]["political"]


def test_a_roster_row_without_a_name_is_a_chinese_422(client: FlaskClient) -> None:
    resp = client.post("/v1/batches/template.xlsx", json={"applicants": [{"gender": "男"}]})
    assert resp.status_code == 422
    (error,) = resp.get_json()["errors"]
    assert error["pointer"] == "/applicants/0/name" and "姓名" in error["detail"]
