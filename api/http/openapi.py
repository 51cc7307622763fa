"""The published OpenAPI document: FastAPI's, plus the profile contract as the request body of
the assessment routes, with the closed code lists of rules/vocabulary.yaml as enums and the
bundled examples as examples.

The routes read the profile themselves so that the engine, not FastAPI, validates it (and an
invalid profile gets the command line's messages); this module says so in the document.
"""

import json
from functools import cache
from typing import Any

from pydantic.json_schema import models_json_schema

from cases import EXAMPLES_DIR
from engine.profile import Profile
from engine.uscc import ALPHABET
from engine.vocabulary import load_vocabulary

_MARK = "__profile__"
EXAMPLES = {
    "bike-sharing": (
        "22-bike-sharing-identity-gaps",
        "A bike-sharing platform with identity-verification gaps",
    ),
    "ride-hailing": ("01-ride-hailing-unlicensed-prelaunch", "A ride-hailing platform without its permit"),
    "unlisted-format": ("30-unlisted-compute-rental-prelaunch", "A new format not in the catalogue"),
}
_DESCRIPTIONS = {
    "schema_version": "contract version",
    "name": "platform name (not blank)",
    "uscc": "unified social credit code: 18 characters, the last a GB 32100-2015 check character",
    "assessment_date": "the as-of date: picks the release in force (none before 2020-07-03); default today",
    "launch_date": "when the platform began operating; null = not launched",
    "formats": "business formats operated; `unlisted` for a format not in the catalogue",
    "new_format_description": "what the new format does; required when formats include `unlisted`",
    "activities": "activities declared or found",
    "licences": "valid licences held",
}
_DATE = r"^\d{4}-\d{2}-\d{2}$"


def example_profile(stem: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES_DIR / f"{stem}.profile.json").read_text(encoding="utf-8"))
    return data


def _nullable_string(prop: dict[str, Any], **constraints: Any) -> None:
    for option in prop.get("anyOf", []):
        if option.get("type") == "string":
            option.update(constraints)


@cache
def profile_schemas() -> dict[str, dict[str, Any]]:
    """The component schemas of the profile: `Profile` and its groups (`ProfileRisk`, ...)."""
    _, top = models_json_schema(
        [(Profile, "validation")], ref_template=f"#/components/schemas/{_MARK}{{model}}"
    )
    text = json.dumps(top["$defs"]).replace(f"{_MARK}Profile", "Profile").replace(_MARK, "Profile")
    defs: dict[str, dict[str, Any]] = {
        ("Profile" if name == "Profile" else f"Profile{name}"): schema
        for name, schema in json.loads(text).items()
    }
    vocabulary = load_vocabulary()
    profile = defs["Profile"]
    props = profile["properties"]
    for kind in ("formats", "activities", "licences"):
        props[kind]["items"] = {"type": "string", "enum": sorted(vocabulary.terms(kind))}
        props[kind]["uniqueItems"] = True
    props["name"]["pattern"] = r"\S"
    _nullable_string(props["uscc"], pattern=f"^[{ALPHABET}]{{18}}$", minLength=18, maxLength=18)
    for day in ("assessment_date", "launch_date"):
        _nullable_string(props[day], pattern=_DATE)
    for name, text_ in _DESCRIPTIONS.items():
        props[name]["description"] = text_
    profile["if"] = {"properties": {"formats": {"contains": {"const": "unlisted"}}}, "required": ["formats"]}
    profile["then"] = {
        "required": ["new_format_description"],
        "properties": {"new_format_description": {"type": "string", "pattern": r"\S"}},
    }
    profile["description"] = (
        "A platform profile (POLICY §3). Unknown fields, codes outside the vocabulary, repeated codes or "
        "keys, strings where numbers or booleans belong, an invalid USCC, and an assessment date with no "
        "release in force are refused with 422 and the field path and reason."
    )
    return defs


def profile_body(summary: str) -> dict[str, Any]:
    """`openapi_extra` of a route that takes a profile as its JSON body."""
    examples = {
        key: {"summary": text, "value": example_profile(stem)} for key, (stem, text) in EXAMPLES.items()
    }
    return {
        "requestBody": {
            "required": True,
            "description": summary,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Profile"}, "examples": examples}
            },
        }
    }


def with_profile_schemas(document: dict[str, Any]) -> dict[str, Any]:
    """Add the profile's component schemas to a generated OpenAPI document."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    clash = set(schemas) & set(profile_schemas())
    if clash:
        raise RuntimeError(f"OpenAPI component names used twice: {sorted(clash)}")
    schemas.update(profile_schemas())
    return document
