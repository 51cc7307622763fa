"""Reading decisions back: the public view of a record, single records, chain order, cases."""

import json
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, inspect
from sqlmodel import col, select

from cases.store.chain import iter_records
from cases.store.database import Store
from cases.store.errors import UnknownDecision
from cases.store.tables import Case, DecisionRecord

Kind = Literal["regulatory", "self_assessment"]
COLUMNS: tuple[str, ...] = tuple(c.key for c in inspect(DecisionRecord).columns)


class StoredDecision(BaseModel):
    """A decision record as read back: the public view of one row."""

    model_config = ConfigDict(frozen=True)

    id: int
    case_id: int
    case_name: str
    case_uscc: str | None
    case_seq: int
    kind: Kind
    actor: str
    profile: dict[str, Any]
    release: str
    release_sha256: str
    selection: Literal["in_force", "explicit"]
    as_of: date
    engine_version: str
    decision_json: str
    created_at: str
    prev_hash: str
    hash: str
    reassesses: int | None = None

    @property
    def decision(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.decision_json)
        return data


class CaseSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    name: str
    uscc: str | None
    created_at: str
    decisions: int
    latest_decision: int | None


def stored_view(values: Mapping[str, Any], *, case_name: str, case_uscc: str | None) -> StoredDecision:
    """The public view of a record from its column values and its case's name and USCC."""
    return StoredDecision(
        id=values["seq"],
        case_id=values["case_id"],
        case_name=case_name,
        case_uscc=case_uscc,
        case_seq=values["case_seq"],
        kind=values["kind"],
        actor=values["actor"],
        profile=json.loads(values["profile_json"]),
        release=values["release_id"],
        release_sha256=values["release_sha256"],
        selection=values["selection"],
        as_of=date.fromisoformat(values["as_of"]),
        engine_version=values["engine_version"],
        decision_json=values["decision_json"],
        created_at=values["created_at"],
        prev_hash=values["prev_hash"],
        hash=values["hash"],
        reassesses=values.get("reassesses"),
    )


def public_view(record: DecisionRecord, case: Case) -> StoredDecision:
    values = {name: getattr(record, name) for name in COLUMNS}
    return stored_view(values, case_name=case.name, case_uscc=case.uscc)


def count_decisions(store: Store) -> int:
    with store.reading() as session:
        return int(session.exec(select(func.count()).select_from(DecisionRecord)).one())


def seq_span(store: Store) -> tuple[int, int] | None:
    """The first and last decision id in the store, or None when it is empty."""
    with store.reading() as session:
        first, last = session.exec(select(func.min(DecisionRecord.seq), func.max(DecisionRecord.seq))).one()
    return None if first is None or last is None else (int(first), int(last))


def case_span(store: Store) -> tuple[int, int] | None:
    """The first and last case id in the store, or None when it holds no case."""
    with store.reading() as session:
        first, last = session.exec(select(func.min(Case.id), func.max(Case.id))).one()
    return None if first is None or last is None else (int(first), int(last))


def get_decision(store: Store, decision_id: int) -> StoredDecision:
    with store.reading() as session:
        row = session.exec(
            select(DecisionRecord, Case)
            .join(Case, col(Case.id) == col(DecisionRecord.case_id))
            .where(DecisionRecord.seq == decision_id)
        ).first()
        if row is None:
            span = session.exec(select(func.min(DecisionRecord.seq), func.max(DecisionRecord.seq))).one()
            held = f"decisions {span[0]}-{span[1]}" if span[0] is not None else "no decisions"
            raise UnknownDecision(f"no decision {decision_id} in the store (it holds {held})")
    return public_view(*row)


def iter_decisions(store: Store, *, after: int = -1, upto: int | None = None) -> Iterator[StoredDecision]:
    """The stored decisions in chain order (those after `after` and up to `upto`, when given)."""
    with store.reading() as session:
        cases = {c.id: c for c in session.exec(select(Case)).all()}
        for record in iter_records(session, after=after, upto=upto):
            case = cases.get(record.case_id) or session.get_one(Case, record.case_id)
            yield public_view(record, case)


def latest_per_case(
    store: Store, *, after: int | None = None, upto: int | None = None
) -> list[StoredDecision]:
    """The latest decision of every case (with ids after `after` and up to `upto`), in case order."""
    with store.reading() as session:
        latest_query = select(func.max(DecisionRecord.seq)).group_by(col(DecisionRecord.case_id))
        if after is not None:
            latest_query = latest_query.where(col(DecisionRecord.case_id) > after)
        if upto is not None:
            latest_query = latest_query.where(col(DecisionRecord.case_id) <= upto)
        latest = latest_query.scalar_subquery()
        rows = session.exec(
            select(DecisionRecord, Case)
            .join(Case, col(Case.id) == col(DecisionRecord.case_id))
            .where(col(DecisionRecord.seq).in_(latest))
            .order_by(col(Case.id))
        ).all()
    return [public_view(record, case) for record, case in rows]


def latest_of_case(store: Store, case_id: int) -> StoredDecision | None:
    """The latest decision of one case, or None when there is no such case (or it has none)."""
    with store.reading() as session:
        row = session.exec(
            select(DecisionRecord, Case)
            .join(Case, col(Case.id) == col(DecisionRecord.case_id))
            .where(DecisionRecord.case_id == case_id)
            .order_by(col(DecisionRecord.seq).desc())
        ).first()
    return None if row is None else public_view(*row)


def list_cases(store: Store) -> list[CaseSummary]:
    with store.reading() as session:
        counts = select(
            DecisionRecord.case_id,
            func.count().label("n"),
            func.max(DecisionRecord.seq).label("latest"),
        ).group_by(col(DecisionRecord.case_id))
        stats: dict[int, tuple[int, int | None]] = {
            row[0]: (row[1], row[2]) for row in session.exec(counts).all()
        }
        cases = session.exec(select(Case).order_by(col(Case.id))).all()
    summaries = []
    for case in cases:
        assert case.id is not None
        decisions, latest = stats.get(case.id, (0, None))
        summaries.append(
            CaseSummary(
                id=case.id,
                name=case.name,
                uscc=case.uscc,
                created_at=case.created_at,
                decisions=decisions,
                latest_decision=latest,
            )
        )
    return summaries
