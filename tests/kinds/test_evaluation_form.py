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
from docgen.kinds import evaluation_form
from docgen.render import finish, watermark
from tests.helpers import changed, docx_text, docx_xml, errors_of, pdf_pages_text, pdf_text, squash, texts_of

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
    for expected in ("专业技术职务任职资格评审表", NAME, UNIT, ID, "农业系列农学专业",
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
    # seed 004 names no 评审表 (四(一) 无需上报纸质材料): no note on printing it, one copy by default
    pdf = renderer.render(SLUG, sample(SLUG), "pdf", "urumqi-etdz-2024").content
    text = squash(pdf_text(pdf))
    assert "一式" not in text and "本表" not in text and "纸质" not in text
    assert len(pdf_pages_text(pdf)) == 4


# the cover's note on printing, in each seed's words (None: the seed says nothing of it)
PRINT_NOTES = {
    "xinjiang": "本表须使用A4纸正反双面打印，贴本人免冠近照，一式两份，有水印方为有效。",        # 000 五(三)
    "bazhou-2024": "本表须使用A4纸正反双面打印，贴本人免冠近照，一式两份，有水印方为有效。",     # 000 五(三)
    "bazhou-eng-2021": "本表一式两份，使用A4纸张，双面打印，有水印方为有效。",                 # 001 七(二)
    "aksu-archives-2024": "本表有水印，一式三份，使用A4纸正反面打印。",                        # 002 (五)1
    "tacheng-2023": "本表一式两份，用A4纸双面打印，有水印为有效。",                           # 003 三(一)3, 三(3)2(2)
    "urumqi-etdz-2024": None,                                                             # 004: no 评审表
}


@pytest.mark.parametrize("pid", sorted(PRINT_NOTES))
def test_cover_prints_only_what_the_seed_says(renderer, pid):
    """No issuer line (no notice names one) and no note of docgen's own: the seed's print note or none, in the
    filled form and the blank, PDF and DOCX."""
    filled = texts_of(renderer, SLUG, sample(SLUG), pid)
    blank = (squash(pdf_text(renderer.blank(SLUG, "pdf", pid).content)),
             squash(docx_text(renderer.blank(SLUG, "docx", pid).content)))
    for text in (*filled, *blank):
        assert "人力资源和社会保障厅制" not in text and "随网上申报材料提交" not in text
        note = PRINT_NOTES[pid]
        assert (note in text) if note else ("一式" not in text and "水印" not in text)


# seed 000 五(一)14: the promise the applicant hand-writes (五(三) 本人签字并手写承诺语)
PROMISE_000 = ("本人承诺以上填报内容和提交的材料真实有效，且网上填报与送审报表内容完全一致，如申请人提交弄虚作假确认材料的，"
               "一经查实，不予受理确认申报或取消已确认的资格，并从申报年度下一年度起3年内，不得申报专业技术资格。")


def test_bazhou_promise_is_seed_000s_text_with_lines_to_copy_it(renderer):
    pdf, docx = texts_of(renderer, SLUG, sample(SLUG), "bazhou-2024")
    blank = squash(docx_text(renderer.blank(SLUG, "docx", "bazhou-2024").content))
    for text in (pdf, docx, blank):
        assert PROMISE_000 + "请本人在下方手写以上承诺语：" in text
        assert "愿承担一切" not in text                      # docgen's former wording is gone
    xml = docx_xml(renderer.render(SLUG, sample(SLUG), "docx", "bazhou-2024", copies=1).content)
    promise_box = xml.split("九、个人承诺")[1].split("十、单位意见")[0]
    assert promise_box.count("<w:pBdr>") == evaluation_form.PROMISE_LINES == 4   # the ruled lines
    # and in the PDF: the ruled lines drawn between the label and the signature
    words = _words(renderer.render(SLUG, sample(SLUG), "pdf", "bazhou-2024", copies=1).content, 3)
    label = next(w["bottom"] for w in words if w["text"].startswith("请本人"))
    sign = next(w["top"] for w in words if w["text"].startswith("本人签字"))
    lines = _rules_between(renderer.render(SLUG, sample(SLUG), "pdf", "bazhou-2024", copies=1).content, 3,
                           label, sign)
    assert lines == evaluation_form.PROMISE_LINES


def _words(pdf: bytes, page: int) -> list[dict]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return doc.pages[page].extract_words()


def _rules_between(pdf: bytes, page: int, top: float, bottom: float) -> int:
    """Count the ruled lines across the box between two heights of a page (WeasyPrint fills a border as a
    path pdfplumber reads as a box's outline: its bottom edge is the rule)."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        rules = sorted(r["bottom"] for r in doc.pages[page].rects if r["width"] > 300 and top < r["bottom"] < bottom)
    return sum(1 for a, b in zip([-9.0, *rules], rules, strict=False) if b - a > 2)   # a rule's two outlines count once


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


def test_blank_form_has_its_watermark_and_copies_and_no_code(renderer):
    """The blank form says “有水印方为有效…一式两份”: it prints the watermark and the profile's copies (issue 21
    point 9), no number and no QR code (nothing is recorded to verify)."""
    pdf = renderer.blank(SLUG, "pdf", "bazhou-2024").content
    grey = f"{watermark.GREY:g} g".encode()
    pages = pikepdf.open(io.BytesIO(pdf)).pages
    assert len(pages) == 4 * renderer.profile("bazhou-2024").evaluation_copies
    for page in pages:
        page.contents_coalesce()
        forms = [x.read_bytes() for x in (page.Resources.get("/XObject") or {}).values() if x.Subtype == "/Form"]
        assert grey in page.Contents.read_bytes() or any(grey in form for form in forms)
    assert not re.search(r"[0-9a-f]{32}", pdf_text(pdf))
    docx = renderer.blank(SLUG, "docx", "bazhou-2024").content
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        headers = [z.read(n).decode() for n in z.namelist() if re.fullmatch(r"word/header\d+\.xml", n)]
    assert headers and all("新疆专业技术人员职称评审专用" in xml for xml in headers)


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


def test_blind_copy_masks_name_unit_id(renderer):
    rendered = renderer.render(SLUG, sample(SLUG), "pdf", copies=1, blind=True)
    text = squash(pdf_text(rendered.content))
    for secret in (NAME, UNIT, ID):     # also where the work history names the unit
        assert secret not in text
    assert finish.MASK in text and "高级农艺师" in text and "农艺师（2017年12月）" in text
    assert NAME not in rendered.filename and rendered.subject == "盲评"
    docx = squash(docx_text(renderer.render(SLUG, sample(SLUG), "docx", copies=1, blind=True).content))
    assert NAME not in docx and ID not in docx and docx == text


def _photo_size() -> tuple[int, int]:
    photo = evaluation_form._photo(sample(SLUG)["applicant"]["photo"])
    return Image.open(io.BytesIO(photo)).size


def _pdf_photos(pdf: bytes) -> list[Image.Image]:
    """Return every image object of the photo's size in the PDF (pages may share one object)."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        objects = {image.objgen: image for page in doc.pages for image in page.get_images().values()}
        pictures = [pikepdf.PdfImage(image).as_pil_image() for image in objects.values()]
    return [p.convert("L") for p in pictures if p.size == _photo_size()]


