"""Signed regulatory decisions: keys made and kept by the regulator, signatures checked and refused."""

from pathlib import Path

import pytest
from sqlmodel import select

from cases.store import Store, record_assessment
from cases.store.audit_tables import DecisionSignature, Signer
from cases.store.signed import record_signed
from cases.store.signing import (
    ForgedSignature,
    SignerNotValid,
    SigningError,
    UnknownSigner,
    WrongPassphrase,
    add_signature,
    create_signer,
    list_signers,
    load_signing_key,
    revoke_signer,
    sign_hash,
    signature_of,
    verify_hash,
)
from tests.conftest import make_profile
from tests.store_helpers import raw_sql

pytest_plugins = ["tests.store_fixtures"]
PASS = "correct horse battery"


def signatures(store: Store) -> list[DecisionSignature]:
    with store.reading() as session:
        return list(session.exec(select(DecisionSignature)).all())


def test_a_signed_decision_round_trips_and_verifies_with_the_registered_key(
    store: Store, tmp_path: Path
) -> None:
    signer = create_signer(store, name="Regulator Li", passphrase=PASS, key_file=tmp_path / "li.pem")
    assert (tmp_path / "li.pem").read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert (tmp_path / "li.pem").stat().st_mode & 0o777 == 0o600
    key = load_signing_key(tmp_path / "li.pem", PASS)
    _, stored, view = record_signed(store, make_profile(), key=key, actor="li")
    assert view.record_id == stored.id and view.signer_id == signer.id and view.signer_name == "Regulator Li"
    assert view.fingerprint == signer.fingerprint and view.record_hash == stored.hash and view.verifies
    assert verify_hash(signer.public_key, stored.hash, view.signature)
    assert signature_of(store, stored.id) == view
    fields = view.notice_fields()
    assert fields["signer"] == f"Regulator Li (signer {signer.id})" and fields["verifies"] == "yes"
    assert fields["key fingerprint"] == signer.fingerprint and fields["signature"] == view.signature
    assert [s.public_key for s in list_signers(store)] == [signer.public_key]


def test_a_wrong_passphrase_is_refused_naming_the_key_file(store: Store, tmp_path: Path) -> None:
    create_signer(store, name="Li", passphrase=PASS, key_file=tmp_path / "li.pem")
    with pytest.raises(WrongPassphrase, match=r"li\.pem: wrong passphrase"):
        load_signing_key(tmp_path / "li.pem", "not the passphrase")


def test_an_existing_key_file_is_never_overwritten_and_nothing_is_registered(
    store: Store, tmp_path: Path
) -> None:
    (tmp_path / "li.pem").write_text("keep me")
    with pytest.raises(SigningError, match="the file exists"):
        create_signer(store, name="Li", passphrase=PASS, key_file=tmp_path / "li.pem")
    assert (tmp_path / "li.pem").read_text() == "keep me" and list_signers(store) == []


def test_a_short_passphrase_is_refused(store: Store, tmp_path: Path) -> None:
    with pytest.raises(SigningError, match="passphrase: at least 8"):
        create_signer(store, name="Li", passphrase="short", key_file=tmp_path / "li.pem")
    assert not (tmp_path / "li.pem").exists()


def test_a_revoked_signer_is_refused_and_nothing_is_recorded(store: Store, tmp_path: Path) -> None:
    signer = create_signer(store, name="Li", passphrase=PASS, key_file=tmp_path / "li.pem")
    key = load_signing_key(tmp_path / "li.pem", PASS)
    revoked = revoke_signer(store, signer.id)
    assert revoked.revoked_at is not None
    assert revoke_signer(store, signer.id).revoked_at == revoked.revoked_at
    with pytest.raises(SignerNotValid, match=f"signer {signer.id} \\(Li\\) was revoked"):
        record_signed(store, make_profile(), key=key, actor="li")
    with store.reading() as session:
        assert session.exec(select(DecisionSignature)).first() is None
    from cases.store import count_decisions

    assert count_decisions(store) == 0


