"""HTTP load benchmark: POST /v1/self-assessments at fixed rates against a live `sandbox serve`.

The server runs as its own process (--workers, default 1) on a fresh SQLite store with a platform
key; this script is the client, a separate process. The load is open-loop: request n starts at
n / rate seconds whatever the earlier answers did, on one of --connections keep-alive connections
(each a thread taking the next start time), and its latency counts from that start time, so a
server that falls behind is charged for the wait (no coordinated omission). Each request is a
different synthetic profile carrying the platform's USCC, so every one is evaluated and appended
to the hash chain (SQLite, synchronous FULL: every acknowledged decision is on disk).

After a short warm-up, two measurements:
- the target: --rate requests/s (default 300) for --seconds (default 60), p99 below 20 ms;
- a step search: --step-seconds (default 10) at each rate from --rate + --step upwards, until p99
  reaches 50 ms or a request fails; the highest rate that held is reported.

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
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import Row, header, percentile, row, table, write_results

from cases.store import StoreSettings, open_store
from cases.store.keys import create_key
from cases.synthetic import profiles
from tests.live_server import LiveServer, live_server

USCC = "91330100MA27XLQ31A"
WARM_UP_SECONDS = 3.0
TARGET_P99_MS = 20.0
SEARCH_P99_MS = 50.0
MAX_STEPS = 10


def bodies(count: int) -> list[bytes]:
    """Distinct valid profiles of one platform, as request bodies."""
    return [json.dumps({**p, "uscc": USCC}).encode() for p in profiles(count, seed=7)]


@dataclass
class Run:
    """One fixed-rate run: latencies (s, sorted) and answers by status."""

    rate: float
    seconds: float
    wall: float
    latencies: list[float]
    statuses: dict[str, int]

    @property
    def errors(self) -> int:
        return len(self.latencies) - self.statuses.get("201", 0)

    def p(self, fraction: float) -> float:
        """A latency percentile in ms."""
        return round(percentile(self.latencies, fraction) * 1000, 2)


class FixedRate:
    """Open-loop load: request n starts at n / rate; latency counts from that start time."""

    def __init__(self, server: LiveServer, key: str, payloads: list[bytes], connections: int) -> None:
        self.server, self.key, self.payloads, self.connections = server, key, payloads, connections
        self.sent = 0

    def run(self, rate: float, seconds: float) -> Run:
        lock = threading.Lock()
        total = int(rate * seconds)
        slots = iter(range(total))
        latencies: list[float] = []
        statuses: dict[str, int] = {}
        start = time.perf_counter() + 0.05
        offset = self.sent
        self.sent += total

        def worker() -> None:
            connection = http.client.HTTPConnection(self.server.host, self.server.port, timeout=60)
            headers = {"X-API-Key": self.key, "Content-Type": "application/json"}
            while True:
                with lock:
                    n = next(slots, None)
                if n is None:
                    break
                due = start + n / rate
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                body = self.payloads[(offset + n) % len(self.payloads)]
                try:
                    connection.request("POST", "/v1/self-assessments", body=body, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    status = str(response.status)
                except OSError as exc:
                    status = type(exc).__name__
                    connection.close()
                    connection = http.client.HTTPConnection(self.server.host, self.server.port, timeout=60)
                elapsed = time.perf_counter() - due
                with lock:
                    latencies.append(elapsed)
                    statuses[status] = statuses.get(status, 0) + 1
            connection.close()

        threads = [threading.Thread(target=worker) for _ in range(self.connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return Run(rate, seconds, time.perf_counter() - start, sorted(latencies), statuses)


def run_rows(label: str, run: Run) -> list[Row]:
    return [
        row(f"{label}: latency p50", run.p(0.50), "ms"),
        row(f"{label}: latency p99", run.p(0.99), "ms"),
        row(f"{label}: latency max", run.p(1.0), "ms"),
        row(f"{label}: requests", len(run.latencies), f"in {run.seconds:.0f} s"),
        row(f"{label}: answered per second", round(len(run.latencies) / run.wall, 1), "requests/s"),
        row(f"{label}: errors (not 201)", run.errors, "requests"),
    ]


def say(run: Run) -> None:
    shown = f"p50 {run.p(0.5)} ms, p99 {run.p(0.99)} ms, max {run.p(1.0)} ms, errors {run.errors}"
    print(f"  {run.rate:.0f} req/s for {run.seconds:.0f} s: {shown}", flush=True)
    if run.errors:
        print(f"  answers: {run.statuses}", file=sys.stderr)


def measure(args: argparse.Namespace, payloads: list[bytes], folder: Path) -> list[Row]:
    url = f"sqlite:///{folder / 'http.db'}"
    store = open_store(StoreSettings(database_url=url))
    key = create_key(store, role="platform", uscc=USCC, name="bench").token
    store.dispose()
    where = f"{args.workers} worker(s), {args.connections} connections"
    with live_server(url, log_path=folder / "server.log", workers=args.workers) as server:
        load = FixedRate(server, key, payloads, args.connections)
        load.run(args.rate, WARM_UP_SECONDS)
        print(f"http: target run, {where}", flush=True)
        target = load.run(args.rate, args.seconds)
        say(target)
        print(f"http: step search for p99 < {SEARCH_P99_MS:.0f} ms", flush=True)
        held: Run | None = None
        for step in range(1, MAX_STEPS + 1):
            run = load.run(args.rate + step * args.step, args.step_seconds)
            say(run)
            if run.errors or run.p(0.99) >= SEARCH_P99_MS:
                break
            held = run
    label = f"POST /v1/self-assessments, {args.rate:.0f} req/s for {args.seconds:.0f} s, {where}"
    rows = run_rows(label, target)
    p99_held = target.p(0.99) < TARGET_P99_MS and target.errors == 0
    rows[1] = {**rows[1], "target": f"< {TARGET_P99_MS:.0f} ms, no errors", "held": p99_held}
    best = held or (target if target.p(0.99) < SEARCH_P99_MS and not target.errors else None)
    steps = f"{args.step_seconds:.0f} s steps of {args.step:.0f}"
    search = f"highest fixed rate with p99 < {SEARCH_P99_MS:.0f} ms ({steps})"
    rows.append(row(search, best.rate if best else 0, "requests/s"))
    if best is not None and best is not target:
        rows += run_rows(f"POST /v1/self-assessments, {best.rate:.0f} req/s for {best.seconds:.0f} s", best)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=300.0, help="target rate, requests/s (default 300)")
    parser.add_argument("--seconds", type=float, default=60.0, help="target run seconds (default 60)")
    parser.add_argument(
        "--step", type=float, default=50.0, help="step of the search, requests/s (default 50)"
    )
    parser.add_argument(
        "--step-seconds", type=float, default=10.0, help="seconds per search step (default 10)"
    )
    parser.add_argument("--connections", type=int, default=64, help="client connections (default 64)")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes (default 1)")
    args = parser.parse_args(argv)
    payloads = bodies(1000)
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
        rows = measure(args, payloads, Path(tmp))
    print(header())
    print(table([("http", r) for r in rows]))
    print(f"wrote {write_results('http', rows)}")
    errors = sum(int(r["value"]) for r in rows if r["figure"].endswith("errors (not 201)"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
