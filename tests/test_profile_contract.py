"""The input contract of POLICY §3: every class of invalid profile is an error that names the field
and says why; nothing is silently coerced; the defaults are filled exactly."""

import copy
import json
import math
from datetime import date
from typing import Any

import pytest

from engine import FieldError, ProfileError, evaluate, parse_profile
from tests.conftest import make_profile


def errors_of(data: Any) -> list[FieldError]:
    with pytest.raises(ProfileError) as info:
        parse_profile(data)
    return info.value.errors


def the_error(data: Any) -> FieldError:
    """The one error a profile with one mistake must give."""
    errors = errors_of(data)
    assert len(errors) == 1, errors
    return errors[0]


# --- the minimal profile -------------------------------------------------------------------------


def test_the_minimal_profile_is_accepted() -> None:
    profile = parse_profile(make_profile())
    assert profile.name == "Hangzhou Example Technology Co., Ltd."
    assert profile.formats == ["remote_office"]


def test_the_defaults_of_the_contract_are_filled_exactly() -> None:
    assert parse_profile(make_profile()).canonical() == {
        "schema_version": "1",
        "name": "Hangzhou Example Technology Co., Ltd.",
        "uscc": None,
        "assessment_date": "2026-03-02",
        "launch_date": None,
        "formats": ["remote_office"],
        "new_format_description": None,
        "activities": [],
        "licences": [],
        "risk": {
            "health_or_life_safety": False,
            "handles_public_funds": False,
            "minors_targeted": False,
            "potential_harm": "low",
        },
        "scale": {
            "annual_active_users": 0,
            "market_value_cny": 0,
            "core_business_types": 1,
            "registered_users": 0,
            "monthly_active_users": 0,
        },
        "credit": {
            "class": None,
            "on_serious_dishonesty_list": False,
            "on_abnormal_operations_list": False,
            "violations_24m": 0,
        },
        "security": {
            "mlps_level": 0,
            "log_retention_days": 0,
            "real_name_verification": False,
            "network_filing": False,
        },
        "participants": {
            "identity_verification": False,
            "two_way_rating": False,
            "complaint_channel": False,
            "entry_exit_rules": False,
        },
    }


def test_the_defaults_are_the_same_as_writing_them_out() -> None:
    written = make_profile(
        uscc=None,
        launch_date=None,
        activities=[],
        licences=[],
        risk={"health_or_life_safety": False, "potential_harm": "low"},
        scale={"core_business_types": 1, "market_value_cny": 0},
        credit={"class": None, "violations_24m": 0},
        security={"mlps_level": 0},
        participants={"two_way_rating": False},
    )
    assert parse_profile(written).canonical() == parse_profile(make_profile()).canonical()
    assert evaluate(written).profile_sha256 == evaluate(make_profile()).profile_sha256


def test_without_an_assessment_date_the_profile_is_assessed_as_of_today() -> None:
    before = date.today()
    decision = evaluate(make_profile(assessment_date=None))
    after = date.today()
    assert decision.assessment_date in (before, after)
    assert decision.ruleset.selection == "in_force"
    dated = evaluate(make_profile(assessment_date=decision.assessment_date.isoformat()))
    assert decision.profile_sha256 == dated.profile_sha256


def test_a_market_value_written_as_a_whole_number_is_accepted() -> None:
    profile = parse_profile(make_profile(scale={"market_value_cny": 100_000_000_000}))
    assert profile.scale.market_value_cny == 100_000_000_000


def test_a_new_format_description_without_unlisted_is_allowed() -> None:
    profile = parse_profile(make_profile(new_format_description="remote desktops for schools"))
    assert profile.new_format_description == "remote desktops for schools"


def test_unlisted_with_a_description_is_accepted() -> None:
    profile = parse_profile(make_profile(formats=["unlisted"], new_format_description="drone deliveries"))
    assert profile.formats == ["unlisted"]


# --- unknown and missing fields ------------------------------------------------------------------


