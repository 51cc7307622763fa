"""Proofs against signed checkpoints (RFC 6962): a decision's inclusion in a checkpoint's tree,
and the consistency of two checkpoints (the older tree is a prefix of the newer one)."""

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict
from sqlmodel import Session

from cases.store import merkle
from cases.store.checkpoints import CheckpointError, SignedCheckpoint, get_checkpoint, leaf_hashes
from cases.store.database import Store
from cases.store.errors import UnknownDecision
from cases.store.tables import DecisionRecord


class InclusionProof(BaseModel):
    """RFC 6962 audit path of one record to the root of a checkpoint."""

    model_config = ConfigDict(frozen=True)

    record_id: int
    record_hash: str
    leaf_index: int
    tree_size: int
    root_hash: str
    path: list[str]

    def verifies(self) -> bool:
        leaf = merkle.leaf_hash(bytes.fromhex(self.record_hash))
        path = [bytes.fromhex(p) for p in self.path]
        return merkle.verify_inclusion(
            leaf, self.leaf_index, self.tree_size, path, bytes.fromhex(self.root_hash)
        )


class ConsistencyProof(BaseModel):
    """RFC 6962 proof that checkpoint `old` is a prefix of checkpoint `new`."""

    model_config = ConfigDict(frozen=True)

    old: SignedCheckpoint
    new: SignedCheckpoint
    path: list[str]

    def verifies(self) -> bool:
        return merkle.verify_consistency(
            self.old.tree_size,
            self.new.tree_size,
            bytes.fromhex(self.old.root_hash),
            bytes.fromhex(self.new.root_hash),
            [bytes.fromhex(p) for p in self.path],
        )


def inclusion(session: Session, record_id: int, checkpoint: SignedCheckpoint) -> InclusionProof:
    record = session.get(DecisionRecord, record_id)
    if record is None:
        raise UnknownDecision(f"no decision {record_id} in the store")
    if record_id > checkpoint.tree_size:
        raise CheckpointError(
            f"decision {record_id} is newer than checkpoint {checkpoint.id} (size {checkpoint.tree_size}): "
            "make a checkpoint first"
        )
    leaves = leaf_hashes(session, upto=checkpoint.tree_size)
    return proof_in(leaves, record_id, record.hash, checkpoint.root_hash)


def proof_in(leaves: Sequence[bytes], record_id: int, record_hash: str, root_hash: str) -> InclusionProof:
    """The inclusion proof of record `record_id` (leaf record_id - 1) in a tree of these leaves."""
    path = merkle.inclusion_proof(leaves, record_id - 1)
    return InclusionProof(
        record_id=record_id,
        record_hash=record_hash,
        leaf_index=record_id - 1,
        tree_size=len(leaves),
        root_hash=root_hash,
        path=[p.hex() for p in path],
    )


def prove(store: Store, record_id: int, *, checkpoint_id: int | None = None) -> InclusionProof:
    """An inclusion proof of one decision against a checkpoint (default: the latest)."""
    with store.reading() as session:
        return inclusion(session, record_id, get_checkpoint(session, checkpoint_id))


def consistency(store: Store, old_id: int, new_id: int) -> ConsistencyProof:
    """A consistency proof between two checkpoints (old must not be larger than new)."""
    with store.reading() as session:
        old, new = get_checkpoint(session, old_id), get_checkpoint(session, new_id)
        if old.tree_size > new.tree_size:
            raise CheckpointError(
                f"checkpoint {old_id} (size {old.tree_size}) is larger than checkpoint {new_id} "
                f"(size {new.tree_size}): give the older one first"
            )
        leaves = leaf_hashes(session, upto=new.tree_size)
    path = merkle.consistency_proof(leaves, old.tree_size)
    return ConsistencyProof(old=old, new=new, path=[p.hex() for p in path])
