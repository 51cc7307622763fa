"""API keys: the table, and creating, revoking, listing and looking up keys.

A key is a random token shown once when it is made; the store keeps only its sha256, so a
copy of the database gives no usable key. The token carries 256 random bits, so a plain
sha256 (not a slow password hash) is enough to make the stored value useless to a thief.
The schema is created by cases/migrations/versions/0002_api_keys.py, never by create_all.

The service looks keys up through a KeyCache: a key found in the store is trusted for
KEY_CACHE_SECONDS without asking again. A key revoked by another process (`sandbox keys revoke`,
the usual way) is refused at most that long after; one revoked in this process at once.
Unknown and revoked keys are never cached, so a new key works at once.
"""

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, get_args

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel, col, select

from cases.store.database import Store
from engine import SandboxError
from engine.uscc import uscc_problem

Role = Literal["regulator", "platform", "auditor"]
ROLES: tuple[Role, ...] = get_args(Role)
TOKEN_PREFIX = "sbx_"
KEY_CACHE_SECONDS = 1.0
_KEY_CACHE_SIZE = 4096
# revocations made in this process; a cache entry older than the last one is not trusted
_revocations = 0


class ApiKey(SQLModel, table=True):
    """One API key: its hash, its role, and for a platform the USCC it is bound to."""

    __tablename__ = "api_key"
    __table_args__ = (
        UniqueConstraint("key_sha256", name="uq_api_key_sha256"),
        CheckConstraint("role IN ('regulator', 'platform', 'auditor')", name="ck_api_key_role"),
        CheckConstraint("role <> 'platform' OR uscc IS NOT NULL", name="ck_api_key_platform_uscc"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key_sha256: str = Field(max_length=64)
    role: str = Field(max_length=20)
    uscc: str | None = Field(default=None, max_length=18)
    name: str = Field(max_length=200)
    created_at: str = Field(max_length=40)
    revoked_at: str | None = Field(default=None, max_length=40)


class KeyRequestError(SandboxError):
    """A key that cannot be created or revoked as asked."""

    code = "invalid_key_request"


class UnknownKey(KeyRequestError):
    code = "unknown_key"


@dataclass(frozen=True)
class Caller:
    """Who is calling: the key's id (never the key), its role and, for a platform, its USCC."""

    key_id: int
    role: Role
    uscc: str | None
    name: str


@dataclass(frozen=True)
class NewKey:
    caller: Caller
    token: str


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _caller(row: ApiKey) -> Caller:
    assert row.id is not None
    role: Role = next(r for r in ROLES if r == row.role)
    return Caller(key_id=row.id, role=role, uscc=row.uscc, name=row.name)


def create_key(store: Store, *, role: str, uscc: str | None = None, name: str | None = None) -> NewKey:
    """Make a key; the token is returned here once and stored only as its sha256."""
    if role not in ROLES:
        raise KeyRequestError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if role == "platform":
        if not uscc:
            raise KeyRequestError("a platform key is bound to the platform's USCC: give --uscc")
        problem = uscc_problem(uscc)
        if problem:
            raise KeyRequestError(f"--uscc {uscc!r}: {problem}")
    elif uscc:
        raise KeyRequestError(f"only platform keys are bound to a USCC; a {role} key sees every case")
    label = (name or "").strip() or (f"platform {uscc}" if role == "platform" else role)
    if len(label) > 200:
        raise KeyRequestError("--name must be at most 200 characters")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(key_sha256=digest(token), role=role, uscc=uscc, name=label, created_at=_now())
    with store.writing() as session:
        session.add(row)
        session.flush()
        caller = _caller(row)
    return NewKey(caller=caller, token=token)


def revoke_key(store: Store, key_id: int) -> ApiKey:
    """Revoke a key for good; revoking it again changes nothing."""
    global _revocations
    with store.writing() as session:
        row = session.get(ApiKey, key_id)
        if row is None:
            raise UnknownKey(f"no API key {key_id}")
        if row.revoked_at is None:
            row.revoked_at = _now()
            session.add(row)
        session.flush()
    _revocations += 1
    return row


def list_keys(store: Store) -> list[ApiKey]:
    with store.reading() as session:
        return list(session.exec(select(ApiKey).order_by(col(ApiKey.id))).all())


def _well_formed(token: str) -> bool:
    return token.startswith(TOKEN_PREFIX) and len(token) <= 200


def _find(store: Store, key_sha256: str) -> Caller | None:
    with store.reading() as session:
        row = session.exec(
            select(ApiKey).where(ApiKey.key_sha256 == key_sha256, col(ApiKey.revoked_at).is_(None))
        ).first()
    return None if row is None else _caller(row)


class KeyCache:
    """Key lookups of one store, a found key trusted for `seconds` (see the module docstring)."""

    def __init__(self, store: Store, *, seconds: float = KEY_CACHE_SECONDS) -> None:
        self.store, self.seconds = store, seconds
        self._known: dict[str, tuple[Caller, float, int]] = {}

    def cached(self, token: str) -> Caller | None:
        """The caller of a key found less than `seconds` ago and not revoked here since, else None."""
        entry = self._known.get(digest(token)) if _well_formed(token) else None
        if entry is None:
            return None
        caller, expires, revocations = entry
        return caller if time.monotonic() < expires and revocations == _revocations else None

    def lookup(self, token: str) -> Caller | None:
        """The caller a token belongs to, asked of the store, and remembered when found."""
        if not _well_formed(token):
            return None
        key_sha256, revocations = digest(token), _revocations
        caller = _find(self.store, key_sha256)
        if caller is not None:
            if len(self._known) >= _KEY_CACHE_SIZE:
                self._known.clear()
            self._known[key_sha256] = (caller, time.monotonic() + self.seconds, revocations)
        return caller
