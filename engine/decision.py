"""The decision: the output contract of POLICY §4, assembled from an inference."""

from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, PrivateAttr

from engine.canonical import canonical_bytes, canonical_json
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
    # Kept by build_decision: the top-level JSON data it validated and the canonical bytes of each
    # fired rule and obligation, so rendering joins them (equal to the canonical form of
    # model_dump(mode="json"), as tests/test_canonical.py checks) and dumps nothing.
    _parts: "_Parts | None" = PrivateAttr(default=None)

    def __eq__(self, other: object) -> bool:
        """Equal when the fields are: the kept parts are a rendering cache, not content (pydantic
        would compare them too, so a decision read back would differ from the one made)."""
        if not isinstance(other, BaseModel):
            return NotImplemented
        return type(self) is type(other) and self.__dict__ == other.__dict__

    __hash__ = _Out.__hash__

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> "Decision":
        """A copy; one with fields changed renders from its fields, not from the parts kept."""
        copy = super().model_copy(update=update, deep=deep)
        if update:
            copy._parts = None
        return copy

    def to_json(self) -> str:
        """Canonical JSON: sorted keys, no spaces; identical inputs give identical bytes."""
        parts = self._parts
        if parts is None:
            return canonical_json(self.model_dump(mode="json"))
        return _join(parts).decode("utf-8")


_Parts = tuple[dict[str, Any], list[bytes], list[bytes]]
_JOINED = ("explanation", "obligations")


def _runs() -> list[tuple[str, ...]]:
    """The decision's keys in canonical (sorted) order, as runs of keys written together by one
    encoder call, with the two joined from parts alone."""
    runs: list[tuple[str, ...]] = [()]
    for key in sorted(Decision.model_fields):
        if key in _JOINED:
            runs += [(key,), ()]
        else:
            runs[-1] += (key,)
    return [run for run in runs if run]


_RUNS = _runs()


def _join(parts: _Parts) -> bytes:
    """The canonical form of the whole decision from its parts, in one pass over its keys (sorted,
    as the canonical form sorts them; the parts are canonical already)."""
    data, fired, obligations = parts
    out: list[bytes] = []
    for run in _RUNS:
        if run == ("explanation",):
            decisive = canonical_bytes(data["decisive"])
            out.append(b'"explanation":{"decisive":' + decisive + b',"fired":[' + b",".join(fired) + b"]}")
        elif run == ("obligations",):
            out.append(b'"obligations":[' + b",".join(obligations) + b"]")
        else:  # '{"a":1,"b":2}' without its braces
            out.append(canonical_bytes({key: data[key] for key in run})[1:-1])
    return b"{" + b",".join(out) + b"}"


_TEXT_CACHE_SIZE = 4096
_FIRED_CACHE_SIZE = 8192


def _texts(templates: dict[str, str], values: dict[str, Any], labels: Labels) -> dict[str, str]:
    """The en and zh texts of a firing, from the values its placeholders show; texts repeat across
    profiles, so the rendered pair is kept with the labels it was rendered with, by those values
    (a bounded cache: it changes speed, never a text)."""
    names = _names(templates["en"], templates["zh"])
    key = (templates["en"], templates["zh"], *[_hashable(values[name]) for name in names])
    kept = labels.rendered
    texts = kept.get(key)
    if texts is None:
        if len(kept) >= _TEXT_CACHE_SIZE:
            kept.clear()
        texts = {lang: render(templates[lang], values, lang, labels) for lang in ("en", "zh")}
        kept[key] = texts
    return texts


_Entry = tuple[FiredRule, bytes, Obligation | None, bytes | None]
# Fired rules (and their obligations) as validated models and as canonical JSON, by everything they
# are made of; kept per rule book on its labels (Labels.fired), bounded like the texts. Read only.


