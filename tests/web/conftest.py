"""Fixtures of the web page tests: one app, one server and one Debian chromium a module; a fresh page a test."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext

from docgen.app import create_app
from tests.web.browser import DESKTOP, browser, serve


@pytest.fixture(scope="module")
def web_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return create_app({"TESTING": True, "DATA_DIR": str(tmp_path_factory.mktemp("web"))})


@pytest.fixture(scope="module")
def base_url(web_app: Flask) -> Iterator[str]:
    with serve(web_app) as url:
        yield url


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with browser() as launched:
        yield launched


def open_page(chromium: Browser, base_url: str, viewport: Any) -> tuple[BrowserContext, Any]:
    """Open the page in a new context; the page keeps its requests, script errors and dialogs."""
    context = chromium.new_context(locale="zh-CN", viewport=viewport, accept_downloads=True)
    page: Any = context.new_page()     # with the lists below attached
    page.set_default_timeout(30_000)
    page.requests = []
    page.on("request", lambda request: page.requests.append(request))
    page.errors = []
    page.dialogs = []     # confirm() is answered yes; what it asked is kept
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.accept()))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(base_url + "/")
    page.wait_for_selector("#fields [data-pointer]")
    return context, page


@pytest.fixture
def page(chromium: Browser, base_url: str) -> Iterator[Any]:
    context, page = open_page(chromium, base_url, DESKTOP)
    yield page
    assert page.errors == []   # no script error on the way
    context.close()
