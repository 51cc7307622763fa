"""Appending decisions to the chain. There is no update or delete path, here or anywhere.

An append evaluates first (a failed assessment writes nothing), then in one exclusive
transaction locks the chain head, finds or creates the case, links the new record to the
head and moves the head. A crash before commit leaves the chain as it was. `write_records`
does the same for several records in one transaction (the group commit of cases/store/group.py).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from hashlib import sha256
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert
from sqlmodel import Session, col, select

from cases.store.chain import hashed_content
from cases.store.database import Store
from cases.store.errors import InvalidRecord
from cases.store.reads import Kind, StoredDecision, public_view, stored_view
from cases.store.tables import Case, ChainHead, DecisionRecord
from engine import Decision, __version__, evaluate, parse_profile
from engine.release import canonical_json, sha256_of

# Called with the new record after it is written and before the commit; an exception aborts it.
BeforeCommit = Callable[[DecisionRecord], None]


@dataclass(frozen=True)
class NewRecord:
    """An evaluated decision to append; `profile` is the canonical input it was evaluated on."""

    profile: dict[str, Any]
    decision: Decision
    kind: Kind
    actor: str
    reassesses: int | None = None

    @cached_property
    def profile_json(self) -> str:
        return canonical_json(self.profile)


CaseKey = tuple[str | None, str | None]
# A case as a writer needs it: its id, name and USCC, and its last case_seq.
CaseRef = tuple[int, str, str | None, int]


@dataclass
class KnownCases:
    """Cases a writer has met, with their last case_seq, as of the chain head it last wrote.

    Valid while the head is still there: a decision joins a case only through an append, which
    moves the head, and cases are never changed. A writer whose transaction failed forgets them.
    """

    head: tuple[int, str] | None = None
    cases: dict[CaseKey, CaseRef] = field(default_factory=dict)

    def forget(self) -> None:
        self.head = None
        self.cases.clear()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def check_record(new: NewRecord) -> None:
    """Refuse, before anything is written, a record the chain must not hold."""
    if not new.actor.strip():
        raise InvalidRecord("a recorded decision needs an actor: say who records it")
    if sha256(new.profile_json.encode("utf-8")).hexdigest() != new.decision.profile_sha256:
        # the stored input must be exactly what the decision was evaluated on, or replay proves nothing
        raise InvalidRecord("the profile is not the canonical input this decision was evaluated on")


# Statements built once: the writer runs them for every batch (Core, not the ORM's unit of work).
_LAST_CASE_SEQ = (
    select(func.max(DecisionRecord.case_seq))
    .where(col(DecisionRecord.case_id) == col(Case.id))
    .scalar_subquery()
)
_CASE_BY_USCC = (
    select(col(Case.id), col(Case.name), col(Case.uscc), _LAST_CASE_SEQ)
    .where(Case.uscc == bindparam("uscc"))
    .order_by(col(Case.id))
    .limit(1)
)
_CASE_BY_NAME = (
    select(col(Case.id), col(Case.name), col(Case.uscc), _LAST_CASE_SEQ)
    .where(Case.name == bindparam("name"), col(Case.uscc).is_(None))
    .order_by(col(Case.id))
    .limit(1)
)
_HEAD = select(ChainHead).where(ChainHead.id == 1).with_for_update()
_INSERT_RECORDS = insert(DecisionRecord)
_REASSESSED_CASE = select(col(DecisionRecord.case_id)).where(DecisionRecord.seq == bindparam("seq"))


def _case_key(profile: dict[str, Any]) -> CaseKey:
    uscc: str | None = profile.get("uscc")
    return uscc, None if uscc else profile["name"]


def _case_for(connection: Connection, *, name: str, uscc: str | None, now: str) -> CaseRef:
    """The case of a platform (by USCC when it has one, else by name among cases without one), as
    the store holds it (a platform renamed under its USCC keeps its case and the case its name),
    and its last case_seq, in one query; a new case when there is none."""
    query, params = (_CASE_BY_USCC, {"uscc": uscc}) if uscc else (_CASE_BY_NAME, {"name": name})
    row = connection.execute(query, params).first()
    if row is not None:
        return row[0], row[1], row[2], row[3] or 0
    created = connection.execute(insert(Case).values(name=name, uscc=uscc, created_at=now))
    new_id = created.inserted_primary_key
    assert new_id is not None
    return int(new_id[0]), name, uscc, 0


def _same_input(session: Session, decision: Decision, kind: Kind) -> tuple[DecisionRecord, Case] | None:
    query = (
        select(DecisionRecord, Case)
        .join(Case, col(Case.id) == col(DecisionRecord.case_id))
        .where(
            DecisionRecord.profile_sha256 == decision.profile_sha256,
            DecisionRecord.release_id == decision.ruleset.release,
            DecisionRecord.selection == decision.ruleset.selection,
            DecisionRecord.kind == kind,
        )
        .order_by(col(DecisionRecord.seq))
        .limit(1)
    )
    row = session.exec(query).first()
    return None if row is None else (row[0], row[1])


def _locked_head(session: Session) -> ChainHead:
    return session.exec(_HEAD).one()


def write_records(
    session: Session,
    records: Sequence[NewRecord],
    *,
    head: ChainHead | None = None,
    before_commit: BeforeCommit | None = None,
    known: KnownCases | None = None,
) -> list[StoredDecision]:
    """Link checked records to the chain in their order, inside the caller's write transaction.

    Locks the chain head (unless given, already locked), finds each record's case (once, or not
    at all when `known` still holds it), inserts every record in one statement and moves the
    head; the caller commits.
    """
    head = head or _locked_head(session)
    connection = session.connection()
    known = known or KnownCases()
    if known.head != (head.seq, head.hash):
        known.cases.clear()
    cases = known.cases
    rows: list[dict[str, Any]] = []
    views: list[tuple[str, str | None]] = []
    seq, previous = head.seq, head.hash
    for new in records:
        now = _now()
        key = _case_key(new.profile)
        if key not in cases:
            cases[key] = _case_for(connection, name=new.profile["name"], uscc=key[0], now=now)
        case_id, case_name, case_uscc, last = cases[key]
        if new.reassesses is not None:
            earlier = connection.execute(_REASSESSED_CASE, {"seq": new.reassesses}).scalar()
            if earlier != case_id:
                raise InvalidRecord(f"decision {new.reassesses} is not a decision of case {case_id}")
        cases[key] = case_id, case_name, case_uscc, last + 1
        seq += 1
        values: dict[str, Any] = {
            "seq": seq,
            "case_id": case_id,
            "case_seq": last + 1,
            "kind": new.kind,
            "actor": new.actor,
            "profile_json": new.profile_json,
            "profile_sha256": new.decision.profile_sha256,
            "release_id": new.decision.ruleset.release,
            "release_sha256": new.decision.ruleset.sha256,
            "selection": new.decision.ruleset.selection,
            "as_of": new.decision.assessment_date.isoformat(),
            "engine_version": __version__,
            "decision_json": new.decision.to_json(),
            "created_at": now,
            "prev_hash": previous,
            "reassesses": new.reassesses,
        }
        values["hash"] = previous = sha256_of(hashed_content(values))
        rows.append(values)
        views.append((case_name, case_uscc))
    connection.execute(_INSERT_RECORDS, rows)
    head.seq, head.hash = seq, previous
    session.add(head)
    session.flush()
    known.head = seq, previous
    if before_commit is not None:
        for values in rows:
            before_commit(DecisionRecord(**values))
    return [
        stored_view(values, case_name=name, case_uscc=uscc)
        for values, (name, uscc) in zip(rows, views, strict=True)
    ]


def append(
    store: Store,
    *,
    profile: dict[str, Any],
    decision: Decision,
    kind: Kind,
    actor: str,
    once: bool = False,
    before_commit: BeforeCommit | None = None,
    reassesses: int | None = None,
) -> tuple[StoredDecision, bool]:
    """Append one evaluated decision; `profile` is the canonical input it was evaluated on.

    Returns the record and whether it is new. With `once`, an earlier record of the same
    input, ruleset and kind is returned instead of a new one (checked under the write lock,
    so concurrent loaders cannot both add it).
    """
    new = NewRecord(profile=profile, decision=decision, kind=kind, actor=actor, reassesses=reassesses)
    check_record(new)
    with store.writing() as session:
        head = _locked_head(session)
        earlier = _same_input(session, decision, kind) if once else None
        if earlier is not None:
            return public_view(*earlier), False
        [stored] = write_records(session, [new], head=head, before_commit=before_commit)
    return stored, True


def stored_input(raw: Any, decision: Decision) -> dict[str, Any]:
    """The input as stored: the canonical profile with the as-of date actually used."""
    return {**parse_profile(raw).canonical(), "assessment_date": decision.assessment_date.isoformat()}


def record_assessment(
    store: Store,
    raw_profile: Any,
    *,
    kind: Kind = "regulatory",
    actor: str,
    as_of: date | None = None,
    release: str | None = None,
    once: bool = False,
    before_commit: BeforeCommit | None = None,
    reassesses: int | None = None,
) -> tuple[Decision, StoredDecision, bool]:
    """Assess a profile and record the decision; an assessment that fails records nothing.

    Returns the decision, its record and whether the record is new (see append's `once`).
    """
    decision = evaluate(raw_profile, as_of=as_of, release=release)
    stored, new = append(
        store,
        profile=stored_input(raw_profile, decision),
        decision=decision,
        kind=kind,
        actor=actor,
        once=once,
        before_commit=before_commit,
        reassesses=reassesses,
    )
    return decision, stored, new
