"""The self-assessment form: its fields, read from the profile contract (engine/profile.py) so
that every field of POLICY §3 appears, grouped as the contract groups it; the posted form
turned back into a profile document; and the engine's field errors placed beside their fields.

Nothing is validated here: the document goes to the same engine validation as `sandbox assess`,
and a value the form cannot read as a number is passed on as text, so the engine names it.
"""

import types
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from starlette.datastructures import FormData

from engine import FieldError
from engine.profile import Profile
from engine.vocabulary import load_vocabulary

Kind = Literal["text", "date", "codes", "bool", "int", "number", "choice"]
CODE_LISTS = {"formats": "formats", "activities": "activities", "licences": "licences"}
DATES = ("assessment_date", "launch_date")
NUMBERS = ("scale.market_value_cny",)


@dataclass(frozen=True)
class FormField:
    path: str  # the contract's dotted path, e.g. "scale.annual_active_users"
    kind: Kind
    choices: tuple[str, ...] = ()  # codes or enum values; "" stands for null
    vocabulary: str | None = None  # formats / activities / licences
    required: bool = False

    @property
    def id(self) -> str:
        return "f-" + self.path.replace(".", "-")


@dataclass(frozen=True)
class Group:
    name: str  # "" for the top-level fields, else the contract's group (risk, scale, ...)
    fields: tuple[FormField, ...]


def _literal_values(annotation: Any) -> tuple[str, ...] | None:
    """The values of a Literal (or Literal | None, None as ""), else None."""
    if get_origin(annotation) is Literal:
        return tuple(str(v) for v in get_args(annotation))
    if get_origin(annotation) in (Union, types.UnionType):
        args = get_args(annotation)
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1 and get_origin(inner[0]) is Literal:
            return ("", *(str(v) for v in get_args(inner[0])))
    return None


def _field(path: str, info: Any) -> FormField:
    annotation = info.annotation
    choices = _literal_values(annotation)
    if path in CODE_LISTS:
        codes = tuple(load_vocabulary().terms(CODE_LISTS[path]))
        return FormField(path, "codes", codes, CODE_LISTS[path], required=info.is_required())
    if path in DATES:
        return FormField(path, "date")
    if choices is not None:
        return FormField(path, "choice", choices, required=info.is_required())
    if annotation is bool:
        return FormField(path, "bool")
    if path.endswith("mlps_level"):
        return FormField(path, "choice", tuple(str(n) for n in range(6)))
    if annotation is int:
        return FormField(path, "int")
    if path in NUMBERS:
        return FormField(path, "number")
    return FormField(path, "text", required=info.is_required())


@cache
def profile_groups() -> tuple[Group, ...]:
    """The form's groups in contract order; the fixed `schema_version` is sent as a hidden field."""
    top: list[FormField] = []
    groups: list[Group] = []
    for name, info in Profile.model_fields.items():
        sub = info.annotation
        if isinstance(sub, type) and issubclass(sub, BaseModel):
            fields = tuple(_field(f"{name}.{f.alias or n}", f) for n, f in sub.model_fields.items())
            groups.append(Group(name, fields))
        elif name != "schema_version":
            top.append(_field(name, info))
    return (Group("", tuple(top)), *groups)


def _number(text: str, *, whole: bool) -> Any:
    """A number as typed; text the form cannot read is kept, for the engine to name."""
    try:
        return int(text)
    except ValueError:
        if whole:
            return text
    try:
        return float(text)
    except ValueError:
        return text


def _value(field: FormField, form: FormData) -> tuple[bool, Any]:
    """(present, value) of one field in the posted form; absent fields take the contract's default."""
    if field.kind == "codes":
        return True, [str(v) for v in form.getlist(field.path)]
    if field.kind == "bool":
        return True, form.get(field.path) == "true"
    raw = str(form.get(field.path) or "").strip()
    if field.kind == "date":
        return (True, None) if field.path == "launch_date" and not raw else (bool(raw), raw)
    if not raw:
        return (True, None) if field.kind == "choice" and "" in field.choices else (False, None)
    if field.kind == "int" or (field.kind == "choice" and field.path.endswith("mlps_level")):
        return True, _number(raw, whole=True)
    if field.kind == "number":
        return True, _number(raw, whole=False)
    return True, raw


def document_from_form(form: FormData) -> dict[str, Any]:
    """The profile document the form describes (POLICY §3 shape)."""
    document: dict[str, Any] = {"schema_version": "1"}
    for group in profile_groups():
        target = document if not group.name else document.setdefault(group.name, {})
        for field in group.fields:
            present, value = _value(field, form)
            if present:
                target[field.path.rsplit(".", 1)[-1]] = value
    return document


def values_of(document: Any) -> dict[str, Any]:
    """The form's values by path, read from a document (to show a submitted form again)."""
    values: dict[str, Any] = {}
    if not isinstance(document, dict):
        return values
    for group in profile_groups():
        source = document if not group.name else document.get(group.name)
        if not isinstance(source, dict):
            continue
        for field in group.fields:
            key = field.path.rsplit(".", 1)[-1]
            if key in source:
                values[field.path] = source[key]
    return values


def errors_by_field(errors: list[FieldError]) -> tuple[dict[str, list[str]], list[str]]:
    """The engine's messages by form field path (`formats.0` belongs to `formats`), and the
    messages no field of the form shows (e.g. an unknown field in a pasted document)."""
    paths = {f.path for g in profile_groups() for f in g.fields}
    placed: dict[str, list[str]] = {}
    loose: list[str] = []
    for error in errors:
        parts = error.path.split(".")
        while parts and ".".join(parts) not in paths:
            parts.pop()
        if parts:
            placed.setdefault(".".join(parts), []).append(error.reason)
        else:
            loose.append(str(error))
    return placed, loose
