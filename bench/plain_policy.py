"""The same policy as a plain Python function, written only for the benchmark (never used by the
product). It decides tier, intensity, credit class, grade, observation end, fired and decisive
rules and obligations from POLICY §5-§11, but renders no reason texts, so comparing the engine
with it is conservative. Run as a script: one profile per JSON line in, one decision line out."""

import calendar
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import yaml

RELEASES_DIR = Path(__file__).resolve().parent.parent / "rules" / "releases"
ORDER = ["standard", "observation", "strict", "prohibited"]
M2020 = {
    "standard": {"A": ("reduced", 0.03), "B": ("normal", 0.05), "C": ("increased", 0.10)},
    "observation": {"A": ("reduced", 0.03), "B": ("reduced", 0.03), "C": ("increased", 0.10)},
    "strict": {"A": ("increased", 0.10), "B": ("increased", 0.10), "C": ("key", 0.20), "D": ("key", 0.20)},
}
M2022 = {
    "standard": {"A": ("reduced", 0.02), "B": ("normal", 0.05), "C": ("increased", 0.15)},
    "observation": {"A": ("reduced", 0.02), "B": ("reduced", 0.02), "C": ("increased", 0.15)},
    "strict": {"A": ("increased", 0.15), "B": ("increased", 0.15), "C": ("key", 0.30), "D": ("key", 0.30)},
}
OBLIGATIONS = {
    "M21-COMPLAINTS",
    "M21-ENTRY-EXIT",
    "M22-BAN-UNLICENSED",
    "M22-REVIEW-DUE",
    "M25-IDENTITY",
    "M25-TWO-WAY",
    "M26-LOGS",
    "M26-MLPS",
    "M26-REAL-NAME",
    "M26-FILING",
    "M26-PI-REPORT",
}


def _catalogues() -> dict[str, tuple[dict[str, Any], set[str]]]:
    out = {}
    formats: dict[str, Any] = {}
    prohibited: set[str] = set()
    for release in ("2020.07", "2022.01", "2026.01"):
        data = yaml.safe_load((RELEASES_DIR / release / "catalogue.yaml").read_text(encoding="utf-8"))
        formats = {**formats, **data.get("formats", {})}
        prohibited = prohibited | set(data.get("prohibited_activities", {}))
        out[release] = (formats, prohibited)
    return out


CATALOGUES = _catalogues()


def _release(day: date) -> str:
    if date(2020, 7, 3) <= day <= date(2022, 1, 13):
        return "2020.07"
    if day <= date(2025, 12, 31):
        return "2022.01"
    return "2026.01"


def _add_months(start: date, months: int) -> date:
    year, month0 = divmod(start.year * 12 + start.month - 1 + months, 12)
    return date(year, month0 + 1, min(start.day, calendar.monthrange(year, month0 + 1)[1]))


def decide(p: dict[str, Any]) -> dict[str, Any]:
    day = date.fromisoformat(p["assessment_date"])
    release = _release(day)
    formats, prohibited = CATALOGUES[release]
    fm, licences = p["formats"], set(p.get("licences", []))
    risk, scale, credit = p.get("risk", {}), p.get("scale", {}), p.get("credit", {})
    security, participants = p.get("security", {}), p.get("participants", {})

    def flagged(flag: str) -> bool:
        return any(flag in formats[f]["flags"] for f in fm)

    fired: dict[str, str | None] = {"M22-STANDARD": "standard", "M23-GRADE": None}
    if any(a in prohibited for a in p.get("activities", [])):
        fired["M22-BAN-ACTIVITY"] = "prohibited"
    if any(lic not in licences for f in fm for lic in formats[f]["licences"]):
        fired["M22-BAN-UNLICENSED"] = "prohibited"
    if flagged("S") or risk.get("health_or_life_safety"):
        fired["M22-STRICT-SAFETY"] = "strict"
    if flagged("F") or risk.get("handles_public_funds"):
        fired["M22-STRICT-FUNDS"] = "strict"
    if risk.get("potential_harm") == "high":
        fired["M22-STRICT-HARM"] = "strict"
    ends = None
    if any(formats[f]["recognised_since"] is None or formats[f]["recognised_since"] > day for f in fm):
        fired["M22-OBSERVE-NEW"] = "observation"
        ends = _add_months(date.fromisoformat(p["launch_date"]) if p.get("launch_date") else day, 24)
    cls = credit.get("class") or "B"
    if credit.get("class") is None:
        fired["M23-CREDIT-UNRATED"] = None
    if credit.get("on_abnormal_operations_list") or credit.get("violations_24m", 0) >= 3:
        fired["M23-CREDIT-ABNORMAL"], cls = None, max(cls, "C")
    if credit.get("on_serious_dishonesty_list"):
        fired["M23-CREDIT-DISHONEST"], cls = None, "D"
    tier = max((t for t in fired.values() if t), key=ORDER.index)
    if cls == "D" and tier in ("standard", "observation"):
        fired["M23-ESCALATE-D"], tier = "strict", "strict"
    aau, mv = scale.get("annual_active_users", 0), scale.get("market_value_cny", 0)
    statutory = release == "2026.01" and (
        scale.get("registered_users", 0) >= 50_000_000 or scale.get("monthly_active_users", 0) >= 10_000_000
    )
    if aau >= 500_000_000 and mv >= 1e12 and scale.get("core_business_types", 1) >= 2:
        grade = "super"
    elif (aau >= 50_000_000 and mv >= 1e11) or statutory:
        grade = "large"
    else:
        grade = "small_medium"
    level = ratio = None
    if tier != "prohibited":
        fired["M23-INTENSITY"] = None
        level, ratio = (M2020 if release == "2020.07" else M2022)[tier][cls]
        if grade != "small_medium" and level == "reduced":
            fired["M23-LARGE-FLOOR"], level, ratio = None, "normal", 0.05
    if tier == "observation" and ends is not None and ends <= day:
        fired["M22-REVIEW-DUE"] = None
    for key, rule in (("complaint_channel", "M21-COMPLAINTS"), ("entry_exit_rules", "M21-ENTRY-EXIT")):
        if not participants.get(key):
            fired[rule] = None
    if flagged("I"):
        for key, rule in (("identity_verification", "M25-IDENTITY"), ("two_way_rating", "M25-TWO-WAY")):
            if not participants.get(key):
                fired[rule] = None
    if security.get("log_retention_days", 0) < 180:
        fired["M26-LOGS"] = None
    if security.get("mlps_level", 0) < (3 if grade != "small_medium" or tier == "strict" else 2):
        fired["M26-MLPS"] = None
    if flagged("R") and not security.get("real_name_verification"):
        fired["M26-REAL-NAME"] = None
    if not security.get("network_filing"):
        fired["M26-FILING"] = None
    if statutory:
        fired["M26-PI-REPORT"] = None
    return {
        "release": release,
        "tier": tier,
        "credit_class": cls,
        "platform_grade": grade,
        "intensity": {"level": level, "inspection_ratio": ratio},
        "observation": {"ends_on": ends.isoformat()} if tier == "observation" and ends else None,
        "fired": sorted(fired),
        "decisive": sorted(r for r, t in fired.items() if t == tier),
        "obligations": sorted(r for r in fired if r in OBLIGATIONS),
    }


def main(source: str) -> None:
    with open(source, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                print(json.dumps(decide(json.loads(line)), sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1])
