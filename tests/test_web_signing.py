"""Signing a regulatory decision on the workbench, and the case bundle an auditor downloads:
the page posts only a signature, which is checked against the signer's registered key as the
API checks it; a forged, malformed or revoked one is refused beside its field, nothing stored."""

import json
import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cases.bundle import verify_bundle
from cases.store import Store, get_decision, record_assessment
from cases.store.keys import create_key
from cases.store.signing import (
    SignerView,
    create_signer,
    load_signing_key,
    revoke_signer,
    sign_hash,
    signature_of,
)
from tests.api_helpers import USCC_B, Keys, key_id_of, platform_profile
from tests.web_helpers import signed_in

pytest_plugins = ["tests.web_fixtures"]
PHRASE = "a long passphrase"


def _regulatory(store: Store) -> int:
    _, recorded, _ = record_assessment(
        store, platform_profile(USCC_B, activities=["online_gambling"]), kind="regulatory", actor="R"
    )
    return recorded.id


def _signer(store: Store, folder: Path, token: str, name: str = "Inspector Wang") -> tuple[SignerView, Path]:
    """A signer bound to the regulator's key of this token, and its key file."""
    key_file = folder / f"{name.replace(' ', '-')}.pem"
    bound = key_id_of(store, token)
    return create_signer(store, name=name, passphrase=PHRASE, key_file=key_file, api_key_id=bound), key_file


def test_a_regulator_signs_with_a_signature_that_verifies_and_the_notice_shows_it(
    web: TestClient, web_keys: Keys, web_store: Store, tmp_path: Path
) -> None:
    decision_id = _regulatory(web_store)
    signer, key_file = _signer(web_store, tmp_path, web_keys.regulator)
    token = signed_in(web, web_keys.regulator)
    form = web.get(f"/decisions/{decision_id}/sign").text
    stored = get_decision(web_store, decision_id)
    assert stored.hash in form and f'<option value="{signer.id}"' in form
    assert 'name="passphrase"' not in form and 'id="key_file" name' not in form  # never posted
    signature = sign_hash(load_signing_key(key_file, PHRASE), stored.hash)
    answer = web.post(
        f"/decisions/{decision_id}/signature",
        data={"csrf_token": token, "signer_id": str(signer.id), "signature": signature},
    )
    assert answer.status_code == 303 and answer.headers["location"] == f"/decisions/{decision_id}/notice"
    view = signature_of(web_store, decision_id)
    assert view is not None and view.verifies and view.signer_id == signer.id
    assert signer.fingerprint in web.get(answer.headers["location"]).text
    assert "已签署" in web.get(f"/decisions/{decision_id}/sign").text  # no second signature offered


@pytest.mark.parametrize(
    ("bad", "field", "reason"),
    [
        ("forged", "signature", "does not verify"),
        ("short", "signature", "128 hexadecimal characters"),
        ("no signer", "signer_id", "choose a signer"),
        ("unknown signer", "signer_id", "no signer 999"),
    ],
)
def test_a_bad_signature_is_refused_beside_its_field_and_nothing_is_stored(
    web: TestClient, web_keys: Keys, web_store: Store, tmp_path: Path, bad: str, field: str, reason: str
) -> None:
    decision_id = _regulatory(web_store)
    signer, key_file = _signer(web_store, tmp_path, web_keys.regulator)
    other_hash = "ab" * 32  # a real signature, but of another hash
    signature = sign_hash(load_signing_key(key_file, PHRASE), other_hash)
    chosen = str(signer.id)
    if bad == "short":
        signature = signature[:100]
    elif bad == "no signer":
        chosen = ""
    elif bad == "unknown signer":
        chosen = "999"
    token = signed_in(web, web_keys.regulator)
    answer = web.post(
        f"/decisions/{decision_id}/signature",
        data={"csrf_token": token, "signer_id": chosen, "signature": signature},
    )
    assert answer.status_code == 422
    assert f'id="{field}-error"' in answer.text and reason in answer.text
    assert signature_of(web_store, decision_id) is None