def test_an_unknown_top_level_field_is_rejected_with_a_suggestion() -> None:
    error = the_error(make_profile(nmae="Hangzhou"))
    assert error.path == "nmae"
    assert error.reason == "unknown field; did you mean 'name'?"


def test_an_unknown_field_with_nothing_close_is_rejected_without_a_suggestion() -> None:
    error = the_error(make_profile(favourite_colour="blue"))
    assert error.path == "favourite_colour"
    assert error.reason == "unknown field"


@pytest.mark.parametrize(
    ("group", "typo", "meant"),
    [
        ("scale", "annual_active_user", "annual_active_users"),
        ("credit", "clas", "class"),
        ("security", "mlps_levl", "mlps_level"),
        ("risk", "potential_harms", "potential_harm"),
        ("participants", "complaints_channel", "complaint_channel"),
    ],
)
def test_an_unknown_nested_field_is_rejected_with_a_suggestion(group: str, typo: str, meant: str) -> None:
    error = the_error(make_profile(**{group: {typo: 1}}))
    assert error.path == f"{group}.{typo}"
    assert error.reason == f"unknown field; did you mean {meant!r}?"


def test_the_python_name_credit_class_is_not_a_field_of_the_contract() -> None:
    # The contract's field is credit.class; the model's internal attribute name must not be a
    # second, undocumented spelling of it.
    error = the_error(make_profile(credit={"credit_class": "D"}))
    assert error.path == "credit.credit_class"
    assert error.reason.startswith("unknown field")


@pytest.mark.parametrize("field", ["schema_version", "name", "formats"])
def test_a_missing_required_field_is_rejected(field: str) -> None:
    data = make_profile()
    del data[field]
    error = the_error(data)
    assert error.path == field
    assert error.reason == "required field is missing"


@pytest.mark.parametrize("version", ["2", "1.0", 1, None])
def test_a_schema_version_other_than_the_string_1_is_rejected(version: Any) -> None:
    error = the_error({**make_profile(), "schema_version": version})
    assert error.path == "schema_version"
    assert "'1'" in error.reason


# --- the name ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", " ", "\t\n"])
def test_a_blank_name_is_rejected(name: str) -> None:
    error = the_error(make_profile(name=name))
    assert error.path == "name"
    assert "blank" in error.reason or "at least 1 character" in error.reason


def test_a_name_of_200_characters_is_accepted_and_201_is_rejected() -> None:
    assert parse_profile(make_profile(name="杭" * 200)).name == "杭" * 200
    error = the_error(make_profile(name="杭" * 201))
    assert error.path == "name"
    assert "at most 200 characters" in error.reason


def test_a_name_that_is_not_a_string_is_rejected() -> None:
    error = the_error(make_profile(name=12345))
    assert error.path == "name"
    assert "string" in error.reason


# --- codes ---------------------------------------------------------------------------------------


def test_an_empty_format_list_is_rejected() -> None:
    error = the_error(make_profile(formats=[]))
    assert error.path == "formats"
    assert "at least 1 item" in error.reason


def test_a_single_format_written_as_a_string_is_rejected() -> None:
    error = the_error(make_profile(formats="remote_office"))
    assert error.path == "formats"
    assert "list" in error.reason


@pytest.mark.parametrize(
    ("field", "codes", "path", "reason"),
    [
        (
            "formats",
            ["remote_office", "ride_hail"],
            "formats.1",
            "unknown format code 'ride_hail'; did you mean 'ride_hailing'?",
        ),
        (
            "activities",
            ["p2p_lendin"],
            "activities.0",
            "unknown activity code 'p2p_lendin'; did you mean 'p2p_lending'?",
        ),
        (
            "licences",
            ["icp_licence", "edi_license"],
            "licences.1",
            "unknown licence code 'edi_license'; did you mean 'edi_licence'?",
        ),
    ],
    ids=["format", "activity", "licence"],
)
def test_a_code_outside_the_vocabulary_is_rejected_with_a_suggestion(
    field: str, codes: list[str], path: str, reason: str
) -> None:
    error = the_error(make_profile(**{field: codes}))
    assert error.path == path
    assert error.reason == reason


