"""Ninja schemas of the detection API (no ``from __future__ import annotations``: ninja reads
the annotations at import time)."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.db.models import Q
from ninja import Field, Schema
from ninja.filter_schema import FilterLookup

from hygie.core.api.choice_values import choice_literal
from hygie.core.api.schemas import Id, InputFilters, InputSchema, InstantParam
from hygie.detection.models import DeliveryStatus, EventSource, ForwardingKind

# mypy cannot read a Literal built at run time: to it these are plain strings.
if TYPE_CHECKING:
    EventSourceValue = str
    ForwardingKindValue = str
    DeliveryStatusValue = str
else:
    EventSourceValue = choice_literal(EventSource.values)
    ForwardingKindValue = choice_literal(ForwardingKind.values)
    DeliveryStatusValue = choice_literal(DeliveryStatus.values)
SeverityLevel = Literal[10, 20, 30, 40, 50]


class IngestOut(Schema):
    """What one bulk request produced."""

    events: int
    parse_errors: int
    matches: int
    alerts: int


# --- events --------------------------------------------------------------------------------------


class EventFilters(InputFilters):
    establishment: Annotated[Id | None, FilterLookup("establishment_id")] = None
    since: Annotated[InstantParam | None, FilterLookup("received_at__gte")] = Field(
        None, description="Received at or after (ISO 8601)."
    )
    until: Annotated[InstantParam | None, FilterLookup("received_at__lte")] = Field(
        None, description="Received at or before (ISO 8601)."
    )
    occurred_since: Annotated[InstantParam | None, FilterLookup("occurred_at__gte")] = None
    occurred_until: Annotated[InstantParam | None, FilterLookup("occurred_at__lte")] = None
    host: Annotated[str | None, Field(max_length=253), FilterLookup("host__icontains")] = None
    source: EventSourceValue | None = Field(None, description="How the event arrived.")
    product: Annotated[str | None, Field(max_length=100)] = None
    service: Annotated[str | None, Field(max_length=100)] = None
    category: Annotated[str | None, Field(max_length=100)] = None
    asset: Annotated[Id | None, FilterLookup("asset_id")] = None
    q: Annotated[str | None, Field(max_length=200), FilterLookup("raw__icontains")] = Field(
        None, description="Text searched in the raw line."
    )
    has_parse_error: bool | None = Field(
        None, description="true: only lines no parser understood; false: only parsed ones."
    )

    def filter_has_parse_error(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        return ~Q(parse_error="") if value else Q(parse_error="")


class EventOut(Schema):
    id: int
    establishment_id: int
    received_at: datetime
    occurred_at: datetime | None
    source: str
    product: str
    service: str
    category: str
    host: str
    asset_id: int | None
    fields: dict[str, Any]
    parse_error: str


class MatchedRuleOut(Schema):
    id: str
    title: str
    fields: list[str] = Field(description="Fields of the event the rule tests.")


class EventDetailOut(EventOut):
    raw: str
    alert_ids: list[int] = Field(description="Alerts that list this event.")
    matched_rules: list[MatchedRuleOut] = Field(
        description="Rules of the current library that match the event."
    )


# --- rules ---------------------------------------------------------------------------------------


class LogSourceOut(Schema):
    product: str | None
    service: str | None
    category: str | None


class RuleOut(Schema):
    id: str
    title: str
    level: str = Field(description="informational, low, medium, high or critical ('' if none).")
    tags: list[str]
    logsource: LogSourceOut
    file: str
    line: int
    is_correlation: bool
    is_enabled: bool | None = Field(
        description="For the `establishment` asked; null when none was given."
    )


class RuleFilters(Schema):
    establishment: Id | None = Field(None, description="Report `is_enabled` for it.")
    q: str | None = Field(None, max_length=200, description="Text in the title or id.")
    level: str | None = Field(None, max_length=20)
    tag: str | None = Field(None, max_length=100, description="Exact tag, e.g. attack.t1490.")
    product: str | None = Field(None, max_length=100)
    service: str | None = Field(None, max_length=100)
    category: str | None = Field(None, max_length=100)
    is_enabled: bool | None = None


class RuleSettingIn(InputSchema):
    establishment_id: Id
    rule_id: str = Field(min_length=1, max_length=100)
    is_enabled: bool


class RuleSettingOut(Schema):
    establishment_id: int
    rule_id: str
    is_enabled: bool
    updated_at: datetime


class RuleProblemOut(Schema):
    file: str | None
    line: int | None
    column: int | None
    rule_id: str | None
    title: str | None
    reason: str


class RulePackOut(Schema):
    name: str
    rules: int
    problems: int


class RulePackImportIn(InputSchema):
    name: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$",
        description="Lower-case letters, digits, '-' and '_'. Replaces a pack of the same name.",
    )


class RulePackImportOut(Schema):
    name: str
    files: int
    valid: int
    problems: list[RuleProblemOut]


# --- alert forwarding ----------------------------------------------------------------------------


class ForwardingTargetIn(InputSchema):
    name: str = Field(min_length=1, max_length=100)
    kind: ForwardingKindValue
    establishment_id: Id | None = Field(
        None,
        description="null: alerts of every establishment of `organisation_id` "
        "(organisation-wide access needed).",
    )
    organisation_id: Id | None = Field(
        None, description="Required when `establishment_id` is null; else derived from it."
    )
    host: str = Field("", max_length=253, description="Syslog receiver.")
    port: int | None = Field(None, ge=1, le=65535)
    url: str = Field("", max_length=500, description="Webhook URL (https:// or http://).")
    ca_certificate: str = Field(
        "", max_length=20_000, description="PEM of the receiver's CA; empty: system CAs."
    )
    min_severity: SeverityLevel = 30
    sources: list[str] = Field(
        default_factory=list, max_length=20, description="Alert source modules; empty: all."
    )
    syslog_facility: int = Field(16, ge=0, le=23)
    timeout_seconds: int = Field(5, ge=1, le=60)
    max_attempts: int = Field(5, ge=1, le=10)
    is_enabled: bool = True


class ForwardingTargetOut(Schema):
    id: int
    name: str
    kind: str
    organisation_id: int
    establishment_id: int | None
    host: str
    port: int | None
    url: str
    ca_certificate: str
    min_severity: int
    sources: list[str]
    syslog_facility: int
    timeout_seconds: int
    max_attempts: int
    is_enabled: bool
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_error: str
    created_at: datetime
    updated_at: datetime


class ForwardingTargetSecretOut(ForwardingTargetOut):
    secret: str = Field(description="Webhook signing key; only returned here, keep it safe.")


class ForwardingTestOut(Schema):
    delivered: bool
    error: str


class AlertDeliveryOut(Schema):
    id: int
    alert_id: int
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None


class DeliveryFilters(InputFilters):
    status: DeliveryStatusValue | None = None


class MailReportIn(InputSchema):
    establishment_id: int = Field(description="The establishment the message was received in.")
    note: str = Field("", max_length=1000, description="What the reporter adds (no patient data).")


class MailReportOut(Schema):
    alert_id: int
    evidence_id: int
    repeat: bool = Field(description="The message had been reported already: one more occurrence.")
    severity: int
