"""Observation reviews: cases due for review, and reassessment linked to the decision it reviews."""

from datetime import date

import pytest

from api.cli import main
from cases.store import InvalidRecord, Store, get_decision, record_assessment, verify_chain
from cases.store.chain import record_content
from cases.store.errors import UnknownCase
from cases.store.reviews import due_reviews, reassess
from cases.store.tables import DecisionRecord
from tests.conftest import make_profile

pytest_plugins = ["tests.store_fixtures"]


def observed(**changes: object) -> dict[str, object]:
    return make_profile(formats=["innovation_crowdsourcing"], **changes)


def test_a_case_is_due_once_its_observation_period_has_ended(store: Store) -> None:
    record_assessment(store, observed(assessment_date="2021-03-01", launch_date="2021-01-15"), actor="r")
    assert due_reviews(store, on=date(2023, 1, 14)) == []
    [due] = due_reviews(store, on=date(2023, 1, 15))
    assert (due.reason, due.ends_on) == ("period_ended", date(2023, 1, 15))


def test_a_case_is_due_when_a_later_release_recognises_its_format(store: Store) -> None:
    social = make_profile(
        name="Social Co", formats=["social_ecommerce"], licences=["edi_licence"], assessment_date="2021-03-01"
    )
    record_assessment(store, social, actor="r")
    [due] = due_reviews(store, on=date(2022, 1, 14))
    assert due.case_name == "Social Co" and due.reason == "no_longer_new"
    assert "2022.01" in due.detail
    assert due_reviews(store, on=date(2022, 1, 13)) == []


def test_cases_not_in_observation_are_never_due(store: Store) -> None:
    record_assessment(store, make_profile(assessment_date="2021-03-01"), actor="r")
    assert due_reviews(store, on=date(2030, 1, 1)) == []


def test_reassessing_records_a_linked_decision_and_says_what_changed(store: Store) -> None:
    _, first, _ = record_assessment(
        store,
        make_profile(
            name="Social Co",
            formats=["social_ecommerce"],
            licences=["edi_licence"],
            assessment_date="2021-03-01",
        ),
        actor="r",
    )
    result = reassess(store, first.case_id, as_of=date(2022, 1, 14), actor="reviewer")
    assert result.current.reassesses == first.id
    assert result.current.case_id == first.case_id and result.current.case_seq == 2
    assert (result.previous.decision["tier"], result.current.decision["tier"]) == ("observation", "standard")
    assert any(c.path == "tier" for c in result.changes)
    assert get_decision(store, result.current.id).reassesses == first.id
    assert verify_chain_intact(store)


def verify_chain_intact(store: Store) -> bool:
    with store.reading() as session:
        return verify_chain(session).intact


def test_an_unknown_case_cannot_be_reassessed(store: Store) -> None:
    with pytest.raises(UnknownCase, match="no case 42"):
        reassess(store, 42, as_of=date(2024, 1, 1), actor="r")


def test_a_link_to_another_cases_decision_is_refused_and_nothing_is_written(store: Store) -> None:
    _, other, _ = record_assessment(
        store, make_profile(name="Other Co", assessment_date="2024-01-01"), actor="r"
    )
    with pytest.raises(InvalidRecord, match="is not a decision of case"):
        record_assessment(
            store, make_profile(name="Mine Co", assessment_date="2024-01-01"), actor="r", reassesses=other.id
        )
    with store.reading() as session:
        assert verify_chain(session).records == 1


def test_records_without_a_link_hash_as_before_the_link_existed(store: Store) -> None:
    _, stored, _ = record_assessment(store, make_profile(assessment_date="2024-01-01"), actor="r")
    with store.reading() as session:
        record = session.get(DecisionRecord, stored.id)
        assert record is not None
        assert "reassesses" not in record_content(record)


def test_reviews_and_reassess_on_the_command_line(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    record_assessment(store, observed(assessment_date="2021-03-01", launch_date="2021-01-15"), actor="r")
    assert main(["reviews", "due", "--on", "2023-02-01"]) == 0
    out = capsys.readouterr().out
    assert "Observation reviews due on 2023-02-01: 1" in out and "ended on 2023-01-15" in out
    assert main(["reassess", "1", "--as-of", "2023-02-01", "--actor", "reviewer"]) == 0
    out = capsys.readouterr().out
    assert "decision 2 reassesses decision 1" in out and "tier observation -> observation" in out
    assert main(["reassess", "99"]) == 2
    assert "no case 99" in capsys.readouterr().err