def test_a_code_with_nothing_close_is_rejected_without_a_suggestion() -> None:
    error = the_error(make_profile(formats=["teleportation"]))
    assert error.path == "formats.0"
    assert error.reason == "unknown format code 'teleportation'"


def test_codes_are_case_sensitive() -> None:
    error = the_error(make_profile(formats=["Remote_Office"]))
    assert error.path == "formats.0"
    assert "did you mean 'remote_office'?" in error.reason


def test_a_code_that_is_not_a_string_is_rejected() -> None:
    error = the_error(make_profile(licences=[7]))
    assert error.path == "licences.0"
    assert "string" in error.reason


@pytest.mark.parametrize(
    ("field", "codes", "twice"),
    [
        ("formats", ["remote_office", "agri_cloud", "remote_office"], "remote_office"),
        ("activities", ["advertising", "advertising"], "advertising"),
        ("licences", ["edi_licence", "icp_licence", "edi_licence"], "edi_licence"),
    ],
)
def test_a_code_listed_twice_is_rejected(field: str, codes: list[str], twice: str) -> None:
    error = the_error(make_profile(**{field: codes}))
    assert error.path == field
    assert "more than once" in error.reason
    assert twice in error.reason


@pytest.mark.parametrize("description", [None, "", "   "])
def test_unlisted_without_a_new_format_description_is_rejected(description: str | None) -> None:
    data = make_profile(formats=["unlisted"])
    if description is not None:
        data["new_format_description"] = description
    error = the_error(data)
    assert error.path == "new_format_description"
    assert "required" in error.reason and "unlisted" in error.reason


def test_unlisted_without_a_description_is_reported_together_with_a_bad_code_beside_it() -> None:
    errors = errors_of(make_profile(formats=["unlisted", "ride_hail"]))
    assert {e.path for e in errors} == {"formats.1", "new_format_description"}


# --- no silent coercion --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("group", "field", "value", "word"),
    [
        ("risk", "minors_targeted", "true", "boolean"),
        ("risk", "handles_public_funds", 1, "boolean"),
        ("risk", "health_or_life_safety", 0, "boolean"),
        ("security", "network_filing", "yes", "boolean"),
        ("participants", "complaint_channel", None, "boolean"),
        ("scale", "annual_active_users", "5", "integer"),
        ("scale", "registered_users", 5.0, "integer"),
        ("scale", "monthly_active_users", True, "integer"),
        ("credit", "violations_24m", 1.5, "integer"),
        ("security", "mlps_level", "3", "integer"),
        ("security", "log_retention_days", 180.0, "integer"),
        ("scale", "market_value_cny", "100", "number"),
        ("scale", "market_value_cny", True, "number"),
    ],
    ids=lambda v: repr(v) if not isinstance(v, str) else v,
)
def test_a_value_of_the_wrong_type_is_rejected_not_coerced(
    group: str, field: str, value: Any, word: str
) -> None:
    error = the_error(make_profile(**{group: {field: value}}))
    assert error.path == f"{group}.{field}"
    assert word in error.reason


@pytest.mark.parametrize(
    ("group", "field"),
    [
        ("scale", "annual_active_users"),
        ("scale", "core_business_types"),
        ("scale", "registered_users"),
        ("scale", "monthly_active_users"),
        ("credit", "violations_24m"),
        ("security", "log_retention_days"),
        ("security", "mlps_level"),
    ],
)
def test_a_negative_count_is_rejected(group: str, field: str) -> None:
    error = the_error(make_profile(**{group: {field: -1}}))
    assert error.path == f"{group}.{field}"
    assert "greater than or equal to 0" in error.reason


