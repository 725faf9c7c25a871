"""The layers written down in pyproject.toml ([tool.importlinter]) hold: no module imports from a layer above it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_layers_kept():
    done = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and "0 broken" in done.stdout, done.stdout[-4000:] + done.stderr[-2000:]


def test_an_import_up_the_layers_is_refused(tmp_path):
    """The contract can fail: a batch module importing the HTTP API (what batch/work.py once did) breaks it."""
    config = (ROOT / "pyproject.toml").read_text("utf-8")
    package = tmp_path / "docgen"
    subprocess.run(["cp", "-r", str(ROOT / "docgen"), str(package)], check=True)
    (package / "batch" / "upward.py").write_text("from docgen.api import metrics  # noqa\n", "utf-8")
    (tmp_path / "pyproject.toml").write_text(config, "utf-8")
    done = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tmp_path, capture_output=True, text=True, timeout=600,
                          env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 1 and "docgen.batch.upward -> docgen.api.metrics" in done.stdout, done.stdout[-4000:]
