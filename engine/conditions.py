"""The condition language of rule files, checked against the fact vocabulary and expanded
into alternatives (disjunctive normal form) that durable-rules can match one by one.

    {always: true}
    {fact: NAME, eq|ne|lt|le|gt|ge: VALUE}     VALUE: literal, {param: P} or {fact: NAME}
    {fact: NAME, in|not_in: [VALUES]}
    {all: [CONDITION...]}   {any: [CONDITION...]}
    {some: {formats: {flag: S|F|I|R}}}  {some: {formats: new}}  {some: {formats: missing_licence}}
    {some: {activities: prohibited}}
"""

import difflib
import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.errors import RuleFinding
from engine.facts import FactSpec
from engine.release import FLAGS, Release

COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge")
ORDERED = {"int", "number", "date"}


@dataclass(frozen=True)
class FactRef:
    """The right-hand side of a comparison that names another fact."""

    name: str


@dataclass(frozen=True)
class Atom:
    """One test on one fact: fact OP value."""

    fact: str
    op: str
    value: Any

    def facts(self) -> tuple[str, ...]:
        return (self.fact, self.value.name) if isinstance(self.value, FactRef) else (self.fact,)


@dataclass(frozen=True)
class Alternative:
    """One conjunction of atoms, with the names it binds for reasons (e.g. the format)."""

    atoms: tuple[Atom, ...]
    bindings: tuple[tuple[str, Any], ...] = ()


