"""Decision store benchmark: recording and replay throughput on SQLite and PostgreSQL.

For each database: a fresh store is filled with --decisions records (default 100,000) through a
bulk path (real evaluations of a pool of synthetic profiles, repeated, each row hash-chained as
the store does); `verify_chain` then checks the fill. The measured figures use the store's real
code paths only:

- recording: `record_assessment` (evaluate + append, one transaction each) --record times, and
  `append` alone of decisions evaluated beforehand, on the filled store;
- replay: `replay_all` over every stored decision with the worker processes `sandbox replay --all`
  uses on a large store (one per CPU), and one process over the first --serial decisions;
- verify: `verify_chain` over the whole chain.

Writes bench/results/records.json. Run from the project root: .venv/bin/python bench/bench_records.py
"""

import argparse
import itertools
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import Row, header, row, write_results
from sqlalchemy import create_engine, insert, text
from sqlmodel import select

from cases.store import Store, StoreSettings, open_store, record_assessment, replay_all, verify_chain
from cases.store.chain import hashed_content
from cases.store.records import append, stored_input
from cases.store.tables import Case, ChainHead, DecisionRecord
from cases.synthetic import profiles
from engine import Decision, SandboxError, __version__, evaluate
from engine.release import canonical_json, sha256_of

POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SQLITE_TARGET_SECONDS = 60.0
Entry = tuple[dict[str, Any], dict[str, Any], Decision]


def pool_of(size: int, seed: int) -> list[Entry]:
    """Raw profile, stored input and decision for each synthetic profile the engine accepts."""
    entries = []
    for raw in profiles(size, seed=seed):
        try:
            decision = evaluate(raw)
        except SandboxError as exc:
            print(f"  skipped a generated profile the engine rejects: {exc}", file=sys.stderr)
            continue
        entries.append((raw, stored_input(raw, decision), decision))
    return entries


def bulk_fill(store: Store, pool: list[Entry], count: int) -> None:
    """Fill an empty store with `count` hash-chained records, cases found as the store finds them."""
    now = "2026-11-27T00:00:00.000000+00:00"
    keys = [(p.get("uscc"), p["name"] if not p.get("uscc") else None) for _, p, _ in pool]
    with store.writing() as session:
        case_ids: dict[tuple[str | None, str | None], int] = {}
        for (uscc, _), (_, profile, _) in zip(keys, pool, strict=True):
            key = (uscc, None if uscc else profile["name"])
            if key not in case_ids:
                case = Case(name=profile["name"], uscc=uscc, created_at=now)
                session.add(case)
                session.flush()
                assert case.id is not None
                case_ids[key] = case.id
        texts = [(canonical_json(p), d.to_json()) for _, p, d in pool]
        case_seq: dict[int, int] = {}
        previous, batch = "0" * 64, []
        for seq in range(1, count + 1):
            index = (seq - 1) % len(pool)
            _, profile, decision = pool[index]
            case_id = case_ids[keys[index]]
            case_seq[case_id] = case_seq.get(case_id, 0) + 1
            record = {
                "seq": seq,
                "case_id": case_id,
                "case_seq": case_seq[case_id],
                "kind": "regulatory",
                "actor": "bench",
                "profile_json": texts[index][0],
                "profile_sha256": decision.profile_sha256,
                "release_id": decision.ruleset.release,
                "release_sha256": decision.ruleset.sha256,
                "selection": decision.ruleset.selection,
                "as_of": decision.assessment_date.isoformat(),
                "engine_version": __version__,
                "decision_json": texts[index][1],
                "created_at": now,
                "prev_hash": previous,
            }
            record["hash"] = previous = sha256_of(hashed_content(record))
            batch.append(record)
            if len(batch) == 2000:
                session.execute(insert(DecisionRecord), batch)
                batch = []
        if batch:
            session.execute(insert(DecisionRecord), batch)
        head = session.exec(select(ChainHead)).one()
        head.seq, head.hash = count, previous
        session.add(head)


