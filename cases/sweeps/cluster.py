"""The Dask client of a sweep: a scheduler given by address, or an embedded LocalCluster of
single-threaded worker processes (durable-rules allows one evaluation at a time per process)."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import dask
from distributed import Client, LocalCluster

from cases.sweeps.plugin import CompileReleases

#: Worker settings of the embedded cluster (handed by the nannies to the worker processes): no
#: statistical profiler sampling every worker's stack each 10 ms while it assesses.
LOCAL_CONFIG = {"distributed.worker.profile.enabled": False}


@contextmanager
def open_client(scheduler: str | None = None, *, workers: int = 2) -> Iterator[Client]:
    """A client with the CompileReleases plugin registered on every worker."""
    if scheduler:
        client = Client(scheduler)  # type: ignore[no-untyped-call]
        cluster = None
    else:
        with dask.config.set(LOCAL_CONFIG):
            cluster = _local(workers)
        client = Client(cluster)  # type: ignore[no-untyped-call]
    try:
        client.register_plugin(CompileReleases())
        yield client
    finally:
        client.close()  # type: ignore[no-untyped-call]
        if cluster is not None:
            cluster.close()


def _local(workers: int) -> LocalCluster:
    return LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",  # a free port: never the 8787 of another cluster
        silence_logs=logging.ERROR,
    )
