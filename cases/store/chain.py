"""The hash chain: what a record's hash covers, and the walk that checks every link.

A record's hash is sha256 over the canonical JSON (engine.release.canonical_json) of every
stored column but `hash` itself, `prev_hash` included; so altering, deleting, inserting or
renumbering any record breaks the chain at that record or the next. The chain-head row
names the last link, so records removed from the end are noticed too.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import inspect
from sqlmodel import Session, col, select

from cases.store.tables import ChainHead, DecisionRecord
from engine.release import sha256_of

GENESIS = "0" * 64
HASHED_FIELDS: tuple[str, ...] = tuple(c.key for c in inspect(DecisionRecord).columns if c.key != "hash")
_PAGE = 2000


# Columns added after records existed enter the hash only when set, so every earlier record
# keeps the hash it was written with.
OPTIONAL_FIELDS = frozenset({"reassesses"})


def hashed_content(values: Mapping[str, Any]) -> dict[str, Any]:
    """What a record's hash covers, from its column values: every field but the hash, and the
    optional ones only when set."""
    return {
        name: values.get(name)
        for name in HASHED_FIELDS
        if name not in OPTIONAL_FIELDS or values.get(name) is not None
    }


def record_content(record: DecisionRecord) -> dict[str, Any]:
    """What a record's hash covers (see hashed_content)."""
    return hashed_content({name: getattr(record, name) for name in HASHED_FIELDS})


def record_hash(record: DecisionRecord) -> str:
    return sha256_of(record_content(record))


class ChainReport(BaseModel):
    """The outcome of one walk of the chain."""

    model_config = ConfigDict(frozen=True)

    intact: bool
    records: int
    head_seq: int
    head_hash: str
    broken_at: int | None = None
    problem: str | None = None


def iter_records(
    session: Session, *, after: int = -1, upto: int | None = None, page: int = _PAGE
) -> Iterator[DecisionRecord]:
    """The records after seq `after` (up to `upto` included), in chain order, read a page at a time."""
    while True:
        query = select(DecisionRecord).where(col(DecisionRecord.seq) > after)
        if upto is not None:
            query = query.where(col(DecisionRecord.seq) <= upto)
        rows = session.exec(query.order_by(col(DecisionRecord.seq)).limit(page)).all()
        yield from rows
        if len(rows) < page:
            return
        after = rows[-1].seq


def verify_chain(session: Session) -> ChainReport:
    """Walk the chain from the first record; stop at the first record that breaks it."""
    head = session.exec(select(ChainHead).where(ChainHead.id == 1)).one()
    count, last_seq, last_hash = 0, 0, GENESIS

    def broken(seq: int, problem: str) -> ChainReport:
        return ChainReport(
            intact=False,
            records=count,
            head_seq=head.seq,
            head_hash=head.hash,
            broken_at=seq,
            problem=problem,
        )

    for record in iter_records(session):
        if record.seq != last_seq + 1:
            if record.seq <= last_seq:
                return broken(record.seq, f"decision {record.seq} is out of order after {last_seq}")
            missing = f"{last_seq + 1}" if record.seq == last_seq + 2 else f"{last_seq + 1}-{record.seq - 1}"
            return broken(
                record.seq,
                f"decision {record.seq} follows decision {last_seq}: decision(s) {missing} are missing",
            )
        if record.prev_hash != last_hash:
            return broken(
                record.seq,
                f"decision {record.seq} does not link to decision {last_seq}: "
                f"its previous hash is {record.prev_hash[:16]}…, decision {last_seq} has {last_hash[:16]}… "
                f"(one of the two was altered)",
            )
        if record_hash(record) != record.hash:
            return broken(
                record.seq, f"decision {record.seq} was altered: its content does not match its hash"
            )
        count, last_seq, last_hash = count + 1, record.seq, record.hash
    if (head.seq, head.hash) != (last_seq, last_hash):
        return broken(
            last_seq + 1 if head.seq > last_seq else head.seq,
            f"the chain head names decision {head.seq} ({head.hash[:16]}…) but the chain ends at "
            f"decision {last_seq} ({last_hash[:16]}…): records removed from the end, or the head altered",
        )
    return ChainReport(intact=True, records=count, head_seq=head.seq, head_hash=head.hash)
