"""The `sandbox` command line. Exit codes: 0 success, 2 bad input, 1 engine or rule failure."""

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from datetime import date

from api.cli import audit as cli_audit
from api.cli import records as cli_records
from api.cli import reviews as cli_reviews
from api.cli import rules as cli_rules
from api.cli import serve as cli_serve
from api.cli import sweep as cli_sweep
from api.cli.jsonl import read_lines, sweep, warm_engine
from api.cli.render import render_decision
from api.cli.render_guidance import render_guidance
from cases import EXAMPLES_DIR
from engine import (
    ProfileError,
    RuleFileError,
    SandboxError,
    UnknownRelease,
    default_rulebook,
    evaluate,
)
from engine.documents import InputError, read_document
from engine.guidance import guide
from engine.release import canonical_json

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def _error(message: str) -> None:
    print(f"sandbox: {message}", file=sys.stderr)


def cmd_assess(args: argparse.Namespace) -> int:
    """Assess each file in order; a bad file is reported and the others still run."""
    if args.jsonl is not None:
        return _sweep(args)
    with cli_audit.assessor(args) as assess:
        return _assess_files(args, assess)


def _sweep(args: argparse.Namespace) -> int:
    if args.files or args.record or args.guide:
        _error("assess --jsonl: give no other files, and no --record or --guide")
        return EXIT_BAD_INPUT
    warm_engine()
    # What is loaded now lives as long as this process: out of the collector's sight, full
    # collections no longer walk it, and forked workers do not copy the pages they would touch.
    gc.freeze()
    try:
        lines = read_lines(args.jsonl)
        bad = sweep(lines, sys.stdout, workers=args.workers, as_of=args.as_of, release=args.release)
    except OSError as exc:
        _error(f"{args.jsonl}: {exc.strerror or exc}")
        return EXIT_BAD_INPUT
    if bad:
        _error(f"{args.jsonl}: {bad} line(s) were not valid profiles (see their error lines)")
    return EXIT_BAD_INPUT if bad else EXIT_OK


