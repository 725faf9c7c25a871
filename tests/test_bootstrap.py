"""docgen.bootstrap: nothing happens at import; one call patches WeasyPrint and pydyf, once, and refuses versions
whose internals it does not know."""
from __future__ import annotations

import subprocess
import sys

import pytest

from docgen import bootstrap
from docgen.bootstrap import UnsupportedVersion, check_versions


def test_importing_docgen_changes_nothing():
    """Importing the app factory, the CLI and the renderer patches nothing and writes no environment variable;
    bootstrap() then does both, and a second call changes nothing more."""
    code = """
import os, pydyf
from weasyprint.layout import inline
before_env, before_justify, before_zlib = dict(os.environ), inline.justify_line, pydyf.zlib
import docgen.app, docgen.cli, docgen.documents, docgen.render.pdf, docgen.batch.local, docgen.batch.tasks
assert dict(os.environ) == before_env, set(os.environ.items()) ^ set(before_env.items())
assert inline.justify_line is before_justify and pydyf.zlib is before_zlib
from docgen.bootstrap import bootstrap
bootstrap()
patched = (inline.justify_line, pydyf.zlib)
assert patched != (before_justify, before_zlib) and os.environ["FONTCONFIG_FILE"].endswith("fonts.conf")
bootstrap()
assert (inline.justify_line, pydyf.zlib) == patched
print("ok")
"""
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert done.stdout.strip() == "ok", done.stderr[-3000:]


@pytest.mark.parametrize("package,found", [("weasyprint", "71.0"), ("pydyf", "0.14.0"), ("weasyprint", "62.3")])
def test_an_unknown_version_is_refused_by_name(package, found):
    with pytest.raises(UnsupportedVersion) as refused:
        check_versions({package: found})
    message = str(refused.value)
    assert package in message and found in message
    assert all(supported in message for supported in bootstrap.SUPPORTED[package])


def test_the_installed_versions_are_supported():
    check_versions()   # what bootstrap() checks in every process


def test_a_renderer_before_bootstrap_says_so():
    code = """
from docgen.render.pdf import PdfRenderer
from docgen.config import ROOT
try:
    PdfRenderer(ROOT / "templates", ROOT / "fonts")
except RuntimeError as exc:
    print(exc)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "bootstrap()" in done.stdout, done.stderr[-3000:]
