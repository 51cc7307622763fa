"""Structured logs of the service: structlog JSON lines on standard output, a request id bound
through contextvars for every event of a request, and one `request.completed` per request.

What is logged is ids, codes, counts and timings: never a profile's contents, never a key
(only its id), never a query string or a body.
"""

import logging
import os
import re
import time
import uuid
from typing import Any

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from structlog.tracebacks import ExceptionDictTransformer
from structlog.typing import EventDict, WrappedLogger

from api.http.errors import error_body

REQUEST_ID_HEADER = "x-request-id"
# A caller's own request id is kept only when it is short and plain, so it cannot inject into logs.
_PLAIN_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

log = structlog.get_logger("api")


def _add_pid(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """The worker process that logged the event (`sandbox serve --workers N` runs several)."""
    event["pid"] = os.getpid()
    return event


def configure_logging() -> None:
    """JSON events on standard output; harmless to call again (tests build many apps)."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _add_pid,
            # tracebacks without local variables: those would hold profiles and keys
            structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False)),
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        # one write per event, so worker processes sharing stdout never split a line; a logger made
        # per call writes to the sys.stdout of the moment (and capture_logs works)
        logger_factory=structlog.WriteLoggerFactory(),
        cache_logger_on_first_use=False,
    )


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own messages (start-up, shutdown, errors) as JSON lines too."""
    formatter = {
        "()": structlog.stdlib.ProcessorFormatter,
        "processors": [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.JSONRenderer(),
        ],
        "foreign_pre_chain": [
            structlog.stdlib.add_logger_name,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
        ],
    }
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": formatter},
        "handlers": {"json": handler},
        "loggers": {
            "uvicorn": {"handlers": ["json"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == REQUEST_ID_HEADER.encode():
            given: str = value.decode("latin-1")
            if _PLAIN_ID.fullmatch(given):
                return given
    return uuid.uuid4().hex


class RequestContext:
    """Outermost middleware: binds the request id, logs the request, and turns any error that
    escaped every handler into a 500 that names the request id (and logs its traceback)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("request.failed", method=scope["method"], path=scope["path"])
            if not response_started:
                await _send_internal_error(send_with_id, request_id)
        finally:
            log.info(
                "request.completed",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
            )
            structlog.contextvars.clear_contextvars()


async def _send_internal_error(send: Send, request_id: str) -> None:
    body = error_body(
        "internal_error",
        f"the service failed on this request; quote request id {request_id} when reporting it",
    )
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def bind(**values: Any) -> None:
    """Bind more context (e.g. the key id and role) to every later event of this request."""
    structlog.contextvars.bind_contextvars(**values)
