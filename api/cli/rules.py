"""`sandbox rules test|coverage|lint|check|diff`: the rule author's toolkit on the command line."""

import argparse
from collections.abc import Callable
from datetime import date

from engine import default_rulebook
from engine.authoring.check import check_release, format_report
from engine.authoring.coverage import clause_coverage, percent, report, rule_coverage
from engine.authoring.diff import content_diff, format_diff, symbolic_diff
from engine.authoring.lint import lint
from engine.authoring.ruletests import load_tests, run_tests, summary

EXIT_OK, EXIT_FAILED = 0, 1


def _release_ids(release: str | None) -> list[str]:
    book = default_rulebook()
    return [book.get(release).release.id] if release else [r.id for r in book.releases]


def cmd_test(args: argparse.Namespace) -> int:
    """Run the rule tests beside the rules and print a summary a policy officer can read."""
    outcomes = run_tests(load_tests(), rulebook=default_rulebook(), release=args.release)
    print(summary(outcomes))
    return EXIT_OK if all(o.passed for o in outcomes) else EXIT_FAILED


def cmd_coverage(args: argparse.Namespace) -> int:
    """Which rules and cited clauses the tests make fire and keep silent; fails below 100%."""
    book = default_rulebook()
    outcomes = run_tests(load_tests(), rulebook=book, release=args.release)
    rules = rule_coverage(book, outcomes, args.release)
    print(report(rules, clause_coverage(book, outcomes, args.release)))
    return EXIT_OK if percent(rules) == 100.0 else EXIT_FAILED


def cmd_lint(args: argparse.Namespace) -> int:
    findings = lint()
    for finding in findings:
        print(finding)
    errors = sum(f.severity == "error" for f in findings)
    print(f"{errors} error(s), {len(findings) - errors} warning(s)")
    return EXIT_FAILED if errors else EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    status = EXIT_OK
    for release in _release_ids(args.release):
        result = check_release(default_rulebook(), release)
        print(format_report(result))
        status = status if result.ok else EXIT_FAILED
    return status


def cmd_diff(args: argparse.Namespace) -> int:
    book = default_rulebook()
    diff = content_diff(book, args.old, args.new)
    if not args.no_classes:
        symbolic_diff(book, diff, args.as_of or book.get(args.new).release.in_force_from)
    print(format_diff(diff))
    return EXIT_OK


def add_rule_commands(
    rules_sub: "argparse._SubParsersAction[argparse.ArgumentParser]", *, date_type: Callable[[str], date]
) -> None:
    """Register the authoring commands under `sandbox rules`."""
    test = rules_sub.add_parser("test", help="run the rule tests in rules/tests/")
    test.add_argument("--release", metavar="ID")
    test.set_defaults(func=cmd_test)
    coverage = rules_sub.add_parser("coverage", help="coverage of rules and cited clauses by the rule tests")
    coverage.add_argument("--release", metavar="ID")
    coverage.set_defaults(func=cmd_coverage)
    linting = rules_sub.add_parser("lint", help="check the rule files without running them")
    linting.set_defaults(func=cmd_lint)
    check = rules_sub.add_parser("check", help="prove each release's properties over every class of profile")
    check.add_argument("--release", metavar="ID")
    check.set_defaults(func=cmd_check)
    diff = rules_sub.add_parser(
        "diff", help="what changed between two releases, and which classes change tier"
    )
    diff.add_argument("old", metavar="FROM")
    diff.add_argument("new", metavar="TO")
    diff.add_argument(
        "--as-of", type=date_type, metavar="DATE", help="date of the class comparison (default: TO's start)"
    )
    diff.add_argument("--no-classes", action="store_true", help="list content changes only")
    diff.set_defaults(func=cmd_diff)
