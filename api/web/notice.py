"""The decision notice (监管决定书): each line of a regulatory decision with the rules that set
it, so every line cites its measure and rule id. The signing hook is `signature_block`."""

from dataclasses import dataclass
from typing import Any

from cases.store import StoredDecision

# Each line of the notice and the decision field it states (the effect key rules set).
LINES = (
    ("tier", "tier"),
    ("intensity", "intensity"),
    ("credit_class", "credit_class"),
    ("platform_grade", "grade"),
    ("observation", "observation"),
)


@dataclass(frozen=True)
class Cited:
    rule: str
    measure: list[int]


@dataclass(frozen=True)
class NoticeLine:
    field: str
    value: Any
    cited: list[Cited]


def _setters(decision: dict[str, Any], effect: str, value: Any) -> list[Cited]:
    """The fired rules that set this outcome to its final value (all that set it, if none did)."""
    fired = [f for f in decision["explanation"]["fired"] if effect in f["effect"]]
    if effect == "tier":
        fired = [f for f in fired if f["rule"] in decision["explanation"]["decisive"]]
    exact = [f for f in fired if f["effect"][effect] == value]
    return [Cited(f["rule"], list(f["measure"])) for f in (exact or fired)]


def notice_lines(decision: dict[str, Any]) -> list[NoticeLine]:
    """The decided outcomes in notice order, each with the rules that cite it."""
    lines = []
    for field, effect in LINES:
        value = decision.get(field)
        if value is None:
            continue
        if field == "intensity" and value.get("level") is None:  # prohibited: no intensity to set
            lines.append(NoticeLine(field, None, _setters(decision, "tier", decision["tier"])))
            continue
        lines.append(NoticeLine(field, value, _setters(decision, effect, value)))
    return lines


def signature_block(stored: StoredDecision) -> dict[str, Any] | None:
    """The notice's signature (issue 12 wires the signing helper in here): None, unsigned."""
    del stored
    return None
