"""Replay: stored decisions re-evaluated under their recorded release and date, compared byte for byte."""

from datetime import date

import pytest

from api.cli import main
from cases import EXAMPLES_DIR
from cases.store import (
    Store,
    UnknownDecision,
    count_decisions,
    get_decision,
    record_assessment,
    replay_all,
    replay_decision,
)
from cases.store.examples import load_examples
from engine import UnknownRelease, default_rulebook
from tests.conftest import make_profile
from tests.store_helpers import large_by_monthly_users, raw_sql, uscc

pytest_plugins = ["tests.store_fixtures"]


def test_recorded_decisions_replay_identically_byte_for_byte(store: Store) -> None:
    record_assessment(store, large_by_monthly_users(), actor="a")
    record_assessment(store, make_profile(uscc=uscc(3), credit={"class": "D"}), actor="a")
    record_assessment(
        store, make_profile(formats=["unlisted"], new_format_description="compute rental"), actor="a"
    )
    results = list(replay_all(store))
    assert [(r.decision_id, r.status) for r in results] == [
        (1, "identical"),
        (2, "identical"),
        (3, "identical"),
    ]
    assert all(r.diffs == [] and r.replayed_release == r.release for r in results)


def test_a_decision_made_under_an_explicit_release_replays_under_that_release(store: Store) -> None:
    _, stored, _ = record_assessment(store, large_by_monthly_users(), actor="a", release="2026.01")
    assert (stored.selection, stored.release, stored.as_of) == ("explicit", "2026.01", date(2025, 6, 1))
    result = replay_decision(store, stored.id)
    assert (result.status, result.replayed_release) == ("identical", "2026.01")


def test_replay_reports_a_changed_stored_decision_field_by_field(store: Store, database_url: str) -> None:
    record_assessment(store, large_by_monthly_users(), actor="a")
    raw_sql(
        database_url,
        "UPDATE decision_record SET decision_json = REPLACE(decision_json, "
        '\'"platform_grade":"small_medium"\', \'"platform_grade":"large"\')',
    )
    result = replay_decision(store, 1)
    assert result.status == "different"
    assert [(d.path, d.before, d.after) for d in result.diffs] == [
        ("platform_grade", "large", "small_medium")
    ]
    assert result.message == "the replayed decision differs in 1 field(s) (stored -> replayed)"


def test_replay_refuses_when_the_release_on_disk_no_longer_has_the_recorded_hash(
    store: Store, database_url: str
) -> None:
    record_assessment(store, make_profile(), actor="a")
    raw_sql(database_url, "UPDATE decision_record SET release_sha256 = :h", h="ab" * 32)
    result = replay_decision(store, 1)
    assert result.status == "release_changed" and result.replayed_release is None
    assert "release 2026.01 on disk hashes to" in result.message and "abababab" in result.message


def test_replay_reports_a_release_that_is_no_longer_on_disk(store: Store, database_url: str) -> None:
    record_assessment(store, make_profile(), actor="a")
    raw_sql(database_url, "UPDATE decision_record SET release_id = '2019.01'")
    result = replay_decision(store, 1)
    assert (result.status, result.message) == (
        "release_missing",
        "release 2019.01 is no longer among the rules on disk",
    )


def test_replay_notices_when_another_release_is_now_in_force_on_the_stored_date(
    store: Store, database_url: str
) -> None:
    record_assessment(store, large_by_monthly_users(), actor="a")
    old = default_rulebook().get("2020.07").release.sha256
    raw_sql(database_url, "UPDATE decision_record SET release_id = '2020.07', release_sha256 = :h", h=old)
    result = replay_decision(store, 1)
    assert result.status == "different" and result.replayed_release == "2022.01"
    assert result.message.startswith("the release in force on 2025-06-01 is now 2022.01, not 2020.07")


