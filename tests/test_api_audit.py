"""Signatures, checkpoints, proofs and bundles over HTTP: detached signatures checked, roles kept,
and every response matching the schema documented for its status."""

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema_rs import Draft202012Validator

from cases.bundle import verify_bundle
from cases.store import Store, record_assessment
from cases.store.keys import create_key
from cases.store.signing import create_signer, load_signing_key, revoke_signer, sign_hash
from tests.api_helpers import USCC_A, Keys, auth, key_id_of, platform_profile

pytest_plugins = ["tests.api_fixtures"]
PASS = "correct horse battery"


@pytest.fixture(autouse=True)
def checkpoint_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_CHECKPOINT_KEY", str(tmp_path / "checkpoint.key"))


@pytest.fixture
def decided(api_store: Store, keys: Keys, tmp_path: Path) -> dict[str, Any]:
    """Two regulatory decisions and a self-assessment, and a signer bound to the regulator's key."""
    signer = create_signer(
        api_store,
        name="Inspector Wang",
        passphrase=PASS,
        key_file=tmp_path / "w.pem",
        api_key_id=key_id_of(api_store, keys.regulator),
    )
    _, first, _ = record_assessment(api_store, platform_profile(USCC_A), actor="wang")
    _, second, _ = record_assessment(
        api_store, platform_profile(USCC_A, formats=["bike_sharing"]), actor="wang"
    )
    _, own, _ = record_assessment(api_store, platform_profile(USCC_A), kind="self_assessment", actor="a")
    return {
        "signer": signer,
        "key": load_signing_key(tmp_path / "w.pem", PASS),
        "records": [first, second, own],
    }


def documented(client: TestClient, method: str, template: str, response: Any) -> None:
    document = client.get("/openapi.json").json()
    responses = document["paths"][template][method]["responses"]
    status = str(response.status_code)
    assert status in responses, (template, status, response.text)
    schema = responses[status]["content"]["application/json"]["schema"]
    check = Draft202012Validator({**schema, "components": document["components"]})
    assert [e.message for e in check.iter_errors(response.json())] == [], (template, status)


def test_a_detached_signature_is_checked_stored_and_shown(
    client: TestClient, keys: Keys, decided: dict[str, Any]
) -> None:
    first = decided["records"][0]
    body = {"signer_id": decided["signer"].id, "signature": sign_hash(decided["key"], first.hash)}
    path = f"/v1/decisions/{first.id}/signature"
    assert client.post(path, json=body, headers=auth(keys.auditor)).status_code == 403
    posted = client.post(path, json=body, headers=auth(keys.regulator))
    assert posted.status_code == 201, posted.text
    documented(client, "post", "/v1/decisions/{decision_id}/signature", posted)
    shown = client.get(path, headers=auth(keys.auditor))
    documented(client, "get", "/v1/decisions/{decision_id}/signature", shown)
    assert shown.json()["signer_name"] == "Inspector Wang" and shown.json()["verifies"] is True
    assert shown.json()["fingerprint"] == decided["signer"].fingerprint
    again = client.post(path, json=body, headers=auth(keys.regulator))
    assert again.status_code == 422 and "signed already" in again.json()["error"]["message"]
    assert client.get(path, headers=auth(keys.platform_a)).status_code == 404  # not a self-assessment it owns


def test_a_signature_sent_with_another_regulators_key_is_422_on_signer_id(
    client: TestClient, keys: Keys, decided: dict[str, Any], api_store: Store
) -> None:
    """The signature is genuine, but the key that sends it is not the one its signer is bound to."""
    first = decided["records"][0]
    other = create_key(api_store, role="regulator", name="Inspector Zhao").token
    body = {"signer_id": decided["signer"].id, "signature": sign_hash(decided["key"], first.hash)}
    refused = client.post(f"/v1/decisions/{first.id}/signature", json=body, headers=auth(other))
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "signer_not_valid" and error["fields"][0]["path"] == "signer_id"
    assert error["fields"][0]["message"] == error["message"]  # the field named once, not twice
    assert f"is bound to API key {key_id_of(api_store, keys.regulator)}" in error["message"]
    assert client.get(f"/v1/decisions/{first.id}/signature", headers=auth(keys.regulator)).status_code == 404


