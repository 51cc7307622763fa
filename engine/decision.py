"""The decision: the output contract of POLICY §4, assembled from an inference."""

from datetime import date
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, PrivateAttr

from engine.canonical import canonical_json
from engine.compiler import CompiledRelease
from engine.errors import EngineError
from engine.inference import Firing, Inference
from engine.outcomes import OutcomeModel
from engine.release import plain
from engine.templates import Labels, placeholders, render


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
    # The decision as JSON data, kept by build_decision from the data it validated (equal to
    # model_dump(mode="json"), as tests/test_canonical.py checks), so rendering dumps nothing.
    _data: dict[str, Any] | None = PrivateAttr(default=None)

    def to_json(self) -> str:
        """Canonical JSON: sorted keys, no spaces; identical inputs give identical bytes."""
        return canonical_json(self._data if self._data is not None else self.model_dump(mode="json"))


_TEXT_CACHE_SIZE = 4096


def _texts(
    templates: dict[str, str],
    firing: Firing,
    inference: Inference,
    compiled: CompiledRelease,
    labels: Labels,
) -> dict[str, str]:
    """The en and zh texts of a firing; texts repeat across profiles, so the rendered pair is kept
    with the labels it was rendered with, by the values its placeholders show (a bounded cache:
    it changes speed, never a text)."""
    names = _names(templates["en"], templates["zh"])
    shown = tuple(_value(name, firing, inference, compiled) for name in names)
    key = (templates["en"], templates["zh"], *(_hashable(v) for v in shown))
    kept = labels.rendered
    texts = kept.get(key)
    if texts is None:
        if len(kept) >= _TEXT_CACHE_SIZE:
            kept.clear()
        values = dict(zip(names, shown, strict=True))
        texts = {lang: render(templates[lang], values, lang, labels) for lang in ("en", "zh")}
        kept[key] = texts
    return texts


def _value(name: str, firing: Firing, inference: Inference, compiled: CompiledRelease) -> Any:
    """What a placeholder shows: the firing's bindings (none bound: an empty list), the facts it
    matched, what it set itself, then any fact or outcome, then a parameter."""
    if name in compiled.rules[firing.rule].bindings:
        return firing.bound.get(name, [])
    for source in (firing.facts, firing.own, inference.values):
        if name in source:
            return source[name]
    return compiled.param_values[name]


@cache
def _names(*templates: str) -> tuple[str, ...]:
    return tuple(sorted({n for t in templates for n in placeholders(t)}))


def _hashable(value: Any) -> Any:
    """A placeholder value as a cache key part; the type is kept so 1, 1.0 and True stay apart."""
    if isinstance(value, list):
        return (list, *(_hashable(v) for v in value))
    if isinstance(value, dict):
        return (dict, *sorted((k, _hashable(v)) for k, v in value.items()))
    return (type(value), value)


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
    """Assemble the contract from what fired and validate it once; refuse an outcome the
    contract forbids."""
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
    fired: list[dict[str, Any]] = []
    obligations: list[dict[str, Any]] = []
    for rule_id, firing in sorted(inference.firings.items()):
        spec = compiled.rules[rule_id]
        effect = plain(dict(firing.sets))
        if spec.obligation:
            effect["obligation"] = True
            text = _texts(spec.obligation, firing, inference, compiled, labels)
            obligations.append({"rule": rule_id, "measure": list(spec.measures), "text": text})
        fired.append(
            {
                "rule": rule_id,
                "measure": list(spec.measures),
                "effect": effect,
                "facts": plain(dict(sorted(firing.facts.items()))),
                "reason": _texts(spec.reason, firing, inference, compiled, labels),
            }
        )
    decisive = sorted(r for r, f in inference.firings.items() if f.sets.get("tier") == tier)
    ratio = intensity["inspection_ratio"]
    data = {
        "schema_version": "1",
        "tier": tier,
        "intensity": {
            "level": intensity["level"],
            # as validation writes it: a whole number becomes a float (1 -> 1.0)
            "inspection_ratio": ratio if ratio is None or isinstance(ratio, float) else float(ratio),
        },
        "credit_class": outcomes["credit_class"],
        "platform_grade": outcomes["grade"],
        "observation": plain(observation),
        "obligations": obligations,
        "explanation": {"decisive": decisive, "fired": fired},
        "ruleset": {
            "release": compiled.release.id,
            "sha256": compiled.release.sha256,
            "selection": "explicit" if explicit else "in_force",
        },
        "assessment_date": as_of.isoformat(),
        "profile_sha256": profile_sha256,
    }
    decision = Decision.model_validate(data)
    decision._data = data
    return decision
