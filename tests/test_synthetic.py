"""The synthetic profile generator: valid, deterministic, and varied enough to reach every rule."""

import random
from collections import defaultdict
from datetime import date
from typing import Any

import pytest

from cases.synthetic import profiles, random_profile
from engine import Decision, default_rulebook, evaluate, parse_profile
from engine.vocabulary import load_vocabulary

EVALUATED = 2000
TIERS = {"prohibited", "strict", "observation", "standard"}
GRADES = {"super", "large", "small_medium"}


@pytest.fixture(scope="module")
def generated() -> list[dict[str, Any]]:
    """The profiles the coverage tests evaluate."""
    return profiles(EVALUATED, seed=0)


@pytest.fixture(scope="module")
def assessed(generated: list[dict[str, Any]]) -> list[tuple[dict[str, Any], Decision | Exception]]:
    """Each generated profile with its decision, or the exception evaluate raised."""
    out: list[tuple[dict[str, Any], Decision | Exception]] = []
    for profile in generated:
        try:
            out.append((profile, evaluate(profile)))
        except Exception as exc:  # collected, so one test reports every crash at once
            out.append((profile, exc))
    return out


@pytest.fixture(scope="module")
def decisions(assessed: list[tuple[dict[str, Any], Decision | Exception]]) -> list[Decision]:
    return [d for _, d in assessed if isinstance(d, Decision)]


def test_five_hundred_generated_profiles_all_pass_parse_profile() -> None:
    for index, profile in enumerate(profiles(500, seed=3)):
        parsed = parse_profile(profile)
        assert parsed.formats == profile["formats"], index


def test_the_same_seed_gives_the_same_profiles() -> None:
    assert profiles(200, seed=11) == profiles(200, seed=11)


def test_another_seed_gives_different_profiles() -> None:
    first, second = profiles(200, seed=11), profiles(200, seed=12)
    assert sum(a != b for a, b in zip(first, second, strict=True)) > 190


def test_a_longer_run_starts_with_the_shorter_run_of_the_same_seed() -> None:
    assert profiles(300, seed=5)[:100] == profiles(100, seed=5)


def test_random_profile_draws_only_on_the_generator_it_is_given() -> None:
    random.seed(1)
    first = random_profile(random.Random(42))
    random.seed(2)
    random.random()
    assert random_profile(random.Random(42)) == first


def test_every_generated_profile_evaluates_without_an_error(
    assessed: list[tuple[dict[str, Any], Decision | Exception]],
) -> None:
    crashes = [(profile, repr(result)) for profile, result in assessed if isinstance(result, Exception)]
    assert crashes == []


def test_every_tier_appears_in_every_release(decisions: list[Decision]) -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for decision in decisions:
        seen[decision.ruleset.release].add(decision.tier)
    assert {r.id: seen[r.id] for r in default_rulebook().releases} == {
        r.id: TIERS for r in default_rulebook().releases
    }


def test_every_platform_grade_appears_in_every_release(decisions: list[Decision]) -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for decision in decisions:
        seen[decision.ruleset.release].add(decision.platform_grade)
    assert {r.id: seen[r.id] for r in default_rulebook().releases} == {
        r.id: GRADES for r in default_rulebook().releases
    }


def test_every_rule_of_every_release_fires_for_profiles_in_its_dates(decisions: list[Decision]) -> None:
    book = default_rulebook()
    never: dict[str, list[str]] = {}
    for release in book.releases:
        fired = {
            firing.rule
            for decision in decisions
            if release.in_force_on(decision.assessment_date)
            for firing in decision.explanation.fired
        }
        never[release.id] = sorted(set(book.get(release.id).rules) - fired)
    assert never == {release.id: [] for release in book.releases}


def test_every_format_activity_and_licence_code_appears(generated: list[dict[str, Any]]) -> None:
    vocabulary = load_vocabulary()
    for key in ("formats", "activities", "licences"):
        used = {code for profile in generated for code in profile.get(key, [])}
        assert used == set(vocabulary.terms(key)), key


def test_profiles_have_one_to_three_formats_and_unlisted_always_has_a_description(
    generated: list[dict[str, Any]],
) -> None:
    assert {len(p["formats"]) for p in generated} == {1, 2, 3}
    unlisted = [p for p in generated if "unlisted" in p["formats"]]
    assert len(unlisted) > 50
    assert all(p["new_format_description"].strip() for p in unlisted)
    assert not any("new_format_description" in p for p in generated if "unlisted" not in p["formats"])


def test_prohibited_activities_are_a_minority(generated: list[dict[str, Any]]) -> None:
    banned = set(load_vocabulary().activities) - {
        "online_retail",
        "advertising",
        "lending_facilitation",
        "data_services",
        "content_distribution",
    }
    with_banned = sum(bool(banned & set(p.get("activities", []))) for p in generated)
    assert 0.03 * len(generated) < with_banned < 0.25 * len(generated)


