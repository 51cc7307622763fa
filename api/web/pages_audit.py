"""The auditor's pages (regulators and auditors; nothing here writes): the chain verification
status at /audit and the impact of a release change at /audit/impact, its tier and grade
transition matrices drawn as server-side SVG, with the rules that explain each change.

Both call the store's own functions (cases.store.verify_chain, cases.store.impact), the ones
GET /v1/audit/verify and POST /v1/impact use. The impact report, which re-evaluates every case
twice, is computed in the background (api/web/background.py) while its page refreshes itself."""

import threading
from collections import Counter
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from markupsafe import Markup

import api.web.audit_texts  # noqa: F401 - the pages' chrome texts
from api.web.app import Page, page_for, render
from api.web.background import Background
from api.web.chart import matrix_svg
from api.web.i18n import Texts
from cases.store import ChainReport, ImpactReport, count_decisions, impact, verify_chain
from engine import UnknownRelease, default_rulebook

router = APIRouter()
Auditing = Annotated[Page, Depends(page_for("regulator", "auditor"))]
SHOWN_CASES = 200  # changed cases listed on the page; the counts cover them all
WAIT_SECONDS = 2.0  # how long a request waits for a report before answering "still working"
REFRESH_SECONDS = 1
_CREATING = threading.Lock()


def reports_of(page: Page) -> Background[ImpactReport]:
    """The service's impact reports, computed in the background, made on first use."""
    state = page.request.app.state
    with _CREATING:
        if getattr(state, "web_impacts", None) is None:
            state.web_impacts = Background[ImpactReport]()
    reports: Background[ImpactReport] = state.web_impacts
    return reports


def _verify(page: Page) -> ChainReport:
    with page.store.reading() as session:
        return verify_chain(session)


@router.get("/audit")
async def audit_home(page: Auditing) -> Response:
    report = await run_in_threadpool(_verify, page)
    return render(page, "audit.html", report=report, releases=_release_ids())


def _release_ids() -> list[str]:
    return [r.id for r in default_rulebook().releases]


def chart_of(t: Texts, report: ImpactReport, *, fact: str) -> Markup:
    """The tier (fact="tier") or grade (fact="grade") transition matrix as inline SVG."""
    matrix = report.tier_matrix if fact == "tier" else report.grade_matrix
    moved = sum(n for a, row in matrix.items() for b, n in row.items() if a != b)
    labels = {value: t.outcome(fact, value) for value in matrix}
    svg = matrix_svg(
        matrix,
        chart_id=f"chart-{fact}",
        title=t(f"chart_{fact}").format(a=report.from_release, b=report.to_release),
        desc=t("chart_desc").format(
            cases=report.cases, moved=moved, a=report.from_release, b=report.to_release
        )
        + " "
        + "; ".join(
            f"{labels[a]} → {labels[b]}: {n}" for a, row in matrix.items() for b, n in row.items() if n
        ),
        rows_label=t("chart_rows").format(a=report.from_release),
        columns_label=t("chart_columns").format(b=report.to_release),
        labels=labels,
        legend=(t("legend_same"), t("legend_moved")),
    )
    return Markup(svg)


def rule_counts(report: ImpactReport) -> list[tuple[str, str, int]]:
    """(rule, change, cases) over every changed case, most cases first."""
    counts = Counter((r.rule, r.change) for case in report.changed for r in case.attribution)
    return sorted(
        ((rule, change, n) for (rule, change), n in counts.items()), key=lambda x: (-x[2], x[0], x[1])
    )


@router.get("/audit/impact")
def impact_page(
    page: Auditing, from_release: str | None = None, to_release: str | None = None, as_of: str | None = None
) -> Response:
    """Without both releases: the form. With them: the report (or the form with its errors).

    The report is computed in the background (cases.store.impact over every case); while it
    is not ready the page says so and refreshes itself."""
    releases = _release_ids()
    chosen = {
        "from_release": from_release or (releases[-2] if len(releases) > 1 else releases[0]),
        "to_release": to_release or releases[-1],
        "as_of": as_of or "",
    }
    context: dict[str, Any] = {
        "releases": releases,
        "chosen": chosen,
        "errors": {},
        "report": None,
        "task": None,
    }
    if from_release is None or to_release is None:
        return render(page, "audit_impact.html", **context)
    errors: dict[str, str] = {}
    book = default_rulebook()
    for name in ("from_release", "to_release"):
        try:
            book.get(chosen[name])
        except UnknownRelease as exc:
            errors[name] = f"{name}: {exc}"
    day = None
    if as_of:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            errors["as_of"] = f"as_of: {page.t('bad_date')}"
    if errors:
        return render(page, "audit_impact.html", status=422, **{**context, "errors": errors})
    old, new = chosen["from_release"], chosen["to_release"]
    key = (old, new, day, count_decisions(page.store))
    task = reports_of(page).run(
        key, lambda: impact(page.store, from_release=old, to_release=new, as_of=day), wait=WAIT_SECONDS
    )
    report = task.result
    if report is None:  # still working (the page refreshes itself), or failed
        response = render(
            page, "audit_impact.html", status=500 if task.error else 200, **{**context, "task": task}
        )
        if task.running:
            response.headers["Refresh"] = str(REFRESH_SECONDS)
        return response
    return render(
        page,
        "audit_impact.html",
        **{**context, "report": report, "task": task},
        tier_chart=chart_of(page.t, report, fact="tier"),
        grade_chart=chart_of(page.t, report, fact="grade"),
        rules=rule_counts(report),
        shown=report.changed[:SHOWN_CASES],
    )
