"""`make bench`: the engine benchmark in this process, then every other bench/bench_*.py script as a
subprocess (each writes bench/results/<name>.json), then one combined table."""

import subprocess
import sys
import time
from collections.abc import Sequence

import bench_engine
from common import BENCH_DIR, MACHINE_PREFIX, RESULTS_DIR, ROOT, Row, header, read_results, table


def others() -> list[str]:
    """The names of the other benchmarks: bench/bench_<name>.py, in name order."""
    scripts = sorted(BENCH_DIR.glob("bench_*.py"))
    return [p.stem.removeprefix("bench_") for p in scripts if p.stem != "bench_engine"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run every benchmark and print the combined table; arguments go to the engine benchmark."""
    failed: list[str] = []
    if bench_engine.main(sys.argv[1:] if argv is None else argv, show_table=False) != 0:
        failed.append("engine")
    for name in others():
        (RESULTS_DIR / f"{name}.json").unlink(missing_ok=True)
        print(f"\n{name}: running bench/bench_{name}.py...", flush=True)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, str(BENCH_DIR / f"bench_{name}.py")], cwd=ROOT, check=False)
        print(f"{name}: exit {done.returncode} after {time.perf_counter() - started:.1f} s", flush=True)
        if done.returncode != 0:
            failed.append(name)

    combined: list[tuple[str, Row]] = []
    for name in ["engine", *others()]:
        try:
            rows = read_results(name)
        except (OSError, ValueError) as exc:
            failed.append(f"{name} (no results: {exc})")
            continue
        combined += [(name, r) for r in rows if not r["figure"].startswith(MACHINE_PREFIX)]
    print("\n" + header())
    print(table(combined))
    if failed:
        print(f"\nfailed or incomplete: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
