"""`replay --all --dask` and `impact --dask`: the store read in id ranges by Dask workers, each
with its own connection, gives the same results as the plain commands (SQLite and PostgreSQL)."""

from collections.abc import Iterator

import pytest
from distributed import Client

from api.cli import main
from cases.store import Store, impact, record_assessment, replay_all
from cases.store.examples import load_examples
from cases.sweeps import open_client
from cases.sweeps.stored import impact_on_dask, replay_all_on_dask
from engine import UnknownRelease
from tests.conftest import make_profile
from tests.store_helpers import large_by_monthly_users, raw_sql

pytest_plugins = ["tests.store_fixtures"]


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with open_client(workers=2) as opened:
        yield opened


def test_replay_on_dask_gives_the_plain_results_in_chain_order(
    store: Store, database_url: str, client: Client
) -> None:
    for index in range(13):
        record_assessment(store, make_profile(name=f"p{index}", scale={"registered_users": index}), actor="a")
    raw_sql(
        database_url,
        "UPDATE decision_record SET decision_json = REPLACE(decision_json, 'M22', 'X22') WHERE seq = 8",
    )
    on_dask = list(replay_all_on_dask(store, client, batch=4))
    assert on_dask == list(replay_all(store))
    assert [r.decision_id for r in on_dask] == list(range(1, 14))
    assert [r.decision_id for r in on_dask if not r.identical] == [8]


def test_impact_on_dask_gives_the_plain_report(store: Store, client: Client) -> None:
    load_examples(store)
    record_assessment(store, large_by_monthly_users(), actor="a")
    plain = impact(store, from_release="2022.01", to_release="2026.01")
    on_dask = impact_on_dask(store, client, from_release="2022.01", to_release="2026.01", batch=4)
    assert on_dask == plain
    assert on_dask.cases >= 26 and on_dask.changed
    with pytest.raises(UnknownRelease):
        impact_on_dask(store, client, from_release="2022.01", to_release="1999.01")


def test_the_commands_with_dask_print_what_the_plain_commands_print(
    store: Store,
    database_url: str,
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    load_examples(store)
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["replay", "--all", "--json"]) == 0
    plain_replay = capsys.readouterr().out
    assert main(["impact", "--from", "2022.01", "--to", "2026.01", "--json"]) == 0
    plain_impact = capsys.readouterr().out
    scheduler = client.scheduler.address  # the running cluster, as a real one would be named
    assert main(["replay", "--all", "--json", "--dask", "--scheduler", scheduler]) == 0
    assert capsys.readouterr().out == plain_replay and plain_replay.count("\n") >= 25
    assert (
        main(["impact", "--from", "2022.01", "--to", "2026.01", "--json", "--dask", "--dask-workers", "1"])
        == 0
    )
    assert capsys.readouterr().out == plain_impact


def test_dask_options_out_of_place_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "3", "--dask"]) == 2
    assert "--dask runs --all" in capsys.readouterr().err
    assert main(["replay", "--all", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert main(["impact", "--from", "2022.01", "--to", "2026.01", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--scheduler goes with --dask" in capsys.readouterr().err
