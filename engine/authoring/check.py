"""`sandbox rules check`: evaluate a finite space of profiles that stands for every profile,
on the engine itself, and prove each release's properties over it.

The reduction (README, "Exhaustive checks", says why it is sound):
1. Numbers, dates, booleans and enums split into classes at every value a rule compares
   them with; one representative per class (each threshold and the value just below it).
2. Formats, licences and activities enter rules only through `some` quantifiers, so a set
   of formats matters only through its abstract state (flags present, any new format, any
   licence required); one representative format set per reachable state, with all its
   licences held or none, and no prohibited activity or one.
3. An input read only by the rules that set one outcome (the credit inputs set credit_class,
   the scale sets grade) is enumerated alone, and the main space uses one representative per
   value of that outcome.
4. Inputs read only by rules that set no outcome (obligations only) cannot change tier,
   intensity or any outcome: the main space holds them fixed, and a second pass varies them
   one at a time to show every obligation rule can fire.
The dependency facts behind 3 and 4 are computed from the compiled rules, not assumed.
"""

import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from engine.compiler import CompiledRelease
from engine.conditions import FactRef
from engine.decision import Decision
from engine.errors import SandboxError
from engine.evaluate import evaluate
from engine.rulebook import Rulebook

CODE_LISTS = ("formats.", "licences.", "activities.")
BASE: dict[str, Any] = {"schema_version": "1", "name": "Checked profile"}


@dataclass
class Dimension:
    """One axis of the space: labelled profile patches, in the order monotonicity expects."""

    name: str
    values: list[tuple[str, dict[str, Any]]]
    monotone: str = ""  # what must hold along the axis, "" when nothing is claimed


@dataclass
class Report:
    release: str
    points: int = 0
    seconds: float = 0.0
    violations: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fired: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.violations


def _merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in patch.items():
        out[key] = (
            _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
        )
    return out


def _readers(compiled: CompiledRelease) -> dict[str, set[str]]:
    """For every fact, the rules whose conditions read it."""
    out: dict[str, set[str]] = {}
    for branch in compiled.branches.values():
        for atom in branch.atoms:
            for fact in atom.facts():
                out.setdefault(fact, set()).add(branch.rule)
    return out


def _writers(compiled: CompiledRelease) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for branch in compiled.branches.values():
        for setter in branch.setters:
            out.setdefault(setter.outcome, set()).add(branch.rule)
    return out


def _thresholds(compiled: CompiledRelease, fact: str) -> list[Any]:
    values = {
        atom.value
        for b in compiled.branches.values()
        for atom in b.atoms
        if atom.fact == fact and not isinstance(atom.value, FactRef) and atom.value is not None
    }
    return sorted(values)


def _classes(
    compiled: CompiledRelease, fact: str, kind: str, enum: tuple[str, ...], nullable: bool
) -> list[Any]:
    """One representative per class of a fact: each compared value and the one just below."""
    if kind == "bool":
        return [False, True]
    if kind == "enum":
        return ([None] if nullable else []) + list(enum)
    reps = {0}
    for t in _thresholds(compiled, fact):
        reps.update({t - 1, t} if t - 1 >= 0 else {t})
    return sorted(reps)


def _set_path(path: str, value: Any) -> dict[str, Any]:
    head, _, rest = path.partition(".")
    return {head: _set_path(rest, value) if rest else value}


class _Space:
    """The reduced space of one release on one as-of date."""

    def __init__(self, book: Rulebook, compiled: CompiledRelease, day: date) -> None:
        self.book, self.compiled, self.day = book, compiled, day
        self.readers = _readers(compiled)
        self.writers = _writers(compiled)
        self.outcome_rules = {r for rules in self.writers.values() for r in rules}

    def reads_decide(self, fact: str) -> bool:
        """Whether some rule that sets an outcome reads this fact."""
        return bool(self.readers.get(fact, set()) & self.outcome_rules)

    def private_to(self, facts: list[str], outcome: str) -> bool:
        """Whether only the rules that set `outcome` (or no outcome at all) read these facts."""
        allowed = self.writers.get(outcome, set())
        return all(not ((self.readers.get(f, set()) & self.outcome_rules) - allowed) for f in facts)

    def field_values(self, fact: str) -> list[Any]:
        spec = self.book.facts[fact]
        return _classes(self.compiled, fact, spec.kind, spec.values, spec.nullable)

    def format_sets(self) -> list[tuple[str, list[str]]]:
        """One representative format set per reachable abstract state on this date."""
        catalogue = self.compiled.release.formats

        def state(codes: tuple[str, ...]) -> tuple[str, bool, bool]:
            flags = "".join(sorted({f for c in codes for f in catalogue[c].get("flags", [])}))
            new = any(
                catalogue[c].get("recognised_since") is None
                or self.day < date.fromisoformat(catalogue[c]["recognised_since"])
                for c in codes
            )
            return flags, new, any(catalogue[c].get("licences") for c in codes)

        chosen: dict[tuple[str, bool, bool], tuple[str, ...]] = {}
        codes = sorted(c for c in catalogue if c != "unlisted")
        for size in (1, 2, 3):
            for combo in itertools.combinations(codes, size):
                chosen.setdefault(state(combo), combo)
        return [(f"{'+'.join(c)}", list(c)) for _, c in sorted(chosen.items())]