def _entry(
    rule_id: str, firing: Firing, inference: Inference, compiled: CompiledRelease, labels: Labels
) -> _Entry:
    """A fired rule of the explanation (and its obligation, if it sets one), validated once for
    all the profiles that fire it alike."""
    spec = compiled.rules[rule_id]
    duty_templates = spec.obligation
    templates: tuple[str, ...] = (spec.reason["en"], spec.reason["zh"])
    if duty_templates:
        templates += (duty_templates["en"], duty_templates["zh"])
    # The values every placeholder of its texts shows, looked up once for the key; the texts
    # themselves are only rendered (or found) when the fired rule is not kept already.
    names = _names(*templates)
    shown = [_value(name, firing, inference, compiled) for name in names]
    key = (
        compiled.release.id,
        compiled.release.sha256,
        rule_id,
        _items_key(firing.sets),
        _items_key(firing.facts),
        templates,
        *[_hashable(v) for v in shown],
    )
    kept: dict[tuple[Any, ...], _Entry] = labels.fired
    entry = kept.get(key)
    if entry is None:
        effect = plain(dict(firing.sets))
        obligation: Obligation | None = None
        obligation_json: bytes | None = None
        values = dict(zip(names, shown, strict=True))
        if duty_templates:
            effect["obligation"] = True
            text = _texts(duty_templates, values, labels)
            obligation_data = {"rule": rule_id, "measure": list(spec.measures), "text": text}
            obligation = Obligation.model_validate(obligation_data)
            obligation_json = canonical_bytes(obligation_data)
        fired_data = {
            "rule": rule_id,
            "measure": list(spec.measures),
            "effect": effect,
            "facts": plain(dict(sorted(firing.facts.items()))),
            "reason": _texts(spec.reason, values, labels),
        }
        fired = FiredRule.model_validate(fired_data)
        entry = (fired, canonical_bytes(fired_data), obligation, obligation_json)
        if len(kept) >= _FIRED_CACHE_SIZE:
            kept.clear()
        kept[key] = entry
    return entry


def _value(name: str, firing: Firing, inference: Inference, compiled: CompiledRelease) -> Any:
    """What a placeholder shows: the firing's bindings (none bound: an empty list), the facts it
    matched, what it set itself, then any fact or outcome, then a parameter."""
    if name in compiled.rules[firing.rule].bindings:
        return firing.bound.get(name, [])
    if name in firing.facts:
        return firing.facts[name]
    own = firing.own
    if name in own:
        return own[name]
    if name in inference.values:
        return inference.values[name]
    return compiled.param_values[name]


@cache
def _names(*templates: str) -> tuple[str, ...]:
    return tuple(sorted({n for t in templates for n in placeholders(t)}))


_SCALARS = frozenset({str, int, float, bool, type(None), date})


def _items_key(mapping: dict[str, Any]) -> tuple[Any, ...]:
    """A mapping as a cache key part, in its own order (the same firing fills it in the same order;
    another order only misses the cache), types kept as in _hashable."""
    return tuple([(k, type(v), v) if type(v) in _SCALARS else (k, _hashable(v)) for k, v in mapping.items()])


def _hashable(value: Any) -> Any:
    """A placeholder value as a cache key part; the type is kept so 1, 1.0 and True stay apart."""
    kind = type(value)
    if kind in _SCALARS:  # most values: one set lookup instead of two isinstance calls
        return (kind, value)
    if isinstance(value, list):
        return (list, *[(type(v), v) if type(v) in _SCALARS else _hashable(v) for v in value])
    if isinstance(value, dict):
        items = sorted(value.items())
        return (dict, *[(k, (type(v), v) if type(v) in _SCALARS else _hashable(v)) for k, v in items])
    return (kind, value)


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
    fired: list[FiredRule] = []
    fired_json: list[bytes] = []
    obligations: list[Obligation] = []
    obligations_json: list[bytes] = []
    for rule_id, firing in sorted(inference.firings.items()):
        rule, rule_json, obligation, obligation_json = _entry(rule_id, firing, inference, compiled, labels)
        fired.append(rule)
        fired_json.append(rule_json)
        if obligation is not None and obligation_json is not None:
            obligations.append(obligation)
            obligations_json.append(obligation_json)
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
        "decisive": decisive,
        "ruleset": {
            "release": compiled.release.id,
            "sha256": compiled.release.sha256,
            "selection": "explicit" if explicit else "in_force",
        },
        "assessment_date": as_of.isoformat(),
        "profile_sha256": profile_sha256,
    }
    # The validated fired rules and obligations go in as they are (pydantic keeps model instances).
    head = {key: value for key, value in data.items() if key != "decisive"}
    explanation = {"decisive": decisive, "fired": fired}
    decision = Decision.model_validate({**head, "obligations": obligations, "explanation": explanation})
    decision._parts = (data, fired_json, obligations_json)
    return decision
