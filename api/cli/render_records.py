"""Chain checks, replays and impact reports as text an auditor reads."""

from cases.store import ChainReport, ImpactReport, ReplayResult
from cases.store.impact import CaseImpact, Outcome, RuleChange


def render_chain(report: ChainReport) -> str:
    if report.intact:
        return (
            f"chain intact: {report.records} decision(s); head decision {report.head_seq}, "
            f"hash {report.head_hash}"
        )
    return (
        f"chain BROKEN at decision {report.broken_at}: {report.problem}\n"
        f"({report.records} decision(s) verified before it)"
    )


def render_replay(result: ReplayResult) -> str:
    where = f"decision {result.decision_id} ({result.case_name}; {result.release} as of {result.as_of})"
    if result.what_if:
        head = f"{where} under release {result.replayed_release}: "
        head += "no difference" if result.identical else result.message
    elif result.identical:
        head = f"{where}: identical"
    else:
        head = f"{where}: {result.status.upper().replace('_', ' ')}: {result.message}"
    return "\n".join([head, *(f"    {d.line()}" for d in result.diffs)])


def _table(title: str, matrix: dict[str, dict[str, int]], *, left: str, top: str) -> list[str]:
    values = list(matrix)
    width = max(len(v) for v in [*values, left]) + 2
    cell = max(max(len(v) for v in values), 5) + 1
    lines = [f"{title} (rows: under {left}, columns: under {top})"]
    lines.append(" " * width + "".join(v.rjust(cell) for v in values))
    for row in values:
        lines.append(row.ljust(width) + "".join(str(matrix[row][col]).rjust(cell) for col in values))
    return lines


def _outcome(o: Outcome) -> str:
    level = "no intensity" if o.intensity is None else f"{o.intensity} ({o.inspection_ratio})"
    return f"{o.tier}, {o.platform_grade}, {level}, class {o.credit_class}"


def _rule(change: RuleChange, report: ImpactReport) -> str:
    if change.change == "only_from":
        return f"{change.rule} (fires only under {report.from_release})"
    if change.change == "only_to":
        return f"{change.rule} (fires only under {report.to_release})"
    keys = sorted(set(change.from_effect or {}) | set(change.to_effect or {}))
    shown = "; ".join(
        f"{k} {(change.from_effect or {}).get(k)} -> {(change.to_effect or {}).get(k)}"
        for k in keys
        if (change.from_effect or {}).get(k) != (change.to_effect or {}).get(k)
    )
    return f"{change.rule} (effect changed: {shown})"


def _case(case: CaseImpact, report: ImpactReport) -> list[str]:
    lines = [
        f"  case {case.case_id}: {case.name} (USCC {case.uscc or 'none'}; decision {case.decision_id}, "
        f"as of {case.as_of})",
        f"    {report.from_release}: {_outcome(case.before)}",
        f"    {report.to_release}: {_outcome(case.after)}",
    ]
    if case.obligations_added:
        lines.append(f"    obligations added: {', '.join(case.obligations_added)}")
    if case.obligations_removed:
        lines.append(f"    obligations removed: {', '.join(case.obligations_removed)}")
    lines.append("    attribution: " + ("; ".join(_rule(c, report) for c in case.attribution) or "none"))
    return lines


def render_impact(report: ImpactReport) -> str:
    a, b = report.from_release, report.to_release
    when = f"as of {report.as_of}" if report.as_of else "each as of its own assessment date"
    lines = [f"Impact of release {a} -> {b} on {report.cases} case(s) (latest decision of each, {when})", ""]
    lines += [*_table("Tier", report.tier_matrix, left=a, top=b), ""]
    lines += [*_table("Platform grade", report.grade_matrix, left=a, top=b), ""]
    lines.append("Intensity changes:" + ("" if report.intensity_changes else " none"))
    lines += [f"  {change}: {n} case(s)" for change, n in report.intensity_changes.items()]
    lines.append("Obligation changes:" + ("" if report.obligation_changes else " none"))
    for rule, counts in report.obligation_changes.items():
        parts = [f"{what} for {n} case(s)" for what, n in counts.items() if n]
        lines.append(f"  {rule}: {', '.join(parts)}")
    lines.append(f"Changed cases: {len(report.changed)}")
    for case in report.changed:
        lines += _case(case, report)
    if report.failures:
        lines.append(f"Cases that could not be assessed: {len(report.failures)}")
        lines += [f"  case {f.case_id} ({f.name}) under {f.release}: {f.error}" for f in report.failures]
    return "\n".join(lines)
