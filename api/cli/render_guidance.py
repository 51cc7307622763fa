"""Guidance as text a platform reads: why not lighter, and what it could change."""

from engine.guidance import Guidance

WORDS = {
    "en": {
        "why": "Why not a lighter tier:",
        "blocked": "held by",
        "unreachable": "cannot be reached by changes within the platform's control",
        "reachable": "reachable (see below)",
        "changes": "What the platform could change (each set checked on the engine):",
        "goal_tier": "to reach tier {x}",
        "goal_drop": "to drop obligation {x}",
        "then": "then",
        "none": "nothing within the platform's control changes the tier or an obligation",
        "partial": "(search stopped at its limits: {n} evaluations; there may be more)",
    },
    "zh": {
        "why": "为何不能适用较轻层级:",
        "blocked": "受以下规则约束",
        "unreachable": "无法通过平台可控的改变达到",
        "reachable": "可以达到(见下)",
        "changes": "平台可以采取的改变(均已由引擎验证):",
        "goal_tier": "达到{x}层级",
        "goal_drop": "免除义务{x}",
        "then": "结果",
        "none": "平台可控范围内的改变均不影响层级或义务",
        "partial": "(搜索已达上限:{n}次评估;可能还有其他方案)",
    },
}


def render_guidance(guidance: Guidance, *, lang: str = "en") -> str:
    w = WORDS[lang]
    lines = [w["why"]]
    for item in guidance.why_not:
        verdict = w["reachable"] if item.platform_can_reach else w["unreachable"]
        lines.append(f"  {item.tier}: {verdict}")
        for blocker in item.blocked_by:
            lines.append(f"    {w['blocked']} {blocker.rule} ({blocker.sets_tier})")
            for fact in blocker.facts:
                how = fact.how.en if lang == "en" else fact.how.zh
                mark = "+" if fact.controllable else "x"
                lines.append(f"      {mark} {fact.fact} = {fact.value}: {how}")
    lines.append(w["changes"] if guidance.counterfactuals else w["none"])
    for c in guidance.counterfactuals:
        kind, _, target = c.goal.partition(" ")
        goal = w["goal_tier" if kind == "tier" else "goal_drop"].format(x=target)
        actions = "; ".join(ch.action.en if lang == "en" else ch.action.zh for ch in c.changes)
        level = f", {c.result.intensity_level}" if c.result.intensity_level else ""
        lines.append(f"  - {goal}: {actions}  [{w['then']}: {c.result.tier}{level}]")
    if not guidance.search.complete:
        lines.append(w["partial"].format(n=guidance.search.evaluated))
    return "\n".join(lines)
