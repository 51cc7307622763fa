"""Roles by API key: 401 without a valid key, 403 for a role without the right, and a platform
that only ever sees its own self-assessments (another platform's ids answer 404)."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cases.store import Store, count_decisions
from cases.store.keys import revoke_key
from tests.api_helpers import USCC_A, USCC_B, Keys, auth, platform_profile

pytest_plugins = ["tests.api_fixtures"]

IMPACT = {"from_release": "2022.01", "to_release": "2026.01"}
OPERATIONS: list[tuple[str, str, Any]] = [
    ("POST", "/v1/assessments", platform_profile(USCC_A)),
    ("POST", "/v1/self-assessments", platform_profile(USCC_A)),
    ("GET", "/v1/cases", None),
    ("GET", "/v1/cases/1", None),
    ("GET", "/v1/decisions/1", None),
    ("POST", "/v1/decisions/1/replay", None),
    ("GET", "/v1/audit/verify", None),
    ("POST", "/v1/impact", IMPACT),
    ("GET", "/v1/releases", None),
    ("GET", "/v1/releases/2026.01/rules", None),
    # signatures, checkpoints, proofs and bundles (routes_audit.py)
    ("POST", "/v1/decisions/1/signature", {"signer_id": 1, "signature": "00" * 64}),
    ("GET", "/v1/decisions/1/signature", None),
    ("GET", "/v1/signers", None),
    ("POST", "/v1/audit/checkpoints", None),
    ("GET", "/v1/audit/checkpoints", None),
    ("GET", "/v1/audit/decisions/1/proof", None),
    ("GET", "/v1/audit/consistency", None),
    ("GET", "/v1/audit/cases/1/bundle", None),
]
# Allowed, but with nothing to act on in this store (decision 1 is an unsigned self-assessment,
# there is no signer, and no checkpoint unless the regulator made one): past the role check still.
NOTHING_TO_ACT_ON = {
    ("POST", "/v1/decisions/1/signature"),
    ("GET", "/v1/decisions/1/signature"),
    ("GET", "/v1/audit/decisions/1/proof"),
    ("GET", "/v1/audit/consistency"),
    ("GET", "/v1/audit/cases/1/bundle"),
}
AUDIT_READS = {"/v1/signers", "/v1/audit/checkpoints", "/v1/audit/decisions/1/proof", "/v1/audit/consistency"}
FORBIDDEN_CALLS = {
    "regulator": set(),
    "auditor": {("POST", "/v1/decisions/1/signature"), ("POST", "/v1/audit/checkpoints")},
    "platform_a": {("POST", "/v1/decisions/1/signature"), ("GET", "/v1/audit/cases/1/bundle")}
    | {(m, p) for m in ("GET", "POST") for p in AUDIT_READS},
}
FORBIDDEN = {
    "regulator": set(),
    "auditor": {"/v1/assessments", "/v1/self-assessments"},
    "platform_a": {"/v1/assessments", "/v1/decisions/1/replay", "/v1/audit/verify", "/v1/impact"},
}


def call(client: TestClient, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    return client.request(method, path, json=body, headers=headers)


def test_every_operation_but_health_is_listed_here_so_none_escapes_the_key_check(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    published = {(m.upper(), p) for p, ops in paths.items() for m in ops} - {("GET", "/v1/health")}
    templates = {"/1": "/{id}", "/2026.01/": "/{id}/"}
    listed = set()
    for method, path, _ in OPERATIONS:
        for concrete, template in templates.items():
            path = path.replace(concrete, template)
        listed.add((method, path))
    assert listed == {(m, re.sub(r"\{[a-z_]+\}", "{id}", p)) for m, p in published}


@pytest.mark.parametrize(("method", "path", "body"), OPERATIONS)
def test_a_missing_unknown_or_revoked_key_gets_401(
    client: TestClient, keys: Keys, api_store: Store, method: str, path: str, body: Any
) -> None:
    revoke_key(api_store, 2)  # the auditor's key
    for headers in ({}, auth("sbx_not-a-key"), auth("anything"), auth(keys.auditor)):
        response = call(client, method, path, body, headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.json()["error"]["code"] == "unauthenticated"
        assert response.headers["www-authenticate"] == "X-API-Key"
    assert count_decisions(api_store) == 0


def test_health_needs_no_key(client: TestClient) -> None:
    response = client.get("/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.parametrize("role", sorted(FORBIDDEN))
def test_each_role_gets_403_exactly_where_it_has_no_right(
    client: TestClient, keys: Keys, api_store: Store, role: str
) -> None:
    client.post("/v1/self-assessments", json=platform_profile(USCC_A), headers=auth(keys.platform_a))
    token = getattr(keys, role)
    for method, path, body in OPERATIONS:
        before = count_decisions(api_store)
        response = call(client, method, path, body, auth(token))
        if path in FORBIDDEN[role] or (method, path) in FORBIDDEN_CALLS[role]:
            assert response.status_code == 403, (role, path, response.text)
            assert response.json()["error"]["code"] == "forbidden"
            assert count_decisions(api_store) == before
        elif (method, path) in NOTHING_TO_ACT_ON:
            assert response.status_code in (200, 201, 404, 422), (role, method, path, response.text)
        else:
            assert response.status_code in (200, 201), (role, method, path, response.text)


@pytest.mark.parametrize(
    "profile",
    [platform_profile(USCC_B), platform_profile(USCC_A, uscc=None), ["not", "an", "object"]],
    ids=["another platform's USCC", "no USCC", "not an object"],
)
def test_a_platform_may_self_assess_only_profiles_of_its_own_uscc(
    client: TestClient, keys: Keys, api_store: Store, profile: Any
) -> None:
    response = client.post("/v1/self-assessments", json=profile, headers=auth(keys.platform_a))
    assert response.status_code == 403
    assert USCC_A in response.json()["error"]["message"]
    assert count_decisions(api_store) == 0


def test_a_platform_never_sees_another_platform_s_records_nor_regulatory_ones(
    client: TestClient, keys: Keys
) -> None:
    own = client.post("/v1/self-assessments", json=platform_profile(USCC_A), headers=auth(keys.platform_a))
    other = client.post("/v1/self-assessments", json=platform_profile(USCC_B), headers=auth(keys.platform_b))
    regulatory = client.post("/v1/assessments", json=platform_profile(USCC_A), headers=auth(keys.regulator))
    a_case, b_case = own.json()["case_id"], other.json()["case_id"]
    assert regulatory.json()["case_id"] == a_case

    listed = client.get("/v1/cases", headers=auth(keys.platform_a)).json()
    assert [(c["id"], c["uscc"], c["decisions"]) for c in listed["items"]] == [(a_case, USCC_A, 1)]
    assert listed["total"] == 1
    history = client.get(f"/v1/cases/{a_case}", headers=auth(keys.platform_a)).json()["decisions"]
    assert [d["id"] for d in history["items"]] == [own.json()["decision_id"]]

    unknown = client.get("/v1/decisions/999", headers=auth(keys.platform_a))
    for hidden in (other.json()["decision_id"], regulatory.json()["decision_id"]):
        response = client.get(f"/v1/decisions/{hidden}", headers=auth(keys.platform_a))
        assert response.status_code == 404
        assert response.json()["error"]["message"] == unknown.json()["error"]["message"].replace(
            "999", str(hidden)
        )
    assert client.get(f"/v1/cases/{b_case}", headers=auth(keys.platform_a)).status_code == 404
    assert (
        client.get(f"/v1/decisions/{own.json()['decision_id']}", headers=auth(keys.platform_a)).status_code
        == 200
    )
    assert client.get(f"/v1/cases/{a_case}", headers=auth(keys.platform_b)).status_code == 404
    b_listed = client.get("/v1/cases", headers=auth(keys.platform_b)).json()["items"]
    assert [c["uscc"] for c in b_listed] == [USCC_B]


def test_regulators_and_auditors_see_every_case_and_every_decision(client: TestClient, keys: Keys) -> None:
    client.post("/v1/self-assessments", json=platform_profile(USCC_A), headers=auth(keys.platform_a))
    client.post("/v1/self-assessments", json=platform_profile(USCC_B), headers=auth(keys.platform_b))
    client.post("/v1/assessments", json=platform_profile(USCC_A), headers=auth(keys.regulator))
    for token in (keys.regulator, keys.auditor):
        cases = client.get("/v1/cases", headers=auth(token)).json()["items"]
        assert sorted((c["uscc"], c["decisions"]) for c in cases) == [(USCC_A, 2), (USCC_B, 1)]
        kinds = [client.get(f"/v1/decisions/{n}", headers=auth(token)).json()["kind"] for n in (1, 2, 3)]
        assert kinds == ["self_assessment", "self_assessment", "regulatory"]


def test_a_regulator_may_record_a_self_assessment_for_any_platform(
    client: TestClient, keys: Keys, api_store: Store
) -> None:
    response = client.post(
        "/v1/self-assessments", json=platform_profile(USCC_B), headers=auth(keys.regulator)
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "self_assessment"
    assert count_decisions(api_store) == 1
