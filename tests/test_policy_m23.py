"""Measure 23: supervision differentiated by credit class, risk type and platform grade."""

import pytest

from tests.policy import assess, compliant, facts_of, fired, obligations

LARGE = {"annual_active_users": 50_000_000, "market_value_cny": 100_000_000_000}
SUPER = {"annual_active_users": 500_000_000, "market_value_cny": 1_000_000_000_000, "core_business_types": 2}


def test_an_unrated_platform_is_treated_as_class_b() -> None:
    decision = assess()
    assert decision.credit_class == "B"
    assert facts_of(decision, "M23-CREDIT-UNRATED") == {"credit.class": None}


def test_the_declared_class_stands_when_nothing_worsens_it() -> None:
    decision = assess(credit={"class": "A"})
    assert decision.credit_class == "A"
    assert not {"M23-CREDIT-UNRATED", "M23-CREDIT-ABNORMAL", "M23-CREDIT-DISHONEST"} & fired(decision)


@pytest.mark.parametrize(
    ("credit", "effective"),
    [
        ({"class": "A", "on_abnormal_operations_list": True}, "C"),
        ({"class": "A", "violations_24m": 3}, "C"),
        ({"class": "A", "violations_24m": 2}, "A"),
        ({"class": "D", "violations_24m": 5}, "D"),
        ({"class": "A", "on_serious_dishonesty_list": True}, "D"),
        ({"on_serious_dishonesty_list": True, "on_abnormal_operations_list": True}, "D"),
    ],
)
def test_abnormal_operations_make_the_class_at_least_c_and_dishonesty_makes_it_d(
    credit: dict[str, object], effective: str
) -> None:
    assert assess(credit=credit).credit_class == effective


def test_class_d_escalates_an_ordinary_platform_to_strict() -> None:
    decision = assess(credit={"class": "D"})
    assert decision.tier == "strict"
    assert decision.explanation.decisive == ["M23-ESCALATE-D"]
    assert facts_of(decision, "M23-ESCALATE-D") == {"credit_class": "D", "tier": "standard"}
    assert decision.intensity.level == "key"


def test_class_d_gets_no_observation_period_leniency() -> None:
    decision = assess(formats=["innovation_crowdsourcing"], credit={"on_serious_dishonesty_list": True})
    assert decision.tier == "strict"
    assert decision.explanation.decisive == ["M23-ESCALATE-D"]
    assert decision.observation is None


def test_escalation_does_not_fire_when_another_rule_already_sets_strict() -> None:
    decision = assess(credit={"class": "D"}, risk={"potential_harm": "high"})
    assert decision.tier == "strict"
    assert "M23-ESCALATE-D" not in fired(decision)
    assert decision.explanation.decisive == ["M22-STRICT-HARM"]


@pytest.mark.parametrize(
    ("scale", "grade"),
    [
        ({}, "small_medium"),
        ({"annual_active_users": 49_999_999, "market_value_cny": 100_000_000_000}, "small_medium"),
        ({"annual_active_users": 50_000_000, "market_value_cny": 99_999_999_999}, "small_medium"),
        (LARGE, "large"),
        ({**SUPER, "core_business_types": 1}, "large"),
        (SUPER, "super"),
    ],
)
def test_the_platform_grade_follows_the_thresholds_exactly(scale: dict[str, int], grade: str) -> None:
    assert assess(scale=scale, as_of="2025-06-01").platform_grade == grade


@pytest.mark.parametrize("scale", [{"registered_users": 50_000_000}, {"monthly_active_users": 10_000_000}])
def test_the_statutory_large_platform_is_large_only_from_2026(scale: dict[str, int]) -> None:
    assert assess(scale=scale, as_of="2025-12-31").platform_grade == "small_medium"
    decision = assess(scale=scale, as_of="2026-01-01")
    assert decision.platform_grade == "large"
    assert "M26-PI-REPORT" in obligations(decision)


