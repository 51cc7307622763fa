"""The rule tests in rules/tests/, one pytest case each, and their coverage."""

import pytest

from engine import default_rulebook
from engine.authoring.coverage import clause_coverage, percent, rule_coverage
from engine.authoring.ruletests import RuleTest, load_tests, run_tests

TESTS = load_tests()


@pytest.mark.parametrize("case", TESTS, ids=[f"{t.name} @ {t.as_of}" for t in TESTS])
def test_rule_case(case: RuleTest) -> None:
    (outcome,) = run_tests([case], rulebook=default_rulebook())
    assert outcome.failures == []


def test_the_rule_tests_make_every_rule_of_every_release_fire_and_stay_silent() -> None:
    book = default_rulebook()
    outcomes = run_tests(TESTS, rulebook=book)
    lines = rule_coverage(book, outcomes)
    assert [f"{x.release} {x.subject}" for x in lines if not x.covered] == []
    assert percent(lines) == 100.0
    assert {x.release for x in lines} == {"2020.07", "2022.01", "2026.01"}


def test_every_cited_clause_is_covered_too() -> None:
    book = default_rulebook()
    lines = clause_coverage(book, run_tests(TESTS, rulebook=book))
    assert [f"{x.release} {x.subject}" for x in lines if not x.covered] == []
