"""Response API: incidents and their record (lifecycle, tasks, timeline, observables, evidence
with chain of custody, comments, watchers). Mounted at /api/v1/response.

Reading needs ``response.view_incidents``; writing needs ``response.manage_incidents`` (comments:
incident managers and the DPO; a task's owner may move their own task on) and a write token.
Every reading of an incident, its timeline or its comments is recorded in the audit trail.
"""

from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, PatchDict, Path, Query, Router, Status, UploadedFile
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from hygie.core import audit
from hygie.core.api.common import (
    ERROR_RESPONSES,
    Pagination,
    apply_ordering,
    get_visible,
    ordering_description,
    require,
)
from hygie.core.api.evidence import check_upload
from hygie.core.api.schemas import ErrorOut, Id, InputFilters, InstantParam
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Asset, Department, Establishment, User
from hygie.core.models.scoping import visible_objects
from hygie.core.roles import ADD_EVIDENCE, VIEW_ALERTS, VIEW_EVIDENCE
from hygie.response import filters as incident_filters
from hygie.response.models import Incident, IncidentEvidence, Observable, Task
from hygie.response.roles import MANAGE_INCIDENTS, VIEW_INCIDENTS
from hygie.response.schemas import (
    AlertLinkIn,
    AssigneeIn,
    CareImpactValue,
    CommentIn,
    CommentOut,
    CustodyEventIn,
    CustodyEventOut,
    IncidentCategoryValue,
    IncidentEvidenceIn,
    IncidentEvidenceOut,
    IncidentIn,
    IncidentOut,
    IncidentStatusValue,
    IncidentTransitionIn,
    IncidentTransitionOut,
    IncidentUpdateIn,
    ObservableIn,
    ObservableOut,
    TaskIn,
    TaskOut,
    TaskStatusIn,
    TimelineEntryIn,
    TimelineEntryOut,
    VerificationOut,
    WatcherIn,
    WatcherOut,
)
from hygie.response.services import evidence as evidence_service
from hygie.response.services import incidents as service

router = Router(tags=["Incidents"])

ORDERINGS = ("discovered_at", "severity", "status", "reference", "updated_at", "created_at")
_PREFETCH = ("affected_establishments", "departments", "assets", "alerts", "watchers")


class IncidentFilters(InputFilters):
    status: IncidentStatusValue | None = None
    category: IncidentCategoryValue | None = None
    care_impact: CareImpactValue | None = None
    severity_min: Annotated[int | None, Field(ge=0, le=100), FilterLookup("severity__gte")] = None
    establishment: Annotated[Id | None, FilterLookup("establishment_id")] = None
    discovered_since: Annotated[InstantParam | None, FilterLookup("discovered_at__gte")] = None
    discovered_until: Annotated[InstantParam | None, FilterLookup("discovered_at__lte")] = None
    # For incremental export to a SIEM or a data warehouse: what changed since the last pull.
    updated_since: Annotated[InstantParam | None, FilterLookup("updated_at__gte")] = None


def _incident(request: AuthenticatedRequest, incident_id: int) -> Incident:
    require(request, VIEW_INCIDENTS)
    return get_visible(Incident, request, incident_id)