def measure(backend: str, url: str, args: argparse.Namespace, pool: list[Entry]) -> list[Row]:
    rows: list[Row] = []
    store = open_store(StoreSettings(database_url=url))
    try:
        started = time.perf_counter()
        bulk_fill(store, pool, args.decisions)
        print(
            f"{backend}: filled {args.decisions:,} decisions in {time.perf_counter() - started:.1f} s",
            flush=True,
        )

        with store.reading() as session:
            started = time.perf_counter()
            report = verify_chain(session)
            seconds = time.perf_counter() - started
        if not report.intact:
            raise SystemExit(f"{backend}: the filled chain does not verify: {report.problem}")
        rows.append(
            row(
                f"{backend}: verify chain of {report.records:,}",
                round(report.records / seconds),
                "decisions/s",
            )
        )

        raws = [raw for raw, _, _ in pool]
        started = time.perf_counter()
        for index in range(args.record):
            record_assessment(store, raws[index % len(raws)], actor="bench")
        rate = args.record / (time.perf_counter() - started)
        rows.append(
            row(
                f"{backend}: record (assess + append), {args.record:,} one by one",
                round(rate, 1),
                "decisions/s",
            )
        )

        started = time.perf_counter()
        for index in range(args.record):
            _, profile, decision = pool[index % len(pool)]
            append(store, profile=profile, decision=decision, kind="regulatory", actor="bench")
        rate = args.record / (time.perf_counter() - started)
        rows.append(
            row(f"{backend}: append alone (evaluated before), {args.record:,}", round(rate, 1), "decisions/s")
        )

        total = args.decisions + 2 * args.record
        workers = args.workers or os.cpu_count() or 1
        started = time.perf_counter()
        statuses: dict[str, int] = {}
        for result in replay_all(store, workers=workers):
            statuses[result.status] = statuses.get(result.status, 0) + 1
        seconds = time.perf_counter() - started
        replayed = sum(statuses.values())
        print(
            f"{backend}: replayed {replayed:,} in {seconds:.1f} s with {workers} workers: {statuses}",
            flush=True,
        )
        rows.append(
            row(
                f"{backend}: replay all {replayed:,}, {workers} worker processes",
                round(replayed / seconds),
                "decisions/s",
            )
        )
        per_100k = seconds * 100_000 / replayed
        time_row = row(
            f"{backend}: replay wall time for 100,000 ({workers} workers)", round(per_100k, 1), "s"
        )
        if backend == "sqlite":
            time_row["target"] = "< 60 s for 100,000 on SQLite"
            time_row["held"] = per_100k < SQLITE_TARGET_SECONDS
        rows.append(time_row)
        rows.append(
            row(f"{backend}: replays not identical", replayed - statuses.get("identical", 0), "decisions")
        )
        if replayed != total:
            raise SystemExit(f"{backend}: replayed {replayed} of {total} decisions")

        started = time.perf_counter()
        serial = sum(1 for _ in itertools.islice(replay_all(store, workers=1), args.serial))
        rate = serial / (time.perf_counter() - started)
        rows.append(row(f"{backend}: replay, one process, first {serial:,}", round(rate), "decisions/s"))
        rows.append(
            row(
                f"{backend}: replay wall time for 100,000, one process (extrapolated)",
                round(100_000 / rate, 1),
                "s",
            )
        )
    finally:
        store.dispose()
    return rows


def fresh_postgres() -> tuple[str, Any]:
    schema = f"bench_records_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = StoreSettings(database_url=POSTGRES).url.update_query_dict({"options": f"-csearch_path={schema}"})

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return url.render_as_string(hide_password=False), drop


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--decisions", type=int, default=100_000, help="records in the filled store")
    parser.add_argument("--record", type=int, default=2_000, help="records timed through the real paths")
    parser.add_argument("--serial", type=int, default=10_000, help="replays timed in one process")
    parser.add_argument("--pool", type=int, default=2_000, help="distinct synthetic profiles")
    parser.add_argument("--workers", type=int, help="replay processes (default: one per CPU)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    print(header(), flush=True)
    pool = pool_of(args.pool, seed=1)
    rows: list[Row] = [row("decisions in each filled store", args.decisions, "decisions")]
    for backend in args.backends.split(","):
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                rows += measure(backend, f"sqlite:///{Path(folder) / 'bench.db'}", args, pool)
        else:
            url, drop = fresh_postgres()
            try:
                rows += measure(backend, url, args, pool)
            finally:
                drop()
    for r in rows:
        extra = f"  (target {r['target']}: {'held' if r['held'] else 'NOT held'})" if "target" in r else ""
        print(f"{r['figure']}: {r['value']} {r['unit']}{extra}")
    print(f"wrote {write_results('records', rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
