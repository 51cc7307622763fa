"""The sweep driver: plan partitions, submit one task each to the Dask cluster, record each
finished part in the manifest, then concatenate the parts in input order into OUTPUT."""

import json
import os
import sys
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import IO, Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq
from distributed import Client, as_completed
from pydantic import BaseModel, ConfigDict

from cases.sweeps.manifest import Manifest
from cases.sweeps.partitions import PROFILE_COLUMN, Partition, input_format, plan_partitions
from cases.sweeps.parts import SCHEMA, PartDone, run_partition
from engine.release import canonical_json

OutputFormat = Literal["parquet", "jsonl"]


class SweepInputError(ValueError):
    """The sweep cannot start as asked (bad input path, settings that do not match a resume)."""


class SweepSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    partitions: int
    skipped: int
    rows: int
    bad: int
    output: str


def output_format(path: str, given: str | None) -> OutputFormat:
    if given in ("parquet", "jsonl"):
        return given  # type: ignore[return-value]
    return "parquet" if path.lower().endswith((".parquet", ".pq")) else "jsonl"


def parts_dir_of(output: str) -> Path:
    return Path(f"{output}.parts")


def run_sweep(
    source: str,
    output: str,
    *,
    client: Client,
    partition_size: int = 10_000,
    resume: bool = False,
    fmt: OutputFormat | None = None,
    as_of: date | None = None,
    release: str | None = None,
    progress: IO[str] | None = None,
    on_part: Callable[[PartDone], None] | None = None,
) -> SweepSummary:
    """Sweep `source` into `output`; with `resume`, partitions already finished are skipped."""
    source = os.path.abspath(source)  # workers on other machines read the same path
    settings = check_sweep(
        source, output, partition_size=partition_size, resume=resume, as_of=as_of, release=release
    )
    chosen = output_format(output, fmt)
    parts = plan_partitions(source, size=partition_size, settings=canonical_json(settings))
    parts_dir = parts_dir_of(output)
    manifest = _prepare(parts_dir, settings, resume=resume)
    todo = [p for p in parts if not manifest.is_done(p.name, p.sha256, parts_dir)]
    bar = _Bar(
        progress if progress is not None else sys.stderr, total=len(parts), done=len(parts) - len(todo)
    )
    run_id = uuid.uuid4().hex[:8]
    futures = [
        client.submit(
            run_partition,
            part,
            str(parts_dir.resolve()),
            as_of=as_of,
            release=release,
            key=f"sandbox-sweep-{part.name}-{run_id}",
        )
        for part in todo
    ]
    writer = _OrderedWriter(output, chosen, parts_dir)
    try:
        writer.advance(parts, manifest)
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            done: PartDone = future.result()
            manifest.finished[parts[done.index].name] = done.model_dump()
            manifest.save(parts_dir)
            bar.step()
            if on_part is not None:
                on_part(done)
            writer.advance(parts, manifest)  # what is finished in order goes out while the rest runs
        writer.finish()
    finally:
        for future in futures:
            future.release()  # type: ignore[no-untyped-call]
        writer.close()
        bar.close()
    for leftover in parts_dir.glob(".*.tmp"):  # halves of tasks whose worker was killed
        leftover.unlink(missing_ok=True)
    return SweepSummary(
        partitions=len(parts), skipped=len(parts) - len(todo), rows=writer.rows, bad=writer.bad, output=output
    )


def check_sweep(
    source: str, output: str, *, partition_size: int, resume: bool, as_of: date | None, release: str | None
) -> dict[str, Any]:
    """The sweep's settings, once the input exists and a resume would continue the same sweep
    (SweepInputError if not): checked before any cluster starts."""
    if not Path(source).is_file():
        raise SweepInputError(f"{source}: no such input file")
    if input_format(source) == "parquet":
        _check_parquet(source)
    settings: dict[str, Any] = {
        "input": os.path.abspath(source),
        "input_format": input_format(source),
        "partition_size": partition_size,
        "as_of": as_of.isoformat() if as_of else None,
        "release": release,
    }
    existing = Manifest.load(parts_dir_of(output)) if resume else None
    if existing is not None and existing.settings != settings:
        raise SweepInputError(
            f"--resume: {parts_dir_of(output)} was made with other settings "
            f"({canonical_json(existing.settings)}); run without --resume to start again"
        )
    return settings


