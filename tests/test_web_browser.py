"""The workbench in a real browser (Debian's chromium under Playwright) against a real
`sandbox serve` on loopback: what a platform and a regulator do, keyboard-only use, the
accessibility check of each main page, CSRF and revoked keys. Screenshots: tests/artifacts/."""

from playwright.sync_api import Page

from tests.api_helpers import USCC_A
from tests.browser import LiveWeb, screenshot, sign_in

pytest_plugins = ["tests.browser_fixtures"]


def test_a_platform_self_assesses_from_the_form_and_sees_tier_and_guidance(
    live_web: LiveWeb, page: Page
) -> None:
    sign_in(page, live_web.url, live_web.keys.platform_a)
    page.click("text=自评估")
    page.fill("#f-name", "湖畔出行科技有限公司")
    assert page.input_value("#f-uscc") == USCC_A
    page.fill("#f-assessment_date", "2026-06-01")
    page.select_option("#f-formats", ["ride_hailing"])
    page.check("#f-participants-complaint_channel")
    screenshot(page, "assess-form")
    page.click("#submit-assess")
    page.wait_for_selector("#tier")
    assert page.get_attribute("#tier", "data-tier") == "prohibited"
    assert page.inner_text("#tier") == "依法取缔"
    assert "取得网络预约出租汽车经营许可证" in page.inner_text("#guidance")
    screenshot(page, "assess-result")
