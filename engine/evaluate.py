"""The one entry point: a platform profile in, a supervision decision out."""

from datetime import date
from typing import Any

from engine.decision import Decision, build_decision
from engine.errors import FieldError, ProfileError
from engine.facts import profile_facts
from engine.inference import infer
from engine.profile import Profile, date_problem, parse_profile
from engine.release import sha256_of
from engine.rulebook import Rulebook, default_rulebook


def evaluate(
    profile: Profile | dict[str, Any],
    *,
    as_of: date | None = None,
    release: str | None = None,
    rulebook: Rulebook | None = None,
) -> Decision:
    """Assess a profile on the release in force on the as-of date, or on the release named.

    The as-of date is `as_of`, else the profile's assessment_date, else today. A named
    release applies even outside its in-force dates (a what-if) and the decision says so.
    """
    parsed = parse_profile(profile)
    book = rulebook or default_rulebook()
    day = as_of or parsed.assessment_date or date.today()
    problem = date_problem(day)
    if problem:
        raise ProfileError([FieldError("assessment_date", problem)])
    compiled = book.get(release) if release else book.in_force(day)
    canonical = {**parsed.canonical(), "assessment_date": day.isoformat()}
    facts = profile_facts(parsed, as_of=day, vocabulary=book.vocabulary)
    inference = infer(compiled, book.handle(compiled.release.id), facts, book.outcomes)
    return build_decision(
        inference,
        compiled=compiled,
        model=book.outcomes,
        labels=book.labels,
        as_of=day,
        profile_sha256=sha256_of(canonical),
        explicit=release is not None,
    )
