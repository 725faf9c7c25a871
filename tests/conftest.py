"""Shared fixtures: the app on a temporary data directory, a client, one renderer per test session, and the
databases (SQLite always; PostgreSQL, started by the tests, for modules marked `databases`)."""
from __future__ import annotations

import uuid

import pytest

from docgen.app import create_app
from docgen.bootstrap import bootstrap
from docgen.documents import Renderer
from tests import services


def pytest_configure(config):
    config.addinivalue_line("markers", "databases: run the test on SQLite and on PostgreSQL")
    bootstrap()   # as every entry point does: tests render without an app too


def pytest_generate_tests(metafunc):
    if "database" in metafunc.fixturenames:
        both = metafunc.definition.get_closest_marker("databases") is not None
        metafunc.parametrize("database", ["sqlite", "postgresql"] if both else ["sqlite"], indirect=True)


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL cluster for the whole session (initdb in a temporary folder, a free port)."""
    if not services.have_postgres():
        pytest.skip("PostgreSQL binaries (initdb) are not installed")
    server = services.start_postgres()
    yield server
    server.stop()


@pytest.fixture
def database(request, tmp_path):
    """Return the DATABASE_URL of a fresh, empty database: SQLite under tmp_path, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'docgen.sqlite3'}"
        return
    server = request.getfixturevalue("postgres")
    name = f"t_{uuid.uuid4().hex[:12]}"
    url = server.create_database(name)
    yield url
    server.drop_database(name)


@pytest.fixture
def app(tmp_path, database):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "DATABASE_URL": database})
    yield app
    app.extensions["docgen"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def renderer():
    return Renderer()
