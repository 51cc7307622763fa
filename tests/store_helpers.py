"""Plain helpers of the store tests: test profiles, raw SQL past the store, writer processes."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from cases.store import StoreSettings
from engine.uscc import check_character
from tests.conftest import make_profile

POSTGRES_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ROOT = Path(__file__).resolve().parent.parent


def postgres_base_url() -> URL:
    given = os.environ.get("DATABASE_URL", "")
    url = make_url(given if given.startswith("postgres") else POSTGRES_DEFAULT)
    return url.set(drivername="postgresql+psycopg")


def uscc(serial: int) -> str:
    """A valid unified social credit code, different for each serial number."""
    first17 = f"91330100MA{serial:07d}"
    return first17 + check_character(first17)


def large_by_monthly_users(**changes: Any) -> dict[str, Any]:
    """A platform that is large only under the 2026 statutory definition (12 million monthly users).

    Credit class A makes the matrix give `reduced`, so the large-platform floor applies in 2026.
    """
    base: dict[str, Any] = {
        "name": "Hangzhou Dayu Network Co., Ltd.",
        "uscc": uscc(12),
        "assessment_date": "2025-06-01",
        "scale": {"monthly_active_users": 12_000_000},
        "credit": {"class": "A"},
    }
    return make_profile(**{**base, **changes})


def raw_sql(database_url: str, statement: str, **params: Any) -> int:
    """Run SQL straight on the database, past the store's code (a tamperer's view); rows touched."""
    engine = create_engine(StoreSettings(database_url=database_url).url)
    try:
        with engine.begin() as connection:
            return connection.execute(text(statement), params).rowcount
    finally:
        engine.dispose()


def run_writer(database_url: str, *args: str) -> subprocess.Popen[str]:
    """Start tests/store_writer.py as a real process recording into the store."""
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.store_writer", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
