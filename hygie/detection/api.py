"""The detection REST API, mounted at /api/v1/detection: bulk event ingestion, event search,
the rule library (settings per establishment, pack import, load errors) and alert forwarding.

``POST /events?establishment=ID`` takes JSON lines or a JSON array of events. Bodies larger than
HYGIE_INGEST_MAX_BODY_BYTES get 413; when HYGIE_INGEST_MAX_CONCURRENT requests are already being
processed the answer is 429 with Retry-After, so senders retry instead of losing events.
Everything else reads and writes through ``visible_to(user)`` like the core resources.

No ``from __future__ import annotations``: ninja reads the handlers' annotations at import time.
"""

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import File, Form, PatchDict, Path, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from ninja.pagination import paginate

from hygie.core import audit
from hygie.core.api.common import (
    ERROR_RESPONSES,
    Pagination,
    apply_ordering,
    check_visible_reference,
    get_visible,
    ordering_description,
    require,
    require_all_establishments,
)
from hygie.core.api.errors import error_body
from hygie.core.api.schemas import ErrorOut, Id
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Establishment, Organisation
from hygie.core.services.crud import check_establishment_allowed, delete_instance, save_instance
from hygie.detection import forwarding, mail_reports, queries, services
from hygie.detection.engine.reported_mail import MAX_MAIL_BYTES
from hygie.detection.models import AlertDelivery, Event, EventSource, ForwardingTarget
from hygie.detection.roles import (
    INGEST,
    MANAGE_FORWARDING,
    MANAGE_RULES,
    REPORT_MAIL,
    VIEW_EVENTS,
)
from hygie.detection.schemas import (
    AlertDeliveryOut,
    DeliveryFilters,
    EventDetailOut,
    EventFilters,
    EventOut,
    ForwardingTargetIn,
    ForwardingTargetOut,
    ForwardingTargetSecretOut,
    ForwardingTestOut,
    IngestOut,
    MailReportIn,
    MailReportOut,
    MatchedRuleOut,
    RuleFilters,
    RuleOut,
    RulePackImportIn,
    RulePackImportOut,
    RulePackOut,
    RuleProblemOut,
    RuleSettingIn,
    RuleSettingOut,
)

router = Router(tags=["Detection"])

EVENT_ORDERINGS = ("received_at", "occurred_at", "host")
DELIVERY_ORDERINGS = ("created_at", "status", "attempts")

RETRY_AFTER_SECONDS = 2


class IngestParams(Schema):
    establishment: Id


