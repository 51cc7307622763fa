"""Plain helpers of the browser tests: Debian's chromium under Playwright, signing in through
the sign-in page, screenshots into tests/artifacts/ (not committed), and an accessibility check
of the rendered DOM (every input labelled, text contrast at least 4.5:1)."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from cases.store import Store
from tests.api_helpers import Keys
from tests.live_server import LiveServer

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class LiveWeb:
    """A running `sandbox serve`, its keys, and its store opened by the test process too."""

    server: LiveServer
    keys: Keys
    store: Store
    database_url: str

    @property
    def url(self) -> str:
        return self.server.url


def sign_in(page: Page, base_url: str, token: str) -> None:
    """Sign in through the form, as a person does; ends on the home page."""
    page.goto(f"{base_url}/signin")
    page.fill("#api_key", token)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot under tests/artifacts/ (CI keeps them; git ignores them)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


_AUDIT = (Path(__file__).parent / "a11y_check.js").read_text(encoding="utf-8")


def accessibility_problems(page: Page) -> list[Any]:
    """What the page's DOM fails of the check above (an empty list when it passes)."""
    found: list[Any] = page.evaluate(_AUDIT)
    return found


def tab_to(page: Page, selector: str, *, limit: int = 150) -> None:
    """Press Tab until the element the selector names has the focus (keyboard-only use)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


class Clicks:
    """Clicks a person makes, counted (for the clicks a first-time regulator needs)."""

    def __init__(self, page: Page) -> None:
        self.page, self.count = page, 0

    def click(self, selector: str) -> None:
        self.page.click(selector)
        self.count += 1
