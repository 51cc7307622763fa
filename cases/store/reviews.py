"""Observation reviews: which cases are due, and reassessing a case against today's rules.

A case is due when its latest decision put it in an observation period that has ended by
the date, or when the rules in force on the date no longer see its format as new (a later
release recognised it). Reassessing records a new regulatory decision that names the one it
reassesses, and says what changed.
"""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from cases.store.database import Store
from cases.store.diff import FieldDiff, json_diff
from cases.store.errors import UnknownCase
from cases.store.reads import StoredDecision, latest_of_case, latest_per_case
from cases.store.records import record_assessment
from engine import evaluate


class DueReview(BaseModel):
    model_config = ConfigDict(frozen=True)

    case_id: int
    case_name: str
    decision_id: int
    ends_on: date
    reason: Literal["period_ended", "no_longer_new"]
    detail: str


class Reassessment(BaseModel):
    model_config = ConfigDict(frozen=True)

    previous: StoredDecision
    current: StoredDecision
    changes: list[FieldDiff]


def due_reviews(store: Store, *, on: date) -> list[DueReview]:
    """Cases in observation whose review is due on the date, in case order."""
    due = []
    for stored in latest_per_case(store):
        observation = stored.decision.get("observation")
        if not observation:
            continue
        ends_on = date.fromisoformat(observation["ends_on"])
        if ends_on <= on:
            reason, detail = "period_ended", f"the observation period ended on {ends_on}"
        else:
            now = evaluate(stored.profile, as_of=on)
            if now.observation is not None:
                continue
            reason = "no_longer_new"
            detail = (
                f"release {now.ruleset.release} in force on {on} gives tier {now.tier}, "
                "no observation period: the format has since been recognised"
            )
        due.append(
            DueReview(
                case_id=stored.case_id,
                case_name=stored.case_name,
                decision_id=stored.id,
                ends_on=ends_on,
                reason=reason,
                detail=detail,
            )
        )
    return due


def reassess(store: Store, case_id: int, *, as_of: date, actor: str) -> Reassessment:
    """Record a new decision on the case's latest input, linked to its latest decision."""
    previous = latest_of_case(store, case_id)
    if previous is None:
        raise UnknownCase(f"no case {case_id} in the store")
    _, current, _ = record_assessment(
        store, previous.profile, actor=actor, as_of=as_of, reassesses=previous.id
    )
    return Reassessment(
        previous=previous, current=current, changes=json_diff(previous.decision, current.decision)
    )
