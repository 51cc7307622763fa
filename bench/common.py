"""What every benchmark script shares: the result file format, the machine header and the table."""

import importlib.metadata
import json
import os
import platform
import resource
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NotRequired, TypedDict

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
MALLOC_VARS = ("MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_THRESHOLD_")
MACHINE_PREFIX = "machine: "


class Row(TypedDict):
    """One figure of a benchmark, as bench/results/<name>.json stores it."""

    figure: str
    value: float | int | str
    unit: str
    target: NotRequired[float | int | str]
    held: NotRequired[bool]


def row(figure: str, value: float | int | str, unit: str = "") -> Row:
    """A result row without a target."""
    return {"figure": figure, "value": value, "unit": unit}


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def malloc_settings() -> str:
    """Which of the glibc heap variables of durable note 10 are set, with their values."""
    found = [f"{name}={os.environ[name]}" for name in MALLOC_VARS if name in os.environ]
    if not found:
        return "not set"
    return ("all set: " if len(found) == len(MALLOC_VARS) else "partly set: ") + " ".join(found)


def machine_rows() -> list[Row]:
    """The machine and library versions, as rows (they lead bench/results/engine.json)."""
    return [
        row(f"{MACHINE_PREFIX}cpu count", os.cpu_count() or 0, "CPUs"),
        row(f"{MACHINE_PREFIX}platform", platform.platform()),
        row(f"{MACHINE_PREFIX}python", f"{platform.python_implementation()} {platform.python_version()}"),
        row(f"{MACHINE_PREFIX}durable-rules", _version("durable-rules")),
        row(f"{MACHINE_PREFIX}pydantic", _version("pydantic")),
        row(f"{MACHINE_PREFIX}MALLOC_* variables", malloc_settings()),
    ]


def header() -> str:
    """The machine header printed above a table."""
    lines = [f"{r['figure'].removeprefix(MACHINE_PREFIX)}: {r['value']}" for r in machine_rows()]
    return "Machine: " + "; ".join(lines)


def write_results(name: str, rows: Sequence[Row]) -> Path:
    """Write bench/results/<name>.json atomically (a .tmp file renamed into place)."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(list(rows), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def read_results(name: str) -> list[Row]:
    """The rows of bench/results/<name>.json; a malformed file raises ValueError."""
    data: Any = json.loads((RESULTS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    if not isinstance(data, list) or not all(
        isinstance(r, dict) and {"figure", "value", "unit"} <= set(r) for r in data
    ):
        raise ValueError(f"{name}.json is not a list of {{figure, value, unit}} objects")
    return data


def rss_bytes() -> int:
    """Resident set size now, from /proc/self/statm (0 where there is no /proc)."""
    try:
        resident = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return resident * os.sysconf("SC_PAGE_SIZE")


def peak_rss_bytes() -> int:
    """Peak resident set size of this process (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def percentile(sorted_values: Sequence[int | float], fraction: float) -> float:
    """The nearest-rank percentile of values already sorted ascending."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(fraction * len(sorted_values) + 0.5)))
    return float(sorted_values[rank - 1])


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def show(value: float | int | str) -> str:
    """A value as the table prints it: thousands separators from 1,000, else as stored."""
    if isinstance(value, bool | str):
        return str(value)
    if isinstance(value, int) or (float(value).is_integer() and abs(value) >= 1000):
        return f"{int(value):,}"
    if abs(value) >= 1000:
        return f"{value:,.1f}"
    return f"{value:g}"


def table(rows: Sequence[tuple[str, Row]]) -> str:
    """A plain-text table of (benchmark, row) pairs: bench, figure, value, unit, target, held."""
    with_targets = any("target" in r for _, r in rows)
    head = ["bench", "figure", "value", "unit"] + (["target", "held"] if with_targets else [])
    body = []
    for bench, r in rows:
        line = [bench, r["figure"], show(r["value"]), r["unit"]]
        if with_targets:
            held = r.get("held")
            line += [show(r["target"]) if "target" in r else "", "" if held is None else str(held).lower()]
        body.append(line)
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]
    right = {2}

    def fmt(line: list[str]) -> str:
        pairs = enumerate(zip(line, widths, strict=True))
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in pairs]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(head), rule, *(fmt(line) for line in body)])
