"""Which rules, seed measures and legal articles the rule tests make fire and keep silent."""

from collections.abc import Iterator
from dataclasses import dataclass

from engine.authoring.ruletests import Outcome
from engine.compiler import CompiledRelease
from engine.rulebook import Rulebook


@dataclass(frozen=True)
class Line:
    """Coverage of one rule (or one cited clause) in one release."""

    release: str
    subject: str
    fired: int
    silent: int
    unconditional: bool = False

    @property
    def covered(self) -> bool:
        """Fired in some test and silent in another (silence is impossible for an unconditional rule)."""
        return self.fired > 0 and (self.silent > 0 or self.unconditional)


def _cited(cite: dict[str, object]) -> str:
    if "seed" in cite:
        return f"seed measure {cite['seed']}: {cite['text']}"
    law = cite.get("law")
    return f"law: {law['en'] if isinstance(law, dict) else law}"


def _runs(
    book: Rulebook, outcomes: list[Outcome], release: str | None
) -> Iterator[tuple[CompiledRelease, list[Outcome]]]:
    """Each release asked for, with the rule-test runs that evaluated on it."""
    for compiled in book.compiled.values():
        rid = compiled.release.id
        if release is None or rid == release:
            yield compiled, [o for o in outcomes if o.release == rid and o.fired]


def rule_coverage(book: Rulebook, outcomes: list[Outcome], release: str | None = None) -> list[Line]:
    lines = []
    for compiled, runs in _runs(book, outcomes, release):
        rid = compiled.release.id
        for rule, spec in sorted(compiled.rules.items()):
            fired = sum(rule in o.fired for o in runs)
            lines.append(Line(rid, rule, fired, len(runs) - fired, spec.unconditional))
    return lines


def clause_coverage(book: Rulebook, outcomes: list[Outcome], release: str | None = None) -> list[Line]:
    """A clause fires when a rule citing it fires, and stays silent when one of them is silent."""
    lines = []
    for compiled, runs in _runs(book, outcomes, release):
        rid = compiled.release.id
        clauses: dict[str, set[str]] = {}
        for rule in compiled.rules.values():
            for cite in rule.cite:
                clauses.setdefault(_cited(cite), set()).add(rule.id)
        for clause, rules in sorted(clauses.items()):
            fired = sum(bool(rules & o.fired) for o in runs)
            silent = sum(not rules <= o.fired for o in runs)
            always = all(compiled.rules[r].unconditional for r in rules)
            lines.append(Line(rid, clause, fired, silent, always))
    return lines


def percent(lines: list[Line]) -> float:
    return 100.0 * sum(line.covered for line in lines) / len(lines) if lines else 100.0


def _row(x: Line) -> str:
    silent = "n/a" if x.unconditional else str(x.silent)
    note = "" if x.covered else "   <- not covered"
    return f"{x.release:8} {x.fired:5} {silent:>6}  {x.subject}{note}"


def report(rules: list[Line], clauses: list[Line]) -> str:
    """Tables of tests that make each rule and clause fire and stay silent ('n/a': unconditional)."""
    out = [f"{'release':8} {'fired':>5} {'silent':>6}  rule", *map(_row, rules)]
    out += ["", f"{'release':8} {'fired':>5} {'silent':>6}  cited clause", *map(_row, clauses)]
    out += ["", f"rule coverage {percent(rules):.1f}%, clause coverage {percent(clauses):.1f}%"]
    return "\n".join(out)
