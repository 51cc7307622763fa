"""The rules browser without a browser: the releases with their dates and hashes, a release's
rules with their seed clauses and laws, the diff of two releases down to the changed fields,
bad releases named beside their fields; every signed-in role may read them."""

import re

from fastapi.testclient import TestClient

from engine import default_rulebook
from tests.api_helpers import Keys
from tests.web_helpers import signed_in

pytest_plugins = ["tests.web_fixtures"]


def test_the_releases_page_lists_every_release_with_its_dates_and_hash(
    web: TestClient, web_keys: Keys
) -> None:
    signed_in(web, web_keys.platform_a)
    html = web.get("/rules").text
    book = default_rulebook()
    assert re.findall(r'<tr data-release="([^"]+)">', html) == [r.id for r in book.releases]
    for release in book.releases:
        assert release.sha256 in html
        assert str(release.in_force_from) in html
        assert f'<a href="/rules/{release.id}">' in html
    assert "至今" in html  # the release in force has no end date


def test_a_release_page_shows_each_rule_with_its_citations(web: TestClient, web_keys: Keys) -> None:
    signed_in(web, web_keys.auditor)
    compiled = default_rulebook().get("2026.01")
    html = web.get("/rules/2026.01").text
    assert re.findall(r'<tr id="([^"]+)" data-rule=', html) == list(compiled.rules)
    assert compiled.release.sha256 in html
    complaints = compiled.rules["M21-COMPLAINTS"]
    row = html[html.index('data-rule="M21-COMPLAINTS"') :].split("</tr>")[0]
    assert complaints.reason["zh"] in row
    assert "“建立健全消费者投诉和举报机制”" in row
    english = web.get("/rules/2026.01", params={"lang": "en"}).text
    assert complaints.reason["en"] in english


def test_a_rule_citing_a_law_shows_the_law(web: TestClient, web_keys: Keys) -> None:
    signed_in(web, web_keys.regulator)
    compiled = default_rulebook().get("2026.01")
    rule, law = next((r, c["law"]) for r in compiled.rules.values() for c in r.cite if "law" in c)
    html = web.get("/rules/2026.01").text
    row = html[html.index(f'data-rule="{rule.id}"') :].split("</tr>")[0]
    assert f"法律依据: {law['zh']}" in row


def test_an_unknown_release_page_is_not_found(web: TestClient, web_keys: Keys) -> None:
    signed_in(web, web_keys.regulator)
    answer = web.get("/rules/1999.01")
    assert answer.status_code == 404
    assert "1999.01" in answer.text


def test_the_diff_page_shows_what_changed_down_to_the_fields(web: TestClient, web_keys: Keys) -> None:
    signed_in(web, web_keys.platform_b)
    html = web.get("/rules/diff", params={"from_release": "2022.01", "to_release": "2026.01"}).text
    rules = html[html.index('id="section-rules"') :].split("</section>")[0]
    assert '<a href="/rules/2026.01#M26-PI-REPORT">M26-PI-REPORT</a>' in rules.split('class="added"')[1]
    changed = re.findall(r'<li data-key="([^"]+)">', rules)
    assert changed == ["M23-GRADE", "M26-LOGS"]
    parameters = html[html.index('id="section-parameters"') :].split("</section>")[0]
    assert "statutory_large_monthly_active_users" in parameters
    assert "basis: " in parameters  # log_retention_min_days changed its basis
    prohibited = html[html.index('id="section-prohibited_activities"') :].split("</section>")[0]
    assert "无变化" in prohibited


def test_the_diff_of_a_release_with_itself_is_empty(web: TestClient, web_keys: Keys) -> None:
    signed_in(web, web_keys.auditor)
    html = web.get("/rules/diff", params={"from_release": "2026.01", "to_release": "2026.01"}).text
    assert html.count("无变化") == 4


def test_the_diff_form_names_an_unknown_release_beside_its_field(web: TestClient, web_keys: Keys) -> None:
    signed_in(web, web_keys.auditor)
    answer = web.get("/rules/diff", params={"from_release": "2022.01", "to_release": "2031.01"})
    assert answer.status_code == 422
    assert re.search(r'id="f-to_release-error">to_release: [^<]*2031.01', answer.text)
    assert "f-from_release-error" not in answer.text


def test_the_rules_pages_need_a_session(web: TestClient) -> None:
    for path in ("/rules", "/rules/2026.01", "/rules/diff"):
        assert web.get(path).status_code == 303


def test_the_diff_links_its_impact_on_the_stored_cases_for_auditors_only(
    web: TestClient, web_keys: Keys
) -> None:
    params = {"from_release": "2022.01", "to_release": "2026.01"}
    signed_in(web, web_keys.auditor)
    html = web.get("/rules/diff", params=params).text
    assert 'href="/audit/impact?from_release=2022.01&amp;to_release=2026.01"' in html
    web.cookies.clear()
    signed_in(web, web_keys.platform_a)
    assert "impact-link" not in web.get("/rules/diff", params=params).text


def test_the_rules_pages_read_in_english(web: TestClient, web_keys: Keys) -> None:
    signed_in(web, web_keys.regulator)
    assert "<h1>Releases</h1>" in web.get("/rules", params={"lang": "en"}).text
    assert "<h1>The rules of release 2026.01</h1>" in web.get("/rules/2026.01").text  # the cookie keeps it
