"""Guidance for a platform: why it is not in a lighter tier, and the smallest sets of changes
within its control that would put it there or drop an obligation, each evaluated on the engine.

Candidates: every fact that a fired rule tested and that rules/controls.yaml lets the platform
change, set to the nearest value that makes that test fail, moving only the allowed way
(a licence obtained, an activity ceased, a measure put in place, a class improved by one).
Minimality: change sets are tried by increasing size in a fixed order, and a set is kept for a
goal only when no smaller set reached that goal and none of its subsets did; the search stops
at max_changes, at max_evaluations, or at the time limit (then `complete` is false).
"""

import itertools
import operator
import time
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from engine.compiler import CompiledRelease
from engine.conditions import Atom, FactRef
from engine.decision import Decision, Text
from engine.errors import SandboxError
from engine.evaluate import evaluate
from engine.facts import profile_facts
from engine.profile import parse_profile
from engine.rulebook import Rulebook, default_rulebook
from engine.vocabulary import Vocabulary
from engine.yamlfile import load_yaml
from rules import RULES_DIR

LISTS = ("licences", "activities")


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Change(_Out):
    fact: str
    before: Any
    after: Any
    action: Text


class FactHold(_Out):
    """A fact that holds a rule, and whether (and how) the platform can change it."""

    fact: str
    value: Any
    controllable: bool
    how: Text


class Blocker(_Out):
    rule: str
    measure: list[int]
    sets_tier: str
    facts: list[FactHold]


class WhyNot(_Out):
    tier: str
    blocked_by: list[Blocker]
    platform_can_reach: bool


class Result(_Out):
    tier: str
    intensity_level: str | None
    obligations: list[str]


class Counterfactual(_Out):
    goal: str
    changes: list[Change]
    result: Result


class Search(_Out):
    candidates: int
    evaluated: int
    max_changes: int
    complete: bool


class Guidance(_Out):
    tier: str
    why_not: list[WhyNot]
    counterfactuals: list[Counterfactual]
    search: Search


@dataclass(frozen=True)
class Control:
    to: Any
    direction: str | None
    action: dict[str, str]


@dataclass(frozen=True)
class Controls:
    controlled: dict[str, Control]
    inherent: dict[str, dict[str, str]]

    def control(self, fact: str) -> Control | None:
        return self.controlled.get(fact) or self.controlled.get(fact.split(".")[0] + ".*")

    def reason(self, fact: str) -> dict[str, str] | None:
        return self.inherent.get(fact) or self.inherent.get(fact.split(".")[0] + ".*")


@cache
def load_controls(path: Path = RULES_DIR / "controls.yaml") -> Controls:
    raw = load_yaml(path.read_text(encoding="utf-8"))
    controlled = {
        fact: Control(body.get("to"), body.get("direction"), dict(body["action"]))
        for fact, body in raw["controlled"].items()
    }
    return Controls(controlled, {fact: dict(text) for fact, text in raw["inherent"].items()})


OPS = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}


def _holds(atom: Atom, value: Any, right: Any = None) -> bool:
    """Whether a test holds for a value (right: the other fact's value, for fact-to-fact tests)."""
    other = right if isinstance(atom.value, FactRef) else atom.value
    if atom.op not in ("eq", "ne") and (value is None or other is None):
        return False
    return bool(OPS[atom.op](value, other))


def _falsify(atom: Atom, control: Control, current: Any, classes: tuple[str, ...]) -> Any:
    """The nearest value, in the allowed direction, that makes the test fail (or None)."""
    if control.direction is None:
        candidates = [control.to]
    elif control.direction == "up":
        candidates = [atom.value] if atom.op == "lt" else [atom.value + 1] if atom.op == "le" else []
        candidates = [c for c in candidates if isinstance(current, int) and c > current]
    else:  # better: one credit class better than now
        index = classes.index(current) if current in classes else 0
        candidates = [classes[index - 1]] if index > 0 else []
    return next((c for c in candidates if c != current and not _holds(atom, c)), None)


