"""Replays of every stored decision run in the background, so that a page can show their
progress: one job at a time per service, its counts updated as cases.store.replay_all yields.

Nothing is recorded: a replay only reads the store and re-evaluates. The jobs live in the
service's memory (the last few kept); a restart forgets them, as a replay is cheap to redo."""

import secrets
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cases.store import ReplayResult, Store, count_decisions, replay_all

KEPT = 8  # finished jobs remembered
SHOWN = 100  # mismatches kept for the page; the counts cover them all


@dataclass
class ReplayJob:
    """One replay of every decision: how far it is, and what did not come out identical."""

    id: str
    total: int
    started_at: datetime
    done: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    mismatches: list[ReplayResult] = field(default_factory=list)
    finished_at: datetime | None = None
    error: str | None = None

    @property
    def running(self) -> bool:
        return self.finished_at is None

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)

    def add(self, result: ReplayResult) -> None:
        self.done += 1
        self.counts[result.status] += 1
        if not result.identical and len(self.mismatches) < SHOWN:
            self.mismatches.append(result)


class ReplayJobs:
    """The service's replay jobs; `start` runs a new one unless one is running already."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, ReplayJob] = {}

    def get(self, job_id: str) -> ReplayJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    def running(self) -> ReplayJob | None:
        with self._lock:
            return next((j for j in self._jobs.values() if j.running), None)

    def start(self, store: Store) -> ReplayJob:
        """The running job, or a new one started in a thread of its own."""
        with self._lock:
            busy = next((j for j in self._jobs.values() if j.running), None)
            if busy is not None:
                return busy
            job = ReplayJob(
                id=secrets.token_urlsafe(9), total=count_decisions(store), started_at=datetime.now(UTC)
            )
            self._jobs[job.id] = job
            finished = [j for j in self._jobs.values() if not j.running]
            for old in finished[: max(0, len(finished) - KEPT)]:
                del self._jobs[old.id]
        threading.Thread(target=self._run, args=(job, store), name=f"replay-{job.id}", daemon=True).start()
        return job

    @staticmethod
    def _run(job: ReplayJob, store: Store) -> None:
        try:
            for result in replay_all(store):
                job.add(result)
        except Exception as exc:  # the page says why the replay stopped; the service goes on
            job.error = f"{type(exc).__name__}: {exc}"
        finally:
            job.finished_at = datetime.now(UTC)