def test_licences_lean_towards_what_the_formats_need(generated: list[dict[str, Any]]) -> None:
    formats = default_rulebook().get("2020.07").release.formats
    needed_held = needed = other_held = other = 0
    for profile in generated:
        needs = {lic for code in profile["formats"] for lic in formats[code].get("licences", [])}
        held = set(profile.get("licences", []))
        needed, needed_held = needed + len(needs), needed_held + len(needs & held)
        rest = set(load_vocabulary().licences) - needs
        other, other_held = other + len(rest), other_held + len(rest & held)
    assert needed_held / needed > 0.8
    assert 0.02 < other_held / other < 0.2
    assert needed_held < needed


def test_assessment_dates_span_every_release_and_hit_its_first_and_last_day(
    generated: list[dict[str, Any]],
) -> None:
    days = {date.fromisoformat(p["assessment_date"]) for p in generated}
    assert min(days) >= date(2020, 7, 3)
    assert max(days) <= date(2026, 12, 31)
    for release in default_rulebook().releases:
        assert release.in_force_from in days, release.id
        assert (release.in_force_to or date(2026, 12, 31)) in days, release.id


def test_launch_date_is_null_or_on_or_before_the_assessment_date(generated: list[dict[str, Any]]) -> None:
    launched = [p for p in generated if p.get("launch_date") is not None]
    assert all(p["launch_date"] <= p["assessment_date"] for p in launched)
    assert any(p["launch_date"] == p["assessment_date"] for p in launched)
    assert any("launch_date" in p and p["launch_date"] is None for p in generated)
    assert any("launch_date" not in p for p in generated)
    assert 0.6 * len(generated) < len(launched) < 0.9 * len(generated)


def _values(generated: list[dict[str, Any]], group: str, field: str) -> set[Any]:
    return {p[group][field] for p in generated if field in p.get(group, {})}


@pytest.mark.parametrize(
    ("group", "field", "expected"),
    [
        ("risk", "health_or_life_safety", {True, False}),
        ("risk", "handles_public_funds", {True, False}),
        ("risk", "minors_targeted", {True, False}),
        ("risk", "potential_harm", {"low", "medium", "high"}),
        ("credit", "class", {None, "A", "B", "C", "D"}),
        ("credit", "on_serious_dishonesty_list", {True, False}),
        ("credit", "on_abnormal_operations_list", {True, False}),
        ("credit", "violations_24m", {0, 1, 2, 3, 4, 5}),
        ("security", "mlps_level", {0, 1, 2, 3, 4, 5}),
        ("security", "real_name_verification", {True, False}),
        ("security", "network_filing", {True, False}),
        ("participants", "identity_verification", {True, False}),
        ("participants", "two_way_rating", {True, False}),
        ("participants", "complaint_channel", {True, False}),
        ("participants", "entry_exit_rules", {True, False}),
    ],
)
def test_every_value_of_each_enumerated_field_appears(
    generated: list[dict[str, Any]], group: str, field: str, expected: set[Any]
) -> None:
    assert _values(generated, group, field) == expected


def test_log_retention_falls_below_at_and_above_the_legal_minimum(generated: list[dict[str, Any]]) -> None:
    days = _values(generated, "security", "log_retention_days")
    assert {0, 179, 180, 181} <= days
    assert max(days) > 365


@pytest.mark.parametrize(
    ("field", "threshold"),
    [
        ("annual_active_users", 50_000_000),
        ("annual_active_users", 500_000_000),
        ("market_value_cny", 100_000_000_000),
        ("market_value_cny", 1_000_000_000_000),
        ("core_business_types", 2),
        ("registered_users", 50_000_000),
        ("monthly_active_users", 10_000_000),
    ],
)
def test_scale_values_fall_below_on_and_above_each_grade_threshold(
    generated: list[dict[str, Any]], field: str, threshold: int
) -> None:
    values = _values(generated, "scale", field)
    assert any(v < threshold for v in values)
    assert threshold in values
    assert any(v > threshold for v in values)


def test_statutory_large_platforms_are_large_only_from_2026(
    assessed: list[tuple[dict[str, Any], Decision | Exception]],
) -> None:
    grades: dict[str, set[str]] = defaultdict(set)
    for profile, decision in assessed:
        scale = profile.get("scale", {})
        by_users = scale.get("annual_active_users", 0) >= 50_000_000
        statutory = scale.get("registered_users", 0) >= 50_000_000 or (
            scale.get("monthly_active_users", 0) >= 10_000_000
        )
        if statutory and not by_users and isinstance(decision, Decision):
            grades[decision.ruleset.release].add(decision.platform_grade)
    assert grades == {"2020.07": {"small_medium"}, "2022.01": {"small_medium"}, "2026.01": {"large"}}
