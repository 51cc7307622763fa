"""Same profile, release and date: byte-identical decisions, whatever the order of
profile fields, code lists, rule files or rules within a file."""

import random
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from cases.synthetic import profiles
from engine import decision, default_rulebook, evaluate, load_rulebook
from rules import RULES_DIR
from tests.conftest import make_profile

PROFILES = [
    make_profile(
        formats=["ride_hailing", "food_delivery", "unlisted"],
        new_format_description="autonomous delivery robots",
        activities=["advertising", "p2p_lending", "data_services"],
        licences=["food_business_licence", "icp_licence"],
        credit={"violations_24m": 4},
        assessment_date="2021-06-30",
        launch_date="2021-01-31",
    ),
    make_profile(
        formats=["online_pharmacy", "internet_hospital", "home_nursing"],
        licences=["drug_trading_licence", "medical_institution_licence"],
        scale={"registered_users": 60_000_000, "monthly_active_users": 11_000_000},
        credit={"class": "A"},
        assessment_date="2026-01-01",
    ),
    make_profile(
        formats=["social_ecommerce", "livestream_ecommerce"],
        licences=["edi_licence"],
        credit={"on_serious_dishonesty_list": True},
        assessment_date="2022-01-13",
    ),
]


def shuffled(value: Any, rng: random.Random) -> Any:
    """The same data with every mapping's keys and every code list in another order."""
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        copy = [shuffled(v, rng) for v in value]
        rng.shuffle(copy)
        return copy
    return value


def shuffled_rules_dir(target: Path, seed: int) -> Path:
    """A copy of rules/ with the rules inside every file in another order."""
    rng = random.Random(seed)
    copy = target / "rules"
    shutil.copytree(RULES_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    for path in copy.rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("rules"), list):
            rng.shuffle(data["rules"])
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return copy


@pytest.mark.parametrize("index", range(len(PROFILES)))
def test_shuffling_profile_fields_and_code_lists_changes_no_byte(index: int) -> None:
    reference = evaluate(PROFILES[index]).to_json()
    for seed in range(5):
        assert evaluate(shuffled(PROFILES[index], random.Random(seed))).to_json() == reference


def test_shuffling_rule_files_and_rules_within_them_changes_no_byte(tmp_path: Path) -> None:
    reference = [evaluate(p).to_json() for p in PROFILES]
    for seed in (1, 2):
        book = load_rulebook(
            shuffled_rules_dir(tmp_path / str(seed), seed), namespace=f"-shuffle{seed}", shuffle_seed=seed
        )
        assert [evaluate(p, rulebook=book).to_json() for p in PROFILES] == reference


def test_evaluating_twice_gives_identical_bytes() -> None:
    for profile in PROFILES:
        assert evaluate(profile).to_json() == evaluate(profile).to_json()


def test_decision_json_has_sorted_keys_and_sorted_rule_lists() -> None:
    decision = evaluate(PROFILES[0])
    fired = [f.rule for f in decision.explanation.fired]
    assert fired == sorted(fired)
    assert [o.rule for o in decision.obligations] == sorted(o.rule for o in decision.obligations)
    assert decision.explanation.decisive == sorted(decision.explanation.decisive)
    text = decision.to_json()
    assert text.startswith('{"assessment_date":') and ", " not in text.split('"explanation"')[0]


def test_rendered_texts_do_not_depend_on_what_was_assessed_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reason texts are kept between assessments for speed; a cold, a warm and a constantly
    emptied store of texts give the same bytes."""
    sample = profiles(60, seed=5)
    kept = default_rulebook().labels.rendered
    kept.clear()
    cold = [evaluate(p).to_json() for p in sample]
    warm = [evaluate(p).to_json() for p in reversed(sample)][::-1]
    monkeypatch.setattr(decision, "_TEXT_CACHE_SIZE", 1)
    kept.clear()
    churned = [evaluate(p).to_json() for p in sample]
    assert cold == warm == churned
    assert len(kept) <= 1


def test_kept_texts_tell_apart_values_python_counts_as_equal() -> None:
    """1, 1.0 and True are one dict key to Python, but a reason shows them as 1, 1 and yes."""
    keys = {decision._hashable(v) for v in (1, 1.0, True, [1], [True], None, "1")}
    assert len(keys) == 7
