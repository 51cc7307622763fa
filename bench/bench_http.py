"""HTTP load benchmark: POST /v1/self-assessments against a live `sandbox serve` on loopback.

The server runs as its own process (1, then 2 worker processes) on a fresh SQLite store with a
platform key; this script is the client, a separate process holding --concurrency keep-alive
connections, each sending one request after another for --seconds (after a short warm-up that
is not counted). Each request is a different synthetic profile carrying the platform's USCC, so
every one is evaluated and appended to the hash chain (SQLite, synchronous FULL: one fsync per
decision). Reports requests per second, p50 and p99 latency and errors (any answer but 201).

Writes bench/results/http.json. Run from the project root: .venv/bin/python bench/bench_http.py
"""

import argparse
import http.client
import json
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import Row, header, percentile, row, table, write_results

from api.keys import create_key
from cases.store import StoreSettings, open_store
from cases.synthetic import profiles
from tests.live_server import LiveServer, live_server

USCC = "91330100MA27XLQ31A"
WARM_UP_SECONDS = 3.0


def bodies(count: int) -> list[bytes]:
    """Distinct valid profiles of one platform, as request bodies."""
    return [json.dumps({**p, "uscc": USCC}).encode() for p in profiles(count, seed=7)]


class Load:
    """Fixed concurrency: each thread owns one connection and sends requests back to back."""

    def __init__(self, server: LiveServer, key: str, payloads: list[bytes], concurrency: int) -> None:
        self.server, self.key, self.payloads, self.concurrency = server, key, payloads, concurrency
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.statuses: dict[str, int] = {}
        self.counting = False
        self.stop = False

    def _worker(self, index: int) -> None:
        connection = http.client.HTTPConnection(self.server.host, self.server.port, timeout=60)
        headers = {"X-API-Key": self.key, "Content-Type": "application/json"}
        n = index
        while not self.stop:
            body = self.payloads[n % len(self.payloads)]
            n += self.concurrency
            started = time.perf_counter()
            try:
                connection.request("POST", "/v1/self-assessments", body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = str(response.status)
            except OSError as exc:
                status = type(exc).__name__
                connection.close()
                connection = http.client.HTTPConnection(self.server.host, self.server.port, timeout=60)
            elapsed = time.perf_counter() - started
            if self.counting:
                with self.lock:
                    self.latencies.append(elapsed)
                    self.statuses[status] = self.statuses.get(status, 0) + 1
        connection.close()

    def run(self, seconds: float) -> float:
        threads = [threading.Thread(target=self._worker, args=(i,)) for i in range(self.concurrency)]
        for thread in threads:
            thread.start()
        time.sleep(WARM_UP_SECONDS)
        self.counting = True
        started = time.perf_counter()
        time.sleep(seconds)
        self.counting = False
        elapsed = time.perf_counter() - started
        self.stop = True
        for thread in threads:
            thread.join()
        return elapsed


def measure(workers: int, args: argparse.Namespace, payloads: list[bytes], folder: Path) -> list[Row]:
    url = f"sqlite:///{folder / f'http-{workers}.db'}"
    store = open_store(StoreSettings(database_url=url))
    key = create_key(store, role="platform", uscc=USCC, name="bench").token
    store.dispose()
    with live_server(url, log_path=folder / f"server-{workers}.log", workers=workers) as server:
        load = Load(server, key, payloads, args.concurrency)
        elapsed = load.run(args.seconds)
    latencies = sorted(load.latencies)
    done = len(latencies)
    errors = done - load.statuses.get("201", 0)
    label = f"POST /v1/self-assessments, {workers} worker(s), {args.concurrency} connections"
    if errors:
        print(f"{label}: answers other than 201: {load.statuses}", file=sys.stderr)
    return [
        row(f"{label}: throughput", round(done / elapsed, 1), "requests/s"),
        row(f"{label}: latency p50", round(percentile(latencies, 0.50) * 1000, 2), "ms"),
        row(f"{label}: latency p99", round(percentile(latencies, 0.99) * 1000, 2), "ms"),
        row(f"{label}: requests measured", done, f"in {elapsed:.1f} s"),
        row(f"{label}: errors (not 201)", errors, "requests"),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=25.0, help="measured seconds per run (default 25)")
    parser.add_argument("--concurrency", type=int, default=16, help="client connections (default 16)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="server worker counts")
    args = parser.parse_args(argv)
    payloads = bodies(1000)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
        for workers in args.workers:
            print(
                f"http: {workers} worker(s), {args.concurrency} connections, {args.seconds:.0f} s...",
                flush=True,
            )
            rows += measure(workers, args, payloads, Path(tmp))
    print(header())
    print(table([("http", r) for r in rows]))
    print(f"wrote {write_results('http', rows)}")
    errors = sum(int(r["value"]) for r in rows if r["figure"].endswith("errors (not 201)"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
