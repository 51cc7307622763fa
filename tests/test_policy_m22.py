"""Measure 22: observation period, strict supervision, ban (and measure 2 on licences)."""

from datetime import date

import pytest

from tests.policy import assess, compliant, facts_of, fired, obligations, reason_of


def test_a_prohibited_activity_bans_the_platform() -> None:
    decision = assess(activities=["online_retail", "pyramid_selling"])
    assert decision.tier == "prohibited"
    assert decision.explanation.decisive == ["M22-BAN-ACTIVITY"]
    assert facts_of(decision, "M22-BAN-ACTIVITY") == {"activities.pyramid_selling": True}
    assert "pyramid_selling" in reason_of(decision, "M22-BAN-ACTIVITY")
    assert "传销" in reason_of(decision, "M22-BAN-ACTIVITY", "zh")


def test_permitted_activities_ban_nothing() -> None:
    decision = assess(activities=["online_retail", "advertising", "data_services"])
    assert "M22-BAN-ACTIVITY" not in fired(decision)
    assert decision.tier == "standard"


def test_a_format_without_its_required_licence_is_banned_and_told_which_licence() -> None:
    decision = assess(formats=["online_games"], licences=["network_culture_licence"])
    assert decision.tier == "prohibited"
    assert decision.explanation.decisive == ["M22-BAN-UNLICENSED"]
    assert decision.intensity.level is None and decision.intensity.inspection_ratio is None
    text = next(o.text for o in decision.obligations if o.rule == "M22-BAN-UNLICENSED")
    assert "online_publishing_licence" in text.en and "network_culture_licence" not in text.en
    assert "网络出版服务许可证" in text.zh


def test_holding_every_required_licence_lifts_the_ban() -> None:
    decision = assess(
        formats=["online_games"], licences=["network_culture_licence", "online_publishing_licence"]
    )
    assert "M22-BAN-UNLICENSED" not in fired(decision)


def test_a_ban_never_hides_the_other_findings() -> None:
    decision = assess(formats=["ride_hailing"], activities=["online_gambling"])
    assert decision.tier == "prohibited"
    assert decision.explanation.decisive == ["M22-BAN-ACTIVITY", "M22-BAN-UNLICENSED"]
    assert {"M21-COMPLAINTS", "M25-IDENTITY", "M26-REAL-NAME", "M26-FILING"} <= obligations(decision)
    assert {"M22-STRICT-SAFETY", "M23-GRADE"} <= fired(decision)


@pytest.mark.parametrize(
    "fmt", ["food_delivery", "internet_hospital", "network_freight", "fresh_food_ecommerce"]
)
def test_a_format_touching_health_or_life_safety_is_strict(fmt: str) -> None:
    licences = {
        "food_delivery": ["food_business_licence"],
        "internet_hospital": ["medical_institution_licence"],
        "network_freight": ["road_transport_permit"],
        "fresh_food_ecommerce": ["edi_licence", "food_business_licence"],
    }[fmt]
    decision = assess(formats=[fmt], licences=licences, as_of="2026-02-01")
    assert decision.tier == "strict"
    assert "M22-STRICT-SAFETY" in decision.explanation.decisive
    assert facts_of(decision, "M22-STRICT-SAFETY") == {f"formats.{fmt}": True}


def test_a_declared_health_risk_makes_an_ordinary_format_strict() -> None:
    decision = assess(risk={"health_or_life_safety": True})
    assert decision.tier == "strict"
    assert facts_of(decision, "M22-STRICT-SAFETY") == {"risk.health_or_life_safety": True}


def test_a_financial_format_or_pooled_public_funds_is_strict() -> None:
    assert assess(formats=["mobile_payment"], licences=["payment_licence"]).explanation.decisive == [
        "M22-STRICT-FUNDS"
    ]
    assert assess(risk={"handles_public_funds": True}).explanation.decisive == ["M22-STRICT-FUNDS"]


@pytest.mark.parametrize(("harm", "tier"), [("low", "standard"), ("medium", "standard"), ("high", "strict")])
def test_only_a_high_potential_for_serious_harm_is_strict(harm: str, tier: str) -> None:
    assert assess(risk={"potential_harm": harm}).tier == tier


def test_an_unlisted_format_gets_an_observation_period_from_launch() -> None:
    decision = assess(
        formats=["unlisted"],
        new_format_description="drone parcel lockers",
        launch_date="2021-03-15",
        as_of="2021-09-01",
    )
    assert decision.tier == "observation"
    assert decision.observation is not None and decision.observation.ends_on == date(2023, 3, 15)
    assert decision.explanation.decisive == ["M22-OBSERVE-NEW"]


def test_before_launch_the_observation_period_runs_from_the_assessment_date() -> None:
    decision = assess(formats=["innovation_crowdsourcing"], launch_date=None, as_of="2021-09-01")
    assert decision.observation is not None and decision.observation.ends_on == date(2023, 9, 1)


def test_a_day_past_the_month_end_becomes_the_last_day_of_the_month() -> None:
    decision = assess(formats=["innovation_crowdsourcing"], launch_date="2020-02-29", as_of="2020-08-01")
    assert decision.observation is not None and decision.observation.ends_on == date(2022, 2, 28)


def test_a_format_is_new_until_the_day_it_is_recognised() -> None:
    profile = {"formats": ["livestream_ecommerce"], "licences": ["edi_licence"]}
    assert assess(as_of="2021-05-24", **profile).tier == "observation"
    assert assess(as_of="2021-05-25", **profile).tier == "standard"


def test_strict_supervision_outranks_the_observation_period() -> None:
    decision = assess(formats=["home_nursing"], licences=["medical_institution_licence"], as_of="2024-01-01")
    assert decision.tier == "strict"
    assert {"M22-OBSERVE-NEW", "M22-STRICT-SAFETY"} <= fired(decision)
    assert decision.observation is None


@pytest.mark.parametrize(
    ("as_of", "due"), [("2022-07-09", False), ("2022-07-10", True), ("2023-01-01", True)]
)
def test_the_review_is_due_once_the_observation_period_has_ended(as_of: str, due: bool) -> None:
    decision = assess(formats=["innovation_crowdsourcing"], launch_date="2020-07-10", as_of=as_of)
    assert decision.tier == "observation"
    assert ("M22-REVIEW-DUE" in obligations(decision)) is due


def test_the_standard_tier_is_the_baseline_and_decisive_only_alone() -> None:
    plain = assess(**compliant(credit={"class": "B"}))
    assert plain.tier == "standard" and plain.explanation.decisive == ["M22-STANDARD"]
    strict = assess(risk={"potential_harm": "high"})
    assert "M22-STANDARD" in fired(strict) and "M22-STANDARD" not in strict.explanation.decisive
