"""The auditor pages without a browser: the chain status (intact, then broken by an altered
record), the impact page with its SVG charts and the rules that explain each change, its
errors beside the fields, and who may open them (regulators and auditors; platforms get 403)."""

import re
import time
import xml.etree.ElementTree as ET

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.web import pages_audit
from api.web.app import page_modules
from cases.store import Store, count_decisions, impact, list_cases, record_assessment
from cases.store.examples import load_examples
from tests.api_helpers import USCC_A, Keys, platform_profile
from tests.store_helpers import raw_sql
from tests.web_helpers import signed_in

pytest_plugins = ["tests.web_fixtures"]
SVG = "{http://www.w3.org/2000/svg}"


def _svg(html: str, chart_id: str) -> ET.Element:
    found = re.search(rf'<svg[^>]*id="{chart_id}".*?</svg>', html, re.S)
    assert found, f"no chart {chart_id}"
    return ET.fromstring(found.group(0))


def test_the_audit_page_shows_an_intact_chain(web: TestClient, web_keys: Keys, web_store: Store) -> None:
    load_examples(web_store)
    signed_in(web, web_keys.auditor)
    html = web.get("/audit").text
    assert 'data-intact="true"' in html
    assert f"{count_decisions(web_store)}" in html
    assert "哈希链完整" in html


def test_the_audit_page_names_the_record_that_breaks_the_chain(
    web: TestClient, web_keys: Keys, web_store: Store
) -> None:
    load_examples(web_store)
    raw_sql(web_store.settings.database_url, "UPDATE decision_record SET actor = 'forger' WHERE seq = 3")
    signed_in(web, web_keys.regulator)
    html = web.get("/audit", params={"lang": "en"}).text
    assert 'data-intact="false"' in html
    assert "Broken at decision #3" in html
    assert "decision 3 was altered" in html


def test_the_impact_page_draws_the_tier_matrix_the_store_computes(
    web: TestClient, web_keys: Keys, web_store: Store
) -> None:
    load_examples(web_store)
    report = impact(web_store, from_release="2020.07", to_release="2022.01")
    signed_in(web, web_keys.auditor)
    answer = web.get("/audit/impact", params={"from_release": "2020.07", "to_release": "2022.01"})
    assert answer.status_code == 200
    chart = _svg(answer.text, "chart-tier")
    cells = {
        (g.get("data-from"), g.get("data-to")): int(g.get("data-count", ""))
        for g in chart.iter(f"{SVG}g")
        if g.get("class") == "cell"
    }
    expected = {(a, b): n for a, row in report.tier_matrix.items() for b, n in row.items()}
    assert cells == expected
    assert cells[("observation", "prohibited")] == 1  # the examples hold a tier change
    assert chart.find(f"{SVG}title").text == "监管层级迁移:2020.07 → 2022.01"  # type: ignore[union-attr]
    assert _svg(answer.text, "chart-grade") is not None
    assert f'<strong id="cases-changed">{len(report.changed)}</strong>' in answer.text


def test_the_impact_page_lists_the_rules_that_explain_each_change_with_their_citations(
    web: TestClient, web_keys: Keys, web_store: Store
) -> None:
    load_examples(web_store)
    report = impact(web_store, from_release="2020.07", to_release="2022.01")
    signed_in(web, web_keys.regulator)
    html = web.get("/audit/impact", params={"from_release": "2020.07", "to_release": "2022.01"}).text
    table = html[html.index('id="explaining-rules"') :]
    for rule in {r.rule for case in report.changed for r in case.attribution}:
        assert f">{rule}</a>" in table
    assert "[措施 " in table  # each rule with its seed clause
    for case in report.changed:
        assert f'data-case="{case.case_id}"' in html


