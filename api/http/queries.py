"""Reads the API pages through: cases and decision histories one page at a time, limited to what
the caller's scope lets it see. Single decisions come from cases.store.get_decision."""

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from api.http.auth import Scope
from api.http.schemas import CaseOut, DecisionSummary
from cases.store import Store
from cases.store.tables import Case, DecisionRecord

# Ids past this are not in any store (PostgreSQL integer columns end here): answer 404 unasked.
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class Window:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def visible_conditions(scope: Scope) -> list[Any]:
    """Conditions on DecisionRecord (joined to Case) for the records a scope sees."""
    conditions: list[Any] = []
    if scope.uscc is not None:
        conditions.append(col(Case.uscc) == scope.uscc)
    if scope.kinds is not None:
        conditions.append(col(DecisionRecord.kind).in_(scope.kinds))
    return conditions


def case_page(store: Store, scope: Scope, window: Window) -> tuple[int, list[CaseOut]]:
    """The cases a scope sees, in case order, with the counts of the decisions it sees.

    Everything: every case, even one without decisions. A narrower scope: only cases where
    it sees at least one decision, so a platform never learns of a case opened about it.
    """
    counts = (
        select(
            col(DecisionRecord.case_id).label("case_id"),
            func.count().label("n"),
            func.max(DecisionRecord.seq).label("latest"),
        )
        .join(Case, col(Case.id) == col(DecisionRecord.case_id))
        .where(*visible_conditions(scope))
        .group_by(col(DecisionRecord.case_id))
        .subquery()
    )
    query = select(Case, counts.c.n, counts.c.latest)
    if scope.everything:
        query = query.outerjoin(counts, counts.c.case_id == col(Case.id))
    else:
        query = query.join(counts, counts.c.case_id == col(Case.id))
    with store.reading() as session:
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = session.exec(query.order_by(col(Case.id)).offset(window.offset).limit(window.per_page)).all()
    return int(total), [_case_out(case, n, latest) for case, n, latest in rows]


def _case_out(case: Case, n: int | None, latest: int | None) -> CaseOut:
    assert case.id is not None
    return CaseOut(
        id=case.id,
        name=case.name,
        uscc=case.uscc,
        created_at=case.created_at,
        decisions=int(n or 0),
        latest_decision=None if latest is None else int(latest),
    )


def case_history(
    store: Store, case_id: int, scope: Scope, window: Window
) -> tuple[CaseOut, int, list[DecisionSummary]] | None:
    """A case and one page of the decisions the scope sees, oldest first; None when it sees none."""
    if not 1 <= case_id <= MAX_ID:
        return None
    visible = [col(DecisionRecord.case_id) == case_id, *visible_conditions(scope)]
    with store.reading() as session:
        case = session.get(Case, case_id)
        if case is None or (scope.uscc is not None and case.uscc != scope.uscc):
            return None
        joined = select(DecisionRecord).join(Case, col(Case.id) == col(DecisionRecord.case_id))
        stats = session.exec(
            select(func.count(), func.max(DecisionRecord.seq))
            .select_from(DecisionRecord)
            .join(Case, col(Case.id) == col(DecisionRecord.case_id))
            .where(*visible)
        ).one()
        if not scope.everything and not stats[0]:
            return None
        records = session.exec(
            joined.where(*visible)
            .order_by(col(DecisionRecord.seq))
            .offset(window.offset)
            .limit(window.per_page)
        ).all()
    summaries = [_summary(r) for r in records]
    return _case_out(case, stats[0], stats[1]), int(stats[0]), summaries


def _summary(record: DecisionRecord) -> DecisionSummary:
    decision = json.loads(record.decision_json)
    return DecisionSummary(
        id=record.seq,
        case_seq=record.case_seq,
        kind=record.kind,
        actor=record.actor,
        release=record.release_id,
        selection=record.selection,
        as_of=record.as_of,
        created_at=record.created_at,
        tier=decision["tier"],
        platform_grade=decision["platform_grade"],
        hash=record.hash,
    )
