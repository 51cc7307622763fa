"""The unified social credit code (统一社会信用代码) check of POLICY §3, per GB 32100-2015."""

import random

import pytest

from engine import ProfileError, parse_profile
from engine.uscc import check_character, uscc_problem
from tests.conftest import make_profile

# The code alphabet of GB 32100-2015: digits and capitals without I, O, S, V, Z; a character's
# value is its position here.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def gb32100_check(first17: str) -> str:
    """An independent reading of the standard: weight i is 3^(i-1) mod 31, check = 31 - sum mod 31,
    and a check value of 31 is written 0."""
    total = sum(ALPHABET.index(ch) * pow(3, i, 31) for i, ch in enumerate(first17))
    return ALPHABET[(31 - total % 31) % 31]


def weighted_sum(first17: str) -> int:
    return sum(ALPHABET.index(ch) * pow(3, i, 31) for i, ch in enumerate(first17))


BODIES = [
    "91330100MA27XY1AB",  # an enterprise registered in Hangzhou
    "92330106MA2H3K4L5",  # an individual business
    "12330000470000000",  # a public institution
    "51330000MJ8765432",  # a social organisation
    "Y1330100QRTUWXY12",  # every letter class the alphabet allows
]


def test_the_weights_are_three_to_the_power_i_minus_one_mod_31() -> None:
    rng = random.Random(32100)
    for _ in range(500):
        body = "".join(rng.choice(ALPHABET) for _ in range(17))
        assert check_character(body) == gb32100_check(body), body


@pytest.mark.parametrize("body", BODIES)
def test_a_code_built_with_its_check_character_is_accepted(body: str) -> None:
    code = body + check_character(body)
    assert uscc_problem(code) is None
    assert parse_profile(make_profile(uscc=code)).uscc == code


def test_the_worked_example_of_the_standard_gives_check_character_3() -> None:
    # The worked example reproduced with GB 32100-2015: the weighted sum of 91350100M000100Y4 is
    # 1640, 1640 mod 31 = 28, and 31 - 28 = 3.
    body = "91350100M000100Y4"
    assert weighted_sum(body) == 1640
    assert check_character(body) == "3"
    assert uscc_problem(body + "3") is None


@pytest.mark.parametrize(
    "code",
    [
        "91330100716105852F",  # Alibaba (China) Co., Ltd.
        "91440300708461136T",  # Shenzhen Tencent Computer Systems Co., Ltd.
        "914403001922038216",  # Huawei Technologies Co., Ltd.
        "91110108551385082Q",  # Beijing Xiaomi Technology Co., Ltd.
    ],
)
def test_codes_printed_on_real_business_licences_are_accepted(code: str) -> None:
    assert uscc_problem(code) is None
    assert parse_profile(make_profile(uscc=code)).uscc == code


@pytest.mark.parametrize("code", ["", "91330100716105852", "91330100716105852F0", " 91330100716105852F"])
def test_a_code_of_the_wrong_length_is_rejected(code: str) -> None:
    assert uscc_problem(code) == f"must be 18 characters, got {len(code)}"


def test_a_space_inside_a_code_is_not_allowed() -> None:
    problem = uscc_problem("913301007161 5852F")
    assert problem is not None
    assert "' '" in problem and "not allowed" in problem


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_the_letters_i_o_s_v_and_z_are_not_allowed(letter: str) -> None:
    body = "91330100MA27XY1A" + letter
    problem = uscc_problem(body + "0")
    assert problem is not None
    assert f"'{letter}'" in problem
    assert "not allowed" in problem


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_a_forbidden_letter_is_not_accepted_as_the_check_character_either(letter: str) -> None:
    problem = uscc_problem("91330100716105852" + letter)
    assert problem is not None
    assert f"'{letter}'" in problem and "not allowed" in problem


def test_lower_case_letters_are_rejected() -> None:
    problem = uscc_problem("91330100716105852f")
    assert problem is not None
    assert "'f'" in problem and "not allowed" in problem


def test_a_wrong_check_character_is_rejected_and_the_expected_one_is_named() -> None:
    problem = uscc_problem("91330100716105852E")
    assert problem == "check character is 'E' but GB 32100-2015 gives 'F'"


@pytest.mark.parametrize("body", BODIES)
def test_every_other_check_character_is_rejected(body: str) -> None:
    right = check_character(body)
    for wrong in ALPHABET.replace(right, ""):
        problem = uscc_problem(body + wrong)
        assert problem is not None
        assert f"gives {right!r}" in problem


@pytest.mark.parametrize("body", ["00000000000000000", "9133010037G88N7D4", "91330100J1B22P39A"])
def test_a_check_value_of_31_is_written_0(body: str) -> None:
    # The weighted sum is a multiple of 31, so 31 - 0 = 31, which the standard writes as 0.
    assert weighted_sum(body) % 31 == 0
    assert check_character(body) == "0"
    assert uscc_problem(body + "0") is None
    assert uscc_problem(body + "Y") == "check character is 'Y' but GB 32100-2015 gives '0'"


def test_a_bad_uscc_in_a_profile_is_reported_on_the_field_uscc() -> None:
    with pytest.raises(ProfileError) as info:
        parse_profile(make_profile(uscc="91330100716105852E"))
    [error] = info.value.errors
    assert error.path == "uscc"
    assert "'F'" in error.reason and "GB 32100-2015" in error.reason


def test_the_uscc_is_optional_and_may_be_null() -> None:
    assert parse_profile(make_profile()).uscc is None
    assert parse_profile(make_profile(uscc=None)).uscc is None
    assert parse_profile({**make_profile(), "uscc": None}).uscc is None


def test_a_uscc_that_is_not_a_string_is_rejected() -> None:
    with pytest.raises(ProfileError) as info:
        parse_profile(make_profile(uscc=913301007161058520))
    [error] = info.value.errors
    assert error.path == "uscc"
    assert "string" in error.reason
