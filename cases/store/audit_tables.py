"""The tables of signed decisions and signed checkpoints (migration 0004), append-only.

Signers are regulators' Ed25519 public keys with a validity period; a decision signature
ties one regulatory record to the signer that signed its hash. The checkpoint keys are the
store's own Ed25519 public keys, and a checkpoint is a signed Merkle tree head over the
first `tree_size` records. A signer's `revoked_at` is the one column ever set after insert.
"""

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class Signer(SQLModel, table=True):
    """A regulator's signing key: its public half, fingerprint and validity period."""

    __tablename__ = "signer"
    __table_args__ = (UniqueConstraint("fingerprint", name="uq_signer_fingerprint"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    public_key: str = Field(max_length=64)
    fingerprint: str = Field(max_length=64)
    valid_from: str = Field(max_length=40)
    valid_until: str = Field(max_length=40)
    created_at: str = Field(max_length=40)
    revoked_at: str | None = Field(default=None, max_length=40)
    api_key_id: int | None = Field(default=None, foreign_key="api_key.id")  # the regulator's key (0005)


class DecisionSignature(SQLModel, table=True):
    """The signature of one regulatory decision record, over its record hash."""

    __tablename__ = "decision_signature"
    __table_args__ = (UniqueConstraint("record_seq", name="uq_decision_signature_record"),)

    id: int | None = Field(default=None, primary_key=True)
    record_seq: int = Field(foreign_key="decision_record.seq")
    signer_id: int = Field(foreign_key="signer.id")
    fingerprint: str = Field(max_length=64)
    record_hash: str = Field(max_length=64)
    signature: str = Field(max_length=128)
    signed_at: str = Field(max_length=40)


class CheckpointKey(SQLModel, table=True):
    """A public key of the store's checkpoint signer (the private key stays in the operator's file)."""

    __tablename__ = "checkpoint_key"
    __table_args__ = (UniqueConstraint("fingerprint", name="uq_checkpoint_key_fingerprint"),)

    id: int | None = Field(default=None, primary_key=True)
    public_key: str = Field(max_length=64)
    fingerprint: str = Field(max_length=64)
    created_at: str = Field(max_length=40)


class Checkpoint(SQLModel, table=True):
    """A signed tree head: the Merkle root of the first `tree_size` records at a time."""

    __tablename__ = "checkpoint"

    id: int | None = Field(default=None, primary_key=True)
    tree_size: int
    root_hash: str = Field(max_length=64)
    timestamp: str = Field(max_length=40)
    key_fingerprint: str = Field(max_length=64)
    signature: str = Field(max_length=128)
