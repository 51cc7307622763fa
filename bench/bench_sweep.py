"""Issue 13's sweep figures: BENCH_SWEEP_N generated profiles (default 1,000,000) through
`sandbox sweep` on a LocalCluster of 2 workers against `sandbox assess --jsonl --workers 2` in
the same run (throughput ratio, target >= 0.9), the RSS of each worker sampled over the sweep
(flat?), and the same sweep on a 2-node cluster simulated here (a `dask scheduler` and two
`dask worker` processes on their own ports, one thread each). Writes bench/results/sweep.json."""

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pyarrow.parquet as pq
from common import ROOT, Row, median, row, write_results

from cases.synthetic import profiles

BIN = ROOT / ".venv" / "bin"
SANDBOX, DASK = str(BIN / "sandbox"), str(BIN / "dask")
#: Profiles per partition: about 100 partitions, so no worker idles long at the end.
PARTITION = 10_000
#: The dask worker processes run without the statistical profiler, as the embedded cluster does.
NO_PROFILER = {"DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False"}


def target(figure: str, value: float, unit: str, goal: float, held: bool) -> Row:
    return {"figure": figure, "value": round(value, 3), "unit": unit, "target": goal, "held": held}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RssSampler:
    """Samples, once a second, the RSS of the worker processes `find` names."""

    def __init__(self, find: Callable[[], list[psutil.Process]]) -> None:
        self.find = find
        self.samples: dict[int, list[int]] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.wait(1.0):
            for proc in self.find():
                try:
                    self.samples.setdefault(proc.pid, []).append(proc.memory_info().rss)
                except psutil.Error:
                    continue

    def close(self) -> dict[int, list[int]]:
        self.stop.set()
        self.thread.join()
        return {pid: s for pid, s in self.samples.items() if len(s) >= 4}


def spawned_workers(parent: int) -> list[psutil.Process]:
    try:
        children = psutil.Process(parent).children(recursive=True)
    except psutil.Error:
        return []
    found = []
    for child in children:
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.Error:
            continue
    return found


def memory_rows(label: str, samples: dict[int, list[int]]) -> list[Row]:
    rows: list[Row] = []
    for number, (_, series) in enumerate(sorted(samples.items()), start=1):
        quarter = max(len(series) // 4, 1)
        early, late = median(series[quarter : 2 * quarter] or series), median(series[-quarter:])
        growth = (late - early) / early if early else 0.0
        rows.append(
            row(f"{label}: worker {number} RSS, second quarter median", round(early / 2**20, 1), "MiB")
        )
        rows.append(row(f"{label}: worker {number} RSS, last quarter median", round(late / 2**20, 1), "MiB"))
        rows.append(row(f"{label}: worker {number} RSS, peak", round(max(series) / 2**20, 1), "MiB"))
        rows.append(
            target(
                f"{label}: worker {number} RSS growth, second to last quarter", growth, "", 0.1, growth <= 0.1
            )
        )
    return rows


def run_timed(
    command: list[str], *, stdout: Path | None = None, find_parent: bool = False
) -> tuple[float, dict[int, list[int]]]:
    started = time.perf_counter()
    with open(stdout or os.devnull, "w") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
        sampler = RssSampler(lambda: spawned_workers(proc.pid)) if find_parent else None
        proc.wait()
    elapsed = time.perf_counter() - started
    samples = sampler.close() if sampler else {}
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {proc.returncode}")
    return elapsed, samples


def two_node_sweep(source: Path, output: Path) -> tuple[float, dict[int, list[int]]]:
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": {**os.environ, **NO_PROFILER}}
    scheduler = subprocess.Popen(
        [DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--dashboard-address", ":0"], **quiet
    )  # type: ignore[call-overload]
    workers = [
        subprocess.Popen(  # type: ignore[call-overload]
            [
                DASK,
                "worker",
                address,
                "--nthreads",
                "1",
                "--no-nanny",
                "--worker-port",
                str(free_port()),
                "--name",
                f"node-{n}",
                "--dashboard-address",
                ":0",
            ],
            **quiet,
        )
        for n in (1, 2)
    ]
    try:
        time.sleep(5)
        nodes = [psutil.Process(w.pid) for w in workers]
        started = time.perf_counter()
        sampler = RssSampler(lambda: nodes)
        done = subprocess.run(
            [
                SANDBOX,
                "sweep",
                str(source),
                "-o",
                str(output),
                "--scheduler",
                address,
                "--partition-size",
                str(PARTITION),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
        samples = sampler.close()
        if done.returncode != 0:
            raise RuntimeError(f"2-node sweep exited {done.returncode}: {done.stderr[-500:]}")
        return elapsed, samples
    finally:
        for proc in [*workers, scheduler]:
            proc.send_signal(signal.SIGINT)
        for proc in [*workers, scheduler]:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def main() -> int:
    global PARTITION
    count = int(os.environ.get("BENCH_SWEEP_N", "1000000"))
    PARTITION = max(1000, min(10_000, count // 100))
    rows: list[Row] = [row("profiles", count, "profiles"), row("sweep partition size", PARTITION, "profiles")]
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        source = base / "profiles.jsonl"
        with source.open("w", encoding="utf-8") as handle:
            for profile in profiles(count, seed=13):
                handle.write(json.dumps(profile) + "\n")
        assess_time, _ = run_timed(
            [SANDBOX, "assess", "--jsonl", str(source), "--workers", "2"], stdout=base / "assess.jsonl"
        )
        rows.append(
            row("sandbox assess --jsonl --workers 2 (to a file)", round(count / assess_time), "profiles/s")
        )
        sweep_out = base / "sweep.parquet"
        sweep_time, samples = run_timed(
            [
                SANDBOX,
                "sweep",
                str(source),
                "-o",
                str(sweep_out),
                "--workers",
                "2",
                "--partition-size",
                str(PARTITION),
            ],
            find_parent=True,
        )
        rows.append(
            row(
                "sandbox sweep, LocalCluster of 2 workers (to Parquet, cluster start included)",
                round(count / sweep_time),
                "profiles/s",
            )
        )
        ratio = assess_time / sweep_time
        rows.append(
            target("sweep throughput / assess --jsonl --workers 2 throughput", ratio, "", 0.9, ratio >= 0.9)
        )
        rows += memory_rows("LocalCluster", samples)
        rows.append(
            row(
                "same decisions as assess (first row group of the Parquet output compared)",
                str(_same(base / "assess.jsonl", sweep_out)),
                "",
            )
        )
        two_time, two_samples = two_node_sweep(source, base / "two.parquet")
        rows.append(
            row(
                "sandbox sweep, 2-node cluster (dask scheduler + 2 dask workers, --nthreads 1)",
                round(count / two_time),
                "profiles/s",
            )
        )
        rows.append(
            row("2-node sweep throughput / assess --jsonl --workers 2", round(assess_time / two_time, 3), "")
        )
        rows += memory_rows("2-node", two_samples)
    write_results("sweep", rows)
    for r in rows:
        print(f"{r['figure']}: {r['value']} {r['unit']}")
    return 0


def _same(assessed: Path, swept: Path) -> bool:
    """The first partition of the sweep's Parquet against the first lines of `assess --jsonl`."""
    first = pq.ParquetFile(swept).read_row_group(0, columns=["decision_json"]).column("decision_json")
    with assessed.open(encoding="utf-8") as handle:
        lines = [line.rstrip("\n") for line in itertools.islice(handle, len(first))]
    return bool(first.to_pylist() == lines)


if __name__ == "__main__":
    sys.exit(main())
