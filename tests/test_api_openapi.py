"""The published OpenAPI document tells the truth: the profile schema is the engine's contract with
the vocabulary's codes, its examples are valid profiles, and real responses of every operation,
errors included, match the schema documented for their status."""

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema_rs import Draft202012Validator

from cases import EXAMPLES_DIR
from engine import ProfileError, evaluate, parse_profile
from engine.vocabulary import load_vocabulary
from tests.api_helpers import USCC_A, USCC_B, Keys, auth, platform_profile
from tests.conftest import make_profile

pytest_plugins = ["tests.api_fixtures"]


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    doc: dict[str, Any] = client.get("/openapi.json").json()
    return doc


def validator(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator({**schema, "components": document["components"]})


def profile_validator(document: dict[str, Any]) -> Draft202012Validator:
    return validator(document, {"$ref": "#/components/schemas/Profile"})


def test_the_profile_schema_lists_the_vocabulary_s_codes(document: dict[str, Any]) -> None:
    props = document["components"]["schemas"]["Profile"]["properties"]
    vocabulary = load_vocabulary()
    for kind in ("formats", "activities", "licences"):
        assert props[kind]["items"]["enum"] == sorted(vocabulary.terms(kind))
        assert props[kind]["uniqueItems"] is True
    assert document["components"]["schemas"]["ProfileCredit"]["properties"]["class"]["anyOf"][0]["enum"] == [
        "A",
        "B",
        "C",
        "D",
    ]


def test_every_bundled_example_profile_fits_the_published_schema(document: dict[str, Any]) -> None:
    check = profile_validator(document)
    for path in sorted(EXAMPLES_DIR.glob("*.profile.json")):
        errors = [e.message for e in check.iter_errors(json.loads(path.read_text(encoding="utf-8")))]
        assert errors == [], path.name


@pytest.mark.parametrize(
    "profile",
    [
        make_profile(formats=["teleportation"]),
        make_profile(formats=["ride_hailing", "ride_hailing"]),
        make_profile(name="   "),
        make_profile(formats=["unlisted"]),
        make_profile(uscc="not a code"),
        make_profile(colour="blue"),
        make_profile(security={"mlps_level": 6}),
    ],
)
def test_profiles_the_engine_refuses_for_their_shape_break_the_published_schema_too(
    document: dict[str, Any], profile: dict[str, Any]
) -> None:
    with pytest.raises(ProfileError):
        parse_profile(profile)
    assert not profile_validator(document).is_valid(profile)


def test_the_request_body_examples_are_valid_profiles(document: dict[str, Any]) -> None:
    for path in ("/v1/assessments", "/v1/self-assessments"):
        content = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        assert content["schema"] == {"$ref": "#/components/schemas/Profile"}
        assert len(content["examples"]) >= 2
        for example in content["examples"].values():
            assert evaluate(example["value"]).tier in ("prohibited", "strict", "observation", "standard")
            assert profile_validator(document).is_valid(example["value"])


def test_every_operation_needs_the_api_key_but_health(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes == {
        "APIKeyHeader": {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": schemes["APIKeyHeader"]["description"],
        }
    }
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            secured = operation.get("security") == [{"APIKeyHeader": []}]
            assert secured == (path != "/v1/health"), (method, path)
            if secured:
                assert "401" in operation["responses"], (method, path)


def calls(client: TestClient, keys: Keys) -> list[tuple[str, str, Any]]:
    """Real requests of every operation, with the route template each answers to, and the response."""
    reg, aud, plat = auth(keys.regulator), auth(keys.auditor), auth(keys.platform_a)
    profile = platform_profile(USCC_A, formats=["bike_sharing"])
    out: list[tuple[str, str, Any]] = []

    def call(method: str, template: str, url: str, **kwargs: Any) -> Any:
        response = client.request(method, url, **kwargs)
        out.append((method.lower(), template, response))
        return response

    call("post", "/v1/assessments", "/v1/assessments", json=profile, headers=reg)
    call("post", "/v1/assessments", "/v1/assessments", json=make_profile(formats=["x"]), headers=reg)
    call("post", "/v1/assessments", "/v1/assessments", json=profile, headers=plat)
    call("post", "/v1/assessments", "/v1/assessments", json=profile)
    call("post", "/v1/assessments", "/v1/assessments", content=b"{" * 70_000, headers=reg)
    call("post", "/v1/self-assessments", "/v1/self-assessments?guide=true", json=profile, headers=plat)
    call("post", "/v1/self-assessments", "/v1/self-assessments", json=profile, headers=plat)
    call("post", "/v1/self-assessments", "/v1/self-assessments", json=platform_profile(USCC_B), headers=plat)
    call("get", "/v1/cases", "/v1/cases", headers=aud)
    call("get", "/v1/cases", "/v1/cases?per_page=0", headers=aud)
    call("get", "/v1/cases/{case_id}", "/v1/cases/1", headers=plat)
    call("get", "/v1/cases/{case_id}", "/v1/cases/2", headers=plat)
    call("get", "/v1/decisions/{decision_id}", "/v1/decisions/1", headers=aud)
    call("get", "/v1/decisions/{decision_id}", "/v1/decisions/1", headers=plat)
    call("post", "/v1/decisions/{decision_id}/replay", "/v1/decisions/1/replay", headers=aud)
    call("post", "/v1/decisions/{decision_id}/replay", "/v1/decisions/1/replay?release=2026.01", headers=aud)
    call("post", "/v1/decisions/{decision_id}/replay", "/v1/decisions/1/replay", headers=plat)
    call("get", "/v1/audit/verify", "/v1/audit/verify", headers=aud)
    impact = {"from_release": "2020.07", "to_release": "2026.01"}
    call("post", "/v1/impact", "/v1/impact", json=impact, headers=aud)
    call("post", "/v1/impact", "/v1/impact", json={**impact, "to_release": "9"}, headers=aud)
    call("get", "/v1/releases", "/v1/releases", headers=plat)
    call("get", "/v1/releases/{release_id}/rules", "/v1/releases/2020.07/rules", headers=plat)
    call("get", "/v1/releases/{release_id}/rules", "/v1/releases/2019.01/rules", headers=plat)
    call("get", "/v1/health", "/v1/health")
    return out


def test_real_responses_match_the_schema_documented_for_their_status(
    client: TestClient, keys: Keys, document: dict[str, Any]
) -> None:
    seen = set()
    for method, template, response in calls(client, keys):
        documented = document["paths"][template][method]["responses"]
        status = str(response.status_code)
        assert status in documented, (method, template, status, response.text)
        schema = documented[status]["content"]["application/json"]["schema"]
        errors = [e.message for e in validator(document, schema).iter_errors(response.json())]
        assert errors == [], (method, template, status)
        seen.add((template, status))
    assert {"201", "401", "403", "413", "422"} <= {s for t, s in seen if t == "/v1/assessments"}
    assert ("/v1/cases/{case_id}", "404") in seen
    assert ("/v1/decisions/{decision_id}/replay", "403") in seen
