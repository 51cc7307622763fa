"""The Dask client of a sweep: a scheduler given by address, or an embedded LocalCluster of
single-threaded worker processes (durable-rules allows one evaluation at a time per process)."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from distributed import Client, LocalCluster

from cases.sweeps.plugin import CompileReleases


@contextmanager
def open_client(scheduler: str | None = None, *, workers: int = 2) -> Iterator[Client]:
    """A client with the CompileReleases plugin registered on every worker."""
    if scheduler:
        client = Client(scheduler)  # type: ignore[no-untyped-call]
        cluster = None
    else:
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # a free port: never the 8787 of another cluster
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)  # type: ignore[no-untyped-call]
    try:
        client.register_plugin(CompileReleases())
        yield client
    finally:
        client.close()  # type: ignore[no-untyped-call]
        if cluster is not None:
            cluster.close()
