"""Structured logs: one `decision.made` per assessment with its ids, release, tier, decisive rules
and duration; every event of a request carries its request id; no profile contents, no keys."""

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send
from structlog.contextvars import merge_contextvars
from structlog.testing import capture_logs

from api.http.logs import RequestContext, configure_logging
from engine import evaluate
from tests.api_helpers import USCC_A, Keys, auth, platform_profile

pytest_plugins = ["tests.api_fixtures"]


def events(captured: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [e for e in captured if e["event"] == name]


def test_each_assessment_logs_one_decision_made_event_with_ids_release_tier_and_decisive_rules(
    client: TestClient, keys: Keys
) -> None:
    profile = platform_profile(USCC_A, formats=["mobile_payment"], licences=["payment_licence"])
    with capture_logs(processors=[merge_contextvars]) as captured:
        made = client.post("/v1/assessments", json=profile, headers=auth(keys.regulator))
        selfish = client.post("/v1/self-assessments", json=profile, headers=auth(keys.platform_a))
    decision = evaluate(profile)
    made_events = events(captured, "decision.made")
    assert len(made_events) == 2
    first = made_events[0]
    assert {k: first[k] for k in ("decision_id", "case_id", "kind", "release", "tier", "decisive")} == {
        "decision_id": made.json()["decision_id"],
        "case_id": made.json()["case_id"],
        "kind": "regulatory",
        "release": decision.ruleset.release,
        "tier": "strict",
        "decisive": decision.explanation.decisive,
    }
    assert "M22-STRICT-FUNDS" in first["decisive"]
    assert isinstance(first["duration_ms"], float) and first["duration_ms"] >= 0
    assert (made_events[1]["kind"], made_events[1]["role"]) == ("self_assessment", "platform")
    assert made_events[1]["decision_id"] == selfish.json()["decision_id"]


def test_every_event_of_a_request_carries_its_request_id_and_the_response_echoes_it(
    client: TestClient, keys: Keys
) -> None:
    with capture_logs(processors=[merge_contextvars]) as captured:
        given = client.post(
            "/v1/assessments",
            json=platform_profile(USCC_A),
            headers={**auth(keys.regulator), "X-Request-ID": "inspection-2026-0042"},
        )
        fresh = client.get("/v1/cases", headers=auth(keys.regulator))
    assert given.headers["x-request-id"] == "inspection-2026-0042"
    assert len(fresh.headers["x-request-id"]) == 32
    by_request: dict[str, list[str]] = {}
    for event in captured:
        by_request.setdefault(event["request_id"], []).append(event["event"])
    assert by_request == {
        "inspection-2026-0042": ["decision.made", "request.completed"],
        fresh.headers["x-request-id"]: ["request.completed"],
    }
    completed = events(captured, "request.completed")
    assert [(e["method"], e["path"], e["status"], e["key_id"], e["role"]) for e in completed] == [
        ("POST", "/v1/assessments", 201, 1, "regulator"),
        ("GET", "/v1/cases", 200, 1, "regulator"),
    ]


@pytest.mark.parametrize("given", ["a b", "x" * 65, 'inject"}\n{"event": "forged'])
def test_a_request_id_that_is_not_short_and_plain_is_replaced(client: TestClient, given: str) -> None:
    with capture_logs(processors=[merge_contextvars]) as captured:
        response = client.get("/v1/health", headers={"X-Request-ID": given})
    assert response.headers["x-request-id"] != given
    assert captured[0]["request_id"] == response.headers["x-request-id"]


def test_logs_hold_no_profile_contents_and_no_keys(client: TestClient, keys: Keys) -> None:
    secret_words = "Drone delivery of parcels by the Qiantang river"
    profile = platform_profile(
        USCC_A, name="Secretive Platform Co., Ltd.", formats=["unlisted"], new_format_description=secret_words
    )
    with capture_logs(processors=[merge_contextvars]) as captured:
        client.post("/v1/assessments", json=profile, headers=auth(keys.regulator))
        client.post("/v1/self-assessments?guide=true", json=profile, headers=auth(keys.platform_a))
        client.post("/v1/assessments", json={**profile, "colour": "blue"}, headers=auth(keys.regulator))
        client.get("/v1/cases", headers=auth(keys.platform_b))
        client.get("/v1/cases", headers=auth(keys.platform_b + "x"))
    text = json.dumps(captured)
    assert len(events(captured, "decision.made")) == 2
    for secret in (
        secret_words,
        "Secretive",
        USCC_A,
        "blue",
        keys.regulator,
        keys.platform_a,
        keys.platform_b,
    ):
        assert secret not in text


def test_an_invalid_profile_makes_no_decision_event(client: TestClient, keys: Keys) -> None:
    with capture_logs(processors=[merge_contextvars]) as captured:
        response = client.post(
            "/v1/assessments", json=platform_profile(USCC_A, formats=[]), headers=auth(keys.regulator)
        )
    assert response.status_code == 422
    assert events(captured, "decision.made") == []
    assert [e["status"] for e in events(captured, "request.completed")] == [422]


def test_an_unexpected_error_answers_500_naming_the_request_id_and_logs_no_local_variables(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def failing(scope: Scope, receive: Receive, send: Send) -> None:
        secret_profile = {"name": "Hidden Name Co., Ltd."}
        raise RuntimeError(f"boom ({len(secret_profile)})")

    configure_logging()
    capsys.readouterr()
    client = TestClient(RequestContext(failing))  # no `with`: no lifespan for this bare app
    response = client.get("/anything", headers={"X-Request-ID": "failing-1"})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "failing-1" in response.json()["error"]["message"]
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    failed = next(e for e in lines if e["event"] == "request.failed")
    assert failed["request_id"] == "failing-1"
    assert failed["exception"][0]["exc_type"] == "RuntimeError"
    assert "Hidden Name" not in json.dumps(lines)
    assert [e["status"] for e in lines if e["event"] == "request.completed"] == [500]
