"""The stored tables: cases under supervision, their decision records, and the chain head.

Every column of a decision record except `hash` is covered by that hash (see chain.py);
the schema itself is created by the migrations in cases/migrations, never by create_all.
"""

from sqlalchemy import CheckConstraint, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

KINDS = ("regulatory", "self_assessment")
SELECTIONS = ("in_force", "explicit")


class Case(SQLModel, table=True):
    """A platform under supervision, found again by USCC, or by name when it has none."""

    __tablename__ = "sandbox_case"
    __table_args__ = (UniqueConstraint("uscc", name="uq_case_uscc"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    uscc: str | None = Field(default=None, max_length=18)
    created_at: str = Field(max_length=40)


class DecisionRecord(SQLModel, table=True):
    """One assessment as stored: input, ruleset, output, and its link in the chain.

    `seq` is the position in the store's one chain and the decision id users quote;
    `case_seq` counts the decisions of one case. Text timestamps and canonical JSON
    texts round-trip byte for byte on every database, so the hash can be recomputed.
    """

    __tablename__ = "decision_record"
    __table_args__ = (
        UniqueConstraint("case_id", "case_seq", name="uq_decision_case_seq"),
        UniqueConstraint("prev_hash", name="uq_decision_prev_hash"),
        UniqueConstraint("hash", name="uq_decision_hash"),
        CheckConstraint(f"kind IN {KINDS}", name="ck_decision_kind"),
        CheckConstraint(f"selection IN {SELECTIONS}", name="ck_decision_selection"),
    )

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    case_id: int = Field(foreign_key="sandbox_case.id", index=True)
    case_seq: int
    kind: str = Field(max_length=20)
    actor: str = Field(max_length=200)
    profile_json: str = Field(sa_type=Text)
    profile_sha256: str = Field(max_length=64, index=True)
    release_id: str = Field(max_length=40)
    release_sha256: str = Field(max_length=64)
    selection: str = Field(max_length=10)
    as_of: str = Field(max_length=10)
    engine_version: str = Field(max_length=40)
    decision_json: str = Field(sa_type=Text)
    created_at: str = Field(max_length=40)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    # The decision this one reassesses (migration 0003); hashed only when set, see chain.py.
    reassesses: int | None = Field(default=None)


class ChainHead(SQLModel, table=True):
    """The single row naming the last link: writers lock it, verify checks the chain ends there."""

    __tablename__ = "chain_head"

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int = 0
    hash: str = Field(max_length=64)
