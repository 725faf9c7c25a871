"""Font setup: point fontconfig at fonts/fonts.conf so the official face names resolve to our fonts."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

# GB/T 9704 faces used by templates/_base; each must resolve to an installed font for /readyz
OFFICIAL_FACES = ("仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体")


def use_fonts_dir(fonts_dir: Path) -> Path:
    """Make fontconfig (WeasyPrint, LibreOffice) read fonts/fonts.conf; call before WeasyPrint loads fonts."""
    conf = (Path(fonts_dir) / "fonts.conf").resolve()  # fontconfig reads a relative name from /etc/fonts
    os.environ["FONTCONFIG_FILE"] = str(conf)
    return conf


def resolve(face: str) -> str | None:
    """Return the font family fontconfig gives for a face name, or None when fc-match is unavailable."""
    if not shutil.which("fc-match"):
        return None
    out = subprocess.run(["fc-match", "-f", "%{family[0]}", face], capture_output=True, text=True,
                         env=os.environ, timeout=10)
    return out.stdout.strip() or None
