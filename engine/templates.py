"""Reason and obligation texts: templates with {name} placeholders, rendered in en or zh."""

import re
from collections.abc import Mapping
from datetime import date
from functools import cache, cached_property
from typing import Any

from engine.vocabulary import Vocabulary

PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.]+)\}")
CODE_KINDS = {"format": "formats", "activity": "activities", "licence": "licences"}
WORDS = {
    "en": {True: "yes", False: "no", None: "none"},
    "zh": {True: "是", False: "否", None: "无"},
}
JOINERS = {"en": ", ", "zh": "、"}


def placeholders(template: str) -> list[str]:
    return PLACEHOLDER.findall(template)


def _show(name: str, value: Any, lang: str, labels: "Labels") -> str:
    if isinstance(value, list):
        shown = [_show(name, v, lang, labels) for v in value]
        return JOINERS[lang].join(shown) if shown else WORDS[lang][None]
    if isinstance(value, bool) or value is None:
        return WORDS[lang][value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if lang == "zh" and isinstance(value, str):
        return labels.get(name, {}).get(value, value)
    return str(value)


class Labels(dict[str, dict[str, str]]):
    """Chinese names of values by the fact or binding name that holds them."""

    @cached_property
    def rendered(self) -> dict[tuple[Any, ...], dict[str, str]]:
        """Texts rendered with these labels, kept by engine/decision.py (bounded there)."""
        return {}

    @cached_property
    def fired(self) -> dict[tuple[Any, ...], Any]:
        """Fired rules validated and encoded with these labels, kept by engine/decision.py."""
        return {}

    @classmethod
    def build(cls, vocabulary: Vocabulary, outcome_labels: dict[str, dict[str, str]]) -> "Labels":
        labels = cls(vocabulary.zh)
        labels.update(outcome_labels)
        for binding, kind in CODE_KINDS.items():
            labels[binding] = {code: term.zh for code, term in vocabulary.terms(kind).items()}
        return labels


@cache
def _parts(template: str) -> tuple[tuple[str, str | None], ...]:
    """A template split once into (literal text, placeholder name or None) pairs."""
    pieces = PLACEHOLDER.split(template)
    pairs = [(pieces[i], pieces[i + 1] if i + 1 < len(pieces) else None) for i in range(0, len(pieces), 2)]
    return tuple(pairs)


def render(template: str, values: Mapping[str, Any], lang: str, labels: Labels) -> str:
    """Fill every placeholder; a name without a value is a bug in the loader's checks."""
    return "".join(
        text + (_show(name, values[name], lang, labels) if name is not None else "")
        for text, name in _parts(template)
    )
