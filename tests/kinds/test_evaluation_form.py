"""专业技术职务任职资格评审表: what a user sees — the form's text, the watermark on every page (as a scan shows
it), the QR code that opens the document's verification, copies for duplex printing and the blind copy."""
from __future__ import annotations

import base64
import hashlib
import io
import re
import shutil
import subprocess
import zipfile
from urllib.parse import parse_qs, urlparse

import pikepdf
import pytest
from PIL import Image

from docgen.documents import sample
from docgen.render import finish, watermark
from tests.helpers import changed, docx_text, errors_of, pdf_pages_text, pdf_text, squash

SLUG = "evaluation-form"
NAME, UNIT, ID = "热依拉·艾买提", "阿克苏地区农业技术推广中心", "652901198503120421"


@pytest.fixture(scope="module")
def one(renderer):
    """One copy of the sample, PDF (the watermark, QR code and text are those of every copy)."""
    return renderer.render(SLUG, sample(SLUG), "pdf", copies=1)


def _png(pdf: bytes, page: int, dpi: int, tmp_path) -> Image.Image:
    (tmp_path / "x.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-singlefile",
                    str(tmp_path / "x.pdf"), str(tmp_path / "page")], check=True)
    return Image.open(tmp_path / "page.png").convert("L")


def _watermark_grey_share(image: Image.Image) -> float:
    """Share of the page's pixels within ±6 of the watermark's grey."""
    grey = round(watermark.GREY * 255)
    histogram = image.histogram()
    return sum(histogram[grey - 6:grey + 7]) / (image.width * image.height)


def test_the_form_prints_what_the_payload_says(one):
    text = squash(pdf_text(one.content))
    for expected in ("专业技术职务任职资格评审表", "新疆维吾尔自治区人力资源和社会保障厅制", NAME, UNIT, ID, "农业系列农学专业",
                     "高级农艺师", "农艺师（2017年12月）", "1985年3月", "2004年9月—2008年7月", "2013年1月—至今",
                     "2019年度：合格；2020年度：优秀", "92学时", "第一作者", "二等奖", "2024年9月10日",
                     "评委总数", "本人签字", "主管部门意见"):
        assert squash(expected) in text, expected


def test_four_pages_the_cover_without_a_number(one):
    pages = pdf_pages_text(one.content)
    assert len(pages) == 4
    assert "— 1 —" not in pages[0] and "基本情况" in pages[1] and "评审委员会意见" in pages[3]


def test_profile_wording_copies_in_the_print_note(renderer):
    """The print note names the copies printed: the profile's default (Aksu 三, Bazhou 两), or those asked for."""
    aksu = squash(docx_text(renderer.render(SLUG, sample(SLUG), "docx", "aksu-archives-2024").content))
    bazhou = squash(pdf_text(renderer.render(SLUG, sample(SLUG), "pdf", "bazhou-2024").content))
    tacheng = squash(pdf_text(renderer.render(SLUG, sample(SLUG), "pdf", "tacheng-2023", copies=1).content))
    assert "一式三份" in aksu and "一式两份" in bazhou and "一式三份" not in bazhou
    assert "一式一份" in tacheng
    asked = renderer.render(SLUG, sample(SLUG), "docx", "bazhou-2024", copies=3).content
    assert squash(docx_text(asked)).count("一式三份") == 3
    assert "单位主要领导签字" in tacheng and "单位主要领导签字" not in bazhou
    # seed 000 五(二) asks for its own words in the 单位意见; seed 002 for 真实准确
    assert "逐一审核，真实、完整、有效，同意推荐" in bazhou and "真实准确，同意推荐" in aksu


def test_urumqi_prints_no_number_of_paper_copies(renderer):
    # seed 004 四(一): 无需上报纸质材料 — no 一式N份 on the form, one copy by default
    pdf = renderer.render(SLUG, sample(SLUG), "pdf", "urumqi-etdz-2024").content
    text = squash(pdf_text(pdf))
    assert "无需上报纸质材料" in text and "一式" not in text
    assert len(pdf_pages_text(pdf)) == 4


