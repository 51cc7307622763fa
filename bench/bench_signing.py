"""Signing benchmark: signature cost per decision, checkpoint and proofs over 1,000,000 records,
and the offline verification of a case bundle of 100 decisions.

- sign / verify: Ed25519 over a record hash (cases/store/signing.py), median of --signs runs;
  and the whole `assess --record --sign-with` path (record_signed) against `record_assessment`
  alone, median of --records each, on a SQLite store.
- checkpoint: the Merkle computation (cases/store/merkle.py) over 1,000,000 record hashes held in
  memory (sha256 of the record number, standing in for stored hashes): the leaf hashes, then the
  root, then an inclusion proof of the middle record and consistency proofs to 1,000,000 from
  500,000 and from 999,999, each with its size in hashes and bytes and its check time. Reading
  the hashes from the database is not included (a sequential scan of one column).
- checkpoint on a store: `make_checkpoint` (what `sandbox audit checkpoint` runs: the chain walk,
  the check of earlier checkpoints, reading every record hash, the root, the signature) on a
  SQLite store bulk-filled with --store records (bench_records.bulk_fill), and a second
  checkpoint over the same store (which also checks the first).
- verify-bundle: a case of 100 signed decisions exported from a SQLite store, verified as
  `sandbox audit verify-bundle` does (seal, checkpoint, hashes, proofs, links, signatures, replay
  from the bundled rules), median of 3 runs.

Writes bench/results/signing.json. Run from the project root: .venv/bin/python bench/bench_signing.py
"""

import argparse
import hashlib
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import Row, header, median, row, write_results

from cases.bundle import verify_bundle
from cases.store import StoreSettings, merkle, open_store, record_assessment
from cases.store.checkpoints import load_checkpoint_key, make_checkpoint
from cases.store.export import export_case
from cases.store.signed import record_signed
from cases.store.signing import create_signer, load_signing_key, sign_hash, verify_hash
from cases.synthetic import profiles

