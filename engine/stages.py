"""The stages of one assessment, each a function, so that evaluate() and bench/bench_stages.py
run the same code: parse, pick the day and release, hash, facts, inference, decision, JSON."""

from datetime import date
from typing import Any

from engine.compiler import CompiledRelease
from engine.decision import Decision, build_decision
from engine.errors import FieldError, ProfileError
from engine.facts import CODE_LISTS, profile_facts
from engine.inference import Inference, infer_many
from engine.profile import Profile, date_problem, parse_profile
from engine.release import sha256_of
from engine.rulebook import Rulebook


def parse(profile: Profile | dict[str, Any]) -> Profile:
    """The validated profile (ProfileError naming each bad field)."""
    return parse_profile(profile)


def as_of_day(parsed: Profile, as_of: date | None) -> date:
    """The day assessed: `as_of`, else the profile's assessment_date, else today."""
    day = as_of or parsed.assessment_date or date.today()
    problem = date_problem(day)
    if problem:
        raise ProfileError([FieldError("assessment_date", problem)])
    return day


def release_for(day: date, release: str | None, book: Rulebook) -> CompiledRelease:
    """The release named, else the release in force on `day`."""
    return book.get(release) if release else book.in_force(day)


def dump(parsed: Profile) -> dict[str, Any]:
    """The profile as JSON data, once for both the hash and the facts."""
    return parsed.model_dump(mode="json", by_alias=True)


def profile_hash(data: dict[str, Any], day: date) -> str:
    """The SHA-256 of the canonical profile (Profile.canonical: code lists sorted) with the day
    assessed."""
    lists = {key: sorted(data[key]) for key in CODE_LISTS}
    return sha256_of({**data, **lists, "assessment_date": day.isoformat()})


def facts(parsed: Profile, data: dict[str, Any], day: date, book: Rulebook) -> dict[str, Any]:
    return profile_facts(parsed, as_of=day, vocabulary=book.vocabulary, data=data)


def infer(compiled: CompiledRelease, case_facts: dict[str, Any], book: Rulebook) -> Inference:
    """One profile's inference on durable-rules, in a session of its own."""
    (inference,) = infer_many(compiled, book.handle(compiled.release.id), [case_facts], book.outcomes)
    return inference


def decide(
    inference: Inference,
    compiled: CompiledRelease,
    day: date,
    sha256: str,
    book: Rulebook,
    *,
    explicit: bool = False,
) -> Decision:
    return build_decision(
        inference,
        compiled=compiled,
        model=book.outcomes,
        labels=book.labels,
        as_of=day,
        profile_sha256=sha256,
        explicit=explicit,
    )


def render(decision: Decision) -> str:
    return decision.to_json()
