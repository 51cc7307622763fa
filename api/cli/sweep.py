"""`sandbox sweep INPUT -o OUTPUT`: a province-scale sweep on dask.distributed.

With no --scheduler an embedded LocalCluster of --workers single-threaded processes runs it;
with one, the cluster at that address does (its workers need the project installed and the
input and OUTPUT.parts/ on a file system they share with this machine).
"""

import argparse
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cases.store import ImpactReport, ReplayResult, Store

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def _error(message: str) -> None:
    print(f"sandbox: {message}", file=sys.stderr)


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("must be a whole number, 1 or more")
    return int(text)


def cmd_sweep(args: argparse.Namespace) -> int:
    from cases.sweeps import open_client, run_sweep
    from cases.sweeps.run import SweepInputError, check_sweep
    from engine import default_rulebook

    if args.release is not None:
        default_rulebook().get(args.release)  # an unknown release is bad input before any cluster starts
    try:
        check_sweep(
            args.input,
            args.output,
            partition_size=args.partition_size,
            resume=args.resume,
            as_of=args.as_of,
            release=args.release,
        )
        with open_client(args.scheduler, workers=args.workers) as client:
            summary = run_sweep(
                args.input,
                args.output,
                client=client,
                partition_size=args.partition_size,
                resume=args.resume,
                fmt=args.format,
                as_of=args.as_of,
                release=args.release,
            )
    except SweepInputError as exc:
        _error(str(exc))
        return EXIT_BAD_INPUT
    except OSError as exc:
        _error(f"{exc.filename or args.input}: {exc.strerror or exc}")
        return EXIT_BAD_INPUT
    skipped = f", {summary.skipped} skipped as already finished" if summary.skipped else ""
    print(
        f"swept {summary.rows} profile(s) in {summary.partitions} partition(s){skipped}"
        f" into {summary.output}",
        file=sys.stderr,
    )
    if summary.bad:
        _error(f"{args.input}: {summary.bad} row(s) were not valid profiles (see their error rows)")
        return EXIT_BAD_INPUT
    return EXIT_OK


def replay_all_on_dask(store: "Store", args: argparse.Namespace) -> Iterator["ReplayResult"]:
    """`replay --all --dask`: the cluster lives as long as the results are being read."""
    from cases.sweeps import open_client
    from cases.sweeps.stored import replay_all_on_dask as on_dask

    with open_client(args.scheduler, workers=args.dask_workers) as client:
        yield from on_dask(store, client)


def impact_on_dask(store: "Store", args: argparse.Namespace) -> "ImpactReport":
    from cases.sweeps import open_client
    from cases.sweeps.stored import impact_on_dask as on_dask

    with open_client(args.scheduler, workers=args.dask_workers) as client:
        return on_dask(
            store, client, from_release=args.from_release, to_release=args.to_release, as_of=args.as_of
        )


def add_dask_options(parser: argparse.ArgumentParser) -> None:
    """--dask, --scheduler and --dask-workers for replay --all and impact."""
    parser.add_argument("--dask", action="store_true", help="run on dask.distributed, in partitions")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="with --dask: a running scheduler")
    parser.add_argument(
        "--dask-workers", type=_count, default=2, metavar="N", help="with --dask and no scheduler: processes"
    )


def add_sweep_command(sub: Any, *, date_type: Any) -> None:
    sweep = sub.add_parser("sweep", help="assess a JSONL or Parquet file of profiles on a Dask cluster")
    sweep.add_argument(
        "input", metavar="INPUT", help="JSONL (one profile a line) or Parquet (column 'profile')"
    )
    sweep.add_argument(
        "-o", "--output", required=True, metavar="OUTPUT", help="Parquet or JSONL, by extension"
    )
    sweep.add_argument("--format", choices=("parquet", "jsonl"), help="output format (default: by extension)")
    sweep.add_argument("--scheduler", metavar="ADDRESS", help="a running scheduler, e.g. tcp://HOST:8786")
    sweep.add_argument("--workers", type=_count, default=2, help="LocalCluster processes (no --scheduler)")
    sweep.add_argument("--partition-size", type=_count, default=10_000, metavar="N", help="profiles per task")
    sweep.add_argument("--resume", action="store_true", help="skip the partitions OUTPUT.parts/ has finished")
    sweep.add_argument("--as-of", type=date_type, metavar="DATE", help="assessment date for every profile")
    sweep.add_argument("--release", metavar="ID", help="apply this release even outside its dates (what-if)")
    sweep.set_defaults(func=cmd_sweep)
