"""The decision notice (监管决定书): each line of a regulatory decision with the rules that set
it, so every line cites its measure and rule id. `signature_block` reads the regulator's signature."""

from dataclasses import dataclass
from typing import Any

from cases.store import Store, StoredDecision
from cases.store.signing import signature_of

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


# The notice's signature lines: (zh, en) label and the SignatureView field shown.
SIGNATURE_LINES = (
    ("签署人", "Signed by", "signer"),
    ("密钥指纹", "Key fingerprint", "fingerprint"),
    ("签署的记录哈希", "Record hash signed", "record_hash"),
    ("签名 (Ed25519)", "Signature (Ed25519)", "signature"),
    ("签署时间", "Signed at", "signed_at"),
    ("验证", "Verifies", "verifies"),
)


def signature_block(store: Store, stored: StoredDecision) -> list[tuple[str, str, str]] | None:
    """The regulator's signature of this decision as (zh, en, value) lines, or None if unsigned."""
    view = signature_of(store, stored.id)
    if view is None:
        return None
    values = {
        "signer": f"{view.signer_name} (#{view.signer_id})",
        "fingerprint": view.fingerprint,
        "record_hash": view.record_hash,
        "signature": view.signature,
        "signed_at": view.signed_at,
        "verifies": "✓" if view.verifies else "✗",
    }
    return [(zh, en, values[field]) for zh, en, field in SIGNATURE_LINES]
