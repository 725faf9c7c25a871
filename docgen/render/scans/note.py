"""The copy annotation of a scan (复印件 与原件一致 / 复印人 / 复印时间 / 盖章处), rendered once per note and process."""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from markupsafe import escape

from docgen import rules
from docgen.render import fonts, subsets
from docgen.render.scans.layout import LEFT_MM, TEXT

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration


@dataclass(frozen=True)
class CopyNote:
    """The copy annotation in the top margin: each value printed when given, a ruled blank otherwise.

    seed 000 (四)10 “注明复印人、复印时间并加盖单位公章”; seed 003 “复印件上签署与原件一致并加盖单位公章”.
    """

    copier: str | None = None
    date: dt.date | None = None


NOTE_CSS = f"""
@page {{ size: A4; margin: 0; }}
body {{ margin: 0; font: 12pt "仿宋_GB2312", "FangSong", serif; color: #000; }}
.note {{ position: absolute; top: 8mm; left: {LEFT_MM}mm; width: {TEXT.width}mm; height: 25mm; }}
.note p {{ margin: 0; line-height: 8mm; }}
.head {{ font-family: "黑体", "SimHei", sans-serif; letter-spacing: 0.1em; }}
.label {{ display: inline-block; width: 5em; }}
.blank {{ display: inline-block; min-width: 45mm; padding: 0 2mm; white-space: nowrap; border-bottom: 0.6pt solid #000;
          line-height: 6mm; text-align: center; }}
.seal {{ position: absolute; right: 8mm; top: 0; width: 42mm; line-height: 24mm; text-align: center; }}
"""


def note_html(note: CopyNote) -> str:
    """Return the HTML of the copy note: 复印件 与原件一致 / 复印人 / 复印时间 / （盖章处）."""
    copier = escape(note.copier) if note.copier else ""
    when = rules.cn_date(note.date) if note.date else ""
    return (f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><style>{NOTE_CSS}</style></head><body>"
            f"<div class='note'><p class='head'>复印件　与原件一致</p>"
            f"<p><span class='label'>复印人：</span><span class='blank'>{copier}</span></p>"
            f"<p><span class='label'>复印时间：</span><span class='blank'>{when}</span></p>"
            f"<div class='seal'>（盖章处）</div></div></body></html>")


_weasyprint = threading.Lock()     # one FontConfiguration, used by one thread at a time


@cache
def _font_config() -> FontConfiguration:
    """Return this module's FontConfiguration, made once per process with docgen's fonts (fonts/fonts.conf)."""
    from weasyprint.text.fonts import FontConfiguration

    fonts.use_fonts_dir(fonts.fonts_conf().parent)     # the official face names resolve through fonts.conf
    subsets.install()
    return FontConfiguration()


@lru_cache(maxsize=64)
def note_pdf(note: CopyNote) -> bytes:
    """Return the copy note as one A4 page with nothing else on it (rendered once per note and process)."""
    import weasyprint

    with _weasyprint:
        return weasyprint.HTML(string=note_html(note)).write_pdf(font_config=_font_config())
