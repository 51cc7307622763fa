"""Rule releases: pinned content, calendar boundaries, explicit what-ifs."""

import re
from datetime import date

import pytest

from engine import ProfileError, UnknownRelease, default_rulebook, evaluate
from tests.conftest import make_profile

# Published releases are immutable: changing one of these is publishing a new release.
PINNED = {
    "2020.07": "4c91ea57897c4d2093eec8730eddaf58ecf723eef96322d5e355d90a95894374",
    "2022.01": "ea6455866ba1b7e83ce8e971869e7945119850ad5d4230730281c0bfc9eded3e",
    "2026.01": "c6230238485eb7c42a11923ba971712ad3eb41724923c848adef63ad83be8660",
}


def test_each_published_release_has_its_pinned_content_hash() -> None:
    assert {r.id: r.sha256 for r in default_rulebook().releases} == PINNED


def test_every_release_is_published() -> None:
    assert {r.status for r in default_rulebook().releases} == {"published"}


@pytest.mark.parametrize(
    ("day", "release"),
    [
        ("2020-07-03", "2020.07"),
        ("2022-01-13", "2020.07"),
        ("2022-01-14", "2022.01"),
        ("2025-12-31", "2022.01"),
        ("2026-01-01", "2026.01"),
        ("2099-12-31", "2026.01"),
    ],
)
def test_the_release_in_force_applies_on_its_first_and_last_day(day: str, release: str) -> None:
    decision = evaluate(make_profile(assessment_date=day))
    assert decision.ruleset.release == release
    assert decision.ruleset.selection == "in_force"
    assert decision.ruleset.sha256 == PINNED[release]
    assert decision.assessment_date.isoformat() == day


def test_a_date_before_the_first_release_is_an_error_not_a_guess() -> None:
    with pytest.raises(ProfileError) as caught:
        evaluate(make_profile(assessment_date="2020-07-02"))
    assert caught.value.errors[0].path == "assessment_date"
    assert "no ruleset release is in force on 2020-07-02" in caught.value.errors[0].reason


def test_as_of_overrides_the_profile_date() -> None:
    decision = evaluate(make_profile(assessment_date="2020-08-01"), as_of=date(2026, 2, 1))
    assert (decision.assessment_date, decision.ruleset.release) == (date(2026, 2, 1), "2026.01")


def test_without_any_date_today_applies() -> None:
    decision = evaluate(make_profile(assessment_date=None))
    assert decision.assessment_date == date.today()


def test_an_explicit_release_applies_outside_its_dates_and_says_so() -> None:
    decision = evaluate(make_profile(assessment_date="2026-06-01"), release="2020.07")
    assert decision.ruleset.release == "2020.07"
    assert decision.ruleset.selection == "explicit"
    assert decision.assessment_date == date(2026, 6, 1)


def test_an_unknown_release_names_the_known_ones() -> None:
    with pytest.raises(UnknownRelease, match=re.escape("2020.07, 2022.01, 2026.01")):
        evaluate(make_profile(), release="2019.01")


def test_virtual_currency_trading_is_banned_from_2022_01_14_not_before() -> None:
    profile = make_profile(formats=["remote_office"], activities=["virtual_currency_trading"])
    assert evaluate(profile, as_of=date(2022, 1, 13)).tier == "standard"
    assert evaluate(profile, as_of=date(2022, 1, 14)).tier == "prohibited"


def test_social_ecommerce_is_new_until_the_2022_release_recognises_it() -> None:
    profile = make_profile(formats=["social_ecommerce"], licences=["edi_licence"])
    assert evaluate(profile, as_of=date(2022, 1, 13)).tier == "observation"
    assert evaluate(profile, as_of=date(2022, 1, 14)).tier == "standard"


def test_online_pharmacy_is_new_until_2026_then_strict_only() -> None:
    profile = make_profile(formats=["online_pharmacy"], licences=["drug_trading_licence"])
    old = evaluate(profile, as_of=date(2025, 12, 31))
    new = evaluate(profile, as_of=date(2026, 1, 1))
    assert "M22-OBSERVE-NEW" in {f.rule for f in old.explanation.fired}
    assert "M22-OBSERVE-NEW" not in {f.rule for f in new.explanation.fired}
    assert old.tier == new.tier == "strict"


def test_logs_rule_cites_article_21_before_2026_and_article_23_after() -> None:
    book = default_rulebook()
    cite_2022 = book.get("2022.01").rules["M26-LOGS"].cite
    cite_2026 = book.get("2026.01").rules["M26-LOGS"].cite
    assert any("art. 21" in str(c.get("law", {}).get("en")) for c in cite_2022)
    assert any("art. 23" in str(c.get("law", {}).get("en")) for c in cite_2026)


def test_pi_report_exists_only_from_2026() -> None:
    book = default_rulebook()
    assert "M26-PI-REPORT" not in book.get("2022.01").rules
    assert "M26-PI-REPORT" in book.get("2026.01").rules
