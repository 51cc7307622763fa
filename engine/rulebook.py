"""All releases of rules/, checked, hashed and compiled once per process; picks the
release in force on a date."""

import bisect
import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, cached_property
from pathlib import Path

from engine import durable_host
from engine.compiler import CompiledRelease, compile_release
from engine.errors import FieldError, ProfileError, RuleFileError, RuleFinding, UnknownRelease
from engine.facts import FactSpec, profile_fact_specs
from engine.outcomes import OutcomeModel, load_outcomes
from engine.release import FLAGS, Release, read_layer, resolve
from engine.templates import Labels
from engine.vocabulary import Vocabulary, load_vocabulary
from rules import RULES_DIR


@dataclass
class Rulebook:
    """The releases of one rules folder."""

    vocabulary: Vocabulary
    outcomes: OutcomeModel
    facts: dict[str, FactSpec]
    compiled: dict[str, CompiledRelease]
    namespace: str = ""
    _handles: dict[str, int] = field(default_factory=dict)

    @cached_property
    def labels(self) -> Labels:
        """Chinese names of codes and outcome values, for reason texts."""
        return Labels.build(self.vocabulary, self.outcomes.zh_labels())

    @property
    def releases(self) -> list[Release]:
        """Releases in date order."""
        return sorted((c.release for c in self.compiled.values()), key=lambda r: r.in_force_from)

    def get(self, release_id: str) -> CompiledRelease:
        if release_id not in self.compiled:
            known = ", ".join(r.id for r in self.releases)
            raise UnknownRelease(f"unknown release {release_id!r}; known releases: {known}")
        return self.compiled[release_id]

    @cached_property
    def _calendar(self) -> tuple[list[Release], list[date]]:
        """The releases in date order and their first days, once (a rule book's releases are
        fixed when it is loaded)."""
        releases = self.releases
        return releases, [r.in_force_from for r in releases]

    def in_force(self, day: date) -> CompiledRelease:
        """The release in force on a day; no release is an error, never a guess."""
        releases, starts = self._calendar
        index = bisect.bisect_right(starts, day) - 1
        if index >= 0 and releases[index].in_force_on(day):
            return self.compiled[releases[index].id]
        spans = "; ".join(f"{r.id}: {r.in_force_from} to {r.in_force_to or 'open'}" for r in releases)
        raise ProfileError(
            [FieldError("assessment_date", f"no ruleset release is in force on {day} ({spans})")]
        )

    def handle(self, release_id: str) -> int:
        """The durable-rules ruleset of a release, compiled on first use."""
        if release_id not in self._handles:
            compiled = self.get(release_id)
            name = f"sandbox{self.namespace}:{release_id}:{compiled.release.sha256[:16]}"
            self._handles[release_id] = durable_host.ruleset(name, compiled.durable_definition())
        return self._handles[release_id]


def _check_calendar(releases: list[Release], findings: list[RuleFinding]) -> None:
    ordered = sorted(releases, key=lambda r: r.in_force_from)
    for before, after in itertools.pairwise(ordered):
        where = f"releases/{after.id}/release.yaml"
        if before.in_force_to is None or before.in_force_to >= after.in_force_from:
            findings.append(RuleFinding(where, after.id, "in_force", f"overlaps {before.id}"))
        elif before.in_force_to + timedelta(days=1) != after.in_force_from:
            findings.append(RuleFinding(where, after.id, "in_force", f"leaves a gap after {before.id}"))


def load_rulebook(
    rules_dir: Path = RULES_DIR, *, namespace: str = "", shuffle_seed: int | None = None
) -> Rulebook:
    """Load, check and compile every release; raise RuleFileError listing every problem.

    shuffle_seed reads files in a shuffled order (for the determinism tests)."""
    book, findings = inspect_rulebook(rules_dir, namespace=namespace, shuffle_seed=shuffle_seed)
    if findings:
        raise RuleFileError(findings)
    return book


def inspect_rulebook(
    rules_dir: Path = RULES_DIR, *, namespace: str = "", shuffle_seed: int | None = None
) -> tuple[Rulebook, list[RuleFinding]]:
    """Load and compile what can be, and every problem found on the way (for lint)."""
    findings: list[RuleFinding] = []
    vocabulary = load_vocabulary(rules_dir / "vocabulary.yaml")
    outcomes = load_outcomes(rules_dir / "outcomes.yaml")
    facts = profile_fact_specs(vocabulary)
    for spec in outcomes.outcomes.values():
        facts.update({f.name: f for f in spec.fact_specs()})
    seed_text = "".join(p.read_text(encoding="utf-8") for p in sorted((rules_dir / "seed").glob("*.txt")))
    folders = sorted(p for p in (rules_dir / "releases").iterdir() if (p / "release.yaml").exists())
    layers = {}
    for folder in folders:
        files = sorted(folder.rglob("*.yaml"))
        if shuffle_seed is not None:
            import random

            random.Random(shuffle_seed).shuffle(files)
        layers[folder.name] = read_layer(folder, findings, files=files)
    shared = {"vocabulary": vocabulary.raw, "outcomes": outcomes.raw}
    compiled: dict[str, CompiledRelease] = {}
    for release_id in sorted(layers):
        release = resolve(release_id, layers, shared, findings)
        if release is None:
            continue
        _check_catalogue(release, vocabulary, findings)
        if release.status == "published" and release.pinned_sha256 != release.sha256:
            findings.append(
                RuleFinding(
                    f"releases/{release_id}/release.yaml",
                    release_id,
                    "sha256",
                    f"published release changed: content hash is {release.sha256}, "
                    f"pinned {release.pinned_sha256}; publish a new release instead",
                )
            )
        compiled[release_id] = compile_release(
            release, facts=facts, outcomes=outcomes, seed_text=seed_text, findings=findings
        )
    _check_calendar([c.release for c in compiled.values()], findings)
    return Rulebook(vocabulary, outcomes, facts, compiled, namespace), findings


def _check_catalogue(release: Release, vocabulary: Vocabulary, findings: list[RuleFinding]) -> None:
    where = release.sources.get
    missing = sorted(set(vocabulary.formats) - set(release.formats))
    if missing:
        findings.append(
            RuleFinding(f"releases/{release.id}", release.id, "formats", f"no catalogue entry for {missing}")
        )
    for code, entry in sorted(release.formats.items()):
        file = where(f"formats:{code}", "")
        if code not in vocabulary.formats:
            findings.append(RuleFinding(file, code, "formats", "not in the vocabulary"))
        for flag in entry.get("flags", []):
            if flag not in FLAGS:
                findings.append(
                    RuleFinding(file, code, "flags", f"unknown flag {flag!r}; expected S, F, I or R")
                )
        for licence in entry.get("licences", []):
            if licence not in vocabulary.licences:
                findings.append(RuleFinding(file, code, "licences", f"unknown licence {licence!r}"))
        since = entry.get("recognised_since")
        if since is not None:
            try:
                date.fromisoformat(since)
            except (TypeError, ValueError):
                findings.append(RuleFinding(file, code, "recognised_since", f"{since!r} is not a date"))
    for code in sorted(release.prohibited_activities):
        if code not in vocabulary.activities:
            file = where(f"prohibited_activities:{code}", "")
            findings.append(RuleFinding(file, code, "prohibited_activities", "not in the vocabulary"))


@cache
def default_rulebook() -> Rulebook:
    """The rulebook of the bundled rules/ folder, loaded once per process."""
    return load_rulebook()
