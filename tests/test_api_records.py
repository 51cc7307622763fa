"""Reading the store over HTTP: pages of cases, a case's history, single decisions, replay, the
chain check and impact, each the same as the store's own functions say; unknown ids answer 404."""

import pytest
from fastapi.testclient import TestClient

from cases.store import Store, get_decision, impact, verify_chain
from engine.release import canonical_json
from tests.api_helpers import Keys, auth, platform_profile
from tests.store_helpers import raw_sql, uscc

pytest_plugins = ["tests.api_fixtures"]


def record(client: TestClient, keys: Keys, count: int, *, first: int = 1) -> list[int]:
    """Record `count` regulatory decisions, one per platform; their decision ids."""
    ids = []
    for n in range(first, first + count):
        response = client.post(
            "/v1/assessments", json=platform_profile(uscc(n)), headers=auth(keys.regulator)
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["decision_id"])
    return ids


def test_cases_come_one_page_at_a_time_in_case_order(client: TestClient, keys: Keys) -> None:
    record(client, keys, 5)
    pages = [
        client.get(f"/v1/cases?page={n}&per_page=2", headers=auth(keys.auditor)).json() for n in (1, 2, 3, 4)
    ]
    assert [[c["id"] for c in p["items"]] for p in pages] == [[1, 2], [3, 4], [5], []]
    assert {(p["total"], p["per_page"]) for p in pages} == {(5, 2)}
    assert [p["page"] for p in pages] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("query", "path"),
    [("page=0", "query.page"), ("per_page=0", "query.per_page"), ("per_page=201", "query.per_page")],
)
def test_page_bounds_are_checked_with_422_naming_the_parameter(
    client: TestClient, keys: Keys, query: str, path: str
) -> None:
    response = client.get(f"/v1/cases?{query}", headers=auth(keys.auditor))
    assert response.status_code == 422
    assert [f["path"] for f in response.json()["error"]["fields"]] == [path]


def test_a_case_shows_its_decision_history_oldest_first_in_pages(
    client: TestClient, keys: Keys, api_store: Store
) -> None:
    profile = platform_profile(uscc(7))
    ids = []
    for day in ("2023-01-02", "2024-01-02", "2026-01-02"):
        made = client.post(
            "/v1/assessments", json={**profile, "assessment_date": day}, headers=auth(keys.regulator)
        )
        ids.append(made.json()["decision_id"])
    detail = client.get("/v1/cases/1?per_page=2", headers=auth(keys.auditor)).json()
    later = client.get("/v1/cases/1?per_page=2&page=2", headers=auth(keys.auditor)).json()
    assert detail["case"] == {
        "id": 1,
        "name": profile["name"],
        "uscc": profile["uscc"],
        "created_at": detail["case"]["created_at"],
        "decisions": 3,
        "latest_decision": ids[-1],
    }
    history = detail["decisions"]["items"] + later["decisions"]["items"]
    assert [(d["id"], d["case_seq"], d["as_of"]) for d in history] == [
        (ids[0], 1, "2023-01-02"),
        (ids[1], 2, "2024-01-02"),
        (ids[2], 3, "2026-01-02"),
    ]
    assert [d["release"] for d in history] == ["2022.01", "2022.01", "2026.01"]
    assert history[0]["hash"] == get_decision(api_store, ids[0]).hash


def test_a_decision_reads_back_exactly_as_stored(client: TestClient, keys: Keys, api_store: Store) -> None:
    (decision_id,) = record(client, keys, 1)
    body = client.get(f"/v1/decisions/{decision_id}", headers=auth(keys.auditor)).json()
    stored = get_decision(api_store, decision_id)
    assert canonical_json(body["decision"]) == stored.decision_json
    assert body["profile"] == stored.profile
    assert (body["prev_hash"], body["hash"], body["as_of"]) == (
        stored.prev_hash,
        stored.hash,
        stored.as_of.isoformat(),
    )