def _check_parquet(source: str) -> None:
    try:
        schema = pq.read_schema(source)
    except (OSError, pa.ArrowException) as exc:
        raise SweepInputError(f"{source}: not a readable Parquet file ({exc})") from None
    if PROFILE_COLUMN not in schema.names:
        raise SweepInputError(
            f"{source}: no column {PROFILE_COLUMN!r} (a Parquet input holds one profile's JSON a row in it)"
        )
    kind = schema.field(PROFILE_COLUMN).type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        raise SweepInputError(f"{source}: column {PROFILE_COLUMN!r} is {kind}, not a string of JSON")


def _prepare(parts_dir: Path, settings: dict[str, Any], *, resume: bool) -> Manifest:
    parts_dir.mkdir(parents=True, exist_ok=True)
    existing = Manifest.load(parts_dir)
    if resume and existing is not None:
        return existing
    for stale in parts_dir.glob("part-*.parquet"):
        stale.unlink()
    manifest = Manifest(settings=settings)
    manifest.save(parts_dir)
    return manifest


class _OrderedWriter:
    """Appends the finished parts to a temporary file in input order, renamed to OUTPUT at the end."""

    def __init__(self, output: str, fmt: OutputFormat, parts_dir: Path) -> None:
        self.target, self.fmt, self.parts_dir = Path(output), fmt, parts_dir
        self.tmp = self.target.with_name(f".{self.target.name}.{os.getpid()}.tmp")
        self.next = self.rows = self.bad = self.total = 0
        self.parquet = pq.ParquetWriter(self.tmp, SCHEMA) if fmt == "parquet" else None
        self.text = None if fmt == "parquet" else self.tmp.open("w", encoding="utf-8")
        self.done = False

    def advance(self, parts: list[Partition], manifest: Manifest) -> None:
        while self.next < len(parts) and parts[self.next].name in manifest.finished:
            self._append(self.parts_dir / manifest.finished[parts[self.next].name]["file"])
            self.next += 1
        self.total = len(parts)

    def _append(self, path: Path) -> None:
        table = pq.read_table(path, schema=SCHEMA)
        self.rows += table.num_rows
        self.bad += table.num_rows - table.column("error").null_count
        if self.parquet is not None:
            self.parquet.write_table(table)
            return
        assert self.text is not None
        cells = (table.column(c).to_pylist() for c in ("decision_json", "error", "row"))
        for decision, error, row in zip(*cells, strict=True):
            if error is None:
                self.text.write(decision + "\n")
            else:
                self.text.write(canonical_json({"line": row, "errors": json.loads(error)}) + "\n")

    def finish(self) -> None:
        if self.next != self.total:
            raise RuntimeError(f"the sweep ended with {self.total - self.next} partition(s) not written")
        self._close_handles()
        os.replace(self.tmp, self.target)
        self.done = True

    def close(self) -> None:
        """Close; a file never finished is removed (OUTPUT is whole or untouched)."""
        self._close_handles()
        if not self.done:
            self.tmp.unlink(missing_ok=True)

    def _close_handles(self) -> None:
        if self.parquet is not None:
            self.parquet.close()
        if self.text is not None:
            self.text.close()
        self.parquet = self.text = None


class _Bar:
    """Partitions done of all, on a terminal's standard error; silent otherwise."""

    def __init__(self, stream: IO[str], *, total: int, done: int) -> None:
        self.stream, self.on = stream, stream.isatty()
        self.total, self.done, self.started = total, done, time.monotonic()
        self._draw()

    def step(self) -> None:
        self.done += 1
        self._draw()

    def _draw(self) -> None:
        if self.on:
            width = 30
            filled = width * self.done // max(self.total, 1)
            elapsed = time.monotonic() - self.started
            self.stream.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] "
                f"{self.done}/{self.total} partitions, {elapsed:.0f}s"
            )
            self.stream.flush()

    def close(self) -> None:
        if self.on:
            self.stream.write("\n")
