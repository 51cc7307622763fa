"""Engine benchmark: in-process evaluate(p).to_json() throughput, latency and memory, and the
whole-process `sandbox assess --json` path. Writes bench/results/engine.json."""

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from common import (
    MACHINE_PREFIX,
    ROOT,
    Row,
    header,
    machine_rows,
    median,
    peak_rss_bytes,
    percentile,
    row,
    rss_bytes,
    table,
    write_results,
)

from cases.synthetic import random_profile
from engine import evaluate

MIB = 1024 * 1024


def accepted_profiles(count: int, seed: int, keep: int) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """The first `count` generated profiles that evaluate, the decisions of the first `keep`, and
    the errors met.

    Evaluating every profile once here is also the warm-up: all releases compile, caches fill.
    """
    rng = random.Random(seed)
    kept: list[dict[str, Any]] = []
    outputs: list[str] = []
    errors: list[str] = []
    while len(kept) < count:
        profile = random_profile(rng)
        try:
            output = evaluate(profile).to_json()
        except Exception as exc:  # an engine bug: reported as a figure, kept out of the timing
            errors.append(f"{type(exc).__name__}: {exc}: {json.dumps(profile, ensure_ascii=False)}")
            continue
        kept.append(profile)
        if len(outputs) < keep:
            outputs.append(output)
    return kept, outputs, errors


def timed_rounds(profiles: Sequence[dict[str, Any]], rounds: int, latencies: "array[int]") -> list[float]:
    """Assessments per second of each round; every call's latency goes to `latencies` (ns).

    The caller allocates the latency buffer before it reads RSS, so RSS growth is the engine's own.
    """
    rates: list[float] = []
    clock = time.perf_counter_ns
    index = 0
    for _ in range(rounds):
        started = clock()
        for profile in profiles:
            before = clock()
            evaluate(profile).to_json()
            latencies[index] = clock() - before
            index += 1
        rates.append(len(profiles) / ((clock() - started) / 1e9))
    return rates


def cli_runs(
    profiles: Sequence[dict[str, Any]], expected: Sequence[str], runs: int
) -> tuple[list[float], list[float], bool]:
    """Wall seconds of `sandbox assess --json` over all files, and over one file; same output?"""
    sandbox = Path(sys.executable).with_name("sandbox")
    with tempfile.TemporaryDirectory(prefix="sandbox-bench-") as folder:
        files = []
        for index, profile in enumerate(profiles):
            path = Path(folder) / f"{index:05d}.profile.json"
            path.write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
            files.append(str(path))
        whole: list[float] = []
        single: list[float] = []
        identical = True
        for _ in range(runs):
            for names, times in ((files, whole), (files[:1], single)):
                started = time.perf_counter()
                done = subprocess.run(
                    [str(sandbox), "assess", *names, "--json"],
                    capture_output=True,
                    text=True,
                    cwd=ROOT,
                    check=False,
                )
                times.append(time.perf_counter() - started)
                if done.returncode != 0:
                    raise RuntimeError(f"sandbox assess exited {done.returncode}: {done.stderr[-2000:]}")
                identical = identical and done.stdout.splitlines() == list(expected[: len(names)])
    return whole, single, identical


def main(argv: Sequence[str] | None = None, *, show_table: bool = True) -> int:
    """Run the engine benchmark, write bench/results/engine.json and (unless told not to) print its table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", type=int, default=10_000, help="profiles per round (default 10,000)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument("--cli-profiles", type=int, default=1000, help="files in the CLI run (default 1000)")
    parser.add_argument("--cli-runs", type=int, default=3, help="CLI runs; the median counts (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    args = parser.parse_args(argv)

    print(header(), flush=True)
    print(f"engine: generating {args.profiles:,} profiles and warming up...", flush=True)
    profiles, outputs, errors = accepted_profiles(args.profiles, args.seed, keep=args.cli_profiles)
    for error in errors[:5]:
        print(f"engine: evaluate failed on a valid profile: {error[:1000]}", file=sys.stderr)

    samples = array("q", bytes(8 * len(profiles) * args.rounds))
    rss_before = rss_bytes()
    print(f"engine: {args.rounds} timed rounds...", flush=True)
    rates = timed_rounds(profiles, args.rounds, samples)
    rss_after = rss_bytes()
    peak = peak_rss_bytes()
    latencies = sorted(samples)

    print(f"engine: {args.cli_runs} CLI runs over {args.cli_profiles:,} files...", flush=True)
    cli_count = min(args.cli_profiles, len(profiles))
    whole, single, identical = cli_runs(profiles[:cli_count], outputs[:cli_count], args.cli_runs)

    rows: list[Row] = [
        *machine_rows(),
        row("profiles per round", len(profiles), "profiles"),
        row("timed rounds", args.rounds, "rounds"),
        row("valid profiles that evaluate rejected", len(errors), "profiles"),
        row("throughput, median of rounds", round(median(rates)), "assessments/s"),
        row("throughput, slowest round", round(min(rates)), "assessments/s"),
        row("throughput, fastest round", round(max(rates)), "assessments/s"),
        row("latency p50", round(percentile(latencies, 0.50) / 1000, 1), "µs"),
        row("latency p99", round(percentile(latencies, 0.99) / 1000, 1), "µs"),
        row("latency p99.9", round(percentile(latencies, 0.999) / 1000, 1), "µs"),
        row("latency max", round(latencies[-1] / 1000, 1), "µs"),
        row("RSS before the rounds", round(rss_before / MIB, 1), "MiB"),
        row("RSS after the rounds", round(rss_after / MIB, 1), "MiB"),
        row("peak RSS (ru_maxrss)", round(peak / MIB, 1), "MiB"),
        row("CLI throughput, median of runs", round(cli_count / median(whole), 1), "profiles/s"),
        row("CLI wall time over all files, median", round(median(whole), 3), "s"),
        row("CLI wall time for one file (start-up), median", round(median(single), 3), "s"),
        row("CLI files per run", cli_count, "files"),
        row("CLI output identical to in-process", "yes" if identical else "NO", ""),
    ]
    path = write_results("engine", rows)
    if show_table:
        print(table([("engine", r) for r in rows if not r["figure"].startswith(MACHINE_PREFIX)]))
    print(f"engine: wrote {path.relative_to(ROOT)}", flush=True)
    return 0 if identical and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