@pytest.mark.parametrize("path", ["/v1/decisions/{n}", "/v1/cases/{n}", "/v1/decisions/{n}/replay"])
@pytest.mark.parametrize("n", ["99", "0", "-3", str(2**70)])
def test_unknown_ids_answer_404(client: TestClient, keys: Keys, path: str, n: str) -> None:
    record(client, keys, 1)
    method = "POST" if path.endswith("replay") else "GET"
    response = client.request(method, path.format(n=n), headers=auth(keys.regulator))
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == "not_found"


def test_replay_finds_a_stored_decision_identical_and_a_what_if_says_what_differs(
    client: TestClient, keys: Keys
) -> None:
    profile = platform_profile(
        uscc(3), assessment_date="2025-06-01", scale={"monthly_active_users": 12_000_000}
    )
    made = client.post("/v1/assessments", json=profile, headers=auth(keys.regulator)).json()
    same = client.post(f"/v1/decisions/{made['decision_id']}/replay", headers=auth(keys.auditor)).json()
    what_if = client.post(
        f"/v1/decisions/{made['decision_id']}/replay?release=2026.01", headers=auth(keys.auditor)
    ).json()
    assert (same["status"], same["what_if"]) == ("identical", False)
    assert (what_if["status"], what_if["what_if"], what_if["replayed_release"]) == (
        "different",
        True,
        "2026.01",
    )
    assert "platform_grade" in {d["path"] for d in what_if["diffs"]}
    unknown = client.post(
        f"/v1/decisions/{made['decision_id']}/replay?release=1.0", headers=auth(keys.auditor)
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"]["fields"][0]["path"] == "release"


def test_verify_reports_an_intact_chain_and_names_a_record_altered_behind_the_store_s_back(
    client: TestClient, keys: Keys, api_store: Store
) -> None:
    record(client, keys, 3)
    intact = client.get("/v1/audit/verify", headers=auth(keys.auditor)).json()
    assert (intact["intact"], intact["records"], intact["head_seq"]) == (True, 3, 3)
    url = api_store.settings.database_url
    assert raw_sql(url, "UPDATE decision_record SET actor = 'someone else' WHERE seq = 2") == 1
    broken = client.get("/v1/audit/verify", headers=auth(keys.auditor)).json()
    with api_store.reading() as session:
        assert broken == verify_chain(session).model_dump(mode="json")
    assert (broken["intact"], broken["broken_at"]) == (False, 2)


def test_impact_is_the_store_s_impact_report(client: TestClient, keys: Keys, api_store: Store) -> None:
    big = platform_profile(uscc(9), assessment_date="2025-06-01", scale={"monthly_active_users": 12_000_000})
    client.post("/v1/assessments", json=big, headers=auth(keys.regulator))
    record(client, keys, 2, first=20)
    response = client.post(
        "/v1/impact", json={"from_release": "2022.01", "to_release": "2026.01"}, headers=auth(keys.auditor)
    )
    assert response.status_code == 200
    expected = impact(api_store, from_release="2022.01", to_release="2026.01")
    assert response.json() == expected.model_dump(mode="json")
    assert response.json()["grade_matrix"]["small_medium"]["large"] == 1


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"from_release": "2022.01", "to_release": "3000.01"}, "to_release"),
        ({"from_release": "nope", "to_release": "2026.01"}, "from_release"),
        ({"from_release": "2022.01", "to_release": "2026.01", "colour": "blue"}, "colour"),
        ({"from_release": "2022.01"}, "to_release"),
        ({"from_release": "2022.01", "to_release": "2026.01", "as_of": "someday"}, "as_of"),
    ],
)
def test_an_impact_request_naming_an_unknown_release_or_field_gets_422(
    client: TestClient, keys: Keys, body: dict[str, str], path: str
) -> None:
    response = client.post("/v1/impact", json=body, headers=auth(keys.regulator))
    assert response.status_code == 422
    assert path in [f["path"] for f in response.json()["error"]["fields"]]