def test_what_if_under_another_release_shows_the_differences_and_records_nothing(store: Store) -> None:
    record_assessment(store, large_by_monthly_users(), actor="a")
    result = replay_decision(store, 1, release="2026.01")
    changes = {d.path: (d.change, d.before, d.after) for d in result.diffs}
    assert result.what_if and result.status == "different" and result.replayed_release == "2026.01"
    assert changes["platform_grade"] == ("changed", "small_medium", "large")
    assert changes["intensity.level"] == ("changed", "reduced", "normal")
    assert changes["explanation.fired[M23-LARGE-FLOOR]"][0] == "added"
    assert changes["obligations[M26-PI-REPORT]"][0] == "added"
    assert changes["ruleset.selection"] == ("changed", "in_force", "explicit")
    assert count_decisions(store) == 1


def test_what_if_under_an_unknown_release_is_bad_input(store: Store) -> None:
    record_assessment(store, make_profile(), actor="a")
    with pytest.raises(UnknownRelease):
        replay_decision(store, 1, release="1999.01")


def test_replay_in_worker_processes_gives_the_same_results_in_chain_order(
    store: Store, database_url: str
) -> None:
    for index in range(12):
        record_assessment(store, make_profile(name=f"p{index}", scale={"registered_users": index}), actor="a")
    raw_sql(
        database_url,
        "UPDATE decision_record SET decision_json = REPLACE(decision_json, 'M22', 'X22') WHERE seq = 7",
    )
    serial = list(replay_all(store))
    parallel = list(replay_all(store, workers=2, batch=5))
    assert parallel == serial
    assert [r.decision_id for r in parallel] == list(range(1, 13))
    assert [r.decision_id for r in parallel if not r.identical] == [7]


def test_every_bundled_example_replays_exactly(store: Store) -> None:
    loaded = load_examples(store)
    assert len(loaded) == len(list(EXAMPLES_DIR.glob("*.profile.json"))) >= 25
    assert [e.file for e in loaded if e.error] == []
    results = list(replay_all(store))
    assert len(results) == len(loaded)
    assert [(r.decision_id, r.message) for r in results if not r.identical] == []


def test_replay_command_exits_0_when_identical_and_1_with_a_field_level_diff(
    store: Store, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    record_assessment(store, large_by_monthly_users(), actor="a")
    record_assessment(store, make_profile(), actor="a")
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["replay", "1"]) == 0
    assert capsys.readouterr().out.strip().endswith("identical")
    assert main(["replay", "--all"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "replayed 2 decision(s): 2 identical"
    raw_sql(database_url, "UPDATE decision_record SET decision_json = REPLACE(decision_json, '0.02', '0.2')")
    assert main(["replay", "--all"]) == 1
    out = capsys.readouterr().out
    assert "decision 1 (Hangzhou Dayu Network Co., Ltd.; 2022.01 as of 2025-06-01): DIFFERENT" in out
    assert "    intensity.inspection_ratio: 0.2 -> 0.02" in out
    assert out.splitlines()[-1] == "replayed 2 decision(s): 1 different, 1 identical"


def test_replay_command_what_if_exits_0_and_shows_the_differences(
    store: Store, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    record_assessment(store, large_by_monthly_users(), actor="a")
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["replay", "1", "--release", "2026.01"]) == 0
    out = capsys.readouterr().out
    assert "under release 2026.01" in out and '    platform_grade: "small_medium" -> "large"' in out
    assert count_decisions(store) == 1


def test_replay_command_rejects_an_unknown_decision_id_with_exit_2(
    store: Store, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["replay", "7"]) == 2
    assert capsys.readouterr().err == (
        "sandbox: unknown_decision: no decision 7 in the store (it holds no decisions)\n"
    )
    with pytest.raises(UnknownDecision):
        get_decision(store, 7)
    assert main(["replay"]) == 2
    assert main(["replay", "--all", "--release", "2026.01"]) == 2
    assert "what-if for one decision" in capsys.readouterr().err
