"""Plain helpers of the web page tests: the CSRF token of a page, signing in through the form."""

import re

from fastapi.testclient import TestClient

CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def signed_in(client: TestClient, token: str) -> str:
    """Sign in with the API key through the form; the session cookie stays in the client.
    Returns the session's CSRF token (read from the home page's sign-out form)."""
    form = client.get("/signin")
    answer = client.post("/signin", data={"csrf_token": csrf_of(form.text), "api_key": token, "next": "/"})
    assert answer.status_code == 303, answer.text
    return csrf_of(client.get("/").text)
