"""Rule files compiled for durable-rules: one durable rule per alternative of a rule, grouped
into phases so that a rule reads an outcome only after every other rule that sets it fired."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from engine.conditions import Alternative, Atom, Context, FactRef, expand
from engine.dates import add_months
from engine.errors import RuleFinding
from engine.facts import FactSpec
from engine.outcomes import OutcomeModel
from engine.release import Release
from engine.templates import placeholders

Expr = Callable[[Mapping[str, Any]], Any]
# durable-rules corrupts its heap when a session whose fact matched no rule is deleted
# (README, "durable-rules"): every phase therefore has a rule that always matches.
CATCH_ALL = "phase#"
RULE_KEYS = {"id", "measures", "cite", "when", "then", "cases", "table", "reason"}
LANGS = ("en", "zh")


@dataclass(frozen=True)
class Setter:
    """Part of an effect: set an outcome (or one field of it) to a value computed from facts."""

    outcome: str
    field: str | None
    value: Expr


@dataclass(frozen=True)
class Branch:
    """One durable rule: an alternative of a policy rule, with what it does when it fires."""

    name: str
    rule: str
    phase: int
    atoms: tuple[Atom, ...]
    bindings: tuple[tuple[str, Any], ...]
    setters: tuple[Setter, ...]
    facts: tuple[str, ...]


@dataclass(frozen=True)
class RuleSpec:
    id: str
    measures: tuple[int, ...]
    cite: tuple[dict[str, Any], ...]
    reason: dict[str, str]
    obligation: dict[str, str] | None
    file: str
    phase: int
    bindings: tuple[str, ...] = ()
    unconditional: bool = False


@dataclass(frozen=True)
class PhasePlan:
    """What one phase asserts, and which fields may be left out of it.

    A field tested only by equality with literals is left out when its value equals none of
    them: absent or unequal, no test on it can hold, so durable-rules fires the same rules.
    When every branch of the phase tests such a left-out field, nothing can fire and the
    phase is not asserted at all."""

    fields: tuple[tuple[str, str, frozenset[Any] | None], ...]
    requirements: tuple[frozenset[str], ...]

    def fact(self, phase: int, values: Mapping[str, Any]) -> dict[str, Any] | None:
        """The fact to assert for this phase, or None when no rule of it can fire."""
        fact: dict[str, Any] = {"phase": phase}
        omitted: set[str] = set()
        for name, durable_name, only in self.fields:
            value = values[name]
            if only is not None and value not in only:
                omitted.add(name)
            else:
                fact[durable_name] = encode(value)
        if omitted and all(need & omitted for need in self.requirements):
            return None
        return fact


@dataclass(frozen=True)
class CompiledRelease:
    release: Release
    rules: dict[str, RuleSpec]
    branches: dict[str, Branch]
    phases: tuple[tuple[str, ...], ...]

    @cached_property
    def plans(self) -> tuple[PhasePlan, ...]:
        return tuple(_plan(self, phase) for phase in range(len(self.phases)))

    @cached_property
    def param_values(self) -> dict[str, Any]:
        """Parameters by dotted name (param.NAME.FIELD), as reason templates use them."""
        out: dict[str, Any] = {}
        for name, value in self.release.parameters.items():
            out.update(flat(f"param.{name}", value))
        return out

    def durable_definition(self) -> dict[str, Any]:
        """The ruleset in durable-rules' own JSON form: one entry per branch, and per phase a
        catch-all (CATCH_ALL + phase) so that no asserted fact is ever left unmatched."""
        rules = {name: {"all": [{"m": _durable_condition(b)}]} for name, b in sorted(self.branches.items())}
        rules.update({f"{CATCH_ALL}{k}": {"all": [{"m": {"phase": k}}]} for k in range(len(self.phases))})
        return rules


def flat(prefix: str, value: Any) -> dict[str, Any]:
    """A nested mapping as dotted names: flat("a", {"b": 1}) == {"a.b": 1}."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, sub in value.items():
            out.update(flat(f"{prefix}.{key}", sub))
        return out
    return {prefix: value}


def field_name(fact: str) -> str:
    """Fact names as durable-rules field names (it reads dots as paths)."""
    return fact.replace(".", "__")


def encode(value: Any) -> Any:
    """Fact values as durable-rules compares them: dates as day numbers."""
    return value.toordinal() if isinstance(value, date) else value


