"""Group commit: many appends share transactions, yet each is acknowledged only once committed, the
chain keeps queue order and stays whole, and a bad record fails alone."""

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

from cases.store import InvalidRecord, Store, StoredDecision, append, get_decision, verify_chain
from cases.store.chain import iter_records
from cases.store.group import GroupCommit
from cases.store.records import NewRecord, stored_input
from engine import evaluate
from tests.conftest import make_profile
from tests.store_helpers import uscc

pytest_plugins = ["tests.store_fixtures"]


def new_record(
    n: int, *, platform: int = 1, kind: Any = "self_assessment", actor: str = "tester"
) -> NewRecord:
    """An evaluated decision of platform `platform`, different for each n."""
    profile = make_profile(name=f"Platform {platform}", uscc=uscc(platform), scale={"registered_users": n})
    decision = evaluate(profile)
    return NewRecord(profile=stored_input(profile, decision), decision=decision, kind=kind, actor=actor)


def stall(writer: GroupCommit) -> threading.Event:
    """Keep the writer busy on a first record until the returned event is set, so that everything
    queued meanwhile goes into one batch."""
    started, release = threading.Event(), threading.Event()
    first = new_record(0)

    def make() -> NewRecord:
        started.set()
        release.wait(30)
        return first

    writer.submit(make)
    assert started.wait(30)
    return release


def test_concurrent_appends_each_get_their_committed_record_and_the_chain_stays_whole(store: Store) -> None:
    records = [new_record(n, platform=n % 3) for n in range(60)]
    writer = GroupCommit(store)
    try:
        with ThreadPoolExecutor(max_workers=12) as pool:
            stored = list(pool.map(writer.append, records))
    finally:
        writer.close()
    with store.reading() as session:
        report = verify_chain(session)
        chain = list(iter_records(session))
    assert report.intact, report.problem
    assert sorted(s.id for s in stored) == [r.seq for r in chain] == list(range(1, 61))
    for s in stored:
        assert get_decision(store, s.id) == s
    for case_id in {r.case_id for r in chain}:
        assert [r.case_seq for r in chain if r.case_id == case_id] == list(range(1, 21))


def test_records_queued_together_share_one_transaction_in_queue_order(store: Store) -> None:
    commits: list[int] = []
    event.listen(store.engine, "commit", lambda _: commits.append(1))
    writer = GroupCommit(store)
    try:
        release = stall(writer)
        futures = [writer.submit(new_record(n)) for n in range(1, 11)]
        assert not any(f.done() for f in futures), "nothing is acknowledged before it is committed"
        release.set()
        stored = [f.result(30) for f in futures]
    finally:
        writer.close()
    assert len(commits) == 2, "the stalled record, then the ten queued meanwhile"
    assert [s.id for s in stored] == list(range(2, 12))
    assert [s.profile["scale"]["registered_users"] for s in stored] == list(range(1, 11))
    with store.reading() as session:
        assert verify_chain(session).intact


def test_a_record_the_database_refuses_fails_alone_and_the_rest_of_its_batch_commits(store: Store) -> None:
    writer = GroupCommit(store)
    try:
        release = stall(writer)
        good = [writer.submit(new_record(n)) for n in (1, 2)]
        bad = writer.submit(new_record(3, kind="not_a_kind"))  # the CHECK constraint refuses it
        more = [writer.submit(new_record(n)) for n in (4, 5)]
        release.set()
        stored = [f.result(30) for f in [*good, *more]]
        with pytest.raises(IntegrityError):
            bad.result(30)
        after = writer.append(new_record(6))
    finally:
        writer.close()
    assert [s.id for s in stored] == [2, 3, 4, 5]
    assert after.id == 6 and after.case_seq == 6
    with store.reading() as session:
        report = verify_chain(session)
    assert report.intact and report.records == 6


def test_a_job_that_raises_or_makes_an_invalid_record_fails_alone(store: Store) -> None:
    def broken() -> NewRecord:
        raise RuntimeError("the engine failed on this input")

    writer = GroupCommit(store)
    try:
        release = stall(writer)
        futures: list[Future[StoredDecision]] = [
            writer.submit(new_record(1)),
            writer.submit(broken),
            writer.submit(lambda: new_record(2, actor=" ")),
            writer.submit(new_record(3)),
        ]
        release.set()
        with pytest.raises(RuntimeError, match="engine failed"):
            futures[1].result(30)
        with pytest.raises(InvalidRecord, match="needs an actor"):
            futures[2].result(30)
        assert [futures[0].result(30).id, futures[3].result(30).id] == [2, 3]
        with pytest.raises(InvalidRecord, match="needs an actor"):
            writer.submit(new_record(4, actor=""))  # a record given as such is checked at once
    finally:
        writer.close()
    with store.reading() as session:
        assert verify_chain(session).records == 3


def test_a_writer_notices_records_appended_by_another_writer_in_between(store: Store) -> None:
    writer = GroupCommit(store)
    try:
        first = writer.append(new_record(1))
        other = new_record(2)
        elsewhere, _ = append(
            store, profile=other.profile, decision=other.decision, kind="regulatory", actor="x"
        )
        third = writer.append(new_record(3))
    finally:
        writer.close()
    assert [first.case_seq, elsewhere.case_seq, third.case_seq] == [1, 2, 3]
    assert first.case_id == elsewhere.case_id == third.case_id
    with store.reading() as session:
        assert verify_chain(session).intact


def test_a_closed_writer_starts_again_on_the_next_record(store: Store) -> None:
    writer = GroupCommit(store)
    writer.close()  # never started: nothing to stop
    assert writer.append(new_record(1)).id == 1
    writer.close()
    assert writer.append(new_record(2)).id == 2
    writer.close()


def test_a_renamed_platform_in_a_batch_gets_its_case_as_stored(store: Store) -> None:
    writer = GroupCommit(store)
    try:
        first = writer.append(new_record(1))
        renamed = new_record(2)
        renamed.profile["name"] = "Platform 1, renamed"
        again = NewRecord(
            profile=renamed.profile, decision=evaluate(renamed.profile), kind="self_assessment", actor="t"
        )
        stored = writer.append(again)
    finally:
        writer.close()
    assert stored.case_id == first.case_id
    assert stored.case_name == first.case_name == get_decision(store, stored.id).case_name == "Platform 1"


class Stop(BaseException):
    """Something a job lets through that is not an Exception (as KeyboardInterrupt would)."""


def test_a_writer_thread_that_dies_fails_its_batch_and_the_next_record_starts_a_new_one(store: Store) -> None:
    def fatal() -> NewRecord:
        raise Stop

    writer = GroupCommit(store)
    try:
        with pytest.raises(Stop):
            writer.submit(fatal).result(30)
        assert writer.append(new_record(1)).id == 1
    finally:
        writer.close()
