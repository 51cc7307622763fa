"""Assessing through the API: the profile body read as strict JSON, the engine called behind a
guard, the decision recorded in the store by the group-commit writer, and one `decision.made`
event per assessment. The event loop never waits for the engine: the writer's thread evaluates
each assessment just before recording it, and guidance (long) runs in the thread pool."""

import asyncio
import contextvars
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import structlog
from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.exc import SQLAlchemyError

from api.http.errors import ApiError
from api.http.schemas import AssessmentOut, SelfAssessmentOut
from cases.store import Kind
from cases.store.group import GroupCommit
from cases.store.keys import Caller
from cases.store.records import NewRecord, stored_input
from engine import Decision, EngineError, SandboxError, default_rulebook, evaluate
from engine.documents import InputError, parse_document
from engine.guidance import Guidance, guide

log = structlog.get_logger("api")


async def get_appender(request: Request) -> GroupCommit:
    """The application's group-commit writer: appends are serialised by the store anyway (one
    chain); within a process they queue there and share transactions."""
    appender: GroupCommit = request.app.state.appender
    return appender


async def profile_document(request: Request) -> Any:
    """The request body as a JSON document (a repeated key is an error, as on the command line)."""
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(422, "invalid_json", "the body is not UTF-8 text; send the profile as JSON") from None
    if not text.strip():
        raise ApiError(422, "invalid_json", "the body is empty; send the profile as a JSON object")
    try:
        return parse_document(text, yaml_ok=False)
    except InputError as exc:
        raise ApiError(422, "invalid_json", f"the body is {exc}") from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer of thousands of digits, deep nesting
        raise ApiError(422, "invalid_json", f"the body is not usable JSON: {type(exc).__name__}") from None


@contextmanager
def engine_guard(what: str) -> Iterator[None]:
    """Engine failures on client input answer 422 and are logged as `engine.failed`, never a 500.

    The engine's own input errors (ProfileError, UnknownRelease) and the store's errors pass
    through to their handlers. Anything else raised while the engine works on a client's input
    (a durable-rules error, a date out of range) is a defect to fix in the engine, but it is
    the input that provokes it: the client learns that this input cannot be assessed, and the
    log records the error type with the request id (not the input).
    """
    try:
        yield
    except (SQLAlchemyError, ApiError):
        raise
    except SandboxError as exc:
        if not isinstance(exc, EngineError):
            raise
        log.error("engine.failed", what=what, error=type(exc).__name__)
        raise ApiError(422, "unassessable_input", f"the engine cannot assess this input: {exc}") from None
    except Exception as exc:
        log.error("engine.failed", what=what, error=type(exc).__name__)
        raise ApiError(
            422, "unassessable_input", f"the engine cannot assess this input: {type(exc).__name__}: {exc}"
        ) from None


def check_release(release: str | None) -> None:
    """An unknown release is bad input (422 naming `release`), found before anything is evaluated."""
    if release is not None:
        default_rulebook().get(release)


def check_platform_uscc(caller: Caller, document: Any) -> None:
    """A platform key self-assesses only profiles that carry its own USCC."""
    if caller.role != "platform":
        return
    given = document.get("uscc") if isinstance(document, dict) else None
    if given != caller.uscc:
        shown = "no USCC" if given is None else f"USCC {json.dumps(given)[:40]}"
        raise ApiError(
            403,
            "forbidden",
            f"this platform key self-assesses only profiles of USCC {caller.uscc}; the profile gives {shown}",
        )


def actor_of(caller: Caller) -> str:
    return f"{caller.name} (API key {caller.key_id})"[-200:]


def _assess(
    document: Any, as_of: date | None, release: str | None, with_guidance: bool
) -> tuple[Decision, Guidance | None, dict[str, Any], float]:
    """Evaluate (and guide, when asked): the decision, guidance, stored input and evaluation time."""
    started = time.perf_counter()
    with engine_guard("evaluate"):
        decision = evaluate(document, as_of=as_of, release=release)
    evaluated = time.perf_counter() - started
    guidance = None
    if with_guidance:  # before recording: guidance that fails leaves nothing recorded either
        with engine_guard("guide"):
            guidance = guide(document, decision)
    return decision, guidance, stored_input(document, decision), evaluated


class Assessment:
    """An assessment the group-commit writer evaluates just before recording it: no thread-pool
    round trip per request. What it learns is kept here for the answer and the log."""

    def __init__(
        self, document: Any, *, kind: Kind, actor: str, as_of: date | None, release: str | None
    ) -> None:
        self.document, self.kind, self.actor, self.as_of, self.release = document, kind, actor, as_of, release
        self.context = contextvars.copy_context()  # the request's log context, on the writer's thread
        self.decision: Decision | None = None
        self.evaluated = 0.0

    def __call__(self) -> NewRecord:
        return self.context.run(self._record)

    def _record(self) -> NewRecord:
        decision, _, profile, self.evaluated = _assess(self.document, self.as_of, self.release, False)
        self.decision = decision
        return NewRecord(profile=profile, decision=decision, kind=self.kind, actor=self.actor)


async def assess_and_record(
    appender: GroupCommit,
    document: Any,
    *,
    caller: Caller,
    kind: Kind,
    as_of: date | None,
    release: str | None,
    with_guidance: bool = False,
) -> AssessmentOut:
    """Evaluate, record and (when asked) guide; an assessment that fails records nothing."""
    check_platform_uscc(caller, document)
    check_release(release)
    started = time.perf_counter()
    guidance = None
    if with_guidance:  # long: worked out in the thread pool, never on the writer's thread
        decision, guidance, profile, evaluated = await run_in_threadpool(
            _assess, document, as_of, release, True
        )
        started = time.perf_counter()
        new = NewRecord(profile=profile, decision=decision, kind=kind, actor=actor_of(caller))
        stored = await asyncio.wrap_future(appender.submit(new))
    else:
        assessment = Assessment(document, kind=kind, actor=actor_of(caller), as_of=as_of, release=release)
        stored = await asyncio.wrap_future(appender.submit(assessment))
        assert assessment.decision is not None, "the writer evaluates before it records"
        decision, evaluated = assessment.decision, assessment.evaluated
    recorded = time.perf_counter() - started - (0.0 if with_guidance else evaluated)
    log.info(
        "decision.made",
        decision_id=stored.id,
        case_id=stored.case_id,
        kind=kind,
        release=decision.ruleset.release,
        tier=decision.tier,
        decisive=decision.explanation.decisive,
        duration_ms=round(evaluated * 1000, 3),
        record_ms=round(recorded * 1000, 3),
        guided=with_guidance,
    )
    fields = {
        "decision_id": stored.id,
        "case_id": stored.case_id,
        "case_seq": stored.case_seq,
        "kind": stored.kind,
        "recorded_at": stored.created_at,
        "hash": stored.hash,
        "decision": decision,
    }
    if kind == "regulatory":
        return AssessmentOut(**fields)
    return SelfAssessmentOut(**fields, guidance=guidance)
