"""Deterministic generator of valid, varied platform profiles (POLICY §3) for tests and benchmarks."""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from engine.uscc import ALPHABET, check_character
from engine.yamlfile import load_yaml
from rules import RULES_DIR

#: The last assessment date generated: the final release is open-ended, so the range stops here.
LAST_DAY = date(2026, 12, 31)

_NAME_HEADS = ("Hangzhou", "Ningbo", "Wenzhou", "Shaoxing", "Jiaxing", "Huzhou", "Jinhua", "Taizhou")
_NAME_WORDS = ("Cloud", "Link", "Harbour", "Lake", "Silk", "Tea", "Bamboo", "Star", "River", "Bridge")
_NAME_TAILS = ("Technology Co., Ltd.", "Network Co., Ltd.", "Digital Co., Ltd.", "Platform Co., Ltd.")
_ZH_NAMES = ("杭州云溪科技有限公司", "宁波港湾网络有限公司", "温州瓯江数字有限公司", "绍兴水乡平台有限公司")
_NEW_FORMATS = (
    "Drone delivery of parcels ordered through the app.",
    "Peer-to-peer rental of household tools between neighbours.",
    "A marketplace matching idle factory capacity with small orders.",
    "Virtual fitting rooms for tailors, with measurements kept on the platform.",
    "无人机配送同城包裹。",
)
_LOG_DAYS = (0, 0, 30, 90, 179, 180, 181, 365, 730)


@dataclass(frozen=True)
class Catalogue:
    """What the generator needs from rules/: codes, licence needs, parameters and notable days."""

    formats: tuple[str, ...]
    activities: tuple[str, ...]
    licences: tuple[str, ...]
    prohibited: tuple[str, ...]
    needs: dict[str, tuple[str, ...]]
    params: dict[str, int]
    first_day: date
    notable_days: tuple[date, ...]


def _yaml(path: Path) -> dict[str, Any]:
    data = load_yaml(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path} does not hold a mapping")
    return data


@cache
def catalogue(rules_dir: Path = RULES_DIR) -> Catalogue:
    """The vocabulary, the union of every release's catalogue, the parameters it needs and release days."""
    vocabulary = _yaml(rules_dir / "vocabulary.yaml")
    needs: dict[str, set[str]] = {}
    prohibited: set[str] = set()
    params: dict[str, Any] = {}
    days: set[date] = set()
    starts: list[date] = []
    for folder in sorted(p for p in (rules_dir / "releases").iterdir() if (p / "release.yaml").exists()):
        meta = _yaml(folder / "release.yaml")
        start, end = meta["in_force"]["from"], meta["in_force"].get("to")
        starts.append(start)
        days.update(d for d in (start, end) if d is not None)
        for path in sorted(folder.rglob("*.yaml")):
            data = _yaml(path)
            for code, entry in (data.get("formats") or {}).items():
                needs.setdefault(code, set()).update(entry.get("licences") or [])
                since = entry.get("recognised_since")
                if since is not None:
                    days.update((since, since - timedelta(days=1)))
            prohibited.update(data.get("prohibited_activities") or {})
            params.update({k: v["value"] for k, v in (data.get("parameters") or {}).items()})
    first = min(starts)
    wanted = (
        "grade_large_annual_active_users",
        "grade_large_market_value_cny",
        "grade_super_annual_active_users",
        "grade_super_market_value_cny",
        "grade_super_core_business_types",
        "statutory_large_registered_users",
        "statutory_large_monthly_active_users",
        "observation_months",
    )
    return Catalogue(
        formats=tuple(sorted(vocabulary["formats"])),
        activities=tuple(sorted(vocabulary["activities"])),
        licences=tuple(sorted(vocabulary["licences"])),
        prohibited=tuple(sorted(prohibited)),
        needs={code: tuple(sorted(held)) for code, held in sorted(needs.items())},
        params={name: int(params[name]) for name in wanted},
        first_day=first,
        notable_days=(*sorted(d for d in days if first <= d <= LAST_DAY), LAST_DAY),
    )


