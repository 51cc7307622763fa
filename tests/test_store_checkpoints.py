"""Signed checkpoints: inclusion and consistency proofs; a history rebuilt after a checkpoint is caught."""

from pathlib import Path

import pytest
from sqlmodel import select

from cases.store import Store, record_assessment, verify_chain
from cases.store.audit_tables import Checkpoint
from cases.store.checkpoints import (
    CheckpointError,
    UnknownCheckpoint,
    list_checkpoints,
    load_checkpoint_key,
    make_checkpoint,
    verify_checkpoints,
)
from cases.store.proofs import consistency, prove
from tests.audit_helpers import rebuild_chain
from tests.conftest import make_profile
from tests.store_helpers import raw_sql, uscc

pytest_plugins = ["tests.store_fixtures"]


def fill(store: Store, count: int, start: int = 0) -> None:
    for index in range(start, start + count):
        record_assessment(store, make_profile(name=f"platform {index}", uscc=uscc(index)), actor="a")


def checked(store: Store) -> tuple[bool, str | None]:
    with store.reading() as session:
        report = verify_checkpoints(session)
    return report.intact, report.problem


def test_a_checkpoint_signs_the_root_of_every_record_and_each_proof_verifies(
    store: Store, tmp_path: Path
) -> None:
    key = load_checkpoint_key(tmp_path / "cp.key", create=True)
    assert (tmp_path / "cp.key").stat().st_mode & 0o777 == 0o600
    fill(store, 7)
    checkpoint = make_checkpoint(store, key)
    assert checkpoint.tree_size == 7 and checkpoint.problem() is None
    assert list_checkpoints(store) == [checkpoint]
    for record_id in range(1, 8):
        proof = prove(store, record_id)
        assert proof.verifies() and proof.root_hash == checkpoint.root_hash and proof.tree_size == 7
    forged = prove(store, 3).model_copy(update={"record_hash": "0" * 64})
    assert not forged.verifies()
    assert checked(store) == (True, None)


def test_a_checkpoint_forged_in_the_database_is_not_validly_signed(
    store: Store, tmp_path: Path, database_url: str
) -> None:
    fill(store, 3)
    make_checkpoint(store, load_checkpoint_key(tmp_path / "cp.key", create=True))
    raw_sql(database_url, "UPDATE checkpoint SET tree_size = 2")
    intact, problem = checked(store)
    assert not intact and problem is not None
    assert "checkpoint 1 (size 2) is not validly signed: its signature does not verify" in problem


def test_consistency_proofs_link_each_checkpoint_to_the_next(store: Store, tmp_path: Path) -> None:
    key = load_checkpoint_key(tmp_path / "cp.key", create=True)
    sizes = [1, 2, 3, 5, 8, 13]
    done = 0
    for size in sizes:
        fill(store, size - done, start=done)
        done = size
        make_checkpoint(store, key)
    for old in range(1, len(sizes) + 1):
        for new in range(old, len(sizes) + 1):
            proof = consistency(store, old, new)
            assert proof.verifies(), (old, new)
            assert (proof.old.tree_size, proof.new.tree_size) == (sizes[old - 1], sizes[new - 1])
    with pytest.raises(CheckpointError, match="give the older one first"):
        consistency(store, 3, 2)
    with pytest.raises(UnknownCheckpoint, match="no checkpoint 9"):
        consistency(store, 1, 9)


def test_a_proof_needs_a_checkpoint_that_covers_the_decision(store: Store, tmp_path: Path) -> None:
    fill(store, 2)
    with pytest.raises(UnknownCheckpoint, match="no checkpoint yet"):
        prove(store, 1)
    make_checkpoint(store, load_checkpoint_key(tmp_path / "cp.key", create=True))
    fill(store, 1, start=2)
    with pytest.raises(CheckpointError, match="decision 3 is newer than checkpoint 1"):
        prove(store, 3)


