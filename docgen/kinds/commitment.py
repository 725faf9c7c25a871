"""个人承诺书 (seed 000 附件3, 002 附件3, 003 附件3): the applicant's signed promise of truthful material."""
from __future__ import annotations

from pydantic import Field

from docgen.kinds import Kind, Options
from docgen.kinds.common import BLANK, Applicant, Payload, applicant_values, fill, signoff_date
from docgen.profiles import Profile

SLUG = "commitment"
HAND_COPY_LINES = 6   # room to copy the promise by hand (seed 003: 个人承诺书手抄写)


class CommitmentPayload(Payload):
    """个人承诺书的内容."""

    applicant: Applicant = Field(title="申报人")


def _context(values: dict, profile: Profile, identity: str, date: str) -> dict:
    def text(key):
        return fill(profile.text(SLUG, key), values)

    hand_copy = bool(profile.text(SLUG, "hand_copy"))
    return {
        "title": text("title"),
        "identity": identity,
        "paragraphs": [text("body")],
        "hand_copy_label": text("hand_copy_label") if hand_copy else "",
        "hand_copy_lines": ["　"] * (HAND_COPY_LINES if hand_copy else 0),
        "signatures": text("signatures"),
        "date": date,
    }


def build(payload: CommitmentPayload, profile: Profile, options: Options) -> dict:
    """Build the context: the profile's promise with its ban years, and who promises."""
    person = applicant_values(payload.applicant, profile)
    identity = f"承诺人：{person['name']}"
    if payload.applicant.id_number:
        identity += f"　身份证号码：{person['id_number']}"
    return _context({**person, "ban_years": profile.ban_years, "blank": BLANK}, profile, identity,
                    signoff_date(payload.date))


def blank(profile: Profile, options: Options) -> dict:
    """Build the empty form: name and ID number left to write by hand."""
    return _context({"ban_years": profile.ban_years, "blank": BLANK}, profile,
                    f"承诺人：{BLANK}　身份证号码：{BLANK}", signoff_date(None))


KIND = Kind(slug=SLUG, title="个人承诺书", model=CommitmentPayload, build=build, blank=blank,
            subject=lambda p: p.applicant.name, seeds="000 附件3, 002 附件3, 003 附件3")
