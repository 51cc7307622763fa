"""Helpers that let policy tests read like the policy."""

from datetime import date
from typing import Any

from engine import Decision, evaluate
from tests.conftest import make_profile

COMPLIANT = {
    "participants": {
        "identity_verification": True,
        "two_way_rating": True,
        "complaint_channel": True,
        "entry_exit_rules": True,
    },
    "security": {
        "mlps_level": 3,
        "log_retention_days": 365,
        "real_name_verification": True,
        "network_filing": True,
    },
}


def assess(as_of: str | None = None, **changes: Any) -> Decision:
    """Evaluate a minimal profile with the given changes (as_of: an ISO date)."""
    return evaluate(make_profile(**changes), as_of=date.fromisoformat(as_of) if as_of else None)


def compliant(**changes: Any) -> dict[str, Any]:
    """Profile changes for a platform with every participant and security measure in place."""
    merged: dict[str, Any] = {key: dict(value) for key, value in COMPLIANT.items()}
    for key, value in changes.items():
        merged[key] = {**merged[key], **value} if isinstance(value, dict) and key in merged else value
    return merged


def fired(decision: Decision) -> set[str]:
    return {f.rule for f in decision.explanation.fired}


def obligations(decision: Decision) -> set[str]:
    return {o.rule for o in decision.obligations}


def facts_of(decision: Decision, rule: str) -> dict[str, Any]:
    return next(f.facts for f in decision.explanation.fired if f.rule == rule)


def reason_of(decision: Decision, rule: str, lang: str = "en") -> str:
    reason = next(f.reason for f in decision.explanation.fired if f.rule == rule)
    return reason.en if lang == "en" else reason.zh
