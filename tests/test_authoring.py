"""The rule author's toolkit: lint, exhaustive check and release diff, on the real rules and on
deliberately broken copies of them."""

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from engine import default_rulebook, load_rulebook
from engine.authoring.check import check_release, format_report
from engine.authoring.diff import content_diff, symbolic_diff
from engine.authoring.lint import lint
from engine.authoring.ruletests import load_tests
from engine.errors import RuleFileError
from rules import RULES_DIR

M22 = "releases/2020.07/measures/m22.yaml"


def broken_rules(tmp_path: Path, relative: str, old: str, new: str) -> Path:
    """A draft copy of rules/ (no pinned hashes) with one text replaced in one file."""
    copy = tmp_path / "rules"
    shutil.copytree(RULES_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    for release in (copy / "releases").iterdir():
        meta = release / "release.yaml"
        meta.write_text(meta.read_text(encoding="utf-8").replace("status: published", "status: draft"))
    path = copy / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy


def sandbox(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], capture_output=True, text=True, timeout=600
    )


def test_lint_finds_no_error_in_the_published_rules() -> None:
    assert [str(f) for f in lint() if f.severity == "error"] == []


def test_lint_warns_about_the_matrix_cells_class_d_never_needs() -> None:
    warnings = [str(f) for f in lint() if f.severity == "warning"]
    assert any("tier=standard, credit_class=D" in w for w in warnings)
    assert any("tier=observation, credit_class=D" in w for w in warnings)


def test_lint_reports_a_broken_rule_file_with_file_rule_field_and_suggestion(tmp_path: Path) -> None:
    rules = broken_rules(tmp_path, M22, "fact: risk.potential_harm", "fact: risk.potential_harms")
    errors = [str(f) for f in lint(rules, rules / "tests") if f.severity == "error"]
    assert errors == [
        "error: releases/2020.07/measures/m22.yaml:M22-STRICT-HARM:when.fact: "
        "unknown fact 'risk.potential_harms'; did you mean 'risk.potential_harm'?"
    ]


def test_lint_reports_a_changed_published_release() -> None:
    # The published rules pass; the hash check itself is exercised in test_rule_files.py.
    assert not [f for f in lint() if f.field == "sha256"]


def test_lint_on_the_command_line_exits_0_and_counts_warnings() -> None:
    done = sandbox("rules", "lint")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("0 error(s), 6 warning(s)")


def test_a_malformed_rule_test_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "tests"
    folder.mkdir()
    (folder / "bad.yaml").write_text(
        "cases:\n  - name: a case with a typo\n    as_of: [2021-01-01]\n    expect: {tierr: strict}\n"
    )
    with pytest.raises(RuleFileError, match="tierr"):
        load_tests(folder)


@pytest.mark.parametrize("release", ["2020.07", "2022.01", "2026.01"])
def test_every_release_holds_every_property_over_its_whole_space(release: str) -> None:
    report = check_release(default_rulebook(), release)
    assert report.violations == [], format_report(report)
    assert report.points > 20_000
    assert set(default_rulebook().get(release).rules) <= report.fired
    assert any("intensity cells reached: 10 of 10 defined" in n for n in report.notes)


def test_check_finds_a_rule_that_lightens_the_tier_for_a_stricter_risk(tmp_path: Path) -> None:
    rules = broken_rules(
        tmp_path,
        M22,
        "      fact: risk.potential_harm\n      eq: high",
        "      fact: risk.potential_harm\n      eq: medium",
    )
    report = check_release(load_rulebook(rules, namespace="-harm"), "2026.01", dates=[date(2026, 1, 1)])
    assert any(
        v.startswith("a stricter risk declaration never lightens the tier: 'medium' -> 'high' gives standard")
        and "counterexample:" in v
        for v in report.violations
    ), format_report(report)


def test_check_finds_a_dead_rule(tmp_path: Path) -> None:
    rules = broken_rules(
        tmp_path,
        "releases/2020.07/measures/m21.yaml",
        "    when:\n      fact: participants.complaint_channel\n      eq: false\n",
        "    when:\n      all:\n        - {fact: participants.complaint_channel, eq: false}\n"
        "        - {fact: participants.complaint_channel, eq: true}\n",
    )
    report = check_release(load_rulebook(rules, namespace="-dead"), "2026.01", dates=[date(2026, 1, 1)])
    assert "dead rule: M21-COMPLAINTS fires for no profile of release 2026.01" in report.violations


def test_check_finds_a_reachable_decision_without_intensity(tmp_path: Path) -> None:
    rules = broken_rules(
        tmp_path, "releases/2022.01/parameters.yaml", "        D: {level: key, inspection_ratio: 0.30}\n", ""
    )
    report = check_release(load_rulebook(rules, namespace="-cell"), "2026.01", dates=[date(2026, 1, 1)])
    assert "reachable intensity cells without a value: []" not in report.violations
    assert any("no valid decision" in v and "tier strict with intensity" in v for v in report.violations)


def test_diff_lists_what_release_2026_changed() -> None:
    diff = content_diff(default_rulebook(), "2022.01", "2026.01")
    assert diff.added["rules"] == ["M26-PI-REPORT"]
    assert set(diff.changed["rules"]) == {"M23-GRADE", "M26-LOGS"}
    assert diff.changed["formats"] == {"online_pharmacy": ["recognised_since", "recognition"]}
    assert diff.added["parameters"] == [
        "statutory_large_monthly_active_users",
        "statutory_large_registered_users",
    ]


def test_diff_finds_the_classes_whose_tier_changes_in_2022() -> None:
    book = default_rulebook()
    diff = content_diff(book, "2020.07", "2022.01")
    symbolic_diff(book, diff, date(2022, 1, 14))
    assert diff.added["prohibited_activities"] == ["virtual_currency_trading"]
    assert ("observation", "standard") in diff.transitions, "social e-commerce is recognised"
    assert any("social_ecommerce" in e for e in diff.examples[("observation", "standard")])
    assert ("standard", "prohibited") in diff.transitions, "virtual currency trading is banned"
    assert ("standard", "observation") not in diff.transitions
