"""POST /v1/assessments and /v1/self-assessments: the engine's decision, recorded, with the command
line's error messages for bad input, and never a 500 for anything a client sends."""

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.cli import main
from api.http.service import create_app
from cases.store import Store, StoreSettings, count_decisions, get_decision, open_store, verify_chain
from engine import evaluate
from engine.guidance import guide
from engine.release import canonical_json
from tests.api_helpers import USCC_A, Keys, auth, make_keys, platform_profile
from tests.conftest import make_profile

pytest_plugins = ["tests.api_fixtures", "tests.store_fixtures"]


def test_a_regulator_assessment_is_recorded_as_a_regulatory_decision_equal_to_the_engine_s(
    client: TestClient, keys: Keys, api_store: Store
) -> None:
    profile = platform_profile(USCC_A, formats=["ride_hailing"], launch_date="2024-01-01")
    response = client.post("/v1/assessments", json=profile, headers=auth(keys.regulator))
    assert response.status_code == 201, response.text
    body = response.json()
    assert canonical_json(body["decision"]) == evaluate(profile).to_json()
    assert response.headers["location"] == f"/v1/decisions/{body['decision_id']}"
    stored = get_decision(api_store, body["decision_id"])
    assert (stored.kind, stored.actor) == ("regulatory", "Inspector Wang (API key 1)")
    assert stored.decision_json == evaluate(profile).to_json()
    assert (body["case_id"], body["case_seq"], body["hash"]) == (stored.case_id, stored.case_seq, stored.hash)


def test_as_of_and_release_apply_as_they_do_on_the_command_line(client: TestClient, keys: Keys) -> None:
    profile = make_profile(assessment_date=None, formats=["social_ecommerce"], licences=["edi_licence"])
    on_date = client.post("/v1/assessments?as_of=2021-06-30", json=profile, headers=auth(keys.regulator))
    what_if = client.post("/v1/assessments?release=2026.01", json=profile, headers=auth(keys.regulator))
    assert canonical_json(on_date.json()["decision"]) == evaluate(profile, as_of=date(2021, 6, 30)).to_json()
    assert on_date.json()["decision"]["ruleset"]["release"] == "2020.07"
    assert canonical_json(what_if.json()["decision"]) == evaluate(profile, release="2026.01").to_json()
    assert what_if.json()["decision"]["ruleset"]["selection"] == "explicit"


def test_an_invalid_profile_gets_422_with_the_command_line_s_messages_and_records_nothing(
    client: TestClient, keys: Keys, api_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = make_profile(
        formats=["ride_hailing", "teleportation", "ride_hailing"],
        uscc="91330100MA00000000",
        scale={"annual_active_users": "many"},
        colour="blue",
    )
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(profile), encoding="utf-8")
    assert main(["assess", str(path)]) == 2
    cli_lines = [line.removeprefix(f"sandbox: {path}: ") for line in capsys.readouterr().err.splitlines()]

    response = client.post("/v1/assessments", json=profile, headers=auth(keys.regulator))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_profile"
    assert [f["message"] for f in error["fields"]] == cli_lines
    assert {f["path"] for f in error["fields"]} >= {"uscc", "scale.annual_active_users", "colour"}
    assert count_decisions(api_store) == 0


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"schema_version": "1",', "not valid JSON"),
        (b'{"name": "a", "name": "b"}', "key 'name' appears twice in one object"),
        (b"", "the body is empty"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"scale": {"annual_active_users": ' + b"9" * 5000 + b"}}", "not usable JSON"),
        (b"[" * 20000 + b"]" * 20000, "not usable JSON"),
    ],
)
def test_a_body_that_is_not_a_json_document_gets_422_saying_why(
    client: TestClient, keys: Keys, api_store: Store, body: bytes, says: str
) -> None:
    response = client.post("/v1/assessments", content=body, headers=auth(keys.regulator))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_json"
    assert says in response.json()["error"]["message"]
    assert count_decisions(api_store) == 0


@pytest.mark.parametrize("document", [[], "a profile", 17, None])
def test_a_json_document_that_is_not_an_object_gets_the_command_line_s_422(
    client: TestClient, keys: Keys, document: Any
) -> None:
    response = client.post("/v1/assessments", content=json.dumps(document), headers=auth(keys.regulator))
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["path"] == ""
    assert response.json()["error"]["fields"][0]["reason"].startswith("a profile must be an object")


