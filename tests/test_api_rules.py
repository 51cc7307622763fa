"""GET /v1/releases and /v1/releases/{id}/rules publish the rulebook as loaded, citations included;
GET /v1/health says whether the store answers."""

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from api.http.service import create_app
from cases.store import Store, StoreSettings
from engine import default_rulebook
from rules import RULES_DIR
from tests.api_helpers import Keys, auth, platform_profile, uscc

pytest_plugins = ["tests.api_fixtures"]


def test_releases_are_listed_in_date_order_with_their_pinned_hashes(client: TestClient, keys: Keys) -> None:
    body = client.get("/v1/releases", headers=auth(keys.platform_a)).json()
    book = default_rulebook()
    assert [(r["id"], r["sha256"], r["in_force_from"]) for r in body["items"]] == [
        (r.id, r.pinned_sha256, r.in_force_from.isoformat()) for r in book.releases
    ]
    assert body["total"] == len(book.releases)
    assert body["items"][-1]["in_force_to"] is None


def test_a_release_s_rules_carry_their_verbatim_seed_clauses_and_law_articles(
    client: TestClient, keys: Keys
) -> None:
    first = client.get("/v1/releases/2026.01/rules?per_page=200", headers=auth(keys.auditor)).json()
    compiled = default_rulebook().get("2026.01")
    assert [r["id"] for r in first["items"]] == list(compiled.rules)
    assert first["total"] == len(compiled.rules)
    assert first["release"]["id"] == "2026.01"
    seed = "".join(p.read_text(encoding="utf-8") for p in sorted((RULES_DIR / "seed").glob("*.txt")))
    for rule in first["items"]:
        assert rule["citations"], f"{rule['id']} cites nothing"
        for cite in rule["citations"]:
            assert (cite["text"] in seed) if cite["seed"] is not None else cite["law"]["zh"]
    pi_report = next(r for r in first["items"] if r["id"] == "M26-PI-REPORT")
    assert pi_report["obligation"]["en"].startswith("Publish an annual personal-information")


def test_an_unknown_release_answers_404_and_rules_come_in_pages(client: TestClient, keys: Keys) -> None:
    missing = client.get("/v1/releases/1999.01/rules", headers=auth(keys.auditor))
    assert missing.status_code == 404
    assert "2020.07" in missing.json()["error"]["message"]
    pages = [
        client.get(f"/v1/releases/2020.07/rules?per_page=10&page={n}", headers=auth(keys.auditor)).json()
        for n in (1, 2, 3)
    ]
    ids = [r["id"] for p in pages for r in p["items"]]
    assert ids == list(default_rulebook().get("2020.07").rules)


def test_health_reports_the_store_and_the_releases(client: TestClient) -> None:
    body = client.get("/v1/health").json()
    assert body["status"] == "ok"
    assert body["store"] == "sqlite"
    assert body["releases"] == [r.id for r in default_rulebook().releases]


def test_a_store_that_does_not_answer_gives_503_not_500(tmp_path: Path, keys: Keys, api_store: Store) -> None:
    gone = tmp_path / "no such directory" / "sandbox.db"
    settings = StoreSettings(database_url=f"sqlite:///{gone}")
    dead = Store(create_engine(settings.url), settings)
    with TestClient(create_app(dead)) as client:
        health = client.get("/v1/health")
        assert (health.status_code, health.json()["status"]) == (503, "unavailable")
        assessed = client.post(
            "/v1/assessments", json=platform_profile(uscc(1)), headers=auth(keys.regulator)
        )
        assert assessed.status_code == 503
        assert assessed.json()["error"]["code"] == "store_unavailable"
    dead.dispose()
