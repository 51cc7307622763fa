"""Replay: re-evaluate stored decisions under their recorded release and as-of date and
compare byte for byte; or, as a what-if, under another release (nothing recorded)."""

import atexit
import json
import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Literal

from pydantic import BaseModel, ConfigDict

from cases.store.database import Store, open_store
from cases.store.diff import FieldDiff, json_diff
from cases.store.reads import StoredDecision, get_decision, iter_decisions, seq_span
from cases.store.settings import StoreSettings
from engine import Rulebook, SandboxError, UnknownRelease, default_rulebook, evaluate

Status = Literal["identical", "different", "release_changed", "release_missing", "failed"]


class ReplayResult(BaseModel):
    """One replayed decision: whether it came out the same, and if not, where it differs."""

    model_config = ConfigDict(frozen=True)

    decision_id: int
    case_name: str
    release: str
    as_of: str
    replayed_release: str | None
    what_if: bool
    status: Status
    message: str
    diffs: list[FieldDiff] = []

    @property
    def identical(self) -> bool:
        return self.status == "identical"


def replay(
    stored: StoredDecision, *, release: str | None = None, rulebook: Rulebook | None = None
) -> ReplayResult:
    """Replay one stored decision; with `release`, a what-if under that release instead."""
    book = rulebook or default_rulebook()

    def result(
        status: Status, message: str, *, replayed: str | None = None, diffs: list[FieldDiff] | None = None
    ) -> ReplayResult:
        return ReplayResult(
            decision_id=stored.id,
            case_name=stored.case_name,
            release=stored.release,
            as_of=stored.as_of.isoformat(),
            replayed_release=replayed,
            what_if=release is not None,
            status=status,
            message=message,
            diffs=diffs or [],
        )

    if release is None:
        try:
            on_disk = book.get(stored.release).release.sha256
        except UnknownRelease:
            return result("release_missing", f"release {stored.release} is no longer among the rules on disk")
        if on_disk != stored.release_sha256:
            return result(
                "release_changed",
                f"release {stored.release} on disk hashes to {on_disk}, but the decision was made under "
                f"{stored.release_sha256}: the published rules were changed, so a replay would prove nothing",
            )
        chosen = stored.release if stored.selection == "explicit" else None
    else:
        chosen = release
    try:
        decision = evaluate(stored.profile, as_of=stored.as_of, release=chosen, rulebook=book)
    except SandboxError as exc:
        return result("failed", f"the stored input no longer evaluates: {exc.code}: {exc}")
    replayed = decision.to_json()
    picked = decision.ruleset.release
    moved = release is None and picked != stored.release
    if replayed == stored.decision_json and not moved:
        return result("identical", "identical byte for byte", replayed=picked)
    diffs = json_diff(stored.decision, json.loads(replayed))
    if moved:
        diffs.insert(
            0, FieldDiff(path="(record) release", change="changed", before=stored.release, after=picked)
        )
        message = f"the release in force on {stored.as_of} is now {picked}, not {stored.release}"
        message += " (stored -> replayed)"
    elif release is not None:
        message = f"under release {picked} the decision differs in {len(diffs)} field(s) (stored -> what-if)"
    elif diffs:
        message = f"the replayed decision differs in {len(diffs)} field(s) (stored -> replayed)"
    else:
        message = "equal as data but not byte for byte: the stored JSON is not in canonical form"
    return result("different", message, replayed=picked, diffs=diffs)


def replay_decision(store: Store, decision_id: int, *, release: str | None = None) -> ReplayResult:
    if release is not None:
        default_rulebook().get(release)  # an unknown what-if release is bad input, not a mismatch
    return replay(get_decision(store, decision_id), release=release)


_worker_store: Store | None = None


def _replay_range(settings: StoreSettings, after: int, upto: int) -> list[ReplayResult]:
    """In a worker process: read the decisions after..upto itself and replay them."""
    global _worker_store
    if _worker_store is None:
        _worker_store = open_store(settings, migrate_schema=False)
        atexit.register(_worker_store.dispose)
    book = default_rulebook()
    return [replay(stored, rulebook=book) for stored in iter_decisions(_worker_store, after=after, upto=upto)]


def replay_all(store: Store, *, workers: int = 1, batch: int = 500) -> Iterator[ReplayResult]:
    """Replay every stored decision, in chain order.

    With workers > 1 the evaluations run in that many fresh (spawned) processes, since
    durable-rules allows one evaluation at a time per process. Each worker reads its own
    ranges of `batch` decision ids from the database, so this process only gathers results;
    at most a few ranges per worker are in flight.
    """
    if workers <= 1:
        book = default_rulebook()
        for stored in iter_decisions(store):
            yield replay(stored, rulebook=book)
        return
    span = seq_span(store)
    if span is None:
        return
    starts = range(span[0] - 1, span[1], batch)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future[list[ReplayResult]]] = deque()
        for after in starts:
            pending.append(pool.submit(_replay_range, store.settings, after, after + batch))
            if len(pending) >= 3 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
