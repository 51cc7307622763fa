"""The signing and audit commands: signers, assess --sign-with, checkpoints, proofs and offline bundles."""

import json
from pathlib import Path

import pytest

from api.cli import main
from cases.store import Store, count_decisions
from cases.store.keys import create_key
from cases.store.signing import signature_of
from tests.audit_helpers import rebuild_chain
from tests.conftest import make_profile
from tests.store_helpers import raw_sql, uscc

pytest_plugins = ["tests.store_fixtures"]
PASS = "correct horse battery"


@pytest.fixture
def cli(store: Store, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The CLI pointed at the store, a checkpoint key file and a signer passphrase; two profiles."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SANDBOX_CHECKPOINT_KEY", str(tmp_path / "checkpoint.key"))
    monkeypatch.setenv("SANDBOX_SIGNER_PASSPHRASE", PASS)
    files = {}
    for index, name in enumerate(("first", "second")):
        files[name] = tmp_path / f"{name}.json"
        files[name].write_text(json.dumps(make_profile(name=f"{name} Co", uscc=uscc(index))))
    return files


def test_a_regulator_signs_decisions_and_an_auditor_verifies_the_bundle_offline(
    cli: dict[str, Path],
    store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    key = tmp_path / "li.pem"
    assert main(["signers", "create", "--name", "Regulator Li", "--valid-days", "30", "-o", str(key)]) == 0
    assert f"private key written to {key}" in capsys.readouterr().out
    assert main(["assess", "--record", "--sign-with", str(key), str(cli["first"]), str(cli["second"])]) == 0
    assert "signed by signer 1 (Regulator Li)" in capsys.readouterr().err
    view = signature_of(store, 2)
    assert view is not None and view.verifies and view.signer_name == "Regulator Li"
    assert main(["audit", "checkpoint", "--json"]) == 0
    published = tmp_path / "published.json"
    published.write_text(capsys.readouterr().out)
    assert json.loads(published.read_text())["tree_size"] == 2
    assert main(["audit", "prove", "2"]) == 0
    assert "is leaf 1 of 2" in capsys.readouterr().out
    assert main(["audit", "export", "2", "-o", str(tmp_path / "case2.json")]) == 0
    capsys.readouterr()
    # the auditor has no database: a DATABASE_URL that cannot be opened is never touched
    monkeypatch.setenv("DATABASE_URL", "mysql://root@nowhere/none")
    assert main(["audit", "verify-bundle", str(tmp_path / "case2.json")]) == 0
    out = capsys.readouterr().out
    assert "ok      decision 2: signed by signer 1 (Regulator Li" in out
    assert "ok      decision 2: replayed from the bundled release 2026.01, identical byte for byte" in out
    assert out.endswith("case2.json: verified offline\n")
    published_key = json.loads(published.read_text())["key_fingerprint"]
    bundle = str(tmp_path / "case2.json")
    assert main(["audit", "verify-bundle", bundle, "--checkpoint-key", published_key]) == 0
    capsys.readouterr()
    assert main(["audit", "verify-bundle", bundle, "--checkpoint-key", "ab" * 32]) == 2
    assert "not a checkpoint key given as trusted" in capsys.readouterr().err


def test_a_bundle_with_one_byte_changed_exits_2_naming_what_failed(
    cli: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["assess", "--record", str(cli["first"])]) == 0
    assert main(["audit", "export", "1", "-o", str(tmp_path / "b.json")]) == 0
    data = (tmp_path / "b.json").read_bytes()
    position = data.index(b'"actor":"') + len(b'"actor":"')
    (tmp_path / "b.json").write_bytes(data[:position] + b"X" + data[position + 1 :])
    capsys.readouterr()
    assert main(["audit", "verify-bundle", str(tmp_path / "b.json")]) == 2
    captured = capsys.readouterr()
    assert "FAILED  decision 1: altered (its content does not match its hash)" in captured.out
    assert "the bundle does not verify: seal: the bundle was changed after export" in captured.err


def test_a_wrong_passphrase_exits_2_and_records_nothing(
    cli: dict[str, Path],
    store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    key = tmp_path / "li.pem"
    assert main(["signers", "create", "--name", "Li", "-o", str(key)]) == 0
    monkeypatch.setenv("SANDBOX_SIGNER_PASSPHRASE", "not the passphrase")
    assert main(["assess", "--record", "--sign-with", str(key), str(cli["first"])]) == 2
    assert f"wrong_passphrase: --sign-with {key}: wrong passphrase" in capsys.readouterr().err
    assert count_decisions(store) == 0


def test_a_revoked_signer_exits_2_and_records_nothing(
    cli: dict[str, Path], store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "li.pem"
    assert main(["signers", "create", "--name", "Li", "-o", str(key)]) == 0
    assert main(["signers", "revoke", "1"]) == 0
    assert main(["signers", "list", "--json"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert listed[0]["revoked_at"] is not None
    assert main(["assess", "--record", "--sign-with", str(key), str(cli["first"])]) == 2
    assert "signer_not_valid: signer 1 (Li) was revoked" in capsys.readouterr().err
    assert count_decisions(store) == 0
    assert main(["signers", "revoke", "7"]) == 2
    assert "unknown_signer: no signer 7" in capsys.readouterr().err


def test_sign_with_needs_record(
    cli: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["assess", "--sign-with", str(tmp_path / "li.pem"), str(cli["first"])]) == 2
    assert (
        "--sign-with: signs regulatory decisions as they are recorded; add --record"
        in capsys.readouterr().err
    )


def test_audit_verify_exits_1_on_a_history_rebuilt_after_a_published_checkpoint(
    cli: dict[str, Path], database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["assess", "--record", str(cli["first"]), str(cli["second"])]) == 0
    capsys.readouterr()
    assert main(["audit", "checkpoint", "--json"]) == 0
    published = tmp_path / "published.json"
    published.write_text(capsys.readouterr().out)
    assert main(["audit", "consistency", "1", "1"]) == 0
    assert main(["audit", "verify"]) == 0
    assert "checkpoints intact: the records match all 1 checkpoint(s)" in capsys.readouterr().out
    rebuild_chain(database_url, seq=1, old='"tier":"standard"', new='"tier":"observation"')
    raw_sql(database_url, "DELETE FROM checkpoint")
    assert main(["audit", "verify"]) == 0  # the chain verifies and the store kept no checkpoint
    capsys.readouterr()
    assert main(["audit", "verify", "--published", str(published)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("chain intact: 2 decision(s)")
    assert "checkpoints BROKEN: history rebuilt after checkpoint 1" in out
    assert main(["audit", "export", "1", "-o", str(tmp_path / "b.json")]) == 0  # a new checkpoint is made


def test_a_decision_recorded_unsigned_is_signed_afterwards_once(
    cli: dict[str, Path],
    store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    key = tmp_path / "li.pem"
    assert main(["signers", "create", "--name", "Li", "-o", str(key)]) == 0
    assert main(["assess", "--record", str(cli["first"])]) == 0
    assert signature_of(store, 1) is None
    assert main(["signers", "sign", "1", "--with", str(key)]) == 0
    assert "decision 1 signed by signer 1 (Li)" in capsys.readouterr().out
    view = signature_of(store, 1)
    assert view is not None and view.verifies
    assert main(["signers", "sign", "1", "--with", str(key)]) == 2
    assert "decision 1 is signed already" in capsys.readouterr().err
    assert main(["signers", "sign", "9", "--with", str(key)]) == 2
    assert "unknown_decision: no decision 9" in capsys.readouterr().err
    monkeypatch.setenv("SANDBOX_SIGNER_PASSPHRASE", "a wrong passphrase")
    assert main(["signers", "sign", "1", "--with", str(key)]) == 2
    assert f"--with {key}: wrong passphrase for this key file" in capsys.readouterr().err


def test_a_signer_is_bound_to_a_regulators_api_key_and_to_no_other_kind(
    cli: dict[str, Path], store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    regulator = create_key(store, role="regulator", name="Inspector Li").caller.key_id
    auditor = create_key(store, role="auditor", name="Auditor Wu").caller.key_id
    key = tmp_path / "li.pem"
    assert main(["signers", "create", "--name", "Li", "--key-id", str(auditor), "-o", str(key)]) == 2
    assert f"--key-id: API key {auditor} is not a regulator's (its role: auditor)" in capsys.readouterr().err
    assert not key.exists()  # nothing half-made
    assert main(["signers", "create", "--name", "Li", "--key-id", "99", "-o", str(key)]) == 2
    assert "--key-id: no API key 99" in capsys.readouterr().err
    assert main(["signers", "create", "--name", "Li", "--key-id", str(regulator), "-o", str(key)]) == 0
    assert f"bound to API key {regulator}" in capsys.readouterr().out
    assert main(["signers", "list"]) == 0
    assert capsys.readouterr().out.rstrip().endswith(f"; API key {regulator}")
