"""The bundled examples: each reproduces its golden decision exactly, and together they
cover every tier, rule, release boundary and seed domain."""

import json
from pathlib import Path
from typing import Any

import pytest

from cases import EXAMPLES_DIR
from engine import Decision, default_rulebook, evaluate
from engine.release import canonical_json
from engine.vocabulary import load_vocabulary

PROFILES = sorted(EXAMPLES_DIR.glob("*.profile.json"))
BOUNDARY_DAYS = {"2020-07-03", "2022-01-13", "2022-01-14", "2025-12-31", "2026-01-01"}


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def golden_of(path: Path) -> Path:
    return path.with_name(path.name.replace(".profile.json", ".decision.json"))


@pytest.fixture(scope="module")
def decisions() -> dict[str, Decision]:
    return {p.name: evaluate(load(p)) for p in PROFILES}


def test_there_are_at_least_25_examples() -> None:
    assert len(PROFILES) >= 25


@pytest.mark.parametrize("path", PROFILES, ids=[p.name for p in PROFILES])
def test_each_example_reproduces_its_golden_decision_byte_for_byte(path: Path) -> None:
    golden = golden_of(path)
    assert golden.exists(), f"{golden.name} is missing: run `make goldens` on purpose"
    assert evaluate(load(path)).to_json() == canonical_json(load(golden))


def test_every_example_states_its_assessment_date() -> None:
    assert all("assessment_date" in load(p) for p in PROFILES)


def test_the_examples_cover_every_tier(decisions: dict[str, Decision]) -> None:
    assert {d.tier for d in decisions.values()} == {"prohibited", "strict", "observation", "standard"}


def test_the_examples_cover_every_release_and_its_boundary_days(decisions: dict[str, Decision]) -> None:
    assert {d.ruleset.release for d in decisions.values()} == {r.id for r in default_rulebook().releases}
    assert {d.assessment_date.isoformat() for d in decisions.values()} >= BOUNDARY_DAYS


def test_the_examples_cover_every_seed_domain() -> None:
    vocabulary = load_vocabulary()
    measures = {vocabulary.raw["formats"][f]["measure"] for p in PROFILES for f in load(p)["formats"]}
    assert set(range(4, 14)) <= measures
    assert None in measures, "an unlisted format"


def test_every_rule_fires_in_one_example_and_stays_silent_in_another(decisions: dict[str, Decision]) -> None:
    rule_ids = {rule for c in default_rulebook().compiled.values() for rule in c.rules}
    always = {"M22-STANDARD", "M23-GRADE"}  # the baseline and the grade apply to every platform
    fired_in = {
        rule: {n for n, d in decisions.items() if rule in {f.rule for f in d.explanation.fired}}
        for rule in rule_ids
    }
    assert [r for r in sorted(rule_ids) if not fired_in[r]] == []
    assert [r for r in sorted(rule_ids - always) if fired_in[r] == set(decisions)] == []
