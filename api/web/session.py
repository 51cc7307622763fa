"""Web sessions without a table: an HMAC-signed cookie carries the key id, a session nonce and
the expiry; this process remembers the nonces it issued, so signing out forgets one for good.

Every request re-reads the key by its id from the store (a revoked key is refused on the very
next request), and every POST must carry the session's CSRF token, derived from its nonce.
The secret is SANDBOX_SESSION_SECRET, else a random one per process (sessions then end when
the server restarts). Sessions live in the process that issued them: serve the workbench with
one worker process (`make run` does).
"""

import base64
import hashlib
import hmac
import os
import secrets
import threading
import time
from dataclasses import dataclass

from sqlmodel import col, select

from cases.store import Store
from cases.store.keys import ROLES, ApiKey, Caller, KeyCache

SESSION_COOKIE = "sbx_session"
SESSION_SECONDS = 8 * 3600
CSRF_FIELD = "csrf_token"


def _secret() -> bytes:
    given = os.environ.get("SANDBOX_SESSION_SECRET", "")
    return given.encode() if given else secrets.token_bytes(32)


@dataclass(frozen=True)
class Session:
    key_id: int
    nonce: str
    expires: int


class Sessions:
    """Issues, reads and ends the signed session cookies of one process."""

    def __init__(self, secret: bytes | None = None, *, seconds: int = SESSION_SECONDS) -> None:
        self._secret = secret or _secret()
        self.seconds = seconds
        self._live: dict[str, int] = {}  # nonce -> expiry
        self._lock = threading.Lock()

    def _sign(self, payload: str) -> str:
        return hmac.new(self._secret, payload.encode(), hashlib.sha256).hexdigest()

    def issue(self, key_id: int) -> tuple[Session, str]:
        """A new session for the key and its cookie value."""
        session = Session(key_id, secrets.token_urlsafe(18), int(time.time()) + self.seconds)
        with self._lock:
            now = time.time()
            for nonce in [n for n, until in self._live.items() if until < now]:
                del self._live[nonce]
            self._live[session.nonce] = session.expires
        payload = base64.urlsafe_b64encode(f"{key_id}.{session.nonce}.{session.expires}".encode()).decode()
        return session, f"{payload}.{self._sign(payload)}"

    def read(self, cookie: str | None) -> Session | None:
        """The session a cookie names, or None when it is forged, expired or ended."""
        if not cookie or cookie.count(".") != 1:
            return None
        payload, signature = cookie.split(".")
        if not hmac.compare_digest(signature, self._sign(payload)):
            return None
        try:
            key_id, nonce, expires = base64.urlsafe_b64decode(payload).decode().split(".")
            session = Session(int(key_id), nonce, int(expires))
        except ValueError:
            return None
        with self._lock:
            known = self._live.get(session.nonce)
        if known != session.expires or session.expires < time.time():
            return None
        return session

    def end(self, session: Session) -> None:
        with self._lock:
            self._live.pop(session.nonce, None)

    def csrf(self, session: Session) -> str:
        """The session's CSRF token: a keyed hash of its nonce."""
        return self._sign(f"csrf:{session.nonce}")

    def csrf_ok(self, session: Session, given: object) -> bool:
        return isinstance(given, str) and hmac.compare_digest(given, self.csrf(session))

    def signin_token(self, pre: str) -> str:
        """The token of the sign-in form, bound to the pre-session cookie."""
        return self._sign(f"signin:{pre}")


def sign_in(keys: KeyCache, token: str) -> Caller | None:
    """The caller of an API key, asked of the store through the app's key cache."""
    return keys.cached(token) or keys.lookup(token.strip())


def caller_by_id(store: Store, key_id: int) -> Caller | None:
    """The key a session names, read again from the store: None once it is revoked."""
    with store.reading() as db:
        row = db.exec(select(ApiKey).where(ApiKey.id == key_id, col(ApiKey.revoked_at).is_(None))).first()
    if row is None or row.id is None:
        return None
    role = next(r for r in ROLES if r == row.role)
    return Caller(key_id=row.id, role=role, uscc=row.uscc, name=row.name)
