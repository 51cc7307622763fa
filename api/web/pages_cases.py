"""The case list, the case page (decision history as a timeline, reassess, record a regulatory
decision) and the decision page. Reads go through the API's scope (a platform sees only its
own self-assessments; anything else answers 404); writes are the regulator's."""

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from api.http.assessing import actor_of, assess_and_record
from api.http.auth import scope_of
from api.http.errors import ApiError
from api.http.queries import MAX_ID, Window, case_history
from api.web.app import Page, Viewer, WebError, page_for, post_for, render
from api.web.case_list import PER_PAGE, CaseQuery, find_cases
from cases.store import StoredDecision, UnknownDecision, get_decision
from cases.store.reads import latest_of_case
from cases.store.reviews import reassess
from engine import ProfileError, SandboxError, default_rulebook

router = APIRouter()
RegulatorPost = Annotated[Page, Depends(post_for("regulator"))]
RegulatorPage = Annotated[Page, Depends(page_for("regulator"))]
HISTORY_PER_PAGE = 50
PageParam = Annotated[str | None, Query(alias="page")]


def _bad(page: Page, field: str, reason: str) -> WebError:
    return WebError(422, f"{field}: {reason}")


def _page_number(page: Page, text: str | None) -> int:
    if text is None or text == "":
        return 1
    if not text.isdigit() or not 1 <= int(text) <= 100_000:
        raise _bad(page, "page", "must be a whole number from 1 to 100000")
    return int(text)


def _tiers() -> list[str]:
    return list(default_rulebook().outcomes.zh_labels()["tier"])


@router.get("/cases")
def cases(
    page: Viewer,
    q: str = "",
    tier: str = "",
    due: str = "",
    p: Annotated[str | None, Query(alias="page")] = None,
) -> Response:
    """Search by name or USCC, filter by tier and by review due (today)."""
    if tier and tier not in _tiers():
        raise _bad(page, "tier", f"must be one of {', '.join(_tiers())}, got {tier[:40]!r}")
    if len(q) > 200:
        raise _bad(page, "q", "must be at most 200 characters")
    assert page.caller is not None
    query = CaseQuery(text=q, tier=tier, due=due == "1", page=_page_number(page, p))
    index = page.request.app.state.web_index
    total, rows = find_cases(page.store, scope_of(page.caller), query, today=date.today(), index=index)
    pages = max(1, -(-total // PER_PAGE))
    return render(page, "cases.html", query=query, total=total, rows=rows, pages=pages, tiers=_tiers())


def visible_decision(page: Page, decision_id: int) -> StoredDecision:
    """A decision the caller may see, else 404 (as the API answers)."""
    assert page.caller is not None
    hidden = WebError(404, f"{page.t('not_found')}: #{decision_id}")
    if not 1 <= decision_id <= MAX_ID:
        raise hidden
    try:
        stored = get_decision(page.store, decision_id)
    except UnknownDecision:
        raise hidden from None
    if not scope_of(page.caller).sees(uscc=stored.case_uscc, kind=stored.kind):
        raise hidden
    return stored


@router.get("/cases/{case_id}")
def case(page: Viewer, case_id: int, p: PageParam = None) -> Response:
    assert page.caller is not None
    window = Window(page=_page_number(page, p), per_page=HISTORY_PER_PAGE)
    found = case_history(page.store, case_id, scope_of(page.caller), window)
    if found is None:
        raise WebError(404, f"{page.t('not_found')}: {page.t('case')} {case_id}")
    summary, total, history = found
    pages = max(1, -(-total // HISTORY_PER_PAGE))
    return render(
        page,
        "case.html",
        case=summary,
        history=history,
        total=total,
        pages=pages,
        page_no=window.page,
        today=date.today().isoformat(),
    )


@router.get("/decisions/{decision_id}")
def decision(page: Viewer, decision_id: int) -> Response:
    stored = visible_decision(page, decision_id)
    profile = json.dumps(stored.profile, ensure_ascii=False, indent=2, sort_keys=True)
    return render(page, "decision.html", stored=stored, decision=stored.decision, profile=profile)


def _as_of(page: Page) -> date:
    assert page.form is not None
    text = str(page.form.get("as_of") or "").strip()
    try:
        return date.fromisoformat(text) if text else date.today()
    except ValueError:
        raise _bad(page, "as_of", f"{text[:40]!r} is not a date written YYYY-MM-DD") from None


@router.post("/cases/{case_id}/decision")
async def record_decision(page: RegulatorPost, case_id: int) -> Response:
    """Assess the case's latest input and record it as a regulatory decision (the API's
    POST /v1/assessments path); then show the new decision."""
    assert page.caller is not None
    as_of = _as_of(page)
    latest = await run_in_threadpool(latest_of_case, page.store, case_id)
    if latest is None:
        raise WebError(404, f"{page.t('not_found')}: {page.t('case')} {case_id}")
    try:
        out = await assess_and_record(
            page.request.app.state.appender,
            latest.profile,
            caller=page.caller,
            kind="regulatory",
            as_of=as_of,
            release=None,
        )
    except ProfileError as exc:
        raise WebError(422, "; ".join(str(e) for e in exc.errors)) from None
    except (SandboxError, ApiError) as exc:
        raise WebError(422, str(exc)) from None
    return RedirectResponse(f"/decisions/{out.decision_id}", status_code=303)


@router.post("/cases/{case_id}/reassess")
async def reassess_case(page: RegulatorPost, case_id: int) -> Response:
    """Reassess the case's latest input against the rules in force (as `sandbox reassess`)."""
    assert page.caller is not None
    as_of = _as_of(page)
    try:
        result = await run_in_threadpool(
            reassess, page.store, case_id, as_of=as_of, actor=actor_of(page.caller)
        )
    except SandboxError as exc:
        raise WebError(404 if exc.code == "unknown_case" else 422, str(exc)) from None
    return RedirectResponse(f"/decisions/{result.current.id}", status_code=303)
