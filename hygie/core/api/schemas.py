"""Request and response bodies of the core API: ``<Model>In`` for writes, ``<Model>Out`` for reads.

Write schemas carry only what a client may set; the server fills the rest (timestamps, hashes,
who collected evidence). References to other objects are plain ids (``establishment_id``); the
handlers check them against the caller's scope before anything is written.
"""

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any

from django.utils import timezone
from ninja import Field, FilterSchema, Schema
from pydantic import AfterValidator, field_validator

from hygie.core.api.choice_values import choice_literal
from hygie.core.choices import (
    AlertStatus,
    AssetKind,
    Criticality,
    DepartmentKind,
    EstablishmentKind,
    OrganisationKind,
    TokenScope,
)
from hygie.core.models.audit import AuditAction, AuditChannel
from hygie.core.models.jobs import JobStatus

# Literal types make the OpenAPI document list the allowed values, so clients (and schemathesis)
# learn them from the schema instead of from 422 answers.
# mypy cannot read a Literal built at run time: to it these are plain strings.
if TYPE_CHECKING:
    OrganisationKindValue = str
    EstablishmentKindValue = str
    DepartmentKindValue = str
    AssetKindValue = str
    CriticalityValue = str
    AlertStatusValue = str
    TokenScopeValue = str
    JobStatusValue = str
    AuditActionValue = str
    AuditChannelValue = str
else:
    OrganisationKindValue = choice_literal(OrganisationKind.values)
    EstablishmentKindValue = choice_literal(EstablishmentKind.values)
    DepartmentKindValue = choice_literal(DepartmentKind.values)
    AssetKindValue = choice_literal(AssetKind.values)
    CriticalityValue = choice_literal(Criticality.values)
    AlertStatusValue = choice_literal(AlertStatus.values)
    TokenScopeValue = choice_literal(TokenScope.values)
    JobStatusValue = choice_literal(JobStatus.values)
    AuditActionValue = choice_literal(AuditAction.values)
    AuditChannelValue = choice_literal(AuditChannel.values)


def _as_utc_instant(value: datetime) -> datetime:
    """Any ISO 8601 time, as the same instant in UTC (naive times: the server's time zone).

    Offsets are kept only as far as the conversion: PostgreSQL rejects unusual ones (±23:26 is
    valid ISO 8601 but out of its range), and an instant needs no offset once in UTC.
    """
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("date and time out of range") from None


# Every datetime a client sends (filters included) goes through this type.
InstantParam = Annotated[datetime, AfterValidator(_as_utc_instant)]


# Database keys are signed 64-bit integers: larger numbers cannot name a row, and SQLite raises
# OverflowError on them instead of returning nothing.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def reject_nul_characters(value: Any) -> Any:
    """PostgreSQL refuses NUL in text; reject it as bad input instead of failing on write."""
    texts = value if isinstance(value, list) else [value]
    if any(isinstance(text, str) and "\x00" in text for text in texts):
        raise ValueError("NUL characters are not allowed.")
    return value


class InputSchema(Schema):
    """Base of every request body: text is checked before it reaches the database."""

    _no_nul = field_validator("*")(reject_nul_characters)


class InputFilters(FilterSchema):
    """Base of every list filter, with the same text check as request bodies."""

    _no_nul = field_validator("*")(reject_nul_characters)


# --- errors -----------------------------------------------------------------------------------


class ErrorDetail(Schema):
    code: str = Field(description="Stable machine-readable code, e.g. not_found, invalid_data.")
    message: str = Field(description="Human-readable explanation.")
    fields: dict[str, list[str]] = Field(
        default_factory=dict, description="Problems per field (body or query parameter)."
    )


class ErrorOut(Schema):
    """The one error format of the whole API."""

    error: ErrorDetail


# --- organisation model -----------------------------------------------------------------------


