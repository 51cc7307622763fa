"""Appending decisions to the chain. There is no update or delete path, here or anywhere.

An append evaluates first (a failed assessment writes nothing), then in one exclusive
transaction locks the chain head, finds or creates the case, links the new record to the
head and moves the head. A crash before commit leaves the chain as it was.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from cases.store.chain import record_hash
from cases.store.database import Store
from cases.store.errors import InvalidRecord
from cases.store.reads import Kind, StoredDecision, public_view
from cases.store.tables import Case, ChainHead, DecisionRecord
from engine import Decision, __version__, evaluate, parse_profile
from engine.release import canonical_json, sha256_of

# Called with the new record after it is written and before the commit; an exception aborts it.
BeforeCommit = Callable[[DecisionRecord], None]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _case_for(session: Session, *, name: str, uscc: str | None, now: str) -> Case:
    """The case of a platform: by USCC when it has one, else by name among cases without one."""
    query = (
        select(Case).where(Case.uscc == uscc)
        if uscc
        else select(Case).where(Case.name == name, col(Case.uscc).is_(None))
    )
    case = session.exec(query.order_by(col(Case.id)).limit(1)).first()
    if case is None:
        case = Case(name=name, uscc=uscc, created_at=now)
        session.add(case)
        session.flush()
    return case


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
    if not actor.strip():
        raise InvalidRecord("a recorded decision needs an actor: say who records it")
    if sha256_of(profile) != decision.profile_sha256:
        # the stored input must be exactly what the decision was evaluated on, or replay proves nothing
        raise InvalidRecord("the profile is not the canonical input this decision was evaluated on")
    now = _now()
    with store.writing() as session:
        head = session.exec(select(ChainHead).where(ChainHead.id == 1).with_for_update()).one()
        earlier = _same_input(session, decision, kind) if once else None
        if earlier is not None:
            return public_view(*earlier), False
        case = _case_for(session, name=profile["name"], uscc=profile.get("uscc"), now=now)
        assert case.id is not None
        if reassesses is not None:
            previous = session.get(DecisionRecord, reassesses)
            if previous is None or previous.case_id != case.id:
                raise InvalidRecord(f"decision {reassesses} is not a decision of case {case.id}")
        last = session.exec(
            select(func.max(DecisionRecord.case_seq)).where(DecisionRecord.case_id == case.id)
        ).one()
        record = DecisionRecord(
            seq=head.seq + 1,
            case_id=case.id,
            case_seq=(last or 0) + 1,
            kind=kind,
            actor=actor,
            profile_json=canonical_json(profile),
            profile_sha256=decision.profile_sha256,
            release_id=decision.ruleset.release,
            release_sha256=decision.ruleset.sha256,
            selection=decision.ruleset.selection,
            as_of=decision.assessment_date.isoformat(),
            engine_version=__version__,
            decision_json=decision.to_json(),
            created_at=now,
            prev_hash=head.hash,
            hash="",
            reassesses=reassesses,
        )
        record.hash = record_hash(record)
        session.add(record)
        head.seq, head.hash = record.seq, record.hash
        session.add(head)
        session.flush()
        if before_commit is not None:
            before_commit(record)
    return public_view(record, case), True


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
