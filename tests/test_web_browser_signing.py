"""A regulator signs a decision in a real browser (Debian's chromium): the key file is decrypted
and the record hash signed in the page (WebCrypto Ed25519), and the server keeps a signature
that verifies against the registered key. A wrong passphrase is told in the page, nothing sent."""

from pathlib import Path

from playwright.sync_api import Page

from cases.store import record_assessment
from cases.store.signing import create_signer, signature_of
from tests.api_helpers import USCC_B, key_id_of, platform_profile
from tests.browser import LiveWeb, accessibility_problems, screenshot, sign_in

pytest_plugins = ["tests.browser_fixtures"]
PHRASE = "a long passphrase"


def test_a_regulator_signs_in_the_browser_and_the_notice_shows_a_verifying_signature(
    live_web: LiveWeb, page: Page, tmp_path: Path
) -> None:
    _, stored, _ = record_assessment(
        live_web.store, platform_profile(USCC_B, activities=["online_gambling"]), kind="regulatory", actor="R"
    )
    key_file = tmp_path / "wang.pem"
    regulator = key_id_of(live_web.store, live_web.keys.regulator)
    signer = create_signer(
        live_web.store, name="Inspector Wang", passphrase=PHRASE, key_file=key_file, api_key_id=regulator
    )
    sign_in(page, live_web.url, live_web.keys.regulator)
    page.goto(f"{live_web.url}/decisions/{stored.id}")
    page.click("#sign-link")
    assert page.inner_text("#sign-hash") == stored.hash
    assert accessibility_problems(page) == []
    page.set_input_files("#key_file", str(key_file))
    page.fill("#passphrase", "not the passphrase")
    page.click("#sign-button")
    page.wait_for_selector("#sign-status.error")
    assert page.inner_text("#sign-status").startswith("passphrase: wrong passphrase")
    assert signature_of(live_web.store, stored.id) is None
    page.fill("#passphrase", PHRASE)
    screenshot(page, "sign")
    page.click("#sign-button")
    page.wait_for_url(f"{live_web.url}/decisions/{stored.id}/notice")
    view = signature_of(live_web.store, stored.id)
    assert view is not None and view.verifies and view.signer_id == signer.id
    notice = page.inner_text("#notice-record")
    assert signer.fingerprint in notice and "✓" in notice
    screenshot(page, "notice-signed")