def test_a_forged_signature_is_422_naming_the_field_and_nothing_is_stored(
    client: TestClient, keys: Keys, decided: dict[str, Any]
) -> None:
    first, second, own = decided["records"]
    forged = {"signer_id": decided["signer"].id, "signature": sign_hash(decided["key"], second.hash)}
    response = client.post(f"/v1/decisions/{first.id}/signature", json=forged, headers=auth(keys.regulator))
    assert response.status_code == 422
    documented(client, "post", "/v1/decisions/{decision_id}/signature", response)
    error = response.json()["error"]
    assert error["code"] == "invalid_signature" and error["fields"][0]["path"] == "signature"
    assert client.get(f"/v1/decisions/{first.id}/signature", headers=auth(keys.regulator)).status_code == 404
    own_sig = {"signer_id": decided["signer"].id, "signature": sign_hash(decided["key"], own.hash)}
    refused = client.post(f"/v1/decisions/{own.id}/signature", json=own_sig, headers=auth(keys.regulator))
    assert refused.status_code == 422 and "only regulatory decisions are signed" in refused.text
    bad_hex = client.post(
        f"/v1/decisions/{first.id}/signature",
        json={"signer_id": 1, "signature": "zz"},
        headers=auth(keys.regulator),
    )
    assert bad_hex.status_code == 422 and bad_hex.json()["error"]["fields"][0]["path"] == "signature"
    missing = client.post("/v1/decisions/99/signature", json=forged, headers=auth(keys.regulator))
    assert missing.status_code == 404


def test_a_revoked_signer_is_422_on_signer_id(
    client: TestClient, keys: Keys, decided: dict[str, Any], api_store: Store
) -> None:
    first = decided["records"][0]
    revoke_signer(api_store, decided["signer"].id)
    body = {"signer_id": decided["signer"].id, "signature": sign_hash(decided["key"], first.hash)}
    response = client.post(f"/v1/decisions/{first.id}/signature", json=body, headers=auth(keys.regulator))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "signer_not_valid" and error["fields"][0]["path"] == "signer_id"
    assert "was revoked" in error["message"]
    signers = client.get("/v1/signers", headers=auth(keys.auditor))
    documented(client, "get", "/v1/signers", signers)
    assert signers.json()["items"][0]["revoked_at"] is not None


def test_checkpoints_proofs_and_a_bundle_an_auditor_verifies_offline(
    client: TestClient, keys: Keys, decided: dict[str, Any]
) -> None:
    reg, aud = auth(keys.regulator), auth(keys.auditor)
    early = client.get("/v1/audit/cases/1/bundle", headers=aud)
    assert early.status_code == 422 and "a regulator makes one first" in early.text
    assert client.post("/v1/audit/checkpoints", headers=aud).status_code == 403
    made = client.post("/v1/audit/checkpoints", headers=reg)
    assert made.status_code == 201 and made.json()["tree_size"] == 3
    documented(client, "post", "/v1/audit/checkpoints", made)
    listed = client.get("/v1/audit/checkpoints", headers=aud)
    documented(client, "get", "/v1/audit/checkpoints", listed)
    assert [c["root_hash"] for c in listed.json()["items"]] == [made.json()["root_hash"]]
    proof = client.get("/v1/audit/decisions/2/proof", headers=aud)
    documented(client, "get", "/v1/audit/decisions/{decision_id}/proof", proof)
    assert proof.json()["leaf_index"] == 1 and proof.json()["root_hash"] == made.json()["root_hash"]
    unknown = client.get("/v1/audit/decisions/2/proof?checkpoint=5", headers=aud)
    assert unknown.status_code == 404
    documented(client, "get", "/v1/audit/decisions/{decision_id}/proof", unknown)
    cons = client.get("/v1/audit/consistency?old=1&new=1", headers=aud)
    documented(client, "get", "/v1/audit/consistency", cons)
    bundle = client.get("/v1/audit/cases/1/bundle", headers=aud)
    assert bundle.status_code == 200
    assert bundle.headers["content-disposition"] == 'attachment; filename="case-1.bundle.json"'
    report = verify_bundle(bundle.content)
    assert report.ok, report.problems
    assert sum("identical byte for byte" in line for line in report.checked) == 3
    assert client.get("/v1/audit/cases/9/bundle", headers=aud).status_code == 404
    assert client.get("/v1/audit/cases/1/bundle", headers=auth(keys.platform_a)).status_code == 403
