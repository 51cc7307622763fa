"""`sandbox rules diff FROM TO`: what changed between two releases, and which classes of
profiles change tier because of it (the reduced space of both, evaluated under each)."""

import itertools
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.authoring.space import Evaluate, Space
from engine.decision import Decision
from engine.errors import SandboxError
from engine.evaluate import evaluate
from engine.release import SECTIONS
from engine.rulebook import Rulebook


@dataclass
class ReleaseDiff:
    old: str
    new: str
    added: dict[str, list[str]] = field(default_factory=dict)
    removed: dict[str, list[str]] = field(default_factory=dict)
    changed: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    as_of: date | None = None
    points: int = 0
    transitions: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    other_changes: Counter[str] = field(default_factory=Counter)


def _changed_keys(old: Any, new: Any) -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return ["value"]


def content_diff(book: Rulebook, old: str, new: str) -> ReleaseDiff:
    a, b = book.get(old).release, book.get(new).release
    diff = ReleaseDiff(old, new)
    for name in SECTIONS:
        before, after = a.sections[name], b.sections[name]
        diff.added[name] = sorted(set(after) - set(before))
        diff.removed[name] = sorted(set(before) - set(after))
        diff.changed[name] = {
            key: _changed_keys(before[key], after[key])
            for key in sorted(set(before) & set(after))
            if before[key] != after[key]
        }
    return diff


def _decide(book: Rulebook, profile: dict[str, Any], release: str) -> Decision | None:
    try:
        return evaluate(profile, release=release, rulebook=book)
    except SandboxError:
        return None


def symbolic_diff(book: Rulebook, diff: ReleaseDiff, as_of: date) -> None:
    """Evaluate the joint reduced space under both releases and count what moves."""
    space = Space(book, [book.get(diff.old), book.get(diff.new)], as_of)

    def runner(release: str) -> Evaluate:
        return lambda profile, _what: _decide(book, profile, release)

    runs = [runner(diff.old), runner(diff.new)]
    dims = space.dimensions(runs)
    diff.as_of = as_of
    for index in itertools.product(*(range(len(d.values)) for d in dims)):
        choice = [d.values[i] for d, i in zip(dims, index, strict=True)]
        profile = space.profile(choice)
        before, after = (run(profile, "") for run in runs)
        diff.points += 1
        if before is None or after is None:
            continue
        if before.tier != after.tier:
            key = (before.tier, after.tier)
            diff.transitions[key] += 1
            shown = diff.examples.setdefault(key, [])
            if len(shown) < 3:
                shown.append(
                    ", ".join(f"{d.name}={label}" for d, (label, _) in zip(dims, choice, strict=True))
                )
        for name, x, y in (
            ("intensity", before.intensity.level, after.intensity.level),
            ("inspection ratio", before.intensity.inspection_ratio, after.intensity.inspection_ratio),
            ("grade", before.platform_grade, after.platform_grade),
            (
                "obligations",
                sorted(o.rule for o in before.obligations),
                sorted(o.rule for o in after.obligations),
            ),
        ):
            if x != y:
                diff.other_changes[name] += 1


def format_diff(diff: ReleaseDiff) -> str:
    lines = [f"Release {diff.old} -> {diff.new}", ""]
    for name in SECTIONS:
        parts = [f"+ {k}" for k in diff.added.get(name, [])] + [f"- {k}" for k in diff.removed.get(name, [])]
        parts += [f"~ {k} ({', '.join(keys)})" for k, keys in diff.changed.get(name, {}).items()]
        lines.append(f"{name}: " + ("no change" if not parts else ""))
        lines += [f"  {p}" for p in parts]
    if diff.as_of is not None:
        lines += ["", f"Classes of profiles, as of {diff.as_of}: {diff.points} evaluated under both releases"]
        if not diff.transitions:
            lines.append("  no class changes tier")
        for (x, y), n in sorted(diff.transitions.items()):
            lines.append(f"  tier {x} -> {y}: {n} class(es), e.g.")
            lines += [f"    {example}" for example in diff.examples[(x, y)]]
        for name, n in sorted(diff.other_changes.items()):
            lines.append(f"  {name} changes in {n} class(es)")
    return "\n".join(lines)
