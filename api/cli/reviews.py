"""`sandbox reviews due` and `sandbox reassess`: the observation lifecycle on the command line."""

import argparse
import json
from collections.abc import Callable
from datetime import date
from typing import Any

from api.cli.records import _actor, _default_actor, _guarded, _store

EXIT_OK = 0


def cmd_reviews_due(args: argparse.Namespace) -> int:
    from cases.store.reviews import due_reviews

    on = args.on or date.today()
    with _store() as store:
        due = due_reviews(store, on=on)
    if args.json:
        print(json.dumps([d.model_dump(mode="json") for d in due], ensure_ascii=False, sort_keys=True))
        return EXIT_OK
    print(f"Observation reviews due on {on}: {len(due)}")
    for d in due:
        print(f"  case {d.case_id} ({d.case_name}), decision {d.decision_id}: {d.detail}")
    return EXIT_OK


def cmd_reassess(args: argparse.Namespace) -> int:
    from cases.store.reviews import reassess

    with _store() as store:
        result = reassess(store, args.case, as_of=args.as_of or date.today(), actor=args.actor)
    if args.json:
        print(result.model_dump_json())
        return EXIT_OK
    before, after = result.previous, result.current
    print(f"Case {after.case_id} ({after.case_name}): decision {after.id} reassesses decision {before.id}")
    tiers = f"{before.decision['tier']} -> {after.decision['tier']}"
    print(f"  tier {tiers} (as of {after.as_of}, release {after.release})")
    print(f"  {len(result.changes)} field(s) changed" + (":" if result.changes else ""))
    for change in result.changes:
        print(f"    {change.line()}")
    return EXIT_OK


def add_review_commands(sub: Any, *, date_type: Callable[[str], Any]) -> None:
    """Register `reviews due` and `reassess` on the `sandbox` subcommand parser."""
    reviews = sub.add_parser("reviews", help="observation periods that need a review")
    reviews_sub = reviews.add_subparsers(dest="reviews_command", required=True)
    due = reviews_sub.add_parser(
        "due", help="cases whose observation period ended or whose format was recognised"
    )
    due.add_argument("--on", type=date_type, metavar="DATE", help="default: today")
    due.add_argument("--json", action="store_true")
    due.set_defaults(func=_guarded(cmd_reviews_due))
    again = sub.add_parser(
        "reassess", help="record a new decision on a case's latest input, linked to the last one"
    )
    again.add_argument("case", type=int, metavar="CASE_ID")
    again.add_argument("--as-of", type=date_type, metavar="DATE", help="default: today")
    again.add_argument("--actor", type=_actor, default=_default_actor())
    again.add_argument("--json", action="store_true")
    again.set_defaults(func=_guarded(cmd_reassess))
