"""GET / serves the staff page and its own script and stylesheet; nothing comes from elsewhere."""
import json
import re

from docgen.errors import MESSAGES


def test_page_and_its_assets_are_served_by_docgen(client):
    page = client.get("/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    csp = page.headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'self'") and "http" not in csp
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:href|src)="([^"]+)"', html)
    assert {a.split("?")[0] for a in assets if a.startswith("/static/web/")} == {"/static/web/app.css", "/static/web/app.js"}
    assert not [a for a in assets if a.startswith(("http:", "https:", "//"))]
    for asset in assets:
        if asset.startswith("/static/web/"):
            with client.get(asset) as resp:
                assert resp.status_code == 200 and resp.data, asset


def test_page_checks_with_the_apis_messages(client):
    """One source of messages: the templates the page formats are the API's own."""
    html = client.get("/").get_data(as_text=True)
    embedded = re.search(r'<script type="application/json" id="messages">(.*?)</script>', html, re.DOTALL)[1]
    assert json.loads(embedded) == MESSAGES


def test_schema_offers_the_controlled_vocabularies(client):
    """Drop-downs come from the schema: 民族, 政治面貌, 申报途径 list their standard names."""
    roster = client.get("/v1/document-types/roster/schema").json
    applicant = next(d for d in roster["$defs"].values() if "route" in d.get("properties", {}))["properties"]
    assert applicant["route"]["x-choices"] == ["初定", "授予", "评审"]
    ethnicity = next(b for b in applicant["ethnicity"]["anyOf"] if b.get("type") == "string")
    assert len(ethnicity["x-choices"]) == 58 and "维吾尔族" in ethnicity["x-choices"]