def _profile(
    space: _Space, choice: dict[str, tuple[str, dict[str, Any]]], fixed: dict[str, Any]
) -> dict[str, Any]:
    profile = _merge(BASE, fixed)
    for _, patch in choice.values():
        profile = _merge(profile, patch)
    if choice.get("licences", ("", {}))[0] == "all held":
        catalogue = space.compiled.release.formats
        profile["licences"] = sorted(
            {lic for f in profile["formats"] for lic in catalogue[f].get("licences", [])}
        )
    profile["assessment_date"] = space.day.isoformat()
    return profile


def _rank(order: tuple[str, ...], value: str | None) -> int:
    return len(order) if value is None else order.index(value)


class Checker:
    """Runs the proofs of one release and collects violations as counterexamples."""

    def __init__(self, book: Rulebook, release_id: str) -> None:
        self.book = book
        self.compiled = book.get(release_id)
        self.report = Report(release_id)
        self.tiers = book.outcomes.outcomes["tier"].order
        self.levels = book.outcomes.outcomes["intensity"].order
        self.cells: set[tuple[str, str]] = set()

    def assess(self, profile: dict[str, Any], what: str) -> Decision | None:
        self.report.points += 1
        try:
            decision = evaluate(profile, release=self.compiled.release.id, rulebook=self.book)
            Decision.model_validate(decision.model_dump())  # every field of POLICY §4, checked
        except (SandboxError, ValueError) as exc:
            self.violate(f"{what}: no valid decision ({exc})", profile)
            return None
        if decision.tier not in self.tiers:
            self.violate(f"{what}: tier {decision.tier!r} is not one of {self.tiers}", profile)
        self.report.fired.update(f.rule for f in decision.explanation.fired)
        if decision.intensity.level is not None:
            self.cells.add((decision.tier, decision.credit_class))
        return decision

    def violate(self, message: str, profile: dict[str, Any]) -> None:
        if len(self.report.violations) < 20:
            self.report.violations.append(
                f"{message}\n    counterexample: {json.dumps(profile, sort_keys=True)}"
            )

    def dates(self) -> list[date]:
        r = self.compiled.release
        end = r.in_force_to or r.in_force_from + timedelta(days=366)
        days = {r.in_force_from, end}
        for t in _thresholds(self.compiled, "assessment_date"):
            days.update(d for d in (t - timedelta(days=1), t) if r.in_force_from <= d <= end)
        return sorted(days)

    def run(self) -> Report:
        started = time.perf_counter()
        guard = self._unsupported()
        if guard:
            self.report.violations.append(guard)
            return self.report
        for day in self.dates():
            self._main(_Space(self.book, self.compiled, day))
        self._liveness()
        self.report.seconds = time.perf_counter() - started
        return self.report

    def _unsupported(self) -> str:
        for rule_id, raw in self.compiled.release.rules.items():
            text = json.dumps(raw)
            if any(f'"fact": "{prefix}' in text for prefix in CODE_LISTS):
                return f"{rule_id} tests a code directly; the format-state reduction does not apply"
        return ""

    def _factored(
        self, space: _Space, facts: list[str], outcome: str, fixed: dict[str, Any]
    ) -> list[tuple[str, dict[str, Any]]]:
        """Enumerate the inputs of one outcome alone; keep one representative per value."""
        reps: dict[str, dict[str, Any]] = {}
        for combo in itertools.product(*(space.field_values(f) for f in facts)):
            patch: dict[str, Any] = {}
            for fact, value in zip(facts, combo, strict=True):
                patch = _merge(patch, _set_path(fact, value))
            profile = _merge(_merge(BASE, fixed), {"formats": ["remote_office"], **patch})
            profile["assessment_date"] = space.day.isoformat()
            decision = self.assess(profile, f"{outcome} inputs")
            if decision is not None:
                value = decision.credit_class if outcome == "credit_class" else decision.platform_grade
                reps.setdefault(value, patch)
        return sorted(reps.items(), key=lambda kv: self.book.outcomes.outcomes[outcome].order.index(kv[0]))

    def _main(self, space: _Space) -> None:
        profile_facts = [
            f for f, s in self.book.facts.items() if not s.outcome and not f.startswith(CODE_LISTS)
        ]
        deciding = [f for f in profile_facts if space.reads_decide(f) and f != "assessment_date"]
        fixed_facts = [f for f in profile_facts if f not in deciding and f != "assessment_date"]
        fixed: dict[str, Any] = {}  # obligation-only inputs stay at their contract defaults
        groups = {
            "credit_class": [f for f in deciding if f.startswith("credit.")],
            "grade": [f for f in deciding if f.startswith("scale.")],
        }
        dims: list[Dimension] = [
            Dimension("formats", [(label, {"formats": codes}) for label, codes in space.format_sets()]),
            Dimension(
                "licences",
                [("all held", {}), ("none held", {"licences": []})],
                "holding more licences never makes the tier stricter",
            ),
            Dimension(
                "activities",
                [
                    ("none", {"activities": []}),
                    (
                        "a prohibited one",
                        {"activities": sorted(self.compiled.release.prohibited_activities)[:1]},
                    ),
                ],
                "adding a prohibited activity never lightens the tier",
            ),
        ]
        rest = [f for f in deciding if not any(f in g for g in groups.values())]
        for outcome, facts in groups.items():
            if facts and space.private_to(facts, outcome):
                claim = "a worse credit class never lightens the tier or lowers the intensity"
                values = self._factored(space, facts, outcome, fixed)
                dims.append(Dimension(outcome, values, claim if outcome == "credit_class" else ""))
                self.report.notes.append(f"{space.day}: {', '.join(facts)} factor through {outcome}")
            else:
                rest += facts
        for fact in rest:
            monotone = (
                "a stricter risk declaration never lightens the tier" if fact.startswith("risk.") else ""
            )
            dims.append(
                Dimension(fact, [(repr(v), _set_path(fact, v)) for v in space.field_values(fact)], monotone)
            )
        if fixed_facts:
            self.report.notes.append(
                f"{space.day}: held fixed (no outcome reads them): {', '.join(sorted(fixed_facts))}"
            )
        self._product(space, dims, fixed)

    def _product(self, space: _Space, dims: list[Dimension], fixed: dict[str, Any]) -> None:
        results: dict[tuple[int, ...], tuple[int, int]] = {}
        profiles: dict[tuple[int, ...], dict[str, Any]] = {}
        for index in itertools.product(*(range(len(d.values)) for d in dims)):
            choice = {d.name: d.values[i] for d, i in zip(dims, index, strict=True)}
            profile = _profile(space, choice, fixed)
            decision = self.assess(profile, "main space")
            if decision is None:
                continue
            results[index] = (_rank(self.tiers, decision.tier), _rank(self.levels, decision.intensity.level))
            profiles[index] = profile
        for axis, dim in enumerate(dims):
            if not dim.monotone:
                continue
            with_intensity = dim.name == "credit_class"
            for index, (tier, level) in results.items():
                if index[axis] + 1 >= len(dim.values):
                    continue
                worse = (*index[:axis], index[axis] + 1, *index[axis + 1 :])
                if worse not in results:
                    continue
                w_tier, w_level = results[worse]
                if w_tier < tier or (with_intensity and w_tier == tier and w_level < level):
                    self.violate(
                        f"{dim.monotone}: {dim.values[index[axis]][0]} -> {dim.values[index[axis] + 1][0]} "
                        f"gives {self.tiers[w_tier]} after {self.tiers[tier]}",
                        profiles[worse],
                    )

    def _liveness(self) -> None:
        """Vary the obligation-only inputs one at a time so every rule can show it fires."""
        release = self.compiled.release
        day = self.dates()[-1]
        space = _Space(self.book, self.compiled, day)
        profile_facts = [
            f for f, s in self.book.facts.items() if not s.outcome and not f.startswith(CODE_LISTS)
        ]
        for context in ({"formats": codes} for _, codes in space.format_sets()):
            for fact in profile_facts:
                if fact == "assessment_date":
                    continue
                for value in self._live_values(space, fact, day):
                    profile = _merge(_merge(BASE, context), _set_path(fact, value))
                    profile["assessment_date"] = day.isoformat()
                    if fact == "launch_date" and value is not None and value > day.isoformat():
                        continue
                    self.assess(profile, "liveness")
        dead = sorted(set(self.compiled.rules) - self.report.fired)
        for rule in dead:
            self.report.violations.append(f"dead rule: {rule} fired for no profile of release {release.id}")

    def _live_values(self, space: _Space, fact: str, day: date) -> Iterator[Any]:
        if fact == "launch_date":
            yield from (None, day.isoformat(), date(day.year - 5, day.month, 1).isoformat())
            return
        yield from space.field_values(fact)


def check_release(book: Rulebook, release_id: str) -> Report:
    checker = Checker(book, release_id)
    report = checker.run()
    table = next(
        (raw.get("table") for raw in checker.compiled.release.rules.values() if raw.get("table")), None
    )
    if table:
        matrix = checker.compiled.release.parameters[table["parameter"]]
        defined = {(row, col) for row, line in matrix.items() for col in line}
        never = sorted(defined - checker.cells)
        missing = sorted(checker.cells - defined)
        if never:
            report.notes.append(f"intensity cells no profile reaches: {never}")
        if missing:
            report.violations.append(f"reachable intensity cells without a value: {missing}")
        report.notes.append(f"intensity cells reached: {len(checker.cells)} of {len(defined)} defined")
    return report