def test_an_expired_signer_is_refused(store: Store, tmp_path: Path, database_url: str) -> None:
    signer = create_signer(store, name="Li", passphrase=PASS, key_file=tmp_path / "li.pem", valid_days=1)
    raw_sql(
        database_url,
        "UPDATE signer SET valid_until = '2020-01-01T00:00:00+00:00' WHERE id = :id",
        id=signer.id,
    )
    key = load_signing_key(tmp_path / "li.pem", PASS)
    with pytest.raises(SignerNotValid, match="expired at 2020-01-01"):
        record_signed(store, make_profile(), key=key, actor="li")


def test_an_unregistered_key_is_refused(store: Store, tmp_path: Path, database_url: str) -> None:
    from cases.store import StoreSettings, open_store

    other_url = f"sqlite:///{tmp_path / 'other.db'}"
    other = open_store(StoreSettings(database_url=other_url))
    create_signer(other, name="Elsewhere", passphrase=PASS, key_file=tmp_path / "x.pem")
    other.dispose()
    with pytest.raises(UnknownSigner, match="not a registered signer"):
        record_signed(store, make_profile(), key=load_signing_key(tmp_path / "x.pem", PASS), actor="x")


def test_a_detached_signature_is_accepted_and_a_forged_one_refused(store: Store, tmp_path: Path) -> None:
    signer = create_signer(store, name="Li", passphrase=PASS, key_file=tmp_path / "li.pem")
    create_signer(store, name="Wang", passphrase=PASS, key_file=tmp_path / "wang.pem")
    _, first, _ = record_assessment(store, make_profile(), actor="li")
    _, second, _ = record_assessment(store, make_profile(name="Other Co"), actor="li")
    wang = load_signing_key(tmp_path / "wang.pem", PASS)
    forged = sign_hash(wang, first.hash)  # Wang's signature passed off as Li's
    with pytest.raises(
        ForgedSignature, match=f"hash of decision {first.id} with the key of signer {signer.id}"
    ):
        add_signature(store, record_id=first.id, signer_id=signer.id, signature_hex=forged)
    li = load_signing_key(tmp_path / "li.pem", PASS)
    with pytest.raises(ForgedSignature):  # Li's signature of another decision
        add_signature(
            store, record_id=first.id, signer_id=signer.id, signature_hex=sign_hash(li, second.hash)
        )
    assert signatures(store) == []
    view = add_signature(
        store, record_id=first.id, signer_id=signer.id, signature_hex=sign_hash(li, first.hash)
    )
    assert view.verifies and view.signer_name == "Li"
    with pytest.raises(SigningError, match="signed already"):
        add_signature(store, record_id=first.id, signer_id=signer.id, signature_hex=sign_hash(li, first.hash))


def test_a_self_assessment_is_not_signed(store: Store, tmp_path: Path) -> None:
    signer = create_signer(store, name="Li", passphrase=PASS, key_file=tmp_path / "li.pem")
    _, stored, _ = record_assessment(store, make_profile(), kind="self_assessment", actor="platform")
    li = load_signing_key(tmp_path / "li.pem", PASS)
    with pytest.raises(SigningError, match="only regulatory decisions are signed"):
        add_signature(
            store, record_id=stored.id, signer_id=signer.id, signature_hex=sign_hash(li, stored.hash)
        )


def test_a_signature_altered_in_the_database_no_longer_verifies(
    store: Store, tmp_path: Path, database_url: str
) -> None:
    create_signer(store, name="Li", passphrase=PASS, key_file=tmp_path / "li.pem")
    key = load_signing_key(tmp_path / "li.pem", PASS)
    _, stored, view = record_signed(store, make_profile(), key=key, actor="li")
    other = view.signature[:-2] + ("00" if view.signature[-2:] != "00" else "11")
    raw_sql(database_url, "UPDATE decision_signature SET signature = :s", s=other)
    altered = signature_of(store, stored.id)
    assert altered is not None and not altered.verifies
    with store.reading() as session:
        assert session.exec(select(Signer)).one().name == "Li"
