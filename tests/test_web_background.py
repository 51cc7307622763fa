"""The background computations of the pages (api/web/background.py): one task per key, joined
by later requests; a failure is reported once and computed afresh on the next request."""

import threading

from api.web.background import Background


def test_the_same_key_joins_the_task_already_running() -> None:
    gate = threading.Event()
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        gate.wait(10)
        return 42

    jobs = Background[int]()
    first = jobs.run("k", slow, wait=0.0)
    assert first.running and first.result is None
    second = jobs.run("k", slow, wait=0.0)
    assert second is first
    gate.set()
    assert jobs.run("k", slow, wait=5.0).result == 42
    assert calls == [1]
    assert jobs.run("other", lambda: 7, wait=5.0).result == 7


def test_a_failure_is_shown_then_computed_again() -> None:
    attempts: list[int] = []

    def flaky() -> int:
        attempts.append(1)
        if len(attempts) == 1:
            raise ValueError("the store went away")
        return 1

    jobs = Background[int]()
    failed = jobs.run("k", flaky, wait=5.0)
    assert not failed.running
    assert failed.error == "ValueError: the store went away"
    assert jobs.run("k", flaky, wait=5.0).result == 1


def test_only_the_last_finished_tasks_are_kept() -> None:
    jobs = Background[int]()
    for n in range(20):
        jobs.run(n, lambda n=n: n, wait=5.0)  # type: ignore[misc]
    assert jobs.run(19, lambda: -1, wait=5.0).result == 19
    assert jobs.run(0, lambda: -1, wait=5.0).result == -1  # forgotten, so computed again