def test_an_unknown_release_gets_422_naming_the_release_parameter(client: TestClient, keys: Keys) -> None:
    response = client.post(
        "/v1/assessments?release=1999.01", json=make_profile(), headers=auth(keys.regulator)
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "unknown_release"
    assert error["fields"][0]["path"] == "release"
    assert "2020.07" in error["message"]


def test_a_date_with_no_release_in_force_gets_422_on_assessment_date(client: TestClient, keys: Keys) -> None:
    response = client.post(
        "/v1/assessments?as_of=2019-01-01", json=make_profile(), headers=auth(keys.regulator)
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["path"] == "assessment_date"


def test_a_body_over_64_kib_gets_413_whether_declared_or_streamed(
    client: TestClient, keys: Keys, api_store: Store
) -> None:
    big = json.dumps(make_profile(new_format_description="x" * 70_000)).encode()
    declared = client.post("/v1/assessments", content=big, headers=auth(keys.regulator))

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(big), 4096):
            yield big[start : start + 4096]

    streamed = client.post("/v1/assessments", content=chunks(), headers=auth(keys.regulator))
    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "payload_too_large"
    assert count_decisions(api_store) == 0
    assert (
        client.post("/v1/assessments", content=big[:60_000], headers=auth(keys.regulator)).status_code == 422
    )


def test_a_platform_self_assessment_is_recorded_only_as_a_self_assessment(
    client: TestClient, keys: Keys, api_store: Store
) -> None:
    profile = platform_profile(USCC_A)
    response = client.post("/v1/self-assessments", json=profile, headers=auth(keys.platform_a))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["kind"] == "self_assessment"
    assert body["guidance"] is None
    assert get_decision(api_store, body["decision_id"]).kind == "self_assessment"
    assert canonical_json(body["decision"]) == evaluate(profile).to_json()


def test_guide_true_returns_the_engine_s_guidance_beside_the_decision(
    client: TestClient, keys: Keys, api_store: Store
) -> None:
    profile = platform_profile(
        USCC_A, formats=["bike_sharing"], licences=[], security={"network_filing": False}
    )
    response = client.post("/v1/self-assessments?guide=true", json=profile, headers=auth(keys.platform_a))
    assert response.status_code == 201, response.text
    decision = evaluate(profile)
    assert response.json()["guidance"] == guide(profile, decision).model_dump(mode="json")
    assert response.json()["guidance"]["counterfactuals"], "the profile has obligations a platform can drop"
    assert count_decisions(api_store) == 1  # the guidance's trial evaluations are not recorded


@pytest.mark.parametrize(
    "profile",
    [
        make_profile(scale={"market_value_cny": 1e16}),
        make_profile(scale={"annual_active_users": 10**20}),
        make_profile(assessment_date="9999-12-01", formats=["unlisted"], new_format_description="drones"),
        make_profile(launch_date="9999-12-20", formats=["unlisted"], new_format_description="drones"),
    ],
)
def test_extreme_values_the_contract_allows_never_give_a_500(
    client: TestClient, keys: Keys, api_store: Store, profile: dict[str, Any]
) -> None:
    response = client.post("/v1/self-assessments", json=profile, headers=auth(keys.regulator))
    assert response.status_code in (201, 422), response.text
    if response.status_code == 422:
        assert response.json()["error"]["code"] in ("invalid_profile", "unassessable_input")
        assert count_decisions(api_store) == 0
    with api_store.reading() as session:
        assert verify_chain(session).intact


def test_assessing_and_reading_back_work_on_every_store_backend(database_url: str) -> None:
    store = open_store(StoreSettings(database_url=database_url))
    try:
        keys = make_keys(store)
        with TestClient(create_app(store)) as client:
            profile = platform_profile(USCC_A)
            made = client.post("/v1/assessments", json=profile, headers=auth(keys.regulator))
            assert made.status_code == 201, made.text
            read = client.get(f"/v1/decisions/{made.json()['decision_id']}", headers=auth(keys.auditor))
            assert canonical_json(read.json()["decision"]) == evaluate(profile).to_json()
            # a NUL character is valid JSON and a valid name, but PostgreSQL text cannot hold it
            odd = client.post(
                "/v1/assessments",
                json=platform_profile(USCC_A, name="A\u0000B"),
                headers=auth(keys.regulator),
            )
            assert odd.status_code in (201, 422), odd.text
            assert client.get("/v1/audit/verify", headers=auth(keys.auditor)).json()["intact"]
    finally:
        store.dispose()


def test_concurrent_self_assessments_each_get_their_own_committed_verifiable_record(
    client: TestClient, keys: Keys, api_store: Store
) -> None:
    bodies = [platform_profile(USCC_A, scale={"registered_users": n}) for n in range(40)]

    def post(body: dict[str, Any]) -> Any:
        return client.post("/v1/self-assessments", json=body, headers=auth(keys.platform_a))

    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(post, bodies))
    assert [r.status_code for r in responses] == [201] * 40
    answers = [r.json() for r in responses]
    assert sorted(a["decision_id"] for a in answers) == list(range(1, 41))
    assert sorted(a["case_seq"] for a in answers) == list(range(1, 41))
    for body, answer in zip(bodies, answers, strict=True):
        stored = get_decision(api_store, answer["decision_id"])
        assert (stored.hash, stored.case_seq, stored.kind) == (
            answer["hash"],
            answer["case_seq"],
            "self_assessment",
        )
        assert stored.profile["scale"]["registered_users"] == body["scale"]["registered_users"]
        assert canonical_json(answer["decision"]) == stored.decision_json == evaluate(body).to_json()
    with api_store.reading() as session:
        assert verify_chain(session).intact
