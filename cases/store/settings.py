"""The one settings class of the store: where the database is, checked before any use."""

import os
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from cases.store.errors import StoreConfigError

DEFAULT_DATABASE_URL = "sqlite:///sandbox.db"

Backend = Literal["sqlite", "postgresql"]


def _checked_url(text: str) -> URL:
    """Parse and vet a database URL; name the problem, never print a password."""
    try:
        url = make_url(text)
    except ArgumentError:
        raise StoreConfigError(
            f"DATABASE_URL {text.split('@')[-1]!r} is not a database URL; "
            "expected e.g. sqlite:///sandbox.db or postgresql+psycopg://user@host:5432/db"
        ) from None
    backend, _, driver = url.drivername.partition("+")
    shown = url.render_as_string(hide_password=True)
    if backend == "sqlite":
        if driver not in ("", "pysqlite"):
            raise StoreConfigError(
                f"DATABASE_URL {shown}: SQLite is used through the standard sqlite3 driver"
            )
        if url.database in (None, "", ":memory:") or "mode=memory" in str(url.query.get("mode", "")):
            raise StoreConfigError(
                f"DATABASE_URL {shown}: an in-memory SQLite database keeps no records; give a file path"
            )
        return url.set(drivername="sqlite")
    if backend in ("postgresql", "postgres"):
        if driver not in ("", "psycopg"):
            raise StoreConfigError(
                f"DATABASE_URL {shown}: PostgreSQL is used through psycopg 3; write postgresql+psycopg://..."
            )
        if not url.database:
            raise StoreConfigError(f"DATABASE_URL {shown}: name the database, e.g. .../test")
        return url.set(drivername="postgresql+psycopg")
    raise StoreConfigError(
        f"DATABASE_URL {shown}: unsupported database {backend!r}; use sqlite or postgresql"
    )


class StoreSettings(BaseModel):
    """Where decisions are stored: DATABASE_URL, default a SQLite file in the working directory."""

    model_config = ConfigDict(frozen=True)

    database_url: str = DEFAULT_DATABASE_URL

    @field_validator("database_url")
    @classmethod
    def _usable(cls, text: str) -> str:
        if not text.strip():
            raise StoreConfigError("DATABASE_URL is set but empty; unset it for the default SQLite file")
        return _checked_url(text.strip()).render_as_string(hide_password=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "StoreSettings":
        env = os.environ if environ is None else environ
        if "DATABASE_URL" in env:
            return cls(database_url=env["DATABASE_URL"])
        return cls()

    @property
    def url(self) -> URL:
        return make_url(self.database_url)

    @property
    def backend(self) -> Backend:
        return "sqlite" if self.url.drivername == "sqlite" else "postgresql"

    @property
    def shown(self) -> str:
        """The URL with any password hidden, for messages."""
        return self.url.render_as_string(hide_password=True)