def test_mlps_level_5_is_accepted_and_6_is_rejected() -> None:
    assert parse_profile(make_profile(security={"mlps_level": 5})).security.mlps_level == 5
    error = the_error(make_profile(security={"mlps_level": 6}))
    assert error.path == "security.mlps_level"
    assert "less than or equal to 5" in error.reason


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (-1, "greater than or equal to 0"),
        (-0.01, "greater than or equal to 0"),
        (math.nan, "finite"),
        (math.inf, "finite"),
        ("1e12", "number"),
    ],
    ids=["negative", "negative fraction", "nan", "infinity", "string"],
)
def test_a_bad_market_value_is_rejected(value: Any, words: str) -> None:
    error = the_error(make_profile(scale={"market_value_cny": value}))
    assert error.path == "scale.market_value_cny"
    assert words in error.reason


@pytest.mark.parametrize("harm", ["extreme", "HIGH", "", 3])
def test_a_potential_harm_outside_low_medium_high_is_rejected(harm: Any) -> None:
    error = the_error(make_profile(risk={"potential_harm": harm}))
    assert error.path == "risk.potential_harm"
    assert "'low', 'medium' or 'high'" in error.reason


@pytest.mark.parametrize("credit_class", ["E", "a", "AA", 1])
def test_a_credit_class_outside_a_to_d_is_rejected(credit_class: Any) -> None:
    error = the_error(make_profile(credit={"class": credit_class}))
    assert error.path == "credit.class"
    assert "'A', 'B', 'C' or 'D'" in error.reason


def test_a_group_that_is_not_an_object_is_rejected() -> None:
    error = the_error(make_profile(risk=True))
    assert error.path == "risk"


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("assessment_date", "2020-13-01", "not a calendar date"),
        ("launch_date", "2021-02-29", "not a calendar date"),
        ("assessment_date", "2020-00-10", "not a calendar date"),
        ("assessment_date", "2020/01/01", "YYYY-MM-DD"),
        ("launch_date", "2021-2-1", "YYYY-MM-DD"),
        ("launch_date", "01-02-2021", "YYYY-MM-DD"),
        ("assessment_date", "2026-03-02T00:00:00", "YYYY-MM-DD"),
        ("assessment_date", "20260302", "YYYY-MM-DD"),
        ("assessment_date", 1772409600, "YYYY-MM-DD"),
        ("launch_date", "", "YYYY-MM-DD"),
    ],
)
def test_a_malformed_date_is_rejected(field: str, value: Any, words: str) -> None:
    error = the_error(make_profile(**{field: value}))
    assert error.path == field
    assert words in error.reason
    assert str(value) in error.reason


def test_a_leap_day_in_a_leap_year_is_a_date() -> None:
    assert parse_profile(make_profile(launch_date="2024-02-29")).launch_date == date(2024, 2, 29)


def test_a_null_launch_date_means_not_launched() -> None:
    assert parse_profile(make_profile(launch_date=None)).launch_date is None


# --- several errors and non-objects --------------------------------------------------------------


def test_several_errors_are_reported_together() -> None:
    data = make_profile(
        name="",
        formats=["remote_office", "remote_offic"],
        favourite_colour="blue",
        credit={"class": "E"},
        scale={"annual_active_users": -5},
        security={"mlps_level": "3"},
        launch_date="2020/01/01",
    )
    errors = errors_of(data)
    assert {e.path for e in errors} == {
        "name",
        "formats.1",
        "favourite_colour",
        "credit.class",
        "scale.annual_active_users",
        "security.mlps_level",
        "launch_date",
    }
    assert all(e.reason for e in errors)
    message = str(ProfileError(errors))
    assert "formats.1: unknown format code 'remote_offic'" in message
    assert "credit.class: " in message


@pytest.mark.parametrize("document", [[], [make_profile()], "profile", 42, None, True])
def test_a_document_that_is_not_an_object_is_rejected(document: Any) -> None:
    error = the_error(document)
    assert error.path == ""
    assert "must be an object" in error.reason
    assert str(error).startswith("(profile): ")


