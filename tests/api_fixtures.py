"""Fixtures of the API tests, loaded by each tests/test_api_*.py through pytest_plugins.

The in-process tests run the real application (TestClient) on a real store: a temporary SQLite
file, migrated as in production. Keys are made through cases.store.keys like `sandbox keys create` does.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.http.service import create_app
from cases.store import Store, StoreSettings, open_store
from tests.api_helpers import Keys, make_keys


@pytest.fixture
def api_store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(StoreSettings(database_url=f"sqlite:///{tmp_path / 'api.db'}"))
    yield store
    store.dispose()


@pytest.fixture
def client(api_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(api_store)) as test_client:
        yield test_client


@pytest.fixture
def keys(api_store: Store) -> Keys:
    return make_keys(api_store)
