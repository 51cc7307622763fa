"""The workbench in a real browser (Debian's chromium under Playwright) against a real
`sandbox serve` on loopback: what a platform and a regulator do, keyboard-only use, the
accessibility check of each main page, CSRF and revoked keys. Screenshots: tests/artifacts/."""

import re

from playwright.sync_api import Page

from cases.store import record_assessment
from cases.store.keys import create_key, revoke_key
from engine.vocabulary import load_vocabulary
from tests.api_helpers import USCC_A, USCC_B, platform_profile
from tests.browser import ARTIFACTS, Clicks, LiveWeb, accessibility_problems, screenshot, sign_in, tab_to
from tests.store_helpers import uscc

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
    assert accessibility_problems(page) == []
    screenshot(page, "assess-form")
    page.click("#submit-assess")
    page.wait_for_selector("#tier")
    assert page.get_attribute("#tier", "data-tier") == "prohibited"
    assert page.inner_text("#tier") == "依法取缔"
    assert "取得网络预约出租汽车经营许可证" in page.inner_text("#guidance")
    assert accessibility_problems(page) == []
    screenshot(page, "assess-result")


def test_a_bad_field_shows_its_message_beside_the_field(live_web: LiveWeb, page: Page) -> None:
    sign_in(page, live_web.url, live_web.keys.platform_a)
    page.goto(f"{live_web.url}/assess")
    page.fill("#f-name", "湖畔出行科技有限公司")
    page.select_option("#f-formats", ["b2c_retail"])
    page.fill("#f-security-log_retention_days", "半年")
    page.click("#submit-assess")
    beside = page.locator("#f-security-log_retention_days-error")
    assert beside.inner_text() == "security.log_retention_days: Input should be a valid integer"
    field = page.locator("#f-security-log_retention_days")
    assert field.get_attribute("aria-invalid") == "true"
    assert field.get_attribute("aria-describedby") == "f-security-log_retention_days-error"
    assert page.input_value("#f-name") == "湖畔出行科技有限公司"  # what was typed is kept
    assert accessibility_problems(page) == []
    screenshot(page, "assess-error")


def test_keyboard_only_fill_and_submit_works(live_web: LiveWeb, page: Page) -> None:
    page.goto(f"{live_web.url}/signin")
    tab_to(page, "#api_key")
    page.keyboard.type(live_web.keys.platform_b)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_web.url}/")
    tab_to(page, 'a[href="/assess"]')
    page.keyboard.press("Enter")
    page.wait_for_selector("#f-name")
    tab_to(page, "#f-name")
    page.keyboard.type("键盘科技有限公司")
    tab_to(page, "#f-formats")
    for _ in range(list(load_vocabulary().formats).index("remote_office") + 1):
        page.keyboard.press("ArrowDown")
    assert page.eval_on_selector("#f-formats", "s => [...s.selectedOptions].map(o => o.value)") == [
        "remote_office"
    ]
    tab_to(page, "#f-participants-complaint_channel")
    page.keyboard.press("Space")
    assert page.is_checked("#f-participants-complaint_channel")
    tab_to(page, "#submit-assess")
    page.keyboard.press("Enter")
    page.wait_for_selector("#tier")
    assert page.get_attribute("#tier", "data-tier") == "standard"
    assert "M21-COMPLAINTS" not in page.inner_text("#obligations")


def test_a_regulator_records_a_decision_and_prints_the_notice(live_web: LiveWeb, page: Page) -> None:
    record_assessment(
        live_web.store,
        platform_profile(uscc(303), name="江南网约车有限公司", formats=["ride_hailing"]),
        kind="self_assessment",
        actor="platform B",
    )
    page.add_init_script("window.print = () => { window.__printed = true; };")
    clicks = Clicks(page)
    page.goto(f"{live_web.url}/signin")
    page.fill("#api_key", live_web.keys.regulator)
    clicks.click("button[type=submit]")
    clicks.click("nav >> text=案件")
    clicks.click("text=江南网约车有限公司")
    assert accessibility_problems(page) == []
    screenshot(page, "case")
    clicks.click("#record-decision")
    page.wait_for_selector("#notice-link")
    assert accessibility_problems(page) == []
    screenshot(page, "decision")
    clicks.click("#notice-link")
    page.wait_for_selector("#notice")
    clicks.click("#print")
    assert page.evaluate("window.__printed") is True
    assert clicks.count == 6  # README: clicks from sign-in to printed notice
    text = page.inner_text("#notice")
    assert "监管决定书" in text and "依法取缔" in text and "M22-BAN-UNLICENSED" in text
    record_hash = page.inner_text("#notice-record-hash")
    assert re.fullmatch(r"[0-9a-f]{64}", record_hash)
    assert accessibility_problems(page) == []
    screenshot(page, "notice")
    page.emulate_media(media="print")
    assert not page.is_visible("header.bar") and not page.is_visible("#print")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(path=str(ARTIFACTS / "notice.pdf"), format="A4")
    assert pdf.startswith(b"%PDF")


def test_a_platform_cannot_open_another_platforms_case(live_web: LiveWeb, page: Page) -> None:
    _, other, _ = record_assessment(
        live_web.store, platform_profile(USCC_B), kind="self_assessment", actor="platform B"
    )
    sign_in(page, live_web.url, live_web.keys.platform_a)
    answer = page.goto(f"{live_web.url}/cases/{other.case_id}")
    assert answer is not None and answer.status == 404
    answer = page.goto(f"{live_web.url}/decisions/{other.id}")
    assert answer is not None and answer.status == 404


def test_a_form_post_without_the_csrf_token_is_refused(live_web: LiveWeb, page: Page) -> None:
    sign_in(page, live_web.url, live_web.keys.platform_a)
    page.goto(f"{live_web.url}/assess")
    page.fill("#f-name", "无令牌")
    page.select_option("#f-formats", ["b2c_retail"])
    page.eval_on_selector("form[action='/assess'] input[name=csrf_token]", "e => e.remove()")
    with page.expect_response(f"{live_web.url}/assess") as posted:
        page.click("#submit-assess")
    assert posted.value.status == 403
    assert "表单令牌缺失或错误" in page.inner_text("main")


def test_a_revoked_key_is_refused_on_the_next_request(live_web: LiveWeb, page: Page) -> None:
    made = create_key(live_web.store, role="auditor", name="Auditor Temp")
    sign_in(page, live_web.url, made.token)
    page.goto(f"{live_web.url}/cases")
    assert page.url == f"{live_web.url}/cases"
    revoke_key(live_web.store, made.caller.key_id)
    page.goto(f"{live_web.url}/cases")
    assert page.url.startswith(f"{live_web.url}/signin")


def test_the_main_pages_pass_the_accessibility_check(live_web: LiveWeb, page: Page) -> None:
    page.goto(f"{live_web.url}/signin")
    assert accessibility_problems(page) == []
    screenshot(page, "signin")
    sign_in(page, live_web.url, live_web.keys.regulator)
    for path, name in (
        ("/", "home"),
        ("/assess", "assess-form-regulator"),
        ("/cases", "cases"),
        ("/cases?lang=en", "cases-en"),
    ):
        page.goto(f"{live_web.url}{path}")
        assert accessibility_problems(page) == [], path
        screenshot(page, name)
