"""The replay pages without a browser: one decision replays identically (and a changed stored
record does not), a bad id is named beside its field, every decision replays as a background
job whose page refreshes itself until done, nothing is recorded, and platforms may not."""

import re
import time

from fastapi.testclient import TestClient

from cases.store import Store, count_decisions, record_assessment
from cases.store.examples import load_examples
from tests.api_helpers import USCC_A, Keys, platform_profile
from tests.store_helpers import large_by_monthly_users, raw_sql
from tests.web_helpers import signed_in

pytest_plugins = ["tests.web_fixtures"]


def _finished(web: TestClient, location: str) -> str:
    for _ in range(300):
        answer = web.get(location)
        assert answer.status_code == 200
        if 'data-running="false"' in answer.text:
            assert "Refresh" not in answer.headers
            return answer.text
        assert answer.headers["Refresh"] == "1"
        time.sleep(0.1)
    raise AssertionError("the replay did not finish in 30 s")


def test_one_decision_replays_identically(web: TestClient, web_keys: Keys, web_store: Store) -> None:
    record_assessment(web_store, platform_profile(USCC_A), actor="t")
    signed_in(web, web_keys.auditor)
    answer = web.get("/audit/replay/one", params={"decision_id": "1"})
    assert answer.status_code == 200
    assert 'id="replay-status" data-status="identical"' in answer.text
    assert "一致" in answer.text


def test_an_altered_stored_output_replays_as_different_with_its_fields(
    web: TestClient, web_keys: Keys, web_store: Store
) -> None:
    record_assessment(web_store, platform_profile(USCC_A), actor="t")
    raw_sql(
        web_store.settings.database_url,
        'UPDATE decision_record SET decision_json = replace(decision_json, \'"tier":"standard"\', '
        '\'"tier":"strict"\') WHERE seq = 1',
    )
    signed_in(web, web_keys.regulator)
    html = web.get("/audit/replay/one", params={"decision_id": "1", "lang": "en"}).text
    assert 'data-status="different"' in html
    assert "tier: &#34;strict&#34; -&gt; &#34;standard&#34;" in html


def test_a_bad_decision_id_is_named_beside_its_field(web: TestClient, web_keys: Keys) -> None:
    signed_in(web, web_keys.auditor)
    for bad in ("abc", "0", "99999999999999999999"):
        answer = web.get("/audit/replay/one", params={"decision_id": bad})
        assert answer.status_code == 422
        assert 'id="f-decision_id-error">decision_id: 决定编号应为正整数' in answer.text
    missing = web.get("/audit/replay/one", params={"decision_id": "7"})
    assert missing.status_code == 404


def test_replaying_every_decision_shows_progress_until_done_and_records_nothing(
    web: TestClient, web_keys: Keys, web_store: Store
) -> None:
    load_examples(web_store)
    before = count_decisions(web_store)
    token = signed_in(web, web_keys.auditor)
    started = web.post("/audit/replay/all", data={"csrf_token": token})
    assert started.status_code == 303
    location = started.headers["location"]
    assert re.fullmatch(r"/audit/replay/jobs/[\w-]+", location)
    html = _finished(web, location)
    assert f'data-done="{before}" data-total="{before}"' in html
    assert f'<li data-status="identical">一致: {before}</li>' in html
    assert "全部一致" in html
    assert count_decisions(web_store) == before


def test_a_replay_of_all_lists_the_decisions_that_differ(
    web: TestClient, web_keys: Keys, web_store: Store
) -> None:
    load_examples(web_store)
    raw_sql(
        web_store.settings.database_url,
        "UPDATE decision_record SET decision_json = decision_json || ' ' WHERE seq = 2",
    )
    token = signed_in(web, web_keys.regulator)
    html = _finished(web, web.post("/audit/replay/all", data={"csrf_token": token}).headers["location"])
    assert re.findall(r'<tr data-decision="(\d+)" data-status="(\w+)"', html) == [("2", "different")]


def test_starting_a_replay_needs_the_form_token(web: TestClient, web_keys: Keys) -> None:
    signed_in(web, web_keys.auditor)
    assert web.post("/audit/replay/all", data={}).status_code == 403
    assert web.post("/audit/replay/all", data={"csrf_token": "forged"}).status_code == 403


def test_an_unknown_replay_job_is_not_found(web: TestClient, web_keys: Keys) -> None:
    signed_in(web, web_keys.auditor)
    assert web.get("/audit/replay/jobs/nope").status_code == 404


def test_a_platform_may_not_replay(web: TestClient, web_keys: Keys, web_store: Store) -> None:
    record_assessment(web_store, platform_profile(USCC_A), actor="t")
    token = signed_in(web, web_keys.platform_a)
    assert web.get("/audit/replay").status_code == 403
    assert web.get("/audit/replay/one", params={"decision_id": "1"}).status_code == 403
    assert web.post("/audit/replay/all", data={"csrf_token": token}).status_code == 403


def test_a_what_if_replay_shows_the_differences_under_another_release(
    web: TestClient, web_keys: Keys, web_store: Store
) -> None:
    record_assessment(web_store, large_by_monthly_users(), actor="t")  # small under 2022.01
    signed_in(web, web_keys.auditor)
    html = web.get("/audit/replay/one", params={"decision_id": "1", "what_if": "2026.01", "lang": "en"}).text
    assert 'data-status="different"' in html
    assert "(what-if 2026.01)" in html
    assert "platform_grade: &#34;small_medium&#34; -&gt; &#34;large&#34;" in html
    assert count_decisions(web_store) == 1


def test_an_unknown_what_if_release_is_named_beside_its_field(web: TestClient, web_keys: Keys) -> None:
    signed_in(web, web_keys.auditor)
    answer = web.get("/audit/replay/one", params={"decision_id": "1", "what_if": "2031.01"})
    assert answer.status_code == 422
    assert re.search(r'id="f-what_if-error">what_if: [^<]*2031.01', answer.text)
    assert "f-decision_id-error" not in answer.text


def test_the_decision_page_links_its_replay_for_auditors_only(
    web: TestClient, web_keys: Keys, web_store: Store
) -> None:
    record_assessment(web_store, platform_profile(USCC_A), kind="self_assessment", actor="t")
    signed_in(web, web_keys.auditor)
    assert 'href="/audit/replay/one?decision_id=1" id="replay-link"' in web.get("/decisions/1").text
    web.cookies.clear()
    signed_in(web, web_keys.platform_a)
    page = web.get("/decisions/1")
    assert page.status_code == 200
    assert "replay-link" not in page.text