def test_the_impact_form_shows_bad_input_beside_its_field(web: TestClient, web_keys: Keys) -> None:
    signed_in(web, web_keys.auditor)
    answer = web.get(
        "/audit/impact", params={"from_release": "1999.01", "to_release": "2026.01", "as_of": "June"}
    )
    assert answer.status_code == 422
    assert re.search(r'id="f-from_release-error">from_release: [^<]*1999.01', answer.text)
    assert 'id="f-as_of-error">as_of: 日期格式应为 YYYY-MM-DD' in answer.text
    assert "chart-tier" not in answer.text
    assert "f-to_release-error" not in answer.text


def test_without_releases_the_impact_page_is_a_form_with_labels(web: TestClient, web_keys: Keys) -> None:
    signed_in(web, web_keys.auditor)
    html = web.get("/audit/impact").text
    for name in ("from_release", "to_release", "as_of"):
        assert f'<label for="f-{name}">' in html
    assert "chart-tier" not in html


def test_a_platform_may_not_open_the_audit_pages(web: TestClient, web_keys: Keys) -> None:
    signed_in(web, web_keys.platform_a)
    for path in ("/audit", "/audit/impact"):
        assert web.get(path).status_code == 403
    assert 'href="/audit"' not in web.get("/").text


def test_without_a_session_the_audit_pages_send_to_sign_in(web: TestClient) -> None:
    answer = web.get("/audit")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?next=/audit"


def _post_paths() -> list[str]:
    """Every form POST of the workbench: the POST routes of every api/web/pages_*.py module."""
    routes = [r for m in page_modules() for r in m.router.routes if isinstance(r, APIRoute)]
    return sorted(r.path for r in routes if "POST" in r.methods)


def test_an_auditor_writes_nothing_through_any_form(
    web: TestClient, web_keys: Keys, web_store: Store
) -> None:
    load_examples(web_store)
    before = count_decisions(web_store)
    token = signed_in(web, web_keys.auditor)
    reads_only = {"/signin", "/signout", "/audit/replay/all"}  # sign-in/out and a replay record nothing
    writes = [p for p in _post_paths() if p not in reads_only]
    assert {"/assess", "/cases/{case_id}/decision", "/cases/{case_id}/reassess"} <= set(writes)
    for path in writes:
        answer = web.post(path.replace("{case_id}", "1"), data={"csrf_token": token, "name": "x"})
        assert answer.status_code == 403, path
    started = web.post("/audit/replay/all", data={"csrf_token": token})
    assert started.status_code == 303
    for _ in range(300):  # let the replay finish before the store goes away
        if 'data-running="false"' in web.get(started.headers["location"]).text:
            break
        time.sleep(0.1)
    assert count_decisions(web_store) == before


def test_a_slow_report_is_computed_in_the_background_while_the_page_refreshes_itself(
    web: TestClient, web_keys: Keys, web_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_examples(web_store)
    monkeypatch.setattr(pages_audit, "WAIT_SECONDS", 0.0)  # answer at once, before the report is ready
    signed_in(web, web_keys.auditor)
    params = {"from_release": "2020.07", "to_release": "2022.01"}
    first = web.get("/audit/impact", params=params)
    assert 'id="impact-task" data-running="true"' in first.text
    assert first.headers["Refresh"] == "1"
    assert "chart-tier" not in first.text
    for _ in range(300):
        answer = web.get("/audit/impact", params=params)
        if "chart-tier" in answer.text:
            assert "Refresh" not in answer.headers
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the report was not ready in 30 s")


def test_a_new_record_makes_a_new_report(web: TestClient, web_keys: Keys, web_store: Store) -> None:
    load_examples(web_store)
    signed_in(web, web_keys.auditor)
    params = {"from_release": "2022.01", "to_release": "2026.01"}
    cases = len(list_cases(web_store))
    assert f'<strong id="cases-compared">{cases}</strong>' in web.get("/audit/impact", params=params).text
    record_assessment(web_store, platform_profile(USCC_A), actor="t")
    again = web.get("/audit/impact", params=params).text
    assert f'<strong id="cases-compared">{cases + 1}</strong>' in again
