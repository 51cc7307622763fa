"""Long computations of a page run in a thread of their own, remembered by what they compute:
the page waits a moment for the result and, if it is not ready, answers "still working" with a
`Refresh` header until it is. Used by the impact page, whose report over every case can take
a while; the key includes the number of stored decisions, so a new record means a new report."""

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Generic, TypeVar

T = TypeVar("T")
KEPT = 8  # finished computations remembered


@dataclass
class Task(Generic[T]):
    """One computation: running until `finished_at` is set, then a result or an error."""

    key: Hashable
    started_at: datetime
    result: T | None = None
    error: str | None = None
    finished_at: datetime | None = None
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def running(self) -> bool:
        return not self.done.is_set()


class Background(Generic[T]):
    """Computations by key: the same key joins the task already running or done."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tasks: dict[Hashable, Task[T]] = {}

    def run(self, key: Hashable, compute: Callable[[], T], *, wait: float) -> Task[T]:
        """The task for this key (started now if there is none), after waiting up to `wait` s."""
        with self._lock:
            task = self._tasks.get(key)
            if task is None or (task.error is not None and not task.running):
                task = Task(key=key, started_at=datetime.now(UTC))
                self._tasks[key] = task
                finished = [k for k, t in self._tasks.items() if not t.running]
                for old in finished[: max(0, len(finished) - KEPT)]:
                    del self._tasks[old]
                threading.Thread(target=self._compute, args=(task, compute), daemon=True).start()
        task.done.wait(wait)
        return task

    @staticmethod
    def _compute(task: Task[T], compute: Callable[[], T]) -> None:
        try:
            task.result = compute()
        except Exception as exc:  # shown on the page; the service goes on
            task.error = f"{type(exc).__name__}: {exc}"
        finally:
            task.finished_at = datetime.now(UTC)
            task.done.set()
