"""Fonts: the configured fonts folder (fonts/fonts.conf maps the official face names to installed fonts) and
the one text measurer, reading advance widths from the font files those names resolve to (fontTools).

The folder is configured once per process at start (`use_fonts_dir`, from FONTS_DIR): WeasyPrint's
fontconfig reads FONTCONFIG_FILE, so docgen.bootstrap sets it then and never while serving. Everything else that finds a
font file (the measurer, the stamp outlines, /readyz) asks fc-match with that file explicitly.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import threading
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont

# GB/T 9704 faces used by templates/_base; each must resolve to an installed font for /readyz
OFFICIAL_FACES = ("仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体")
DEFAULT_FONTS_DIR = Path(__file__).resolve().parents[2] / "fonts"

_conf = (DEFAULT_FONTS_DIR / "fonts.conf").resolve()
FALLBACKS = 8   # of fontconfig's sorted list, the fonts a missing character is looked for in
_lock = threading.Lock()


class FontMissing(RuntimeError):
    """No font file answers a face name: fontconfig or the fonts are not installed."""


def use_fonts_dir(fonts_dir: Path | str) -> Path:
    """Configure the fonts folder (its fonts.conf) the measurer and fc-match read; docgen.bootstrap also points
    WeasyPrint's fontconfig at it (FONTCONFIG_FILE), at start, before WeasyPrint loads fonts."""
    global _conf
    conf = (Path(fonts_dir) / "fonts.conf").resolve()  # fontconfig reads a relative name from /etc/fonts
    with _lock:
        _conf = conf
    return conf


def fonts_conf() -> Path:
    """Return the fontconfig file this process uses."""
    return _conf


def _fc_match(pattern: str, fmt: str, *, sort: bool = False) -> str:
    if not shutil.which("fc-match"):
        raise FontMissing("fc-match is not installed (fontconfig): scripts/install-system.sh")
    env = {**os.environ, "FONTCONFIG_FILE": str(_conf)}
    return subprocess.run(["fc-match", *(["-s"] if sort else []), "-f", fmt, pattern], capture_output=True,
                          text=True, env=env, timeout=10).stdout.strip()


def resolve(face: str) -> str | None:
    """Return the font family fontconfig gives for a face name, or None when there is none."""
    try:
        return _fc_match(face, "%{family[0]}") or None
    except FontMissing:
        return None


def font_file(face: str) -> str:
    """Return the file of the font fontconfig gives for a face name (e.g. 仿宋_GB2312 → FandolFang)."""
    return _font_file(face, str(_conf))


@cache
def _font_file(face: str, conf: str) -> str:
    path = _fc_match(face, "%{file}")
    if not path.lower().endswith((".otf", ".ttf", ".ttc", ".otc")) or not Path(path).is_file():
        raise FontMissing(f"no font file for “{face}” (fontconfig answered {path!r}): scripts/install-system.sh")
    return path


def fallback_files(face: str) -> tuple[tuple[str, int], ...]:
    """Return the font files (and indexes in a collection) fontconfig tries for a face name, best first: where a
    character the face lacks is drawn from (喆 from Noto Serif CJK SC)."""
    return _fallback_files(face, str(_conf))


@cache
def _fallback_files(face: str, conf: str) -> tuple[tuple[str, int], ...]:
    out = []
    for line in _fc_match(face, "%{file}|%{index}\\n", sort=True).splitlines()[:FALLBACKS]:
        path, _, index = line.rpartition("|")
        if path.lower().endswith((".otf", ".ttf", ".ttc", ".otc")):
            out.append((path, int(index or 0)))
    return tuple(out)


class Face:
    """One font file's advance widths (and its glyphs, for the outline code), read with fontTools."""

    def __init__(self, path: str):
        self.path = path
        # from bytes, not the open file: a Face dropped with its cache (another FONTS_DIR) leaves no file open
        self.font = TTFont(io.BytesIO(Path(path).read_bytes()), fontNumber=0, lazy=True)
        self.upm: int = self.font["head"].unitsPerEm
        self.cmap: dict[int, str] = self.font.getBestCmap()
        metrics = self.font["hmtx"].metrics
        self.advances: dict[int, float] = {cp: metrics[name][0] / self.upm for cp, name in self.cmap.items()}

    def has(self, char: str) -> bool:
        """Tell whether the face draws a character itself (else fontconfig falls back to another font)."""
        return ord(char) in self.advances

    def advance(self, char: str) -> float:
        """Return a character's advance in em.

        A character the face lacks is drawn by the fallback font (Noto CJK, fonts.conf), whose ideographs
        and full-width forms are 1 em and whose Latin letters are narrower than 0.6 em (digits 0.5 em).
        """
        width = self.advances.get(ord(char))
        if width is not None:
            return width
        return 0.5 if char.isdigit() else 0.6 if char.isascii() else 1.0

    def ems(self, text: str) -> float:
        """Return the advance of a text in em."""
        return sum(map(self.advance, text))

    def width(self, text: str, size: float) -> float:
        """Return the advance of a text at a size (in the unit of the size)."""
        return self.ems(text) * size


def face(name: str) -> Face:
    """Return the measurer of a face name as this process's fonts resolve it (cached)."""
    return face_of_file(font_file(name))


@cache
def face_of_file(path: str) -> Face:
    """Return the measurer of a font file (cached)."""
    return Face(path)