PASS = "bench passphrase"


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def micro(action: Callable[[], Any], runs: int) -> float:
    """Median microseconds of one call."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter_ns()
        action()
        samples.append((time.perf_counter_ns() - started) / 1000)
    return median(samples)


def signature_rows(folder: Path, signs: int, records: int) -> list[Row]:
    store = open_store(StoreSettings(database_url=f"sqlite:///{folder / 'sign.db'}"))
    try:
        create_signer(store, name="Bench", passphrase=PASS, key_file=folder / "bench.pem")
        key = load_signing_key(folder / "bench.pem", PASS)
        public = key.public_key().public_bytes_raw().hex()
        digest = hashlib.sha256(b"a record").hexdigest()
        signature = sign_hash(key, digest)
        sample = [p for p in profiles(records * 2, seed=7)][: records * 2]
        plain_times, signed_times = [], []
        for index in range(records):
            seconds, _ = timed(lambda i=index: record_assessment(store, sample[2 * i], actor="bench"))
            plain_times.append(seconds * 1e6)
            seconds, _ = timed(
                lambda i=index: record_signed(store, sample[2 * i + 1], key=key, actor="bench")
            )
            signed_times.append(seconds * 1e6)
    finally:
        store.dispose()
    return [
        row(
            "sign one record hash (Ed25519), median",
            round(micro(lambda: sign_hash(key, digest), signs), 1),
            "µs",
        ),
        row(
            "verify one decision signature, median",
            round(micro(lambda: verify_hash(public, digest, signature), signs), 1),
            "µs",
        ),
        row("record a decision (SQLite), median", round(median(plain_times)), "µs"),
        row(
            "record and sign a decision in one transaction (SQLite), median",
            round(median(signed_times)),
            "µs",
        ),
    ]


def merkle_rows(size: int) -> list[Row]:
    hashes = [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(size)]
    leaf_seconds, leaves = timed(lambda: [merkle.leaf_hash(h) for h in hashes])
    root_seconds, top = timed(lambda: merkle.root(leaves))
    middle = size // 2
    proof_seconds, proof = timed(lambda: merkle.inclusion_proof(leaves, middle))
    check = micro(lambda: merkle.verify_inclusion(leaves[middle], middle, size, proof, top), 200)
    many = list(range(0, size, max(1, size // 200)))[:200]
    many_seconds, _ = timed(lambda: merkle.inclusion_proofs(leaves, many))
    rows = [
        row("records in the Merkle tree", size, "records"),
        row(f"leaf hashes of {size:,} records", round(leaf_seconds, 2), "s"),
        row(f"Merkle root of {size:,} leaves (the checkpoint's work)", round(root_seconds, 2), "s"),
        row("checkpoint Merkle work in total (leaves + root)", round(leaf_seconds + root_seconds, 2), "s"),
        row("inclusion proof size", len(proof), "hashes"),
        row("inclusion proof size in bytes", 32 * len(proof), "bytes"),
        row("inclusion proof: build from the leaves", round(proof_seconds, 2), "s"),
        row("inclusion proof: verify, median", round(check, 1), "µs"),
        row(
            f"{len(many)} inclusion proofs from one build of the tree (what an export does)",
            round(many_seconds, 2),
            "s",
        ),
    ]
    for old in (size // 2, size - 1):
        old_root = merkle.root(leaves[:old])
        seconds, path = timed(lambda o=old: merkle.consistency_proof(leaves, o))
        verify = micro(lambda o=old, p=path, r=old_root: merkle.verify_consistency(o, size, r, top, p), 200)
        rows += [
            row(f"consistency proof {old:,} -> {size:,}: size", len(path), "hashes"),
            row(f"consistency proof {old:,} -> {size:,}: build", round(seconds, 2), "s"),
            row(f"consistency proof {old:,} -> {size:,}: verify, median", round(verify, 1), "µs"),
        ]
    return rows


def store_checkpoint_rows(folder: Path, count: int) -> list[Row]:
    from bench_records import bulk_fill, pool_of

    store = open_store(StoreSettings(database_url=f"sqlite:///{folder / 'checkpoint.db'}"))
    try:
        bulk_fill(store, pool_of(500, seed=3), count)
        key = load_checkpoint_key(folder / "store-checkpoint.key", create=True)
        first, _ = timed(lambda: make_checkpoint(store, key))
        second, _ = timed(lambda: make_checkpoint(store, key))
    finally:
        store.dispose()
    return [
        row(
            f"sqlite: `audit checkpoint` of a store of {count:,} records (chain walk included)",
            round(first, 2),
            "s",
        ),
        row(f"sqlite: a second checkpoint of the {count:,} (checks the first too)", round(second, 2), "s"),
    ]


def bundle_rows(folder: Path, decisions: int) -> list[Row]:
    store = open_store(StoreSettings(database_url=f"sqlite:///{folder / 'bundle.db'}"))
    try:
        create_signer(store, name="Bench", passphrase=PASS, key_file=folder / "case.pem")
        key = load_signing_key(folder / "case.pem", PASS)
        base = next(iter(profiles(1, seed=11)))
        start = date(2020, 8, 1)
        for index in range(decisions):
            day = start + timedelta(days=23 * index)
            record_signed(store, {**base, "assessment_date": day.isoformat()}, key=key, actor="bench")
        checkpoint_key = load_checkpoint_key(folder / "checkpoint.key", create=True)
        make_checkpoint(store, checkpoint_key)
        export_seconds, data = timed(lambda: export_case(store, 1, key=checkpoint_key))
    finally:
        store.dispose()
    times = []
    for _ in range(3):
        seconds, report = timed(lambda: verify_bundle(data))
        assert report.ok, report.problems
        times.append(seconds)
    replayed = sum("identical byte for byte" in line for line in report.checked)
    return [
        row(f"bundle of a case of {decisions} decisions", len(data), "bytes"),
        row(f"`audit export` of the case of {decisions} decisions (SQLite)", round(export_seconds, 2), "s"),
        row(
            f"verify-bundle of {decisions} decisions ({replayed} replayed), median of 3",
            round(median(times), 2),
            "s",
        ),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=1_000_000, help="records in the Merkle tree")
    parser.add_argument("--signs", type=int, default=2_000, help="signatures timed")
    parser.add_argument("--records", type=int, default=200, help="decisions recorded each way")
    parser.add_argument("--bundle", type=int, default=100, help="decisions in the exported case")
    parser.add_argument("--store", type=int, default=100_000, help="records of the checkpointed store")
    args = parser.parse_args(argv)
    print(header(), flush=True)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        rows = signature_rows(folder, args.signs, args.records)
        rows += merkle_rows(args.size)
        rows += store_checkpoint_rows(folder, args.store)
        rows += bundle_rows(folder, args.bundle)
    for r in rows:
        print(f"{r['figure']}: {r['value']} {r['unit']}")
    print(f"wrote {write_results('signing', rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
