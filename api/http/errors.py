"""Errors as HTTP responses: one JSON shape, `{"error": {"code", "message", "fields"}}`, and the
status each error of the engine, the store and the request maps to.

Invalid profiles give 422 with exactly the FieldError messages the command line prints.
Unknown ids give 404, oversized bodies 413 (api/limits.py), a store that does not answer 503.
"""

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy.exc import DataError, SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.http.schemas import ErrorDetail, ErrorField, ErrorOut
from cases.store import InvalidRecord, StoreUnavailable, UnknownDecision
from engine import FieldError, ProfileError, UnknownRelease

_STATUS_CODES = {
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
}


class ApiError(Exception):
    """An error the service answers with a status, a stable code and a message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: Sequence[FieldError] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields, self.headers = list(fields), headers


def not_found(message: str) -> ApiError:
    return ApiError(404, "not_found", message)


def error_body(code: str, message: str, fields: Sequence[FieldError] = ()) -> bytes:
    shown = [ErrorField(path=f.path, reason=f.reason, message=str(f)) for f in fields]
    out = ErrorOut(error=ErrorDetail(code=code, message=message, fields=shown))
    return out.model_dump_json().encode()


def error_response(
    status: int,
    code: str,
    message: str,
    fields: Sequence[FieldError] = (),
    headers: dict[str, str] | None = None,
) -> Response:
    body = error_body(code, message, fields)
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def _location(loc: Sequence[int | str]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts)


def _request_fields(errors: Sequence[Any]) -> list[FieldError]:
    return [FieldError(_location(e.get("loc", ())), str(e.get("msg", "invalid"))) for e in errors]


def _store_failure(exc: SQLAlchemyError) -> str:
    first = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return first[0] if first else type(exc).__name__


def install_error_handlers(app: FastAPI) -> None:
    """Map every error a request can raise on purpose to its status and the one error shape."""

    async def api_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return error_response(exc.status, exc.code, exc.message, exc.fields, exc.headers)

    async def profile_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, ProfileError)
        return error_response(422, exc.code, "the profile breaks the data contract", exc.errors)

    async def unknown_release(_: Request, exc: Exception) -> Response:
        return error_response(422, UnknownRelease.code, str(exc), [FieldError("release", str(exc))])

    async def unknown_decision(_: Request, exc: Exception) -> Response:
        return error_response(404, "not_found", str(exc))

    async def invalid_record(_: Request, exc: Exception) -> Response:
        return error_response(422, InvalidRecord.code, str(exc))

    async def store_unavailable(_: Request, exc: Exception) -> Response:
        return error_response(503, StoreUnavailable.code, str(exc))

    async def database_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, SQLAlchemyError)
        if isinstance(exc, DataError):  # a value the database cannot hold: the input, not the store
            return error_response(
                422, "invalid_value", f"the store cannot hold this input: {_store_failure(exc)}"
            )
        return error_response(503, StoreUnavailable.code, f"the store failed: {_store_failure(exc)}")

    async def request_invalid(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        fields = _request_fields(exc.errors())
        return error_response(422, "invalid_request", "the request is not valid", fields)

    async def http_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 400:  # FastAPI's "error parsing the body" (e.g. not UTF-8): bad input
            return error_response(422, "invalid_json", f"the body cannot be read: {exc.detail}")
        code = _STATUS_CODES.get(exc.status_code, "http_error")
        headers = dict(exc.headers) if exc.headers else None
        return error_response(exc.status_code, code, str(exc.detail), headers=headers)

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(ProfileError, profile_error)
    app.add_exception_handler(UnknownRelease, unknown_release)
    app.add_exception_handler(UnknownDecision, unknown_decision)
    app.add_exception_handler(InvalidRecord, invalid_record)
    app.add_exception_handler(StoreUnavailable, store_unavailable)
    app.add_exception_handler(SQLAlchemyError, database_error)
    app.add_exception_handler(RequestValidationError, request_invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)
