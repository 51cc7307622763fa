"""Reason and obligation texts: templates with {name} placeholders, rendered in en or zh."""

import re
from collections.abc import Mapping
from datetime import date
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


def _show(name: str, value: Any, lang: str, vocabulary: Vocabulary) -> str:
    if isinstance(value, list):
        shown = [_show(name, v, lang, vocabulary) for v in value]
        return JOINERS[lang].join(shown) if shown else WORDS[lang][None]
    if isinstance(value, bool) or value is None:
        return WORDS[lang][value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    kind = CODE_KINDS.get(name)
    if kind and lang == "zh" and isinstance(value, str):
        term = vocabulary.terms(kind).get(value)
        return term.zh if term else value
    return str(value)


def render(template: str, values: Mapping[str, Any], lang: str, vocabulary: Vocabulary) -> str:
    """Fill every placeholder; a name without a value is a bug in the loader's checks."""
    return PLACEHOLDER.sub(lambda m: _show(m.group(1), values[m.group(1)], lang, vocabulary), template)
