"""The finite space of profiles that stands for all profiles, for one or more releases at once.

The reduction (README, "Exhaustive checks", says why it is sound):
1. Numbers, dates, booleans and enums split into classes at every value a rule compares them
   with; one representative per class (each threshold and the value just below it).
2. Formats, licences and activities enter rules only through `some` quantifiers, so a set of
   formats matters only through its abstract state (flags present, any new format, any licence
   required); one representative set per reachable state, with all its licences held or none,
   and no prohibited activity or one.
3. Inputs read only by the rules that set one outcome (the credit inputs set credit_class, the
   scale sets grade) are enumerated alone, and the main space keeps one representative per
   value of that outcome (per pair of values when two releases are compared).
4. Inputs read only by rules that set no outcome (obligations only) cannot change any outcome:
   the main space holds them at their defaults.
The dependency facts behind 3 and 4 are computed from the compiled rules, not assumed.
"""

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.compiler import CompiledRelease
from engine.conditions import FactRef
from engine.decision import Decision
from engine.rulebook import Rulebook

CODE_LISTS = ("formats.", "licences.", "activities.")
BASE: dict[str, Any] = {"schema_version": "1", "name": "Checked profile"}
FACTORED = {"credit_class": "credit.", "grade": "scale."}
MONOTONE = {
    "licences": "holding more licences never makes the tier stricter",
    "activities": "adding a prohibited activity never lightens the tier",
    "credit_class": "a worse credit class never lightens the tier or lowers the intensity",
    "risk": "a stricter risk declaration never lightens the tier",
}

Evaluate = Callable[[dict[str, Any], str], Decision | None]


@dataclass
class Dimension:
    """One axis of the space: labelled profile patches, in the order monotonicity expects."""

    name: str
    values: list[tuple[str, dict[str, Any]]]
    monotone: str = ""


def merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in patch.items():
        nested = isinstance(value, dict) and isinstance(out.get(key), dict)
        out[key] = merge(out[key], value) if nested else value
    return out


def set_path(path: str, value: Any) -> dict[str, Any]:
    head, _, rest = path.partition(".")
    return {head: set_path(rest, value) if rest else value}


def readers(compiled: CompiledRelease) -> dict[str, set[str]]:
    """For every fact, the rules whose conditions read it."""
    out: dict[str, set[str]] = {}
    for branch in compiled.branches.values():
        for atom in branch.atoms:
            for fact in atom.facts():
                out.setdefault(fact, set()).add(branch.rule)
    return out


def writers(compiled: CompiledRelease) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for branch in compiled.branches.values():
        for setter in branch.setters:
            out.setdefault(setter.outcome, set()).add(branch.rule)
    return out


def thresholds(compiled: CompiledRelease, fact: str) -> list[Any]:
    values = {
        atom.value
        for b in compiled.branches.values()
        for atom in b.atoms
        if atom.fact == fact and not isinstance(atom.value, FactRef) and atom.value is not None
    }
    return sorted(values)


def codes_tested_directly(compiled: CompiledRelease) -> str:
    """A rule that names a code in a condition (the format-state reduction would not hold)."""
    for rule_id, raw in sorted(compiled.release.rules.items()):
        text = json.dumps(raw)
        if any(f'"fact": "{prefix}' in text for prefix in CODE_LISTS):
            return rule_id
    return ""


