"""The case list, case page, decision page and decision notice without a browser: search and
filters, what each role sees (a platform only its own self-assessments, else 404), the
regulator's writes, and a notice whose every line cites measure and rule id."""

import re
from pathlib import Path

from fastapi.testclient import TestClient

from api.web.case_list import tier_pattern
from api.web.notice import notice_lines, signature_block
from cases.store import Store, count_decisions, get_decision, record_assessment
from cases.store.signing import add_signature, create_signer, load_signing_key, sign_hash
from engine import evaluate
from tests.api_helpers import USCC_A, USCC_B, Keys, platform_profile
from tests.conftest import make_profile
from tests.web_helpers import signed_in

pytest_plugins = ["tests.web_fixtures"]


def _fill(store: Store) -> None:
    """Platform A (self-assessed, standard), platform B (regulatory, prohibited), a new format."""
    record_assessment(store, platform_profile(USCC_A), kind="self_assessment", actor="A")
    record_assessment(
        store, platform_profile(USCC_B, activities=["online_gambling"]), kind="regulatory", actor="R"
    )
    record_assessment(
        store,
        make_profile(
            name="Drone Parcels",
            formats=["unlisted"],
            new_format_description="drone delivery",
            launch_date="2020-08-01",
            assessment_date="2021-01-04",
        ),
        actor="R",
    )


def _names(html: str) -> list[str]:
    return re.findall(r'<td><a href="/cases/\d+">([^<]*)</a></td>', html)


def test_a_stored_decision_ends_with_its_tier_so_the_tier_filter_holds() -> None:
    decision = evaluate(make_profile())
    assert decision.to_json().endswith(tier_pattern(decision.tier).lstrip("%"))


def test_the_case_list_searches_and_filters(web: TestClient, web_keys: Keys, web_store: Store) -> None:
    _fill(web_store)
    signed_in(web, web_keys.regulator)
    assert len(_names(web.get("/cases").text)) == 3
    assert _names(web.get("/cases", params={"q": "drone"}).text) == ["Drone Parcels"]
    assert len(_names(web.get("/cases", params={"q": USCC_B[-8:]}).text)) == 1
    assert len(_names(web.get("/cases", params={"tier": "prohibited"}).text)) == 1
    assert _names(web.get("/cases", params={"tier": "observation"}).text) == ["Drone Parcels"]
    assert _names(web.get("/cases", params={"due": "1"}).text) == ["Drone Parcels"]  # ended 2022-08-01
    assert _names(web.get("/cases", params={"q": "100%"}).text) == []


def test_bad_list_parameters_name_the_field(web: TestClient, web_keys: Keys) -> None:
    signed_in(web, web_keys.regulator)
    answer = web.get("/cases", params={"tier": "lenient"})
    assert answer.status_code == 422 and "tier: must be one of" in answer.text
    answer = web.get("/cases", params={"page": "0"})
    assert answer.status_code == 422 and "page: must be a whole number" in answer.text


def test_the_case_list_pages_through_many_cases(web: TestClient, web_keys: Keys, web_store: Store) -> None:
    for n in range(30):
        record_assessment(web_store, make_profile(name=f"Shop {n:02d}"), actor="R")
    signed_in(web, web_keys.auditor)
    first, second = web.get("/cases").text, web.get("/cases", params={"page": "2"}).text
    assert len(_names(first)) == 25 and len(_names(second)) == 5
    assert "共 30 个案件" in first and 'rel="next"' in first and 'rel="prev"' in second


def test_a_platform_sees_only_its_own_case(web: TestClient, web_keys: Keys, web_store: Store) -> None:
    _fill(web_store)
    signed_in(web, web_keys.platform_a)
    listed = web.get("/cases").text
    assert len(_names(listed)) == 1
    own = re.search(r'<a href="/cases/(\d+)">', listed)
    assert own
    assert web.get(f"/cases/{own.group(1)}").status_code == 200
    other = get_decision(web_store, 2)
    assert web.get(f"/cases/{other.case_id}").status_code == 404
    assert web.get("/decisions/2").status_code == 404
    assert web.get("/decisions/2/notice").status_code == 404


def test_the_case_page_shows_the_history_and_only_a_regulator_may_write(
    web: TestClient, web_keys: Keys, web_store: Store
) -> None:
    _fill(web_store)
    case_id = get_decision(web_store, 3).case_id
    auditor_token = signed_in(web, web_keys.auditor)
    page = web.get(f"/cases/{case_id}").text
    assert 'id="timeline"' in page and "观察期监管" in page and "record-decision" not in page
    refused = web.post(f"/cases/{case_id}/decision", data={"csrf_token": auditor_token})
    assert refused.status_code == 403
    assert count_decisions(web_store) == 3


