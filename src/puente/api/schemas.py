"""Request and response models of the HTTP API (pydantic v2): the OpenAPI document is
generated from them.

Request models are strict about shape (unknown fields are refused, sizes are bounded)
and leave meaning to the layers that own it: FtM validation to ``model.record``,
markings to ``model.markings``, users to ``store.users``. Response models are built
only from what ``access`` returned, so they never carry more than the caller may see.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Scalar = str | int | float
PropertyValue = list[Scalar | None] | Scalar | None


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ErrorOut(BaseModel):
    """Every error: a stable key, a message in the caller's language, the parameters,
    and for invalid input the list of problems (file, line, field, reason, message)."""

    error: str = Field(examples=["error.no_record"])
    message: str = Field(examples=["No such record: mx-1"])
    params: dict[str, str] = Field(default_factory=dict)
    problems: list[dict[str, Any]] | None = None


# --- auth, users, tokens -----------------------------------------------------------


class LoginIn(_In):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class TokenIn(_In):
    name: str = Field("api", min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")
    days: int | None = Field(None, ge=1, le=3650, description="Default: the node's token_days")
    username: str | None = Field(
        None, max_length=100, description="Another user (admin only); default: yourself"
    )


class TokenOut(BaseModel):
    """A bearer token, shown once: send it as ``Authorization: Bearer <token>``."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    username: str
    name: str
    expires_at: str


class UserIn(_In):
    username: str = Field(min_length=2, max_length=100, examples=["ana.lopez"])
    password: str = Field(min_length=10, max_length=1000)
    roles: list[Literal["analyst", "releasing_officer", "secretariat", "admin"]] = Field(
        min_length=1, max_length=4
    )
    clearance: str = Field(max_length=40, examples=["restricted"])
    lang: Literal["es", "en"] = "es"


class UserOut(BaseModel):
    username: str
    roles: list[str]
    clearance: str
    lang: str


# --- records -------------------------------------------------------------------------


class MarkingsIn(_In):
    """Markings of a record; omit them all to apply the node's default markings."""

    classification: str | None = Field(None, max_length=40, examples=["confidential"])
    rel_to: list[str] | str | None = Field(None, examples=[["USA"]])
    handling: str | None = Field(None, max_length=10, examples=["H1"])
    handling_note: str | None = Field(None, max_length=2000)
    source_reliability: str | None = Field(None, max_length=2, examples=["B"])
    info_credibility: str | int | None = Field(None, examples=["2"])
    originator_control: bool | None = None


class MarkingsOut(BaseModel):
    classification: str
    rel_to: list[str]
    handling: str
    handling_note: str = ""
    source_reliability: str
    info_credibility: str
    originator: str
    originator_control: bool
    withheld: list[str] = Field(default_factory=list)


class RecordIn(_In):
    """A record in FollowTheMoney shape, plus its markings."""

    id: str | None = Field(None, description="Omit on create to get a new id")
    schema_: str = Field(alias="schema", max_length=64, examples=["Person"])
    properties: dict[str, PropertyValue] = Field(
        default_factory=dict, examples=[{"name": ["Joaquín Guzmán Loera"]}]
    )
    markings: MarkingsIn | None = None


class RecordUpdate(RecordIn):
    expected_version: int = Field(
        ge=0, le=2**31, description="The version you read; another writer → 409"
    )


class RecordOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    schema_: str = Field(alias="schema")
    properties: dict[str, list[str]]
    markings: MarkingsOut
    banner: str = Field(description="Classification line in the caller's language")
    origin: str
    version: int
    created_at: str
    updated_at: str
    caption: str


class VersionOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    version: int
    operation: str
    schema_: str = Field(alias="schema")
    properties: dict[str, list[str]]
    markings: MarkingsOut
    content_hash: str
    recorded_at: str
    recorded_by: str
    load_id: str | None = None


class HeldAtOut(BaseModel):
    at: str
    total: int
    limit: int
    offset: int
    records: list[VersionOut]


class HitOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    schema_: str = Field(alias="schema")
    caption: str
    origin: str
    event_date: str | None
    markings: MarkingsOut


class SearchOut(BaseModel):
    hits: list[HitOut]
    more: bool = Field(description="More hits exist after this page")
    limit: int
    offset: int


# --- loads and audit -------------------------------------------------------------


class ProblemOut(BaseModel):
    file: str
    line: int
    field: str
    reason: str
    message: str
    params: dict[str, Any] = Field(default_factory=dict)


class LoadReportOut(BaseModel):
    file: str
    rows: int
    created: int
    changed: int
    unchanged: int
    rejected: int
    markings_source: dict[str, int]
    rejects_file: str | None
    problems: list[ProblemOut]
    load_id: str
    sha256: str


class AuditEntryOut(BaseModel):
    seq: int
    ts: str
    actor: str
    action: str
    target: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    entries: list[AuditEntryOut]
    next_after: int | None = Field(description="Pass as ``after`` for the next page")


class AuditIssueOut(BaseModel):
    position: int
    seq: int
    problem: str


class AuditVerifyOut(BaseModel):
    ok: bool
    count: int
    issues: list[AuditIssueOut]