class Space:
    """The reduced space of one or more releases on one as-of date."""

    def __init__(self, book: Rulebook, releases: list[CompiledRelease], day: date) -> None:
        self.book, self.releases, self.day = book, releases, day
        self.readers = [readers(c) for c in releases]
        self.writers = [writers(c) for c in releases]
        self.notes: list[str] = []

    def _outcome_rules(self, k: int) -> set[str]:
        return {r for rules in self.writers[k].values() for r in rules}

    def decides(self, fact: str) -> bool:
        """Whether, in some release, a rule that sets an outcome reads this fact."""
        return any(
            self.readers[k].get(fact, set()) & self._outcome_rules(k) for k in range(len(self.releases))
        )

    def private_to(self, facts: list[str], outcome: str) -> bool:
        """Whether only the rules that set `outcome` (or no outcome) read these facts, in every release."""
        for k in range(len(self.releases)):
            allowed = self.writers[k].get(outcome, set())
            if any((self.readers[k].get(f, set()) & self._outcome_rules(k)) - allowed for f in facts):
                return False
        return True

    def classes(self, fact: str) -> list[Any]:
        """One representative per class of a fact, split at every release's compared values."""
        spec = self.book.facts[fact]
        if spec.kind == "bool":
            return [False, True]
        if spec.kind == "enum":
            return ([None] if spec.nullable else []) + list(spec.values)
        reps = {0}
        for compiled in self.releases:
            for t in thresholds(compiled, fact):
                reps.update({t - 1, t} if t - 1 >= 0 else {t})
        return sorted(reps)

    def format_sets(self) -> list[tuple[str, list[str]]]:
        """One representative format set per reachable abstract state (in every release)."""

        def state(codes: tuple[str, ...]) -> tuple[tuple[str, bool, bool], ...]:
            out = []
            for compiled in self.releases:
                catalogue = compiled.release.formats
                flags = "".join(sorted({f for c in codes for f in catalogue[c].get("flags", [])}))
                new = any(
                    catalogue[c].get("recognised_since") is None
                    or self.day < date.fromisoformat(catalogue[c]["recognised_since"])
                    for c in codes
                )
                out.append((flags, new, any(catalogue[c].get("licences") for c in codes)))
            return tuple(out)

        chosen: dict[tuple[tuple[str, bool, bool], ...], tuple[str, ...]] = {}
        codes = sorted(self.releases[0].release.formats)
        for size in (1, 2, 3):
            for combo in itertools.combinations(codes, size):
                chosen.setdefault(state(combo), combo)
        return [("+".join(c), list(c)) for _, c in sorted(chosen.items())]

    def profile(self, choice: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
        profile = dict(BASE)
        for _, patch in choice:
            profile = merge(profile, patch)
        if "unlisted" in profile.get("formats", []):
            profile["new_format_description"] = "a format the catalogue does not list"
        if any(label == "all held" for label, _ in choice):
            held = {
                licence
                for compiled in self.releases
                for fmt in profile["formats"]
                for licence in compiled.release.formats[fmt].get("licences", [])
            }
            profile["licences"] = sorted(held)
        profile["assessment_date"] = self.day.isoformat()
        return profile

    def factored(
        self, facts: list[str], outcome: str, evaluate: list[Evaluate]
    ) -> list[tuple[str, dict[str, Any]]]:
        """Enumerate one outcome's inputs alone; one representative per (tuple of) outcome value."""
        reps: dict[tuple[str, ...], dict[str, Any]] = {}
        for combo in itertools.product(*(self.classes(f) for f in facts)):
            patch: dict[str, Any] = {}
            for fact, value in zip(facts, combo, strict=True):
                patch = merge(patch, set_path(fact, value))
            profile = self.profile([("", {"formats": ["remote_office"]}), ("", patch)])
            decisions = [run(profile, f"{outcome} inputs") for run in evaluate]
            if any(d is None for d in decisions):
                continue
            key = tuple(
                getattr(d, "credit_class" if outcome == "credit_class" else "platform_grade")
                for d in decisions
            )
            reps.setdefault(key, patch)
        order = self.book.outcomes.outcomes[outcome].order
        ordered = sorted(reps.items(), key=lambda kv: [order.index(v) for v in kv[0]])
        return [("->".join(dict.fromkeys(key)), patch) for key, patch in ordered]

    def dimensions(self, evaluate: list[Evaluate]) -> list[Dimension]:
        """The axes of the main space, each with the monotonicity it must show (if any)."""
        patterns: dict[tuple[bool, ...], str] = {}
        for code in sorted(self.book.vocabulary.activities):  # one activity per prohibition pattern
            pattern = tuple(code in c.release.prohibited_activities for c in self.releases)
            if any(pattern):
                patterns.setdefault(pattern, code)
        prohibited: list[tuple[str, dict[str, Any]]] = [("none", {"activities": []})]
        prohibited += [
            (f"{code} (prohibited)", {"activities": [code]}) for _, code in sorted(patterns.items())
        ]
        profile_facts = [
            f for f, s in self.book.facts.items() if not s.outcome and not f.startswith(CODE_LISTS)
        ]
        deciding = [f for f in profile_facts if f != "assessment_date" and self.decides(f)]
        held = sorted(f for f in profile_facts if f != "assessment_date" and f not in deciding)
        dims = [
            Dimension("formats", [(label, {"formats": codes}) for label, codes in self.format_sets()]),
            Dimension("licences", [("all held", {}), ("none held", {"licences": []})], MONOTONE["licences"]),
            Dimension("activities", prohibited, MONOTONE["activities"] if len(self.releases) == 1 else ""),
        ]
        rest = [f for f in deciding if not f.startswith(tuple(FACTORED.values()))]
        for outcome, prefix in FACTORED.items():
            facts = [f for f in deciding if f.startswith(prefix)]
            if facts and self.private_to(facts, outcome):
                values = self.factored(facts, outcome, evaluate)
                dims.append(
                    Dimension(outcome, values, MONOTONE.get(outcome, "") if len(evaluate) == 1 else "")
                )
                self.notes.append(f"{', '.join(facts)} factor through {outcome} ({len(values)} values)")
            else:
                rest += facts
        for fact in rest:
            claim = MONOTONE["risk"] if fact.startswith("risk.") else ""
            dims.append(Dimension(fact, [(repr(v), set_path(fact, v)) for v in self.classes(fact)], claim))
        self.notes.append(
            f"held at their defaults (no rule that sets an outcome reads them): {', '.join(held)}"
        )
        return dims
