"""The record-keeping commands of `sandbox`: assess --record, audit verify, replay, impact, cases.

Exit codes as for the rest of the CLI: 0 success, 1 a check failed (broken chain, replay
mismatch, store unavailable), 2 bad input (unknown decision id or release, unusable DATABASE_URL).

The store (SQLAlchemy, alembic) is imported by the commands that use it, so that a plain
`sandbox assess` starts without it (about 0.3 s).
"""

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any

from api.cli import sweep as cli_sweep
from engine import Decision, evaluate

if TYPE_CHECKING:
    from cases.store import ReplayResult, Store

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
# Codes of the store errors the CLI reports as bad input (exit 2) rather than as a failure.
BAD_INPUT_CODES = frozenset({"invalid_database_url", "unknown_decision", "unknown_case", "invalid_record"})
# Below this many decisions a pool of processes costs more to start than it saves.
_PARALLEL_FROM = 2000

Command = Callable[[argparse.Namespace], int]


def _error(message: str) -> None:
    print(f"sandbox: {message}", file=sys.stderr)


@contextmanager
def _store() -> Iterator["Store"]:
    """The store named by DATABASE_URL; a database error becomes a StoreUnavailable."""
    from sqlalchemy.exc import SQLAlchemyError

    from cases.store import StoreUnavailable, open_store

    store = open_store()
    try:
        yield store
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise StoreUnavailable(f"the store at {store.settings.shown} failed: {first}") from None
    finally:
        store.dispose()


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def _actor(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("must name who records the decisions")
    return text.strip()


Assess = Callable[[Any, str], Decision]


@contextmanager
def assessor(args: argparse.Namespace) -> Iterator[Assess]:
    """What `sandbox assess` calls per file: evaluate, and with --record also store the decision."""
    if not args.record:
        yield lambda document, _name: evaluate(document, as_of=args.as_of, release=args.release)
        return
    from cases.store import record_assessment

    with _store() as store:

        def assess_and_record(document: Any, name: str) -> Decision:
            decision, stored, _ = record_assessment(
                store, document, kind=args.kind, actor=args.actor, as_of=args.as_of, release=args.release
            )
            _error(f"{name}: recorded as decision {stored.id} (case {stored.case_id}, {stored.case_name})")
            return decision

        yield assess_and_record


def add_record_options(assess: argparse.ArgumentParser) -> None:
    assess.add_argument("--record", action="store_true", help="store each decision in the decision store")
    assess.add_argument(
        "--actor",
        type=_actor,
        default=_default_actor(),
        help="who records the decisions (default: login name)",
    )
    assess.add_argument(
        "--kind", choices=("regulatory", "self_assessment"), default="regulatory", help="with --record"
    )


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from api.cli.render_records import render_chain
    from cases.store import verify_chain

    with _store() as store, store.reading() as session:
        report = verify_chain(session)
    print(report.model_dump_json() if args.json else render_chain(report))
    return EXIT_OK if report.intact else EXIT_FAILED


def cmd_replay(args: argparse.Namespace) -> int:
    from api.cli.render_records import render_replay
    from cases.store import count_decisions, replay_all, replay_decision

    if (args.decision_id is None) == (not args.all):
        _error("replay: give one DECISION_ID or --all")
        return EXIT_BAD_INPUT
    if args.all and args.release:
        _error("replay: --release is a what-if for one decision; give a DECISION_ID")
        return EXIT_BAD_INPUT
    if (args.dask or args.scheduler) and not (args.all and args.dask):
        _error("replay: --dask runs --all; --scheduler goes with --dask")
        return EXIT_BAD_INPUT
    with _store() as store:
        results: Iterable[ReplayResult]
        if args.decision_id is not None:
            results = [replay_decision(store, args.decision_id, release=args.release)]
        elif args.dask:
            results = cli_sweep.replay_all_on_dask(store, args)
        else:
            large = count_decisions(store) >= _PARALLEL_FROM
            workers = args.workers or ((os.cpu_count() or 1) if large else 1)
            results = replay_all(store, workers=workers)
        counts: dict[str, int] = {}
        for result in results:
            counts[result.status] = counts.get(result.status, 0) + 1
            print(result.model_dump_json() if args.json else render_replay(result))
    if args.all and not args.json:
        summary = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in sorted(counts.items()))
        print(f"replayed {sum(counts.values())} decision(s): {summary or 'the store holds none'}")
    if args.release:
        return EXIT_FAILED if counts.get("failed") else EXIT_OK
    return EXIT_OK if set(counts) <= {"identical"} else EXIT_FAILED


