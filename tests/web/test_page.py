"""The staff web page in a real browser (Debian's chromium): fill, see errors, preview, download, batch, verify."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from openpyxl import Workbook, load_workbook

from docgen.documents import sample
from docgen.kinds import KINDS
from docgen.kinds.common import NAME_MAX
from docgen.render import qr
from tests.helpers import docx_text, pdf_text
from tests.web.browser import PHONE, chromium_path
from tests.web.conftest import open_page

pytestmark = pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")


def control(page, pointer: str):
    return page.locator(f'[data-pointer="{pointer}"]')


def error_of(page, pointer: str):
    """Return the error element bound to a field through its aria-describedby."""
    ids = control(page, pointer).get_attribute("aria-describedby").split()
    return page.locator("#" + next(i for i in ids if i.endswith("-err")))


def choose(page, slug: str, profile: str | None = None):
    if profile:
        page.select_option("#profile", profile)
    page.select_option("#type", slug)
    page.wait_for_function("t => document.getElementById('doc-title').textContent === t", arg=KINDS[slug].title)


def load_sample(page):
    said_before = _watch_status(page)
    page.click("#load-sample")
    # the status may say something else right after (the ID number's gender): wait for what it has said since
    page.wait_for_function("n => window.statusSaid.slice(n).some(t => t.includes('已载入示例'))", arg=said_before)


def _watch_status(page) -> int:
    """Keep every text the status line shows in window.statusSaid; return how many it holds now."""
    return page.evaluate("""() => {
        if (!window.statusSaid) {
            window.statusSaid = [];
            new MutationObserver(() => window.statusSaid.push(document.getElementById('status').textContent))
                .observe(document.getElementById('status'), {childList: true, characterData: true, subtree: true});
        }
        return window.statusSaid.length;
    }""")


def generate_pdf(page):
    page.click("#make-pdf")
    page.wait_for_selector("#result:not([hidden])")
    page.wait_for_selector("#result-stale[hidden]", state="attached")


def download(page, selector: str):
    with page.expect_download() as info:
        page.click(selector)
    d = info.value
    return d.suggested_filename, Path(d.path()).read_bytes()


def api_errors(client, slug: str, payload: dict) -> dict[str, str]:
    resp = client.post(f"/v1/documents/{slug}", json=payload)
    assert resp.status_code == 422
    return {e["pointer"]: e["detail"] for e in resp.json["errors"]}


def test_page_is_served_whole_by_docgen(page, base_url, web_app):
    """Every script, style and request stays on docgen: usable in an intranet without internet access."""
    resp = web_app.test_client().get("/")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    assert page.title() == "职称评审文书生成"
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    outside = [r.url for r in page.requests if not r.url.startswith((base_url, "data:", "blob:"))]
    assert outside == []
    assert any(r.url.startswith(base_url + "/static/web/app.js") for r in page.requests)
    # the type list and the profiles come from the API
    assert page.locator("#type option").all_inner_texts() == [kind.title for kind in KINDS.values()]
    assert page.locator("#profile option[value='tacheng-2023']").count() == 1


def test_commitment_filled_by_hand_previews_downloads_and_verifies(page):
    choose(page, "commitment", profile="tacheng-2023")
    page.get_by_label("姓名").fill("古丽娜尔·艾力")        # labels are bound to their inputs
    page.get_by_label("性别").select_option("女")
    page.get_by_label("族别").select_option("维吾尔族")
    page.get_by_label("身份证号码").fill("650102198802290026")
    control(page, "/date").fill("2024-09-20")
    generate_pdf(page)
    assert page.locator("#preview").get_attribute("src").startswith("blob:")
    name, content = download(page, "#download-pdf")
    assert name == "古丽娜尔·艾力-个人承诺书.pdf"
    text = pdf_text(content)
    # the name is in the file name and the registry; the form itself is signed by hand (the seeds' layout)
    assert "本人签名（个人承诺书手抄写并按手印）" in text and "2024年9月20日" in text
    # the file downloaded is the one the registry knows: its fingerprint matches
    page.click("#result-id")
    page.wait_for_selector("#verify-result:not([hidden])")
    assert page.locator("#verify-verdict").inner_text().startswith("真实")
    facts = page.locator("#verify-facts").inner_text()
    assert "古丽娜尔·艾力" in facts and hashlib.sha256(content).hexdigest() in facts


def test_public_notice_downloads_docx_and_shows_warnings(page, web_app):
    choose(page, "public-notice", profile="bazhou-2024")   # the sample's profile (a sample does not switch it)
    load_sample(page)
    control(page, "/applicant/name").fill("买买提江·吐尔逊")
    # a year no holiday table covers: the API answers with a warning, the page shows it
    control(page, "/notice/start_date").fill("2030-09-02")
    control(page, "/date").fill("2030-09-02")
    name, content = download(page, "#make-docx")
    assert name == "买买提江·吐尔逊-推荐单位公示.docx"
    text = docx_text(content)
    assert "买买提江·吐尔逊" in text and "2030年9月2日" in text
    payload = sample("public-notice")
    payload["applicant"]["name"] = "买买提江·吐尔逊"
    payload["notice"]["start_date"] = payload["date"] = "2030-09-02"
    resp = web_app.test_client().post("/v1/documents/public-notice?format=docx", json=payload)
    expected = json.loads(unquote(resp.headers["X-Docgen-Warnings"]))
    assert expected and page.locator("#warnings-list li").all_inner_texts() == expected
    # the next document for the same person starts with what it shares; the 公示 is kept
    choose(page, "commitment")
    assert control(page, "/applicant/name").input_value() == "买买提江·吐尔逊"
    assert control(page, "/applicant/id_number").input_value() == payload["applicant"]["id_number"]
    assert "带入" in page.locator("#status").inner_text()
    choose(page, "public-notice")
    assert control(page, "/notice/start_date").input_value() == "2030-09-02"


def test_field_errors_in_the_apis_words_next_to_their_field(page, web_app):
    choose(page, "commitment")
    load_sample(page)
    payload = sample("commitment")
    wrong = payload["applicant"]["id_number"][:-1] + ("0" if payload["applicant"]["id_number"][-1] != "0" else "1")
    payload["applicant"]["id_number"] = wrong
    expected = api_errors(web_app.test_client(), "commitment", payload)["/applicant/id_number"]
    assert "校验位" in expected
    control(page, "/applicant/id_number").fill(wrong)
    error = error_of(page, "/applicant/id_number")
    assert error.inner_text() == "错误：" + expected     # said while typing, in the API's words
    page.click("#make-pdf")
    page.wait_for_selector("#summary:not([hidden])")
    assert error.inner_text() == "错误：" + expected
    assert control(page, "/applicant/id_number").get_attribute("aria-invalid") == "true"
    summary = page.locator("#summary")
    assert summary.get_attribute("role") == "alert"
    assert page.evaluate("document.activeElement.id") == "summary"   # announced and focused
    page.locator("#summary-list a", has_text=expected).click()
    assert page.evaluate("document.activeElement.dataset.pointer") == "/applicant/id_number"
    assert page.locator("#result").is_hidden()

    # while typing: a name over its limit is flagged at once, in the words the API would use
    long_name = "阿" * (NAME_MAX + 1)
    payload = sample("commitment")
    payload["applicant"]["name"] = long_name
    expected = api_errors(web_app.test_client(), "commitment", payload)["/applicant/name"]
    control(page, "/applicant/name").fill(long_name)
    assert error_of(page, "/applicant/name").inner_text() == "错误：" + expected
    control(page, "/applicant/name").fill("阿" * NAME_MAX)
    assert error_of(page, "/applicant/name").is_hidden()
    assert control(page, "/applicant/name").get_attribute("aria-invalid") is None


def test_blank_forms_of_any_type_and_profile(page):
    choose(page, "roster", profile="tacheng-2023")
    name, content = download(page, "#blank-pdf")
    assert name.endswith(".pdf") and "空白" in name
    assert "花名册" in pdf_text(content)
    choose(page, "integrity-certificate")
    name, content = download(page, "#blank-docx")
    assert name.endswith(".docx") and "廉政情况证明" in docx_text(content)


def _roster_xlsx(web_app) -> bytes:
    resp = web_app.test_client().post("/v1/documents/roster?format=xlsx", json=sample("roster"))
    assert resp.status_code == 200
    return resp.data


def test_roster_upload_progress_zip_and_print(page, web_app):
    page.click("text=批量生成")
    assert page.locator("#batch").is_visible() and page.locator("#fill").is_hidden()
    name, content = download(page, "#template")
    assert name.endswith(".xlsx")
    header = next(row for row in load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True)
                  if "姓名" in row)
    assert {"身份证号码", "性别"} <= {str(c).strip() for c in header if c}
    page.set_input_files("#batch-file", files=[{"name": "花名册.xlsx", "buffer": _roster_xlsx(web_app),
                                                "mimeType": "application/octet-stream"}])
    page.select_option("#batch-profile", "bazhou-2024")
    page.click("#batch-docs >> xpath=..")  # open 自选文书
    page.check("#batch-docs input[value='commitment']")
    page.click("#batch-submit")
    page.wait_for_selector("#batch-done:not([hidden])", timeout=90_000)
    progress = page.locator("#batch-progress")
    assert progress.get_attribute("value") == progress.get_attribute("max") != "0"
    name, content = download(page, "#batch-zip")
    assert name.endswith(".zip")
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    applicants = sample("roster")["applicants"]
    for number, applicant in enumerate(applicants, 1):
        assert f"files/{number:02d}-{applicant['name']}/附件3-个人承诺书.pdf" in names
    name, content = download(page, "#batch-print")
    # one 承诺书 an applicant (no seed's 承诺书 prints the name: the applicant signs it by hand)
    assert name.endswith(".pdf") and pdf_text(content).count("个人承诺书") == len(applicants)


def test_bad_roster_cells_are_listed(page):
    book = Workbook()
    sheet = book.active
    sheet.append(["单位（盖章）：巴音郭楞蒙古自治州农业科学研究所"])
    sheet.append(["序号", "姓名", "性别", "族别", "身份证号码", "拟晋升专业技术职务", "申报途径"])
    sheet.append([1, "李娟", "女", "汉族", "650102198802290027", "助理研究员", "评审"])
    buf = io.BytesIO()
    book.save(buf)
    page.goto(page.url.split("#")[0] + "#batch")
    page.set_input_files("#batch-file", files=[{"name": "花名册.xlsx", "buffer": buf.getvalue(),
                                                "mimeType": "application/octet-stream"}])
    page.click("#batch-docs >> xpath=..")  # open 自选文书
    page.check("#batch-docs input[value='commitment']")
    page.click("#batch-submit")
    page.wait_for_selector("#batch-errors:not([hidden])")
    rows = page.locator("#batch-errors-table tbody tr")
    assert rows.count() == 1
    row, column, document, problem = rows.first.locator("td").all_inner_texts()
    assert row and column == "身份证号码" and document == "个人承诺书" and "校验位错误" in problem
    assert page.evaluate("document.activeElement.id") == "batch-errors"
    assert page.locator("#batch-progress-box").is_hidden()


def test_verify_a_scanned_link_and_an_unknown_id(page, web_app):
    resp = web_app.test_client().post("/v1/documents/commitment?format=pdf", json=sample("commitment"))
    document_id = resp.headers["X-Document-Id"]
    link = qr.verify_url(web_app.config["PUBLIC_URL"], document_id, web_app.config["SECRET_KEY"])
    page.click("text=文书核验")
    page.fill("#verify-input", link)
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector("#verify-result.genuine")
    facts = page.locator("#verify-facts").inner_text()
    assert sample("commitment")["applicant"]["name"] in facts
    assert "（北京时间）" in facts and "巴州自然科学研究、实验技术系列（2024年度）" in facts   # not UTC, not an id
    assert "签名相符" in page.locator("#verify-explain").inner_text()
    page.fill("#verify-input", link[:-4] + "AAAA")      # a tampered signature
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector("#verify-result.forged")
    assert page.locator("#verify-verdict").inner_text() == "不符：链接签名无效"
    page.fill("#verify-input", "0123456789abcdef0123456789abcdef")
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector("#verify-result.unknown")
    assert page.locator("#verify-verdict").inner_text() == "查无此文书"


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (50, 70), (200, 210, 230)).save(buf, "PNG")
    return buf.getvalue()


def test_evaluation_form_photo_checked_before_sending_and_lists_editable(page):
    choose(page, "evaluation-form")
    load_sample(page)
    photo = control(page, "/applicant/photo")
    posts = len([r for r in page.requests if r.method == "POST"])
    photo.set_input_files(files=[{"name": "照片.jpg", "buffer": b"GIF89a not a photo", "mimeType": "image/jpeg"}])
    error = error_of(page, "/applicant/photo")
    error.wait_for()
    assert error.inner_text() == "错误：照片无法识别：只接受 JPEG 或 PNG 图片"
    big = b"\x89PNG\r\n\x1a\n" + bytes(2 * 1024 * 1024)
    photo.set_input_files(files=[{"name": "大.png", "buffer": big, "mimeType": "image/png"}])
    page.wait_for_selector("text=照片不能超过2MB（收到2048KB），请压缩后再提交")
    assert len([r for r in page.requests if r.method == "POST"]) == posts   # nothing was sent
    photo.set_input_files(files=[{"name": "照片.png", "buffer": _png(), "mimeType": "image/png"}])
    page.wait_for_selector("img.photo[src^='data:image/png;base64,']")
    assert error_of(page, "/applicant/photo").is_hidden()
    # lists: add a row (focus moves into it), remove it again
    items = page.locator('fieldset[data-pointer="/work"] .item')
    before = items.count()
    page.click('[data-add="/work"]')
    assert items.count() == before + 1
    assert page.evaluate("document.activeElement.dataset.pointer") == f"/work/{before}/start"
    items.nth(before).locator(".remove").click()
    assert items.count() == before
    page.check("#opt-blind")                        # the API's options for this type: 盲评版
    generate_pdf(page)
    assert page.locator("#result-name").inner_text().endswith("专业技术职务任职资格评审表.pdf")


def test_usable_on_a_phone_with_every_control_labelled(chromium, base_url):
    context, page = open_page(chromium, base_url, PHONE)
    try:
        choose(page, "evaluation-form")
        load_sample(page)
        for tab in ("fill", "batch", "verify"):
            page.goto(f"{base_url}/#{tab}")
            page.wait_for_selector(f"#{tab}:not([hidden])")
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], tab
        page.goto(f"{base_url}/#fill")
        page.wait_for_selector("#fields [data-pointer]")
        unlabelled = page.evaluate("""[...document.querySelectorAll('input, select, textarea')]
            .filter(e => e.type !== 'hidden' && !e.labels.length && !e.getAttribute('aria-label'))
            .map(e => e.id || e.name)""")
        assert unlabelled == []
        assert page.errors == []
    finally:
        context.close()


def test_keyboard_alone_reaches_and_submits_the_form(page):
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    choose(page, "commitment")
    load_sample(page)
    control(page, "/applicant/name").focus()
    page.keyboard.press("Enter")                      # Enter in a field submits, as on any form: a preview
    page.wait_for_selector("#result:not([hidden])")
    assert page.locator("#result-name").inner_text().endswith("个人承诺书-预览稿.pdf")


@pytest.mark.parametrize("slug", list(KINDS))
def test_every_types_sample_survives_the_form(page, slug):
    """The form built from each schema carries the whole sample back to the API unchanged."""
    choose(page, slug)
    load_sample(page)
    expected = {k: v for k, v in sample(slug).items() if k != "profile"}
    assert page.evaluate("payload()") == expected


def test_unit_wide_values_for_a_roster_upload(page):
    """The 公示 needs 受理异议的办公室, 监督电话 and the 公示期, which a roster has no column for: the batch form asks."""
    book = Workbook()
    sheet = book.active
    sheet.append(["单位（盖章）：巴音郭楞蒙古自治州农业科学研究所"])
    sheet.append(["序号", "姓名", "性别", "族别", "政治面貌", "身份证号码", "现任专业技术职务", "系列", "专业", "级别",
                  "申报途径", "思想政治条件", "业绩成果"])
    sheet.append([1, "李娟", "女", "汉族", "群众", "650102198802290026", "研究实习员", "自然科学研究", "农业科学", "中级",
                  "评审", "遵纪守法，爱岗敬业。", "参与完成玉米抗旱品种选育项目。"])
    buf = io.BytesIO()
    book.save(buf)
    page.goto(page.url.split("#")[0] + "#batch")
    page.set_input_files("#batch-file", files=[{"name": "花名册.xlsx", "buffer": buf.getvalue(),
                                                "mimeType": "application/octet-stream"}])
    page.select_option("#batch-profile", "bazhou-2024")
    page.click("#batch-docs >> xpath=..")
    page.check("#batch-docs input[value='public-notice']")
    page.click("#batch-submit")
    page.wait_for_selector("#batch-errors:not([hidden])")
    assert "受理异议的办公室" in page.locator("#batch-unit-office-err").inner_text()
    assert page.locator("#batch-unit-office").get_attribute("aria-invalid") == "true"
    assert page.locator("#batch-notice-start_date-err").is_visible()
    batch = page.locator("#batch")
    batch.get_by_label("受理异议的办公室").fill("所办公室")
    batch.get_by_label("监督电话").fill("0996-2025816")
    batch.get_by_label("公示开始日期").fill("2024-09-02")
    page.click("#batch-submit")
    page.wait_for_selector("#batch-done:not([hidden])", timeout=90_000)
    assert page.locator("#batch-errors").is_hidden() and page.locator("#batch-unit-office-err").is_hidden()
    _, content = download(page, "#batch-zip")
    archive = zipfile.ZipFile(io.BytesIO(content))
    notice = next(n for n in archive.namelist() if n.endswith("推荐单位公示.pdf"))
    text = pdf_text(archive.read(notice))
    assert "所办公室" in text and "0996-2025816" in text and "2024年9月2日" in text


def test_partial_batch_lists_the_rows_left_out(page):
    book = Workbook()
    sheet = book.active
    sheet.append(["单位（盖章）：巴音郭楞蒙古自治州农业科学研究所"])
    sheet.append(["序号", "姓名", "性别", "身份证号码", "申报途径"])
    sheet.append([1, "李娟", "女", "650102198802290026", "评审"])
    sheet.append([2, "王芳", "女", "650102198802290027", "评审"])
    buf = io.BytesIO()
    book.save(buf)
    page.goto(page.url.split("#")[0] + "#batch")
    page.set_input_files("#batch-file", files=[{"name": "花名册.xlsx", "buffer": buf.getvalue(),
                                                "mimeType": "application/octet-stream"}])
    page.click("#batch-docs >> xpath=..")
    page.check("#batch-docs input[value='commitment']")
    page.check("#batch-partial")
    page.click("#batch-submit")
    page.wait_for_selector("#batch-done:not([hidden])", timeout=90_000)
    rows = page.locator("#batch-errors-table tbody tr")
    assert page.locator("#batch-errors").is_visible() and rows.count() == 1
    assert "校验位错误" in rows.first.inner_text()
    _, content = download(page, "#batch-zip")
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert any("李娟" in n for n in names) and not any("王芳" in n for n in names)