def test_just_below_the_statutory_thresholds_is_not_large() -> None:
    decision = assess(scale={"registered_users": 49_999_999, "monthly_active_users": 9_999_999})
    assert decision.platform_grade == "small_medium"
    assert "M26-PI-REPORT" not in fired(decision)


# (release date, tier profile, class) -> (level, ratio), straight from POLICY §9 and §10.
MATRIX = [
    ("2021-01-01", "standard", "A", "reduced", 0.03),
    ("2021-01-01", "standard", "B", "normal", 0.05),
    ("2021-01-01", "standard", "C", "increased", 0.10),
    ("2021-01-01", "observation", "A", "reduced", 0.03),
    ("2021-01-01", "observation", "B", "reduced", 0.03),
    ("2021-01-01", "observation", "C", "increased", 0.10),
    ("2021-01-01", "strict", "A", "increased", 0.10),
    ("2021-01-01", "strict", "B", "increased", 0.10),
    ("2021-01-01", "strict", "C", "key", 0.20),
    ("2021-01-01", "strict", "D", "key", 0.20),
    ("2023-01-01", "standard", "A", "reduced", 0.02),
    ("2023-01-01", "standard", "B", "normal", 0.05),
    ("2023-01-01", "standard", "C", "increased", 0.15),
    ("2023-01-01", "observation", "A", "reduced", 0.02),
    ("2023-01-01", "observation", "B", "reduced", 0.02),
    ("2023-01-01", "observation", "C", "increased", 0.15),
    ("2023-01-01", "strict", "A", "increased", 0.15),
    ("2023-01-01", "strict", "B", "increased", 0.15),
    ("2023-01-01", "strict", "C", "key", 0.30),
    ("2023-01-01", "strict", "D", "key", 0.30),
    ("2026-06-01", "strict", "C", "key", 0.30),
]
TIER_PROFILES = {
    "standard": {"formats": ["remote_office"]},
    "observation": {"formats": ["innovation_crowdsourcing"]},
    "strict": {"formats": ["remote_office"], "risk": {"potential_harm": "high"}},
}


@pytest.mark.parametrize(("as_of", "tier", "credit_class", "level", "ratio"), MATRIX)
def test_intensity_follows_the_matrix_for_tier_and_class(
    as_of: str, tier: str, credit_class: str, level: str, ratio: float
) -> None:
    decision = assess(as_of=as_of, credit={"class": credit_class}, **TIER_PROFILES[tier])
    assert (decision.tier, decision.credit_class) == (tier, credit_class)
    assert (decision.intensity.level, decision.intensity.inspection_ratio) == (level, ratio)
    assert "M23-INTENSITY" in fired(decision)


def test_a_prohibited_platform_has_no_intensity() -> None:
    decision = assess(activities=["p2p_lending"], credit={"class": "A"})
    assert decision.intensity.level is None
    assert "M23-INTENSITY" not in fired(decision)


def test_a_large_platform_is_never_supervised_below_normal() -> None:
    decision = assess(scale=LARGE, credit={"class": "A"}, as_of="2023-01-01")
    assert (decision.intensity.level, decision.intensity.inspection_ratio) == ("normal", 0.05)
    assert "M23-LARGE-FLOOR" in fired(decision)
    intensity = next(f for f in decision.explanation.fired if f.rule == "M23-INTENSITY")
    assert intensity.effect == {"intensity": {"level": "reduced", "inspection_ratio": 0.02}}


def test_the_large_floor_leaves_higher_levels_alone() -> None:
    decision = assess(scale=SUPER, credit={"class": "C"}, as_of="2023-01-01")
    assert decision.intensity.level == "increased"
    assert "M23-LARGE-FLOOR" not in fired(decision)


def test_a_small_platform_keeps_its_reduced_level() -> None:
    decision = assess(credit={"class": "A"}, **compliant())
    assert decision.intensity.level == "reduced"
    assert "M23-LARGE-FLOOR" not in fired(decision)
