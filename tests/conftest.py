"""Shared fixtures: the app on a temporary data directory, a client, one renderer per test session."""
from __future__ import annotations

import pytest

from docgen.app import create_app
from docgen.documents import Renderer


@pytest.fixture
def app(tmp_path):
    return create_app({"TESTING": True, "DATA_DIR": str(tmp_path)})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def renderer():
    return Renderer()
