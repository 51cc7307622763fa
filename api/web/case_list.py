"""The case list's query: the cases a scope sees with their latest visible decision, searched
by name or USCC, filtered by tier and by review due, one page at a time, in case order.

Fast on 10,000 cases: one grouped subquery picks each case's latest visible decision, and only
the page's rows have their decision JSON read. The tier filter matches the end of the stored
canonical decision JSON (keys sorted, so `tier` is its last key: `..."tier":"strict"}`), which
every database does without JSON functions. Review due is the store's own answer
(cases.store.reviews.due_reviews, as `sandbox reviews due` gives it).
"""

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from api.http.auth import Scope
from cases.store import Store
from cases.store.reviews import due_reviews
from cases.store.tables import Case, DecisionRecord

PER_PAGE = 25


@dataclass(frozen=True)
class CaseQuery:
    text: str = ""
    tier: str = ""
    due: bool = False
    page: int = 1


@dataclass(frozen=True)
class CaseRow:
    id: int
    name: str
    uscc: str | None
    decisions: int
    latest_id: int | None
    latest_kind: str | None
    tier: str | None
    as_of: str | None
    observation_ends: str | None


def tier_pattern(tier: str) -> str:
    """The LIKE pattern of a stored decision whose tier is this one."""
    return f'%"tier":{json.dumps(tier)}}}'


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _visible(scope: Scope) -> list[Any]:
    conditions: list[Any] = []
    if scope.uscc is not None:
        conditions.append(col(Case.uscc) == scope.uscc)
    if scope.kinds is not None:
        conditions.append(col(DecisionRecord.kind).in_(scope.kinds))
    return conditions


def find_cases(store: Store, scope: Scope, query: CaseQuery, *, today: date) -> tuple[int, list[CaseRow]]:
    """(total matching, the page's rows)."""
    latest = (
        select(
            col(DecisionRecord.case_id).label("case_id"),
            func.count().label("n"),
            func.max(DecisionRecord.seq).label("latest"),
        )
        .join(Case, col(Case.id) == col(DecisionRecord.case_id))
        .where(*_visible(scope))
        .group_by(col(DecisionRecord.case_id))
        .subquery()
    )
    rows = select(Case, latest.c.n, latest.c.latest)
    if scope.everything and not query.tier:
        rows = rows.outerjoin(latest, latest.c.case_id == col(Case.id))
    else:
        rows = rows.join(latest, latest.c.case_id == col(Case.id))
    if query.tier:
        rows = rows.join(DecisionRecord, col(DecisionRecord.seq) == latest.c.latest).where(
            col(DecisionRecord.decision_json).like(tier_pattern(query.tier))
        )
    if query.text.strip():
        needle = f"%{_escaped(query.text.strip().lower())}%"  # case-blind on every database
        rows = rows.where(
            func.lower(col(Case.name)).like(needle, escape="\\")
            | func.lower(col(Case.uscc)).like(needle, escape="\\")
        )
    if query.due:
        due = [r.case_id for r in due_reviews(store, on=today)]
        rows = rows.where(col(Case.id).in_(due))
    with store.reading() as session:
        total = session.exec(select(func.count()).select_from(rows.subquery())).one()
        found = session.exec(
            rows.order_by(col(Case.id)).offset((query.page - 1) * PER_PAGE).limit(PER_PAGE)
        ).all()
        seqs = [r[2] for r in found if r[2] is not None]
        records = {
            r.seq: r
            for r in session.exec(select(DecisionRecord).where(col(DecisionRecord.seq).in_(seqs))).all()
        }
    return int(total), [_row(r, records) for r in found]


def _row(found: Any, records: dict[int, DecisionRecord]) -> CaseRow:
    case, n, latest = found
    record = records.get(latest) if latest is not None else None
    decision = json.loads(record.decision_json) if record is not None else {}
    observation = decision.get("observation") or {}
    return CaseRow(
        id=case.id,
        name=case.name,
        uscc=case.uscc,
        decisions=int(n or 0),
        latest_id=latest,
        latest_kind=record.kind if record is not None else None,
        tier=decision.get("tier"),
        as_of=record.as_of if record is not None else None,
        observation_ends=observation.get("ends_on"),
    )
