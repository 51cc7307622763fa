"""The platform profile: the input contract of POLICY §3, as pydantic models."""

import difflib
import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from engine.errors import FieldError, ProfileError
from engine.uscc import uscc_problem
from engine.vocabulary import load_vocabulary


class _Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


SINGULAR = {"formats": "format", "activities": "activity", "licences": "licence"}
UNLISTED_NEEDS_TEXT = "required when formats include 'unlisted': say what the new format does"
JSON_TYPES = {dict: "an object", list: "an array", str: "a string", int: "a number", float: "a number"}


def _code_check(kind: str) -> AfterValidator:
    def check(code: str) -> str:
        known = load_vocabulary().terms(kind)
        if code not in known:
            near = difflib.get_close_matches(code, list(known), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise ValueError(f"unknown {SINGULAR[kind]} code {code!r}{hint}")
        return code

    return AfterValidator(check)


def _no_repeats(codes: list[str]) -> list[str]:
    if len(set(codes)) == len(codes):  # the usual case, without counting each code
        return codes
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise ValueError(f"codes listed more than once: {', '.join(repeated)}")
    return codes


# Dates the engine can compute with (an observation end lies years after its start).
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9000, 12, 31)


def date_problem(day: date) -> str | None:
    """Why a date is outside what the engine supports, or None."""
    if FIRST_DAY <= day <= LAST_DAY:
        return None
    return f"{day} is outside the supported range {FIRST_DAY} to {LAST_DAY}"


def _iso_date(value: Any) -> date:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            value = date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a calendar date ({exc})") from None
    if isinstance(value, date) and not isinstance(value, datetime):
        problem = date_problem(value)
        if problem:
            raise ValueError(problem)
        return value
    raise ValueError(f"must be a date written YYYY-MM-DD, got {value!r}")


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _printable(text: str | None) -> str | None:
    if text is not None and _CONTROL.search(text):
        raise ValueError("must not contain control characters (such as NUL or a line break)")
    return text


Text = Annotated[str, AfterValidator(_printable)]


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
FormatCode = Annotated[str, _code_check("formats")]
ActivityCode = Annotated[str, _code_check("activities")]
LicenceCode = Annotated[str, _code_check("licences")]
Count = Annotated[StrictInt, Field(ge=0)]
Amount = Annotated[float, Field(ge=0, allow_inf_nan=False, strict=True)]


class Risk(_Contract):
    health_or_life_safety: StrictBool = False
    handles_public_funds: StrictBool = False
    minors_targeted: StrictBool = False
    potential_harm: Literal["low", "medium", "high"] = "low"


class Scale(_Contract):
    annual_active_users: Count = 0
    market_value_cny: Amount = 0.0
    core_business_types: Count = 1
    registered_users: Count = 0
    monthly_active_users: Count = 0


class Credit(_Contract):
    credit_class: Literal["A", "B", "C", "D"] | None = Field(default=None, alias="class")
    on_serious_dishonesty_list: StrictBool = False
    on_abnormal_operations_list: StrictBool = False
    violations_24m: Count = 0


class Security(_Contract):
    mlps_level: Annotated[StrictInt, Field(ge=0, le=5)] = 0
    log_retention_days: Count = 0
    real_name_verification: StrictBool = False
    network_filing: StrictBool = False


class Participants(_Contract):
    identity_verification: StrictBool = False
    two_way_rating: StrictBool = False
    complaint_channel: StrictBool = False
    entry_exit_rules: StrictBool = False


class Profile(_Contract):
    """A platform as submitted for assessment."""

    schema_version: Literal["1"]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    uscc: str | None = None
    assessment_date: IsoDate | None = None
    launch_date: IsoDate | None = None
    formats: Annotated[list[FormatCode], Field(min_length=1), AfterValidator(_no_repeats)]
    new_format_description: Text | None = Field(default=None, validate_default=True)
    activities: Annotated[list[ActivityCode], AfterValidator(_no_repeats)] = []
    licences: Annotated[list[LicenceCode], AfterValidator(_no_repeats)] = []
    risk: Risk = Risk()
    scale: Scale = Scale()
    credit: Credit = Credit()
    security: Security = Security()
    participants: Participants = Participants()

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, name: str) -> str:
        if not name.strip():
            raise ValueError("must not be blank")
        _printable(name)
        return name

    @field_validator("uscc")
    @classmethod
    def _valid_uscc(cls, code: str | None) -> str | None:
        problem = None if code is None else uscc_problem(code)
        if problem:
            raise ValueError(problem)
        return code

    @field_validator("new_format_description")
    @classmethod
    def _unlisted_is_described(cls, text: str | None, info: ValidationInfo) -> str | None:
        if "unlisted" in info.data.get("formats", []) and not (text and text.strip()):
            raise ValueError(UNLISTED_NEEDS_TEXT)
        return text

    def canonical(self) -> dict[str, Any]:
        """The profile as plain JSON data, defaults filled and code lists sorted."""
        data = self.model_dump(mode="json", by_alias=True)
        for key in ("formats", "activities", "licences"):
            data[key] = sorted(data[key])
        return data


def _fields_at(loc: tuple[int | str, ...]) -> list[str]:
    model: type[BaseModel] = Profile
    for part in loc[:-1]:
        field = model.model_fields.get(str(part))
        if field is None:
            field = next((f for f in model.model_fields.values() if f.alias == part), None)
        sub = getattr(field, "annotation", None)
        if not (isinstance(sub, type) and issubclass(sub, BaseModel)):
            return []
        model = sub
    return [f.alias or name for name, f in model.model_fields.items()]


def _reason(error: Any) -> str:
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden":
        near = difflib.get_close_matches(str(loc[-1]), _fields_at(loc), n=1)
        return "unknown field" + (f"; did you mean {near[0]!r}?" if near else "")
    if error["type"] == "missing":
        return "required field is missing"
    if error["type"] in ("model_type", "model_attributes_type", "dict_type"):
        return f"must be an object, got {_json_type(error['input'])}"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return JSON_TYPES.get(type(value), type(value).__name__)


def _undescribed_unlisted(data: dict[str, Any], errors: list[FieldError]) -> list[FieldError]:
    """The missing description, reported even when a bad code beside 'unlisted' stopped formats."""
    formats, text = data.get("formats"), data.get("new_format_description")
    wanted = isinstance(formats, list) and "unlisted" in formats
    missing = not (isinstance(text, str) and text.strip())
    if wanted and missing and all(e.path != "new_format_description" for e in errors):
        return [FieldError("new_format_description", UNLISTED_NEEDS_TEXT)]
    return []


def parse_profile(data: Any) -> Profile:
    """Validate raw input into a Profile, or raise ProfileError naming each bad field."""
    if isinstance(data, Profile):
        return data
    if not isinstance(data, dict):
        raise ProfileError([FieldError("", f"a profile must be an object, got {_json_type(data)}")])
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        errors = [FieldError(".".join(str(p) for p in e["loc"]), _reason(e)) for e in exc.errors()]
        raise ProfileError(errors + _undescribed_unlisted(data, errors)) from None
