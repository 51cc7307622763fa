"""`sandbox rules check`: evaluate the reduced space of a release (space.py) on the engine
itself and prove, for every profile it stands for:
- each gets exactly one tier and a decision with every field of POLICY §4;
- every rule can fire (no dead rule) and every intensity cell the rules reach is defined;
- monotonicity: a worse credit class never lightens the tier or lowers the intensity; adding
  a prohibited activity never lightens the tier; holding more licences never makes it
  stricter; a stricter risk declaration never lightens it.
A violation is reported with a counterexample profile.
"""

import itertools
import json
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from engine.authoring.space import CODE_LISTS, Dimension, Space, codes_tested_directly, set_path
from engine.authoring.space import thresholds as compared_values
from engine.decision import Decision
from engine.errors import SandboxError
from engine.evaluate import evaluate
from engine.rulebook import Rulebook

MAX_REPORTED = 20


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


def _rank(order: tuple[str, ...], value: str | None) -> int:
    """Position in a declared order; no value (a prohibited platform's intensity) ranks above all."""
    return len(order) if value is None else order.index(value)


def release_dates(book: Rulebook, release_id: str) -> list[date]:
    """The first and last day in force and both sides of every date a rule compares with."""
    compiled = book.get(release_id)
    r = compiled.release
    end = r.in_force_to or r.in_force_from + timedelta(days=366)
    days = {r.in_force_from, end}
    for t in compared_values(compiled, "assessment_date"):
        days.update(d for d in (t - timedelta(days=1), t) if r.in_force_from <= d <= end)
    return sorted(days)


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
        if len(self.report.violations) < MAX_REPORTED:
            self.report.violations.append(
                f"{message}\n    counterexample: {json.dumps(profile, sort_keys=True)}"
            )

    def run(self, dates: list[date] | None = None) -> Report:
        started = time.perf_counter()
        direct = codes_tested_directly(self.compiled)
        if direct:
            self.report.violations.append(
                f"{direct} tests a code directly; the format-state reduction does not apply"
            )
            return self.report
        for day in dates or release_dates(self.book, self.compiled.release.id):
            space = Space(self.book, [self.compiled], day)
            self._main(space, space.dimensions([self.assess]))
            self.report.notes += space.notes
            self.report.notes.append(f"{day}: {len(space.format_sets())} format states")
        self._liveness(dates[-1] if dates else release_dates(self.book, self.compiled.release.id)[-1])
        self._cells()
        self.report.seconds = time.perf_counter() - started
        return self.report

    def _main(self, space: Space, dims: list[Dimension]) -> None:
        results: dict[tuple[int, ...], tuple[int, int]] = {}
        profiles: dict[tuple[int, ...], dict[str, Any]] = {}
        for index in itertools.product(*(range(len(d.values)) for d in dims)):
            profile = space.profile([d.values[i] for d, i in zip(dims, index, strict=True)])
            decision = self.assess(profile, "main space")
            if decision is not None:
                results[index] = (
                    _rank(self.tiers, decision.tier),
                    _rank(self.levels, decision.intensity.level),
                )
                profiles[index] = profile
        for axis, dim in enumerate(dims):
            if dim.monotone:
                self._monotone(axis, dim, results, profiles)

    def _monotone(
        self,
        axis: int,
        dim: Dimension,
        results: dict[tuple[int, ...], tuple[int, int]],
        profiles: dict[tuple[int, ...], dict[str, Any]],
    ) -> None:
        with_intensity = dim.name == "credit_class"
        for index, (tier, level) in results.items():
            worse = (*index[:axis], index[axis] + 1, *index[axis + 1 :])
            if worse not in results:
                continue
            w_tier, w_level = results[worse]
            if w_tier < tier or (with_intensity and w_tier == tier and w_level < level):
                lighter = (
                    f"{self.tiers[w_tier]}/{self.levels[w_level] if w_level < len(self.levels) else '-'}"
                )
                before = f"{self.tiers[tier]}/{self.levels[level] if level < len(self.levels) else '-'}"
                step = f"{dim.values[index[axis]][0]} -> {dim.values[index[axis] + 1][0]}"
                self.violate(f"{dim.monotone}: {step} gives {lighter} after {before}", profiles[worse])

    def _liveness(self, day: date) -> None:
        """Vary every input one at a time in every format state, so each rule can show it fires."""
        space = Space(self.book, [self.compiled], day)
        facts = [f for f, s in self.book.facts.items() if not s.outcome and not f.startswith(CODE_LISTS)]
        for _, codes in space.format_sets():
            for fact in facts:
                if fact == "assessment_date":
                    continue
                values: list[Any] = space.classes(fact)
                if fact == "launch_date":  # the observation period ends after, on or before the day
                    values = [None, day, date(day.year - 5, day.month, 1)]
                for value in values:
                    patch = set_path(fact, value.isoformat() if isinstance(value, date) else value)
                    self.assess(space.profile([("", {"formats": codes}), ("", patch)]), "liveness")
        for rule in sorted(set(self.compiled.rules) - self.report.fired):
            self.report.violations.append(
                f"dead rule: {rule} fires for no profile of release {self.compiled.release.id}"
            )

    def _cells(self) -> None:
        for raw in self.compiled.release.rules.values():
            table = raw.get("table")
            if not table:
                continue
            matrix = self.compiled.release.parameters[table["parameter"]]
            defined = {(row, col) for row, line in matrix.items() for col in line}
            if never := sorted(defined - self.cells):
                self.report.notes.append(f"intensity cells no profile reaches: {never}")
            if missing := sorted(self.cells - defined):
                self.report.violations.append(f"reachable intensity cells without a value: {missing}")
            self.report.notes.append(
                f"intensity cells reached: {len(self.cells & defined)} of {len(defined)} defined"
            )


def check_release(book: Rulebook, release_id: str, *, dates: list[date] | None = None) -> Report:
    """Prove the properties of one release over its reduced space (optionally on given dates)."""
    return Checker(book, release_id).run(dates)


def format_report(report: Report) -> str:
    status = "holds" if report.ok else f"FAILS ({len(report.violations)} violation(s))"
    size = f"{report.points} profiles in {report.seconds:.1f} s"
    lines = [f"release {report.release}: {size}, every property {status}"]
    lines += [f"  note: {note}" for note in dict.fromkeys(report.notes)]
    lines += [f"  VIOLATION: {v}" for v in report.violations]
    return "\n".join(lines)