def _label(fact: str, value: Any, vocabulary: Vocabulary, lang: str) -> dict[str, str]:
    kind, _, code = fact.partition(".")
    if kind in ("licences", "activities", "formats") and code:
        term = vocabulary.terms(kind)[code]
        return {"code": code, "name": term.en if lang == "en" else term.zh, "to": str(value)}
    return {"code": fact, "name": fact, "to": str(value)}


def _action(fact: str, after: Any, control: Control, vocabulary: Vocabulary) -> Text:
    return Text(
        en=control.action["en"].format(**_label(fact, after, vocabulary, "en")),
        zh=control.action["zh"].format(**_label(fact, after, vocabulary, "zh")),
    )


def apply(profile: dict[str, Any], changes: list[tuple[str, Any]]) -> dict[str, Any]:
    """The profile with the changes made (codes added to or removed from their lists)."""
    out = {**profile}
    for fact, value in changes:
        head, _, rest = fact.partition(".")
        if head in LISTS:
            codes = [c for c in out.get(head, []) if c != rest]
            out[head] = sorted([*codes, rest]) if value else codes
        else:
            out[head] = {**out.get(head, {}), rest: value}
    return out


class _Planner:
    def __init__(self, profile: dict[str, Any], decision: Decision, book: Rulebook) -> None:
        self.profile, self.decision, self.book = profile, decision, book
        self.compiled: CompiledRelease = book.get(decision.ruleset.release)
        self.controls = load_controls()
        self.tiers = book.outcomes.outcomes["tier"].order
        self.release = decision.ruleset.release if decision.ruleset.selection == "explicit" else None
        parsed = parse_profile(profile)
        self.values = profile_facts(parsed, as_of=decision.assessment_date, vocabulary=book.vocabulary)
        self.fired = {f.rule for f in decision.explanation.fired}

    def matched(self) -> list[Any]:
        """The branches that fired: their tests hold on the values their rule matched."""
        out = []
        for fired in self.decision.explanation.fired:
            seen = {**self.values, **{k: self._typed(k, v) for k, v in fired.facts.items()}}
            for branch in self._branches(fired.rule):
                if all(
                    _holds(a, seen.get(a.fact), seen.get(getattr(a.value, "name", ""))) for a in branch.atoms
                ):
                    out.append((branch, seen))
        return out

    def _typed(self, fact: str, value: Any) -> Any:
        spec = self.book.facts.get(fact)
        return date.fromisoformat(value) if spec and spec.kind == "date" and isinstance(value, str) else value

    def candidates(self) -> list[Change]:
        classes = self.book.outcomes.outcomes["credit_class"].order
        found: dict[tuple[str, str], Change] = {}
        for branch, _seen in self.matched():
            for atom in branch.atoms:
                tests = [(atom.fact, atom)]
                base = self.book.outcomes.outcomes.get(atom.fact)
                if base is not None and base.base:  # an outcome the declared value feeds
                    tests.append((base.base, Atom(base.base, atom.op, atom.value)))
                for fact, test in tests:
                    control = self.controls.control(fact)
                    current = self.values.get(fact)
                    if control is None or fact not in self.values or not _holds(test, current):
                        continue
                    after = _falsify(test, control, current, classes)
                    if after is not None:
                        action = _action(fact, after, control, self.book.vocabulary)
                        change = Change(fact=fact, before=current, after=after, action=action)
                        found.setdefault((fact, repr(after)), change)
        return [found[key] for key in sorted(found)]

    def hold(self, fact: str, value: Any, changes: list[Change]) -> FactHold:
        """How a fact holding a rule could change: by an action, through the rules that set it, or not."""
        spec = self.book.outcomes.outcomes.get(fact.split(".")[0])
        drivers = {fact}
        if spec is not None:  # an outcome: what feeds it (its declared base, the facts of its setters)
            setters = sorted(
                r
                for r in self.fired
                if any(s.outcome == spec.name for b in self._branches(r) for s in b.setters)
            )
            drivers |= {spec.base} if spec.base else set()
            drivers |= {
                f for fired in self.decision.explanation.fired if fired.rule in setters for f in fired.facts
            }
        actions = [c.action for c in changes if c.fact in drivers]
        if actions:
            return FactHold(
                fact=fact,
                value=value,
                controllable=True,
                how=Text(en="; or ".join(a.en for a in actions), zh=";或".join(a.zh for a in actions)),
            )
        reason = self.controls.reason(fact)
        if reason is None and spec is not None:
            reason = {
                "en": f"decided by {', '.join(setters) or 'the declared value'}",
                "zh": f"由{'、'.join(setters) or '申报值'}决定",
            }
        return FactHold(
            fact=fact,
            value=value,
            controllable=False,
            how=Text(**(reason or {"en": "not in the platform's control", "zh": "平台无法改变"})),
        )

    def _branches(self, rule: str) -> list[Any]:
        return [b for b in self.compiled.branches.values() if b.rule == rule]

    def assess(self, changes: tuple[Change, ...]) -> Decision | None:
        try:
            return evaluate(
                apply(self.profile, [(c.fact, c.after) for c in changes]),
                as_of=self.decision.assessment_date,
                release=self.release,
                rulebook=self.book,
            )
        except SandboxError:
            return None


