"""The rules as published: GET /v1/releases, GET /v1/releases/{id}/rules (with their seed and law
citations), and GET /v1/health (no key needed)."""

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.http.auth import AnyRole, StoreDep
from api.http.errors import not_found
from api.http.params import Paging, errors, json_response, paged
from api.http.schemas import Bilingual, Citation, HealthOut, ReleaseOut, ReleasePage, RuleOut, RulePage
from engine import UnknownRelease, __version__, default_rulebook
from engine.compiler import CompiledRelease, RuleSpec

router = APIRouter()


def _release_out(compiled: CompiledRelease) -> ReleaseOut:
    r = compiled.release
    return ReleaseOut(
        id=r.id,
        title=Bilingual(en=r.title.get("en", ""), zh=r.title.get("zh", "")),
        in_force_from=r.in_force_from,
        in_force_to=r.in_force_to,
        status=r.status,
        sha256=r.sha256,
        rules=len(compiled.rules),
    )


def _citation(cite: dict[str, object]) -> Citation:
    if "law" in cite:
        return Citation(law=Bilingual.model_validate(cite["law"]))
    return Citation.model_validate({"seed": cite.get("seed"), "text": cite.get("text")})


def _rule_out(rule: RuleSpec) -> RuleOut:
    return RuleOut(
        id=rule.id,
        measures=list(rule.measures),
        phase=rule.phase,
        file=rule.file,
        citations=[_citation(c) for c in rule.cite],
        reason=Bilingual.model_validate(rule.reason),
        obligation=None if rule.obligation is None else Bilingual.model_validate(rule.obligation),
    )


@router.get(
    "/releases",
    response_model=ReleasePage,
    tags=["rules"],
    summary="The ruleset releases, in date order, with their content hashes",
    responses=errors(401, 422),
)
def get_releases(caller: AnyRole, paging: Paging) -> Response:
    book = default_rulebook()
    releases = [_release_out(book.get(r.id)) for r in book.releases]
    page = ReleasePage(
        items=paged(releases, paging), page=paging.page, per_page=paging.per_page, total=len(releases)
    )
    return json_response(page)


@router.get(
    "/releases/{release_id}/rules",
    response_model=RulePage,
    tags=["rules"],
    summary="The resolved rules of a release with their citations (seed clause, law article)",
    responses=errors(401, 404, 422),
)
def get_release_rules(release_id: str, caller: AnyRole, paging: Paging) -> Response:
    try:
        compiled = default_rulebook().get(release_id)
    except UnknownRelease as exc:
        raise not_found(str(exc)) from None
    rules = [_rule_out(rule) for rule in compiled.rules.values()]
    page = RulePage(
        release=_release_out(compiled),
        items=paged(rules, paging),
        page=paging.page,
        per_page=paging.per_page,
        total=len(rules),
    )
    return json_response(page)


@router.get(
    "/health",
    response_model=HealthOut,
    tags=["service"],
    summary="Whether the service and its store answer (no key needed)",
    responses={503: {"model": HealthOut, "description": "The decision store does not answer"}},
)
async def get_health(store: StoreDep) -> Response:
    def store_answers() -> bool:
        try:
            with store.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    ok = await run_in_threadpool(store_answers)
    out = HealthOut(
        status="ok" if ok else "unavailable",
        version=__version__,
        store=store.backend,
        releases=[r.id for r in default_rulebook().releases],
    )
    return json_response(out, status_code=200 if ok else 503)
