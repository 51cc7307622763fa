"""The one entry point: a platform profile in, a supervision decision out (or many at once)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine import stages
from engine.compiler import CompiledRelease
from engine.decision import Decision
from engine.errors import EngineError, SandboxError
from engine.inference import Inference, infer_many
from engine.profile import Profile
from engine.rulebook import Rulebook, default_rulebook

# Profiles per durable-rules session in evaluate_many. durable-rules clears a large block of state
# for every session (memset): counted with callgrind over 400 profiles, a session each costs 4.26 M
# instructions a profile, 8 to a session 2.99 M, 64 to a session 2.83 M. In wall time (noisy
# here) 8 gained 8-14 %, while batches of 64 lost to the collector walking more live objects.
SESSION_SIZE = 8


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
    book = rulebook or default_rulebook()
    case = _prepare(profile, as_of=as_of, release=release, book=book)
    (inference,) = infer_many(
        case.compiled, book.handle(case.compiled.release.id), [case.facts], book.outcomes
    )
    return _decision(case, inference, book)


def evaluate_many(
    profiles: Sequence[Profile | dict[str, Any]],
    *,
    as_of: date | None = None,
    release: str | None = None,
    rulebook: Rulebook | None = None,
) -> list[Decision | SandboxError]:
    """Assess several profiles as `evaluate` assesses each, with a bad profile's error in its place.

    The profiles of one release go to durable-rules together, SESSION_SIZE to a session and one
    call per phase, so the cost of a session is shared. Should the batch fail in the engine, each profile is
    assessed alone, so that one profile's engine error stays its own.
    """
    book = rulebook or default_rulebook()
    results: list[Decision | SandboxError | None] = [None] * len(profiles)
    groups: dict[str, list[tuple[int, _Case]]] = {}
    for index, profile in enumerate(profiles):
        try:
            case = _prepare(profile, as_of=as_of, release=release, book=book)
        except SandboxError as exc:
            results[index] = exc
            continue
        groups.setdefault(case.compiled.release.id, []).append((index, case))
    for release_id, group in sorted(groups.items()):
        handle = book.handle(release_id)
        for start in range(0, len(group), SESSION_SIZE):
            members = group[start : start + SESSION_SIZE]
            try:
                facts = [case.facts for _, case in members]
                inferences = infer_many(members[0][1].compiled, handle, facts, book.outcomes)
                for (index, case), inference in zip(members, inferences, strict=True):
                    results[index] = _decision(case, inference, book)
            except SandboxError:
                for index, case in members:
                    results[index] = _alone(case, book)
    done = [r for r in results if r is not None]
    if len(done) != len(profiles):
        raise EngineError("evaluate_many lost a profile: every profile must get a decision or an error")
    return done


@dataclass(frozen=True)
class _Case:
    """A profile ready for the engine: the release to apply, its facts and its input hash."""

    compiled: CompiledRelease
    day: date
    facts: dict[str, Any]
    profile_sha256: str
    explicit: bool


def _prepare(
    profile: Profile | dict[str, Any], *, as_of: date | None, release: str | None, book: Rulebook
) -> _Case:
    parsed = stages.parse(profile)
    day = stages.as_of_day(parsed, as_of)
    compiled = stages.release_for(day, release, book)
    data = stages.dump(parsed)
    return _Case(
        compiled=compiled,
        day=day,
        facts=stages.facts(parsed, data, day, book),
        profile_sha256=stages.profile_hash(data, day),
        explicit=release is not None,
    )


def _decision(case: _Case, inference: Inference, book: Rulebook) -> Decision:
    return stages.decide(
        inference, case.compiled, case.day, case.profile_sha256, book, explicit=case.explicit
    )


def _alone(case: _Case, book: Rulebook) -> Decision | SandboxError:
    try:
        (inference,) = infer_many(
            case.compiled, book.handle(case.compiled.release.id), [case.facts], book.outcomes
        )
        return _decision(case, inference, book)
    except SandboxError as exc:
        return exc