def test_empty_lists_print_none(renderer):
    data = changed(SLUG, education=None, work=None, achievements=None, papers=None, awards=None,
                   assessments=None, trainings=None)
    data["applicant"] = {k: v for k, v in data["applicant"].items() if k not in ("ethnicity", "political_status")}
    text = pdf_text(renderer.render(SLUG, data, "pdf", copies=1).content)
    assert squash(text).count("无") >= 9     # 7 lists, 民族, 政治面貌
    assert squash(pdf_text(renderer.render(SLUG, data, "pdf", copies=1).content)) == \
        squash(docx_text(renderer.render(SLUG, data, "docx", copies=1).content))


def test_required_fields_and_short_cells(renderer):
    data = changed(SLUG)
    del data["applicant"]["work_unit"]
    data["papers"][0]["role"] = "第一作者兼通讯作者"
    errors = errors_of(renderer, SLUG, data)
    assert "/applicant/work_unit" in errors
    assert "/papers/0/role" in errors and "4" in errors["/papers/0/role"]


@pytest.mark.parametrize("photo,message", [
    ("not base64!", "base64"),
    (base64.b64encode(b"GIF89a" + b"\0" * 100).decode(), "JPEG 或 PNG"),
    (base64.b64encode(b"\xff\xd8\xff" + b"\0" * (2 * 1024 * 1024 + 1)).decode(), "2MB"),
])
def test_photo_checked(renderer, photo, message):
    data = changed(SLUG)
    data["applicant"]["photo"] = photo
    errors = errors_of(renderer, SLUG, data)
    assert message in errors["/applicant/photo"]


def test_photo_printed_or_box_to_stick_one(renderer, one):
    images = [name for page in pikepdf.open(io.BytesIO(one.content)).pages for name in page.get_images()]
    assert images, "the photo is in the PDF"
    data = changed(SLUG)
    del data["applicant"]["photo"]
    pdf = renderer.render(SLUG, data, "pdf", copies=1).content
    assert not [n for page in pikepdf.open(io.BytesIO(pdf)).pages for n in page.get_images()]
    assert "贴照片" in pdf_text(pdf)
    docx = renderer.render(SLUG, sample(SLUG), "docx", copies=1).content
    assert any(n.startswith("word/media/") for n in zipfile.ZipFile(io.BytesIO(docx)).namelist())


# --- the watermark

def test_watermark_on_every_page_as_a_light_grey_fill(renderer):
    pdf = renderer.render(SLUG, sample(SLUG), "pdf", copies=2).content
    doc = pikepdf.open(io.BytesIO(pdf))
    assert len(doc.pages) == 8
    for page in doc.pages:
        forms = [x.read_bytes() for x in page.Resources.XObject.values() if x.Subtype == "/Form"]
        assert any(f"{watermark.GREY:g} g".encode() in form for form in forms), "the light-grey fill"


def test_watermark_measurable_on_a_scan(renderer, one, tmp_path):
    """Rendered at 100 dpi, a few % of the page is the watermark's grey; without it, almost none is."""
    plain = renderer.render(SLUG, sample(SLUG), "docx", copies=1)   # warm up; the PDF below has no stamps
    assert plain.content
    from docgen.render import pdf as pdf_render
    unstamped = pdf_render.renderer(str(renderer.templates_dir), str(renderer.fonts_dir)).render(
        f"{SLUG}/document.html", {**renderer.prepare(SLUG, sample(SLUG))[3], "document_id": "x"})
    for page in (1, 4):
        stamped = _watermark_grey_share(_png(one.content, page, 100, tmp_path))
        bare = _watermark_grey_share(_png(unstamped, page, 100, tmp_path))
        assert stamped > 0.02 and stamped > 4 * bare, (page, stamped, bare)


def test_watermark_is_not_text(one):
    text = pdf_text(one.content)
    assert "专用" not in text and one.document_id not in text


