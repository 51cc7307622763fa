"""The case list's query: the cases a scope sees with their latest visible decision, searched
by name or USCC, filtered by tier and by review due, one page at a time, in case order.

Fast on 10,000 cases. Regulators and auditors see every case: for them a DecisionIndex keeps,
in this process, each case's latest decision and its tier. The store is append-only (a record
never changes, seqs grow in commit order), so the index reads every record once and then only
the records past the last seq it has seen. A platform's scope is one USCC: plain SQL (one
grouped subquery) is fast there. The tier is read from the end of the stored canonical decision
JSON (keys sorted, so `tier` is its last key: `..."tier":"strict"}`). Review due is the store's
own answer (cases.store.reviews.due_reviews, as `sandbox reviews due` gives it), kept by the
index until a record is appended or the day changes.
"""

import json
import re
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.http.auth import Scope
from api.http.queries import visible_conditions
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


_TIER_AT_END = re.compile(r'"tier":("[^"]*")\}$')


def tier_of(decision_json: str) -> str | None:
    """The tier of a stored canonical decision, read from its last key."""
    found = _TIER_AT_END.search(decision_json[-60:])
    return json.loads(found.group(1)) if found else None


class DecisionIndex:
    """Every case's latest decision (seq, tier) and decision count, read incrementally."""

    def __init__(self) -> None:
        self._seen = 0
        self._latest: dict[int, tuple[int, str | None]] = {}
        self._counts: dict[int, int] = {}
        self._due: tuple[tuple[int, date], set[int]] | None = None
        self._lock = threading.Lock()

    def refresh(self, store: Store) -> None:
        """Read the records appended since the last refresh."""
        with self._lock:
            with store.reading() as session:
                new = session.exec(
                    select(
                        col(DecisionRecord.seq),
                        col(DecisionRecord.case_id),
                        col(DecisionRecord.decision_json),
                    )
                    .where(col(DecisionRecord.seq) > self._seen)
                    .order_by(col(DecisionRecord.seq))
                ).all()
            for seq, case_id, decision_json in new:
                self._latest[case_id] = (seq, tier_of(decision_json))
                self._counts[case_id] = self._counts.get(case_id, 0) + 1
                self._seen = seq

    def due(self, store: Store, today: date) -> set[int]:
        """The cases due for review today (due_reviews), kept until a record is appended or the
        day changes: the answer depends only on the latest decisions, the rules and the date."""
        self.refresh(store)
        with self._lock:
            key = (self._seen, today)
            if self._due is not None and self._due[0] == key:
                return self._due[1]
        found = {r.case_id for r in due_reviews(store, on=today)}
        with self._lock:
            self._due = (key, found)
        return found

    def cases(self, tier: str = "") -> list[int]:
        """The case ids with decisions (whose latest decision has this tier), in case order."""
        with self._lock:
            return sorted(c for c, (_, t) in self._latest.items() if not tier or t == tier)

    def latest(self, case_id: int) -> tuple[int | None, int]:
        with self._lock:
            return self._latest.get(case_id, (None, None))[0], self._counts.get(case_id, 0)


def _page(query: CaseQuery) -> slice:
    return slice((query.page - 1) * PER_PAGE, query.page * PER_PAGE)


def _matching_text(text: str) -> Any:
    needle = f"%{_escaped(text.strip().lower())}%"  # case-blind on every database
    return func.lower(col(Case.name)).like(needle, escape="\\") | func.lower(col(Case.uscc)).like(
        needle, escape="\\"
    )


def _everything(
    store: Store, query: CaseQuery, *, today: date, index: DecisionIndex
) -> tuple[int, list[CaseRow]]:
    index.refresh(store)
    ids = index.cases(query.tier)
    if query.text.strip():
        with store.reading() as session:
            named = set(session.exec(select(col(Case.id)).where(_matching_text(query.text))).all())
        ids = [i for i in ids if i in named]
    if query.due:
        due = index.due(store, today)
        ids = [i for i in ids if i in due]
    shown = ids[_page(query)]
    latest = {i: index.latest(i) for i in shown}
    seqs = [seq for seq, _ in latest.values() if seq is not None]
    with store.reading() as session:
        cases = {c.id: c for c in session.exec(select(Case).where(col(Case.id).in_(shown))).all()}
        records = {
            r.seq: r
            for r in session.exec(select(DecisionRecord).where(col(DecisionRecord.seq).in_(seqs))).all()
        }
    rows = [_row((cases[i], latest[i][1], latest[i][0]), records) for i in shown if i in cases]
    return len(ids), rows


def _records(session: Session, seqs: list[int]) -> dict[int, DecisionRecord]:
    found = session.exec(select(DecisionRecord).where(col(DecisionRecord.seq).in_(seqs))).all()
    return {r.seq: r for r in found}


def find_cases(
    store: Store, scope: Scope, query: CaseQuery, *, today: date, index: DecisionIndex | None = None
) -> tuple[int, list[CaseRow]]:
    """(total matching, the page's rows). `index`: the process's DecisionIndex of this store."""
    if scope.everything:
        return _everything(store, query, today=today, index=index or DecisionIndex())
    latest = (
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
    rows = select(Case, latest.c.n, latest.c.latest).join(latest, latest.c.case_id == col(Case.id))
    if query.tier:
        rows = rows.join(DecisionRecord, col(DecisionRecord.seq) == latest.c.latest).where(
            col(DecisionRecord.decision_json).like(tier_pattern(query.tier))
        )
    if query.text.strip():
        rows = rows.where(_matching_text(query.text))
    if query.due:
        due = [r.case_id for r in due_reviews(store, on=today)]
        rows = rows.where(col(Case.id).in_(due))
    with store.reading() as session:
        total = session.exec(select(func.count()).select_from(rows.subquery())).one()
        found = session.exec(
            rows.order_by(col(Case.id)).offset((query.page - 1) * PER_PAGE).limit(PER_PAGE)
        ).all()
        records = _records(session, [r[2] for r in found if r[2] is not None])
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