# --- the release in force ------------------------------------------------------------------------


def test_an_assessment_date_before_the_first_release_is_an_error_on_assessment_date() -> None:
    with pytest.raises(ProfileError) as info:
        evaluate(make_profile(assessment_date="2020-07-02"))
    [error] = info.value.errors
    assert error.path == "assessment_date"
    assert "no ruleset release is in force on 2020-07-02" in error.reason
    assert "2020-07-03" in error.reason


def test_an_as_of_date_before_the_first_release_is_an_error_on_assessment_date() -> None:
    with pytest.raises(ProfileError) as info:
        evaluate(make_profile(), as_of=date(2019, 12, 31))
    [error] = info.value.errors
    assert error.path == "assessment_date"
    assert "2019-12-31" in error.reason


# --- the profile hash ----------------------------------------------------------------------------


def reversed_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: reversed_keys(v) for k, v in reversed(list(value.items()))}
    return value


RICH_PROFILE = make_profile(
    formats=["b2c_retail", "agri_cloud", "ip_trading"],
    activities=["advertising", "data_services", "online_retail"],
    licences=["edi_licence", "icp_licence"],
    uscc="91330100716105852F",
    launch_date="2024-05-01",
    risk={"potential_harm": "medium", "minors_targeted": True},
    scale={"annual_active_users": 1200, "market_value_cny": 5e8},
    credit={"class": "A", "violations_24m": 1},
    security={"mlps_level": 3, "log_retention_days": 200, "network_filing": True},
    participants={"complaint_channel": True, "two_way_rating": True},
)


def test_field_order_does_not_change_the_profile_hash() -> None:
    text = json.dumps(RICH_PROFILE)
    shuffled_text = json.dumps(reversed_keys(RICH_PROFILE))
    assert text != shuffled_text
    original = evaluate(json.loads(text))
    shuffled = evaluate(json.loads(shuffled_text))
    assert original.profile_sha256 == shuffled.profile_sha256
    assert original.to_json() == shuffled.to_json()


def test_the_order_of_codes_in_a_list_does_not_change_the_profile_hash() -> None:
    reordered = {
        **RICH_PROFILE,
        "formats": ["ip_trading", "b2c_retail", "agri_cloud"],
        "activities": ["online_retail", "advertising", "data_services"],
        "licences": ["icp_licence", "edi_licence"],
    }
    assert evaluate(reordered).profile_sha256 == evaluate(RICH_PROFILE).profile_sha256


def test_a_changed_value_changes_the_profile_hash() -> None:
    changed = copy.deepcopy(RICH_PROFILE)
    changed["credit"]["class"] = "B"
    assert evaluate(changed).profile_sha256 != evaluate(RICH_PROFILE).profile_sha256


@pytest.mark.parametrize(
    ("field", "value"),
    [("launch_date", "9999-12-31"), ("assessment_date", "9999-01-01"), ("launch_date", "1899-12-31")],
)
def test_dates_outside_the_supported_range_are_refused(field: str, value: str) -> None:
    with pytest.raises(ProfileError) as caught:
        evaluate(make_profile(**{field: value}))
    assert [(e.path, e.reason) for e in caught.value.errors] == [
        (field, f"{value} is outside the supported range 1900-01-01 to 9000-12-31")
    ]


def test_an_as_of_date_outside_the_supported_range_is_refused() -> None:
    with pytest.raises(ProfileError, match="outside the supported range"):
        evaluate(make_profile(), as_of=date(9999, 1, 1))


@pytest.mark.parametrize("name", ["Bad\x00Name", "Two\nLines", "Bell\x07"])
def test_control_characters_in_text_are_refused(name: str) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile(make_profile(name=name))
    assert [(e.path, e.reason) for e in caught.value.errors] == [
        ("name", "must not contain control characters (such as NUL or a line break)")
    ]
