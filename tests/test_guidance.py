"""Guidance: why a platform is not in a lighter tier, and the smallest changes in its power
that would put it there, each proved on the engine."""

import json
from typing import Any

import pytest

from cases import EXAMPLES_DIR
from cases.synthetic import profiles
from engine import evaluate
from engine.guidance import Guidance, apply, guide
from tests.conftest import make_profile

TIERS = ["standard", "observation", "strict", "prohibited"]


def example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES_DIR / f"{name}.profile.json").read_text(encoding="utf-8"))


def counterfactuals_for(guidance: Guidance, goal: str) -> list[list[tuple[str, Any]]]:
    return [[(c.fact, c.after) for c in cf.changes] for cf in guidance.counterfactuals if cf.goal == goal]


def test_unlicensed_ride_hailing_is_told_the_permit_moves_it_to_strict_and_no_further() -> None:
    guidance = guide(example("01-ride-hailing-unlicensed-prelaunch"))
    assert guidance.tier == "prohibited"
    assert counterfactuals_for(guidance, "tier strict") == [[("licences.ride_hailing_permit", True)]]
    strict = next(w for w in guidance.why_not if w.tier == "strict")
    assert strict.platform_can_reach
    for tier in ("observation", "standard"):
        why = next(w for w in guidance.why_not if w.tier == tier)
        assert not why.platform_can_reach
        safety = next(b for b in why.blocked_by if b.rule == "M22-STRICT-SAFETY")
        assert [(f.fact, f.controllable, f.how.en) for f in safety.facts] == [
            ("formats.ride_hailing", False, "inherent to the format")
        ]
        assert counterfactuals_for(guidance, f"tier {tier}") == []


def test_a_d_class_retailer_is_proposed_credit_repair() -> None:
    guidance = guide(example("02-b2c-retail-credit-class-d"))
    assert guidance.tier == "strict"
    assert counterfactuals_for(guidance, "tier standard") == [[("credit.class", "C")]]
    change = next(cf for cf in guidance.counterfactuals if cf.goal == "tier standard").changes[0]
    assert "credit repair" in change.action.en and "信用修复" in change.action.zh


def test_removal_from_the_dishonesty_list_after_credit_repair_is_proposed() -> None:
    guidance = guide(make_profile(credit={"class": "B", "on_serious_dishonesty_list": True}))
    assert counterfactuals_for(guidance, "tier standard") == [[("credit.on_serious_dishonesty_list", False)]]


def test_ceasing_a_prohibited_activity_is_proposed() -> None:
    guidance = guide(make_profile(activities=["online_retail", "pyramid_selling"]))
    assert counterfactuals_for(guidance, "tier standard") == [[("activities.pyramid_selling", False)]]


def test_two_causes_of_a_ban_need_two_changes_together() -> None:
    guidance = guide(make_profile(formats=["online_games"], activities=["online_gambling"]))
    assert counterfactuals_for(guidance, "tier standard") == [
        [
            ("activities.online_gambling", False),
            ("licences.network_culture_licence", True),
            ("licences.online_publishing_licence", True),
        ]
    ]


def test_stopping_pooled_public_funds_is_proposed_but_a_declared_safety_risk_is_not() -> None:
    funds = guide(make_profile(risk={"handles_public_funds": True}))
    assert counterfactuals_for(funds, "tier standard") == [[("risk.handles_public_funds", False)]]
    safety = guide(make_profile(risk={"health_or_life_safety": True}))
    assert counterfactuals_for(safety, "tier standard") == []
    assert all(not w.platform_can_reach for w in safety.why_not)


@pytest.mark.parametrize(
    ("changes", "dropped", "fact", "after"),
    [
        ({"security": {"log_retention_days": 30}}, "M26-LOGS", "security.log_retention_days", 180),
        ({"security": {"mlps_level": 1}}, "M26-MLPS", "security.mlps_level", 2),
        ({"security": {"network_filing": False}}, "M26-FILING", "security.network_filing", True),
        (
            {"participants": {"complaint_channel": False}},
            "M21-COMPLAINTS",
            "participants.complaint_channel",
            True,
        ),
        (
            {"participants": {"entry_exit_rules": False}},
            "M21-ENTRY-EXIT",
            "participants.entry_exit_rules",
            True,
        ),
    ],
)
def test_each_security_and_participant_measure_is_proposed_to_drop_its_obligation(
    changes: dict[str, Any], dropped: str, fact: str, after: Any
) -> None:
    guidance = guide(make_profile(**changes))
    assert [(fact, after)] in counterfactuals_for(guidance, f"drop {dropped}")


def test_facts_outside_the_platforms_control_are_never_proposed() -> None:
    uncontrolled = (
        "formats.",
        "scale.",
        "risk.health_or_life_safety",
        "risk.potential_harm",
        "assessment_date",
    )
    for profile in [
        example(p.name.removesuffix(".profile.json")) for p in sorted(EXAMPLES_DIR.glob("*.profile.json"))
    ]:
        for cf in guide(profile).counterfactuals:
            assert not [c.fact for c in cf.changes if c.fact.startswith(uncontrolled)]


def test_every_proposed_change_set_reaches_what_it_claims_and_is_minimal() -> None:
    sample = [
        example(p.name.removesuffix(".profile.json")) for p in sorted(EXAMPLES_DIR.glob("*.profile.json"))
    ]
    sample += profiles(40, seed=11)
    checked = 0
    for profile in sample:
        decision = evaluate(profile)
        guidance = guide(profile, decision)
        for cf in guidance.counterfactuals:
            changed = apply(profile, [(c.fact, c.after) for c in cf.changes])
            result = evaluate(changed, as_of=decision.assessment_date)
            kind, _, target = cf.goal.partition(" ")
            if kind == "tier":
                assert TIERS.index(result.tier) <= TIERS.index(target)
            else:
                assert target not in {o.rule for o in result.obligations}
            assert (result.tier, [o.rule for o in result.obligations]) == (
                cf.result.tier,
                cf.result.obligations,
            )
            for drop in range(len(cf.changes)):  # no proper subset (one change fewer) reaches the goal
                fewer = [(c.fact, c.after) for i, c in enumerate(cf.changes) if i != drop]
                smaller = evaluate(apply(profile, fewer), as_of=decision.assessment_date)
                if kind == "tier":
                    assert TIERS.index(smaller.tier) > TIERS.index(target)
                else:
                    assert target in {o.rule for o in smaller.obligations}
            checked += 1
    assert checked > 200


def test_guidance_is_deterministic() -> None:
    profile = example("13-livestream-prohibited-goods-no-licence")
    assert guide(profile).model_dump_json() == guide(profile).model_dump_json()


def test_a_platform_already_standard_with_nothing_owed_gets_no_proposals() -> None:
    guidance = guide(example("28-industrial-internet-fully-compliant"))
    assert guidance.tier == "standard" and guidance.why_not == [] and guidance.counterfactuals == []
