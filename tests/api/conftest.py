"""A real HTTP server for the tests that act as an integrator would: docgen on a free port, in a thread."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from docgen.app import create_app


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """Serve a fresh app on 127.0.0.1:<free port>; yield its base URL; stop it after the module."""
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path_factory.mktemp("live"))})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
