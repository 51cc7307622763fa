"""Issue 7's figures: whole-process batch against a plain-Python function of the same policy,
in-process throughput with full explanations, durable-rules driven naively, and memory over a
long run. Writes bench/results/scale.json. BENCH_MEMORY_N sets the long run (default 1,000,000)."""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, Row, median, percentile, row, rss_bytes, write_results

from cases.synthetic import profiles
from engine import default_rulebook, evaluate, evaluate_many, parse_profile
from engine import durable_host as host
from engine.compiler import CATCH_ALL, encode, field_name
from engine.decision import build_decision
from engine.durable_baseline import naive_runner
from engine.evaluate import SESSION_SIZE
from engine.facts import profile_facts
from engine.guidance import guide
from engine.inference import infer_many
from engine.release import canonical_json, sha256_of

SANDBOX = str(ROOT / ".venv" / "bin" / "sandbox")


def target(figure: str, value: float, unit: str, goal: float, held: bool) -> Row:
    return {"figure": figure, "value": round(value, 3), "unit": unit, "target": goal, "held": held}


def timed(command: list[str], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return median(times)


def batch(rows: list[Row], count: int = 5000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "profiles.jsonl"
        source.write_text("".join(json.dumps(p) + "\n" for p in profiles(count, seed=77)), encoding="utf-8")
        plain = count / timed([sys.executable, str(ROOT / "bench" / "plain_policy.py"), str(source)])
        rows.append(
            row(
                f"batch, plain-Python function of the policy, {count} profiles, whole process",
                round(plain),
                "profiles/s",
            )
        )
        for workers in (1, 2):
            ours = count / timed([SANDBOX, "assess", "--jsonl", str(source), "--workers", str(workers)])
            rows.append(
                row(
                    f"batch, sandbox assess --jsonl --workers {workers}, whole process",
                    round(ours),
                    "profiles/s",
                )
            )
            rows.append(
                target(
                    f"batch ratio to plain Python (--workers {workers})",
                    ours / plain,
                    "x",
                    1 / 3,
                    ours / plain >= 1 / 3,
                )
            )


def sweep_speedup(rows: list[Row], count: int = 20_000) -> None:
    """`--workers 2` against `--workers 1` on a sweep long enough that start-up does not decide."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "profiles.jsonl"
        source.write_text("".join(json.dumps(p) + "\n" for p in profiles(count, seed=83)), encoding="utf-8")
        took = {w: timed([SANDBOX, "assess", "--jsonl", str(source), "--workers", str(w)]) for w in (1, 2)}
    for workers, seconds in took.items():
        rows.append(
            row(f"sweep of {count:,} profiles, --workers {workers}", round(count / seconds), "profiles/s")
        )
    speedup = took[1] / took[2]
    cores = os.cpu_count() or 1
    rows.append(target(f"sweep speed-up, 2 workers on {cores} cores", speedup, "x", 1.7, speedup >= 1.7))


def in_process(rows: list[Row], count: int = 20_000) -> None:
    sample = profiles(count, seed=78)
    for p in sample[:500]:
        evaluate(p).to_json()
    rates, latencies = [], []
    for _ in range(3):
        started = time.perf_counter()
        for p in sample:
            t = time.perf_counter_ns()
            evaluate(p).to_json()
            latencies.append(time.perf_counter_ns() - t)
        rates.append(count / (time.perf_counter() - started))
    latencies.sort()
    p50, p99 = percentile(latencies, 0.5) / 1000, percentile(latencies, 0.99) / 1000
    rows.append(
        target(
            "in-process assessments with full explanation (median of 3)",
            median(rates),
            "/s",
            20_000,
            median(rates) >= 20_000,
        )
    )
    rows.append(row("in-process spread over rounds (min-max)", f"{min(rates):.0f}-{max(rates):.0f}", "/s"))
    rows.append(row("in-process latency p50", round(p50, 1), "µs"))
    rows.append(target("in-process latency p99 / p50", p99 / p50, "x", 5, p99 <= 5 * p50))
    batched = []
    for _ in range(3):
        started = time.perf_counter()
        for i in range(0, count, SESSION_SIZE):
            for d in evaluate_many(sample[i : i + SESSION_SIZE]):
                d.to_json()  # type: ignore[union-attr]
        batched.append(count / (time.perf_counter() - started))
    rows.append(
        target(
            f"in-process with full explanation, evaluate_many in batches of {SESSION_SIZE} (median of 3)",
            median(batched),
            "/s",
            20_000,
            median(batched) >= 20_000,
        )
    )


def naive(rows: list[Row], count: int = 5000) -> None:
    book = default_rulebook()
    compiled = book.get("2026.01")
    facts = []
    for p in profiles(count, seed=79):
        parsed = parse_profile(p)
        values = profile_facts(parsed, as_of=parsed.assessment_date, vocabulary=book.vocabulary)
        facts.append({field_name(f): encode(values[f]) for f in compiled.phases[0]})
    run = naive_runner(compiled)
    started = time.perf_counter()
    for fact in facts:
        run(fact)
    per = (time.perf_counter() - started) / count * 1e6
    rows.append(
        row(
            "durable-rules host driven naively (durable.lang, session per profile, first phase only)",
            round(per, 1),
            "µs/profile",
        )
    )


def stages(rows: list[Row], count: int = 3000) -> None:
    """Where an assessment's time goes, stage by stage (µs per profile, CPU time of this process),
    and durable-rules' own C calls for the first phase alone: a session per profile, one session
    per batch, and the same facts on a ruleset of nothing but its catch-all (the floor)."""
    book = default_rulebook()
    sample = profiles(count, seed=82)
    spent = dict.fromkeys(("parse", "hash", "facts", "inference", "decision", "json"), 0.0)
    clock = time.process_time
    for p in sample:
        t0 = clock()
        parsed = parse_profile(p)
        day = parsed.assessment_date
        assert day is not None
        compiled = book.in_force(day)
        t1 = clock()
        digest = sha256_of({**parsed.canonical(), "assessment_date": day.isoformat()})
        t2 = clock()
        facts = profile_facts(parsed, as_of=day, vocabulary=book.vocabulary)
        t3 = clock()
        (inference,) = infer_many(compiled, book.handle(compiled.release.id), [facts], book.outcomes)
        t4 = clock()
        decision = build_decision(
            inference,
            compiled=compiled,
            model=book.outcomes,
            labels=book.labels,
            as_of=day,
            profile_sha256=digest,
            explicit=False,
        )
        t5 = clock()
        canonical_json(decision.model_dump(mode="json"))
        t6 = clock()
        for stage, took in zip(spent, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5), strict=True):
            spent[stage] += took
    for stage, total in spent.items():
        rows.append(row(f"stage: {stage} (µs per profile)", round(total / count * 1e6, 1), "µs"))
    compiled = book.get("2026.01")
    firsts = []
    for p in sample:
        parsed = parse_profile(p)
        values = profile_facts(
            parsed, as_of=parsed.assessment_date or compiled.release.in_force_from, vocabulary=book.vocabulary
        )
        values.update({name: None for name in compiled.phases[0] if name not in values})
        fact = compiled.plans[0].fact(0, values)
        if fact is not None:
            firsts.append(fact)
    full = book.handle("2026.01")
    rules = len(compiled.durable_definition())
    floor = host.ruleset("bench:catch-all-only", {f"{CATCH_ALL}0": {"all": [{"m": {"phase": 0}}]}})
    for label, handle, size in (
        ("a session per profile", full, 1),
        (f"one session per {SESSION_SIZE} profiles (evaluate_many's)", full, SESSION_SIZE),
        ("one session per 64 profiles", full, 64),
        ("catch-all rule only, a session per profile (floor)", floor, 1),
    ):
        started = clock()
        for i in range(0, len(firsts), size):
            with host.session(handle) as session:
                session.assert_facts(firsts[i : i + size], lambda k, name: None)
        per = (clock() - started) / len(firsts) * 1e6
        rows.append(
            row(
                f"durable-rules via the host, first phase of 2026.01 ({rules} rules): {label}",
                round(per, 1),
                "µs/profile",
            )
        )


def guidance(rows: list[Row], count: int = 400) -> None:
    """Guidance per assessment: the decision plus why-not and the counterfactual search."""
    sample = profiles(count, seed=81)
    times = []
    for p in sample:
        decision = evaluate(p)
        started = time.perf_counter_ns()
        guide(p, decision)
        times.append(time.perf_counter_ns() - started)
    times.sort()
    rows.append(
        row(f"guidance per assessment, p50 ({count} profiles)", round(percentile(times, 0.5) / 1e6, 1), "ms")
    )
    rows.append(row("guidance per assessment, p99", round(percentile(times, 0.99) / 1e6, 1), "ms"))


def memory(rows: list[Row]) -> None:
    total = int(os.environ.get("BENCH_MEMORY_N", "1000000"))
    sample = profiles(1000, seed=80)
    for i in range(10_000):
        evaluate(sample[i % 1000])
    at_10k = rss_bytes()
    for i in range(total - 10_000):
        evaluate(sample[i % 1000])
    at_n = rss_bytes()
    growth = (at_n - at_10k) / at_10k * 100
    rows.append(row("RSS after 10,000 in-process assessments", round(at_10k / 2**20, 1), "MiB"))
    rows.append(row(f"RSS after {total:,} in-process assessments", round(at_n / 2**20, 1), "MiB"))
    rows.append(target(f"RSS growth from 10,000 to {total:,}", growth, "%", 5, abs(growth) <= 5))


def main() -> None:
    rows: list[Row] = []
    for step in (batch, sweep_speedup, in_process, stages, naive, guidance, memory):
        step(rows)
        print(f"{step.__name__}: done", flush=True)
    write_results("scale", rows)
    for r in rows:
        held = "" if "held" not in r else f"  target {r['target']}: {'held' if r['held'] else 'NOT held'}"
        print(f"{r['figure']}: {r['value']} {r['unit']}{held}")


if __name__ == "__main__":
    sys.exit(main())