def _reaches(goal: str, decision: Decision, tiers: tuple[str, ...]) -> bool:
    kind, _, target = goal.partition(" ")
    if kind == "tier":
        return tiers.index(decision.tier) <= tiers.index(target)
    return target not in {o.rule for o in decision.obligations}


def guide(
    profile: dict[str, Any],
    decision: Decision | None = None,
    *,
    as_of: date | None = None,
    release: str | None = None,
    rulebook: Rulebook | None = None,
    max_changes: int = 3,
    max_evaluations: int = 3000,
    time_limit: float = 10.0,
) -> Guidance:
    """Why not a lighter tier, and the smallest change sets that reach one or drop obligations."""
    book = rulebook or default_rulebook()
    decision = decision or evaluate(profile, as_of=as_of, release=release, rulebook=book)
    planner = _Planner(profile, decision, book)
    tiers = planner.tiers
    current = tiers.index(decision.tier)
    goals = [f"tier {t}" for t in reversed(tiers[:current])] + [
        f"drop {o.rule}" for o in decision.obligations
    ]
    candidates = planner.candidates()
    solutions: dict[str, list[tuple[tuple[Change, ...], Decision]]] = {g: [] for g in goals}
    evaluated, complete, started = 0, True, time.monotonic()
    for size in range(1, max_changes + 1):
        if all(solutions[g] and len(solutions[g][0][0]) < size for g in goals):
            break
        for combo in itertools.combinations(candidates, size):
            if len({c.fact for c in combo}) < size:
                continue
            open_goals = [g for g in goals if not solutions[g] or len(solutions[g][0][0]) == size]
            wanted = [
                g
                for g in open_goals
                if not any({c.fact for c in s} <= {c.fact for c in combo} for s, _ in solutions[g])
            ]
            if not wanted:
                continue
            if evaluated >= max_evaluations or time.monotonic() - started > time_limit:
                complete = False
                break
            evaluated += 1
            result = planner.assess(combo)
            if result is None:
                continue
            for goal in wanted:
                if _reaches(goal, result, tiers) and len(solutions[goal]) < 3:
                    solutions[goal].append((combo, result))
        if not complete:
            break
    counterfactuals = [
        Counterfactual(
            goal=goal,
            changes=list(combo),
            result=Result(
                tier=result.tier,
                intensity_level=result.intensity.level,
                obligations=[o.rule for o in result.obligations],
            ),
        )
        for goal in goals
        for combo, result in solutions[goal]
    ]
    why_not = []
    for tier in reversed(tiers[:current]):
        blockers = [
            Blocker(
                rule=f.rule,
                measure=f.measure,
                sets_tier=f.effect["tier"],
                facts=[planner.hold(fact, value, candidates) for fact, value in sorted(f.facts.items())],
            )
            for f in decision.explanation.fired
            if f.effect.get("tier") in tiers and tiers.index(f.effect["tier"]) > tiers.index(tier)
        ]
        why_not.append(
            WhyNot(tier=tier, blocked_by=blockers, platform_can_reach=bool(solutions[f"tier {tier}"]))
        )
    return Guidance(
        tier=decision.tier,
        why_not=why_not,
        counterfactuals=counterfactuals,
        search=Search(
            candidates=len(candidates), evaluated=evaluated, max_changes=max_changes, complete=complete
        ),
    )
