"""The workbench on the service's FastAPI app: `install_web(app)` (called by create_app) adds the
page routers at `/`, the static files at `/static` and the HTML error pages.

Each api/web/pages_*.py module holds an APIRouter named `router`; install_web includes them all.
A page route declares what it needs as one dependency: `Viewer` (any signed-in role),
`page_for("regulator", ...)` (those roles), or `Poster`/`post_for(...)` for a form POST (the
CSRF token checked, the form read into `page.form`). It returns `render(page, "x.html", ...)`.
"""

import importlib
import pkgutil
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.datastructures import FormData

from api.web.case_list import DecisionIndex
from api.web.decision_view import release_title, rule_cites, seed_clauses
from api.web.i18n import LANG_COOKIE, LANGS, Texts, lang_of
from api.web.session import CSRF_FIELD, SESSION_COOKIE, Session, Sessions, caller_by_id
from cases.store import Store
from cases.store.keys import Caller, Role

HERE = Path(__file__).resolve().parent
TEMPLATES = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class WebError(Exception):
    """A page that cannot be shown: rendered as the error page with this status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class SignInFirst(Exception):
    """No valid session: the browser is sent to the sign-in page."""


@dataclass
class Page:
    """What every template gets: the caller, the language, the texts and the CSRF token."""

    request: Request
    lang: str
    caller: Caller | None = None
    session: Session | None = None
    csrf: str = ""
    form: FormData | None = None
    extra_cookies: dict[str, str] = field(default_factory=dict)

    @property
    def t(self) -> Texts:
        return Texts(self.lang)

    @property
    def store(self) -> Store:
        store: Store = self.request.app.state.store
        return store


def sessions_of(request: Request) -> Sessions:
    sessions: Sessions = request.app.state.web_sessions
    return sessions


def render(page: Page, template: str, *, status: int = 200, **values: Any) -> HTMLResponse:
    """A template rendered for the page's caller and language, with the security headers."""
    html = TEMPLATES.get_template(template).render(
        page=page,
        t=page.t,
        cites=rule_cites,
        seed_clauses=seed_clauses,
        release_title=release_title,
        lang=page.lang,
        caller=page.caller,
        csrf=page.csrf,
        csrf_field=CSRF_FIELD,
        status=status,
        **values,
    )
    response = HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
    asked = page.request.query_params.get("lang")
    if asked in LANGS:
        response.set_cookie(LANG_COOKIE, asked, max_age=365 * 86400, path="/", samesite="strict")
    return response


async def anonymous(request: Request) -> Page:
    return Page(request=request, lang=lang_of(request))


async def signed_in(request: Request) -> Page:
    """The signed-in page context; the key is re-read from the store on every request."""
    sessions = sessions_of(request)
    session = sessions.read(request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise SignInFirst()
    caller = await run_in_threadpool(caller_by_id, request.app.state.store, session.key_id)
    if caller is None:  # revoked since sign-in: the session ends with it
        sessions.end(session)
        raise SignInFirst()
    page = Page(request=request, lang=lang_of(request), caller=caller, session=session)
    page.csrf = sessions.csrf(session)
    return page


def page_for(*roles: Role) -> Callable[..., Coroutine[Any, Any, Page]]:
    """A GET page for these roles (403 page for the others)."""

    async def check(page: Annotated[Page, Depends(signed_in)]) -> Page:
        assert page.caller is not None
        if page.caller.role not in roles:
            raise WebError(403, page.t("forbidden"))
        return page

    return check


def post_for(*roles: Role) -> Callable[..., AsyncIterator[Page]]:
    """A form POST for these roles: the CSRF token must match the session's (403 page if not).
    The form is read into `page.form` and closed (its uploaded files too) after the response."""

    async def check(page: Annotated[Page, Depends(page_for(*roles))]) -> AsyncIterator[Page]:
        form = await page.request.form()
        try:
            assert page.session is not None
            if not sessions_of(page.request).csrf_ok(page.session, form.get(CSRF_FIELD)):
                raise WebError(403, page.t("csrf"))
            page.form = form
            yield page
        finally:
            await form.close()

    return check


ALL_ROLES: tuple[Role, ...] = ("regulator", "platform", "auditor")
Viewer = Annotated[Page, Depends(page_for(*ALL_ROLES))]
Poster = Annotated[Page, Depends(post_for(*ALL_ROLES))]
Anonymous = Annotated[Page, Depends(anonymous)]


def page_modules() -> list[ModuleType]:
    """Every api/web/pages_*.py module, in name order: each holds a `router` of its pages."""
    names = sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("pages_"))
    return [importlib.import_module(f"api.web.{name}") for name in names]


def install_web(app: FastAPI) -> None:
    """Add the workbench to the service: its pages, static files and error pages."""
    app.state.web_sessions = Sessions()
    app.state.web_index = DecisionIndex()  # the case list's view of the append-only store
    for module in page_modules():
        app.include_router(module.router, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    async def web_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, WebError)
        page = Page(request=request, lang=lang_of(request))
        return render(page, "error.html", status=exc.status, message=exc.message)

    async def sign_in_first(request: Request, exc: Exception) -> Response:
        target = "/signin"
        if request.method == "GET" and request.url.path != "/":
            target += f"?next={request.url.path}"
        response = RedirectResponse(target, status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    app.add_exception_handler(WebError, web_error)
    app.add_exception_handler(SignInFirst, sign_in_first)
