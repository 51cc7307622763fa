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
from typing import IO, Literal

import pyarrow.parquet as pq
from distributed import Client, as_completed
from pydantic import BaseModel, ConfigDict

from cases.sweeps.manifest import Manifest
from cases.sweeps.partitions import Partition, input_format, plan_partitions
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
    if not Path(source).is_file():
        raise SweepInputError(f"{source}: no such input file")
    chosen = output_format(output, fmt)
    settings = {
        "input": os.path.abspath(source),
        "input_format": input_format(source),
        "partition_size": partition_size,
        "as_of": as_of.isoformat() if as_of else None,
        "release": release,
    }
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
    try:
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            done: PartDone = future.result()
            manifest.finished[parts[done.index].name] = done.model_dump()
            manifest.save(parts_dir)
            bar.step()
            if on_part is not None:
                on_part(done)
    finally:
        for future in futures:
            future.release()  # type: ignore[no-untyped-call]
        bar.close()
    rows, bad = _concatenate(parts, parts_dir, manifest, output, chosen)
    for leftover in parts_dir.glob(".*.tmp"):  # halves of tasks whose worker was killed
        leftover.unlink(missing_ok=True)
    return SweepSummary(
        partitions=len(parts), skipped=len(parts) - len(todo), rows=rows, bad=bad, output=output
    )


def _prepare(parts_dir: Path, settings: dict[str, object], *, resume: bool) -> Manifest:
    parts_dir.mkdir(parents=True, exist_ok=True)
    existing = Manifest.load(parts_dir)
    if resume and existing is not None:
        if existing.settings != settings:
            raise SweepInputError(
                f"--resume: {parts_dir} was made with other settings ({canonical_json(existing.settings)}); "
                "run without --resume to start again"
            )
        return existing
    for stale in parts_dir.glob("part-*.parquet"):
        stale.unlink()
    manifest = Manifest(settings=settings)
    manifest.save(parts_dir)
    return manifest


def _concatenate(
    parts: list[Partition], parts_dir: Path, manifest: Manifest, output: str, fmt: OutputFormat
) -> tuple[int, int]:
    """Write every part, in input order, to a temporary file renamed to `output` at the end."""
    target = Path(output)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    rows = bad = 0
    if fmt == "parquet":
        with pq.ParquetWriter(tmp, SCHEMA) as writer:
            for part in parts:
                table = pq.read_table(parts_dir / manifest.finished[part.name]["file"], schema=SCHEMA)
                writer.write_table(table)
                rows += table.num_rows
                bad += table.num_rows - table.column("error").null_count
    else:
        with tmp.open("w", encoding="utf-8") as out:
            for part in parts:
                table = pq.read_table(
                    parts_dir / manifest.finished[part.name]["file"],
                    columns=["decision_json", "error", "row"],
                )
                cells = (table.column(c).to_pylist() for c in ("decision_json", "error", "row"))
                for decision, error, row in zip(*cells, strict=True):
                    if error is None:
                        out.write(decision + "\n")
                    else:
                        out.write(canonical_json({"line": row, "errors": _errors(error)}) + "\n")
                        bad += 1
                    rows += 1
    os.replace(tmp, target)
    return rows, bad


def _errors(text: str) -> object:
    return json.loads(text)


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
