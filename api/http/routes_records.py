"""The decision store over HTTP: cases with their decision histories, single decisions, replay,
the chain check and the impact of a release change.

Readers: every role, each within its scope (a platform sees only its own self-assessments and
gets 404 for anything else). Replay, verify and impact: regulators and auditors.
"""

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.http.assessing import check_release, engine_guard
from api.http.auth import AnyRole, Auditing, StoreDep, scope_of
from api.http.errors import ApiError, not_found
from api.http.params import Paging, ReleaseParam, errors, json_response
from api.http.queries import MAX_ID, case_history, case_page
from api.http.schemas import CaseDetail, CasePage, DecisionRecordOut, DecisionSummaryPage, ImpactIn
from cases.store import (
    ChainReport,
    ImpactReport,
    ReplayResult,
    Store,
    StoredDecision,
    UnknownDecision,
    get_decision,
    impact,
    replay,
    verify_chain,
)
from cases.store.keys import Caller
from engine import FieldError, UnknownRelease

router = APIRouter()


@router.get(
    "/cases",
    response_model=CasePage,
    tags=["cases"],
    summary="The cases the caller may see, one page at a time",
    responses=errors(401, 422, 503),
)
def get_cases(caller: AnyRole, store: StoreDep, paging: Paging) -> Response:
    """Regulators and auditors see every case; a platform sees its own case once it has
    self-assessed. Counts are of the decisions the caller may see."""
    total, items = case_page(store, scope_of(caller), paging)
    return json_response(CasePage(items=items, page=paging.page, per_page=paging.per_page, total=total))


@router.get(
    "/cases/{case_id}",
    response_model=CaseDetail,
    tags=["cases"],
    summary="A case with its decision history, oldest first, one page at a time",
    responses=errors(401, 404, 422, 503),
)
def get_case(case_id: int, caller: AnyRole, store: StoreDep, paging: Paging) -> Response:
    found = case_history(store, case_id, scope_of(caller), paging)
    if found is None:
        raise not_found(f"no case {case_id}")
    case, total, summaries = found
    history = DecisionSummaryPage(items=summaries, page=paging.page, per_page=paging.per_page, total=total)
    return json_response(CaseDetail(case=case, decisions=history))


def _visible_decision(store: Store, decision_id: int, caller: Caller) -> StoredDecision:
    scope = scope_of(caller)
    hidden = not_found(f"no decision {decision_id}")
    if not 1 <= decision_id <= MAX_ID:
        raise hidden
    try:
        stored = get_decision(store, decision_id)
    except UnknownDecision:
        if scope.everything:
            raise
        raise hidden from None  # the store's message names how many decisions it holds
    if not scope.sees(uscc=stored.case_uscc, kind=stored.kind):
        raise hidden
    return stored


@router.get(
    "/decisions/{decision_id}",
    response_model=DecisionRecordOut,
    tags=["decisions"],
    summary="A stored decision with its input, ruleset, output and chain links",
    responses=errors(401, 404, 422, 503),
)
def get_decision_record(decision_id: int, caller: AnyRole, store: StoreDep) -> Response:
    stored = _visible_decision(store, decision_id, caller)
    out = DecisionRecordOut(
        id=stored.id,
        case_id=stored.case_id,
        case_name=stored.case_name,
        case_uscc=stored.case_uscc,
        case_seq=stored.case_seq,
        kind=stored.kind,
        actor=stored.actor,
        profile=stored.profile,
        release=stored.release,
        release_sha256=stored.release_sha256,
        selection=stored.selection,
        as_of=stored.as_of,
        engine_version=stored.engine_version,
        created_at=stored.created_at,
        prev_hash=stored.prev_hash,
        hash=stored.hash,
        decision=stored.decision,
    )
    return json_response(out)


@router.post(
    "/decisions/{decision_id}/replay",
    response_model=ReplayResult,
    tags=["decisions"],
    summary="Re-evaluate a stored decision and compare it byte for byte (regulator, auditor)",
    responses=errors(401, 403, 404, 422, 503),
)
def post_replay(
    decision_id: int, caller: Auditing, store: StoreDep, release: ReleaseParam = None
) -> Response:
    """Under its recorded release and as-of date; with `release`, a what-if under that release
    (the differences, nothing recorded)."""
    check_release(release)
    stored = _visible_decision(store, decision_id, caller)
    with engine_guard("replay"):
        result = replay(stored, release=release)
    return json_response(result)


@router.get(
    "/audit/verify",
    response_model=ChainReport,
    tags=["audit"],
    summary="Walk the hash chain and name the first broken record (regulator, auditor)",
    responses=errors(401, 403, 503),
)
async def get_verify(caller: Auditing, store: StoreDep) -> Response:
    def walk() -> ChainReport:
        with store.reading() as session:
            return verify_chain(session)

    return json_response(await run_in_threadpool(walk))


@router.post(
    "/impact",
    response_model=ImpactReport,
    tags=["audit"],
    summary="What a release change does to the latest input of every case (regulator, auditor)",
    responses=errors(401, 403, 413, 422, 503),
)
def post_impact(body: ImpactIn, caller: Auditing, store: StoreDep) -> Response:
    """Re-evaluates the latest input of every case under both releases; nothing is recorded."""
    for name in ("from_release", "to_release"):
        _known_release(getattr(body, name), name)
    with engine_guard("impact"):
        report = impact(store, from_release=body.from_release, to_release=body.to_release, as_of=body.as_of)
    return json_response(report)


def _known_release(release: str, field: str) -> None:
    try:
        check_release(release)
    except UnknownRelease as exc:
        raise ApiError(422, UnknownRelease.code, str(exc), fields=[FieldError(field, str(exc))]) from None
