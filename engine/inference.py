"""Run a compiled release on durable-rules: assert each phase's facts in one fresh
session, record every rule that fires, and combine the outcomes it sets.

Several profiles can share the session: each phase's facts of all of them go to durable-rules
in one call. Every rule tests one fact (the compiler writes no joins), so a fact fires exactly
the rules it fires alone; the session's fixed cost is paid once for the batch."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from engine import durable_host
from engine.compiler import CATCH_ALL, Branch, CompiledRelease, flat
from engine.errors import EngineError
from engine.outcomes import OutcomeModel


@dataclass
class Firing:
    """A policy rule that fired: its branches, the facts they matched, what it set."""

    rule: str
    branches: list[Branch] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    sets: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def bound(self) -> dict[str, list[Any]]:
        """Values of the rule's variables over its branches that fired, sorted (read once the
        inference is complete)."""
        found: dict[str, list[Any]] = {}
        for branch in self.branches:
            for name, value in branch.bindings:
                if value not in found.setdefault(name, []):
                    found[name].append(value)
        return {name: sorted(values, key=lambda v: (v is None, str(v))) for name, values in found.items()}

    @cached_property
    def own(self) -> dict[str, Any]:
        """What the rule set, by dotted name (intensity.level, ...)."""
        out: dict[str, Any] = {}
        for name, value in self.sets.items():
            out.update(flat(name, value))
        return out


@dataclass
class Inference:
    firings: dict[str, Firing]
    outcomes: dict[str, Any]
    values: dict[str, Any]


def _contribution(branch: Branch, values: Mapping[str, Any], model: OutcomeModel) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for setter in branch.setters:
        value = setter.value(values)
        if setter.field is None:
            out[setter.outcome] = value
        else:
            out.setdefault(setter.outcome, {})[setter.field] = value
    for name, value in out.items():
        if isinstance(value, dict) and model.outcomes[name].fields:
            missing = set(model.outcomes[name].fields) - set(value)
            if missing:
                raise EngineError(f"{branch.rule} sets {name} without {sorted(missing)}")
    return out


def _flatten(name: str, value: Any, model: OutcomeModel) -> dict[str, Any]:
    spec = model.outcomes[name]
    if not spec.fields:
        return {name: value}
    return {f"{name}.{f}": (value or {}).get(f) for f in spec.fields}


class _Run:
    """One profile's inference in progress: its values, firings and outcomes so far."""

    def __init__(self, facts: Mapping[str, Any], model: OutcomeModel) -> None:
        self.facts = facts
        self.values: dict[str, Any] = dict(facts)
        for name in model.outcomes:
            self.values.update(_flatten(name, None, model))
        self.firings: dict[str, Firing] = {}
        self.outcomes: dict[str, Any] = {}
        self.touched = {name for name, spec in model.outcomes.items() if spec.base}

    def fired(self, names: list[str], compiled: CompiledRelease, model: OutcomeModel) -> None:
        """Record what one phase fired, then combine again every outcome it touched (with its
        base fact); an outcome no firing of the phase touched keeps its value."""
        values, firings = self.values, self.firings
        for name in sorted(names):
            if name.startswith(CATCH_ALL):
                continue
            branch = compiled.branches.get(name)
            if branch is None:
                raise EngineError(f"durable-rules fired {name!r}, which this release lacks")
            firing = firings.setdefault(branch.rule, Firing(branch.rule))
            firing.branches.append(branch)
            firing.facts.update({f: values[f] for f in branch.facts})
            for outcome, value in _contribution(branch, values, model).items():
                if outcome in firing.sets:
                    value = model.outcomes[outcome].combine([firing.sets[outcome], value])
                firing.sets[outcome] = value
                self.touched.add(outcome)
        for name in sorted(self.touched):
            spec = model.outcomes[name]
            candidates = [f.sets[name] for _, f in sorted(firings.items()) if name in f.sets]
            if spec.base and self.facts.get(spec.base) is not None:
                candidates.append(self.facts[spec.base])
            if candidates:
                self.outcomes[name] = spec.combine(candidates)
                values.update(_flatten(name, self.outcomes[name], model))
        self.touched.clear()


def _collector(names: list[list[str]], owners: list[int]) -> Callable[[int, str], None]:
    """Files each fired rule name under the profile whose fact (k-th asserted) fired it."""
    return lambda k, name: names[owners[k]].append(name)


def infer_many(
    compiled: CompiledRelease, handle: int, batch: Sequence[Mapping[str, Any]], model: OutcomeModel
) -> list[Inference]:
    """Evaluate several profiles' facts phase by phase in one session, each phase in one call."""
    runs = [_Run(facts, model) for facts in batch]
    with durable_host.session(handle) as session:
        for phase, plan in enumerate(compiled.plans):
            owners: list[int] = []
            asserted: list[dict[str, Any]] = []
            for index, run in enumerate(runs):
                fact = plan.fact(phase, run.values)
                if fact is not None:
                    owners.append(index)
                    asserted.append(fact)
            names: list[list[str]] = [[] for _ in runs]
            if asserted:
                session.assert_facts(asserted, _collector(names, owners))
            for run, fired in zip(runs, names, strict=True):
                run.fired(fired, compiled, model)
    return [Inference(run.firings, run.outcomes, run.values) for run in runs]
