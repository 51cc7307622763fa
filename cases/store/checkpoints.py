"""Signed checkpoints of the decision log, like Certificate Transparency's signed tree heads.

A checkpoint is the RFC 6962 Merkle root (merkle.py) over the first `tree_size` record
hashes in chain order, signed with the store's own Ed25519 key. That key lives in a file
the operator keeps (SANDBOX_CHECKPOINT_KEY, default ./sandbox-checkpoint.key), never in
the database; the store holds only its public half. Whoever rewrites the database can make
the chain consistent again, but not the root of a checkpoint already published: the
rebuilt history shows as a root that no longer matches (`verify_checkpoints`).
"""

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from cases.store import merkle
from cases.store.audit_tables import Checkpoint, CheckpointKey
from cases.store.chain import verify_chain
from cases.store.database import Store
from cases.store.errors import StoreError
from cases.store.signing import fingerprint_of, now_utc, raw_public, verify_bytes
from cases.store.tables import ChainHead, DecisionRecord

KEY_ENV = "SANDBOX_CHECKPOINT_KEY"
DEFAULT_KEY_FILE = "sandbox-checkpoint.key"
_PAGE = 50_000


class CheckpointError(StoreError):
    code = "checkpoint_refused"


class UnknownCheckpoint(CheckpointError):
    code = "unknown_checkpoint"


class SignedCheckpoint(BaseModel):
    """A signed tree head, as published: size, root, time, and the key that signed them."""

    model_config = ConfigDict(frozen=True)

    id: int | None = None
    tree_size: int
    root_hash: str
    timestamp: str
    key_fingerprint: str
    public_key: str
    signature: str

    def message(self) -> bytes:
        return checkpoint_message(self.tree_size, self.root_hash, self.timestamp, self.key_fingerprint)

    def problem(self) -> str | None:
        """Why this checkpoint is not a valid signed tree head, or None when it is."""
        try:
            fingerprint = fingerprint_of(bytes.fromhex(self.public_key))
        except ValueError:
            return "its public key is not hex"
        if fingerprint != self.key_fingerprint:
            return "its public key does not have the fingerprint it names"
        if not verify_bytes(self.public_key, self.message(), self.signature):
            return "its signature does not verify with the checkpoint key"
        return None


class CheckpointReport(BaseModel):
    """The records checked against every checkpoint: the first one they no longer match."""

    model_config = ConfigDict(frozen=True)

    intact: bool
    checkpoints: int
    broken_checkpoint: int | None = None
    problem: str | None = None


def checkpoint_message(tree_size: int, root_hash: str, timestamp: str, fingerprint: str) -> bytes:
    """The bytes a checkpoint signature covers."""
    return (
        f"regulatory-sandbox checkpoint v1\n{tree_size}\n{root_hash}\n{timestamp}\n{fingerprint}\n".encode()
    )


def key_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get(KEY_ENV) or DEFAULT_KEY_FILE)


def load_checkpoint_key(path: Path, *, create: bool = False) -> Ed25519PrivateKey:
    """The store's checkpoint key from its file (made, readable by its owner only, when asked)."""
    if not path.exists():
        if not create:
            raise CheckpointError(f"{KEY_ENV}: no checkpoint key file at {path}")
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise CheckpointError(f"{KEY_ENV}: cannot create {path}: {exc.strerror or exc}") from None
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
        return key
    try:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise CheckpointError(f"{KEY_ENV}: {path} is not an unencrypted Ed25519 key file ({exc})") from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise CheckpointError(f"{KEY_ENV}: {path} is not an Ed25519 key")
    return loaded


def leaf_hashes(session: Session, *, upto: int | None = None) -> list[bytes]:
    """The Merkle leaves: leaf_hash of each record's hash (32 raw bytes), in chain order."""
    leaves: list[bytes] = []
    after = 0
    while True:
        query = select(DecisionRecord.seq, DecisionRecord.hash).where(col(DecisionRecord.seq) > after)
        if upto is not None:
            query = query.where(col(DecisionRecord.seq) <= upto)
        rows = session.exec(query.order_by(col(DecisionRecord.seq)).limit(_PAGE)).all()
        leaves.extend(merkle.leaf_hash(bytes.fromhex(h)) for _, h in rows)
        if len(rows) < _PAGE:
            return leaves
        after = rows[-1][0]


def _signed(row: Checkpoint, keys: Mapping[str, str]) -> SignedCheckpoint:
    return SignedCheckpoint(
        id=row.id,
        tree_size=row.tree_size,
        root_hash=row.root_hash,
        timestamp=row.timestamp,
        key_fingerprint=row.key_fingerprint,
        public_key=keys.get(row.key_fingerprint, ""),
        signature=row.signature,
    )


def _keys(session: Session) -> dict[str, str]:
    return {k.fingerprint: k.public_key for k in session.exec(select(CheckpointKey)).all()}


