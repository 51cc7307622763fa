"""Rule tests as data: YAML cases beside the rules (rules/tests/), run on the engine itself."""

import copy
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from engine.decision import Decision
from engine.errors import RuleFileError, RuleFinding, SandboxError
from engine.evaluate import evaluate
from engine.release import plain
from engine.rulebook import Rulebook
from engine.yamlfile import load_yaml
from rules import RULES_DIR

TESTS_DIR = RULES_DIR / "tests"
EXPECT_KEYS = {
    "tier",
    "decisive",
    "fires",
    "silent",
    "obligations",
    "obligations_include",
    "intensity",
    "credit_class",
    "platform_grade",
    "observation_ends_on",
}
CASE_KEYS = {"name", "as_of", "release", "profile", "expect"}


@dataclass(frozen=True)
class RuleTest:
    """One case on one date: a named profile and what the rules must make of it."""

    file: str
    name: str
    profile: dict[str, Any]
    as_of: date
    release: str | None
    expect: dict[str, Any]


@dataclass
class Outcome:
    """How one rule test went."""

    test: RuleTest
    release: str
    failures: list[str] = field(default_factory=list)
    fired: frozenset[str] = frozenset()

    @property
    def passed(self) -> bool:
        return not self.failures


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_tests(folder: Path = TESTS_DIR) -> list[RuleTest]:
    """Every case of every file, one RuleTest per as-of date; malformed files are refused."""
    findings: list[RuleFinding] = []
    tests: list[RuleTest] = []
    for path in sorted(folder.glob("*.yaml")):
        where = str(path.relative_to(folder.parent)) if folder.parent in path.parents else str(path)
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
        base = data.get("base") or {}
        for index, case in enumerate(data.get("cases") or []):
            name = str(case.get("name") or f"case {index}")
            unknown = sorted(set(case) - CASE_KEYS) + sorted(set(case.get("expect") or {}) - EXPECT_KEYS)
            for key in unknown:
                findings.append(RuleFinding(where, name, key, "unknown key"))
            dates = case.get("as_of")
            dates = dates if isinstance(dates, list) else [dates]
            if not dates or not all(isinstance(d, date) for d in dates):
                findings.append(RuleFinding(where, name, "as_of", "needs one or more dates"))
                continue
            profile = _merge({"schema_version": "1", "name": f"Rule test: {name}"}, plain(base))
            profile = _merge(profile, plain(case.get("profile") or {}))
            for day in dates:
                tests.append(
                    RuleTest(where, name, profile, day, case.get("release"), case.get("expect") or {})
                )
    if findings:
        raise RuleFileError(findings)
    return tests


def _check(expect: dict[str, Any], decision: Decision) -> list[str]:
    fired = {f.rule for f in decision.explanation.fired}
    obligations = {o.rule for o in decision.obligations}
    got: dict[str, Any] = {
        "tier": decision.tier,
        "credit_class": decision.credit_class,
        "platform_grade": decision.platform_grade,
        "observation_ends_on": decision.observation.ends_on if decision.observation else None,
    }
    failures = [
        f"{key}: expected {expect[key]}, got {got[key]}"
        for key in got
        if key in expect and expect[key] != got[key]
    ]
    if "decisive" in expect and sorted(expect["decisive"]) != decision.explanation.decisive:
        failures.append(
            f"decisive: expected {sorted(expect['decisive'])}, got {decision.explanation.decisive}"
        )
    if missing := sorted(set(expect.get("fires", [])) - fired):
        failures.append(f"expected to fire but silent: {missing}")
    if loud := sorted(set(expect.get("silent", [])) & fired):
        failures.append(f"expected silent but fired: {loud}")
    if "obligations" in expect and set(expect["obligations"]) != obligations:
        failures.append(f"obligations: expected {sorted(expect['obligations'])}, got {sorted(obligations)}")
    if missing := sorted(set(expect.get("obligations_include", [])) - obligations):
        failures.append(f"obligations missing: {missing}")
    for key, value in (expect.get("intensity") or {}).items():
        actual = getattr(decision.intensity, key)
        if actual != value:
            failures.append(f"intensity.{key}: expected {value}, got {actual}")
    return failures


def run_tests(tests: list[RuleTest], *, rulebook: Rulebook, release: str | None = None) -> list[Outcome]:
    """Run each test on the release in force on its date (or its own explicit release)."""
    outcomes: list[Outcome] = []
    for test in tests:
        chosen = test.release or rulebook.in_force(test.as_of).release.id
        if release is not None and chosen != release:
            continue
        try:
            decision = evaluate(test.profile, as_of=test.as_of, release=test.release, rulebook=rulebook)
        except SandboxError as exc:
            outcomes.append(Outcome(test, chosen, [f"{exc.code}: {exc}"]))
            continue
        fired = frozenset(f.rule for f in decision.explanation.fired)
        outcomes.append(Outcome(test, chosen, _check(test.expect, decision), fired))
    return outcomes


def summary(outcomes: list[Outcome]) -> str:
    """A report a policy officer can read: failures in full, then the count."""
    lines = []
    for o in outcomes:
        if not o.passed:
            lines.append(f"FAILED  {o.test.name}  (as of {o.test.as_of}, release {o.release}, {o.test.file})")
            lines.extend(f"        - {f}" for f in o.failures)
    passed = sum(o.passed for o in outcomes)
    lines.append(f"{passed} passed, {len(outcomes) - passed} failed")
    return "\n".join(lines)
