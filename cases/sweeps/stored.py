"""Replay and impact over stored decisions on dask.distributed: the store is read in id ranges,
each worker with its own connection; the results come back in the order of the plain commands."""

import atexit
from collections import deque
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, TypeVar

from distributed import Client, Future

from cases.store.database import Store, open_store
from cases.store.impact import ImpactReport, ImpactTally, build_report, check_releases, tally_cases
from cases.store.reads import case_span, iter_decisions, latest_per_case, seq_span
from cases.store.replay import ReplayResult, replay
from cases.store.settings import StoreSettings
from engine import default_rulebook

T = TypeVar("T")
_stores: dict[str, Store] = {}


def worker_store(settings: StoreSettings) -> Store:
    """This worker process's connection to the store named by `settings`, opened once."""
    key = settings.database_url
    if key not in _stores:
        _stores[key] = open_store(settings, migrate_schema=False)
        atexit.register(_stores[key].dispose)
    return _stores[key]


def replay_range(settings: StoreSettings, after: int, upto: int) -> list[ReplayResult]:
    """In a worker: replay the decisions with ids after..upto, read by the worker itself."""
    book = default_rulebook()
    store = worker_store(settings)
    return [replay(stored, rulebook=book) for stored in iter_decisions(store, after=after, upto=upto)]


def impact_range(
    settings: StoreSettings, after: int, upto: int, *, from_release: str, to_release: str, as_of: date | None
) -> ImpactTally:
    """In a worker: tally the impact over the cases with ids after..upto."""
    latest = latest_per_case(worker_store(settings), after=after, upto=upto)
    return tally_cases(latest, from_release=from_release, to_release=to_release, as_of=as_of)


def _in_order(client: Client, calls: list[Callable[[], "Future[Any]"]], *, window: int) -> Iterator[Any]:
    """Results of the submitted calls in submission order, at most `window` in flight."""
    pending: deque[Future[Any]] = deque()
    for call in calls:
        pending.append(call())
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _window(client: Client) -> int:
    return 3 * max(len(client.scheduler_info().get("workers", {})), 1)


def replay_all_on_dask(store: Store, client: Client, *, batch: int = 500) -> Iterator[ReplayResult]:
    """Every stored decision replayed, in chain order, as `cases.store.replay_all` gives them."""
    span = seq_span(store)
    if span is None:
        return
    settings = store.settings
    calls = [
        _bind(client, replay_range, settings, after, after + batch)
        for after in range(span[0] - 1, span[1], batch)
    ]
    for results in _in_order(client, calls, window=_window(client)):
        yield from results


def impact_on_dask(
    store: Store,
    client: Client,
    *,
    from_release: str,
    to_release: str,
    as_of: date | None = None,
    batch: int = 500,
) -> ImpactReport:
    """The report `cases.store.impact` gives, with the cases tallied in ranges on the workers."""
    check_releases(from_release, to_release)
    span = case_span(store)
    tallies: list[ImpactTally] = []
    if span is not None:
        calls = [
            _bind(
                client,
                impact_range,
                store.settings,
                after,
                after + batch,
                from_release=from_release,
                to_release=to_release,
                as_of=as_of,
            )
            for after in range(span[0] - 1, span[1], batch)
        ]
        tallies = list(_in_order(client, calls, window=_window(client)))
    return build_report(tallies, from_release=from_release, to_release=to_release, as_of=as_of)


def _bind(
    client: Client, function: Callable[..., T], *args: Any, **kwargs: Any
) -> Callable[[], "Future[Any]"]:
    return lambda: client.submit(function, *args, pure=False, **kwargs)