def cmd_impact(args: argparse.Namespace) -> int:
    from api.cli.render_records import render_impact
    from cases.store import impact

    if args.scheduler and not args.dask:
        _error("impact: --scheduler goes with --dask")
        return EXIT_BAD_INPUT
    with _store() as store:
        if args.dask:
            report = cli_sweep.impact_on_dask(store, args)
        else:
            report = impact(
                store, from_release=args.from_release, to_release=args.to_release, as_of=args.as_of
            )
    print(report.model_dump_json() if args.json else render_impact(report))
    return EXIT_FAILED if report.failures else EXIT_OK


def cmd_cases_load_examples(args: argparse.Namespace) -> int:
    from cases.store.examples import load_examples

    with _store() as store:
        loaded = load_examples(store, actor=args.actor)
    for item in loaded:
        if item.error:
            _error(f"{item.file}: {item.error}")
        elif item.new:
            print(f"{item.file}: recorded as decision {item.decision_id}")
    new = sum(1 for i in loaded if i.new)
    print(f"examples: {new} new, {sum(1 for i in loaded if i.decision_id and not i.new)} already stored")
    return EXIT_BAD_INPUT if any(i.error for i in loaded) else EXIT_OK


def cmd_cases_list(args: argparse.Namespace) -> int:
    from cases.store import list_cases

    with _store() as store:
        cases = list_cases(store)
    for case in cases:
        if args.json:
            print(case.model_dump_json())
        else:
            print(
                f"case {case.id}: {case.name} (USCC {case.uscc or 'none'}); "
                f"{case.decisions} decision(s), latest {case.latest_decision}"
            )
    return EXIT_OK


def _guarded(command: Command) -> Command:
    """A database error mid-command is reported, not a traceback."""

    @wraps(command)
    def run(args: argparse.Namespace) -> int:
        from sqlalchemy.exc import SQLAlchemyError

        from cases.store import StoreUnavailable

        try:
            return command(args)
        except SQLAlchemyError as exc:
            first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise StoreUnavailable(f"the store failed: {first}") from None

    return run


def add_record_commands(sub: Any, *, date_type: Callable[[str], Any]) -> None:
    """Register audit, replay, impact and cases on the `sandbox` subcommand parser."""
    audit = sub.add_parser("audit", help="check the decision store")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", help="walk the hash chain; exit 1 naming the first broken record")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(func=_guarded(cmd_audit_verify))

    replay = sub.add_parser("replay", help="re-evaluate stored decisions and compare them byte for byte")
    replay.add_argument("decision_id", nargs="?", type=int, metavar="DECISION_ID")
    replay.add_argument("--all", action="store_true", help="every stored decision")
    replay.add_argument("--release", metavar="ID", help="what-if: replay one decision under this release")
    replay.add_argument("--json", action="store_true", help="one result object per line")
    replay.add_argument("--workers", type=int, metavar="N", help="processes for --all (default: by size)")
    cli_sweep.add_dask_options(replay)
    replay.set_defaults(func=_guarded(cmd_replay))

    imp = sub.add_parser("impact", help="what a release change does to the latest input of every case")
    imp.add_argument("--from", dest="from_release", required=True, metavar="ID")
    imp.add_argument("--to", dest="to_release", required=True, metavar="ID")
    imp.add_argument("--as-of", type=date_type, metavar="DATE", help="default: each decision's own date")
    imp.add_argument("--json", action="store_true")
    cli_sweep.add_dask_options(imp)
    imp.set_defaults(func=_guarded(cmd_impact))

    cases = sub.add_parser("cases", help="the cases in the decision store")
    cases_sub = cases.add_subparsers(dest="cases_command", required=True)
    load = cases_sub.add_parser("load-examples", help="record the bundled examples (idempotent)")
    load.add_argument("--actor", type=_actor, default="examples")
    load.set_defaults(func=_guarded(cmd_cases_load_examples))
    listing = cases_sub.add_parser("list", help="the cases with their decision counts")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=_guarded(cmd_cases_list))
