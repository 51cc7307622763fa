"""Web workbench benchmark: page loads of the case list with 10,000 cases, over a real server.

A fresh SQLite store is filled with --cases synthetic platforms (cases/synthetic.py, one
regulatory decision each, appended by the group-commit writer), then `sandbox serve` starts on
loopback as its own process and this script signs in as a regulator through the sign-in form and
loads pages as a browser would (one keep-alive connection, the session cookie, HTML answers):
--loads loads (default 100) of each of the case list's first page, a page deep in the list, a
tier filter, a name search and the review-due filter, after a short warm-up. The first load
(the index is built, the review-due answer worked out) and p50 and p95 of each.

Writes bench/results/web.json. Run from the project root: .venv/bin/python bench/bench_web.py
"""

import argparse
import http.client
import re
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import Row, header, percentile, row, table, write_results

from cases.store import StoredDecision, StoreSettings, list_cases, open_store
from cases.store.group import GroupCommit
from cases.store.keys import create_key
from cases.store.records import NewRecord, stored_input
from cases.synthetic import profiles
from engine import evaluate_many
from tests.live_server import LiveServer, live_server

TARGET_P95_MS = 200.0
WARM_UP = 5
# The review-due filter asks due_reviews (every case's latest decision) on its first load after
# an append; the index keeps the answer until the next append or the next day.
DUE_LOADS = 100


def fill(url: str, count: int) -> tuple[int, str]:
    """Record `count` synthetic assessments; the number of cases and a regulator key."""
    store = open_store(StoreSettings(database_url=url))
    try:
        # one case each: a synthetic name may repeat, so each gets its number
        documents = [{**p, "name": f"{p['name']} {n:05d}"} for n, p in enumerate(profiles(count, seed=11))]
        appender = GroupCommit(store)
        futures: list[Future[StoredDecision]] = []
        for start in range(0, count, 500):
            chunk = documents[start : start + 500]
            for document, decision in zip(chunk, evaluate_many(chunk), strict=True):
                new = NewRecord(
                    profile=stored_input(document, decision),
                    decision=decision,
                    kind="regulatory",
                    actor="bench",
                )
                futures.append(appender.submit(new))
        for future in futures:
            future.result()
        appender.close()
        key = create_key(store, role="regulator", name="bench regulator").token
        return len(list_cases(store)), key
    finally:
        store.dispose()


class Browser:
    """One keep-alive connection with the session cookie, as a browser tab loads pages."""

    def __init__(self, server: LiveServer) -> None:
        self.connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        answer = self.connection.getresponse()
        text = answer.read().decode("utf-8")
        for value in answer.headers.get_all("set-cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0].strip('"')
        return answer.status, text

    def sign_in(self, key: str) -> None:
        _, form = self.request("GET", "/signin")
        token = re.search(r'name="csrf_token" value="([^"]*)"', form)
        assert token, "the sign-in page has no CSRF token"
        body = urllib.parse.urlencode({"csrf_token": token.group(1), "api_key": key, "next": "/"})
        status, _ = self.request("POST", "/signin", body)
        assert status == 303, f"sign-in answered {status}"

    def load(self, path: str, loads: int) -> tuple[float, list[float]]:
        """The first load's latency (s), and those (sorted) of `loads` loads after a warm-up."""
        times, first = [], 0.0
        for n in range(WARM_UP + loads):
            started = time.perf_counter()
            status, html = self.request("GET", path)
            elapsed = time.perf_counter() - started
            assert status == 200 and "case-table" in html, f"{path} answered {status}"
            if n == 0:
                first = elapsed
            if n >= WARM_UP:
                times.append(elapsed)
        return first, sorted(times)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--loads", type=int, default=100)
    args = parser.parse_args(argv)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-web-") as folder:
        url = f"sqlite:///{Path(folder) / 'web.db'}"
        started = time.perf_counter()
        cases, key = fill(url, args.cases)
        rows.append(row("cases in the store", cases, "cases"))
        rows.append(row("filling the store", round(time.perf_counter() - started, 1), "s"))
        with live_server(url, log_path=Path(folder) / "serve.log") as server:
            browser = Browser(server)
            browser.sign_in(key)
            deep = max(1, cases // 25 // 2)
            pages = {
                "case list, first page": "/cases",
                f"case list, page {deep}": f"/cases?page={deep}",
                "case list, tier filter strict": "/cases?tier=strict",
                "case list, name search": "/cases?q=Cloud",
                "case list, review due": "/cases?due=1",
            }
            for figure, path in pages.items():
                loads = min(args.loads, DUE_LOADS) if "due" in path else args.loads
                first, times = browser.load(path, loads)
                p50, p95 = percentile(times, 0.5) * 1000, percentile(times, 0.95) * 1000
                rows.append(row(f"{figure}: first load", round(first * 1000, 1), "ms"))
                rows.append(row(f"{figure}: p50 over {loads} loads", round(p50, 1), "ms"))
                rows.append(
                    {
                        "figure": f"{figure}: p95 over {loads} loads",
                        "value": round(p95, 1),
                        "unit": "ms",
                        "target": TARGET_P95_MS,
                        "held": p95 < TARGET_P95_MS,
                    }
                )
    print(header())
    print(table([("web", r) for r in rows]))
    print(f"wrote {write_results('web', rows)}")
    return 0 if all(r.get("held", True) for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
