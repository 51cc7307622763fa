"""The closed vocabulary of profile codes (formats, activities, licences), read from rules/."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from engine.yamlfile import load_yaml
from rules import RULES_DIR


@dataclass(frozen=True)
class Term:
    code: str
    en: str
    zh: str


@dataclass(frozen=True)
class Vocabulary:
    schema_version: str
    formats: dict[str, Term]
    activities: dict[str, Term]
    licences: dict[str, Term]
    zh: dict[str, dict[str, str]]
    raw: dict[str, Any]

    def terms(self, kind: str) -> dict[str, Term]:
        """The terms of one kind: 'formats', 'activities' or 'licences'."""
        terms: dict[str, Term] = getattr(self, kind)
        return terms


def _terms(section: dict[str, dict[str, Any]]) -> dict[str, Term]:
    return {code: Term(code, str(v["en"]), str(v["zh"])) for code, v in sorted(section.items())}


@cache
def load_vocabulary(path: Path = RULES_DIR / "vocabulary.yaml") -> Vocabulary:
    """Read the vocabulary file once per process."""
    raw = load_yaml(path.read_text(encoding="utf-8"))
    return Vocabulary(
        schema_version=str(raw["schema_version"]),
        formats=_terms(raw["formats"]),
        activities=_terms(raw["activities"]),
        licences=_terms(raw["licences"]),
        zh={str(k): dict(v) for k, v in (raw.get("zh") or {}).items()},
        raw=raw,
    )
