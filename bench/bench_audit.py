"""Auditor pages benchmark over a real server with --cases cases (default 10,000): the chain
status page (a walk of the whole chain per load), the impact report 2022.01 -> 2026.01 (time
until the chart is shown, the first request starting it in the background; then reloads of the
finished report), a replay of every decision from the page (time until done), and the rules
browser (a release's rules, the diff of two releases).

The store is filled as bench/bench_web.py fills it (synthetic platforms, one regulatory decision
each). Writes bench/results/audit.json. Run from the project root: .venv/bin/python bench/bench_audit.py
"""

import argparse
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_web import Browser, fill
from common import Row, header, percentile, row, table, write_results

from cases.store import StoreSettings, open_store
from cases.store.keys import create_key
from tests.live_server import live_server

POLL_SECONDS = 0.5
IMPACT = "/audit/impact?from_release=2022.01&to_release=2026.01&as_of="


def auditor_key(url: str) -> str:
    store = open_store(StoreSettings(database_url=url))
    try:
        return create_key(store, role="auditor", name="bench auditor").token
    finally:
        store.dispose()


def loads(browser: Browser, path: str, count: int, marker: str) -> list[float]:
    """Latencies (s, sorted) of `count` loads of the page after one warm-up load."""
    times = []
    for n in range(count + 1):
        started = time.perf_counter()
        status, html = browser.request("GET", path)
        elapsed = time.perf_counter() - started
        assert status == 200 and marker in html, f"{path} answered {status}"
        if n:
            times.append(elapsed)
    return sorted(times)


def until(browser: Browser, path: str, done: str, limit: float = 900) -> float:
    """Seconds until the page at `path` shows `done`, reloading it as its Refresh header would."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        status, html = browser.request("GET", path)
        assert status == 200, f"{path} answered {status}"
        if done in html:
            return time.perf_counter() - started
        time.sleep(POLL_SECONDS)
    raise AssertionError(f"{path} did not show {done!r} within {limit} s")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--loads", type=int, default=20)
    args = parser.parse_args(argv)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as folder:
        url = f"sqlite:///{Path(folder) / 'audit.db'}"
        cases, _ = fill(url, args.cases)
        key = auditor_key(url)
        rows.append(row("cases in the store", cases, "cases"))
        with live_server(url, log_path=Path(folder) / "serve.log") as server:
            browser = Browser(server)
            browser.sign_in(key)

            def p50(figure: str, path: str, marker: str, count: int) -> None:
                times = loads(browser, path, count, marker)
                rows.append(
                    row(f"{figure}: p50 over {count} loads", round(percentile(times, 0.5) * 1000, 1), "ms")
                )

            p50(
                "chain status page (walks the whole chain)",
                "/audit",
                'data-intact="true"',
                max(3, args.loads // 4),
            )
            rows.append(
                row(
                    "impact report 2022.01 -> 2026.01: until the chart shows",
                    round(until(browser, IMPACT, 'id="chart-tier"'), 1),
                    "s",
                )
            )
            p50("impact report, finished: reload", IMPACT, 'id="chart-tier"', args.loads)
            _, form = browser.request("GET", "/audit/replay")
            token = re.search(r'name="csrf_token" value="([^"]*)"', form)
            assert token, "the replay page has no CSRF token"
            status, _ = browser.request("POST", "/audit/replay/all", f"csrf_token={token.group(1)}")
            assert status == 303, f"starting the replay answered {status}"
            _, page = browser.request("GET", "/audit/replay")  # links the replay running
            job = re.search(r'href="(/audit/replay/jobs/[\w-]+)"', page)
            assert job, "no running replay linked from the replay page"
            seconds = until(browser, job.group(1), 'data-running="false"')
            rows.append(
                row(f"replay of every decision ({cases}) from the page: until done", round(seconds, 1), "s")
            )
            rows.append(row("replay of every decision: rate", round(cases / seconds), "decisions/s"))
            p50("rules of release 2026.01", "/rules/2026.01", 'id="rules"', args.loads)
            p50(
                "diff of 2022.01 -> 2026.01",
                "/rules/diff?from_release=2022.01&to_release=2026.01",
                "section-rules",
                args.loads,
            )
    print(header())
    print(table([("audit", r) for r in rows]))
    print(f"wrote {write_results('audit', rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
