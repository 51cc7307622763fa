"""The worker plugin: each Dask worker compiles every release and registers it with durable-rules
once, when it starts (and again when a restarted worker joins), before it runs any partition."""

import gc
import os
from typing import Any

from distributed import WorkerPlugin

from engine import default_rulebook


class CompileReleases(WorkerPlugin):
    """Compile and register the rule releases in the worker's process."""

    name = "sandbox-compile-releases"

    def setup(self, worker: Any) -> None:
        book = default_rulebook()
        for release_id in book.compiled:
            book.handle(release_id)
        # What is loaded now lives as long as the worker: keep full collections from walking it.
        gc.freeze()
        worker.sandbox_releases = sorted(book.compiled)
        worker.sandbox_compiled_in = os.getpid()
