"""Impact of a release change over the latest input of every stored case."""

import json
from datetime import date

import pytest

from api.cli import main
from cases.store import Store, count_decisions, impact, record_assessment
from cases.store.examples import load_examples
from engine import UnknownRelease
from tests.conftest import make_profile
from tests.store_helpers import large_by_monthly_users, uscc

pytest_plugins = ["tests.store_fixtures"]


def test_a_platform_with_12_million_monthly_users_becomes_large_under_2026(store: Store) -> None:
    record_assessment(store, large_by_monthly_users(), actor="a")
    report = impact(store, from_release="2022.01", to_release="2026.01")
    assert report.cases == 1
    assert report.grade_matrix["small_medium"] == {"small_medium": 0, "large": 1, "super": 0}
    assert report.tier_matrix["standard"]["standard"] == 1
    assert report.intensity_changes == {"reduced (0.02) -> normal (0.05)": 1}
    assert report.obligation_changes == {"M26-PI-REPORT": {"added": 1, "removed": 0}}
    [case] = report.changed
    assert (case.before.platform_grade, case.after.platform_grade) == ("small_medium", "large")
    assert case.obligations_added == ["M26-PI-REPORT"] and case.obligations_removed == []
    assert [(c.rule, c.change) for c in case.attribution] == [
        ("M23-GRADE", "effect_changed"),
        ("M23-LARGE-FLOOR", "only_to"),
        ("M26-PI-REPORT", "only_to"),
    ]
    assert case.attribution[0].from_effect == {"grade": "small_medium"}
    assert case.attribution[0].to_effect == {"grade": "large"}


def test_without_a_reduced_intensity_the_floor_plays_no_part(store: Store) -> None:
    record_assessment(store, large_by_monthly_users(credit={"class": "B"}), actor="a")
    [case] = impact(store, from_release="2022.01", to_release="2026.01").changed
    assert [c.rule for c in case.attribution] == ["M23-GRADE", "M26-PI-REPORT"]
    assert case.before.intensity == case.after.intensity == "normal"


def test_an_unchanged_case_is_counted_on_the_diagonal_and_not_listed(store: Store) -> None:
    record_assessment(store, make_profile(uscc=uscc(1), assessment_date="2025-06-01"), actor="a")
    record_assessment(store, large_by_monthly_users(), actor="a")
    report = impact(store, from_release="2022.01", to_release="2026.01")
    assert report.cases == 2
    assert report.grade_matrix["small_medium"]["small_medium"] == 1
    assert [c.uscc for c in report.changed] == [uscc(12)]


def test_impact_takes_the_latest_input_of_each_case(store: Store) -> None:
    record_assessment(store, large_by_monthly_users(), actor="a")
    record_assessment(store, large_by_monthly_users(scale={"monthly_active_users": 5}), actor="a")
    report = impact(store, from_release="2022.01", to_release="2026.01")
    assert report.cases == 1 and report.changed == []
    assert report.grade_matrix["small_medium"]["small_medium"] == 1


def test_an_as_of_date_replaces_each_stored_date(store: Store) -> None:
    record_assessment(
        store,
        make_profile(
            formats=["online_pharmacy"], licences=["drug_trading_licence"], assessment_date="2026-03-02"
        ),
        actor="a",
    )
    stored_dates = impact(store, from_release="2022.01", to_release="2026.01")
    early = impact(store, from_release="2022.01", to_release="2026.01", as_of=date(2022, 6, 1))
    assert [c.rule for c in stored_dates.changed[0].attribution] == ["M22-OBSERVE-NEW"]
    assert stored_dates.tier_matrix["strict"]["strict"] == 1
    assert early.as_of == date(2022, 6, 1) and early.changed == []


def test_impact_changes_nothing_in_the_store(store: Store) -> None:
    record_assessment(store, large_by_monthly_users(), actor="a")
    impact(store, from_release="2020.07", to_release="2026.01")
    assert count_decisions(store) == 1


def test_impact_rejects_an_unknown_release(store: Store) -> None:
    with pytest.raises(UnknownRelease):
        impact(store, from_release="2022.01", to_release="2030.01")


def test_impact_over_the_examples_shows_the_platforms_large_under_the_2026_definition(store: Store) -> None:
    load_examples(store)
    report = impact(store, from_release="2022.01", to_release="2026.01")
    becoming_large = [
        c
        for c in report.changed
        if (c.before.platform_grade, c.after.platform_grade) == ("small_medium", "large")
    ]
    assert becoming_large, "no example becomes a large platform under release 2026.01"
    assert report.grade_matrix["small_medium"]["large"] == len(becoming_large)
    for case in becoming_large:
        rules = {c.rule for c in case.attribution}
        assert {"M23-GRADE", "M26-PI-REPORT"} <= rules, case.name
        assert ("M23-LARGE-FLOOR" in rules) == (case.before.intensity == "reduced"), case.name
    assert any("M23-LARGE-FLOOR" in {c.rule for c in case.attribution} for case in becoming_large)


def test_impact_command_prints_a_report_for_people_and_json_for_machines(
    store: Store, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    record_assessment(store, large_by_monthly_users(), actor="a")
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["impact", "--from", "2022.01", "--to", "2026.01"]) == 0
    text = capsys.readouterr().out
    assert "Platform grade (rows: under 2022.01, columns: under 2026.01)" in text
    assert "Changed cases: 1" in text
    assert (
        "attribution: M23-GRADE (effect changed: grade small_medium -> large); "
        "M23-LARGE-FLOOR (fires only under 2026.01); M26-PI-REPORT (fires only under 2026.01)"
    ) in text
    assert main(["impact", "--from", "2022.01", "--to", "2026.01", "--json", "--as-of", "2026-02-01"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["as_of"] == "2026-02-01" and data["grade_matrix"]["small_medium"]["large"] == 1
    assert [c["rule"] for c in data["changed"][0]["attribution"]] == [
        "M23-GRADE",
        "M23-LARGE-FLOOR",
        "M26-PI-REPORT",
    ]
    assert main(["impact", "--from", "2022.01", "--to", "nope"]) == 2
    assert "unknown release 'nope'" in capsys.readouterr().err
