"""API keys: `sandbox keys create` prints a key once and the store keeps only its sha256; platform
keys are bound to a valid USCC; a revoked key stops working; the migration matches the model."""

import hashlib
import os
import subprocess
import sys
import time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from api.cli import main
from cases.store import Store, StoreSettings, open_store
from cases.store.keys import KEY_CACHE_SECONDS, ApiKey, KeyCache, KeyRequestError, create_key
from tests.api_helpers import USCC_A, auth
from tests.live_server import ROOT

pytest_plugins = ["tests.api_fixtures", "tests.store_fixtures"]


@pytest.fixture
def cli_store(api_store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("DATABASE_URL", api_store.settings.database_url)
    return api_store


def test_keys_create_prints_the_key_once_and_the_store_keeps_only_its_sha256(
    cli_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keys", "create", "--role", "platform", "--uscc", USCC_A, "--name", "Alpha compliance"]) == 0
    out, err = capsys.readouterr()
    token = out.strip()
    assert out == token + "\n" and token.startswith("sbx_") and len(token) > 40
    assert "shown only now" in err and token not in err
    with cli_store.reading() as session:
        (row,) = session.exec(select(ApiKey)).all()
    assert row.key_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(row.model_dump())
    assert (row.role, row.uscc, row.name) == ("platform", USCC_A, "Alpha compliance")
    caller = KeyCache(cli_store).lookup(token)
    assert caller is not None and (caller.role, caller.uscc) == ("platform", USCC_A)

    assert main(["keys", "list"]) == 0
    listed = capsys.readouterr().out
    assert f"key 1: platform USCC {USCC_A}, 'Alpha compliance'" in listed
    assert token not in listed and row.key_sha256 not in listed


def test_two_keys_are_never_the_same(api_store: Store) -> None:
    tokens = {create_key(api_store, role="auditor").token for _ in range(20)}
    assert len(tokens) == 20


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--role", "platform"], "give --uscc"),
        (["--role", "platform", "--uscc", "91330100MA00000000"], "check character"),
        (["--role", "regulator", "--uscc", USCC_A], "only platform keys are bound to a USCC"),
        (["--role", "auditor", "--name", "x" * 201], "at most 200 characters"),
    ],
)
def test_keys_create_refuses_a_platform_without_a_valid_uscc_and_a_uscc_on_other_roles(
    cli_store: Store, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    assert main(["keys", "create", *args]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert says in err
    with cli_store.reading() as session:
        assert session.exec(select(ApiKey)).all() == []


def test_a_revoked_key_stops_working_at_once(
    cli_store: Store, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    token = create_key(cli_store, role="auditor", name="temporary").token
    assert client.get("/v1/cases", headers=auth(token)).status_code == 200
    assert main(["keys", "revoke", "1"]) == 0
    assert "revoked" in capsys.readouterr().err
    assert client.get("/v1/cases", headers=auth(token)).status_code == 401
    assert main(["keys", "revoke", "1"]) == 0  # revoking again changes nothing
    assert main(["keys", "revoke", "7"]) == 2
    assert "no API key 7" in capsys.readouterr().err


def test_a_key_revoked_by_another_process_is_refused_within_the_key_cache_time(
    cli_store: Store, client: TestClient
) -> None:
    token = create_key(cli_store, role="auditor", name="temporary").token
    assert client.get("/v1/cases", headers=auth(token)).status_code == 200  # now cached
    env = {**os.environ, "DATABASE_URL": cli_store.settings.database_url}
    revoke = [sys.executable, "-m", "api.cli", "keys", "revoke", "1"]
    done = subprocess.run(revoke, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    revoked = time.monotonic()
    while client.get("/v1/cases", headers=auth(token)).status_code == 200:
        assert time.monotonic() - revoked < KEY_CACHE_SECONDS + 2, "the revoked key still works"
        time.sleep(0.05)
    assert client.get("/v1/cases", headers=auth(token)).status_code == 401


def test_the_migrated_api_key_table_matches_its_model(database_url: str) -> None:
    store = open_store(StoreSettings(database_url=database_url))
    try:
        only_keys = MetaData()
        ApiKey.__table__.to_metadata(only_keys)  # type: ignore[attr-defined]
        with store.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={"include_name": lambda name, kind, _: kind != "table" or name == "api_key"},
            )
            assert compare_metadata(context, only_keys) == []
            uniques = inspect(connection).get_unique_constraints("api_key")
        assert [u["column_names"] for u in uniques] == [["key_sha256"]]
    finally:
        store.dispose()


def test_the_database_refuses_a_platform_key_without_a_uscc_even_past_the_code(api_store: Store) -> None:
    with pytest.raises(KeyRequestError):
        create_key(api_store, role="platform")
    with pytest.raises(IntegrityError), api_store.writing() as session:
        session.add(ApiKey(key_sha256="0" * 64, role="platform", name="x", created_at="now"))
        session.flush()


def test_a_lookup_with_a_token_of_another_shape_finds_nothing(api_store: Store) -> None:
    token = create_key(api_store, role="regulator").token
    keys = KeyCache(api_store)
    assert keys.lookup(token) is not None
    for other in ("", token[4:], token.upper(), token + " ", "sbx_" + "a" * 300):
        assert keys.lookup(other) is None
