"""The closed fact vocabulary rules may test, and a profile turned into flat facts."""

import types
import typing
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel

from engine.profile import Profile
from engine.vocabulary import Vocabulary

Kind = Literal["bool", "int", "number", "enum", "date", "text"]
CODE_LISTS = ("formats", "activities", "licences")


@dataclass(frozen=True)
class FactSpec:
    """One fact a rule may test: its dotted name, kind, allowed values and origin."""

    name: str
    kind: Kind
    values: tuple[str, ...] = ()
    nullable: bool = False
    outcome: bool = False


def _kind_of(annotation: Any) -> tuple[Kind, tuple[str, ...], bool]:
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _kind_of(args[0])
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        kind, values, _ = _kind_of(inner[0])
        return kind, values, True
    if origin is Literal:
        return "enum", tuple(str(a) for a in args), False
    simple: dict[Any, Kind] = {bool: "bool", int: "int", float: "number", date: "date", str: "text"}
    return simple[annotation], (), False


def profile_fact_specs(vocabulary: Vocabulary) -> dict[str, FactSpec]:
    """Every profile fact: scalars by dotted path, code lists as one boolean per code."""
    specs: dict[str, FactSpec] = {}
    for name in ("assessment_date", "launch_date"):
        kind, values, nullable = _kind_of(Profile.model_fields[name].annotation)
        specs[name] = FactSpec(name, kind, values, nullable)
    for group, field in Profile.model_fields.items():
        model = field.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            for sub, subfield in model.model_fields.items():
                path = f"{group}.{subfield.alias or sub}"
                kind, values, nullable = _kind_of(subfield.annotation)
                specs[path] = FactSpec(path, kind, values, nullable)
    for kind_name in CODE_LISTS:
        for code in vocabulary.terms(kind_name):
            specs[f"{kind_name}.{code}"] = FactSpec(f"{kind_name}.{code}", "bool")
    return specs


# Per vocabulary: every code fact, false; a profile's facts start from a copy (id -> (vocabulary, facts)).
_CODES_FALSE: dict[int, tuple[Vocabulary, dict[str, bool]]] = {}
GROUPS = ("risk", "scale", "credit", "security", "participants")


def _codes_false(vocabulary: Vocabulary) -> dict[str, bool]:
    kept = _CODES_FALSE.get(id(vocabulary))
    if kept is None or kept[0] is not vocabulary:
        codes = {f"{k}.{code}": False for k in CODE_LISTS for code in vocabulary.terms(k)}
        kept = _CODES_FALSE[id(vocabulary)] = (vocabulary, codes)
    return kept[1]


def profile_facts(
    profile: Profile, *, as_of: date, vocabulary: Vocabulary, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The profile flattened to the fact vocabulary, with the as-of date used; `data` is the
    profile's model_dump(by_alias=True), in either mode (the groups hold no dates), if at hand."""
    if data is None:
        data = profile.model_dump(by_alias=True)
    facts: dict[str, Any] = {"assessment_date": as_of, "launch_date": profile.launch_date}
    for group in GROUPS:
        for key, value in data[group].items():
            facts[f"{group}.{key}"] = value
    codes = _codes_false(vocabulary)
    facts.update(codes)
    for kind_name in CODE_LISTS:
        for code in data[kind_name]:
            name = f"{kind_name}.{code}"
            if name in codes:
                facts[name] = True
    return facts