def _workers(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("must be a whole number of processes, 1 or more")
    return int(text)


def _assess_files(args: argparse.Namespace, assess: cli_records.Assess) -> int:
    status = EXIT_OK
    for name in args.files:
        try:
            document = read_document(name)
            decision = assess(document, name)
            guidance = guide(document, decision) if args.guide else None
        except InputError as exc:
            _error(f"{name}: {exc}")
            status = EXIT_BAD_INPUT
            continue
        except ProfileError as exc:
            for err in exc.errors:
                _error(f"{name}: {err}")
            status = EXIT_BAD_INPUT
            continue
        except UnknownRelease as exc:
            _error(f"{name}: --release: {exc}")
            status = EXIT_BAD_INPUT
            continue
        except SandboxError as exc:  # an engine or store failure on this file; the others still run
            _error(f"{name}: {exc.code}: {exc}")
            status = max(status, EXIT_FAILED)
            continue
        if args.json and guidance is not None:
            print(
                canonical_json(
                    {**decision.model_dump(mode="json"), "guidance": guidance.model_dump(mode="json")}
                )
            )
        elif args.json:
            print(decision.to_json())
        else:
            print(render_decision(decision, title=name, lang=args.lang))
            if guidance is not None:
                print(render_guidance(guidance, lang=args.lang))
            print()
    return status


def cmd_rules_list(args: argparse.Namespace) -> int:
    book = default_rulebook()
    releases = [book.get(args.release)] if args.release else [book.get(r.id) for r in book.releases]
    for compiled in releases:
        r = compiled.release
        title = r.title.get(args.lang, "")
        print(f"# Release {r.id}: {title}")
        print(f"# in force {r.in_force_from} to {r.in_force_to or 'open'}; {r.status}; sha256 {r.sha256}")
        for rule in compiled.rules.values():
            print(
                f"{rule.id}  (measure {', '.join(map(str, rule.measures))}; phase {rule.phase}; {rule.file})"
            )
            for cite in rule.cite:
                if "seed" in cite:
                    print(f"    seed measure {cite['seed']}: {cite['text']}")
                else:
                    print(f"    law: {cite['law'][args.lang]}")
        print()
    return EXIT_OK


def cmd_rules_hash(args: argparse.Namespace) -> int:
    book = default_rulebook()
    for r in book.releases:
        print(f"{r.id} {r.sha256} {r.status}")
    return EXIT_OK


def cmd_examples(args: argparse.Namespace) -> int:
    """Assess every bundled example and print it (what `make run` shows)."""
    status = EXIT_OK
    for path in sorted(EXAMPLES_DIR.glob("*.profile.json")):
        decision = evaluate(read_document(str(path)))
        golden = path.with_name(path.name.replace(".profile.json", ".decision.json"))
        same = golden.exists() and decision.to_json() == _canonical_file(golden)
        if not same:
            status = EXIT_FAILED
        if args.json:
            print(decision.to_json())
            continue
        print(render_decision(decision, title=path.name.removesuffix(".profile.json"), lang=args.lang))
        print(f"Golden decision: {'identical' if same else 'DIFFERENT'} ({golden.name})")
        print()
    return status


def _canonical_file(path: "object") -> str:
    from pathlib import Path

    from engine.release import canonical_json

    return canonical_json(read_document(str(Path(str(path)))))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sandbox", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    assess = sub.add_parser("assess", help="assess platform profiles (JSON or YAML; - reads stdin)")
    assess.add_argument("files", nargs="*", metavar="FILE")
    assess.add_argument(
        "--jsonl", metavar="FILE", help="one profile per line (- for stdin); one JSON line out each"
    )
    assess.add_argument("--workers", type=_workers, default=1, help="with --jsonl: processes to use")
    assess.add_argument("--json", action="store_true", help="one decision object per line, in input order")
    assess.add_argument(
        "--as-of",
        type=_date,
        metavar="DATE",
        help="assessment date (default: profile's, else today)",
    )
    assess.add_argument("--release", metavar="ID", help="apply this release even outside its dates (what-if)")
    assess.add_argument("--lang", choices=("en", "zh"), default="en")
    assess.add_argument(
        "--guide",
        action="store_true",
        help="also say why not a lighter tier and what the platform could change",
    )
    cli_records.add_record_options(assess)
    cli_audit.add_sign_option(assess)
    assess.set_defaults(func=cmd_assess)

    rules = sub.add_parser("rules", help="inspect the rule releases")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True)
    listing = rules_sub.add_parser("list", help="the rules of each release with their citations")
    listing.add_argument("--release", metavar="ID")
    listing.add_argument("--lang", choices=("en", "zh"), default="en")
    listing.set_defaults(func=cmd_rules_list)
    hashes = rules_sub.add_parser("hash", help="the content hash of each release")
    hashes.set_defaults(func=cmd_rules_hash)
    cli_rules.add_rule_commands(rules_sub, date_type=_date)

    examples = sub.add_parser("examples", help="assess the bundled example cases against their goldens")
    examples.add_argument("--json", action="store_true")
    examples.add_argument("--lang", choices=("en", "zh"), default="en")
    examples.set_defaults(func=cmd_examples)
    cli_records.add_record_commands(sub, date_type=_date)
    cli_audit.add_audit_commands(sub)
    cli_reviews.add_review_commands(sub, date_type=_date)
    cli_serve.add_api_commands(sub)
    cli_sweep.add_sweep_command(sub, date_type=_date)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "assess" and not args.files and args.jsonl is None:
        parser.error("assess: give profile files, or --jsonl FILE")
    try:
        code: int = args.func(args)
    except BrokenPipeError:  # the reader went away (e.g. `| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    except RuleFileError as exc:
        _error(f"the rule files cannot be loaded:\n{exc}")
        return EXIT_FAILED
    except UnknownRelease as exc:
        _error(str(exc))
        return EXIT_BAD_INPUT
    except SandboxError as exc:
        _error(f"{exc.code}: {exc}")
        bad = cli_records.BAD_INPUT_CODES | cli_audit.BAD_INPUT_CODES
        return EXIT_BAD_INPUT if exc.code in bad else EXIT_FAILED
    return code


if __name__ == "__main__":
    sys.exit(main())
