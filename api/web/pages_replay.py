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


@router.get("/audit/replay")
def replay_home(page: Auditing) -> Response:
    return render(page, "audit_replay.html", running=jobs_of(page).running(), error=None, value="")


@router.get("/audit/replay/one")
def replay_one(page: Auditing, decision_id: str = "") -> Response:
    """One decision replayed under its recorded release; a bad id is shown beside the field."""
    value = decision_id.strip()
    if not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        error = f"decision_id: {page.t('bad_decision_id')}"
        running = jobs_of(page).running()
        return render(page, "audit_replay.html", status=422, running=running, error=error, value=value)
    try:
        result: ReplayResult = replay_decision(page.store, int(value))
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
