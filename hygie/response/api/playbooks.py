"""Response API: the playbook library (shipped and the organisation's), validation, application to
incidents and progress.

A playbook is sent as its YAML text in ``source``. Invalid YAML is refused with 422 and every
problem in ``error.fields``, keyed by the path of the field (``phases.containment.steps[2].
due_after``), each message starting with its line number; ``POST /playbooks/validate`` is the dry
run, answering 200 with the problems as a list.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from hygie.core.api.common import ERROR_RESPONSES, get_visible, require
from hygie.core.api.schemas import Id
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Organisation
from hygie.response.engine.playbooks import MAX_PLAYBOOK_BYTES, PhaseProgress
from hygie.response.models import AppliedPlaybook, Incident
from hygie.response.models import Playbook as PlaybookRow
from hygie.response.roles import MANAGE_INCIDENTS, MANAGE_PLAYBOOKS, VIEW_INCIDENTS
from hygie.response.services import playbooks as service

router = Router(tags=["Response: playbooks"])

Key = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Source = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_PLAYBOOK_BYTES,
        description="The playbook as YAML text (docs/response-playbooks.md).",
    ),
]


class PlaybookSummaryOut(Schema):
    id: int | None = Field(None, description="Null for a shipped playbook.")
    key: str
    title: dict[str, str]
    version: str
    categories: list[str]
    is_shipped: bool
    is_active: bool
    organisation: int | None
    based_on: str
    reviewed_at: datetime | None
    overridden: bool = Field(
        description="A shipped playbook your organisation has its own copy of."
    )
    steps: int
    contacts_to_complete: int


class PlaybookOut(PlaybookSummaryOut):
    source: str
    playbook: dict[str, Any] = Field(description="The parsed structure.")


class PlaybookIn(Schema):
    source: Source
    organisation: Id | None = Field(
        None, description="Required when you see several organisations."
    )


class PlaybookUpdateIn(Schema):
    source: Source


class PlaybookCopyIn(Schema):
    organisation: Id | None = None


class ValidateIn(Schema):
    source: Annotated[str, Field(max_length=4 * MAX_PLAYBOOK_BYTES)]


class ProblemOut(Schema):
    path: str
    line: int | None
    column: int | None
    message: str


class ValidateOut(Schema):
    valid: bool
    problems: list[ProblemOut]


class ApplyIn(Schema):
    key: Key


class PhaseProgressOut(Schema):
    phase: str
    done: int
    total: int
    percent: int


class AppliedPlaybookOut(Schema):
    id: int
    incident: int
    key: str
    title: str
    version: str
    applied_at: datetime
    applied_by: int | None
    tasks: int
    progress: list[PhaseProgressOut]


def _summary(entry: service.LibraryEntry) -> dict[str, Any]:
    row = entry.row
    return {
        "id": row.pk if row else None,
        "key": entry.key,
        "title": entry.playbook.title.to_dict(),
        "version": entry.playbook.version,
        "categories": list(entry.playbook.categories),
        "is_shipped": row is None,
        "is_active": row.is_active if row else True,
        "organisation": row.organisation_id if row else None,
        "based_on": row.based_on if row else "",
        "reviewed_at": row.reviewed_at if row else None,
        "overridden": entry.overridden,
        "steps": entry.playbook.step_count,
        "contacts_to_complete": len(entry.playbook.contacts_to_complete),
    }


def _detail(entry: service.LibraryEntry) -> dict[str, Any]:
    return {**_summary(entry), "source": entry.source, "playbook": entry.playbook.to_dict()}


def _row_entry(row: PlaybookRow) -> service.LibraryEntry:
    return service.LibraryEntry(service.parse_row(row), row.source, row)


def _organisation(request: AuthenticatedRequest, pk: int | None) -> Organisation:
    visible = service.organisations_for(request.user)
    if pk is None:
        if len(visible) == 1:
            return visible[0]
        raise ValidationError({"organisation": [_("Choose an organisation.")]})
    for organisation in visible:
        if organisation.pk == pk:
            return organisation
    raise ValidationError({"organisation": [_("Unknown organisation.")]})


def _applied_out(applied: AppliedPlaybook, progress: tuple[PhaseProgress, ...]) -> dict[str, Any]:
    return {
        "id": applied.pk,
        "incident": applied.incident_id,
        "key": applied.key,
        "title": applied.title,
        "version": applied.version,
        "applied_at": applied.applied_at,
        "applied_by": applied.applied_by_id,
        "tasks": sum(item.total for item in progress),
        "progress": [item.to_dict() for item in progress],
    }


@router.get(
    "/playbooks",
    response={200: list[PlaybookSummaryOut], **ERROR_RESPONSES},
    summary="List playbooks",
    operation_id="list_playbooks",
    url_name="response_playbook_list",
    description="The shipped playbooks and your organisations' own, by title. "
    "`category` keeps those fitting an incident category. Requires "
    "`response.view_incidents`.",
)
def list_playbooks(
    request: AuthenticatedRequest,
    category: str | None = Query(None, max_length=40, description="An incident category."),
) -> Any:
    require(request, VIEW_INCIDENTS)
    return [_summary(entry) for entry in service.library_for(request.user, category=category or "")]


@router.get(
    "/playbooks/shipped/{key}",
    response={200: PlaybookOut, **ERROR_RESPONSES},
    summary="Get a shipped playbook",
    operation_id="get_shipped_playbook",
    url_name="response_playbook_shipped",
    description="Requires `response.view_incidents`.",
)
def get_shipped_playbook(request: AuthenticatedRequest, key: Path[Key]) -> Any:
    require(request, VIEW_INCIDENTS)
    item = service.shipped(key)
    if item is None:
        raise Http404
    return _detail(service.LibraryEntry(item.playbook, item.source))


@router.get(
    "/playbooks/{int:playbook_id}",
    response={200: PlaybookOut, **ERROR_RESPONSES},
    summary="Get an organisation's playbook",
    operation_id="get_playbook",
    url_name="response_playbook_detail",
    description="Requires `response.view_incidents`.",
)
def get_playbook(request: AuthenticatedRequest, playbook_id: Path[Id]) -> Any:
    require(request, VIEW_INCIDENTS)
    return _detail(_row_entry(get_visible(PlaybookRow, request, playbook_id)))


@router.post(
    "/playbooks",
    response={201: PlaybookOut, **ERROR_RESPONSES},
    summary="Add a playbook",
    operation_id="create_playbook",
    url_name="response_playbook_add",
    description="Adds a playbook to an organisation from its YAML `source`. Invalid "
    "YAML: 422 with every problem in `error.fields` (path → "
    '"line N: message"). Requires `response.manage_playbooks`.',
)
def create_playbook(request: AuthenticatedRequest, payload: PlaybookIn) -> Any:
    require(request, MANAGE_PLAYBOOKS)
    organisation = _organisation(request, payload.organisation)
    row = service.save_playbook_or_errors(request.user, payload.source, organisation=organisation)
    return Status(201, _detail(_row_entry(row)))


@router.put(
    "/playbooks/{int:playbook_id}",
    response={200: PlaybookOut, **ERROR_RESPONSES},
    summary="Replace a playbook's YAML",
    operation_id="update_playbook",
    url_name="response_playbook_replace",
    description="The version is bumped when the new YAML keeps the old one. Requires "
    "`response.manage_playbooks`.",
)
def update_playbook(
    request: AuthenticatedRequest, playbook_id: Path[Id], payload: PlaybookUpdateIn
) -> Any:
    require(request, MANAGE_PLAYBOOKS)
    row = get_visible(PlaybookRow, request, playbook_id)
    row = service.save_playbook_or_errors(request.user, payload.source, instance=row)
    return _detail(_row_entry(row))


@router.delete(
    "/playbooks/{int:playbook_id}",
    response={204: None, **ERROR_RESPONSES},
    summary="Delete an organisation's playbook",
    operation_id="delete_playbook",
    url_name="response_playbook_delete",
    description="Incidents keep the frozen copy they applied. Requires "
    "`response.manage_playbooks`.",
)
def delete_playbook(request: AuthenticatedRequest, playbook_id: Path[Id]) -> Any:
    require(request, MANAGE_PLAYBOOKS)
    service.delete_playbook(request.user, get_visible(PlaybookRow, request, playbook_id))
    return Status(204, None)


@router.post(
    "/playbooks/{int:playbook_id}/review",
    response={200: PlaybookOut, **ERROR_RESPONSES},
    summary="Mark a playbook reviewed",
    operation_id="review_playbook",
    url_name="response_playbook_review",
    description="Records that the organisation reviewed the playbook now. Requires "
    "`response.manage_playbooks`.",
)
def review_playbook(request: AuthenticatedRequest, playbook_id: Path[Id]) -> Any:
    require(request, MANAGE_PLAYBOOKS)
    row = service.mark_reviewed(request.user, get_visible(PlaybookRow, request, playbook_id))
    return _detail(_row_entry(row))


@router.post(
    "/playbooks/{int:playbook_id}/copy",
    response={201: PlaybookOut, **ERROR_RESPONSES},
    summary="Copy an organisation's playbook",
    operation_id="copy_playbook",
    url_name="response_playbook_copy",
    description="The copy gets a new key (`<key>-copy`). Requires `response.manage_playbooks`.",
)
def copy_playbook(
    request: AuthenticatedRequest, playbook_id: Path[Id], payload: PlaybookCopyIn
) -> Any:
    require(request, MANAGE_PLAYBOOKS)
    row = get_visible(PlaybookRow, request, playbook_id)
    organisation = (
        _organisation(request, payload.organisation) if payload.organisation else row.organisation
    )
    copy = service.copy_playbook(request.user, organisation, row=row)
    return Status(201, _detail(_row_entry(copy)))


@router.post(
    "/playbooks/shipped/{key}/copy",
    response={201: PlaybookOut, **ERROR_RESPONSES},
    summary="Copy a shipped playbook",
    operation_id="copy_shipped_playbook",
    url_name="response_playbook_shipped_copy",
    description="The copy keeps the key, so it replaces the shipped playbook for the "
    "organisation. Requires `response.manage_playbooks`.",
)
def copy_shipped_playbook(
    request: AuthenticatedRequest, key: Path[Key], payload: PlaybookCopyIn
) -> Any:
    require(request, MANAGE_PLAYBOOKS)
    if service.shipped(key) is None:
        raise Http404
    organisation = _organisation(request, payload.organisation)
    copy = service.copy_playbook(request.user, organisation, key=key)
    return Status(201, _detail(_row_entry(copy)))


@router.post(
    "/playbooks/validate",
    response={200: ValidateOut, **ERROR_RESPONSES},
    summary="Validate a playbook (dry run)",
    operation_id="validate_playbook",
    url_name="response_playbook_validate",
    description="Checks the YAML without saving anything: every problem with its path, "
    "line and column. Requires `response.view_incidents`.",
)
def validate_playbook(request: AuthenticatedRequest, payload: ValidateIn) -> Any:
    require(request, VIEW_INCIDENTS)
    problems = service.validate_source(payload.source)
    return {"valid": not problems, "problems": problems}


@router.get(
    "/incidents/{int:incident_id}/playbooks",
    response={200: list[AppliedPlaybookOut], **ERROR_RESPONSES},
    summary="Playbooks applied to an incident, with progress",
    operation_id="list_incident_playbooks",
    url_name="response_incident_playbook_list",
    description="Per phase: tasks done and total (cancelled tasks left out). Requires "
    "`response.view_incidents`.",
)
def list_incident_playbooks(request: AuthenticatedRequest, incident_id: Path[Id]) -> Any:
    require(request, VIEW_INCIDENTS)
    incident = get_visible(Incident, request, incident_id)
    return [
        _applied_out(applied, progress)
        for applied, progress in service.applied_with_progress(incident)
    ]


@router.post(
    "/incidents/{int:incident_id}/playbooks",
    response={201: AppliedPlaybookOut, **ERROR_RESPONSES},
    summary="Apply a playbook to an incident",
    operation_id="apply_playbook",
    url_name="response_incident_playbook_add",
    description="Creates one task per step (due dates from the step's `due_after`). "
    "The organisation's own copy is used when it has one. Applying the same "
    "playbook twice is refused (422). Requires "
    "`response.manage_incidents`.",
)
def apply_playbook(request: AuthenticatedRequest, incident_id: Path[Id], payload: ApplyIn) -> Any:
    require(request, MANAGE_INCIDENTS)
    incident = get_visible(Incident, request, incident_id)
    applied = service.apply_playbook(request.user, incident, payload.key)
    return Status(201, _applied_out(applied, service.progress(applied)))


@router.get(
    "/incidents/{int:incident_id}/playbooks/{int:applied_id}",
    response={200: AppliedPlaybookOut, **ERROR_RESPONSES},
    summary="Progress of one applied playbook",
    operation_id="get_incident_playbook",
    url_name="response_incident_playbook_detail",
    description="Requires `response.view_incidents`.",
)
def get_incident_playbook(
    request: AuthenticatedRequest, incident_id: Path[Id], applied_id: Path[Id]
) -> Any:
    require(request, VIEW_INCIDENTS)
    incident = get_visible(Incident, request, incident_id)
    applied = (
        AppliedPlaybook.objects.visible_to(request.user)
        .filter(incident=incident, pk=applied_id)
        .first()
    )
    if applied is None:
        raise Http404
    return _applied_out(applied, service.progress(applied))
