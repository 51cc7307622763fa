"""The HTTP service: `create_app(store=None)` builds the FastAPI application on a decision store
(default: the one DATABASE_URL names). `sandbox serve` runs it on uvicorn.

The engine is not thread-safe and FastAPI runs sync routes in a thread pool: every call into
durable-rules goes through engine/durable_host.py, which holds one process-wide lock, so two
threads never meet inside the core. The releases are loaded and compiled here, once, before
the first request, so no two requests race to build them. More throughput comes from worker
processes (`sandbox serve --workers N`), each with its own engine; the store serialises their
appends to the one hash chain. Within a process, assessments are appended by one writer thread
in group commits (cases/store/group.py), and API keys are looked up through a short cache
(api/keys.py).
"""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from api.http import routes_assess, routes_audit, routes_records, routes_rules
from api.http.errors import install_error_handlers
from api.http.limits import BodyLimit
from api.http.logs import RequestContext, configure_logging
from api.http.openapi import with_profile_schemas
from api.web.app import install_web
from cases.store import Store, open_store
from cases.store.group import GroupCommit
from cases.store.keys import KeyCache
from engine import __version__, default_rulebook
from engine.guidance import load_controls

DESCRIPTION = """\
Tiered regulatory sandbox (Zhejiang platform economy action plan, measures 22 and 23).

Send an API key in the `X-API-Key` header (`sandbox keys create --role regulator|platform|auditor`).
**Regulators** may do everything; **platforms** self-assess profiles of their own USCC and read
their own self-assessments; **auditors** read, replay, verify the chain and measure impact, and
write nothing. Errors are `{"error": {"code", "message", "fields"}}`; an invalid profile gives 422
with each field's path and reason, as the command line prints them.
"""

TAGS = [
    {"name": "assessments", "description": "Assess a profile and record the decision"},
    {"name": "cases", "description": "Platforms under supervision and their decision histories"},
    {"name": "decisions", "description": "Stored decisions and their replay"},
    {"name": "audit", "description": "The hash chain and the impact of a release change"},
    {"name": "rules", "description": "The ruleset releases and their rules with citations"},
    {"name": "service", "description": "Health"},
]


class SandboxAPI(FastAPI):
    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            self.openapi_schema = with_profile_schemas(super().openapi())
        return self.openapi_schema


def warm_engine() -> None:
    """Load the rule files and compile every release into durable-rules before serving."""
    book = default_rulebook()
    for release in book.releases:
        book.handle(release.id)
    load_controls()


def freeze_heap() -> None:
    """Move everything loaded so far (rule files, compiled releases, the web stack) out of the
    collector's reach: a full collection over it paused the whole process for ~60 ms, a latency
    spike every few seconds under load. Later garbage is collected as usual."""
    gc.collect()
    gc.freeze()


def create_app(store: Store | None = None) -> FastAPI:
    """The service on this store; without one it opens (and migrates) DATABASE_URL's store,
    and closes it on shutdown."""
    configure_logging()
    warm_engine()
    owned = store is None
    opened = open_store() if store is None else store
    appender = GroupCommit(opened)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if owned:  # serving (`sandbox serve`): keep the loaded engine out of every garbage collection
            freeze_heap()
        yield
        appender.close()
        if owned:
            opened.dispose()

    app = SandboxAPI(
        title="Regulatory sandbox API",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.state.store = opened
    app.state.keys = KeyCache(opened)
    app.state.appender = appender
    install_error_handlers(app)
    install_web(app)  # the workbench pages at / (api/web)
    for module in (routes_assess, routes_records, routes_rules, routes_audit):
        app.include_router(module.router, prefix="/v1")
    app.add_middleware(BodyLimit)
    app.add_middleware(RequestContext)  # added last: the outermost, so it sees every response
    return app
