"""Signing in with an API key, signing out, and the home page."""

import secrets

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from api.web.app import Anonymous, Poster, Viewer, WebError, render, sessions_of
from api.web.session import CSRF_FIELD, SESSION_COOKIE, sign_in

router = APIRouter()
PRE_COOKIE = "sbx_pre"


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never `//host` or a scheme) is followed after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/signin")
async def signin_form(page: Anonymous, next: str | None = None) -> Response:
    pre = page.request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(18)
    page.csrf = sessions_of(page.request).signin_token(pre)
    response = render(page, "signin.html", next=_safe_next(next), error=None)
    response.set_cookie(PRE_COOKIE, pre, httponly=True, samesite="strict", path="/")
    return response


@router.post("/signin")
async def signin(page: Anonymous) -> Response:
    form = await page.request.form()
    sessions = sessions_of(page.request)
    pre = page.request.cookies.get(PRE_COOKIE, "")
    given = form.get(CSRF_FIELD)
    if not pre or not isinstance(given, str) or not secrets.compare_digest(given, sessions.signin_token(pre)):
        raise WebError(403, page.t("csrf"))
    token = form.get("api_key")
    caller = None
    if isinstance(token, str) and token.strip():
        caller = await run_in_threadpool(sign_in, page.request.app.state.keys, token.strip())
    if caller is None:
        page.csrf = sessions.signin_token(pre)
        return render(
            page,
            "signin.html",
            status=401,
            next=_safe_next(str(form.get("next") or "")),
            error=page.t("bad_key"),
        )
    _, cookie = sessions.issue(caller.key_id)
    response = RedirectResponse(_safe_next(str(form.get("next") or "")), status_code=303)
    response.set_cookie(
        SESSION_COOKIE, cookie, max_age=sessions.seconds, httponly=True, samesite="strict", path="/"
    )
    response.delete_cookie(PRE_COOKIE, path="/")
    return response


@router.post("/signout")
async def signout(page: Poster) -> Response:
    assert page.session is not None
    sessions_of(page.request).end(page.session)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
async def home(page: Viewer) -> Response:
    return render(page, "home.html")