class ContactsIn(InputSchema):
    """Contact details reused by notification drafts (blank on an establishment: the
    organisation's apply)."""

    postal_address: str = Field("", max_length=1000)
    dpo_name: str = Field("", max_length=200)
    dpo_email: str = Field("", max_length=254, description="Blank or a valid e-mail address.")
    dpo_phone: str = Field("", max_length=40)
    rssi_name: str = Field("", max_length=200, description="Security officer (RSSI).")
    rssi_email: str = Field("", max_length=254)
    rssi_phone: str = Field("", max_length=40)
    on_call_phone: str = Field("", max_length=40, description="24/7 on-call phone.")
    legal_representative_name: str = Field("", max_length=200)
    legal_representative_title: str = Field("", max_length=200)


class ContactsOut(Schema):
    postal_address: str
    dpo_name: str
    dpo_email: str
    dpo_phone: str
    rssi_name: str
    rssi_email: str
    rssi_phone: str
    on_call_phone: str
    legal_representative_name: str
    legal_representative_title: str


class OrganisationIn(ContactsIn):
    name: str = Field(min_length=1, max_length=200)
    kind: OrganisationKindValue = OrganisationKind.SINGLE.value


class OrganisationOut(ContactsOut):
    id: int
    name: str
    kind: str
    created_at: datetime


class EstablishmentIn(ContactsIn):
    organisation_id: Id
    name: str = Field(min_length=1, max_length=200)
    kind: EstablishmentKindValue = EstablishmentKind.CH.value
    country: str = Field(
        "FR", min_length=2, max_length=2, description="ISO 3166-1 alpha-2 code, e.g. FR or US."
    )
    finess_ej: str = Field("", max_length=9, description="FINESS of the legal entity.")
    finess_eg: str = Field("", max_length=9, description="FINESS of the geographic site.")
    timezone: str = Field("Europe/Paris", max_length=64, description="IANA time zone name.")


class EstablishmentOut(ContactsOut):
    id: int
    organisation_id: int
    name: str
    kind: str
    country: str
    finess_ej: str
    finess_eg: str
    timezone: str
    created_at: datetime


class DepartmentIn(InputSchema):
    establishment_id: Id
    name: str = Field(min_length=1, max_length=200)
    kind: DepartmentKindValue = DepartmentKind.OTHER.value
    code: str = Field("", max_length=40, description="Internal code (UF, cost centre).")


class DepartmentOut(Schema):
    id: int
    establishment_id: int
    name: str
    kind: str
    code: str
    created_at: datetime


class PersonIn(InputSchema):
    establishment_id: Id
    department_id: Id | None = None
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    email: str = Field(min_length=3, max_length=254)
    profession: str = Field("", max_length=100)
    rpps: str = Field("", max_length=11, description="RPPS number (11 digits).")
    adeli: str = Field("", max_length=9, description="ADELI number (9 digits).")
    employment_start: date | None = None
    employment_end: date | None = None


class PersonOut(Schema):
    id: int
    establishment_id: int
    department_id: int | None
    first_name: str
    last_name: str
    email: str
    profession: str
    rpps: str
    adeli: str
    employment_start: date | None
    employment_end: date | None
    created_at: datetime
    updated_at: datetime


class AssetIn(InputSchema):
    establishment_id: Id
    department_id: Id | None = Field(None, description="Owner department.")
    hostname: str = Field(min_length=1, max_length=253)
    ip_addresses: list[str] = Field(default_factory=list, max_length=64)
    mac_addresses: list[str] = Field(default_factory=list, max_length=64)
    os_name: str = Field("", max_length=100)
    os_version: str = Field("", max_length=100)
    kind: AssetKindValue = AssetKind.WORKSTATION.value
    criticality: CriticalityValue = Criticality.MEDIUM.value
    network_zone: str = Field("", max_length=100)
    tags: list[str] = Field(default_factory=list, max_length=64)


class AssetOut(Schema):
    id: int
    establishment_id: int
    department_id: int | None
    hostname: str
    ip_addresses: list[str]
    mac_addresses: list[str]
    os_name: str
    os_version: str
    kind: str
    criticality: str
    network_zone: str
    tags: list[str]
    created_at: datetime
    updated_at: datetime


# --- alerts, evidence, jobs -------------------------------------------------------------------