def _error(status: int, code: str, message: str, **headers: str) -> JsonResponse:
    response = JsonResponse(error_body(code, message), status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def _items(body: bytes) -> list[Any]:
    text = body.decode("utf-8", "replace").strip()
    if text.startswith("["):
        try:
            document = json.loads(text)
        except ValueError as error:
            raise HttpError(400, _("The body is not valid JSON.")) from error
        # Each element goes through the same parsers as a line, so its log source is found.
        return [json.dumps(item) if isinstance(item, dict) else str(item) for item in document]
    return text.splitlines()


@router.post(
    "/events",
    response={200: IngestOut, 400: ErrorOut, 413: ErrorOut, 429: ErrorOut, **ERROR_RESPONSES},
    summary="Send log events (JSON lines or a JSON array)",
    operation_id="ingest_events",
    url_name="detection_event_ingest",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/x-ndjson": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            }
        }
    },
)
def ingest_events(request: AuthenticatedRequest, params: Query[IngestParams]) -> Any:
    require(request, INGEST)
    establishment = (
        Establishment.objects.visible_to(request.user).filter(pk=params.establishment).first()
    )
    if establishment is None:
        return _error(404, "not_found", _("No such establishment."))
    limit = int(getattr(settings, "HYGIE_INGEST_MAX_BODY_BYTES", 5 * 1024 * 1024))
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return _error(
            413, "too_large", _("The body is larger than %(limit)s bytes.") % {"limit": limit}
        )
    slots = services.ingest_slots()
    if not slots.acquire(blocking=False):
        return _error(
            429,
            "busy",
            _("Too many ingestion requests at once; retry later."),
            **{"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    try:
        body = request.body
        if len(body) > limit:
            return _error(
                413, "too_large", _("The body is larger than %(limit)s bytes.") % {"limit": limit}
            )
        summary = services.ingest_lines(establishment, _items(body), EventSource.HTTP)
    finally:
        slots.release()
    return summary.as_dict()


# --- events --------------------------------------------------------------------------------------


@router.get(
    "/events",
    response={200: list[EventOut], **ERROR_RESPONSES},
    summary="Search log events",
    operation_id="list_events",
    url_name="detection_event_list",
    description="Events of your establishments, newest first, filtered and paginated "
    "(`limit`, `offset`; the total is in `count`). `since`/`until` bound "
    "the reception time, `occurred_since`/`occurred_until` the time the "
    "log gives; `q` searches the raw line; `rule` keeps the events listed "
    "by your alerts of that rule. Requires `detection.view_events`.",
)
@paginate(Pagination)
def list_events(
    request: AuthenticatedRequest,
    filters: Query[EventFilters],
    rule: str | None = Query(
        None, max_length=100, description="Rule id (alerts' matching events)."
    ),
    ordering: str | None = Query(None, description=ordering_description(EVENT_ORDERINGS)),
) -> Any:
    require(request, VIEW_EVENTS)
    queryset: models.QuerySet[Event] = filters.filter(Event.objects.visible_to(request.user))
    if rule:
        queryset = queries.filter_by_rule(queryset, request.user, rule)
    return apply_ordering(queryset, ordering, EVENT_ORDERINGS)


@router.get(
    "/events/{int:event_id}",
    response={200: EventDetailOut, **ERROR_RESPONSES},
    summary="Get an event",
    operation_id="get_event",
    url_name="detection_event_detail",
    description="With its raw text, the alerts that list it and the rules of the "
    "current library that match it (with the fields they test). Requires "
    "`detection.view_events`.",
)
def get_event(request: AuthenticatedRequest, event_id: Path[Id]) -> Any:
    require(request, VIEW_EVENTS)
    event = get_visible(Event, request, event_id)
    return EventDetailOut(
        **EventOut.model_validate(event).model_dump(),
        raw=event.raw,
        alert_ids=[alert.pk for alert in queries.alerts_for_event(event, request.user)],
        matched_rules=[
            MatchedRuleOut(id=rule.id, title=rule.title, fields=list(fields))
            for rule, fields in queries.matching_rules(event)
        ],
    )


# --- rule library --------------------------------------------------------------------------------


def _rule_out(row: queries.RuleRow) -> dict[str, Any]:
    info = row.info
    return {
        "id": info.id,
        "title": info.title,
        "level": row.level.lower(),
        "tags": list(info.tags),
        "logsource": row.logsource,
        "file": info.source,
        "line": info.line,
        "is_correlation": info.is_correlation,
        "is_enabled": row.is_enabled,
    }


def _rule_matches(row: queries.RuleRow, filters: RuleFilters) -> bool:
    info, spec = row.info, row.info.logsource
    text = (filters.q or "").lower()
    return (
        (not text or text in info.title.lower() or text in info.id.lower())
        and (not filters.level or row.level.lower() == filters.level.lower())
        and (not filters.tag or filters.tag in info.tags)
        and (not filters.product or spec.product == filters.product)
        and (not filters.service or spec.service == filters.service)
        and (not filters.category or spec.category == filters.category)
        and (filters.is_enabled is None or row.is_enabled == filters.is_enabled)
    )


@router.get(
    "/rules",
    response={200: list[RuleOut], **ERROR_RESPONSES},
    summary="List the rule library",
    operation_id="list_rules",
    url_name="detection_rule_list",
    description="Every loaded rule that raises alerts (shipped and imported), by title, "
    "with its level, tags, log source and file; `is_enabled` for the "
    "`establishment` given. Requires `detection.view_events`.",
)
@paginate(Pagination)
def list_rules(request: AuthenticatedRequest, filters: Query[RuleFilters]) -> Any:
    require(request, VIEW_EVENTS)
    establishment = None
    if filters.establishment is not None:
        establishment = get_visible(Establishment, request, filters.establishment)
    return [
        _rule_out(row) for row in queries.rule_rows(establishment) if _rule_matches(row, filters)
    ]


@router.put(
    "/rule-settings",
    response={200: RuleSettingOut, **ERROR_RESPONSES},
    summary="Enable or disable a rule for an establishment",
    operation_id="set_rule_setting",
    url_name="detection_rulesetting_edit",
    description="Applies from the next ingested batch; recorded in the audit trail. "
    "Requires `detection.manage_rules` and a write token.",
)
def set_rule_setting(request: AuthenticatedRequest, payload: RuleSettingIn) -> Any:
    require(request, MANAGE_RULES)
    establishment = get_visible(Establishment, request, payload.establishment_id)
    if payload.rule_id not in queries.known_rule_ids():
        raise ValidationError({"rule_id": [_("No loaded rule has this id.")]})
    return services.set_rule_enabled(establishment, payload.rule_id, payload.is_enabled)


def _problem_out(problem: Any) -> dict[str, Any]:
    return {
        "file": problem.location.file,
        "line": problem.location.line,
        "column": problem.location.column,
        "rule_id": problem.rule_id,
        "title": problem.title,
        "reason": problem.reason,
    }


@router.get(
    "/rule-problems",
    response={200: list[RuleProblemOut], **ERROR_RESPONSES},
    summary="List rules that failed to load",
    operation_id="list_rule_problems",
    url_name="detection_ruleproblem_list",
    description="File, line, column and reason of every rule that could not be "
    "loaded; `pack` keeps one imported pack's. Requires "
    "`detection.view_events`.",
)
@paginate(Pagination)
def list_rule_problems(
    request: AuthenticatedRequest, pack: str | None = Query(None, max_length=64)
) -> Any:
    require(request, VIEW_EVENTS)
    return [_problem_out(problem) for problem in queries.rule_problems(pack)]


@router.get(
    "/rule-packs",
    response={200: list[RulePackOut], **ERROR_RESPONSES},
    summary="List imported rule packs",
    operation_id="list_rule_packs",
    url_name="detection_rulepack_list",
    description="With their counts of loaded rules and load errors. Requires "
    "`detection.view_events`.",
)
def list_rule_packs(request: AuthenticatedRequest) -> Any:
    require(request, VIEW_EVENTS)
    return queries.pack_summaries()


@router.post(
    "/rule-packs",
    response={201: RulePackImportOut, 413: ErrorOut, **ERROR_RESPONSES},
    summary="Import a Sigma rule pack (zip)",
    operation_id="import_rule_pack",
    url_name="detection_rulepack_add",
    description="multipart/form-data with `name` and `file` (a zip of Sigma .yml "
    "files). The rules run for every establishment, so this needs "
    "organisation-wide access, `detection.manage_rules` and a write token. "
    "A pack with no valid rule is refused (400); invalid rules are "
    "listed in `problems`.",
)
def import_rule_pack(
    request: AuthenticatedRequest, payload: Form[RulePackImportIn], file: File[UploadedFile]
) -> Any:
    require(request, MANAGE_RULES)
    require_all_establishments(request)
    limit = int(getattr(settings, "HYGIE_MAX_UPLOAD_BYTES", 50 * 1024 * 1024))
    if file.size is not None and file.size > limit:
        raise HttpError(
            413, _("The file is larger than the upload limit (%(limit)d bytes).") % {"limit": limit}
        )
    result = services.import_rule_pack(payload.name, file)
    audit.record(
        "create",
        None,
        object_type="detection.rulepack",
        object_id=result.name,
        object_repr=result.name,
        changes={"files": result.files, "valid": result.valid, "invalid": len(result.problems)},
        message="Sigma rule pack imported",
    )
    return Status(
        201,
        {
            "name": result.name,
            "files": result.files,
            "valid": result.valid,
            "problems": [_problem_out(p) for p in result.problems],
        },
    )


# --- suspicious e-mails reported by staff ---------------------------------------------------------


@router.post(
    "/mail-reports",
    response={201: MailReportOut, 413: ErrorOut, **ERROR_RESPONSES},
    summary="Report a suspicious e-mail",
    operation_id="report_suspicious_mail",
    url_name="detection_mailreport_add",
    description="multipart/form-data with `establishment_id`, `file` (the message as an .eml "
    "file) and an optional `note`. The message becomes a detection alert for the security team "
    "(sender, link domains, attachment types, sender checks; never its subject or body) and is "
    "kept as evidence; the same message reported again counts one more occurrence on its alert "
    "(`repeat`). Every role may report (`detection.report_mail`); needs a write token. "
    "A file that is no e-mail answers 400.",
)
def report_suspicious_mail(
    request: AuthenticatedRequest, payload: Form[MailReportIn], file: File[UploadedFile]
) -> Any:
    require(request, REPORT_MAIL)
    check_establishment_allowed(request.user, payload.establishment_id)
    establishment = get_visible(Establishment, request, payload.establishment_id)
    if file.size is not None and file.size > MAX_MAIL_BYTES:
        raise HttpError(
            413,
            _("The file is larger than the upload limit (%(limit)d bytes).")
            % {"limit": MAX_MAIL_BYTES},
        )
    report = mail_reports.report_suspicious_mail(
        user=request.user,
        establishment=establishment,
        data=file.read(MAX_MAIL_BYTES + 1),
        note=payload.note,
    )
    return Status(
        201,
        {
            "alert_id": report.alert.pk,
            "evidence_id": report.evidence.pk,
            "repeat": report.repeat,
            "severity": report.alert.severity,
        },
    )


# --- alert forwarding ----------------------------------------------------------------------------

TARGET_ORDERINGS = ("name", "kind", "created_at")


def _target_fields(
    request: AuthenticatedRequest, data: dict[str, Any], current: ForwardingTarget | None = None
) -> dict[str, Any]:
    """Check the scope of a target's establishment/organisation; return the fields to save."""
    establishment_id = data.get("establishment_id", current.establishment_id if current else None)
    if establishment_id is not None:
        check_establishment_allowed(request.user, establishment_id)
        check_visible_reference(Establishment, request, "establishment_id", establishment_id)
        data["organisation_id"] = (
            Establishment.objects.filter(pk=establishment_id)
            .values_list("organisation_id", flat=True)
            .first()
        )
    else:
        # Organisation-wide: every establishment's alerts leave through this target.
        require_all_establishments(request)
        organisation_id = data.get("organisation_id", current.organisation_id if current else None)
        if organisation_id is None:
            raise ValidationError(
                {"organisation_id": [_("Required when no establishment is given.")]}
            )
        check_visible_reference(Organisation, request, "organisation_id", organisation_id)
    return data


@router.get(
    "/forwarding-targets",
    response={200: list[ForwardingTargetOut], **ERROR_RESPONSES},
    summary="List alert forwarding targets",
    operation_id="list_forwarding_targets",
    url_name="detection_forwardingtarget_list",
    description="Targets of your establishments (organisation-wide ones only for "
    "organisation-wide users). Requires `detection.manage_forwarding`.",
)
@paginate(Pagination)
def list_forwarding_targets(
    request: AuthenticatedRequest,
    ordering: str | None = Query(None, description=ordering_description(TARGET_ORDERINGS)),
) -> Any:
    require(request, MANAGE_FORWARDING)
    return apply_ordering(
        ForwardingTarget.objects.visible_to(request.user), ordering, TARGET_ORDERINGS
    )


@router.post(
    "/forwarding-targets",
    response={201: ForwardingTargetSecretOut, **ERROR_RESPONSES},
    summary="Create an alert forwarding target",
    operation_id="create_forwarding_target",
    url_name="detection_forwardingtarget_add",
    description="The answer carries the generated webhook signing `secret` (also shown "
    "on the target's page). Requires `detection.manage_forwarding` and a "
    "write token.",
)
def create_forwarding_target(request: AuthenticatedRequest, payload: ForwardingTargetIn) -> Any:
    require(request, MANAGE_FORWARDING)
    data = _target_fields(request, payload.dict())
    return Status(201, save_instance(ForwardingTarget(), request.user, **data))


@router.get(
    "/forwarding-targets/{int:target_id}",
    response={200: ForwardingTargetOut, **ERROR_RESPONSES},
    summary="Get an alert forwarding target",
    operation_id="get_forwarding_target",
    url_name="detection_forwardingtarget_detail",
    description="Requires `detection.manage_forwarding`.",
)
def get_forwarding_target(request: AuthenticatedRequest, target_id: Path[Id]) -> Any:
    require(request, MANAGE_FORWARDING)
    return get_visible(ForwardingTarget, request, target_id)


@router.patch(
    "/forwarding-targets/{int:target_id}",
    response={200: ForwardingTargetOut, **ERROR_RESPONSES},
    summary="Update an alert forwarding target",
    operation_id="update_forwarding_target",
    url_name="detection_forwardingtarget_edit",
    description="Partial update. Requires `detection.manage_forwarding` and a write token.",
)
def update_forwarding_target(
    request: AuthenticatedRequest, target_id: Path[Id], payload: PatchDict[ForwardingTargetIn]
) -> Any:
    require(request, MANAGE_FORWARDING)
    target = get_visible(ForwardingTarget, request, target_id)
    data = _target_fields(request, dict(payload), target)
    return save_instance(target, request.user, **data)


@router.delete(
    "/forwarding-targets/{int:target_id}",
    response={204: None, **ERROR_RESPONSES},
    summary="Delete an alert forwarding target",
    operation_id="delete_forwarding_target",
    url_name="detection_forwardingtarget_delete",
    description="Its delivery history goes with it. Requires "
    "`detection.manage_forwarding` and a write token.",
)
def delete_forwarding_target(request: AuthenticatedRequest, target_id: Path[Id]) -> Any:
    require(request, MANAGE_FORWARDING)
    delete_instance(get_visible(ForwardingTarget, request, target_id), request.user)
    return Status(204, None)


@router.post(
    "/forwarding-targets/{int:target_id}/test",
    response={200: ForwardingTestOut, 429: ErrorOut, **ERROR_RESPONSES},
    summary="Send a test message",
    operation_id="test_forwarding_target",
    url_name="detection_forwardingtarget_test",
    description="Sends a made-up alert (event `test`) now, once, and says whether it "
    "was delivered. Requires `detection.manage_forwarding` and a write "
    "token. At most 10 tests per user per minute (429 beyond); each "
    "test is in the audit trail.",
)
def test_forwarding_target(request: AuthenticatedRequest, target_id: Path[Id]) -> Any:
    require(request, MANAGE_FORWARDING)
    try:
        error = forwarding.send_test(get_visible(ForwardingTarget, request, target_id))
    except forwarding.TestRateLimited as limited:
        raise HttpError(429, limited.message) from None
    return {"delivered": not error, "error": error}


@router.post(
    "/forwarding-targets/{int:target_id}/secret",
    response={200: ForwardingTargetSecretOut, **ERROR_RESPONSES},
    summary="Generate a new signing secret",
    operation_id="rotate_forwarding_secret",
    url_name="detection_forwardingtarget_secret",
    description="The previous secret stops working at once. Requires "
    "`detection.manage_forwarding` and a write token.",
)
def rotate_forwarding_secret(request: AuthenticatedRequest, target_id: Path[Id]) -> Any:
    require(request, MANAGE_FORWARDING)
    return forwarding.regenerate_secret(get_visible(ForwardingTarget, request, target_id))


@router.get(
    "/forwarding-targets/{int:target_id}/deliveries",
    response={200: list[AlertDeliveryOut], **ERROR_RESPONSES},
    summary="List a target's alert deliveries",
    operation_id="list_alert_deliveries",
    url_name="detection_alertdelivery_list",
    description="Newest first, with attempts and the last error. Requires "
    "`detection.manage_forwarding`.",
)
@paginate(Pagination)
def list_alert_deliveries(
    request: AuthenticatedRequest,
    target_id: Path[Id],
    filters: Query[DeliveryFilters],
    ordering: str | None = Query(None, description=ordering_description(DELIVERY_ORDERINGS)),
) -> Any:
    require(request, MANAGE_FORWARDING)
    target = get_visible(ForwardingTarget, request, target_id)
    queryset = filters.filter(AlertDelivery.objects.filter(target=target))
    return apply_ordering(queryset, ordering, DELIVERY_ORDERINGS)
