"""Decisions as text a regulator or platform reads, in English or Chinese."""

from engine import Decision, default_rulebook

LABELS = {
    "en": {
        "tier": "Tier",
        "decisive": "decided by",
        "intensity": "Intensity",
        "none": "none",
        "credit": "Effective credit class",
        "grade": "Platform grade",
        "observation": "Observation period ends",
        "release": "Ruleset",
        "explicit": "chosen explicitly",
        "in_force": "in force on",
        "obligations": "Obligations",
        "reasons": "Reasons",
        "ratio": "inspection ratio",
        "measures": "measure",
    },
    "zh": {
        "tier": "监管层级",
        "decisive": "决定规则",
        "intensity": "监管强度",
        "none": "无",
        "credit": "有效信用分类",
        "grade": "平台等级",
        "observation": "观察期届满",
        "release": "规则版本",
        "explicit": "明确指定",
        "in_force": "评估日期",
        "obligations": "义务",
        "reasons": "理由",
        "ratio": "抽查比例",
        "measures": "措施",
    },
}


def _named(fact: str, value: str | None, lang: str) -> str:
    """An outcome value as a reader of the language knows it (codes stay in English)."""
    if value is None or lang == "en":
        return str(value)
    return default_rulebook().outcomes.zh_labels().get(fact, {}).get(value, value)


def render_decision(decision: Decision, *, title: str, lang: str = "en") -> str:
    """A readable page: tier first, then what to do, then why."""
    t = LABELS[lang]
    d = decision
    when = t["explicit"] if d.ruleset.selection == "explicit" else f"{t['in_force']} {d.assessment_date}"
    intensity = (
        f"{d.intensity.level} ({t['ratio']} {d.intensity.inspection_ratio})"
        if d.intensity.level
        else t["none"]
    )
    lines = [
        f"== {title} ==",
        f"{t['tier']}: {d.tier.upper() if lang == 'en' else _named('tier', d.tier, lang)}"
        f"   ({t['decisive']}: {', '.join(d.explanation.decisive)})",
        f"{t['intensity']}: {intensity}",
        f"{t['credit']}: {d.credit_class}    {t['grade']}: {_named('grade', d.platform_grade, lang)}",
    ]
    if d.observation:
        lines.append(f"{t['observation']}: {d.observation.ends_on}")
    lines.append(f"{t['release']}: {d.ruleset.release} ({when}), sha256 {d.ruleset.sha256[:12]}")
    lines.append(f"{t['obligations']}:" + ("" if d.obligations else f" {t['none']}"))
    for o in d.obligations:
        text = o.text.en if lang == "en" else o.text.zh
        lines.append(f"  - {text}  [{o.rule}; {t['measures']} {', '.join(map(str, o.measure))}]")
    lines.append(f"{t['reasons']}:")
    for f in d.explanation.fired:
        reason = f.reason.en if lang == "en" else f.reason.zh
        marker = "*" if f.rule in d.explanation.decisive else "-"
        lines.append(f"  {marker} {f.rule}: {reason}")
    return "\n".join(lines)
