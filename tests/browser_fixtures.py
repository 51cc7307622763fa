"""Fixtures of the browser tests, loaded through pytest_plugins: a real `sandbox serve` on
loopback over a fresh SQLite store (one per test module), keys for every role made in that
store before it starts, and Debian's chromium driven by Playwright (a fresh context per test).

    def test_x(live_web: LiveWeb, page: Page) -> None:
        sign_in(page, live_web.url, live_web.keys.regulator)
        page.goto(f"{live_web.url}/cases")
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from cases.store import StoreSettings, open_store
from tests.api_helpers import make_keys
from tests.browser import CHROMIUM, CHROMIUM_ARGS, LiveWeb
from tests.live_server import live_server


@pytest.fixture(scope="module")
def live_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveWeb]:
    folder: Path = tmp_path_factory.mktemp("web")
    url = f"sqlite:///{folder / 'web.db'}"
    store = open_store(StoreSettings(database_url=url))
    keys = make_keys(store)
    try:
        with live_server(url, log_path=folder / "serve.log") as server:
            yield LiveWeb(server=server, keys=keys, store=store, database_url=url)
    finally:
        store.dispose()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    fresh = browser.new_context(locale="zh-CN", viewport={"width": 1200, "height": 900})
    fresh.set_default_timeout(20_000)
    yield fresh
    fresh.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()
