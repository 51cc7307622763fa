"""Fixtures of the store tests, loaded by each tests/test_store_*.py through pytest_plugins.

Every store test runs on SQLite (a temporary file) and on PostgreSQL: DATABASE_URL when it
names a PostgreSQL database, else postgres@127.0.0.1:5432/test. Each PostgreSQL test gets a
fresh schema, dropped afterwards, so reruns start clean. PostgreSQL is never skipped: when
it does not answer, the tests fail and say so.
"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from cases.store import Store, StoreSettings, open_store
from tests.store_helpers import postgres_base_url


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    base = postgres_base_url()
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        engine.dispose()
        pytest.fail(
            f"PostgreSQL at {base.render_as_string(hide_password=True)} does not answer ({exc.orig}). "
            "The store tests run on PostgreSQL and are never skipped: start it "
            "(pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) "
            "or set DATABASE_URL to a PostgreSQL database.",
            pytrace=False,
        )
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    admin: Engine = request.getfixturevalue("postgres_admin")
    schema = f"sandbox_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = postgres_base_url().update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(StoreSettings(database_url=database_url))
    yield opened
    opened.dispose()
