"""Replay pages (regulators and auditors; nothing is recorded): one decision at
/audit/replay/one?decision_id=N, and every decision as a background job whose page refreshes
itself (an HTTP `Refresh` header, no script) until it is done.

The replays are cases.store's own (replay_decision, replay_all), the ones the API and
`sandbox replay` use."""

import threading
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

import api.web.audit_texts  # noqa: F401 - the pages' chrome texts
from api.http.queries import MAX_ID
from api.web.app import Page, WebError, page_for, post_for, render
from api.web.replay_jobs import ReplayJobs
from cases.store import ReplayResult, UnknownDecision, replay_decision
from engine import UnknownRelease, default_rulebook

router = APIRouter()
Auditing = Annotated[Page, Depends(page_for("regulator", "auditor"))]
AuditPost = Annotated[Page, Depends(post_for("regulator", "auditor"))]
REFRESH_SECONDS = 1
_CREATING = threading.Lock()


def jobs_of(page: Page) -> ReplayJobs:
    """The service's replay jobs, made on first use."""
    state = page.request.app.state
    with _CREATING:
        if getattr(state, "web_replays", None) is None:
            state.web_replays = ReplayJobs()
    jobs: ReplayJobs = state.web_replays
    return jobs


def _form(
    page: Page, *, status: int = 200, value: str = "", what_if: str = "", errors: dict[str, str]
) -> Response:
    running = jobs_of(page).running()
    releases = [r.id for r in default_rulebook().releases]
    return render(
        page,
        "audit_replay.html",
        status=status,
        running=running,
        releases=releases,
        value=value,
        what_if=what_if,
        errors=errors,
    )


@router.get("/audit/replay")
def replay_home(page: Auditing) -> Response:
    return _form(page, errors={})


@router.get("/audit/replay/one")
def replay_one(page: Auditing, decision_id: str = "", what_if: str = "") -> Response:
    """One decision replayed under its recorded release, or with `what_if` under another
    release (the differences; nothing recorded). Bad input is shown beside its field."""
    value, release = decision_id.strip(), what_if.strip()
    errors: dict[str, str] = {}
    if not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        errors["decision_id"] = f"decision_id: {page.t('bad_decision_id')}"
    if release:
        try:
            default_rulebook().get(release)
        except UnknownRelease as exc:
            errors["what_if"] = f"what_if: {exc}"
    if errors:
        return _form(page, status=422, value=value, what_if=release, errors=errors)
    try:
        result: ReplayResult = replay_decision(page.store, int(value), release=release or None)
    except UnknownDecision as exc:
        raise WebError(404, str(exc)) from None
    return render(page, "audit_replay_one.html", result=result)


@router.post("/audit/replay/all")
async def replay_all_start(page: AuditPost) -> Response:
    """Start replaying every decision (or join the replay already running)."""
    job = await run_in_threadpool(jobs_of(page).start, page.store)
    return RedirectResponse(f"/audit/replay/jobs/{job.id}", status_code=303)


@router.get("/audit/replay/jobs/{job_id}")
def replay_job(page: Auditing, job_id: str) -> Response:
    job = jobs_of(page).get(job_id)
    if job is None:
        raise WebError(404, page.t("unknown_job"))
    response = render(page, "audit_replay_job.html", job=job)
    if job.running:
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response
