"""Stage benchmark: the per-assessment cost of each stage of `evaluate(p).to_json()` (parse and
validate, hashing, facts, inference on durable-rules, decision building, JSON rendering), and the
ratio of the whole to inference. Writes bench/results/stages.json."""

import argparse
import gc
import hashlib
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from common import MACHINE_PREFIX, ROOT, Row, header, machine_rows, median, row, table, write_results

from cases.synthetic import random_profile
from engine import evaluate, stages
from engine.rulebook import Rulebook, default_rulebook

EXAMPLES = ROOT / "cases" / "examples"
# The code before issue 13 part 4 (commit e165364, through bench/stages_before.py), CPU µs per
# assessment: the median of three runs taken alternately with three of the new code, 9 rounds each.
BEFORE: dict[str, float] = {
    "parse": 45.2,
    "hash": 34.3,
    "facts": 20.6,
    "inference": 227.6,
    "decision": 119.6,
    "json": 65.8,
    "total": 508.4,
    "total / inference": 2.26,
}
# The digest of every decision before the change, for the default --profiles and --seed.
BEFORE_DIGEST = {"digest": "c538fdbf82839dfd86660bb91215654f9eddc8495c7e1d8b29e9986b7d7582f6"}
STAGES = ("parse", "hash", "facts", "inference", "decision", "json")


def inputs(synthetic: int, seed: int) -> list[dict[str, Any]]:
    """The 34 examples, then `synthetic` generated profiles (those that evaluate)."""
    found = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.profile.json"))]
    rng = random.Random(seed)
    while len(found) < synthetic + 34:
        profile = random_profile(rng)
        try:
            evaluate(profile)
        except Exception:  # bench_engine reports such profiles; here they are only left out
            continue
        found.append(profile)
    return found


def one_pass(profiles: Sequence[dict[str, Any]], book: Rulebook, spent: dict[str, int]) -> None:
    """Assess every profile as evaluate() does, stage by stage, adding each stage's CPU ns to
    `spent` (less one clock read each).

    Timing the stages inside one pass keeps each in its real context (caches, collector), so the
    stages add up to the whole. The clock is this thread's CPU time: on a shared machine wall time
    counts the other processes' turns too (load averages of 5 on 2 cores were seen here)."""
    clock = time.thread_time_ns
    for profile in profiles:
        t0 = clock()
        parsed = stages.parse(profile)
        day = stages.as_of_day(parsed, None)
        compiled = stages.release_for(day, None, book)
        t1 = clock()
        data = stages.dump(parsed)
        sha256 = stages.profile_hash(data, day)
        t2 = clock()
        case_facts = stages.facts(parsed, data, day, book)
        t3 = clock()
        inference = stages.infer(compiled, case_facts, book)
        t4 = clock()
        decision = stages.decide(inference, compiled, day, sha256, book)
        t5 = clock()
        stages.render(decision)
        t6 = clock()
        for name, start, end in zip(STAGES, (t0, t1, t2, t3, t4, t5), (t1, t2, t3, t4, t5, t6), strict=True):
            spent[name] += end - start - CLOCK_NS


def whole_pass(profiles: Sequence[dict[str, Any]]) -> int:
    """CPU ns of evaluate(p).to_json() over every profile, the public call itself."""
    started = time.thread_time_ns()
    for profile in profiles:
        evaluate(profile).to_json()
    return time.thread_time_ns() - started


