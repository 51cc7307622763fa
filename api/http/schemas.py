"""Request and response models of the HTTP API, split by role of the data: what a regulator or a
platform sends, what an assessment returns, what readers of the store get, and the errors.

Response models forbid extra fields, so the published schema says exactly what is returned.
The profile itself is not modelled here: the engine's contract (engine.profile) validates it,
so an invalid profile gets the same messages as on the command line (api/openapi.py publishes
that contract's schema as the request body).
"""

from datetime import date
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from cases.store import Kind
from engine import Decision
from engine.guidance import Guidance

T = TypeVar("T")


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- errors -------------------------------------------------------------------------------


class ErrorField(_Out):
    """One bad field: where it is, why, and the line the command line prints for it."""

    path: str = Field(examples=["formats.0"])
    reason: str = Field(examples=["unknown format code 'teleportation'"])
    message: str = Field(examples=["formats.0: unknown format code 'teleportation'"])


class ErrorDetail(_Out):
    code: str = Field(description="stable error code, e.g. invalid_profile, not_found, forbidden")
    message: str
    fields: list[ErrorField] = []


class ErrorOut(_Out):
    error: ErrorDetail


# --- pages --------------------------------------------------------------------------------


class Page(_Out, Generic[T]):
    items: list[T]
    page: int = Field(ge=1, description="this page, counted from 1")
    per_page: int = Field(ge=1)
    total: int = Field(ge=0, description="items on all pages")


# --- assessments --------------------------------------------------------------------------


class AssessmentOut(_Out):
    """An assessment as recorded: the decision and where it sits in the store."""

    decision_id: int = Field(description="the record's id (its position in the hash chain)")
    case_id: int
    case_seq: int = Field(description="the decision's number within its case")
    kind: Kind
    recorded_at: str
    hash: str = Field(description="the record's hash in the chain")
    decision: Decision


class SelfAssessmentOut(AssessmentOut):
    guidance: Guidance | None = Field(
        default=None, description="with ?guide=true: why not a lighter tier, and the changes that reach one"
    )


# --- the store ----------------------------------------------------------------------------


class CaseOut(_Out):
    id: int
    name: str
    uscc: str | None
    created_at: str
    decisions: int = Field(description="decisions of this case the caller may see")
    latest_decision: int | None


class DecisionSummary(_Out):
    id: int
    case_seq: int
    kind: Kind
    actor: str
    release: str
    selection: Literal["in_force", "explicit"]
    as_of: date
    created_at: str
    tier: str
    platform_grade: str
    hash: str


class CasePage(Page[CaseOut]):
    pass


class DecisionSummaryPage(Page[DecisionSummary]):
    pass


class CaseDetail(_Out):
    case: CaseOut
    decisions: DecisionSummaryPage = Field(description="the case's decision history, oldest first")


class DecisionRecordOut(_Out):
    """A stored decision with its input, ruleset, output and chain links."""

    id: int
    case_id: int
    case_name: str
    case_uscc: str | None
    case_seq: int
    kind: Kind
    actor: str
    profile: dict[str, Any] = Field(description="the canonical input, with the as-of date used")
    release: str
    release_sha256: str
    selection: Literal["in_force", "explicit"]
    as_of: date
    engine_version: str
    created_at: str
    prev_hash: str
    hash: str
    decision: dict[str, Any] = Field(
        description="the decision exactly as recorded (POLICY §4) by the engine version named above; "
        "records outlive engine versions, so it is served as stored, not re-read into today's model"
    )


class ImpactIn(BaseModel):
    """Which release change to measure over the latest input of every case."""

    model_config = ConfigDict(extra="forbid")

    from_release: str = Field(max_length=40, examples=["2022.01"])
    to_release: str = Field(max_length=40, examples=["2026.01"])
    as_of: date | None = Field(default=None, description="default: each decision's own as-of date")


# --- rules --------------------------------------------------------------------------------


class Bilingual(_Out):
    en: str
    zh: str


class ReleaseOut(_Out):
    id: str
    title: Bilingual
    in_force_from: date
    in_force_to: date | None
    status: str
    sha256: str
    rules: int


class ReleasePage(Page[ReleaseOut]):
    pass


class Citation(_Out):
    """A seed clause (measure number and verbatim text) or a law article."""

    seed: int | None = None
    text: str | None = None
    law: Bilingual | None = None


class RuleOut(_Out):
    id: str
    measures: list[int]
    phase: int
    file: str
    citations: list[Citation]
    reason: Bilingual
    obligation: Bilingual | None


class RulePage(Page[RuleOut]):
    release: ReleaseOut


class HealthOut(_Out):
    status: Literal["ok", "unavailable"]
    version: str
    store: Literal["sqlite", "postgresql"]
    releases: list[str]
