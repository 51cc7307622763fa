"""Run a compiled release on durable-rules: assert each phase's facts in one fresh
session, record every rule that fires, and combine the outcomes it sets."""

from collections.abc import Mapping
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


def infer(compiled: CompiledRelease, handle: int, facts: Mapping[str, Any], model: OutcomeModel) -> Inference:
    """Evaluate the facts phase by phase in one durable-rules session.

    After each phase the outcomes its firings set are combined again from every firing so far
    (and their base fact); an outcome no firing of the phase touched keeps its value."""
    values: dict[str, Any] = dict(facts)
    for name in model.outcomes:
        values.update(_flatten(name, None, model))
    firings: dict[str, Firing] = {}
    outcomes: dict[str, Any] = {}
    touched = {name for name, spec in model.outcomes.items() if spec.base}
    with durable_host.session(handle) as session:
        for phase, plan in enumerate(compiled.plans):
            fact = plan.fact(phase, values)
            names: list[str] = []
            if fact is not None:
                session.assert_fact(fact, names.append)
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
                    touched.add(outcome)
            for name in sorted(touched):
                spec = model.outcomes[name]
                candidates = [f.sets[name] for _, f in sorted(firings.items()) if name in f.sets]
                if spec.base and facts.get(spec.base) is not None:
                    candidates.append(facts[spec.base])
                if candidates:
                    outcomes[name] = spec.combine(candidates)
                    values.update(_flatten(name, outcomes[name], model))
            touched.clear()
    return Inference(firings, outcomes, values)
