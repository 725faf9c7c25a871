"""Write templates/<slug>/document.docx for every document type from scripts/docx_templates/<slug>.py.

Run after changing a DOCX template's authoring module: .venv/bin/python scripts/build_docx_templates.py
"""
from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import docx_templates  # noqa: E402
from docx_templates import base  # noqa: E402


def main(only: list[str]) -> None:
    for info in pkgutil.iter_modules(docx_templates.__path__):
        if info.name == "base" or (only and info.name not in only):
            continue
        module = importlib.import_module(f"docx_templates.{info.name}")
        slug = info.name.replace("_", "-")
        out = ROOT / "templates" / slug / "document.docx"
        out.parent.mkdir(parents=True, exist_ok=True)
        doc = module.build()
        base.slim(doc)
        doc.save(out)
        print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