def _maybe(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def _name(rng: random.Random) -> str:
    if _maybe(rng, 0.1):
        return rng.choice(_ZH_NAMES)
    head, word, tail = rng.choice(_NAME_HEADS), rng.choice(_NAME_WORDS), rng.choice(_NAME_TAILS)
    return f"{head} {word} {rng.randrange(1, 1000)} {tail}"


def _uscc(rng: random.Random) -> str:
    body = "9133" + "".join(rng.choice("0123456789") for _ in range(4))
    body += "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + check_character(body)


def _around(rng: random.Random, threshold: int, low: int, high: int) -> int:
    """A count below, at, just around or above a threshold, within [low, high]."""
    pick = rng.random()
    if pick < 0.15:
        return max(low, threshold + rng.choice((-1, 0, 0, 1)))
    if pick < 0.55:
        return rng.randint(low, max(low, threshold - 1))
    return rng.randint(threshold, max(threshold, high))


def _scale(rng: random.Random, t: dict[str, int]) -> dict[str, Any]:
    large_users, super_users = t["grade_large_annual_active_users"], t["grade_super_annual_active_users"]
    large_value, super_value = t["grade_large_market_value_cny"], t["grade_super_market_value_cny"]
    registered, monthly = t["statutory_large_registered_users"], t["statutory_large_monthly_active_users"]
    size = rng.choices(("small", "large", "super", "statutory", "mixed"), weights=(40, 20, 12, 13, 15))[0]
    if size == "small":
        users, value = rng.randint(0, large_users - 1), rng.uniform(0, large_value * 0.99)
        reg, mau = rng.randint(0, registered - 1), rng.randint(0, monthly - 1)
    elif size == "large":
        users, value = rng.randint(large_users, super_users - 1), rng.uniform(large_value, super_value)
        reg, mau = rng.randint(registered // 4, registered * 6), rng.randint(0, monthly * 5)
    elif size == "super":
        users, value = rng.randint(super_users, super_users * 2), rng.uniform(super_value, super_value * 4)
        reg, mau = rng.randint(super_users, super_users * 3), rng.randint(monthly, monthly * 60)
    elif size == "statutory":
        users, value = rng.randint(0, large_users - 1), rng.uniform(0, large_value * 0.99)
        reg, mau = _around(rng, registered, 0, registered * 4), _around(rng, monthly, 0, monthly * 4)
    else:
        users = _around(rng, rng.choice((large_users, super_users)), 0, super_users * 2)
        value = float(_around(rng, rng.choice((large_value, super_value)), 0, super_value * 3))
        reg, mau = _around(rng, registered, 0, registered * 3), _around(rng, monthly, 0, monthly * 3)
    core = rng.choice((0, 1, 1, 1, 2, 2, 3, 5)) if size != "super" else rng.choice((1, 2, 2, 3, 4))
    if size == "super" and _maybe(rng, 0.3):
        core = t["grade_super_core_business_types"]
    scale: dict[str, Any] = {
        "annual_active_users": users,
        # Whole yuan as an int sometimes: the contract takes any number >= 0.
        "market_value_cny": int(value) if _maybe(rng, 0.3) else round(value, 2),
        "core_business_types": core,
        "registered_users": reg,
        "monthly_active_users": mau,
    }
    return _drop_some(rng, scale)


def _drop_some(rng: random.Random, group: dict[str, Any], p: float = 0.08) -> dict[str, Any]:
    """The group with a few fields left out, so their defaults are exercised too."""
    return {k: v for k, v in group.items() if not _maybe(rng, p)}


def _assessment_date(rng: random.Random, cat: Catalogue) -> date:
    if _maybe(rng, 0.08):
        return rng.choice(cat.notable_days)
    return cat.first_day + timedelta(days=rng.randint(0, (LAST_DAY - cat.first_day).days))


def _launch_date(rng: random.Random, assessed: date, observation_months: int) -> date | None:
    pick = rng.random()
    if pick < 0.2:
        return None
    if pick < 0.25:
        return assessed
    if pick < 0.32:
        # An observation period before, or a day either side: the period ends on the assessment day.
        anchor = _months_before(assessed, observation_months)
        return min(assessed, anchor + timedelta(days=rng.choice((-1, 0, 1))))
    if pick < 0.35:
        return date(2020, 2, 29)
    return assessed - timedelta(days=rng.randint(1, 365 * 7))


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    for d in range(day.day, 0, -1):
        try:
            return date(year, month + 1, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _formats(rng: random.Random, cat: Catalogue) -> list[str]:
    listed = [f for f in cat.formats if f != "unlisted"]
    count = rng.choices((1, 2, 3), weights=(50, 35, 15))[0]
    chosen = rng.sample(listed, count)
    if _maybe(rng, 0.12):
        chosen[rng.randrange(count)] = "unlisted"
    return chosen


def _activities(rng: random.Random, cat: Catalogue) -> list[str]:
    permitted = [a for a in cat.activities if a not in cat.prohibited]
    chosen = rng.sample(permitted, rng.choices((0, 1, 2, 3), weights=(30, 35, 25, 10))[0])
    if _maybe(rng, 0.1):
        chosen.append(rng.choice(cat.prohibited))
    rng.shuffle(chosen)
    return chosen


def _licences(rng: random.Random, cat: Catalogue, formats: list[str]) -> list[str]:
    needed = sorted({lic for f in formats for lic in cat.needs.get(f, ())})
    held = [lic for lic in needed if _maybe(rng, 0.88)]
    held += [lic for lic in cat.licences if lic not in needed and _maybe(rng, 0.08)]
    rng.shuffle(held)
    return held


def _credit(rng: random.Random) -> dict[str, Any]:
    credit: dict[str, Any] = {
        "class": rng.choices((None, "A", "B", "C", "D"), weights=(30, 25, 20, 15, 10))[0],
        "on_serious_dishonesty_list": _maybe(rng, 0.06),
        "on_abnormal_operations_list": _maybe(rng, 0.1),
        "violations_24m": rng.choices(range(6), weights=(50, 18, 12, 9, 6, 5))[0],
    }
    return _drop_some(rng, credit)


def random_profile(rng: random.Random) -> dict[str, Any]:
    """One valid profile drawn from rng; the same rng state always gives the same profile."""
    cat = catalogue()
    assessed = _assessment_date(rng, cat)
    formats = _formats(rng, cat)
    profile: dict[str, Any] = {"schema_version": "1", "name": _name(rng)}
    if _maybe(rng, 0.4):
        profile["uscc"] = _uscc(rng)
    profile["assessment_date"] = assessed.isoformat()
    launched = _launch_date(rng, assessed, cat.params["observation_months"])
    if launched is not None or _maybe(rng, 0.5):
        profile["launch_date"] = None if launched is None else launched.isoformat()
    profile["formats"] = formats
    if "unlisted" in formats:
        profile["new_format_description"] = rng.choice(_NEW_FORMATS)
    profile["activities"] = _activities(rng, cat)
    profile["licences"] = _licences(rng, cat, formats)
    profile["risk"] = _drop_some(
        rng,
        {
            "health_or_life_safety": _maybe(rng, 0.12),
            "handles_public_funds": _maybe(rng, 0.08),
            "minors_targeted": _maybe(rng, 0.15),
            "potential_harm": rng.choices(("low", "medium", "high"), weights=(62, 28, 10))[0],
        },
    )
    profile["scale"] = _scale(rng, cat.params)
    profile["credit"] = _credit(rng)
    profile["security"] = _drop_some(
        rng,
        {
            "mlps_level": rng.choices(range(6), weights=(20, 10, 25, 30, 10, 5))[0],
            "log_retention_days": rng.choice(_LOG_DAYS) if _maybe(rng, 0.7) else rng.randint(0, 1100),
            "real_name_verification": _maybe(rng, 0.7),
            "network_filing": _maybe(rng, 0.75),
        },
    )
    profile["participants"] = _drop_some(
        rng,
        {
            "identity_verification": _maybe(rng, 0.7),
            "two_way_rating": _maybe(rng, 0.65),
            "complaint_channel": _maybe(rng, 0.8),
            "entry_exit_rules": _maybe(rng, 0.75),
        },
    )
    for key in ("activities", "licences", "risk", "credit", "security", "participants"):
        if not profile[key] and _maybe(rng, 0.5):
            del profile[key]
    return profile


def profiles(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """n profiles from one seeded generator: the same (n, seed) always gives the same list."""
    rng = random.Random(seed)
    return [random_profile(rng) for _ in range(n)]
