"""`sandbox sweep` on a LocalCluster: decisions byte-identical to `sandbox assess`, in input
order, bad profiles as error rows in place, a killed worker and a resumed sweep."""

import io
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from distributed import Client

from cases.sweeps import open_client, run_sweep
from cases.sweeps.parts import PartDone
from cases.synthetic import profiles
from engine import evaluate
from engine.release import canonical_json

BAD_FORMAT = '{"schema_version": "1", "name": "x", "formats": ["ride_haling"]}'
BAD_FORMAT_ERRORS = [
    {"path": "formats.0", "reason": "unknown format code 'ride_haling'; did you mean 'ride_hailing'?"}
]


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with open_client(workers=2) as opened:
        yield opened


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def sample_lines(count: int, *, seed: int) -> tuple[list[str], list[str]]:
    """Input lines with two bad ones and a blank one, and the lines `sandbox assess --jsonl` gives."""
    good = profiles(count, seed=seed)
    lines = [json.dumps(p, ensure_ascii=False) for p in good]
    lines[3:3] = [BAD_FORMAT, "{oops", ""]
    expected = [evaluate(p).to_json() for p in good]
    expected[3:3] = [
        canonical_json({"line": 4, "errors": BAD_FORMAT_ERRORS}),
        "(not JSON)",
    ]
    return lines, expected


def test_jsonl_sweep_gives_the_assess_lines_in_input_order(client: Client, tmp_path: Path) -> None:
    lines, expected = sample_lines(150, seed=31)
    source = write_jsonl(tmp_path / "in.jsonl", lines)
    summary = run_sweep(str(source), str(tmp_path / "out.jsonl"), client=client, partition_size=37)
    out = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert summary.partitions == 5 and summary.rows == 152 and summary.bad == 2
    assert out[:4] == expected[:4] and out[5:] == expected[5:]
    assert json.loads(out[4])["line"] == 5 and "not valid JSON" in json.loads(out[4])["errors"][0]["reason"]


def test_parquet_output_has_the_decision_columns_and_error_rows(client: Client, tmp_path: Path) -> None:
    good = profiles(40, seed=5)
    source = write_jsonl(tmp_path / "in.jsonl", [json.dumps(good[0]), BAD_FORMAT, *map(json.dumps, good[1:])])
    run_sweep(str(source), str(tmp_path / "out.parquet"), client=client, partition_size=16)
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.column_names == [
        "tier",
        "intensity",
        "grade",
        "credit_class",
        "decisive_rules",
        "release",
        "profile_hash",
        "decision_json",
        "error",
        "row",
    ]
    rows = table.to_pylist()
    assert [r["row"] for r in rows] == list(range(1, 42))
    assert rows[1]["error"] == canonical_json(BAD_FORMAT_ERRORS) and rows[1]["decision_json"] is None
    for row, profile in zip([rows[0], *rows[2:]], good, strict=True):
        decision = evaluate(profile)
        assert row["decision_json"] == decision.to_json() and row["error"] is None
        assert (row["tier"], row["grade"], row["credit_class"]) == (
            decision.tier,
            decision.platform_grade,
            decision.credit_class,
        )
        assert row["intensity"] == decision.intensity.level and row["release"] == decision.ruleset.release
        assert row["decisive_rules"] == decision.explanation.decisive
        assert row["profile_hash"] == decision.profile_sha256


def test_parquet_input_is_read_from_its_profile_column(client: Client, tmp_path: Path) -> None:
    good = profiles(30, seed=9)
    texts: list[str | None] = [json.dumps(p) for p in good]
    texts.insert(7, None)
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"profile": texts}), source, row_group_size=8)
    run_sweep(str(source), str(tmp_path / "out.jsonl"), client=client, partition_size=11)
    out = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    expected = [evaluate(p).to_json() for p in good]
    assert out[:7] == expected[:7] and out[8:] == expected[7:]
    assert json.loads(out[7]) == {
        "line": 8,
        "errors": [{"path": "", "reason": "the profile cell is empty (null)"}],
    }


def test_every_worker_compiled_the_releases_once_through_the_plugin(client: Client) -> None:
    from engine import default_rulebook

    seen = client.run(lambda dask_worker: (dask_worker.sandbox_releases, dask_worker.sandbox_compiled_in))
    assert len(seen) == 2
    for releases, pid in seen.values():
        assert releases == sorted(default_rulebook().compiled) and pid != os.getpid()


class Interrupted(Exception):
    pass