@dataclass
class Context:
    """Where a condition sits (for findings) and what it may refer to."""

    file: str
    rule: str
    facts: dict[str, FactSpec]
    release: Release
    findings: list[RuleFinding] = field(default_factory=list)

    def fail(self, where: str, reason: str) -> list[Alternative]:
        self.findings.append(RuleFinding(self.file, self.rule, where, reason))
        return []

    def param(self, name: Any, where: str) -> Any:
        params = self.release.parameters
        if name not in params:
            near = difflib.get_close_matches(str(name), list(params), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            self.fail(where, f"unknown parameter {name!r}{hint}")
            return None
        return params[name]

    def fact(self, name: Any, where: str) -> FactSpec | None:
        spec = self.facts.get(str(name))
        if spec is None:
            near = difflib.get_close_matches(str(name), list(self.facts), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            self.fail(where, f"unknown fact {name!r}{hint}")
        return spec


def expand(raw: Any, ctx: Context, where: str) -> list[Alternative]:
    """The alternatives under which a condition holds; findings go to the context."""
    if not isinstance(raw, dict) or len(raw) == 0:
        return ctx.fail(where, "a condition must be a mapping")
    if "fact" in raw:
        return _comparison(raw, ctx, where)
    if len(raw) != 1:
        return ctx.fail(where, f"expected one of all/any/some/always/fact, got {sorted(raw)}")
    ((key, body),) = raw.items()
    if key == "always":
        return [Alternative(())] if body is True else ctx.fail(f"{where}.always", "must be true")
    if key in ("all", "any"):
        if not isinstance(body, list) or not body:
            return ctx.fail(f"{where}.{key}", "must be a non-empty list of conditions")
        parts = [expand(item, ctx, f"{where}.{key}.{i}") for i, item in enumerate(body)]
        if key == "any":
            return [alt for part in parts for alt in part]
        return [_join(combo) for combo in itertools.product(*parts)]
    if key == "some":
        return _some(body, ctx, f"{where}.some")
    return ctx.fail(where, f"unknown condition {key!r}; expected all, any, some, always or fact")


def _join(parts: tuple[Alternative, ...]) -> Alternative:
    atoms = tuple(atom for part in parts for atom in part.atoms)
    bindings = tuple(b for part in parts for b in part.bindings)
    return Alternative(atoms, bindings)


def _comparison(raw: dict[str, Any], ctx: Context, where: str) -> list[Alternative]:
    spec = ctx.fact(raw["fact"], f"{where}.fact")
    ops = [k for k in raw if k != "fact"]
    if len(ops) != 1:
        return ctx.fail(where, f"a comparison needs exactly one operator, got {ops}")
    op = ops[0]
    if spec is None:
        return []
    if op in ("in", "not_in"):
        values = raw[op]
        if not isinstance(values, list) or not values:
            return ctx.fail(f"{where}.{op}", "must be a non-empty list")
        checked = [_value(v, spec, ctx, f"{where}.{op}.{i}") for i, v in enumerate(values)]
        if op == "in":  # one alternative per value: they exclude each other, so none fires twice
            return [Alternative((Atom(spec.name, "eq", v),)) for v in checked]
        return [Alternative(tuple(Atom(spec.name, "ne", v) for v in checked))]
    if op not in COMPARISONS:
        return ctx.fail(
            f"{where}.{op}", f"unknown operator; expected one of {(*COMPARISONS, 'in', 'not_in')}"
        )
    if op not in ("eq", "ne") and spec.kind not in ORDERED:
        return ctx.fail(f"{where}.{op}", f"{spec.name} is {spec.kind}: only eq, ne, in, not_in apply")
    return [Alternative((Atom(spec.name, op, _value(raw[op], spec, ctx, f"{where}.{op}")),))]


def _value(raw: Any, spec: FactSpec, ctx: Context, where: str) -> Any:
    if isinstance(raw, dict) and set(raw) == {"param"}:
        value = ctx.param(raw["param"], f"{where}.param")
    elif isinstance(raw, dict) and set(raw) == {"fact"}:
        other = ctx.fact(raw["fact"], f"{where}.fact")
        if other is not None and other.kind != spec.kind:
            ctx.fail(where, f"compares {spec.name} ({spec.kind}) with {other.name} ({other.kind})")
        return FactRef(str(raw["fact"]))
    else:
        value = raw
    if not _fits(value, spec):
        allowed = f" (one of {list(spec.values)})" if spec.kind == "enum" else ""
        ctx.fail(where, f"{value!r} does not fit {spec.name}, which is {spec.kind}{allowed}")
    return value


def _fits(value: Any, spec: FactSpec) -> bool:
    if value is None:
        return spec.nullable
    if spec.kind == "bool":
        return isinstance(value, bool)
    if spec.kind in ("int", "number"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if spec.kind == "enum":
        return value in spec.values
    if spec.kind == "date":
        return isinstance(value, date)
    return isinstance(value, str)


def _some(body: Any, ctx: Context, where: str) -> list[Alternative]:
    if not isinstance(body, dict) or len(body) != 1:
        return ctx.fail(where, "expected {formats: PREDICATE} or {activities: prohibited}")
    ((collection, predicate),) = body.items()
    release = ctx.release
    if collection == "activities" and predicate == "prohibited":
        # Codes outside the vocabulary are reported by the catalogue check, not expanded.
        return [
            Alternative((Atom(f"activities.{code}", "eq", True),), (("activity", code),))
            for code in sorted(release.prohibited_activities)
            if f"activities.{code}" in ctx.facts
        ]
    if collection != "formats":
        return ctx.fail(where, f"unknown collection {collection!r}; expected formats or activities")
    alternatives: list[Alternative] = []
    for code, entry in sorted(release.formats.items()):
        if f"formats.{code}" not in ctx.facts:
            continue
        held = Atom(f"formats.{code}", "eq", True)
        if isinstance(predicate, dict) and set(predicate) == {"flag"}:
            if predicate["flag"] not in FLAGS:
                return ctx.fail(f"{where}.flag", f"unknown flag {predicate['flag']!r}; expected S, F, I or R")
            if predicate["flag"] in entry.get("flags", []):
                alternatives.append(Alternative((held,), (("format", code),)))
        elif predicate == "new":
            since = entry.get("recognised_since")
            if since is None:
                alternatives.append(Alternative((held,), (("format", code), ("recognised_since", None))))
            else:
                day = date.fromisoformat(since)
                before = Atom("assessment_date", "lt", day)
                alternatives.append(
                    Alternative((held, before), (("format", code), ("recognised_since", day)))
                )
        elif predicate == "missing_licence":
            for licence in entry.get("licences", []):
                if f"licences.{licence}" not in ctx.facts:
                    continue
                lacking = Atom(f"licences.{licence}", "eq", False)
                alternatives.append(Alternative((held, lacking), (("format", code), ("licence", licence))))
        else:
            return ctx.fail(
                where,
                f"unknown format predicate {predicate!r}; expected flag, new or missing_licence",
            )
    return alternatives
