"""What the routes share: query parameters (pages, as-of date, release), the documented error
responses, and a JSON response that skips FastAPI's second validation of a model just built."""

from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel

from api.http.queries import Window
from api.http.schemas import ErrorOut

MAX_PER_PAGE = 200
MAX_PAGE = 1_000_000

_DESCRIPTIONS = {
    401: "No API key, or an unknown or revoked one",
    403: "The key's role may not do this (or, for a platform key, not for this USCC)",
    404: "No such id, or one the caller may not see",
    413: "The request body is larger than 64 KiB",
    422: "Invalid input: the profile breaks the data contract (field paths and reasons as on the "
    "command line), the body is not JSON, a parameter is out of range, or a release is unknown",
    503: "The decision store does not answer",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: each error status it can give, in the one error shape."""
    return {status: {"model": ErrorOut, "description": _DESCRIPTIONS[status]} for status in statuses}


async def window(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="page number, from 1")] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE, description="items per page")] = 50,
) -> Window:
    return Window(page=page, per_page=per_page)


Paging = Annotated[Window, Depends(window)]
AsOf = Annotated[
    date | None,
    Query(description="assessment date (default: the profile's assessment_date, else today)"),
]
ReleaseParam = Annotated[
    str | None,
    Query(
        max_length=40,
        description="apply this release even outside its in-force dates (a what-if, recorded as explicit)",
    ),
]


def json_response(
    model: BaseModel, *, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """The model's JSON as the response; the route's response_model still documents it."""
    return Response(
        model.model_dump_json(), status_code=status_code, media_type="application/json", headers=headers
    )


def paged(items: list[Any], window: Window) -> list[Any]:
    """One page of a list already in memory (releases and their rules are a few dozen at most)."""
    return items[window.offset : window.offset + window.per_page]