def test_a_history_rebuilt_after_a_checkpoint_is_detected_though_the_chain_verifies(
    store: Store, tmp_path: Path, database_url: str
) -> None:
    key = load_checkpoint_key(tmp_path / "cp.key", create=True)
    fill(store, 4)
    make_checkpoint(store, key)
    fill(store, 4, start=4)
    published = make_checkpoint(store, key)
    assert rebuild_chain(database_url, seq=6, old='"tier":"standard"', new='"tier":"observation"') == 3
    with store.reading() as session:
        assert verify_chain(session).intact  # the tamperer made the chain consistent again
    intact, problem = checked(store)
    assert not intact and problem is not None
    assert problem.startswith("history rebuilt after checkpoint 2")
    assert "the rewrite lies in decisions 5-8" in problem
    # the tamperer also deletes the stored checkpoints: the copy the auditor kept still catches it
    raw_sql(database_url, "DELETE FROM checkpoint")
    with store.reading() as session:
        assert verify_checkpoints(session).intact
        report = verify_checkpoints(session, published=[published])
    assert not report.intact and report.problem is not None
    assert report.problem.startswith("history rebuilt after checkpoint 2")


def test_records_removed_after_a_checkpoint_are_detected(
    store: Store, tmp_path: Path, database_url: str
) -> None:
    fill(store, 5)
    make_checkpoint(store, load_checkpoint_key(tmp_path / "cp.key", create=True))
    with store.reading() as session:
        fourth = session.exec(select(Checkpoint)).one()
    assert fourth.tree_size == 5
    rebuild_chain(database_url, seq=5, old='"tier":"standard"', new='"tier":"standard"')
    last = raw_sql(database_url, "DELETE FROM decision_record WHERE seq = 5")
    assert last == 1
    head = "(SELECT hash FROM decision_record WHERE seq = 4)"
    raw_sql(database_url, f"UPDATE chain_head SET seq = 4, hash = {head} WHERE id = 1")
    with store.reading() as session:
        assert verify_chain(session).intact
    intact, problem = checked(store)
    assert not intact
    assert (
        problem
        == "checkpoint 1 covers 5 decisions but the store holds 4: 1 decision(s) among 1-5 were removed"
    )


def test_no_checkpoint_is_signed_over_a_broken_chain(store: Store, tmp_path: Path, database_url: str) -> None:
    fill(store, 3)
    raw_sql(database_url, "UPDATE decision_record SET actor = 'someone else' WHERE seq = 2")
    with pytest.raises(CheckpointError, match="the chain is broken at decision 2"):
        make_checkpoint(store, load_checkpoint_key(tmp_path / "cp.key", create=True))
    assert list_checkpoints(store) == []


def test_a_reordered_chain_is_caught_at_the_moved_record(
    store: Store, tmp_path: Path, database_url: str
) -> None:
    fill(store, 4)
    make_checkpoint(store, load_checkpoint_key(tmp_path / "cp.key", create=True))
    raw_sql(database_url, "UPDATE decision_record SET seq = 100 WHERE seq = 2")
    raw_sql(database_url, "UPDATE decision_record SET seq = 2 WHERE seq = 3")
    raw_sql(database_url, "UPDATE decision_record SET seq = 3 WHERE seq = 100")
    with store.reading() as session:
        report = verify_chain(session)
        cp = verify_checkpoints(session)
    assert (report.intact, report.broken_at) == (False, 2)
    assert not cp.intact and cp.problem is not None and "history rebuilt after checkpoint 1" in cp.problem


def test_a_decision_deleted_and_the_rest_renumbered_is_placed_after_the_last_good_checkpoint(
    store: Store, tmp_path: Path, database_url: str
) -> None:
    key = load_checkpoint_key(tmp_path / "cp.key", create=True)
    fill(store, 3)
    make_checkpoint(store, key)
    fill(store, 3, start=3)
    make_checkpoint(store, key)
    # the tamperer deletes decision 5, renumbers 6 as 5 and rebuilds the chain from there
    raw_sql(database_url, "DELETE FROM decision_record WHERE seq = 5")
    raw_sql(database_url, "UPDATE decision_record SET seq = 5, case_seq = 1 WHERE seq = 6")
    raw_sql(database_url, "UPDATE chain_head SET seq = 5 WHERE id = 1")
    rebuild_chain(database_url, seq=5, old='"tier":"standard"', new='"tier":"standard"')
    with store.reading() as session:
        assert verify_chain(session).intact
    intact, problem = checked(store)
    assert not intact
    assert (
        problem
        == "checkpoint 2 covers 6 decisions but the store holds 5: 1 decision(s) among 4-6 were removed"
    )
