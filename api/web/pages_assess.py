"""The self-assessment form (platforms and regulators) and its result page.

The posted profile goes through the API's own path (api/http/assessing.assess_and_record):
the same validation as `sandbox assess`, recorded as a self-assessment; the browser is then sent
to the result page (post/redirect/get), which shows the stored decision with its guidance.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from api.http.assessing import assess_and_record
from api.http.errors import ApiError
from api.web.app import Page, page_for, post_for, render
from api.web.form_profile import document_from_form, errors_by_field, profile_groups, values_of
from api.web.pages_cases import visible_decision
from cases.store import Kind
from engine import FieldError, ProfileError, SandboxError, UnknownRelease
from engine.documents import InputError, parse_document
from engine.guidance import guide

router = APIRouter()
Assessor = Annotated[Page, Depends(page_for("regulator", "platform"))]
AssessPoster = Annotated[Page, Depends(post_for("regulator", "platform"))]
MAX_DOCUMENT = 256 * 1024


def _form_page(
    page: Page,
    *,
    status: int = 200,
    values: dict[str, Any] | None = None,
    errors: list[FieldError] | None = None,
    document_errors: list[str] | None = None,
    pasted: str = "",
) -> Response:
    placed, loose = errors_by_field(errors or [])
    shown = values if values is not None else {}
    if values is None and page.caller is not None and page.caller.uscc:
        shown["uscc"] = page.caller.uscc  # a platform assesses itself
    return render(
        page,
        "assess_form.html",
        status=status,
        groups=profile_groups(),
        values=shown,
        errors=placed,
        document_errors=[*(document_errors or []), *loose],
        pasted=pasted,
    )


@router.get("/assess")
async def assess_form(page: Assessor) -> Response:
    return _form_page(page)


async def _document(form: FormData) -> tuple[Any, str, bool]:
    """(document, pasted text, from a document): the pasted or uploaded document, else the form's."""
    pasted = str(form.get("document") or "")
    upload = form.get("upload")
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read(MAX_DOCUMENT + 1)
        if len(raw) > MAX_DOCUMENT:
            raise InputError(f"the file is larger than {MAX_DOCUMENT // 1024} KiB")
        try:
            pasted = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("the file is not UTF-8 text") from None
    if pasted.strip():
        return parse_document(pasted, yaml_ok=True), pasted, True
    return document_from_form(form), "", False


def _as_field_errors(exc: Exception) -> list[FieldError]:
    if isinstance(exc, ProfileError):
        return exc.errors
    if isinstance(exc, UnknownRelease):
        return [FieldError("assessment_date", str(exc))]
    if isinstance(exc, ApiError) and exc.status == 403:  # a platform key and another USCC
        return [FieldError("uscc", exc.message)]
    if isinstance(exc, ApiError):
        return exc.fields or [FieldError("", exc.message)]
    return [FieldError("", f"{getattr(exc, 'code', 'error')}: {exc}")]


@router.post("/assess")
async def post_assess(request: Request, page: AssessPoster) -> Response:
    assert page.form is not None and page.caller is not None
    try:
        document, pasted, from_document = await _document(page.form)
    except InputError as exc:
        return _form_page(
            page, status=422, document_errors=[str(exc)], pasted=str(page.form.get("document") or "")
        )
    kind: Kind = "self_assessment"
    if page.caller.role == "regulator" and page.form.get("kind") == "regulatory":
        kind = "regulatory"  # a regulator may record its own classification (POST /v1/assessments)
    try:
        out = await assess_and_record(
            request.app.state.appender,
            document,
            caller=page.caller,
            kind=kind,
            as_of=None,
            release=None,
            with_guidance=False,  # the result page works it out (GET /assess/result/{id})
        )
    except (SandboxError, ApiError) as exc:
        errors = _as_field_errors(exc)
        if from_document:
            return _form_page(page, status=422, document_errors=[str(e) for e in errors], pasted=pasted)
        return _form_page(page, status=422, values=values_of(document), errors=errors)
    # Post/redirect/get: a reload of the result page shows it again and records nothing more.
    return RedirectResponse(f"/assess/result/{out.decision_id}", status_code=303)


@router.get("/assess/result/{decision_id}")
def assess_result(page: Assessor, decision_id: int) -> Response:
    """The result of a recorded assessment: the stored decision, and for a self-assessment the
    guidance, worked out again from the stored input under the release it was decided by."""
    stored = visible_decision(page, decision_id)
    guidance = None
    if stored.kind == "self_assessment":
        guidance = guide(stored.profile, as_of=stored.as_of, release=stored.release)
    return render(
        page,
        "assess_result.html",
        decision=stored.decision,
        guidance=guidance.model_dump(mode="json") if guidance is not None else None,
        decision_id=stored.id,
        case_id=stored.case_id,
        record_hash=stored.hash,
        kind=stored.kind,
        name=stored.case_name,
    )
