"""Training over the API: the module catalogue (with the quiz and its answers, for trainers),
synchronising the shipped catalogue, assigning a module to a group of the people directory, the
assignments and the completion rates by department.

No ``from __future__ import annotations``: ninja reads the handlers' annotations at import time.
"""

from datetime import date, datetime, time
from typing import Any

from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import Field

from hygie.awareness.models import TrainingAssignment, TrainingModule
from hygie.awareness.roles import MANAGE, VIEW
from hygie.awareness.services import training
from hygie.awareness.services.training_catalogue import CatalogueError
from hygie.core.api.common import (
    ERROR_RESPONSES,
    Pagination,
    get_visible,
    require,
    require_all_establishments,
)
from hygie.core.api.schemas import InputSchema
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Department, Establishment

router = Router(tags=["Training"])


class ModuleOut(Schema):
    id: int
    slug: str
    language: str
    version: int
    title: str
    summary: str
    duration_minutes: int
    pass_mark: int = Field(description="Percentage of right answers needed to pass.")
    is_published: bool
    establishment_id: int | None = Field(description="Empty for the shipped catalogue.")


class ModuleDetailOut(ModuleOut):
    body_markdown: str
    quiz: list[dict[str, Any]] = Field(
        description="Questions with their choices, the right ones and an explanation for each."
    )


class SyncOut(Schema):
    created: list[str]
    new_versions: list[str]
    unchanged: int
    moved_assignments: int


class AssignIn(InputSchema):
    module: str = Field(max_length=100, description="The module's slug.")
    establishment_ids: list[int] = Field(min_length=1, max_length=200)
    department_ids: list[int] = Field(default_factory=list, max_length=500)
    professions: list[str] = Field(default_factory=list, max_length=50)
    due_date: date


class AssignOut(Schema):
    created: int
    already_assigned: int
    assignment_ids: list[int]


class AssignmentOut(Schema):
    id: int
    establishment_id: int
    module_id: int
    module_slug: str = Field(alias="module.slug")
    module_version: int = Field(alias="module.version")
    person_id: int
    due_at: datetime | None
    token_expires_at: datetime
    reminded_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    score: int | None
    passed: bool
    attempts: int
    source: str


class AssignmentFilters(Schema):
    module: str | None = Field(None, max_length=100, description="A module slug.")
    passed: bool | None = None
    establishment_id: int | None = None


class DepartmentRateOut(Schema):
    department: str
    people: int
    trained: int
    percent: int


@router.get(
    "/training/modules",
    response={200: list[ModuleOut], **ERROR_RESPONSES},
    summary="List training modules",
    operation_id="awareness_list_training_modules",
    url_name="awareness_trainingmodule_list",
    description="The published version of every module you can see (shipped catalogue and "
    "your establishments' own). Requires `awareness.view`.",
)
def list_modules(request: AuthenticatedRequest) -> Any:
    require(request, VIEW)
    return training.published_modules(request.user)


@router.get(
    "/training/modules/{int:module_id}",
    response={200: ModuleDetailOut, **ERROR_RESPONSES},
    summary="A training module with its quiz",
    operation_id="awareness_get_training_module",
    url_name="awareness_trainingmodule_detail",
)
def get_module(request: AuthenticatedRequest, module_id: int) -> Any:
    require(request, VIEW)
    return get_visible(TrainingModule, request, module_id)


@router.post(
    "/training/sync",
    response={200: SyncOut, **ERROR_RESPONSES},
    summary="Synchronise the shipped training catalogue",
    operation_id="awareness_sync_training",
    url_name="awareness_training_sync",
    description="A new module becomes version 1, a changed one a new version; completed "
    "assignments keep the version passed. Requires `awareness.manage` and organisation-wide "
    "access.",
)
def sync(request: AuthenticatedRequest) -> Any:
    require(request, MANAGE)
    require_all_establishments(request)  # the shipped catalogue is the whole installation's
    try:
        report = training.sync_catalogue()
    except CatalogueError as error:
        raise HttpError(500, f"the shipped catalogue could not be read: {error}") from error
    return {
        "created": report.created,
        "new_versions": report.new_versions,
        "unchanged": report.unchanged,
        "moved_assignments": report.moved_assignments,
    }


@router.post(
    "/training/assignments",
    response={201: AssignOut, **ERROR_RESPONSES},
    summary="Assign a module to a group",
    operation_id="awareness_assign_training",
    url_name="awareness_trainingassignment_add",
    description="Every active person of the establishments, narrowed to departments and "
    "professions when given, gets the module (in the establishment's language) with a personal "
    "link mailed by the next reminder run; people who have it open already are skipped. "
    "Requires `awareness.manage`.",
)
def assign(request: AuthenticatedRequest, payload: AssignIn) -> Any:
    require(request, MANAGE)
    establishments = [get_visible(Establishment, request, pk) for pk in payload.establishment_ids]
    departments = list(
        Department.objects.filter(
            pk__in=payload.department_ids, establishment__in=establishments
        ).values_list("pk", flat=True)
    )
    if len(departments) != len(set(payload.department_ids)):
        raise HttpError(422, "a department is not one of these establishments")
    if payload.due_date <= timezone.localdate():
        raise HttpError(422, "the due date must be in the future")
    if training.current_module(payload.module, "fr", establishments[0]) is None:
        raise HttpError(404, "no published module with this slug")
    people = training.active_people(
        establishments, department_ids=departments, professions=payload.professions
    )
    due_at = timezone.make_aware(datetime.combine(payload.due_date, time(23, 59)))
    report = training.assign(payload.module, people, due_at=due_at, assigned_by=request.user)
    return 201, {
        "created": len(report.created),
        "already_assigned": report.already_assigned,
        "assignment_ids": [assignment.pk for assignment in report.created],
    }


@router.get(
    "/training/assignments",
    response={200: list[AssignmentOut], **ERROR_RESPONSES},
    summary="List training assignments",
    operation_id="awareness_list_training_assignments",
    url_name="awareness_trainingassignment_list",
    description="Personal links are not part of the answer. Requires `awareness.view`.",
)
@paginate(Pagination)
def list_assignments(request: AuthenticatedRequest, filters: Query[AssignmentFilters]) -> Any:
    require(request, VIEW)
    queryset = (
        TrainingAssignment.objects.visible_to(request.user)
        .select_related("module")
        .order_by("-created_at", "-pk")
    )
    if filters.module:
        queryset = queryset.filter(module__slug=filters.module)
    if filters.passed is not None:
        queryset = queryset.filter(passed=filters.passed)
    if filters.establishment_id is not None:
        queryset = queryset.filter(establishment_id=filters.establishment_id)
    return queryset


@router.get(
    "/training/completion",
    response={200: list[DepartmentRateOut], **ERROR_RESPONSES},
    summary="Training completion by department",
    operation_id="awareness_training_completion",
    url_name="awareness_training_completion",
    description="Active staff of the establishments you see and those who passed a module in "
    "the last 12 months, by department. Requires `awareness.view`.",
)
def completion(request: AuthenticatedRequest, establishment_id: int | None = None) -> Any:
    require(request, VIEW)
    if establishment_id is not None:
        establishments = [get_visible(Establishment, request, establishment_id)]
    else:
        establishments = list(Establishment.objects.visible_to(request.user))
    return [
        {
            "department": str(rate.department),
            "people": rate.people,
            "trained": rate.trained,
            "percent": rate.percent,
        }
        for rate in training.completion_by_department(establishments)
    ]
