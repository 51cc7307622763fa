"""One partition's task: assess its profiles and write its part file atomically (tmp + rename).

Each row gets the decision's columns, or the same errors `sandbox assess --jsonl` gives for a
line that is not a valid profile; a bad profile never stops the partition.
"""

import os
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict

from cases.sweeps.partitions import Partition, read_partition
from engine import ProfileError, SandboxError, evaluate_many
from engine.documents import InputError, parse_document
from engine.release import canonical_json

#: Profiles per engine call (engine.evaluate_many shares its durable-rules sessions among them).
BATCH = 64
#: Rows per row group of a part file.
CHUNK = 2048

SCHEMA = pa.schema(
    [
        ("tier", pa.string()),
        ("intensity", pa.string()),
        ("grade", pa.string()),
        ("credit_class", pa.string()),
        ("decisive_rules", pa.list_(pa.string())),
        ("release", pa.string()),
        ("profile_hash", pa.string()),
        ("decision_json", pa.string()),
        ("error", pa.string()),
        ("row", pa.int64()),
    ]
)


class PartDone(BaseModel):
    """What a finished task reports back: small, so the scheduler never carries decisions."""

    model_config = ConfigDict(frozen=True)

    index: int
    sha256: str
    rows: int
    bad: int
    file: str
    pid: int


def assess_items(
    items: list[tuple[int, str | None]], *, as_of: date | None, release: str | None
) -> dict[str, list[Any]]:
    """The output columns for some numbered profile texts, in their order."""
    columns: dict[str, list[Any]] = {name: [] for name in SCHEMA.names}
    for start in range(0, len(items), BATCH):
        _assess_batch(items[start : start + BATCH], columns, as_of=as_of, release=release)
    return columns


def _assess_batch(
    items: list[tuple[int, str | None]],
    columns: dict[str, list[Any]],
    *,
    as_of: date | None,
    release: str | None,
) -> None:
    documents: list[Any] = []
    places: list[int] = []
    out: list[tuple[int, Any]] = []
    for place, (number, text) in enumerate(items):
        try:
            if text is None:
                raise InputError("the profile cell is empty (null)")
            documents.append(parse_document(text, yaml_ok=False))
            places.append(place)
            out.append((number, None))
        except InputError as exc:
            out.append((number, [{"path": "", "reason": str(exc)}]))
    results = evaluate_many(documents, as_of=as_of, release=release)
    for place, result in zip(places, results, strict=True):
        number = items[place][0]
        if isinstance(result, ProfileError):
            out[place] = (number, [{"path": e.path, "reason": e.reason} for e in result.errors])
        elif isinstance(result, SandboxError):
            out[place] = (number, [{"path": "", "reason": f"{result.code}: {result}"}])
        else:
            out[place] = (number, result)
    for number, value in out:
        columns["row"].append(number)
        if isinstance(value, list):
            for name in SCHEMA.names[:-2]:
                columns[name].append(None)
            columns["error"].append(canonical_json(value))
            continue
        columns["tier"].append(value.tier)
        columns["intensity"].append(value.intensity.level)
        columns["grade"].append(value.platform_grade)
        columns["credit_class"].append(value.credit_class)
        columns["decisive_rules"].append(list(value.explanation.decisive))
        columns["release"].append(value.ruleset.release)
        columns["profile_hash"].append(value.profile_sha256)
        columns["decision_json"].append(value.to_json())
        columns["error"].append(None)


def run_partition(part: Partition, parts_dir: str, *, as_of: date | None, release: str | None) -> PartDone:
    """Assess one partition and write `parts_dir/<name>.parquet` (a rename: whole or absent).

    Rows are written in row groups of CHUNK, so a worker holds one chunk's decisions at a time."""
    items = read_partition(part)
    final = Path(parts_dir) / f"{part.name}.parquet"
    tmp = final.with_name(f".{part.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    bad = 0
    with pq.ParquetWriter(tmp, SCHEMA) as writer:
        for start in range(0, len(items), CHUNK):
            columns = assess_items(items[start : start + CHUNK], as_of=as_of, release=release)
            writer.write_table(pa.Table.from_pydict(columns, schema=SCHEMA))
            bad += sum(e is not None for e in columns["error"])
        if not items:
            writer.write_table(SCHEMA.empty_table())
    os.replace(tmp, final)
    return PartDone(
        index=part.index, sha256=part.sha256, rows=len(items), bad=bad, file=final.name, pid=os.getpid()
    )
