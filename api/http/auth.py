"""Who may do what: the API key header, the caller it names, and the role each route needs.

| role      | may                                                                         |
| --------- | --------------------------------------------------------------------------- |
| regulator | everything                                                                  |
| platform  | self-assess profiles of its own USCC; read its own self-assessments; rules  |
| auditor   | read every case and decision, replay, verify the chain, impact; no writes   |

401 for a missing, unknown or revoked key; 403 for a role without the right. What a platform
may not see answers 404, as if it did not exist, so ids of other platforms do not leak.
"""

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader

from api.http import logs
from api.http.errors import ApiError
from cases.store import Kind, Store
from cases.store.keys import Caller, KeyCache, Role

API_KEY_HEADER = "X-API-Key"
_header = APIKeyHeader(
    name=API_KEY_HEADER,
    auto_error=False,
    description="An API key made with `sandbox keys create --role regulator|platform|auditor`.",
)


async def get_store(request: Request) -> Store:
    """The application's store (async: a plain `def` dependency would cost a thread-pool hop)."""
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(get_store)]


async def get_keys(request: Request) -> KeyCache:
    keys: KeyCache = request.app.state.keys
    return keys


async def authenticate(
    keys: Annotated[KeyCache, Depends(get_keys)], token: Annotated[str | None, Depends(_header)]
) -> Caller:
    """The caller named by the X-API-Key header; binds its key id and role to the request's logs."""
    challenge = {"WWW-Authenticate": API_KEY_HEADER}
    if not token:
        raise ApiError(
            401, "unauthenticated", f"send an API key in the {API_KEY_HEADER} header", headers=challenge
        )
    caller = keys.cached(token) or await run_in_threadpool(keys.lookup, token)
    if caller is None:
        raise ApiError(401, "unauthenticated", "the API key is unknown or revoked", headers=challenge)
    logs.bind(key_id=caller.key_id, role=caller.role)
    return caller


def allow(*roles: Role) -> Callable[..., Coroutine[Any, Any, Caller]]:
    """A dependency that lets only these roles through (403 for the others)."""

    async def check(caller: Annotated[Caller, Depends(authenticate)]) -> Caller:
        if caller.role not in roles:
            raise ApiError(
                403, "forbidden", f"a {caller.role} key may not do this; it needs a {' or '.join(roles)} key"
            )
        return caller

    return check


AnyRole = Annotated[Caller, Depends(allow("regulator", "platform", "auditor"))]
Regulator = Annotated[Caller, Depends(allow("regulator"))]
SelfAssessor = Annotated[Caller, Depends(allow("regulator", "platform"))]
Auditing = Annotated[Caller, Depends(allow("regulator", "auditor"))]


@dataclass(frozen=True)
class Scope:
    """The records a caller may read: everything, or one USCC's records of some kinds."""

    uscc: str | None = None
    kinds: tuple[Kind, ...] | None = None

    @property
    def everything(self) -> bool:
        return self.uscc is None and self.kinds is None

    def sees(self, *, uscc: str | None, kind: str) -> bool:
        if self.everything:
            return True
        return uscc == self.uscc and (self.kinds is None or kind in self.kinds)


def scope_of(caller: Caller) -> Scope:
    """A platform reads only the self-assessments recorded under its own USCC."""
    if caller.role == "platform":
        assert caller.uscc, "the api_key table refuses a platform key without a USCC"
        return Scope(uscc=caller.uscc, kinds=("self_assessment",))
    return Scope()
