"""The orjson canonical encoder writes exactly the bytes of the json.dumps reference, and the
hot path's shortcuts (one profile dump, the decision's kept data) change no byte."""

import hashlib
import json
import random
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.synthetic import random_profile
from engine import default_rulebook, evaluate
from engine.canonical import canonical_bytes, canonical_json, reference_json, sha256_of
from engine.facts import profile_facts
from engine.profile import parse_profile

scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
)
json_data = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=40,
)


@settings(max_examples=600, deadline=None)
@given(json_data)
def test_the_fast_encoder_writes_the_reference_bytes_for_any_json_data(data: Any) -> None:
    assert canonical_json(data) == reference_json(data)
    assert canonical_bytes(data) == reference_json(data).encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=-1e-3, max_value=1e-3) | st.floats(min_value=1e14, max_value=1e18))
def test_floats_where_orjson_and_python_disagree_still_come_out_as_python_writes_them(value: float) -> None:
    assert canonical_json({"x": [value]}) == reference_json({"x": [value]})


@pytest.mark.parametrize("value", [1.5e-05, 1e-07, -3.9e-08, 6.4e-05, 1e-09, 0.0001, 1e16, 5e-324])
def test_known_small_and_large_floats_are_written_as_python_writes_them(value: float) -> None:
    assert canonical_json([value]) == json.dumps([value])


@pytest.mark.parametrize(
    "data",
    [{1: "int key"}, {"d": date(2024, 2, 29)}, [2**70], {"b": {"a": "\u2028\x7f\x00é"}}],
    ids=["int key", "date", "big int", "odd characters"],
)
def test_data_orjson_refuses_or_writes_otherwise_goes_to_the_reference(data: Any) -> None:
    assert canonical_json(data) == reference_json(data)


def test_the_sha256_is_of_the_reference_bytes() -> None:
    data = {"b": 1.5e-05, "a": ["流", 2]}
    assert sha256_of(data) == hashlib.sha256(reference_json(data).encode("utf-8")).hexdigest()


def _facts_as_first_written(data: dict[str, Any], day: date, launch: date | None) -> dict[str, Any]:
    """engine.facts.profile_facts as it was before the hot path was tuned."""
    vocabulary = default_rulebook().vocabulary
    facts: dict[str, Any] = {"assessment_date": day, "launch_date": launch}
    for group in ("risk", "scale", "credit", "security", "participants"):
        for key, value in data[group].items():
            facts[f"{group}.{key}"] = value
    for kind in ("formats", "activities", "licences"):
        for code in vocabulary.terms(kind):
            facts[f"{kind}.{code}"] = code in set(data[kind])
    return facts


def _profiles(count: int) -> list[dict[str, Any]]:
    rng = random.Random(13)
    return [random_profile(rng) for _ in range(count)]


def test_decisions_render_as_the_validated_model_dumps_on_many_profiles() -> None:
    compared = 0
    for profile in _profiles(400):
        decision = evaluate(profile)
        assert decision.to_json() == reference_json(decision.model_dump(mode="json"))
        compared += 1
    assert compared == 400


def test_profile_hash_and_facts_are_those_of_the_pydantic_dumps_on_many_profiles() -> None:
    book = default_rulebook()
    for profile in _profiles(300):
        decision = evaluate(profile)
        parsed = parse_profile(profile)
        canonical = {**parsed.canonical(), "assessment_date": decision.assessment_date.isoformat()}
        expected = hashlib.sha256(reference_json(canonical).encode("utf-8")).hexdigest()
        assert decision.profile_sha256 == expected
        day = decision.assessment_date
        fast = profile_facts(
            parsed, as_of=day, vocabulary=book.vocabulary, data=parsed.model_dump(mode="json", by_alias=True)
        )
        slow = _facts_as_first_written(parsed.model_dump(by_alias=True), day, parsed.launch_date)
        assert list(fast.items()) == list(slow.items())


def test_a_decision_read_back_equals_the_one_made_and_a_changed_copy_renders_its_change() -> None:
    decision = evaluate(_profiles(1)[0])
    again = type(decision).model_validate(decision.model_dump())
    assert again == decision
    assert again.to_json() == decision.to_json()
    changed = decision.model_copy(update={"profile_sha256": "0" * 64})
    assert changed != decision
    assert '"profile_sha256":"' + "0" * 64 + '"' in changed.to_json()
