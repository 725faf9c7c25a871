"""个人承诺书 (seed 000 附件3, 002 附件3, 003 附件3): the applicant's signed promise of truthful material."""
from __future__ import annotations

from typing import Any

from pydantic import Field

from docgen.kinds import Kind, Options
from docgen.kinds.common import BLANK, Applicant, Payload, fill, signoff_date
from docgen.profiles import Profile

SLUG = "commitment"
# room to copy the promise by hand (seed 000 五(一)14 手写, 003 三(3)2(1) 手抄写): ~120 characters, written
# larger than print
HAND_COPY_LINES = 6


class CommitmentPayload(Payload):
    """个人承诺书的内容."""

    applicant: Applicant = Field(title="申报人", description="承诺书不印姓名（本人手写签名，seed 模板如此）；"
                                                              "姓名用于文件名，身份证号码给出时校验并用于登记")


def _context(profile: Profile, date: str) -> dict:
    """Build what every seed's template holds: the promise, the hand copy where asked, signature and date."""
    def text(key: str) -> Any:
        return fill(profile.text(SLUG, key), {"ban_years": profile.ban_years, "blank": BLANK})

    hand_copy = bool(profile.text(SLUG, "hand_copy"))
    return {
        "title": text("title"),
        "paragraphs": [text("body")],
        "hand_copy_label": text("hand_copy_label") if hand_copy else "",
        "hand_copy_lines": ["　"] * (HAND_COPY_LINES if hand_copy else 0),
        "signatures": text("signatures"),
        "date": date,
    }


def build(payload: CommitmentPayload, profile: Profile, options: Options) -> dict:
    """Build the context: the profile's promise with its ban years; the applicant signs it by hand."""
    return _context(profile, signoff_date(payload.date))


def blank(profile: Profile, options: Options) -> dict:
    """Build the empty form: the same promise, signature and date left to write by hand."""
    return _context(profile, signoff_date(None))


KIND = Kind(slug=SLUG, title="个人承诺书", model=CommitmentPayload, build=build, blank=blank,
            subject=lambda p: p.applicant.name, seeds="000 附件3, 002 附件3, 003 附件3")