def test_a_regulator_records_a_decision_and_opens_its_notice(
    web: TestClient, web_keys: Keys, web_store: Store
) -> None:
    _fill(web_store)
    case_id = get_decision(web_store, 3).case_id
    token = signed_in(web, web_keys.regulator)
    answer = web.post(f"/cases/{case_id}/decision", data={"csrf_token": token, "as_of": "2023-03-01"})
    assert answer.status_code == 303 and answer.headers["location"] == "/decisions/4"
    stored = get_decision(web_store, 4)
    assert stored.kind == "regulatory" and str(stored.as_of) == "2023-03-01"
    assert "Inspector Wang" in stored.actor
    notice = web.get("/decisions/4/notice").text
    assert "监管决定书" in notice and stored.hash in notice and stored.release_sha256 in notice
    assert "沙盒监决〔2023〕第4号" in notice
    lines = re.search(r'<section id="notice-lines">(.*?)</section>', notice, re.S)
    assert lines
    for line in re.findall(r"<p>(.*?)</p>", lines.group(1), re.S):
        assert re.search(r"\[措施 [\d, ]+, M\d\d-[A-Z-]+", line), line  # every line cites measure and rule


def test_reassess_records_a_linked_decision(web: TestClient, web_keys: Keys, web_store: Store) -> None:
    _fill(web_store)
    case_id = get_decision(web_store, 3).case_id
    token = signed_in(web, web_keys.regulator)
    answer = web.post(f"/cases/{case_id}/reassess", data={"csrf_token": token, "as_of": "2026-02-01"})
    assert answer.status_code == 303
    assert get_decision(web_store, 4).reassesses == 3
    assert "#3" in web.get("/decisions/4").text


def test_a_bad_decision_date_names_the_field_and_records_nothing(
    web: TestClient, web_keys: Keys, web_store: Store
) -> None:
    _fill(web_store)
    token = signed_in(web, web_keys.regulator)
    answer = web.post("/cases/1/decision", data={"csrf_token": token, "as_of": "2023-02-30"})
    assert answer.status_code == 422 and "as_of:" in answer.text
    assert count_decisions(web_store) == 3


def test_a_self_assessment_has_no_notice(web: TestClient, web_keys: Keys, web_store: Store) -> None:
    _fill(web_store)
    signed_in(web, web_keys.regulator)
    assert web.get("/decisions/1/notice").status_code == 404


def test_every_notice_line_names_the_rules_that_set_it(web_store: Store) -> None:
    _fill(web_store)
    decision = get_decision(web_store, 3).decision
    lines = {line.field: [c.rule for c in line.cited] for line in notice_lines(decision)}
    assert lines == {
        "tier": ["M22-OBSERVE-NEW"],
        "intensity": ["M23-INTENSITY"],
        "credit_class": ["M23-CREDIT-UNRATED"],
        "platform_grade": ["M23-GRADE"],
        "observation": ["M22-OBSERVE-NEW"],
    }
    assert signature_block(web_store, get_decision(web_store, 3)) is None  # not signed
    prohibited = {
        line.field: [c.rule for c in line.cited] for line in notice_lines(get_decision(web_store, 2).decision)
    }
    assert prohibited["intensity"] == prohibited["tier"] == ["M22-BAN-ACTIVITY"]


def test_a_signed_decision_shows_its_signature_in_the_notice(
    web: TestClient, web_keys: Keys, web_store: Store, tmp_path: Path
) -> None:
    _fill(web_store)
    key_file = tmp_path / "inspector.pem"
    phrase = "a long passphrase"
    signer = create_signer(web_store, name="Inspector Wang", passphrase=phrase, key_file=key_file)
    stored = get_decision(web_store, 2)  # platform B's regulatory decision
    key = load_signing_key(key_file, phrase)
    add_signature(web_store, record_id=2, signer_id=signer.id, signature_hex=sign_hash(key, stored.hash))
    signed_in(web, web_keys.regulator)
    notice = web.get("/decisions/2/notice").text
    assert "Inspector Wang" in notice and signer.fingerprint in notice and "签名 (Ed25519)" in notice
    lines = dict((en, value) for _, en, value in signature_block(web_store, stored) or [])
    assert lines["Verifies"] == "✓" and lines["Record hash signed"] == stored.hash
