"""The decision: the output contract of POLICY §4, assembled from an inference."""

from collections import ChainMap
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from engine.compiler import CompiledRelease, flat
from engine.errors import EngineError
from engine.inference import Firing, Inference
from engine.outcomes import OutcomeModel
from engine.release import canonical_json, plain
from engine.templates import Labels, render


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Out):
    en: str
    zh: str


class Intensity(_Out):
    level: str | None
    inspection_ratio: float | None


class Observation(_Out):
    ends_on: date


class Obligation(_Out):
    rule: str
    measure: list[int]
    text: Text


class FiredRule(_Out):
    rule: str
    measure: list[int]
    effect: dict[str, Any]
    facts: dict[str, Any]
    reason: Text


class Explanation(_Out):
    decisive: list[str]
    fired: list[FiredRule]


class RulesetRef(_Out):
    release: str
    sha256: str
    selection: Literal["in_force", "explicit"]


class Decision(_Out):
    """A supervision decision, reproducible byte for byte from its inputs."""

    schema_version: Literal["1"] = "1"
    tier: str
    intensity: Intensity
    credit_class: str
    platform_grade: str
    observation: Observation | None
    obligations: list[Obligation]
    explanation: Explanation
    ruleset: RulesetRef
    assessment_date: date
    profile_sha256: str

    def to_json(self) -> str:
        """Canonical JSON: sorted keys, no spaces; identical inputs give identical bytes."""
        return canonical_json(self.model_dump(mode="json"))


def _texts(
    templates: dict[str, str],
    firing: Firing,
    inference: Inference,
    compiled: CompiledRelease,
    labels: Labels,
) -> Text:
    own: dict[str, Any] = {}
    for name, value in firing.sets.items():
        own.update(flat(name, value))
    unbound: dict[str, Any] = {name: [] for name in compiled.rules[firing.rule].bindings}
    values = ChainMap(firing.bindings(), unbound, firing.facts, own, inference.values, compiled.param_values)
    return Text.model_construct(
        en=render(templates["en"], values, "en", labels),
        zh=render(templates["zh"], values, "zh", labels),
    )


def build_decision(
    inference: Inference,
    *,
    compiled: CompiledRelease,
    model: OutcomeModel,
    labels: Labels,
    as_of: date,
    profile_sha256: str,
    explicit: bool,
) -> Decision:
    """Assemble the contract from what fired; refuse an outcome the contract forbids."""
    outcomes = inference.outcomes
    for required in ("tier", "credit_class", "grade"):
        if outcomes.get(required) is None:
            raise EngineError(f"no rule of release {compiled.release.id} decided {required}")
    tier = outcomes["tier"]
    intensity = outcomes.get("intensity") or {"level": None, "inspection_ratio": None}
    if (intensity["level"] is None) != (tier == "prohibited"):
        raise EngineError(f"release {compiled.release.id} gives tier {tier} with intensity {intensity}")
    shown = model.outcomes["observation"].shown_with_tier
    observation = outcomes.get("observation") if tier == shown else None
    fired: list[FiredRule] = []
    obligations: list[Obligation] = []
    for rule_id, firing in sorted(inference.firings.items()):
        spec = compiled.rules[rule_id]
        effect = plain(dict(firing.sets))
        if spec.obligation:
            effect["obligation"] = True
            text = _texts(spec.obligation, firing, inference, compiled, labels)
            obligations.append(
                Obligation.model_construct(rule=rule_id, measure=list(spec.measures), text=text)
            )
        fired.append(
            # Built here from checked parts, so not validated again (it is the hot path).
            FiredRule.model_construct(
                rule=rule_id,
                measure=list(spec.measures),
                effect=effect,
                facts=plain(dict(sorted(firing.facts.items()))),
                reason=_texts(spec.reason, firing, inference, compiled, labels),
            )
        )
    decisive = sorted(r for r, f in inference.firings.items() if f.sets.get("tier") == tier)
    return Decision.model_construct(
        schema_version="1",
        tier=tier,
        intensity=Intensity.model_construct(**intensity),
        credit_class=outcomes["credit_class"],
        platform_grade=outcomes["grade"],
        observation=Observation.model_construct(**observation) if observation else None,
        obligations=obligations,
        explanation=Explanation.model_construct(decisive=decisive, fired=fired),
        ruleset=RulesetRef.model_construct(
            release=compiled.release.id,
            sha256=compiled.release.sha256,
            selection="explicit" if explicit else "in_force",
        ),
        assessment_date=as_of,
        profile_sha256=profile_sha256,
    )