def test_a_revoked_signer_is_not_offered_and_its_signature_is_refused(
    web: TestClient, web_keys: Keys, web_store: Store, tmp_path: Path
) -> None:
    decision_id = _regulatory(web_store)
    signer, key_file = _signer(web_store, tmp_path, web_keys.regulator)
    signature = sign_hash(load_signing_key(key_file, PHRASE), get_decision(web_store, decision_id).hash)
    revoke_signer(web_store, signer.id)
    token = signed_in(web, web_keys.regulator)
    assert 'id="no-signers"' in web.get(f"/decisions/{decision_id}/sign").text
    answer = web.post(
        f"/decisions/{decision_id}/signature",
        data={"csrf_token": token, "signer_id": str(signer.id), "signature": signature},
    )
    assert answer.status_code == 422 and "revoked" in answer.text
    assert signature_of(web_store, decision_id) is None


def test_only_a_regulator_signs_and_only_with_the_form_token(
    web: TestClient, web_keys: Keys, web_store: Store, tmp_path: Path
) -> None:
    decision_id = _regulatory(web_store)
    signer, key_file = _signer(web_store, tmp_path, web_keys.regulator)
    signature = sign_hash(load_signing_key(key_file, PHRASE), get_decision(web_store, decision_id).hash)
    data = {"signer_id": str(signer.id), "signature": signature}
    token = signed_in(web, web_keys.regulator)
    assert web.post(f"/decisions/{decision_id}/signature", data=data).status_code == 403  # no CSRF token
    web.cookies.clear()
    token = signed_in(web, web_keys.auditor)
    assert web.get(f"/decisions/{decision_id}/sign").status_code == 403
    answer = web.post(f"/decisions/{decision_id}/signature", data={**data, "csrf_token": token})
    assert answer.status_code == 403
    assert signature_of(web_store, decision_id) is None


def test_a_self_assessment_has_no_signing_page(web: TestClient, web_keys: Keys, web_store: Store) -> None:
    record_assessment(web_store, platform_profile(USCC_B), kind="self_assessment", actor="B")
    signed_in(web, web_keys.regulator)
    assert web.get("/decisions/1/sign").status_code == 404


def test_an_auditor_downloads_a_case_bundle_that_verifies_offline(
    web: TestClient, web_keys: Keys, web_store: Store, tmp_path: Path
) -> None:
    decision_id = _regulatory(web_store)
    case_id = get_decision(web_store, decision_id).case_id
    signed_in(web, web_keys.regulator)  # a regulator's download makes the checkpoint that covers it
    assert f'href="/cases/{case_id}/bundle"' in web.get(f"/cases/{case_id}").text
    assert web.get(f"/cases/{case_id}/bundle").status_code == 200
    web.cookies.clear()
    signed_in(web, web_keys.auditor)
    answer = web.get(f"/cases/{case_id}/bundle")
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    report = verify_bundle(answer.content)
    assert report.ok, report
    assert json.loads(answer.content)["case"]["id"] == case_id
    assert web.get("/cases/999/bundle").status_code == 404
    web.cookies.clear()
    signed_in(web, web_keys.platform_b)
    assert web.get(f"/cases/{case_id}/bundle").status_code == 403
    assert os.environ["SANDBOX_CHECKPOINT_KEY"]  # the tests' own checkpoint key, never the default file


def test_a_signer_bound_to_another_regulator_is_not_offered_and_its_signature_is_refused(
    web: TestClient, web_keys: Keys, web_store: Store, tmp_path: Path
) -> None:
    decision_id = _regulatory(web_store)
    other = create_key(web_store, role="regulator", name="Inspector Zhao").token
    signer, key_file = _signer(web_store, tmp_path, other, name="Inspector Zhao")
    signature = sign_hash(load_signing_key(key_file, PHRASE), get_decision(web_store, decision_id).hash)
    token = signed_in(web, web_keys.regulator)  # Inspector Wang, whose key has no signer
    assert 'id="no-signers"' in web.get(f"/decisions/{decision_id}/sign").text
    answer = web.post(
        f"/decisions/{decision_id}/signature",
        data={"csrf_token": token, "signer_id": str(signer.id), "signature": signature},
    )
    assert answer.status_code == 422 and "Inspector Zhao) is bound to API key" in answer.text
    assert signature_of(web_store, decision_id) is None