def clock_ns() -> int:
    """What one read of the thread's CPU clock costs (a system call, about 1 µs here): the median
    of many back-to-back reads."""
    clock = time.thread_time_ns
    gaps = []
    for _ in range(2001):
        first = clock()
        gaps.append(clock() - first)
    return sorted(gaps)[len(gaps) // 2]


CLOCK_NS = clock_ns()


def measure(profiles: Sequence[dict[str, Any]], rounds: int) -> dict[str, float]:
    """CPU µs per assessment of each stage and of the whole call: the median over rounds, the rounds
    of stages and of the whole call interleaved so a noisy spell on the machine hits both."""
    book = default_rulebook()
    n = len(profiles)
    samples: dict[str, list[float]] = {name: [] for name in (*STAGES, "total")}
    gc.collect()
    gc.freeze()  # the inputs and the rule book are live throughout: keep them out of the collector's walks
    for _ in range(rounds):
        spent = dict.fromkeys(STAGES, 0)
        one_pass(profiles, book, spent)
        for name in STAGES:
            samples[name].append(spent[name] / n / 1000)
        samples["total"].append(whole_pass(profiles) / n / 1000)
    return {name: round(median(values), 1) for name, values in samples.items()}


def check_identical() -> bool:
    """Whether every example still gives its golden decision, byte for byte (the goldens are
    pretty-printed: compared in the canonical form written out here, not by the engine's encoder)."""
    same = True
    for path in sorted(EXAMPLES.glob("*.profile.json")):
        golden = json.loads(path.with_name(path.name.replace(".profile", ".decision")).read_text("utf-8"))
        expected = json.dumps(golden, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        same = same and evaluate(json.loads(path.read_text(encoding="utf-8"))).to_json() == expected
    return same


def digest(profiles: Sequence[dict[str, Any]]) -> str:
    """SHA-256 over every profile's decision JSON, one a line: equal before and after a change
    means every decision stayed byte for byte the same."""
    total = hashlib.sha256()
    for profile in profiles:
        total.update(evaluate(profile).to_json().encode("utf-8") + b"\n")
    return total.hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the stage benchmark, write bench/results/stages.json and print its table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", type=int, default=2000, help="synthetic profiles (default 2000)")
    parser.add_argument("--rounds", type=int, default=15, help="rounds per stage (default 15)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    args = parser.parse_args(argv)
    print(header(), flush=True)
    profiles = inputs(args.profiles, args.seed)
    print(f"stages: {len(profiles):,} profiles, {args.rounds} rounds per stage...", flush=True)
    figures = measure(profiles, args.rounds)
    parts = sum(figures[s] for s in STAGES)
    ratio = figures["total"] / figures["inference"]
    rows: list[Row] = [
        *machine_rows(),
        row("profiles (34 examples + synthetic)", len(profiles), "profiles"),
        row("clock: thread CPU time; one read, subtracted from each stage", round(CLOCK_NS / 1000, 2), "µs"),
    ]
    for name in STAGES:
        rows.append(row(f"{name}, per assessment", figures[name], "µs"))
        if name in BEFORE:
            rows.append(row(f"{name}, per assessment, before", BEFORE[name], "µs"))
    rows += [
        row("sum of the stages", round(parts, 1), "µs"),
        row("total evaluate(p).to_json(), per assessment", figures["total"], "µs"),
        row("non-inference cost", round(figures["total"] - figures["inference"], 1), "µs"),
        {
            "figure": "total / inference",
            "value": round(ratio, 2),
            "unit": "ratio",
            "target": 2.0,
            "held": ratio <= 2.0,
        },
        row("in-process throughput (full explanation)", round(1e6 / figures["total"]), "assessments/s"),
    ]
    for name in ("total", "total / inference"):
        if name in BEFORE:
            rows.append(row(f"{name}, before", BEFORE[name], "µs" if name == "total" else "ratio"))
    identical = check_identical()
    rows.append(row("examples identical to their goldens", "yes" if identical else "NO"))
    rows.append(row("SHA-256 of every decision's JSON, one a line", digest(profiles)))
    if "digest" in BEFORE_DIGEST and (args.profiles, args.seed) == (2000, 0):
        same = BEFORE_DIGEST["digest"] == rows[-1]["value"]
        identical = identical and same
        rows.append(row("every decision identical to before", "yes" if same else "NO"))
    path = write_results("stages", rows)
    print(table([("stages", r) for r in rows if not r["figure"].startswith(MACHINE_PREFIX)]))
    print(f"stages: wrote {Path(path).relative_to(ROOT)}", flush=True)
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
