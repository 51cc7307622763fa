"""Recording a regulatory decision and its signature in one transaction (`assess --record --sign-with`)."""

from datetime import date
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cases.store.database import Store
from cases.store.reads import StoredDecision
from cases.store.records import NewRecord, check_record, stored_input, write_records
from cases.store.signing import (
    SignatureView,
    insert_signature,
    sign_hash,
    signature_of,
    signer_of_key,
)
from cases.store.tables import DecisionRecord
from engine import Decision, evaluate


def check_signer(store: Store, key: Ed25519PrivateKey) -> None:
    """Refuse, before any assessment, a key that is not a registered signer valid now."""
    with store.reading() as session:
        signer_of_key(session, key)


def record_signed(
    store: Store,
    raw_profile: Any,
    *,
    key: Ed25519PrivateKey,
    actor: str,
    as_of: date | None = None,
    release: str | None = None,
) -> tuple[Decision, StoredDecision, SignatureView]:
    """Assess, record the regulatory decision and sign its hash: all of it commits, or nothing."""
    decision = evaluate(raw_profile, as_of=as_of, release=release)
    new = NewRecord(
        profile=stored_input(raw_profile, decision), decision=decision, kind="regulatory", actor=actor
    )
    check_record(new)
    with store.writing() as session:
        signer = signer_of_key(session, key)
        [stored] = write_records(session, [new])
        record = session.get_one(DecisionRecord, stored.id)
        insert_signature(session, record, signer, sign_hash(key, stored.hash))
    view = signature_of(store, stored.id)
    assert view is not None
    return decision, stored, view