_DURABLE_OPS = {"ne": "$neq", "lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}


def _plan(compiled: "CompiledRelease", phase: int) -> PhasePlan:
    branches = [b for b in compiled.branches.values() if b.phase == phase]
    literals: dict[str, set[Any]] = {}
    not_only: set[str] = set()
    for branch in branches:
        for atom in branch.atoms:
            if atom.op == "eq" and not isinstance(atom.value, FactRef):
                literals.setdefault(atom.fact, set()).add(atom.value)
            else:
                not_only.update(atom.facts())
    only = {f: frozenset(v) for f, v in literals.items() if f not in not_only}
    fields = tuple((f, field_name(f), only.get(f)) for f in compiled.phases[phase])
    requirements = tuple(frozenset(a.fact for a in b.atoms if a.fact in only) for b in branches)
    return PhasePlan(fields, requirements)


def _durable_atom(atom: Atom) -> dict[str, Any]:
    value = {"$m": field_name(atom.value.name)} if isinstance(atom.value, FactRef) else encode(atom.value)
    if atom.op == "eq":
        return {field_name(atom.fact): value}
    return {_DURABLE_OPS[atom.op]: {field_name(atom.fact): value}}


def _durable_condition(branch: Branch) -> dict[str, Any]:
    tests = [{"phase": branch.phase}, *(_durable_atom(a) for a in branch.atoms)]
    return tests[0] if len(tests) == 1 else {"$and": tests}


def constant(value: Any) -> Expr:
    """An expression that ignores the facts."""
    return lambda facts: value


class _RuleCompiler:
    def __init__(self, ctx: Context, outcomes: OutcomeModel, seed_text: str) -> None:
        self.ctx = ctx
        self.outcomes = outcomes
        self.seed_text = seed_text

    def fail(self, where: str, reason: str) -> None:
        self.ctx.fail(where, reason)

    def expr(self, raw: Any, where: str) -> Expr:
        ctx = self.ctx
        if isinstance(raw, dict) and set(raw) == {"param"}:
            return constant(ctx.param(raw["param"], f"{where}.param"))
        if isinstance(raw, dict) and set(raw) == {"fact"}:
            name = str(raw["fact"])
            ctx.fact(name, f"{where}.fact")
            return lambda facts: facts[name]
        if isinstance(raw, dict) and set(raw) == {"first_of"}:
            names = [str(n) for n in raw["first_of"]]
            for i, n in enumerate(names):
                ctx.fact(n, f"{where}.first_of.{i}")
            return lambda facts: next((facts[n] for n in names if facts[n] is not None), None)
        if isinstance(raw, dict) and set(raw) == {"add_months"}:
            body = raw["add_months"]
            if not isinstance(body, dict) or set(body) != {"date", "months"}:
                self.fail(f"{where}.add_months", "needs date and months")
                return constant(None)
            start = self.expr(body["date"], f"{where}.add_months.date")
            months = self.expr(body["months"], f"{where}.add_months.months")
            return lambda facts: add_months(start(facts), months(facts))
        if isinstance(raw, dict) and len(raw) == 1:
            self.fail(
                where,
                f"unknown expression {next(iter(raw))!r}; expected param, fact, first_of or add_months",
            )
        return constant(raw)

    def setters(self, then: Any, where: str) -> tuple[list[Setter], dict[str, str] | None]:
        if not isinstance(then, dict):
            self.fail(where, "then must be a mapping")
            return [], None
        unknown = set(then) - {"tier", "set", "obligation"}
        if unknown:
            self.fail(where, f"unknown effect(s) {sorted(unknown)}; expected tier, set, obligation")
        setters: list[Setter] = []
        if "tier" in then:
            tiers = self.outcomes.outcomes["tier"].order
            if then["tier"] not in tiers:
                self.fail(f"{where}.tier", f"unknown tier {then['tier']!r}; expected one of {list(tiers)}")
            setters.append(Setter("tier", None, constant(then["tier"])))
        for path, raw in (then.get("set") or {}).items():
            root, _, field = str(path).partition(".")
            spec = self.outcomes.outcomes.get(root)
            if spec is None:
                self.fail(
                    f"{where}.set.{path}",
                    f"unknown outcome; expected one of {sorted(self.outcomes.outcomes)}",
                )
                continue
            if field and field not in spec.fields:
                self.fail(f"{where}.set.{path}", f"{root} has no field {field!r}")
            if not spec.fields and not isinstance(raw, dict) and raw not in spec.order:
                self.fail(f"{where}.set.{path}", f"{raw!r} is not one of {list(spec.order)}")
            setters.append(Setter(root, field or None, self.expr(raw, f"{where}.set.{path}")))
        obligation = then.get("obligation")
        if obligation is not None:
            self.texts(obligation, f"{where}.obligation")
        return setters, obligation

    def texts(self, raw: Any, where: str) -> None:
        if not isinstance(raw, dict) or any(
            not isinstance(raw.get(lang), str) or not raw[lang].strip() for lang in LANGS
        ):
            self.fail(where, "needs non-empty en and zh texts")

    def cite(self, raw: Any) -> None:
        if not isinstance(raw, list) or not raw:
            self.fail("cite", "every rule needs at least one citation")
            return
        for i, item in enumerate(raw):
            if isinstance(item, dict) and "seed" in item:
                if not isinstance(item["seed"], int) or not isinstance(item.get("text"), str):
                    self.fail(f"cite.{i}", "a seed citation needs the measure number and its text")
                elif item["text"] not in self.seed_text:
                    self.fail(f"cite.{i}.text", "not found verbatim in the seed text")
            elif isinstance(item, dict) and "law" in item:
                self.texts(item["law"], f"cite.{i}.law")
            else:
                self.fail(f"cite.{i}", "expected {seed: N, text: ...} or {law: {en, zh}}")

    def alternatives(self, raw: dict[str, Any]) -> list[tuple[Alternative, list[Setter]]]:
        """Every alternative of the rule with the setters it carries."""
        base_setters, _ = self.setters(raw.get("then", {}), "then")
        shapes = [k for k in ("cases", "table") if k in raw]
        if len(shapes) > 1 or (not shapes and "when" not in raw):
            self.fail("", "a rule needs when (and then), cases, or table")
            return []
        if "cases" in raw:
            result: list[tuple[Alternative, list[Setter]]] = []
            for i, case in enumerate(raw["cases"] or []):
                where = f"cases.{i}"
                if not isinstance(case, dict) or "when" not in case:
                    self.fail(where, "each case needs when")
                    continue
                own, _ = self.setters(case.get("then", {}), f"{where}.then")
                overridden = {(s.outcome, s.field) for s in own}
                setters = own + [s for s in base_setters if (s.outcome, s.field) not in overridden]
                lets = tuple(
                    (str(k), self.expr(v, f"{where}.let.{k}")({})) for k, v in (case.get("let") or {}).items()
                )
                for alt in expand(case["when"], self.ctx, f"{where}.when"):
                    result.append((Alternative(alt.atoms, alt.bindings + lets), setters))
            return result
        when = expand(raw["when"], self.ctx, "when") if "when" in raw else [Alternative(())]
        if "table" not in raw:
            return [(alt, base_setters) for alt in when]
        return [(alt, base_setters + setters) for alt, setters in self.table(raw["table"], when)]

    def table(self, raw: Any, when: list[Alternative]) -> list[tuple[Alternative, list[Setter]]]:
        if not isinstance(raw, dict) or set(raw) != {"parameter", "rows", "columns", "set"}:
            self.fail("table", "needs parameter, rows, columns and set")
            return []
        matrix = self.ctx.param(raw["parameter"], "table.parameter")
        rows = self.ctx.fact(raw["rows"], "table.rows")
        cols = self.ctx.fact(raw["columns"], "table.columns")
        if raw["set"] not in self.outcomes.outcomes:
            self.fail("table.set", f"unknown outcome {raw['set']!r}")
        if not isinstance(matrix, dict) or rows is None or cols is None:
            return []
        result = []
        for row, line in sorted(matrix.items()):
            for col, cell in sorted(line.items()):
                for spec, key in ((rows, row), (cols, col)):
                    if spec.values and key not in spec.values:
                        self.fail(f"table.{row}.{col}", f"{key!r} is not a value of {spec.name}")
                cell_atoms = (Atom(rows.name, "eq", row), Atom(cols.name, "eq", col))
                setter = Setter(str(raw["set"]), None, constant(cell))
                for alt in when:
                    result.append((Alternative(alt.atoms + cell_atoms, alt.bindings), [setter]))
        return result

    def check_templates(self, raw: dict[str, Any], bindings: set[str], obligation: Any) -> None:
        known = set(self.ctx.facts) | bindings
        params = self.ctx.release.parameters
        for where, texts in (("reason", raw.get("reason")), ("then.obligation", obligation)):
            if texts is None:
                continue
            self.texts(texts, where)
            for lang in LANGS:
                for name in placeholders(str(texts.get(lang, "")) if isinstance(texts, dict) else ""):
                    if name in known:
                        continue
                    head, _, rest = name.partition(".")
                    if head == "param" and _has_param(params, rest):
                        continue
                    self.fail(f"{where}.{lang}", f"unknown placeholder {{{name}}}")


def _has_param(params: dict[str, Any], path: str) -> bool:
    value: Any = params
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return False
        value = value[part]
    return True


def compile_release(
    release: Release,
    *,
    facts: dict[str, FactSpec],
    outcomes: OutcomeModel,
    seed_text: str,
    findings: list[RuleFinding],
) -> CompiledRelease:
    """Check every rule of a release and compile it; problems go to findings."""
    staged: dict[str, tuple[RuleSpec, list[tuple[Alternative, list[Setter]]]]] = {}
    for rule_id, raw in sorted(release.rules.items()):
        file = release.sources.get(f"rules:{rule_id}", "")
        ctx = Context(file=file, rule=rule_id, facts=facts, release=release)
        compiler = _RuleCompiler(ctx, outcomes, seed_text)
        for key in sorted(set(raw) - RULE_KEYS):
            compiler.fail(key, f"unknown key; expected one of {sorted(RULE_KEYS)}")
        measures = raw.get("measures")
        if not isinstance(measures, list) or not measures or not all(isinstance(m, int) for m in measures):
            compiler.fail("measures", "needs a non-empty list of measure numbers")
            measures = []
        compiler.cite(raw.get("cite"))
        alternatives = compiler.alternatives(raw)
        obligation = (raw.get("then") or {}).get("obligation") if isinstance(raw.get("then"), dict) else None
        if not alternatives and not ctx.findings:
            compiler.fail("when", "the rule can never fire: its condition has no alternative")
        bindings = {name for alt, _ in alternatives for name, _ in alt.bindings}
        compiler.check_templates(raw, bindings, obligation)
        findings.extend(ctx.findings)
        spec = RuleSpec(
            id=rule_id,
            measures=tuple(sorted(measures)),
            cite=tuple(raw.get("cite") or ()),
            reason=dict(raw.get("reason") or {}),
            obligation=obligation,
            file=file,
            phase=0,
            bindings=tuple(sorted(bindings)),
            unconditional=any(not alt.atoms for alt, _ in alternatives),
        )
        staged[rule_id] = (spec, alternatives)
    phases = _phases(staged, facts, release, findings)
    rules: dict[str, RuleSpec] = {}
    branches: dict[str, Branch] = {}
    for rule_id, (spec, alternatives) in staged.items():
        phase = phases.get(rule_id, 0)
        rules[rule_id] = RuleSpec(**{**spec.__dict__, "phase": phase})
        for index, (alt, setters) in enumerate(alternatives):
            name = f"{rule_id}#{index}"
            tested = tuple(sorted({f for atom in alt.atoms for f in atom.facts()}))
            branches[name] = Branch(name, rule_id, phase, alt.atoms, alt.bindings, tuple(setters), tested)
    count = max(phases.values(), default=0) + 1
    fields = tuple(
        tuple(sorted({f for b in branches.values() if b.phase == k for f in b.facts})) for k in range(count)
    )
    return CompiledRelease(release, rules, branches, fields)


def _phases(
    staged: dict[str, tuple[RuleSpec, list[tuple[Alternative, list[Setter]]]]],
    facts: dict[str, FactSpec],
    release: Release,
    findings: list[RuleFinding],
) -> dict[str, int]:
    """Phase of each rule: one after the latest phase of any other rule that sets what it reads."""
    reads = {
        rid: {
            f.split(".")[0] for alt, _ in alts for atom in alt.atoms for f in atom.facts() if facts[f].outcome
        }
        for rid, (_, alts) in staged.items()
    }
    writers: dict[str, set[str]] = {}
    for rid, (_, alts) in staged.items():
        for _, setters in alts:
            for s in setters:
                writers.setdefault(s.outcome, set()).add(rid)
    phase: dict[str, int] = {}
    visiting: list[str] = []

    def visit(rid: str) -> int:
        if rid in phase:
            return phase[rid]
        if rid in visiting:
            cycle = " -> ".join([*visiting[visiting.index(rid) :], rid])
            file = release.sources.get(f"rules:{rid}", "")
            findings.append(RuleFinding(file, rid, "when", f"rules depend on each other's outcomes: {cycle}"))
            return 0
        visiting.append(rid)
        deps = [w for o in sorted(reads[rid]) for w in sorted(writers.get(o, ())) if w != rid]
        phase[rid] = 1 + max((visit(w) for w in deps), default=-1)
        visiting.pop()
        return phase[rid]

    for rid in sorted(staged):
        visit(rid)
    return phase
