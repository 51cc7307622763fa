"""POST /v1/assessments (regulators record regulatory decisions) and POST /v1/self-assessments
(platforms assess themselves; recorded as kind `self_assessment`, optionally with guidance)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.http.assessing import assess_and_record, get_appender, profile_document
from api.http.auth import Regulator, SelfAssessor
from api.http.openapi import profile_body
from api.http.params import AsOf, ReleaseParam, errors, json_response
from api.http.schemas import AssessmentOut, SelfAssessmentOut
from cases.store.group import GroupCommit

router = APIRouter(tags=["assessments"])
Document = Annotated[Any, Depends(profile_document)]
Appender = Annotated[GroupCommit, Depends(get_appender)]


@router.post(
    "/assessments",
    status_code=201,
    response_model=AssessmentOut,
    summary="Assess a profile and record a regulatory decision (regulator)",
    responses=errors(401, 403, 413, 422, 503),
    openapi_extra=profile_body("The platform profile to assess (POLICY §3)."),
)
async def post_assessment(
    caller: Regulator,
    appender: Appender,
    document: Document,
    as_of: AsOf = None,
    release: ReleaseParam = None,
) -> Response:
    """Evaluate the profile on the release in force on its assessment date (or `as_of`, or the
    `release` named) and append the decision to the store's hash chain as kind `regulatory`."""
    out = await assess_and_record(
        appender, document, caller=caller, kind="regulatory", as_of=as_of, release=release
    )
    return json_response(out, status_code=201, headers={"Location": f"/v1/decisions/{out.decision_id}"})


@router.post(
    "/self-assessments",
    status_code=201,
    response_model=SelfAssessmentOut,
    summary="Self-assess a profile; recorded only as a self-assessment (platform, regulator)",
    responses=errors(401, 403, 413, 422, 503),
    openapi_extra=profile_body(
        "The platform's own profile (POLICY §3); a platform key accepts only profiles of its own USCC."
    ),
)
async def post_self_assessment(
    caller: SelfAssessor,
    appender: Appender,
    document: Document,
    as_of: AsOf = None,
    release: ReleaseParam = None,
    guide: Annotated[
        bool,
        Query(description="also return guidance: why not a lighter tier, and the changes that reach one"),
    ] = False,
) -> Response:
    """Evaluate the profile and record it as kind `self_assessment` (never as a regulatory decision).
    With `guide=true` the answer also carries `guidance` (not recorded)."""
    out = await assess_and_record(
        appender,
        document,
        caller=caller,
        kind="self_assessment",
        as_of=as_of,
        release=release,
        with_guidance=guide,
    )
    return json_response(out, status_code=201, headers={"Location": f"/v1/decisions/{out.decision_id}"})
