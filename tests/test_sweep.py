"""`sandbox assess --jsonl`: one output line per input line, in input order, with any workers."""

import json
import subprocess
import sys
from pathlib import Path

from cases.synthetic import profiles
from engine import evaluate


def sandbox(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], capture_output=True, text=True, input=stdin, timeout=300
    )


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_each_line_gives_its_decision_in_input_order_with_one_or_two_workers(tmp_path: Path) -> None:
    sample = profiles(300, seed=21)
    source = write_lines(tmp_path / "in.jsonl", [json.dumps(p) for p in sample])
    expected = [evaluate(p).to_json() for p in sample]
    for workers in ("1", "2"):
        done = sandbox("assess", "--jsonl", str(source), "--workers", workers)
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines() == expected


def test_a_bad_line_gets_an_error_line_in_its_place_and_exit_2(tmp_path: Path) -> None:
    good = profiles(2, seed=4)
    source = write_lines(
        tmp_path / "in.jsonl",
        [
            json.dumps(good[0]),
            '{"schema_version": "1", "name": "x", "formats": ["ride_haling"]}',
            "{oops",
            json.dumps(good[1]),
        ],
    )
    done = sandbox("assess", "--jsonl", str(source))
    lines = done.stdout.splitlines()
    assert done.returncode == 2 and "2 line(s) were not valid profiles" in done.stderr
    assert lines[0] == evaluate(good[0]).to_json() and lines[3] == evaluate(good[1]).to_json()
    assert json.loads(lines[1]) == {
        "line": 2,
        "errors": [
            {"path": "formats.0", "reason": "unknown format code 'ride_haling'; did you mean 'ride_hailing'?"}
        ],
    }
    assert (
        json.loads(lines[2])["line"] == 3 and "not valid JSON" in json.loads(lines[2])["errors"][0]["reason"]
    )


def test_standard_input_works_and_blank_lines_are_skipped() -> None:
    sample = profiles(3, seed=8)
    done = sandbox("assess", "--jsonl", "-", stdin="\n".join(json.dumps(p) for p in sample) + "\n\n")
    assert done.stdout.splitlines() == [evaluate(p).to_json() for p in sample]


def test_jsonl_refuses_other_files_and_recording(tmp_path: Path) -> None:
    source = write_lines(tmp_path / "in.jsonl", [])
    done = sandbox("assess", "--jsonl", str(source), "--record")
    assert done.returncode == 2 and "no --record" in done.stderr
    assert sandbox("assess", "--jsonl", str(tmp_path / "missing.jsonl")).returncode == 2
    assert sandbox("assess", "--jsonl", str(source), "--workers", "0").returncode == 2