def test_blank_form_has_no_watermark_or_code(renderer):
    pdf = renderer.blank(SLUG, "pdf", "bazhou-2024").content
    grey = f"{watermark.GREY:g} g".encode()
    for page in pikepdf.open(io.BytesIO(pdf)).pages:
        page.contents_coalesce()
        forms = [x.read_bytes() for x in (page.Resources.get("/XObject") or {}).values() if x.Subtype == "/Form"]
        assert grey not in page.Contents.read_bytes() and not any(grey in form for form in forms)
    assert not re.search(r"[0-9a-f]{32}", pdf_text(pdf))


def test_docx_watermark_behind_the_text_and_code_in_every_header(renderer):
    docx = renderer.render(SLUG, sample(SLUG), "docx", copies=2).content
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        document = z.read("word/document.xml").decode()
        headers = [z.read(n).decode() for n in z.namelist() if re.fullmatch(r"word/header\d+\.xml", n)]
    assert len(re.findall(r"<w:sectPr", document)) == 2
    assert len(headers) == 6                                   # 2 copies × default, even and first page
    for xml in headers:
        assert xml.count("<wp:anchor") == 2                                  # QR code, copy mark
        assert "<w:t>" not in xml and "<w:t " not in xml                     # no text: LibreOffice shows none
        # the watermark: vector WordArt behind the text, as Word writes one (three rows: wording and id)
        shapes = re.findall(r'<v:shape id="PowerPlusWaterMarkObject\d+"[^>]*style="([^"]*)"[^>]*>'
                            r'<v:textpath [^>]*string="([^"]*)"', xml)
        assert len(shapes) == 6
        assert all("z-index:-" in style and "rotation:330" in style for style, _ in shapes)
        assert sum(text.startswith("编号 ") for _, text in shapes) == 3



# --- the QR code

@pytest.mark.skipif(not shutil.which("zbarimg"), reason="zbarimg (zbar-tools) not installed")
def test_qr_code_opens_the_verification_of_this_document(renderer, one, tmp_path):
    for page in (1, 3):
        _png(one.content, page, 150, tmp_path).save(tmp_path / "scan.png")
        out = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "scan.png")], capture_output=True, text=True)
        url = urlparse(out.stdout.strip())
        assert url.path == f"/v1/verify/{one.document_id}", out.stdout
        assert f"{url.scheme}://{url.netloc}" == renderer.public_url
        assert parse_qs(url.query)["s"] == [finish.qr.signature(one.document_id, renderer.secret_key)]


# --- copies and the blind copy

def test_copies_each_padded_to_an_even_page_count(renderer):
    pdf = renderer.render(SLUG, sample(SLUG), "pdf", copies=3).content
    pages = pdf_pages_text(pdf)
    assert len(pages) == 12
    assert [i for i, text in enumerate(pages) if "专业技术职务任职资格评审表" in text] == [0, 4, 8]
    data = changed(SLUG, achievements=[f"业绩{i}：" + "推广示范" * 60 for i in range(6)])
    single = len(pdf_pages_text(renderer.render(SLUG, data, "pdf", copies=1).content))
    triple = pdf_pages_text(renderer.render(SLUG, data, "pdf", copies=3).content)
    assert single % 2 == 0 and len(triple) == 3 * single
    if len(pdf_pages_text(pdf_render_unpadded(renderer, data))) % 2:
        assert triple[single - 1] == ""                        # the blank back of an odd-length copy


def pdf_render_unpadded(renderer, data) -> bytes:
    from docgen.render import pdf as pdf_render
    return pdf_render.renderer(str(renderer.templates_dir), str(renderer.fonts_dir)).render(
        f"{SLUG}/document.html", {**renderer.prepare(SLUG, data)[3], "document_id": "x"})


@pytest.mark.parametrize("profile,copies", [("aksu-archives-2024", 3), ("bazhou-2024", 2), ("tacheng-2023", 2),
                                            ("urumqi-etdz-2024", 1)])