def test_a_restarted_sweep_skips_the_finished_partitions_and_writes_the_same_output(
    client: Client, tmp_path: Path
) -> None:
    lines, _ = sample_lines(120, seed=12)
    source = write_jsonl(tmp_path / "in.jsonl", lines)
    whole = run_sweep(str(source), str(tmp_path / "whole.parquet"), client=client, partition_size=20)
    finished: list[PartDone] = []

    def stop_after_two(done: PartDone) -> None:
        finished.append(done)
        if len(finished) == 2:
            raise Interrupted

    output = tmp_path / "out.parquet"
    with pytest.raises(Interrupted):
        run_sweep(str(source), str(output), client=client, partition_size=20, on_part=stop_after_two)
    assert not output.exists()
    resumed = run_sweep(str(source), str(output), client=client, partition_size=20, resume=True)
    assert resumed.skipped >= 2 and resumed.partitions == whole.partitions == 7
    assert pq.read_table(output).equals(pq.read_table(tmp_path / "whole.parquet"))
    again = run_sweep(str(source), str(output), client=client, partition_size=20, resume=True)
    assert again.skipped == 7
    fresh = run_sweep(str(source), str(output), client=client, partition_size=20)
    assert fresh.skipped == 0


def test_a_sweep_with_a_killed_worker_still_gives_every_row_exactly_once(tmp_path: Path) -> None:
    good = profiles(1200, seed=77)
    source = write_jsonl(tmp_path / "in.jsonl", [json.dumps(p) for p in good])
    killed: list[int] = []
    with open_client(workers=2) as own:

        def kill_a_busy_worker(done: PartDone) -> None:
            if killed:
                return
            pids = own.run(os.getpid)
            busy = [address for address, keys in own.processing().items() if keys] or list(pids)
            pid = int(pids[busy[0]])
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

        summary = run_sweep(
            str(source),
            str(tmp_path / "out.jsonl"),
            client=own,
            partition_size=200,
            on_part=kill_a_busy_worker,
        )
        pids = set(own.run(os.getpid).values())
    assert killed and killed[0] not in pids
    out = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert summary.rows == len(out) == 1200
    assert out == [evaluate(p).to_json() for p in good]


def sandbox(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], capture_output=True, text=True, timeout=300
    )


def test_the_sweep_command_writes_what_assess_jsonl_writes(tmp_path: Path) -> None:
    lines, _ = sample_lines(60, seed=3)
    source = write_jsonl(tmp_path / "in.jsonl", lines)
    done = sandbox("sweep", str(source), "-o", str(tmp_path / "out.jsonl"), "--partition-size", "25")
    assessed = sandbox("assess", "--jsonl", str(source))
    assert done.returncode == assessed.returncode == 2, done.stderr
    assert "2 row(s) were not valid profiles" in done.stderr and "3 partition(s)" in done.stderr
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == assessed.stdout
    again = sandbox(
        "sweep", str(source), "-o", str(tmp_path / "out.jsonl"), "--resume", "--partition-size", "9"
    )
    assert again.returncode == 2 and "--resume" in again.stderr and "other settings" in again.stderr


def test_the_sweep_command_refuses_a_missing_input_and_bad_numbers(tmp_path: Path) -> None:
    done = sandbox("sweep", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "out.parquet"))
    assert done.returncode == 2 and "missing.jsonl: no such input file" in done.stderr
    assert sandbox("sweep", "x.jsonl", "-o", "y.jsonl", "--workers", "0").returncode == 2
    assert sandbox("sweep", "x.jsonl").returncode == 2


def test_a_parquet_input_without_a_profile_column_is_refused_before_any_cluster_starts(
    tmp_path: Path,
) -> None:
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"name": ["x"]}), source)
    done = sandbox("sweep", str(source), "-o", str(tmp_path / "out.parquet"))
    assert done.returncode == 2 and "no column 'profile'" in done.stderr
    assert not (tmp_path / "out.parquet.parts").exists()


def test_an_input_of_blank_lines_gives_an_empty_output(client: Client, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", ["", "  "])
    summary = run_sweep(str(source), str(tmp_path / "out.parquet"), client=client)
    assert (summary.partitions, summary.rows) == (0, 0)
    assert pq.read_table(tmp_path / "out.parquet").num_rows == 0


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_is_drawn_on_a_terminal_and_nothing_is_written_elsewhere(
    client: Client, tmp_path: Path
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [json.dumps(p) for p in profiles(6, seed=2)])
    terminal, pipe = Terminal(), io.StringIO()
    run_sweep(str(source), str(tmp_path / "a.jsonl"), client=client, partition_size=2, progress=terminal)
    run_sweep(str(source), str(tmp_path / "b.jsonl"), client=client, partition_size=2, progress=pipe)
    assert "0/3 partitions" in terminal.getvalue() and "3/3 partitions" in terminal.getvalue()
    assert pipe.getvalue() == ""
