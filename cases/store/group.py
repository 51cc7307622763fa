"""Group commit: appends queued by many threads, written to the chain by one thread.

The writer takes every record queued (up to `max_batch`) and writes them in ONE transaction
(one chain-head lock, one insert, one commit: one fsync on SQLite), in queue order. Each caller
waits until its own record is committed, so nothing is acknowledged before it is durable.

A record may be queued as a function that makes it (the API queues the evaluation itself),
called on the writer's thread just before its batch is written; one that raises fails alone. A
record the store refuses up front (no actor, not its canonical input) fails alone too. When the
database refuses a batch before its commit (a constraint, a value it cannot hold), the batch is
rolled back and its records are written again one per transaction, in the same order, so each
gets its own outcome. When the commit itself fails, every record of the batch gets that error:
whether it reached the disk is unknown, and writing again could record it twice. A caller that
gave up (a cancelled future) before its batch was taken is left out. Should the writer thread
itself die (something that is not an Exception), every record it holds or that is queued gets
that error and the next record starts a new writer: no caller waits for a dead thread.
"""

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future

from sqlalchemy.exc import DataError, IntegrityError

from cases.store.database import Store
from cases.store.errors import InvalidRecord
from cases.store.reads import StoredDecision
from cases.store.records import KnownCases, NewRecord, check_record, write_records

# A record, or a function making it (an evaluation), called on the writer's thread.
Job = NewRecord | Callable[[], NewRecord]
Pending = tuple[Job, "Future[StoredDecision]"]
Made = tuple[NewRecord, "Future[StoredDecision]"]
Queue = queue.SimpleQueue[Pending | None]


class GroupCommit:
    """One writer thread appending queued records to a store's chain, a batch per transaction."""

    def __init__(self, store: Store, *, max_batch: int = 64) -> None:
        self.store = store
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._writer: tuple[threading.Thread, Queue] | None = None
        self._known = KnownCases()  # the writer's cases, while no one else moved the chain head

    def submit(self, new: Job) -> "Future[StoredDecision]":
        """Queue a record, or a function making one; the future holds the stored record once
        committed, or the error of this record alone (a record is checked here, a made one when
        the writer has made it)."""
        if isinstance(new, NewRecord):
            check_record(new)
        future: Future[StoredDecision] = Future()
        with self._lock:
            if self._writer is None:  # started by the first record, and again after close()
                pending: Queue = queue.SimpleQueue()
                thread = threading.Thread(target=self._run, args=(pending,), name="group-commit", daemon=True)
                thread.start()
                self._writer = thread, pending
            self._writer[1].put((new, future))
        return future

    def append(self, new: Job) -> StoredDecision:
        """Queue a record and wait until it is committed."""
        return self.submit(new).result()

    def close(self) -> None:
        """Write what is queued, then stop the writer thread."""
        with self._lock:
            writer, self._writer = self._writer, None
        if writer is not None:
            writer[1].put(None)
            writer[0].join()

    def _run(self, pending: Queue) -> None:
        batch: list[Pending] = []
        try:
            while True:
                first = pending.get()
                if first is None:
                    return
                batch = [first]
                stop = False
                while len(batch) < self.max_batch:
                    try:
                        more = pending.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        stop = True
                        break
                    batch.append(more)
                self._write(_made(batch))
                batch = []
                if stop:
                    return
        except BaseException as exc:  # the thread dies: no caller may wait for it
            self._known.forget()
            with self._lock:
                if self._writer is not None and self._writer[1] is pending:
                    self._writer = None  # the next record starts a new writer
            waiting = [future for _, future in batch]
            while True:
                try:
                    item = pending.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    waiting.append(item[1])
            for future in waiting:  # the error reaches every caller; the thread ends quietly
                if not future.done():
                    future.set_exception(exc)

    def _write(self, batch: list[Made]) -> None:
        if not batch:
            return
        written = False
        try:
            with self.store.writing() as session:
                stored = write_records(session, [new for new, _ in batch], known=self._known)
                written = True
        except (IntegrityError, DataError, InvalidRecord) as exc:
            self._known.forget()
            if written or len(batch) == 1:
                _fail(batch, exc)
            else:
                for pending in batch:  # find the record at fault: each alone, in the same order
                    self._write([pending])
            return
        except BaseException as exc:
            self._known.forget()
            _fail(batch, exc)
            return
        for (_, future), record in zip(batch, stored, strict=True):
            future.set_result(record)


def _made(batch: list[Pending]) -> list[Made]:
    """The records of a batch, each made and checked; one that fails gets its own error."""
    made = []
    for job, future in batch:
        if not future.set_running_or_notify_cancel():
            continue
        try:
            if isinstance(job, NewRecord):  # checked when it was queued
                new = job
            else:
                new = job()
                check_record(new)
        except Exception as exc:
            future.set_exception(exc)
            continue
        except BaseException as exc:  # not for this record alone: the writer stops (see _run)
            future.set_exception(exc)
            raise
        made.append((new, future))
    return made


def _fail(batch: list[Made], exc: BaseException) -> None:
    for _, future in batch:
        future.set_exception(exc)
