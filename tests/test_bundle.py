"""Case bundles: exported from the store, verified offline; any byte changed is caught and named."""

import json
from pathlib import Path
from typing import Any

import pytest

from cases.bundle import verify_bundle
from cases.store import Store, record_assessment
from cases.store.checkpoints import load_checkpoint_key
from cases.store.export import export_case
from cases.store.signed import record_signed
from cases.store.signing import create_signer, load_signing_key
from engine.release import canonical_json
from tests.conftest import make_profile
from tests.store_helpers import uscc

pytest_plugins = ["tests.store_fixtures"]
PASS = "correct horse battery"


@pytest.fixture
def bundle(store: Store, tmp_path: Path) -> bytes:
    """Case 1 (three signed decisions under two releases) among decisions of other cases."""
    create_signer(store, name="Regulator Li", passphrase=PASS, key_file=tmp_path / "li.pem")
    key = load_signing_key(tmp_path / "li.pem", PASS)
    ours = make_profile(name="Bundled Co", uscc=uscc(1))
    record_signed(store, ours, key=key, actor="li")
    record_assessment(store, make_profile(name="Other Co", uscc=uscc(2)), actor="li")
    record_signed(store, {**ours, "assessment_date": "2021-05-01"}, key=key, actor="li")
    record_assessment(store, make_profile(name="Third Co", uscc=uscc(3)), actor="li")
    record_signed(store, {**ours, "credit": {"class": "D"}}, key=key, actor="li")
    return export_case(store, 1, key=load_checkpoint_key(tmp_path / "cp.key", create=True))


def edited(data: bytes, change: Any) -> bytes:
    """The bundle with one value changed by `change(body)`, its seal left as exported."""
    body = json.loads(data)
    change(body)
    return (canonical_json(body) + "\n").encode()


def test_an_exported_bundle_verifies_offline_and_replays_every_decision(bundle: bytes) -> None:
    report = verify_bundle(bundle)
    assert report.problems == [] and report.notes == []
    assert "seal: the whole bundle is as exported" in report.checked
    assert "3 decision(s) 1, 3, 5: hashes, chain links and inclusion proofs against the checkpoint root" in (
        report.checked
    )
    replays = [line for line in report.checked if "identical byte for byte" in line]
    assert replays == [
        "decision 1: replayed from the bundled release 2026.01, identical byte for byte",
        "decision 3: replayed from the bundled release 2020.07, identical byte for byte",
        "decision 5: replayed from the bundled release 2026.01, identical byte for byte",
    ]
    assert [line.split(" ")[1] for line in report.signers] == ["Regulator"]
    body = json.loads(bundle)
    # the links to decisions 2 and 4, not in the bundle, are proved by their own inclusion proofs
    assert [n["seq"] for n in body["neighbours"]] == [2, 4]


def test_a_single_byte_changed_anywhere_is_detected(bundle: bytes) -> None:
    # 500 positions spread over the whole file; the replay is left out here (each change is
    # caught by the seal at the least) and tested on its own below
    step = max(1, len(bundle) // 500)
    for position in range(0, len(bundle) - 1, step):
        changed = bytearray(bundle)
        changed[position] = changed[position] ^ 0x01
        report = verify_bundle(bytes(changed), replay_decisions=False)
        assert not report.ok, position


def test_an_altered_decision_is_named(bundle: bytes) -> None:
    def change(body: dict[str, Any]) -> None:
        body["records"][1]["decision_json"] = body["records"][1]["decision_json"].replace(
            '"tier":"standard"', '"tier":"strict"'
        )

    report = verify_bundle(edited(bundle, change))
    assert "decision 3: altered (its content does not match its hash)" in report.problems
    assert report.problems[0] == "seal: the bundle was changed after export (its seal does not verify)"


def test_a_forged_signature_is_named(bundle: bytes) -> None:
    def change(body: dict[str, Any]) -> None:
        sig = body["signatures"][2]["signature"]
        body["signatures"][2]["signature"] = ("0" if sig[0] != "0" else "1") + sig[1:]

    report = verify_bundle(edited(bundle, change))
    assert "signature of decision 5: forged (it does not verify with signer 1's key)" in report.problems


def test_altered_release_content_is_named(bundle: bytes) -> None:
    def change(body: dict[str, Any]) -> None:
        name = "releases/2026.01/parameters.yaml"
        assert "value: 180\n" in body["rules"][name]
        body["rules"][name] = body["rules"][name].replace("value: 180\n", "value: 90\n")

    report = verify_bundle(edited(bundle, change))
    problem = next(p for p in report.problems if p.startswith("rules:"))
    assert problem.startswith("rules: the bundled rules do not load (releases/2026.01/release.yaml")
    assert "published release changed" in problem


def test_a_rebuilt_chain_in_the_bundle_fails_its_inclusion_proof(bundle: bytes) -> None:
    from cases.store.chain import hashed_content
    from engine.release import sha256_of

    def change(body: dict[str, Any]) -> None:
        record = body["records"][0]
        record["actor"] = "someone else"
        record["hash"] = sha256_of(hashed_content(record))  # consistent again, but not what was checkpointed

    report = verify_bundle(edited(bundle, change))
    assert "decision 1: its inclusion proof does not lead to the checkpoint root" in report.problems


def test_a_removed_decision_breaks_the_link_of_the_next(bundle: bytes) -> None:
    def change(body: dict[str, Any]) -> None:
        body["neighbours"] = [n for n in body["neighbours"] if n["seq"] != 4]

    report = verify_bundle(edited(bundle, change))
    assert "decision 5: the bundle does not prove decision 4 it links to" in report.problems


def test_a_file_that_is_not_a_bundle_is_named(tmp_path: Path) -> None:
    assert verify_bundle(b'{"format": "x"}').problems == [
        "not a case bundle: format must be 'regulatory-sandbox-case-bundle/1'"
    ]
    assert (
        verify_bundle(b"{\n  oops").problems[0].startswith("the bundle is not valid JSON at line 2 column 3")
    )
    assert verify_bundle(b"\xff").problems == ["the bundle is not UTF-8 text at byte 0"]


def test_valid_json_of_the_wrong_shape_is_named_not_a_crash(bundle: bytes) -> None:
    def change(body: dict[str, Any]) -> None:
        body["proofs"] = ["not", "an", "object"]

    report = verify_bundle(edited(bundle, change))
    assert any(p.startswith("the bundle's structure is malformed (AttributeError") for p in report.problems)


def test_keys_other_than_the_published_ones_are_refused(bundle: bytes) -> None:
    body = json.loads(bundle)
    checkpoint_key = body["checkpoint"]["key_fingerprint"]
    signer_key = body["signatures"][0]["signer"]["fingerprint"]
    assert verify_bundle(bundle, checkpoint_keys=[checkpoint_key], signer_keys=[signer_key]).ok
    report = verify_bundle(bundle, checkpoint_keys=["ab" * 32], signer_keys=["cd" * 32])
    assert f"checkpoint: signed by key {checkpoint_key[:16]}…, not a checkpoint key given as trusted" in (
        report.problems
    )
    assert (
        f"signature of decision 1: made with key {signer_key[:16]}…, not a signer key given as trusted"
        in (report.problems)
    )
