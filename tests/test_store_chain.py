"""The hash chain: each record covers its content and the hash before it; verify names the first break."""

import pytest

from api.cli import main
from cases.store import Store, record_assessment, verify_chain
from cases.store.chain import GENESIS, HASHED_FIELDS, iter_records, record_hash
from engine.release import sha256_of
from tests.conftest import make_profile
from tests.store_helpers import large_by_monthly_users, raw_sql, uscc

pytest_plugins = ["tests.store_fixtures"]


def fill(store: Store, count: int) -> None:
    for index in range(count):
        record_assessment(store, make_profile(name=f"platform {index % 3}", uscc=uscc(index % 3)), actor="a")


def verify(store: Store) -> tuple[bool, int | None, str | None]:
    with store.reading() as session:
        report = verify_chain(session)
    return report.intact, report.broken_at, report.problem


def test_each_record_links_to_the_hash_of_the_one_before(store: Store) -> None:
    fill(store, 5)
    with store.reading() as session:
        records = list(iter_records(session, page=2))
    assert [r.seq for r in records] == [1, 2, 3, 4, 5]
    assert records[0].prev_hash == GENESIS
    assert [r.prev_hash for r in records[1:]] == [r.hash for r in records[:-1]]
    assert len({r.hash for r in records}) == 5


def test_the_hash_covers_every_stored_field_but_itself(store: Store) -> None:
    record_assessment(store, large_by_monthly_users(), actor="a")
    with store.reading() as session:
        record = next(iter_records(session))
    columns = {"seq", "case_id", "case_seq", "kind", "actor", "profile_json", "profile_sha256", "release_id"}
    columns |= {"release_sha256", "selection", "as_of", "engine_version", "decision_json", "created_at"}
    assert set(HASHED_FIELDS) == columns | {"prev_hash", "reassesses"}
    # an optional column enters the hash only when set, so records older than it keep their hashes
    assert record.reassesses is None
    content = {f: getattr(record, f) for f in HASHED_FIELDS if f != "reassesses"}
    assert record.hash == record_hash(record) == sha256_of(content)


def test_a_stored_timestamp_round_trips_exactly(store: Store) -> None:
    _, stored, _ = record_assessment(store, make_profile(), actor="a")
    with store.reading() as session:
        record = next(iter_records(session))
    assert record.created_at == stored.created_at
    assert record.created_at.endswith("+00:00") and "." in record.created_at


def test_verify_passes_on_an_untouched_chain(store: Store) -> None:
    fill(store, 7)
    with store.reading() as session:
        report = verify_chain(session)
    assert report.intact and report.records == 7 and report.head_seq == 7
    assert report.broken_at is None and report.problem is None


def test_verify_passes_on_an_empty_store(store: Store) -> None:
    assert verify(store) == (True, None, None)


def test_verify_names_a_decision_altered_by_raw_sql(store: Store, database_url: str) -> None:
    fill(store, 6)
    touched = raw_sql(
        database_url,
        "UPDATE decision_record SET decision_json = REPLACE(decision_json, "
        '\'"tier":"standard"\', \'"tier":"strict"\') WHERE seq = 4',
    )
    assert touched == 1
    intact, broken_at, problem = verify(store)
    assert (intact, broken_at) == (False, 4)
    assert problem == "decision 4 was altered: its content does not match its hash"


def test_verify_names_the_next_decision_when_an_altered_one_was_rehashed(
    store: Store, database_url: str
) -> None:
    fill(store, 5)
    with store.reading() as session:
        record = next(r for r in iter_records(session) if r.seq == 2)
    record.actor = "someone else"
    raw_sql(
        database_url,
        "UPDATE decision_record SET actor = :actor, hash = :hash WHERE seq = 2",
        actor=record.actor,
        hash=record_hash(record),
    )
    intact, broken_at, problem = verify(store)
    assert (intact, broken_at) == (False, 3)
    assert problem is not None and problem.startswith("decision 3 does not link to decision 2")


def test_verify_detects_a_deleted_decision(store: Store, database_url: str) -> None:
    fill(store, 5)
    assert raw_sql(database_url, "DELETE FROM decision_record WHERE seq = 3") == 1
    intact, broken_at, problem = verify(store)
    assert (intact, broken_at) == (False, 4)
    assert problem == "decision 4 follows decision 2: decision(s) 3 are missing"


def test_verify_detects_decisions_removed_from_the_end(store: Store, database_url: str) -> None:
    fill(store, 5)
    assert raw_sql(database_url, "DELETE FROM decision_record WHERE seq >= 4") == 2
    intact, broken_at, problem = verify(store)
    assert (intact, broken_at) == (False, 4)
    assert (
        problem is not None
        and "the chain head names decision 5" in problem
        and "ends at decision 3" in problem
    )


def test_verify_detects_swapped_sequence_numbers(store: Store, database_url: str) -> None:
    fill(store, 5)
    raw_sql(database_url, "UPDATE decision_record SET seq = 1000 WHERE seq = 2")
    raw_sql(database_url, "UPDATE decision_record SET seq = 2 WHERE seq = 3")
    raw_sql(database_url, "UPDATE decision_record SET seq = 3 WHERE seq = 1000")
    intact, broken_at, problem = verify(store)
    assert (intact, broken_at) == (False, 2)
    assert problem is not None and problem.startswith("decision 2 ")


def test_audit_verify_exits_0_when_intact_and_1_naming_the_broken_decision(
    store: Store, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(store, 3)
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["audit", "verify"]) == 0
    assert capsys.readouterr().out.startswith("chain intact: 3 decision(s); head decision 3")
    raw_sql(database_url, "UPDATE decision_record SET as_of = '2020-01-01' WHERE seq = 2")
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert "chain BROKEN at decision 2: decision 2 was altered" in out
    assert main(["audit", "verify", "--json"]) == 1
    assert '"broken_at":2' in capsys.readouterr().out
