"""Loading rule files: every problem is refused with file, rule, field and reason."""

import shutil
from pathlib import Path

import pytest

from engine import RuleFileError, load_rulebook
from rules import RULES_DIR

M22 = "releases/2020.07/measures/m22.yaml"
M23 = "releases/2020.07/measures/m23.yaml"


def broken_copy(tmp_path: Path, relative: str, old: str, new: str) -> Path:
    """A copy of rules/ with one text replaced in one file."""
    copy = tmp_path / "rules"
    shutil.copytree(RULES_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    path = copy / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy


def findings(rules_dir: Path) -> list[str]:
    with pytest.raises(RuleFileError) as caught:
        load_rulebook(rules_dir, namespace="-broken")
    return [str(f) for f in caught.value.findings]


def test_an_unknown_fact_name_is_refused_with_the_nearest_valid_name(tmp_path: Path) -> None:
    rules = broken_copy(tmp_path, M22, "fact: risk.potential_harm", "fact: risk.potential_harms")
    found = findings(rules)
    assert any(
        "m22.yaml:M22-STRICT-HARM:when.fact" in f and "did you mean 'risk.potential_harm'" in f for f in found
    ), found


def test_a_comparison_that_does_not_fit_the_fact_type_is_refused(tmp_path: Path) -> None:
    rules = broken_copy(tmp_path, M22, "eq: high", "eq: extreme")
    assert any("'extreme' does not fit risk.potential_harm" in f for f in findings(rules))


def test_ordering_a_boolean_is_refused(tmp_path: Path) -> None:
    rules = broken_copy(tmp_path, "releases/2020.07/measures/m21.yaml", "eq: false", "lt: false")
    assert any("only eq, ne, in, not_in apply" in f for f in findings(rules))


def test_an_unknown_parameter_is_refused(tmp_path: Path) -> None:
    rules = broken_copy(
        tmp_path,
        "releases/2020.07/measures/m26.yaml",
        "lt: {param: log_retention_min_days}",
        "lt: {param: log_retention_days_min}",
    )
    assert any("unknown parameter 'log_retention_days_min'" in f for f in findings(rules))


def test_a_placeholder_the_rule_cannot_fill_is_refused(tmp_path: Path) -> None:
    rules = broken_copy(tmp_path, M22, "Prohibited activity declared: {activity}", "Prohibited: {activty}")
    assert any("M22-BAN-ACTIVITY:reason.en" in f and "{activty}" in f for f in findings(rules))


def test_a_seed_citation_that_is_not_verbatim_is_refused(tmp_path: Path) -> None:
    rules = broken_copy(tmp_path, M22, "text: 可能造成严重不良后果", "text: 可能造成严重后果")
    assert any("M22-STRICT-HARM:cite.0.text" in f and "not found verbatim" in f for f in findings(rules))


def test_a_rule_without_zh_text_is_refused(tmp_path: Path) -> None:
    rules = broken_copy(tmp_path, M22, '      zh: "包容审慎监管是所有平台的基线。"\n', "")
    assert any("M22-STANDARD:reason" in f and "en and zh" in f for f in findings(rules))


def test_an_effect_on_an_unknown_outcome_is_refused(tmp_path: Path) -> None:
    rules = broken_copy(tmp_path, M23, "set: {credit_class: D}", "set: {credit_rating: D}")
    assert any("M23-CREDIT-DISHONEST:then.set.credit_rating" in f for f in findings(rules))


def test_an_unknown_tier_is_refused(tmp_path: Path) -> None:
    rules = broken_copy(
        tmp_path,
        M22,
        'tier: strict\n    reason:\n      en: "The assessed',
        'tier: severe\n    reason:\n      en: "The assessed',
    )
    assert any("unknown tier 'severe'" in f for f in findings(rules))


def test_rules_that_read_each_others_outcomes_in_a_cycle_are_refused(tmp_path: Path) -> None:
    rules = broken_copy(
        tmp_path,
        M23,
        "    when:\n      fact: credit.on_serious_dishonesty_list\n      eq: true\n",
        "    when:\n      fact: intensity.level\n      eq: key\n",
    )
    assert any("depend on each other's outcomes" in f for f in findings(rules))


def test_a_changed_published_release_is_refused_until_republished(tmp_path: Path) -> None:
    rules = broken_copy(tmp_path, "releases/2020.07/parameters.yaml", "value: 24", "value: 18")
    found = findings(rules)
    assert any("2020.07:sha256" in f and "published release changed" in f for f in found)
    assert any("2022.01:sha256" in f for f in found), "releases extending it change too"


def test_overlapping_release_dates_are_refused(tmp_path: Path) -> None:
    rules = broken_copy(tmp_path, "releases/2022.01/release.yaml", "from: 2022-01-14", "from: 2022-01-10")
    assert any("2022.01:in_force" in f and "overlaps 2020.07" in f for f in findings(rules))


def test_a_gap_between_releases_is_refused(tmp_path: Path) -> None:
    rules = broken_copy(tmp_path, "releases/2022.01/release.yaml", "from: 2022-01-14", "from: 2022-01-20")
    assert any("leaves a gap after 2020.07" in f for f in findings(rules))


def test_an_unknown_format_flag_in_the_catalogue_is_refused(tmp_path: Path) -> None:
    rules = broken_copy(
        tmp_path,
        "releases/2020.07/catalogue.yaml",
        "flags: [S, I, R], licences: [ride",
        "flags: [S, X, R], licences: [ride",
    )
    assert any("ride_hailing:flags" in f and "unknown flag 'X'" in f for f in findings(rules))


def test_a_prohibited_activity_outside_the_vocabulary_is_refused(tmp_path: Path) -> None:
    rules = broken_copy(
        tmp_path, "releases/2020.07/catalogue.yaml", "  online_gambling:", "  online_gamblin:"
    )
    assert any(
        "online_gamblin:prohibited_activities" in f and "not in the vocabulary" in f for f in findings(rules)
    )


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    rules = broken_copy(tmp_path, M22, "rules:\n", "rules: [\n")
    assert any("m22.yaml" in f and "not valid YAML" in f for f in findings(rules))


def test_closing_a_release_when_a_successor_arrives_keeps_its_hash(tmp_path: Path) -> None:
    rules = broken_copy(tmp_path, "releases/2026.01/release.yaml", "to: null", "to: 2027-06-30")
    book = load_rulebook(rules, namespace="-closed")
    assert book.get("2026.01").release.sha256 == load_rulebook().get("2026.01").release.sha256
    assert book.get("2026.01").release.in_force_to is not None