def _docx_photos(docx: bytes) -> list[Image.Image]:
    """Return every picture of the photo's size in the DOCX (the headers' QR code and marks are others)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        pictures = [Image.open(io.BytesIO(z.read(n))) for n in z.namelist() if n.startswith("word/media/")]
    return [p.convert("L") for p in pictures if p.size == _photo_size()]


def _band_rows(picture: Image.Image, top: float, height: float) -> tuple[list[int], list[int]]:
    """Return the pixels of the band's rows and those of the rows outside it."""
    y0, y1 = round(top * picture.height), round((top + height) * picture.height)
    inside = picture.crop((0, y0, picture.width, y1)).tobytes()
    outside = picture.crop((0, 0, picture.width, y0)).tobytes()
    return list(inside), list(outside)


@pytest.mark.parametrize("eyes", [None, {"top": 0.2, "height": 0.25}])
def test_blind_copy_blacks_out_only_the_eyes_of_the_photo(renderer, eyes):
    """盲评: only the eyes are masked (seed 000 五(一)15, 003 三(三)1 只遮盖眼睛部位) — a black band burnt into the
    photo's pixels, at the default eye line of a 一寸 photo or where the payload puts it; the PDF and the DOCX
    hold exactly one picture of the photo, the masked one."""
    data = changed(SLUG)
    if eyes:
        data["applicant"]["photo_eyes"] = eyes
    top, height = (eyes or {}).get("top", evaluation_form.EYES_TOP), (eyes or {}).get("height",
                                                                                     evaluation_form.EYES_HEIGHT)
    original = Image.open(io.BytesIO(evaluation_form._photo(data["applicant"]["photo"]))).convert("L")
    inside, _ = _band_rows(original, top, height)
    assert max(inside) > 100                      # the photo itself is not black there
    for photos in (_pdf_photos(renderer.render(SLUG, data, "pdf", copies=1, blind=True).content),
                   _docx_photos(renderer.render(SLUG, data, "docx", copies=1, blind=True).content)):
        assert len(photos) == 1
        inside, outside = _band_rows(photos[0], top, height)
        assert max(inside) == 0                   # black, in the pixels
        assert max(outside) > 100                 # the rest of the photo is printed
    for photos in (_pdf_photos(renderer.render(SLUG, data, "pdf", copies=1).content),
                   _docx_photos(renderer.render(SLUG, data, "docx", copies=1).content)):
        assert len(photos) == 1 and max(_band_rows(photos[0], top, height)[0]) > 100   # the named copy: whole


@pytest.mark.parametrize("eyes,pointer,words", [
    ({"top": 0.9, "height": 0.2}, "/applicant/photo_eyes/height", "超出照片下沿"),
    ({"top": -0.1}, "/applicant/photo_eyes/top", "眼部遮盖带上沿不能小于0"),
    ({"height": 0}, "/applicant/photo_eyes/height", "眼部遮盖带高度应大于0"),
    ({"top": "上面"}, "/applicant/photo_eyes/top", "眼部遮盖带上沿应为数字"),
    ({"left": 0.1}, "/applicant/photo_eyes/left", "不认识的字段"),
])
def test_eye_band_out_of_range_is_refused_in_chinese(renderer, eyes, pointer, words):
    data = changed(SLUG)
    data["applicant"]["photo_eyes"] = eyes
    errors = errors_of(renderer, SLUG, data)
    assert list(errors) == [pointer] and words in errors[pointer]


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
    assert info["sha256"] is None                        # the open answer keeps the hash: it would prove nothing
    presented = client.post(f"/v1/verify/{document_id}", data=resp.data, content_type="application/pdf",
                            headers={"Accept": "application/json"}).json
    assert presented["sha256"] == hashlib.sha256(resp.data).hexdigest()     # the fingerprint of the final file
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