def _scoped(
    model: type[models.Model], request: AuthenticatedRequest, ids: list[int], field: str
) -> list[Any]:
    """The objects behind these ids, all visible to the caller, else 'unknown' (never a hint that
    an id exists elsewhere)."""
    wanted = sorted(set(ids))
    scoped = visible_objects(model, request.user)
    found = list(scoped.filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise ValidationError(
            {field: [_("Unknown %(model)s.") % {"model": model._meta.verbose_name}]}
        )
    return found


def _user_among(candidates: list[User], user_id: int | None, field: str, message: str) -> Any:
    if user_id is None:
        return None
    for candidate in candidates:
        if candidate.pk == user_id:
            return candidate
    raise ValidationError({field: [message]})


# --- incidents --------------------------------------------------------------------------------


@router.get(
    "/incidents",
    response={200: list[IncidentOut], **ERROR_RESPONSES},
    summary="List incidents",
    operation_id="list_incidents",
    url_name="response_incident_list",
    description="Incidents of your establishments, most recently discovered first. "
    "`state` is `open` or `closed`; `assigned` is `me`, `nobody` or a user "
    "id; `q` searches the reference, title and description. Requires "
    "`response.view_incidents`.",
)
@paginate(Pagination)
def list_incidents(
    request: AuthenticatedRequest,
    filters: Query[IncidentFilters],
    state: str | None = Query(None, pattern="^(open|closed)$", max_length=6),
    assigned: str | None = Query(None, pattern="^(me|nobody|[0-9]{1,18})$", max_length=18),
    q: str | None = Query(None, max_length=200),
    ordering: str | None = Query(None, description=ordering_description(ORDERINGS)),
) -> Any:
    require(request, VIEW_INCIDENTS)
    if q and "\x00" in q:
        raise ValidationError({"q": [_("NUL characters are not allowed.")]})
    queryset: models.QuerySet[Incident] = filters.filter(Incident.objects.visible_to(request.user))
    queryset = incident_filters.by_state(queryset, state)
    queryset = incident_filters.by_assignee(queryset, assigned, request.user)
    queryset = incident_filters.by_text(queryset, q)
    return apply_ordering(queryset, ordering, ORDERINGS).prefetch_related(*_PREFETCH)


@router.post(
    "/incidents",
    response={201: IncidentOut, **ERROR_RESPONSES},
    summary="Declare an incident",
    operation_id="create_incident",
    url_name="response_incident_add",
    description="By hand (`establishment_id`, `title`, `discovered_at`), from alerts "
    "(`alert_ids`: linked and escalated; establishment, severity, title, "
    "description, discovery time and assets suggested from them unless "
    "given), or from a reported phishing mail (`source`: "
    "`phishing_report` with the mail reference in `source_reference`, or "
    "alerts raised by the awareness module). The reference "
    "(INC-<year>-<number>) is assigned by the server. Requires "
    "`response.manage_incidents` and a write token.",
)
def create_incident(request: AuthenticatedRequest, payload: IncidentIn) -> Any:
    require(request, MANAGE_INCIDENTS)
    data = payload.dict()
    alert_ids = data.pop("alert_ids")
    establishment_id = data.pop("establishment_id")
    assignee_id = data.pop("assignee_id")
    related: dict[str, Any] = {
        "affected_establishments": _scoped(
            Establishment,
            request,
            data.pop("affected_establishment_ids"),
            "affected_establishment_ids",
        ),
        "departments": _scoped(Department, request, data.pop("department_ids"), "department_ids"),
        "assets": _scoped(Asset, request, data.pop("asset_ids"), "asset_ids"),
    }
    establishment = (
        get_visible(Establishment, request, establishment_id)
        if establishment_id is not None
        else None
    )
    if alert_ids:
        require(request, VIEW_ALERTS)
        alerts = service.visible_alerts(request.user, alert_ids)
        handling = establishment or service.suggest_from_alerts(alerts).establishment
        assignee = _user_among(
            service.incident_managers([handling.pk]),
            assignee_id,
            "assignee_id",
            _("This person cannot handle incidents of this establishment."),
        )
        overrides = {
            key: value
            for key, value in data.items()
            if value not in (None, "") and key in payload.model_fields_set
        }
        for name, items in related.items():
            if items:
                overrides[name] = items
        incident = service.create_from_alerts(
            request.user, alerts, establishment=handling, assignee=assignee, **overrides
        )
        return Status(201, _reload(incident))
    errors = {}
    if establishment is None:
        errors["establishment_id"] = [_("Required unless the incident is created from alerts.")]
    if not data.get("title"):
        errors["title"] = [_("Required unless the incident is created from alerts.")]
    if data.get("discovered_at") is None:
        errors["discovered_at"] = [_("Required unless the incident is created from alerts.")]
    if errors:
        raise ValidationError(errors)
    assert establishment is not None
    assignee = _user_among(
        service.incident_managers([establishment.pk]),
        assignee_id,
        "assignee_id",
        _("This person cannot handle incidents of this establishment."),
    )
    if data.get("severity") is None:
        data.pop("severity")
    incident = service.create_incident(
        request.user, establishment=establishment, assignee=assignee, **related, **data
    )
    return Status(201, _reload(incident))


def _reload(incident: Incident) -> Incident:
    return Incident.objects.prefetch_related(*_PREFETCH).get(pk=incident.pk)


@router.get(
    "/incidents/{int:incident_id}",
    response={200: IncidentOut, **ERROR_RESPONSES},
    summary="Get an incident",
    operation_id="get_incident",
    url_name="response_incident_detail",
    description="Recorded in the audit trail (incidents may hold patient data). "
    "Requires `response.view_incidents`.",
)
def get_incident(request: AuthenticatedRequest, incident_id: Path[Id]) -> Incident:
    incident = _incident(request, incident_id)
    audit.record("view", incident)
    return _reload(incident)


@router.patch(
    "/incidents/{int:incident_id}",
    response={200: IncidentOut, **ERROR_RESPONSES},
    summary="Update an incident's facts",
    operation_id="update_incident",
    url_name="response_incident_edit",
    description="Only the fields sent change; each change is written to the "
    "timeline (free-text fields by name only). The phase, the assignee "
    "and the watchers have their own routes. Requires "
    "`response.manage_incidents` and a write token.",
)
def update_incident(
    request: AuthenticatedRequest, incident_id: Path[Id], payload: PatchDict[IncidentUpdateIn]
) -> Any:
    require(request, MANAGE_INCIDENTS)
    incident = _incident(request, incident_id)
    changes = dict(payload)
    for key, model, name in (
        ("affected_establishment_ids", Establishment, "affected_establishments"),
        ("department_ids", Department, "departments"),
        ("asset_ids", Asset, "assets"),
    ):
        if key in changes:
            changes[name] = _scoped(model, request, changes.pop(key) or [], key)
    if "discovered_at" in changes and changes["discovered_at"] is None:
        raise ValidationError({"discovered_at": [_("The discovery time cannot be removed.")]})
    service.update_incident(request.user, incident, changes)
    return _reload(incident)


@router.get(
    "/incidents/{int:incident_id}/transitions",
    response={200: list[IncidentTransitionOut], **ERROR_RESPONSES},
    summary="List an incident's phase changes",
    operation_id="list_incident_transitions",
    url_name="response_incident_transition_list",
    description="Requires `response.view_incidents`.",
)
def list_transitions(request: AuthenticatedRequest, incident_id: Path[Id]) -> Any:
    return list(_incident(request, incident_id).transitions.all())


@router.post(
    "/incidents/{int:incident_id}/transitions",
    response={201: IncidentTransitionOut, **ERROR_RESPONSES},
    summary="Move an incident through its lifecycle",
    operation_id="transition_incident",
    url_name="response_incident_transition",
    description="new → triage → containment → eradication → recovery → post_incident "
    "→ closed. Forward by one or more phases; back by one phase with a "
    "note; closing before post_incident needs a note; a closed incident "
    "reopens to post_incident with a note. Requires "
    "`response.manage_incidents` and a write token.",
)
def transition_incident(
    request: AuthenticatedRequest, incident_id: Path[Id], payload: IncidentTransitionIn
) -> Any:
    require(request, MANAGE_INCIDENTS)
    incident = _incident(request, incident_id)
    row = service.transition(request.user, incident, payload.to_status, payload.note, at=payload.at)
    return Status(201, row)


@router.put(
    "/incidents/{int:incident_id}/assignee",
    response={200: IncidentOut, **ERROR_RESPONSES},
    summary="Assign an incident",
    operation_id="assign_incident",
    url_name="response_incident_assign",
    description="The assignee must be able to manage incidents of the incident's "
    "establishment; `null` unassigns. Requires `response.manage_incidents` "
    "and a write token.",
)
def assign_incident(
    request: AuthenticatedRequest, incident_id: Path[Id], payload: AssigneeIn
) -> Any:
    require(request, MANAGE_INCIDENTS)
    incident = _incident(request, incident_id)
    assignee = _user_among(
        service.assignable_users(incident),
        payload.assignee_id,
        "assignee_id",
        _("This person cannot handle incidents of this establishment."),
    )
    service.assign(request.user, incident, assignee)
    return _reload(incident)


@router.post(
    "/incidents/{int:incident_id}/alerts",
    response={200: IncidentOut, **ERROR_RESPONSES},
    summary="Link alerts",
    operation_id="link_incident_alerts",
    url_name="response_incident_link_alerts",
    description="Link more alerts (of the incident's establishments) and mark them "
    "escalated. Requires `response.manage_incidents`, `alerts.view` and a "
    "write token.",
)
def link_alerts(request: AuthenticatedRequest, incident_id: Path[Id], payload: AlertLinkIn) -> Any:
    require(request, MANAGE_INCIDENTS)
    require(request, VIEW_ALERTS)
    incident = _incident(request, incident_id)
    service.link_alerts(
        request.user, incident, service.visible_alerts(request.user, payload.alert_ids)
    )
    return _reload(incident)


# --- watchers ---------------------------------------------------------------------------------


@router.get(
    "/incidents/{int:incident_id}/watchers",
    response={200: list[WatcherOut], **ERROR_RESPONSES},
    summary="List watchers",
    operation_id="list_incident_watchers",
    url_name="response_incident_watcher_list",
    description="Requires `response.view_incidents`.",
)
def list_watchers(request: AuthenticatedRequest, incident_id: Path[Id]) -> Any:
    return list(_incident(request, incident_id).watchers.order_by("username"))


@router.post(
    "/incidents/{int:incident_id}/watchers",
    response={201: list[WatcherOut], **ERROR_RESPONSES},
    summary="Add a watcher",
    operation_id="add_incident_watcher",
    url_name="response_incident_watcher_add",
    description="Your own id: follow the incident (reading it is enough). Someone "
    "else: requires `response.manage_incidents`; they must be able to "
    "read the incident. Requires a write token.",
)
def add_watcher(request: AuthenticatedRequest, incident_id: Path[Id], payload: WatcherIn) -> Any:
    incident = _incident(request, incident_id)
    if payload.user_id == request.user.pk:
        service.watch(request.user, incident)
    else:
        require(request, MANAGE_INCIDENTS)
        watcher = _user_among(
            service.task_owner_candidates(incident),
            payload.user_id,
            "user_id",
            _("This person cannot read incidents of this establishment."),
        )
        service.add_watcher(request.user, incident, watcher)
    return Status(201, list(incident.watchers.order_by("username")))


@router.delete(
    "/incidents/{int:incident_id}/watchers/{int:user_id}",
    response={204: None, **ERROR_RESPONSES},
    summary="Remove a watcher",
    operation_id="remove_incident_watcher",
    url_name="response_incident_watcher_delete",
    description="Yourself: stop following. Someone else: requires "
    "`response.manage_incidents`. Requires a write token.",
)
def remove_watcher(request: AuthenticatedRequest, incident_id: Path[Id], user_id: Path[Id]) -> Any:
    incident = _incident(request, incident_id)
    if user_id == request.user.pk:
        service.unwatch(request.user, incident)
        return Status(204, None)
    require(request, MANAGE_INCIDENTS)
    watcher = incident.watchers.filter(pk=user_id).first()
    if watcher is not None:
        service.remove_watcher(request.user, incident, watcher)
    return Status(204, None)


# --- tasks ------------------------------------------------------------------------------------


def _task(request: AuthenticatedRequest, incident_id: int, task_id: int) -> Task:
    incident = _incident(request, incident_id)
    task = incident.tasks.filter(pk=task_id).first()
    if task is None:
        raise Http404
    return task


def _owner(incident: Incident, owner_id: int | None) -> Any:
    return _user_among(
        service.task_owner_candidates(incident),
        owner_id,
        "owner_id",
        _("This person cannot read incidents of this establishment."),
    )


@router.get(
    "/incidents/{int:incident_id}/tasks",
    response={200: list[TaskOut], **ERROR_RESPONSES},
    summary="List an incident's tasks",
    operation_id="list_incident_tasks",
    url_name="response_incident_task_list",
    description="Requires `response.view_incidents`.",
)
def list_tasks(request: AuthenticatedRequest, incident_id: Path[Id]) -> Any:
    return list(_incident(request, incident_id).tasks.all())


@router.post(
    "/incidents/{int:incident_id}/tasks",
    response={201: TaskOut, **ERROR_RESPONSES},
    summary="Add a task",
    operation_id="create_incident_task",
    url_name="response_incident_task_add",
    description="The owner must be able to read the incident. Requires "
    "`response.manage_incidents` and a write token.",
)
def create_task(request: AuthenticatedRequest, incident_id: Path[Id], payload: TaskIn) -> Any:
    require(request, MANAGE_INCIDENTS)
    incident = _incident(request, incident_id)
    data = payload.dict()
    data["owner"] = _owner(incident, data.pop("owner_id"))
    return Status(201, service.add_task(request.user, incident, **data))


@router.patch(
    "/incidents/{int:incident_id}/tasks/{int:task_id}",
    response={200: TaskOut, **ERROR_RESPONSES},
    summary="Edit a task",
    operation_id="update_incident_task",
    url_name="response_incident_task_edit",
    description="Title, description, phase, owner (reassign), due date, decision "
    "flag. Requires `response.manage_incidents` and a write token.",
)
def update_task(
    request: AuthenticatedRequest,
    incident_id: Path[Id],
    task_id: Path[Id],
    payload: PatchDict[TaskIn],
) -> Any:
    require(request, MANAGE_INCIDENTS)
    task = _task(request, incident_id, task_id)
    changes = dict(payload)
    if "owner_id" in changes:
        changes["owner"] = _owner(task.incident, changes.pop("owner_id"))
    return service.edit_task(request.user, task, changes)


@router.post(
    "/incidents/{int:incident_id}/tasks/{int:task_id}/status",
    response={200: TaskOut, **ERROR_RESPONSES},
    summary="Start, complete or cancel a task",
    operation_id="set_incident_task_status",
    url_name="response_incident_task_status",
    description="A decision task needs `decision` to be completed; cancelling needs "
    "a `note`. The task's owner may do this; otherwise "
    "`response.manage_incidents` is required. Requires a write token.",
)
def set_task_status(
    request: AuthenticatedRequest, incident_id: Path[Id], task_id: Path[Id], payload: TaskStatusIn
) -> Any:
    task = _task(request, incident_id, task_id)
    return service.set_task_status(
        request.user, task, payload.status, decision=payload.decision, note=payload.note
    )


# --- timeline ---------------------------------------------------------------------------------


@router.get(
    "/incidents/{int:incident_id}/timeline",
    response={200: list[TimelineEntryOut], **ERROR_RESPONSES},
    summary="Read the timeline (main courante)",
    operation_id="list_incident_timeline",
    url_name="response_incident_timeline_list",
    description="Automatic entries for every change and written entries, in order. "
    "Recorded in the audit trail. Requires `response.view_incidents`.",
)
@paginate(Pagination)
def list_timeline(request: AuthenticatedRequest, incident_id: Path[Id]) -> Any:
    incident = _incident(request, incident_id)
    audit.record("view", incident, message="timeline read")
    return incident.timeline.order_by("at", "pk")


@router.post(
    "/incidents/{int:incident_id}/timeline",
    response={201: TimelineEntryOut, **ERROR_RESPONSES},
    summary="Write in the main courante",
    operation_id="create_incident_timeline_entry",
    url_name="response_incident_timeline_add",
    description="`kind` log or decision; `at` may precede now (never follow it). "
    "Entries cannot be changed: a correction is a new entry. Requires "
    "`response.manage_incidents` and a write token.",
)
def create_timeline_entry(
    request: AuthenticatedRequest, incident_id: Path[Id], payload: TimelineEntryIn
) -> Any:
    require(request, MANAGE_INCIDENTS)
    incident = _incident(request, incident_id)
    return Status(
        201,
        service.add_log_entry(
            request.user, incident, payload.text, kind=payload.kind, at=payload.at
        ),
    )


# --- observables ------------------------------------------------------------------------------


@router.get(
    "/incidents/{int:incident_id}/observables",
    response={200: list[ObservableOut], **ERROR_RESPONSES},
    summary="List observables",
    operation_id="list_incident_observables",
    url_name="response_incident_observable_list",
    description="Requires `response.view_incidents`.",
)
def list_observables(request: AuthenticatedRequest, incident_id: Path[Id]) -> Any:
    return list(_incident(request, incident_id).observables.all())


@router.post(
    "/incidents/{int:incident_id}/observables",
    response={200: ObservableOut, 201: ObservableOut, **ERROR_RESPONSES},
    summary="Add an observable",
    operation_id="create_incident_observable",
    url_name="response_incident_observable_add",
    description="IP, domain (stored in IDNA form), URL (http, https, ftp), hash (MD5, "
    "SHA-1, SHA-256, SHA-512), e-mail, account or host, normalised and "
    "validated; defanged values (hxxp, [.]) are accepted. 201 when added, "
    "200 with the existing one when already recorded. Requires "
    "`response.manage_incidents` and a write token.",
)
def create_observable(
    request: AuthenticatedRequest, incident_id: Path[Id], payload: ObservableIn
) -> Any:
    require(request, MANAGE_INCIDENTS)
    incident = _incident(request, incident_id)
    observable, created = service.add_observable(
        request.user,
        incident,
        payload.kind,
        payload.value,
        note=payload.note,
        is_ioc=payload.is_ioc,
    )
    return Status(201 if created else 200, observable)


@router.delete(
    "/incidents/{int:incident_id}/observables/{int:observable_id}",
    response={204: None, **ERROR_RESPONSES},
    summary="Remove an observable",
    operation_id="delete_incident_observable",
    url_name="response_incident_observable_delete",
    description="Requires `response.manage_incidents` and a write token.",
)
def delete_observable(
    request: AuthenticatedRequest, incident_id: Path[Id], observable_id: Path[Id]
) -> Any:
    require(request, MANAGE_INCIDENTS)
    incident = _incident(request, incident_id)
    observable = get_visible(Observable, request, observable_id)
    if observable.incident_id != incident.pk:
        raise Http404
    service.remove_observable(request.user, observable)
    return Status(204, None)


# --- comments ---------------------------------------------------------------------------------


@router.get(
    "/incidents/{int:incident_id}/comments",
    response={200: list[CommentOut], **ERROR_RESPONSES},
    summary="List comments",
    operation_id="list_incident_comments",
    url_name="response_incident_comment_list",
    description="Recorded in the audit trail. Requires `response.view_incidents`.",
)
@paginate(Pagination)
def list_comments(request: AuthenticatedRequest, incident_id: Path[Id]) -> Any:
    incident = _incident(request, incident_id)
    audit.record("view", incident, message="comments read")
    return incident.comments.order_by("created_at", "pk")


@router.post(
    "/incidents/{int:incident_id}/comments",
    response={201: CommentOut, **ERROR_RESPONSES},
    summary="Comment",
    operation_id="create_incident_comment",
    url_name="response_incident_comment_add",
    description="Incident managers and the DPO (`response.manage_obligations`) may "
    "comment. Comments are kept as written. Requires a write token.",
)
def create_comment(request: AuthenticatedRequest, incident_id: Path[Id], payload: CommentIn) -> Any:
    incident = _incident(request, incident_id)
    if not service.can_comment(request.user):
        raise PermissionDenied(_("Your role does not allow this action."))
    return Status(201, service.add_comment(request.user, incident, payload.text))


# --- evidence ---------------------------------------------------------------------------------


def _item(request: AuthenticatedRequest, incident_id: int, item_id: int) -> IncidentEvidence:
    incident = _incident(request, incident_id)
    item = (
        incident.evidence.select_related("evidence", "incident__establishment")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise Http404
    return item


@router.get(
    "/incidents/{int:incident_id}/evidence",
    response={200: list[IncidentEvidenceOut], **ERROR_RESPONSES},
    summary="List evidence with its chain of custody",
    operation_id="list_incident_evidence",
    url_name="response_incident_evidence_list",
    description="Requires `response.view_incidents`.",
)
def list_evidence(request: AuthenticatedRequest, incident_id: Path[Id]) -> Any:
    incident = _incident(request, incident_id)
    return list(incident.evidence.select_related("evidence").prefetch_related("custody"))


@router.post(
    "/incidents/{int:incident_id}/evidence",
    response={201: IncidentEvidenceOut, 413: ErrorOut, 415: ErrorOut, **ERROR_RESPONSES},
    summary="Upload evidence",
    operation_id="create_incident_evidence",
    url_name="response_incident_evidence_add",
    description="multipart/form-data with `file`, `title`, optional `description` "
    "and `location`. Type judged by content (PDF, PNG, JPEG, text, CSV, "
    "JSON, ZIP, .docx, .xlsx), else 415; above the upload limit, 413. The "
    "server computes the SHA-256 and opens the chain of custody "
    "(collected). Requires `response.manage_incidents`, `evidence.add` "
    "and a write token.",
)
def create_evidence(
    request: AuthenticatedRequest,
    incident_id: Path[Id],
    payload: Form[IncidentEvidenceIn],
    file: File[UploadedFile],
) -> Any:
    require(request, MANAGE_INCIDENTS)
    require(request, ADD_EVIDENCE)
    incident = _incident(request, incident_id)
    check_upload(file)
    item = evidence_service.attach_evidence(
        request.user,
        incident,
        title=payload.title,
        uploaded_file=file,
        description=payload.description,
        location=payload.location,
    )
    return Status(
        201,
        IncidentEvidence.objects.select_related("evidence")
        .prefetch_related("custody")
        .get(pk=item.pk),
    )


@router.get(
    "/incidents/{int:incident_id}/evidence/{int:item_id}/download",
    response={200: None, **ERROR_RESPONSES},
    summary="Download evidence",
    operation_id="download_incident_evidence",
    url_name="response_incident_evidence_download",
    openapi_extra={
        "responses": {
            200: {
                "description": "The stored file as an attachment.",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
    description="Recorded in the chain of custody (downloaded) and the audit trail. "
    "Requires `response.view_incidents` and `evidence.view`.",
)
def download_evidence(
    request: AuthenticatedRequest, incident_id: Path[Id], item_id: Path[Id]
) -> FileResponse:
    require(request, VIEW_EVIDENCE)
    item = _item(request, incident_id, item_id)
    handle, content_type, filename = evidence_service.open_evidence(request.user, item)
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.post(
    "/incidents/{int:incident_id}/evidence/{int:item_id}/custody",
    response={201: CustodyEventOut, **ERROR_RESPONSES},
    summary="Record a hand-over, seal or return",
    operation_id="create_incident_custody_event",
    url_name="response_incident_custody_add",
    description="`transferred` and `returned` need `counterpart` (who receives it, "
    "who becomes the holder); `sealed` needs a `note` (seal number). "
    "Requires `response.manage_incidents` and a write token.",
)
def create_custody_event(
    request: AuthenticatedRequest, incident_id: Path[Id], item_id: Path[Id], payload: CustodyEventIn
) -> Any:
    require(request, MANAGE_INCIDENTS)
    item = _item(request, incident_id, item_id)
    return Status(
        201,
        evidence_service.record_custody(
            request.user,
            item,
            payload.action,
            counterpart=payload.counterpart,
            location=payload.location,
            note=payload.note,
        ),
    )


@router.post(
    "/incidents/{int:incident_id}/evidence/{int:item_id}/verify",
    response={200: VerificationOut, **ERROR_RESPONSES},
    summary="Verify evidence integrity",
    operation_id="verify_incident_evidence",
    url_name="response_incident_evidence_verify",
    description="Recomputes the SHA-256 of the stored file and records the result in "
    "the chain of custody; a mismatch also raises an alert. Requires "
    "`response.manage_incidents` and a write token.",
)
def verify_evidence(request: AuthenticatedRequest, incident_id: Path[Id], item_id: Path[Id]) -> Any:
    require(request, MANAGE_INCIDENTS)
    item = _item(request, incident_id, item_id)
    result = evidence_service.verify_evidence(request.user, item)
    return {
        "matches": result.matches,
        "expected_sha256": result.expected,
        "computed_sha256": result.computed,
        "event": result.event,
    }
