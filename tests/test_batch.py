"""Many profiles at once (engine.evaluate_many): each decision byte for byte what `evaluate`
gives alone, whatever else shares the batch; a bad profile's error in its place."""

import shutil
from pathlib import Path

import pytest

from cases.synthetic import profiles
from engine import (
    Decision,
    EngineError,
    ProfileError,
    SandboxError,
    UnknownRelease,
    durable_host,
    evaluate,
    evaluate_many,
    load_rulebook,
)
from rules import RULES_DIR
from tests.conftest import make_profile


def decisions(results: list[Decision | SandboxError]) -> list[Decision]:
    """The results, each of which must be a decision."""
    assert all(isinstance(r, Decision) for r in results), results
    return [r for r in results if isinstance(r, Decision)]


# Dates in each of the three releases, so that one batch spans all of them.
DATES = ["2020-08-03", "2022-01-14", "2026-03-31"]


def test_a_batch_gives_each_profile_the_decision_it_gets_alone() -> None:
    sample = profiles(300, seed=31)
    assert [d.to_json() for d in decisions(evaluate_many(sample))] == [evaluate(p).to_json() for p in sample]


def test_a_batch_spanning_three_releases_applies_each_profile_its_own() -> None:
    sample = [make_profile(name=f"P{i}", assessment_date=DATES[i % 3]) for i in range(9)]
    decided = decisions(evaluate_many(sample))
    assert [d.ruleset.release for d in decided] == ["2020.07", "2022.01", "2026.01"] * 3
    assert [d.to_json() for d in decided] == [evaluate(p).to_json() for p in sample]


def test_identical_profiles_in_one_batch_are_each_decided() -> None:
    """durable-rules refuses a fact equal to one already asserted; each fact carries its place."""
    same = make_profile(formats=["ride_hailing"], licences=["ride_hailing_permit"])
    decided = decisions(evaluate_many([same] * 5))
    assert len(decided) == 5
    assert len({d.to_json() for d in decided}) == 1


def test_a_bad_profile_gets_its_error_in_its_place_and_the_others_are_decided() -> None:
    good = profiles(2, seed=8)
    decided = evaluate_many([good[0], {"schema_version": "1", "name": "x"}, good[1]])
    assert isinstance(decided[1], ProfileError)
    assert decided[1].errors[0].path == "formats"
    assert [d.to_json() for d in decisions([decided[0], decided[2]])] == [evaluate(p).to_json() for p in good]


def test_a_named_release_applies_to_the_whole_batch_and_an_unknown_one_to_each_profile() -> None:
    sample = profiles(4, seed=9)
    decided = decisions(evaluate_many(sample, release="2022.01"))
    assert {d.ruleset.selection for d in decided} == {"explicit"}
    assert all(isinstance(e, UnknownRelease) for e in evaluate_many(sample, release="1999.01"))


def test_an_empty_batch_gives_no_decisions() -> None:
    assert evaluate_many([]) == []


def test_sessions_are_deleted_after_a_batch() -> None:
    abandoned = durable_host.abandoned_sessions()
    evaluate_many(profiles(50, seed=10))
    assert durable_host.live_sessions() == 0
    assert durable_host.abandoned_sessions() == abandoned


def test_an_engine_error_for_one_profile_stays_that_profiles_own(tmp_path: Path) -> None:
    """A draft release where two rules set different observation end dates for class-A new
    formats: those profiles cannot be decided (no order is declared for observation); the
    batch falls back to one profile at a time, so the others are still decided."""
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    release = rules / "releases/2026.01/release.yaml"
    release.write_text(release.read_text(encoding="utf-8").replace("status: published", "status: draft"))
    measures = rules / "releases/2026.01/measures/m26.yaml"
    measures.write_text(
        measures.read_text(encoding="utf-8")
        + """
  - id: M22-CONFLICT
    measures: [22]
    cite:
      - seed: 22
        text: 设置一定的“观察期”
    when:
      all:
        - some: {formats: new}
        - fact: credit.class
          eq: A
    then:
      set:
        observation.ends_on: 2099-01-01
    reason:
      en: "A second observation end date."
      zh: "另一个观察期届满日期。"
""",
        encoding="utf-8",
    )
    book = load_rulebook(rules, namespace="-conflict")
    new_format = make_profile(
        formats=["innovation_crowdsourcing"], credit={"class": "A"}, assessment_date="2026-03-31"
    )
    plain = make_profile(formats=["industrial_internet"], credit={"class": "A"}, assessment_date="2026-03-31")
    with pytest.raises(EngineError, match="conflicting values for observation"):
        evaluate(new_format, rulebook=book)
    decided = evaluate_many([plain, new_format, plain], rulebook=book)
    assert isinstance(decided[1], EngineError)
    first, last = decisions([decided[0], decided[2]])
    assert first.to_json() == last.to_json() == evaluate(plain, rulebook=book).to_json()
