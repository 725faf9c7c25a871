"""Lint and types, as pyproject.toml configures them: ruff on the whole project (complexity ≤ 10 in docgen/ and
templates/), mypy with every function typed on docgen/ and templates/."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("command", [["ruff", "check", "."], ["mypy"]], ids=["ruff", "mypy"])
def test_clean(command):
    done = subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_strict_rules_are_on():
    """Every function typed and none too complex (issue 18): the settings test_clean relies on stay in pyproject."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]
    assert config["mypy"]["disallow_untyped_defs"] is True and set(config["mypy"]["files"]) == {"docgen", "templates"}
    assert "C901" in config["ruff"]["lint"]["select"] and config["ruff"]["lint"]["mccabe"]["max-complexity"] == 10


def test_test_modules_have_unique_names():
    """pytest's rootdir-less import mode refuses two test modules of one basename in different folders: the
    whole run stops at collection (tests/batch/test_package.py beside tests/web/test_package.py did)."""
    names = [p.name for p in (ROOT / "tests").rglob("test_*.py")]
    assert sorted({n for n in names if names.count(n) > 1}) == []
