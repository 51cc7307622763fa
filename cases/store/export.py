"""Exporting a case as one self-contained bundle an auditor verifies offline (cases/bundle.py).

The bundle holds the case's records as hashed, their signatures with the signers' public
keys, an inclusion proof of every record (and of each record's predecessor, for the chain
links) against a signed checkpoint, the rules folder the releases were read from, and a seal:
the checkpoint key's signature over everything else.
"""

from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import col, select

from cases.bundle import BUNDLE_FORMAT, RULE_FILES, seal_message
from cases.store import merkle
from cases.store.audit_tables import DecisionSignature, Signer
from cases.store.chain import record_content
from cases.store.checkpoints import (
    CheckpointError,
    SignedCheckpoint,
    get_checkpoint,
    leaf_hashes,
    make_checkpoint,
)
from cases.store.database import Store
from cases.store.errors import UnknownCase
from cases.store.signing import fingerprint_of, now_utc, raw_public
from cases.store.tables import Case, DecisionRecord
from engine.release import canonical_json
from rules import RULES_DIR


def rule_files(rules_dir: Path = RULES_DIR) -> dict[str, str]:
    """The rules folder as the bundle carries it: relative path -> text."""
    files: dict[str, str] = {}
    for pattern in RULE_FILES:
        for path in sorted(rules_dir.glob(pattern)):
            files[path.relative_to(rules_dir).as_posix()] = path.read_text(encoding="utf-8")
    return files


def _checkpoint_for(store: Store, key: Ed25519PrivateKey, last_seq: int, *, new: bool) -> SignedCheckpoint:
    """The latest checkpoint when it covers the case and is signed by this key, else a new one
    (when `new` allows it)."""
    fingerprint = fingerprint_of(raw_public(key.public_key()))
    with store.reading() as session:
        try:
            latest: SignedCheckpoint | None = get_checkpoint(session)
        except CheckpointError:
            latest = None
    if latest is not None and latest.tree_size >= last_seq and latest.key_fingerprint == fingerprint:
        return latest
    if not new:
        raise CheckpointError(
            f"no checkpoint of this key covers decision {last_seq} yet: a regulator makes one first"
        )
    return make_checkpoint(store, key)


def export_case(store: Store, case_id: int, *, key: Ed25519PrivateKey, new_checkpoint: bool = True) -> bytes:
    """The bundle of one case, as canonical JSON bytes (one line and a newline); without
    `new_checkpoint` it writes nothing and needs a checkpoint that covers the case already."""
    with store.reading() as session:
        case = session.get(Case, case_id)
        if case is None:
            raise UnknownCase(f"no case {case_id} in the store")
        records = session.exec(
            select(DecisionRecord).where(DecisionRecord.case_id == case_id).order_by(col(DecisionRecord.seq))
        ).all()
        if not records:
            raise UnknownCase(f"case {case_id} has no decisions to export")
    checkpoint = _checkpoint_for(store, key, records[-1].seq, new=new_checkpoint)
    with store.reading() as session:
        leaves = leaf_hashes(session, upto=checkpoint.tree_size)
        if len(leaves) != checkpoint.tree_size:
            raise CheckpointError(f"checkpoint {checkpoint.id} covers more decisions than the store holds")
        ours = {r.seq for r in records}
        before = sorted({r.seq - 1 for r in records} - ours - {0})
        built = merkle.inclusion_proofs(leaves, [seq - 1 for seq in sorted(ours | set(before))])
        paths = {index + 1: [p.hex() for p in path] for index, path in built.items()}
        neighbours = [
            {"seq": seq, "hash": session.get_one(DecisionRecord, seq).hash, "proof": paths[seq]}
            for seq in before
        ]
        rows = session.exec(
            select(DecisionSignature, Signer)
            .join(Signer, col(Signer.id) == col(DecisionSignature.signer_id))
            .where(col(DecisionSignature.record_seq).in_(ours))
            .order_by(col(DecisionSignature.record_seq))
        ).all()
    signatures = [
        {
            "record_seq": sig.record_seq,
            "record_hash": sig.record_hash,
            "signature": sig.signature,
            "signed_at": sig.signed_at,
            "signer": {
                "id": signer.id,
                "name": signer.name,
                "public_key": signer.public_key,
                "fingerprint": signer.fingerprint,
                "valid_from": signer.valid_from,
                "valid_until": signer.valid_until,
                "revoked_at": signer.revoked_at,
            },
        }
        for sig, signer in rows
    ]
    body: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "exported_at": now_utc().isoformat(),
        "case": {"id": case.id, "name": case.name, "uscc": case.uscc},
        "records": [{**record_content(r), "hash": r.hash} for r in records],
        "proofs": {str(r.seq): paths[r.seq] for r in records},
        "neighbours": neighbours,
        "signatures": signatures,
        "checkpoint": checkpoint.model_dump(),
        "rules": rule_files(),
    }
    body["seal"] = key.sign(seal_message(body)).hex()
    return (canonical_json(body) + "\n").encode("utf-8")