def make_checkpoint(store: Store, key: Ed25519PrivateKey) -> SignedCheckpoint:
    """Sign the root of every record now in the chain; refused when the chain or an earlier
    checkpoint no longer verifies (a checkpoint must never bless a rewritten history)."""
    with store.writing() as session:
        head = session.exec(select(ChainHead).where(ChainHead.id == 1).with_for_update()).one()
        chain = verify_chain(session)
        if not chain.intact:
            raise CheckpointError(f"the chain is broken at decision {chain.broken_at}: {chain.problem}")
        report = verify_checkpoints(session)
        if not report.intact:
            raise CheckpointError(f"an earlier checkpoint no longer matches: {report.problem}")
        public = raw_public(key.public_key())
        fingerprint = fingerprint_of(public)
        if (
            session.exec(select(CheckpointKey).where(CheckpointKey.fingerprint == fingerprint)).first()
            is None
        ):
            session.add(
                CheckpointKey(
                    public_key=public.hex(), fingerprint=fingerprint, created_at=now_utc().isoformat()
                )
            )
        top = merkle.root(leaf_hashes(session, upto=head.seq)).hex()
        stamp = now_utc().isoformat()
        signature = key.sign(checkpoint_message(head.seq, top, stamp, fingerprint)).hex()
        row = Checkpoint(
            tree_size=head.seq,
            root_hash=top,
            timestamp=stamp,
            key_fingerprint=fingerprint,
            signature=signature,
        )
        session.add(row)
        session.flush()
        return _signed(row, {fingerprint: public.hex()})


def list_checkpoints(store: Store) -> list[SignedCheckpoint]:
    with store.reading() as session:
        keys = _keys(session)
        return [_signed(r, keys) for r in session.exec(select(Checkpoint).order_by(col(Checkpoint.id))).all()]


def get_checkpoint(session: Session, checkpoint_id: int | None = None) -> SignedCheckpoint:
    """One checkpoint by id, or the latest one."""
    query = select(Checkpoint)
    query = (
        query.where(Checkpoint.id == checkpoint_id)
        if checkpoint_id
        else query.order_by(col(Checkpoint.id).desc())
    )
    row = session.exec(query).first()
    if row is None:
        if checkpoint_id:
            raise UnknownCheckpoint(f"no checkpoint {checkpoint_id}")
        raise UnknownCheckpoint("the store has no checkpoint yet: run `sandbox audit checkpoint` first")
    return _signed(row, _keys(session))


def check_against(
    leaves: Sequence[bytes],
    checkpoint: SignedCheckpoint,
    *,
    since: int = 0,
    roots: Mapping[int, bytes] | None = None,
) -> str | None:
    """Why the records no longer match a checkpoint, or None when they do (`roots`: the prefix
    roots already computed, merkle.prefix_roots)."""
    name = f"checkpoint {checkpoint.id}" if checkpoint.id else "the published checkpoint"
    signed = checkpoint.problem()
    if signed:
        return f"{name} (size {checkpoint.tree_size}) is not validly signed: {signed}"
    if len(leaves) < checkpoint.tree_size:
        gone = checkpoint.tree_size - len(leaves)
        return (
            f"{name} covers {checkpoint.tree_size} decisions but the store holds {len(leaves)}: "
            f"{gone} decision(s) among {since + 1}-{checkpoint.tree_size} were removed"
        )
    top = (roots or merkle.prefix_roots(leaves, [checkpoint.tree_size]))[checkpoint.tree_size].hex()
    if top != checkpoint.root_hash:
        span = f"{since + 1}-{checkpoint.tree_size}"
        return (
            f"history rebuilt after {name} (signed {checkpoint.timestamp}): the first "
            f"{checkpoint.tree_size} decisions have root {top[:16]}…, the checkpoint signed "
            f"{checkpoint.root_hash[:16]}…; the rewrite lies in decisions {span}"
        )
    return None


def verify_checkpoints(session: Session, *, published: Sequence[SignedCheckpoint] = ()) -> CheckpointReport:
    """Check the records against every stored checkpoint and any published ones, oldest first."""
    keys = _keys(session)
    stored = [_signed(r, keys) for r in session.exec(select(Checkpoint).order_by(col(Checkpoint.id))).all()]
    every = sorted([*stored, *published], key=lambda c: c.tree_size)
    if not every:
        return CheckpointReport(intact=True, checkpoints=0)
    leaves = leaf_hashes(session)
    roots = merkle.prefix_roots(leaves, [c.tree_size for c in every])
    since = 0
    for checkpoint in every:
        problem = check_against(leaves, checkpoint, since=since, roots=roots)
        if problem:
            return CheckpointReport(
                intact=False, checkpoints=len(every), broken_checkpoint=checkpoint.id, problem=problem
            )
        since = checkpoint.tree_size
    return CheckpointReport(intact=True, checkpoints=len(every))
