"""Fixtures of the web page tests (TestClient, no browser), loaded through pytest_plugins.

`web` is a TestClient on the real application over a migrated SQLite store; `signed_in(web,
token)` signs in through the sign-in form like a browser and returns the CSRF token that the
pages' forms carry. Browser tests use tests/browser.py instead.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.http.service import create_app
from cases.store import Store, StoreSettings, open_store
from tests.api_helpers import Keys, make_keys


@pytest.fixture
def web_store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(StoreSettings(database_url=f"sqlite:///{tmp_path / 'web.db'}"))
    yield store
    store.dispose()


@pytest.fixture
def web(web_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(web_store), base_url="http://127.0.0.1", follow_redirects=False) as client:
        yield client


@pytest.fixture
def web_keys(web_store: Store) -> Keys:
    return make_keys(web_store)
