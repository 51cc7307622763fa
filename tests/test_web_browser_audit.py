"""The auditor pages and the rules browser in a real browser (Debian's chromium under
Playwright) against a real `sandbox serve`: an auditor sees the impact chart with the rules
behind each change, replays every decision and watches the progress until done, and browses
the rules; each page passes the accessibility check. Screenshots: tests/artifacts/."""

import re

from playwright.sync_api import Page

from cases.store import Store, count_decisions, impact, record_assessment
from cases.store.examples import load_examples
from tests.browser import LiveWeb, accessibility_problems, screenshot, sign_in
from tests.conftest import make_profile
from tests.store_helpers import uscc

pytest_plugins = ["tests.browser_fixtures"]
EXTRA = 400  # decisions beyond the examples, so that a replay of all takes a few refreshes


def _filled(store: Store) -> int:
    """The examples and EXTRA more decisions in the live server's store (once per module)."""
    if count_decisions(store) == 0:
        load_examples(store)
        for n in range(EXTRA):
            profile = make_profile(name=f"平台{n:04d}有限公司", uscc=uscc(5000 + n), formats=["b2c_retail"])
            record_assessment(store, profile, actor="browser-test")
    return count_decisions(store)


def test_an_auditor_sees_the_impact_chart_and_the_rules_behind_each_change(
    live_web: LiveWeb, page: Page
) -> None:
    _filled(live_web.store)
    expected = impact(live_web.store, from_release="2020.07", to_release="2022.01")
    sign_in(page, live_web.url, live_web.keys.auditor)
    page.click("nav >> text=审计")
    assert page.get_attribute("#chain", "data-intact") == "true"
    assert accessibility_problems(page) == []
    screenshot(page, "audit")
    page.click("text=版本影响分析")
    page.select_option("#f-from_release", "2020.07")
    page.select_option("#f-to_release", "2022.01")
    page.click("button[type=submit] >> text=比较")
    chart = page.locator("svg#chart-tier")
    chart.wait_for()
    assert chart.get_attribute("role") == "img"
    assert page.locator("#chart-tier-title").text_content() == "监管层级迁移:2020.07 → 2022.01"
    cells = chart.locator("g.cell")
    assert cells.count() == len(expected.tier_matrix) ** 2
    moved = chart.locator('g.cell[data-from="observation"][data-to="prohibited"]')
    assert moved.get_attribute("data-count") == str(expected.tier_matrix["observation"]["prohibited"])
    assert moved.locator("rect.mark").bounding_box() is not None  # drawn, not only listed
    assert page.locator("#cases-changed").inner_text() == str(len(expected.changed))
    rules = {r.rule for case in expected.changed for r in case.attribution}
    listed = set(page.locator("#explaining-rules td:first-child a").all_inner_texts())
    assert listed == rules
    assert accessibility_problems(page) == []
    screenshot(page, "audit-impact")


def test_an_auditor_replays_every_decision_and_sees_the_progress_until_done(
    live_web: LiveWeb, page: Page
) -> None:
    total = _filled(live_web.store)
    sign_in(page, live_web.url, live_web.keys.auditor)
    page.goto(f"{live_web.url}/audit/replay")
    assert accessibility_problems(page) == []
    loads: list[str] = []
    page.on("load", lambda p: loads.append(p.url))
    page.click("#replay-all")
    page.wait_for_url(re.compile(r".*/audit/replay/jobs/[\w-]+$"))
    job = page.locator("#replay-job")
    assert job.get_attribute("data-total") == str(total)
    seen = [int(job.get_attribute("data-done") or "0")]
    if job.get_attribute("data-running") == "true":
        assert page.locator("#replay-progress").get_attribute("max") == str(total)
        screenshot(page, "audit-replay-progress")
    page.wait_for_selector('#replay-job[data-running="false"]', timeout=120_000)
    seen.append(int(job.get_attribute("data-done") or "0"))
    assert seen[-1] == total
    assert page.locator('#replay-counts li[data-status="identical"]').inner_text() == f"一致: {total}"
    assert "全部一致" in page.locator("#replay-job").inner_text()
    job_loads = [u for u in loads if "/audit/replay/jobs/" in u]
    assert len(job_loads) >= 1 + (seen[0] < total)  # refreshed itself while running
    assert count_decisions(live_web.store) == total  # a replay records nothing
    assert accessibility_problems(page) == []
    screenshot(page, "audit-replay-done")


def test_anyone_signed_in_browses_the_releases_their_rules_and_a_diff(live_web: LiveWeb, page: Page) -> None:
    sign_in(page, live_web.url, live_web.keys.platform_a)
    page.click("nav >> text=规则")
    assert page.locator("#releases tr[data-release]").count() == 3
    assert accessibility_problems(page) == []
    screenshot(page, "rules")
    page.click("#releases >> text=2026.01")
    assert "建立健全消费者投诉和举报机制" in page.locator('tr[data-rule="M21-COMPLAINTS"]').inner_text()
    assert accessibility_problems(page) == []
    screenshot(page, "rules-release")
    page.goto(f"{live_web.url}/rules")
    page.select_option("#f-from_release", "2022.01")
    page.select_option("#f-to_release", "2026.01")
    page.click("text=查看差异")
    assert "M26-PI-REPORT" in page.locator("#section-rules").inner_text()
    assert accessibility_problems(page) == []
    screenshot(page, "rules-diff")
    assert page.locator("nav >> text=审计").count() == 0  # a platform has no audit pages