def test_default_copies_from_the_profile(renderer, profile, copies):
    pdf = renderer.render(SLUG, sample(SLUG), "pdf", profile).content
    assert len(pdf_pages_text(pdf)) == 4 * copies
    docx = renderer.render(SLUG, sample(SLUG), "docx", profile).content
    assert squash(docx_text(docx)).count("专业技术职务任职资格评审表") == copies


def test_blind_copy_masks_name_unit_id_and_photo(renderer):
    rendered = renderer.render(SLUG, sample(SLUG), "pdf", copies=1, blind=True)
    text = squash(pdf_text(rendered.content))
    for secret in (NAME, UNIT, ID):     # also where the work history names the unit
        assert secret not in text
    assert finish.MASK in text and "高级农艺师" in text and "农艺师（2017年12月）" in text
    assert not [n for page in pikepdf.open(io.BytesIO(rendered.content)).pages for n in page.get_images()]
    assert NAME not in rendered.filename and rendered.subject == "盲评"
    docx = squash(docx_text(renderer.render(SLUG, sample(SLUG), "docx", copies=1, blind=True).content))
    assert NAME not in docx and ID not in docx and docx == text


# --- through the API

def test_api_copies_and_blind(client):
    resp = client.post(f"/v1/documents/{SLUG}?format=pdf&copies=3&blind=true", json=sample(SLUG))
    assert resp.status_code == 200
    pages = pdf_pages_text(resp.data)
    assert len(pages) == 12 and NAME not in "".join(pages)
    assert "%E7%9B%B2%E8%AF%84" in resp.headers["Content-Disposition"]      # 盲评


@pytest.mark.parametrize("query", ["copies=0", "copies=6", "copies=two", "blind=maybe"])
def test_api_bad_options_are_400_in_chinese(client, query):
    resp = client.post(f"/v1/documents/{SLUG}?{query}", json=sample(SLUG))
    assert resp.status_code == 400 and resp.mimetype == "application/problem+json"
    assert re.search(r"[\u4e00-\u9fff]", resp.json["detail"])


def test_api_copies_refused_for_a_kind_without_them(client):
    resp = client.post("/v1/documents/commitment?copies=2", json=sample("commitment"))
    assert resp.status_code == 400 and "copies" in resp.json["detail"]


def test_verify_with_the_qr_signature_valid_and_tampered(client):
    resp = client.post(f"/v1/documents/{SLUG}?format=pdf&copies=1", json=sample(SLUG))
    document_id = resp.headers["X-Document-Id"]
    good = finish.qr.signature(document_id, client.application.config["SECRET_KEY"])
    info = client.get(f"/v1/verify/{document_id}?s={good}", headers={"Accept": "application/json"}).json
    assert info["genuine"] is True and info["signature_valid"] is True
    assert info["sha256"] == hashlib.sha256(resp.data).hexdigest()          # the fingerprint of the final file
    tampered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    bad = client.get(f"/v1/verify/{document_id}?s={tampered}", headers={"Accept": "application/json"}).json
    assert bad["signature_valid"] is False and bad["genuine"] is False
    page = client.get(f"/v1/verify/{document_id}?s={tampered}", headers={"Accept": "text/html"})
    assert "签名不符" in page.get_data(as_text=True)
    plain = client.get(f"/v1/verify/{document_id}", headers={"Accept": "application/json"}).json
    assert plain["signature_valid"] is None and plain["genuine"] is False   # an id alone proves nothing


def test_qr_link_uses_public_url_and_secret_key_from_config(tmp_path):
    from docgen.app import create_app
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "PUBLIC_URL": "https://zc.example.cn/",
                      "SECRET_KEY": "s3cret"})
    renderer = app.extensions["docgen"].renderer
    assert renderer.public_url == "https://zc.example.cn/" and renderer.secret_key == "s3cret"
    url = finish.qr.verify_url(renderer.public_url, "abc", renderer.secret_key)
    assert url.startswith("https://zc.example.cn/v1/verify/abc?s=")
    assert finish.qr.signature_valid("abc", parse_qs(urlparse(url).query)["s"][0], "s3cret")
    assert not finish.qr.signature_valid("abc", parse_qs(urlparse(url).query)["s"][0], "other")
