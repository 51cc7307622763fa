"""What the decision pages show beside a decision: each rule's citations from its release."""

from typing import Any

from engine import UnknownRelease, default_rulebook


def rule_cites(release: str, rule: str) -> list[dict[str, Any]]:
    """The rule's citations in that release: seed clauses ({seed, text}) and laws ({law: {zh, en}})."""
    try:
        compiled = default_rulebook().get(release)
    except UnknownRelease:
        return []
    spec = compiled.rules.get(rule)
    return [] if spec is None else [dict(c) for c in spec.cite]


def seed_clauses(release: str, rule: str) -> list[str]:
    """The seed's Chinese text the rule quotes, clause by clause."""
    return [str(c["text"]) for c in rule_cites(release, rule) if "seed" in c]


def release_title(release: str, lang: str) -> str:
    try:
        title = default_rulebook().get(release).release.title
    except UnknownRelease:
        return ""
    return str(title.get(lang) or title.get("en") or "")
