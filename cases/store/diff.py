"""Field-level differences between two decisions as JSON data.

Lists of objects that each carry a distinct `rule` (fired rules, obligations) are matched by
rule id, so a diff reads `explanation.fired[M23-GRADE].effect.grade` rather than an index.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from engine.release import canonical_json


class FieldDiff(BaseModel):
    """One field that differs: its path, and its value on each side (None when absent)."""

    model_config = ConfigDict(frozen=True)

    path: str
    change: Literal["changed", "added", "removed"]
    before: Any = None
    after: Any = None

    def line(self) -> str:
        if self.change == "added":
            return f"{self.path}: added {_show(self.after)}"
        if self.change == "removed":
            return f"{self.path}: removed (was {_show(self.before)})"
        return f"{self.path}: {_show(self.before)} -> {_show(self.after)}"


def _show(value: Any) -> str:
    text = canonical_json(value)
    return text if len(text) <= 160 else text[:157] + "..."


def _by_rule(items: list[Any]) -> dict[str, Any] | None:
    if not items or not all(isinstance(i, dict) and isinstance(i.get("rule"), str) for i in items):
        return None
    keyed = {i["rule"]: i for i in items}
    return keyed if len(keyed) == len(items) else None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def json_diff(before: Any, after: Any, *, path: str = "") -> list[FieldDiff]:
    """Every leaf that differs between two JSON values, in a stable order."""
    if isinstance(before, dict) and isinstance(after, dict):
        diffs: list[FieldDiff] = []
        for key in sorted(set(before) | set(after)):
            where = _join(path, key)
            if key not in after:
                diffs.append(FieldDiff(path=where, change="removed", before=before[key]))
            elif key not in before:
                diffs.append(FieldDiff(path=where, change="added", after=after[key]))
            else:
                diffs.extend(json_diff(before[key], after[key], path=where))
        return diffs
    if isinstance(before, list) and isinstance(after, list):
        left, right = _by_rule(before), _by_rule(after)
        if (left is not None or not before) and (right is not None or not after) and (before or after):
            left, right = left or {}, right or {}
            diffs = []
            for rule in sorted(set(left) | set(right)):
                where = f"{path}[{rule}]"
                if rule not in right:
                    diffs.append(FieldDiff(path=where, change="removed", before=left[rule]))
                elif rule not in left:
                    diffs.append(FieldDiff(path=where, change="added", after=right[rule]))
                else:
                    diffs.extend(json_diff(left[rule], right[rule], path=where))
            return diffs
        if len(before) == len(after):
            return [
                d
                for i, (b, a) in enumerate(zip(before, after, strict=True))
                for d in json_diff(b, a, path=f"{path}[{i}]")
            ]
    if type(before) is type(after) and before == after:
        return []
    return [FieldDiff(path=path or "(decision)", change="changed", before=before, after=after)]
