"""Impact of a release change: the latest input of every case re-evaluated under two releases.

Reports the tier and grade transition matrices, intensity and obligation changes, and for
each changed case the attribution: the rules whose firing differs (fired under only one
release, or under both with a different effect). Nothing is recorded.
"""

from collections import Counter
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from cases.store.database import Store
from cases.store.reads import StoredDecision, latest_per_case
from engine import Decision, SandboxError, default_rulebook, evaluate


class RuleChange(BaseModel):
    """A rule whose firing differs between the two releases."""

    model_config = ConfigDict(frozen=True)

    rule: str
    change: Literal["only_from", "only_to", "effect_changed"]
    from_effect: dict[str, Any] | None = None
    to_effect: dict[str, Any] | None = None


class Outcome(BaseModel):
    """The parts of a decision the impact report compares."""

    model_config = ConfigDict(frozen=True)

    tier: str
    platform_grade: str
    credit_class: str
    intensity: str | None
    inspection_ratio: float | None
    observation_ends_on: date | None
    obligations: list[str]

    @classmethod
    def of(cls, decision: Decision) -> "Outcome":
        return cls(
            tier=decision.tier,
            platform_grade=decision.platform_grade,
            credit_class=decision.credit_class,
            intensity=decision.intensity.level,
            inspection_ratio=decision.intensity.inspection_ratio,
            observation_ends_on=decision.observation.ends_on if decision.observation else None,
            obligations=[o.rule for o in decision.obligations],
        )


class CaseImpact(BaseModel):
    """One case whose outcome or rule firings differ between the releases."""

    model_config = ConfigDict(frozen=True)

    case_id: int
    name: str
    uscc: str | None
    decision_id: int
    as_of: date
    before: Outcome
    after: Outcome
    obligations_added: list[str]
    obligations_removed: list[str]
    attribution: list[RuleChange]


class CaseFailure(BaseModel):
    model_config = ConfigDict(frozen=True)

    case_id: int
    name: str
    decision_id: int
    release: str
    error: str


class ImpactReport(BaseModel):
    """Matrices are keyed from-value then to-value, in the order rules/outcomes.yaml declares."""

    model_config = ConfigDict(frozen=True)

    from_release: str
    to_release: str
    as_of: date | None
    cases: int
    tier_matrix: dict[str, dict[str, int]]
    grade_matrix: dict[str, dict[str, int]]
    intensity_changes: dict[str, int]
    obligation_changes: dict[str, dict[str, int]]
    changed: list[CaseImpact]
    failures: list[CaseFailure]


def attribution(before: Decision, after: Decision) -> list[RuleChange]:
    """Rules that fired under only one release, or under both with a different effect."""
    left = {f.rule: f.effect for f in before.explanation.fired}
    right = {f.rule: f.effect for f in after.explanation.fired}
    changes = []
    for rule in sorted(set(left) | set(right)):
        if rule not in right:
            changes.append(RuleChange(rule=rule, change="only_from", from_effect=left[rule]))
        elif rule not in left:
            changes.append(RuleChange(rule=rule, change="only_to", to_effect=right[rule]))
        elif left[rule] != right[rule]:
            changes.append(
                RuleChange(rule=rule, change="effect_changed", from_effect=left[rule], to_effect=right[rule])
            )
    return changes


def _matrix(order: tuple[str, ...], pairs: list[tuple[str, str]]) -> dict[str, dict[str, int]]:
    counts = Counter(pairs)
    values = list(order) + sorted({v for pair in pairs for v in pair} - set(order))
    return {a: {b: counts[(a, b)] for b in values} for a in values}


def _intensity(outcome: Outcome) -> str:
    return "none" if outcome.intensity is None else f"{outcome.intensity} ({outcome.inspection_ratio})"


class ImpactTally(BaseModel):
    """The comparison of some cases, before the report: tallies of parts add up to the whole."""

    cases: int = 0
    tiers: list[tuple[str, str]] = []
    grades: list[tuple[str, str]] = []
    intensity: dict[str, int] = {}
    obligations: dict[str, dict[str, int]] = {}
    changed: list[CaseImpact] = []
    failures: list[CaseFailure] = []


