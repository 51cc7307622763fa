"""The printable decision notice of a regulatory decision: GET /decisions/{id}/notice."""

from fastapi import APIRouter
from fastapi.responses import Response

from api.web.app import Viewer, WebError, render
from api.web.notice import notice_lines, signature_block
from api.web.pages_cases import visible_decision

router = APIRouter()


@router.get("/decisions/{decision_id}/notice")
def notice(page: Viewer, decision_id: int) -> Response:
    stored = visible_decision(page, decision_id)
    if stored.kind != "regulatory":  # a self-assessment is no regulatory decision: no notice
        raise WebError(404, f"{page.t('no_notice')}: #{decision_id}")
    decision = stored.decision
    return render(
        page,
        "notice.html",
        stored=stored,
        decision=decision,
        lines=notice_lines(decision),
        signature=signature_block(page.store, stored),
        year=stored.as_of.year,
    )
