"""Cutting a sweep's input into partitions: byte ranges of a JSONL file or row ranges of a
Parquet file, each with a hash of its content (and of the sweep's settings) for resuming."""

import hashlib
from pathlib import Path
from typing import Literal

import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict

InputFormat = Literal["jsonl", "parquet"]
#: The Parquet column holding one profile per row as JSON text.
PROFILE_COLUMN = "profile"


class Partition(BaseModel):
    """One task's share of the input: rows `first_row`.. (1-based line or row numbers)."""

    model_config = ConfigDict(frozen=True)

    index: int
    source: str
    kind: InputFormat
    start: int  # JSONL: byte offset; Parquet: row offset (0-based)
    stop: int  # JSONL: byte offset past the last line; Parquet: row offset past the last row
    first_row: int
    rows: int
    sha256: str

    @property
    def name(self) -> str:
        return f"part-{self.index:06d}"


def input_format(path: str) -> InputFormat:
    return "parquet" if path.lower().endswith((".parquet", ".pq")) else "jsonl"


def plan_partitions(source: str, *, size: int, settings: str = "") -> list[Partition]:
    """The partitions of `source`, `size` profiles each (the last may hold fewer)."""
    if size < 1:
        raise ValueError("partition size must be 1 or more")
    kind = input_format(source)
    if kind == "parquet":
        return _parquet(source, size=size, settings=settings)
    return _jsonl(source, size=size, settings=settings)


def _jsonl(source: str, *, size: int, settings: str) -> list[Partition]:
    """Blank lines are skipped (as by `assess --jsonl`) but keep their numbers."""
    parts: list[Partition] = []
    digest = hashlib.sha256(settings.encode("utf-8"))
    start = offset = 0
    first = number = 1
    rows = 0
    with Path(source).open("rb") as handle:
        for line in handle:
            if rows == 0:
                start, first = offset, number
            offset += len(line)
            number += 1
            if not line.strip():
                continue
            digest.update(line)
            rows += 1
            if rows == size:
                parts.append(_part(parts, source, "jsonl", start, offset, first, rows, digest))
                digest, rows = hashlib.sha256(settings.encode("utf-8")), 0
    if rows:
        parts.append(_part(parts, source, "jsonl", start, offset, first, rows, digest))
    return parts


def _parquet(source: str, *, size: int, settings: str) -> list[Partition]:
    table = pq.read_table(source, columns=[PROFILE_COLUMN])
    texts = table.column(PROFILE_COLUMN).to_pylist()
    parts: list[Partition] = []
    for start in range(0, len(texts), size):
        chunk = texts[start : start + size]
        digest = hashlib.sha256(settings.encode("utf-8"))
        for text in chunk:
            digest.update(b"\x00" if text is None else str(text).encode("utf-8") + b"\n")
        parts.append(
            _part(parts, source, "parquet", start, start + len(chunk), start + 1, len(chunk), digest)
        )
    return parts


def _part(
    parts: list[Partition],
    source: str,
    kind: InputFormat,
    start: int,
    stop: int,
    first: int,
    rows: int,
    digest: "hashlib._Hash",
) -> Partition:
    return Partition(
        index=len(parts),
        source=source,
        kind=kind,
        start=start,
        stop=stop,
        first_row=first,
        rows=rows,
        sha256=digest.hexdigest(),
    )


def read_partition(part: Partition) -> list[tuple[int, str | None]]:
    """The numbered profile texts of one partition (None: a null Parquet cell)."""
    if part.kind == "parquet":
        return _parquet_rows(part)
    with Path(part.source).open("rb") as handle:
        handle.seek(part.start)
        data = handle.read(part.stop - part.start)
    items: list[tuple[int, str | None]] = []
    # Split on newlines only, as reading the file line by line does (not on U+2028 and kin).
    for number, line in enumerate(data.split(b"\n"), start=part.first_row):
        if line.strip():
            items.append((number, line.decode("utf-8", errors="replace")))
    return items


def _parquet_rows(part: Partition) -> list[tuple[int, str | None]]:
    """Only the row groups that overlap the partition are read."""
    handle = pq.ParquetFile(part.source)
    groups: list[int] = []
    skip = seen = 0
    for group in range(handle.metadata.num_row_groups):
        count = handle.metadata.row_group(group).num_rows
        if seen + count > part.start and seen < part.stop:
            if not groups:
                skip = part.start - seen
            groups.append(group)
        seen += count
    table = handle.read_row_groups(groups, columns=[PROFILE_COLUMN]).slice(skip, part.rows)
    texts = table.column(PROFILE_COLUMN).to_pylist()
    return [(part.first_row + i, None if t is None else str(t)) for i, t in enumerate(texts)]
