"""`sandbox rules lint`: every problem the loader finds, plus the shape of decision tables."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.authoring.ruletests import TESTS_DIR, load_tests
from engine.compiler import CompiledRelease
from engine.conditions import Alternative, Atom, Context, expand
from engine.errors import RuleFileError, RuleFinding
from engine.rulebook import Rulebook, inspect_rulebook
from rules import RULES_DIR


@dataclass(frozen=True)
class Finding(RuleFinding):
    """A loader finding with a severity: "error" fails lint; "warning" is for the author to read."""

    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.severity}: {super().__str__()}"


def _contradicts(atom: Atom, fact: str, value: Any) -> bool:
    if atom.fact != fact:
        return False
    return (atom.op == "eq" and atom.value != value) or (atom.op == "ne" and atom.value == value)


def _excluded(alternatives: list[Alternative], assignment: dict[str, Any]) -> bool:
    """Whether the rule's own condition rules out these values in every alternative."""
    return all(
        any(_contradicts(a, f, v) for a in alt.atoms for f, v in assignment.items()) for alt in alternatives
    )


def table_findings(book: Rulebook, compiled: CompiledRelease) -> list[Finding]:
    """Cells a table lacks for values its rule admits, and cells its rule can never reach."""
    release = compiled.release
    out: list[Finding] = []
    for rule_id, raw in sorted(release.rules.items()):
        table = raw.get("table")
        if not isinstance(table, dict):
            continue
        file = release.sources.get(f"rules:{rule_id}", "")
        ctx = Context(file=file, rule=rule_id, facts=book.facts, release=release)
        admitted = expand(raw["when"], ctx, "when") if "when" in raw else [Alternative(())]
        rows, cols = book.facts[table["rows"]], book.facts[table["columns"]]
        matrix = release.parameters.get(table["parameter"], {})
        for row in rows.values:
            for col in cols.values:
                cell = {rows.name: row, cols.name: col}
                defined = col in matrix.get(row, {})
                excluded = _excluded(admitted, cell)
                where = f"table.{row}.{col}"
                reason = None
                if defined and excluded:
                    reason = "cell can never apply: the rule's condition excludes it"
                elif not defined and not excluded:
                    reason = (
                        f"no cell for {rows.name}={row}, {cols.name}={col}; "
                        "`sandbox rules check` proves whether any profile reaches it"
                    )
                if reason:
                    out.append(Finding(file, rule_id, where, reason, severity="warning"))
    return out


def lint(rules_dir: Path = RULES_DIR, tests_dir: Path = TESTS_DIR) -> list[Finding]:
    """All findings, errors first; the rule engine itself is not started."""
    book, findings = inspect_rulebook(rules_dir, namespace="-lint")
    out = [Finding(f.file, f.rule, f.field, f.reason) for f in findings]
    for compiled in book.compiled.values():
        out += [
            Finding(f.file, f.rule, f.field, f"[{compiled.release.id}] {f.reason}", f.severity)
            for f in table_findings(book, compiled)
        ]
    try:
        load_tests(tests_dir)
    except RuleFileError as exc:
        out += [Finding(f.file, f.rule, f.field, f.reason) for f in exc.findings]
    return sorted(set(out), key=lambda f: (f.severity != "error", f.file, f.rule, f.field, f.reason))
