"""The case list's query on SQLite and PostgreSQL: search, tier and review-due filters, the
platform's scope and paging give the same rows on both databases."""

from datetime import date

from api.http.auth import Scope
from api.web.case_list import CaseQuery, DecisionIndex, find_cases, tier_of
from cases.store import Store, get_decision, record_assessment
from tests.api_helpers import USCC_A, USCC_B, platform_profile
from tests.conftest import make_profile

pytest_plugins = ["tests.store_fixtures"]
TODAY = date(2026, 3, 2)
EVERYTHING = Scope()


def _fill(store: Store) -> None:
    record_assessment(store, platform_profile(USCC_A), kind="self_assessment", actor="A")
    record_assessment(store, platform_profile(USCC_A, credit={"class": "D"}), actor="R")
    record_assessment(store, platform_profile(USCC_B, activities=["online_gambling"]), actor="R")
    record_assessment(
        store,
        make_profile(
            name="Drone_Parcels 100%",
            formats=["unlisted"],
            new_format_description="drone delivery",
            launch_date="2020-08-01",
            assessment_date="2021-01-04",
        ),
        actor="R",
    )


def _names(store: Store, scope: Scope = EVERYTHING, **query: object) -> list[str]:
    _, rows = find_cases(store, scope, CaseQuery(**query), today=TODAY)  # type: ignore[arg-type]
    return [r.name for r in rows]


def test_search_matches_name_or_uscc_case_blind_and_literally(store: Store) -> None:
    _fill(store)
    assert _names(store, text="drone_") == ["Drone_Parcels 100%"]
    assert _names(store, text="100%") == ["Drone_Parcels 100%"]
    assert _names(store, text="o_e") == []  # `_` is a character, not a wildcard
    assert _names(store, text=USCC_B.lower()[-6:]) == [platform_profile(USCC_B)["name"]]


def test_the_tier_filter_reads_each_cases_latest_decision(store: Store) -> None:
    _fill(store)
    a, b = platform_profile(USCC_A)["name"], platform_profile(USCC_B)["name"]
    assert _names(store, tier="strict") == [a]  # the latest (class D), not the first (standard)
    assert _names(store, tier="standard") == []
    assert _names(store, tier="prohibited") == [b]
    assert _names(store, tier="observation", due=True) == ["Drone_Parcels 100%"]


def test_a_platform_scope_sees_its_own_self_assessments(store: Store) -> None:
    _fill(store)
    scope = Scope(uscc=USCC_A, kinds=("self_assessment",))
    total, rows = find_cases(store, scope, CaseQuery(), today=TODAY)
    assert total == 1 and rows[0].decisions == 1 and rows[0].tier == "standard"
    assert _names(store, scope, tier="strict") == []  # the regulatory decision stays hidden


def test_pages_split_the_rows_in_case_order(store: Store) -> None:
    for n in range(27):
        record_assessment(store, make_profile(name=f"Shop {n:02d}"), actor="R")
    total, first = find_cases(store, EVERYTHING, CaseQuery(page=1), today=TODAY)
    _, second = find_cases(store, EVERYTHING, CaseQuery(page=2), today=TODAY)
    assert total == 27 and len(first) == 25 and [r.name for r in second] == ["Shop 25", "Shop 26"]


def test_the_index_reads_only_new_records_and_follows_each_cases_latest(store: Store) -> None:
    index = DecisionIndex()
    record_assessment(store, platform_profile(USCC_A), actor="R")
    _, rows = find_cases(store, EVERYTHING, CaseQuery(tier="standard"), today=TODAY, index=index)
    assert [r.tier for r in rows] == ["standard"]
    record_assessment(store, platform_profile(USCC_A, credit={"class": "D"}), actor="R")
    assert find_cases(store, EVERYTHING, CaseQuery(tier="standard"), today=TODAY, index=index)[0] == 0
    total, rows = find_cases(store, EVERYTHING, CaseQuery(tier="strict"), today=TODAY, index=index)
    assert total == 1 and rows[0].decisions == 2 and rows[0].latest_id == 2


def test_tier_of_reads_the_last_key_of_a_stored_decision(store: Store) -> None:
    _fill(store)
    assert [tier_of(get_decision(store, n).decision_json) for n in (1, 2, 3, 4)] == [
        "standard",
        "strict",
        "prohibited",
        "observation",
    ]


def test_the_review_due_answer_is_kept_until_a_record_is_appended(store: Store) -> None:
    index = DecisionIndex()
    _fill(store)
    assert _names(store, due=True) == ["Drone_Parcels 100%"]
    assert len(index.due(store, TODAY)) == 1 and index.due(store, TODAY) is index.due(store, TODAY)
    record_assessment(
        store,
        make_profile(name="Drone_Parcels 100%", formats=["remote_office"], assessment_date="2026-03-02"),
        actor="R",
    )
    assert index.due(store, TODAY) == set()  # the case's latest decision is no longer in observation
    assert len(index.due(store, date(2021, 1, 4))) == 0  # another day, asked again
