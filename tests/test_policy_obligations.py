"""Measures 21, 25 and 26: obligations accumulate whatever the tier."""

import pytest

from tests.policy import assess, compliant, obligations

ALL_SECURITY_AND_PARTICIPANT_RULES = {
    "M21-COMPLAINTS",
    "M21-ENTRY-EXIT",
    "M25-IDENTITY",
    "M25-TWO-WAY",
    "M26-LOGS",
    "M26-MLPS",
    "M26-REAL-NAME",
    "M26-FILING",
}


def test_a_platform_with_every_measure_in_place_has_no_obligations() -> None:
    decision = assess(formats=["ride_hailing"], licences=["ride_hailing_permit"], **compliant())
    assert decision.obligations == []


def test_a_platform_with_nothing_in_place_owes_every_measure() -> None:
    decision = assess(formats=["ride_hailing"], licences=["ride_hailing_permit"])
    assert obligations(decision) == ALL_SECURITY_AND_PARTICIPANT_RULES


def test_identity_and_two_way_rating_apply_only_to_identity_formats() -> None:
    decision = assess(formats=["remote_office"])
    assert not {"M25-IDENTITY", "M25-TWO-WAY", "M26-REAL-NAME"} & obligations(decision)
    for fmt in ("bike_sharing", "homestay_booking"):
        assert {"M25-IDENTITY", "M25-TWO-WAY", "M26-REAL-NAME"} <= obligations(assess(formats=[fmt]))


@pytest.mark.parametrize(("days", "owed"), [(0, True), (179, True), (180, False), (365, False)])
def test_logs_must_be_kept_at_least_180_days(days: int, owed: bool) -> None:
    decision = assess(security={"log_retention_days": days})
    assert ("M26-LOGS" in obligations(decision)) is owed


@pytest.mark.parametrize(
    ("changes", "level", "owed"),
    [
        ({}, 1, True),
        ({}, 2, False),
        ({"risk": {"potential_harm": "high"}}, 2, True),
        ({"risk": {"potential_harm": "high"}}, 3, False),
        ({"scale": {"annual_active_users": 50_000_000, "market_value_cny": 1e11}}, 2, True),
        ({"scale": {"annual_active_users": 50_000_000, "market_value_cny": 1e11}}, 3, False),
        ({"credit": {"class": "D"}}, 2, True),
    ],
)
def test_mlps_level_3_is_required_of_large_or_strict_platforms_and_2_of_others(
    changes: dict[str, object], level: int, owed: bool
) -> None:
    decision = assess(security={"mlps_level": level}, **changes)  # type: ignore[arg-type]
    assert ("M26-MLPS" in obligations(decision)) is owed


def test_the_mlps_obligation_names_the_required_level() -> None:
    decision = assess(risk={"potential_harm": "high"}, security={"mlps_level": 1})
    text = next(o.text for o in decision.obligations if o.rule == "M26-MLPS")
    assert "level 3" in text.en and "(now 1)" in text.en and "第3级" in text.zh


def test_obligations_carry_their_measures() -> None:
    decision = assess(formats=["ride_hailing"])
    measures = {o.rule: o.measure for o in decision.obligations}
    assert measures["M22-BAN-UNLICENSED"] == [2, 22]
    assert measures["M25-IDENTITY"] == [25]
    assert measures["M21-COMPLAINTS"] == [21]