class AlertIn(InputSchema):
    """What triage may change on an alert; everything else comes from the module that raised it."""

    status: AlertStatusValue
    assignee_id: Id | None = Field(None, description="User in charge; null to unassign.")


class AlertOut(Schema):
    id: int
    establishment_id: int
    source: str
    rule_id: str
    title: str
    description: str
    severity: int
    status: str
    asset_id: int | None
    group_key: str
    occurrences: int
    first_seen_at: datetime
    last_seen_at: datetime
    tags: list[Any]
    details: dict[str, Any]
    assignee_id: int | None
    created_at: datetime
    updated_at: datetime


class EvidenceOut(Schema):
    id: int
    establishment_id: int
    title: str
    description: str
    # The uploaded name masked (``••••.pdf``): it may name a patient. In full, audited, from
    # POST /evidence/{id}/file-name with ``evidence.reveal_names``.
    file_name: str
    content_type: str = Field(alias="content_type_label")
    sha256: str
    size: int
    has_file: bool
    snapshot: dict[str, Any] | list[Any] | None
    collected_by_id: int | None
    collected_at: datetime

    @staticmethod
    def resolve_has_file(obj: Any) -> bool:
        return bool(obj.file)


class EvidenceFileNameOut(Schema):
    id: int
    original_name: str


class JobOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    establishment_id: int | None
    created_by_id: int | None
    progress_done: int
    progress_total: int
    progress_message: str
    percent: int
    result: dict[str, Any]
    error: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


# --- audit ------------------------------------------------------------------------------------


class AuditEntryOut(Schema):
    id: int
    sequence: int
    at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    channel: str
    object_type: str
    object_id: str
    object_repr: str
    establishment_id: int | None
    source_ip: str | None
    changes: dict[str, Any]
    message: str
    entry_hash: str


class ChainProblemOut(Schema):
    sequence: int
    kind: str = Field(
        description="modified, inserted, deleted, reordered, truncated, wiped, "
        "downgraded, unverifiable (a key is missing) or forged "
        "(the checkpoint file)."
    )
    detail: str
    check: str = Field(
        description="The check that failed: sequence, links, hmac, sha256, "
        "legacy, keys, head or checkpoints."
    )


class ChainCheckOut(Schema):
    name: str
    ok: bool
    detail: str


class ChainReportOut(Schema):
    is_intact: bool
    checked: int = Field(description="Entries verified before the first problem (or all).")
    problem: ChainProblemOut | None
    checks: list[ChainCheckOut] = Field(description="What was verified, check by check.")
    keyed: int = Field(description="Entries verified with their HMAC key.")
    legacy: int = Field(description="Plain SHA-256 entries written before keys existed.")
    checkpoints: int = Field(description="Signed checkpoints verified in the checkpoint file.")
    last_checkpoint_sequence: int | None = Field(description="Entry the last checkpoint anchored.")
    unanchored: int = Field(
        description="Entries after the last checkpoint (protected against "
        "edits, anchored against deletion by the next one)."
    )


# --- tokens -----------------------------------------------------------------------------------


class APITokenIn(InputSchema):
    name: str = Field(min_length=1, max_length=100)
    scope: TokenScopeValue = TokenScope.READ.value
    expires_in_days: int = Field(90, ge=1, le=365)


class APITokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="First characters of the token, to recognise it.")
    scope: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    is_active: bool


class APITokenCreatedOut(APITokenOut):
    token: str = Field(description="The secret itself: shown once, store it now.")


# --- CSV import -------------------------------------------------------------------------------


class ImportWarningOut(Schema):
    row: int = Field(description="Spreadsheet row (the header is row 1).")
    column: str
    message: str


class ImportReportOut(Schema):
    rows: int
    created: int
    updated: int
    unchanged: int
    warnings: list[ImportWarningOut]


# --- evidence upload --------------------------------------------------------------------------


class EvidenceIn(InputSchema):
    """The form fields sent with an uploaded file (multipart/form-data)."""

    establishment_id: Id
    title: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=5000)