def impact(store: Store, *, from_release: str, to_release: str, as_of: date | None = None) -> ImpactReport:
    """Compare the two releases over the latest stored input of every case."""
    check_releases(from_release, to_release)
    tally = tally_cases(latest_per_case(store), from_release=from_release, to_release=to_release, as_of=as_of)
    return build_report([tally], from_release=from_release, to_release=to_release, as_of=as_of)


def check_releases(*releases: str) -> None:
    """An unknown release is bad input (UnknownRelease), found before any case is read."""
    book = default_rulebook()
    for release in releases:
        book.get(release)


def tally_cases(
    latest: list[StoredDecision], *, from_release: str, to_release: str, as_of: date | None
) -> ImpactTally:
    """Re-evaluate these cases' latest inputs under both releases and tally the differences."""
    tally = ImpactTally(cases=len(latest))
    intensity: Counter[str] = Counter()
    obligations: dict[str, Counter[str]] = {}
    for stored in latest:
        day = as_of or stored.as_of
        results = _evaluate_both(
            stored, day=day, from_release=from_release, to_release=to_release, failures=tally.failures
        )
        if results is None:
            continue
        before, after = Outcome.of(results[0]), Outcome.of(results[1])
        tally.tiers.append((before.tier, after.tier))
        tally.grades.append((before.platform_grade, after.platform_grade))
        if (before.intensity, before.inspection_ratio) != (after.intensity, after.inspection_ratio):
            intensity[f"{_intensity(before)} -> {_intensity(after)}"] += 1
        added = sorted(set(after.obligations) - set(before.obligations))
        removed = sorted(set(before.obligations) - set(after.obligations))
        for rule in added:
            obligations.setdefault(rule, Counter())["added"] += 1
        for rule in removed:
            obligations.setdefault(rule, Counter())["removed"] += 1
        rules = attribution(*results)
        if rules or before != after:
            tally.changed.append(
                CaseImpact(
                    case_id=stored.case_id,
                    name=stored.case_name,
                    uscc=stored.case_uscc,
                    decision_id=stored.id,
                    as_of=day,
                    before=before,
                    after=after,
                    obligations_added=added,
                    obligations_removed=removed,
                    attribution=rules,
                )
            )
    tally.intensity = dict(intensity)
    tally.obligations = {
        rule: {"added": c["added"], "removed": c["removed"]} for rule, c in obligations.items()
    }
    return tally


def build_report(
    tallies: list[ImpactTally], *, from_release: str, to_release: str, as_of: date | None
) -> ImpactReport:
    """The report over the tallies of consecutive case ranges, in case order."""
    intensity: Counter[str] = Counter()
    obligations: dict[str, Counter[str]] = {}
    for tally in tallies:
        intensity.update(tally.intensity)
        for rule, counts in tally.obligations.items():
            obligations.setdefault(rule, Counter()).update(counts)
    orders = default_rulebook().outcomes.outcomes
    return ImpactReport(
        from_release=from_release,
        to_release=to_release,
        as_of=as_of,
        cases=sum(t.cases for t in tallies),
        tier_matrix=_matrix(orders["tier"].order, [p for t in tallies for p in t.tiers]),
        grade_matrix=_matrix(orders["grade"].order, [p for t in tallies for p in t.grades]),
        intensity_changes=dict(sorted(intensity.items())),
        obligation_changes={
            rule: {"added": c["added"], "removed": c["removed"]} for rule, c in sorted(obligations.items())
        },
        changed=[c for t in tallies for c in t.changed],
        failures=[f for t in tallies for f in t.failures],
    )


def _evaluate_both(
    stored: StoredDecision, *, day: date, from_release: str, to_release: str, failures: list[CaseFailure]
) -> tuple[Decision, Decision] | None:
    decisions = []
    for release in (from_release, to_release):
        try:
            decisions.append(evaluate(stored.profile, as_of=day, release=release))
        except SandboxError as exc:
            failures.append(
                CaseFailure(
                    case_id=stored.case_id,
                    name=stored.case_name,
                    decision_id=stored.id,
                    release=release,
                    error=f"{exc.code}: {exc}",
                )
            )
            return None
    return decisions[0], decisions[1]
