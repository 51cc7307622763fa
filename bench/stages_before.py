"""The stage functions bench/bench_stages.py calls, written over the code before issue 13 part 4
(commit e165364, which has no engine/stages.py), so the same benchmark measures the old code:

    mkdir /tmp/before && git archive e165364 | tar -x -C /tmp/before
    cp bench/stages_before.py /tmp/before/engine/stages.py
    cp bench/bench_stages.py /tmp/before/bench/
    cd /tmp/before && PYTHONPATH=/tmp/before /path/to/.venv/bin/python bench/bench_stages.py

Untyped on purpose: it is only ever copied into that old tree."""

from datetime import date

from engine.decision import build_decision
from engine.errors import FieldError, ProfileError
from engine.facts import profile_facts
from engine.inference import infer_many
from engine.profile import date_problem, parse_profile
from engine.release import sha256_of


def parse(profile):
    return parse_profile(profile)


def as_of_day(parsed, as_of):
    day = as_of or parsed.assessment_date or date.today()
    problem = date_problem(day)
    if problem:
        raise ProfileError([FieldError("assessment_date", problem)])
    return day


def release_for(day, release, book):
    return book.get(release) if release else book.in_force(day)


def dump(parsed):
    return parsed


def profile_hash(parsed, day):
    return sha256_of({**parsed.canonical(), "assessment_date": day.isoformat()})


def facts(parsed, data, day, book):
    return profile_facts(parsed, as_of=day, vocabulary=book.vocabulary)


def infer(compiled, case_facts, book):
    (inference,) = infer_many(compiled, book.handle(compiled.release.id), [case_facts], book.outcomes)
    return inference


def decide(inference, compiled, day, sha256, book, *, explicit=False):
    return build_decision(
        inference,
        compiled=compiled,
        model=book.outcomes,
        labels=book.labels,
        as_of=day,
        profile_sha256=sha256,
        explicit=explicit,
    )


def render(decision):
    return decision.to_json()
