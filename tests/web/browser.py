"""A real server and Debian's chromium for the web page tests (and scripts/web_screenshot.py)."""
from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Iterator

from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
# Debian's chromium, never a browser Playwright downloads; nothing that phones home
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--lang=zh-CN"]   # date pickers and file inputs as a Chinese desktop shows them
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def chromium_path() -> str | None:
    """Return the Debian chromium binary, if installed."""
    return CHROMIUM if shutil.which(CHROMIUM) else None


@contextlib.contextmanager
def serve(app) -> Iterator[str]:
    """Serve the app on a free port in a thread with a real HTTP server; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@contextlib.contextmanager
def browser() -> Iterator:
    """Launch Debian's chromium through Playwright; yield the Browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # a UTF-8 locale that every Debian has: under another (or none) chromium saves 张三-承诺书.pdf as "download"
        env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=env)
        try:
            yield launched
        finally:
            launched.close()
