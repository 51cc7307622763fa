"""Signing in to the workbench: the session cookie, CSRF tokens, sign-out and revoked keys."""

from fastapi.testclient import TestClient

from api.web.session import Sessions
from cases.store import Store
from cases.store.keys import list_keys, revoke_key
from tests.api_helpers import Keys
from tests.web_helpers import csrf_of, signed_in

pytest_plugins = ["tests.web_fixtures"]


def test_the_home_page_sends_a_stranger_to_sign_in(web: TestClient) -> None:
    answer = web.get("/")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin"


def test_a_valid_key_signs_in_with_a_strict_http_only_cookie(web: TestClient, web_keys: Keys) -> None:
    form = web.get("/signin")
    answer = web.post(
        "/signin", data={"csrf_token": csrf_of(form.text), "api_key": web_keys.regulator, "next": "/cases"}
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/cases"
    cookie = answer.headers["set-cookie"]
    assert "sbx_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    home = web.get("/")
    assert home.status_code == 200
    assert "Inspector Wang" in home.text and "监管部门" in home.text


def test_an_unknown_key_is_refused_on_the_sign_in_page(web: TestClient) -> None:
    form = web.get("/signin")
    answer = web.post("/signin", data={"csrf_token": csrf_of(form.text), "api_key": "sbx_nope"})
    assert answer.status_code == 401
    assert "API 密钥无效或已吊销" in answer.text
    assert "sbx_session" not in answer.headers.get("set-cookie", "")


def test_sign_in_without_the_form_token_is_refused(web: TestClient, web_keys: Keys) -> None:
    web.get("/signin")
    answer = web.post("/signin", data={"api_key": web_keys.regulator})
    assert answer.status_code == 403
    assert web.get("/").status_code == 303


def test_a_next_target_off_the_site_is_not_followed(web: TestClient, web_keys: Keys) -> None:
    form = web.get("/signin")
    answer = web.post(
        "/signin",
        data={"csrf_token": csrf_of(form.text), "api_key": web_keys.auditor, "next": "//evil.example/x"},
    )
    assert answer.headers["location"] == "/"


def test_a_post_without_the_session_token_is_refused(web: TestClient, web_keys: Keys) -> None:
    signed_in(web, web_keys.regulator)
    answer = web.post("/signout", data={})
    assert answer.status_code == 403
    assert "表单令牌缺失或错误" in answer.text
    assert web.get("/").status_code == 200  # still signed in: nothing was done


def test_a_post_with_another_sessions_token_is_refused(web: TestClient, web_keys: Keys) -> None:
    other_token = signed_in(web, web_keys.auditor)
    web.cookies.clear()
    signed_in(web, web_keys.regulator)
    assert web.post("/signout", data={"csrf_token": other_token}).status_code == 403


def test_sign_out_ends_the_session_even_for_a_kept_cookie(web: TestClient, web_keys: Keys) -> None:
    token = signed_in(web, web_keys.regulator)
    kept = web.cookies.get("sbx_session")
    answer = web.post("/signout", data={"csrf_token": token})
    assert answer.status_code == 303 and answer.headers["location"] == "/signin"
    web.cookies.set("sbx_session", kept or "")
    assert web.get("/").status_code == 303  # the nonce is forgotten


def test_a_forged_cookie_is_no_session(web: TestClient, web_keys: Keys) -> None:
    signed_in(web, web_keys.regulator)
    payload, signature = (web.cookies.get("sbx_session") or "").split(".")
    web.cookies.clear()
    web.cookies.set("sbx_session", f"{payload}.{'0' * len(signature)}")
    assert web.get("/").status_code == 303


def test_a_revoked_key_is_refused_on_the_next_request(
    web: TestClient, web_keys: Keys, web_store: Store
) -> None:
    signed_in(web, web_keys.platform_a)
    assert web.get("/").status_code == 200
    row = next(k for k in list_keys(web_store) if k.name == "Platform A")
    assert row.id is not None
    revoke_key(web_store, row.id)
    assert web.get("/").status_code == 303


def test_the_language_switch_is_kept_in_a_cookie(web: TestClient, web_keys: Keys) -> None:
    signed_in(web, web_keys.regulator)
    english = web.get("/?lang=en")
    assert "Sign out" in english.text and 'lang="en"' in english.text
    assert "Sign out" in web.get("/").text
    assert "退出" in web.get("/?lang=zh").text


def test_an_expired_session_is_no_session() -> None:
    sessions = Sessions(b"k" * 32, seconds=-1)
    _, cookie = sessions.issue(7)
    assert sessions.read(cookie) is None
    live = Sessions(b"k" * 32)
    session, cookie = live.issue(7)
    assert live.read(cookie) == session
    assert Sessions(b"other secret").read(cookie) is None  # another process's secret
