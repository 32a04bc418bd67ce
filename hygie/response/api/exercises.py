"""Response API: crisis exercises (plan, run, log, review, report).

No ``from __future__ import annotations``: ninja reads the annotations at import time.
"""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, PatchDict, Path, Query, Router, Schema
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from hygie.core import audit
from hygie.core.api.choice_values import choice_literal
from hygie.core.api.common import (
    ERROR_RESPONSES,
    Pagination,
    apply_ordering,
    check_visible_reference,
    get_visible,
    ordering_description,
    require,
)
from hygie.core.api.schemas import Id, InputFilters, InputSchema, InstantParam
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Establishment, User
from hygie.response.choices import ExerciseStatus
from hygie.response.engine.scenarios import MAX_SCENARIO_BYTES, Inject, format_duration
from hygie.response.models import Exercise, ExerciseEntry
from hygie.response.roles import MANAGE_EXERCISES, VIEW_INCIDENTS
from hygie.response.services import exercises as service

router = Router(tags=["Crisis exercises"])

# mypy cannot read a Literal built at run time: to it these are plain strings.
if TYPE_CHECKING:
    StatusValue = str
else:
    StatusValue = choice_literal(ExerciseStatus.values)
EntryKindValue = Literal["decision", "observation"]
ORDERINGS = ("planned_for", "started_at", "ended_at", "status", "title", "created_at")


# --- schemas -------------------------------------------------------------------------------


class ScenarioSummaryOut(Schema):
    key: str
    version: int
    title: str
    summary: str
    duration: str = Field(description="ISO 8601 duration, e.g. PT3H.")
    injects: int
    objectives: list[str]


class InjectOut(Schema):
    id: str
    at: str = Field(description="Offset from the start, ISO 8601 duration (e.g. PT15M).")
    at_seconds: int
    channel: str
    sender: str = Field(description="The inject's `from`.")
    title: str
    content: str
    expected_actions: list[str]
    obligations: list[str] = Field(
        description="Regulatory obligation ids the expected actions "
        "cite (e.g. cert_sante, gdpr_art33)."
    )
    facilitator_notes: str


class ExerciseEntryOut(Schema):
    id: int
    kind: str
    inject_key: str
    at: datetime
    elapsed_seconds: int | None = Field(description="Seconds since the start of the exercise.")
    author: str | None
    text: str


class ExerciseOut(Schema):
    id: int
    establishment_id: int
    title: str
    scenario_key: str
    scenario_version: int
    planned_for: datetime
    status: str
    started_at: datetime | None
    ended_at: datetime | None
    objectives: str
    participant_ids: list[int]
    other_participants: str
    summary: str
    strengths: str
    improvements: str
    action_plan: str
    report_evidence_id: int | None
    created_at: datetime

    @staticmethod
    def resolve_scenario_version(obj: Exercise) -> int:
        return service.scenario_of(obj).version

    @staticmethod
    def resolve_participant_ids(obj: Exercise) -> list[int]:
        return sorted(obj.participants.values_list("pk", flat=True))


class ExerciseIn(InputSchema):
    establishment_id: Id
    title: str = Field("", max_length=300, description="Empty: the scenario's title.")
    scenario_key: str = Field(
        "", max_length=100, description="A shipped scenario (see GET /exercises/scenarios)."
    )
    scenario_source: str = Field(
        "", max_length=MAX_SCENARIO_BYTES, description="Or a whole scenario YAML of your own."
    )
    planned_for: InstantParam
    objectives: str = Field("", max_length=10000, description="Empty: the scenario's.")
    participant_ids: list[Id] = Field(default_factory=list, max_length=500)
    other_participants: str = Field("", max_length=5000)


class ExercisePatch(InputSchema):
    title: str = Field(..., min_length=1, max_length=300)
    planned_for: InstantParam
    objectives: str = Field(..., max_length=10000)
    participant_ids: list[Id] = Field(..., max_length=500)
    other_participants: str = Field(..., max_length=5000)


class EntryIn(InputSchema):
    kind: EntryKindValue
    text: str = Field(..., min_length=1, max_length=service.MAX_ENTRY_LENGTH)
    at: InstantParam | None = Field(None, description="Default: now (or the end, afterwards).")


class AfterActionIn(InputSchema):
    summary: str = Field(..., min_length=1, max_length=service.MAX_TEXT_LENGTH)
    strengths: str = Field("", max_length=service.MAX_TEXT_LENGTH)
    improvements: str = Field("", max_length=service.MAX_TEXT_LENGTH)
    action_plan: str = Field("", max_length=service.MAX_TEXT_LENGTH)
    generate_report: bool = Field(True, description="Also render the PDF and keep it as evidence.")


class DeliverIn(InputSchema):
    inject_id: str = Field("", max_length=100, description="Empty: the next inject.")


class ConsoleOut(Schema):
    status: str
    elapsed_seconds: int
    remaining_seconds: int
    delivered_now: list[ExerciseEntryOut] = Field(description="Injects this call delivered.")
    delivered: list[InjectOut] = Field(description="Every inject delivered so far, in order.")
    next_inject_id: str | None
    next_inject_in_seconds: int | None
    total_injects: int


class ExerciseFilters(InputFilters):
    status: StatusValue | None = None
    establishment: Annotated[Id | None, FilterLookup("establishment_id")] = None
    scenario_key: str | None = None
    planned_after: Annotated[InstantParam | None, FilterLookup("planned_for__gte")] = None
    planned_before: Annotated[InstantParam | None, FilterLookup("planned_for__lt")] = None
    q: Annotated[str | None, FilterLookup("title__icontains")] = None


# --- helpers -------------------------------------------------------------------------------


def _inject_out(inject: Inject) -> dict[str, Any]:
    language = translation.get_language()
    return {
        "id": inject.id,
        "at": format_duration(inject.at),
        "at_seconds": int(inject.at.total_seconds()),
        "channel": inject.channel,
        "sender": inject.sender,
        "title": inject.title.get(language),
        "content": inject.content.get(language),
        "expected_actions": [action.text.get(language) for action in inject.expected_actions],
        "obligations": list(inject.obligations),
        "facilitator_notes": inject.facilitator_notes.get(language)
        if inject.facilitator_notes
        else "",
    }


def _entry_out(entry: ExerciseEntry) -> dict[str, Any]:
    started = entry.exercise.started_at
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "inject_key": entry.inject_key,
        "at": entry.at,
        "elapsed_seconds": int((entry.at - started).total_seconds()) if started else None,
        "author": entry.author.get_username() if entry.author else None,
        "text": entry.text,
    }


def _participants(request: AuthenticatedRequest, ids: list[int]) -> list[Any]:
    found = list(User.objects.filter(pk__in=set(ids)))
    if len(found) != len(set(ids)):
        # Same message as for a user of another establishment: ids are not probed this way.
        raise ValidationError(
            {
                "participant_ids": [
                    _("Participants must be users who can see the exercise's establishment.")
                ]
            }
        )
    return found


def _console(exercise: Exercise, delivered_now: list[ExerciseEntry]) -> dict[str, Any]:
    state = service.console_state(exercise)
    return {
        "status": exercise.status,
        "elapsed_seconds": int(state.elapsed.total_seconds()),
        "remaining_seconds": int(state.remaining.total_seconds()),
        "delivered_now": [_entry_out(entry) for entry in delivered_now],
        "delivered": [_inject_out(item.inject) for item in state.delivered if item.inject],
        "next_inject_id": state.next_inject.id if state.next_inject else None,
        "next_inject_in_seconds": int(state.next_in.total_seconds())
        if state.next_in is not None
        else None,
        "total_injects": state.total_injects,
    }


# --- routes --------------------------------------------------------------------------------


@router.get(
    "/exercises/scenarios",
    response={200: list[ScenarioSummaryOut], **ERROR_RESPONSES},
    summary="List shipped scenarios",
    operation_id="list_exercise_scenarios",
    url_name="response_exercise_scenario_list",
    description="The scenarios Hygie ships, in the request's language. Requires "
    "`response.view_incidents`.",
)
def list_scenarios(request: AuthenticatedRequest) -> list[dict[str, Any]]:
    require(request, VIEW_INCIDENTS)
    language = translation.get_language()
    return [
        {
            "key": key,
            "version": item.scenario.version,
            "title": item.scenario.title.get(language),
            "summary": item.scenario.summary.get(language),
            "duration": format_duration(item.scenario.duration),
            "injects": len(item.scenario.injects),
            "objectives": [text.get(language) for text in item.scenario.objectives],
        }
        for key, item in service.shipped_scenarios().items()
    ]


@router.get(
    "/exercises",
    response={200: list[ExerciseOut], **ERROR_RESPONSES},
    summary="List crisis exercises",
    operation_id="list_exercises",
    url_name="response_exercise_list",
    description="Exercises of your establishments. Requires `response.view_incidents`.",
)
@paginate(Pagination)
def list_exercises(
    request: AuthenticatedRequest,
    filters: Query[ExerciseFilters],
    ordering: str | None = Query(None, description=ordering_description(ORDERINGS)),
) -> Any:
    require(request, VIEW_INCIDENTS)
    queryset = filters.filter(Exercise.objects.visible_to(request.user))
    return apply_ordering(queryset, ordering, ORDERINGS).prefetch_related("participants")


@router.post(
    "/exercises",
    response={201: ExerciseOut, **ERROR_RESPONSES},
    summary="Plan a crisis exercise",
    operation_id="create_exercise",
    url_name="response_exercise_add",
    description="From a shipped scenario (`scenario_key`) or your own YAML "
    "(`scenario_source`, validated; every problem is listed with its line). "
    "Requires `response.manage_exercises`.",
)
def create_exercise(request: AuthenticatedRequest, payload: ExerciseIn) -> tuple[int, Exercise]:
    require(request, MANAGE_EXERCISES)
    check_visible_reference(Establishment, request, "establishment_id", payload.establishment_id)
    establishment = Establishment.objects.get(pk=payload.establishment_id)
    exercise = service.plan_exercise(
        request.user,
        establishment=establishment,
        title=payload.title,
        planned_for=payload.planned_for,
        scenario_key=payload.scenario_key,
        scenario_source=payload.scenario_source,
        objectives=payload.objectives,
        participants=_participants(request, payload.participant_ids),
        other_participants=payload.other_participants,
    )
    return 201, exercise


@router.get(
    "/exercises/{int:exercise_id}",
    response={200: ExerciseOut, **ERROR_RESPONSES},
    summary="Get a crisis exercise",
    operation_id="get_exercise",
    url_name="response_exercise_detail",
    description="Requires `response.view_incidents`.",
)
def get_exercise(request: AuthenticatedRequest, exercise_id: Path[Id]) -> Exercise:
    require(request, VIEW_INCIDENTS)
    return get_visible(Exercise, request, exercise_id)


@router.patch(
    "/exercises/{int:exercise_id}",
    response={200: ExerciseOut, **ERROR_RESPONSES},
    summary="Change an exercise's plan",
    operation_id="update_exercise",
    url_name="response_exercise_edit",
    description="Title, objectives and other participants at any time; date and "
    "participants until it ends. Requires `response.manage_exercises`.",
)
def update_exercise(
    request: AuthenticatedRequest, exercise_id: Path[Id], payload: PatchDict[ExercisePatch]
) -> Exercise:
    require(request, MANAGE_EXERCISES)
    exercise = get_visible(Exercise, request, exercise_id)
    fields = dict(payload)
    participants = fields.pop("participant_ids", None)
    return service.update_plan(
        exercise,
        request.user,
        participants=_participants(request, participants) if participants is not None else None,
        **fields,
    )


@router.delete(
    "/exercises/{int:exercise_id}",
    response={204: None, **ERROR_RESPONSES},
    summary="Delete a planned or cancelled exercise",
    operation_id="delete_exercise",
    url_name="response_exercise_delete",
    description="Running and completed exercises are kept (compliance evidence). "
    "Requires `response.manage_exercises`.",
)
def delete_exercise(request: AuthenticatedRequest, exercise_id: Path[Id]) -> tuple[int, None]:
    require(request, MANAGE_EXERCISES)
    service.delete_exercise(get_visible(Exercise, request, exercise_id), request.user)
    return 204, None


@router.post(
    "/exercises/{int:exercise_id}/start",
    response={200: ExerciseOut, **ERROR_RESPONSES},
    summary="Start an exercise",
    operation_id="start_exercise",
    url_name="response_exercise_start",
    description="Starts the clock; injects at PT0S are delivered at once. Requires "
    "`response.manage_exercises`.",
)
def start_exercise(request: AuthenticatedRequest, exercise_id: Path[Id]) -> Exercise:
    require(request, MANAGE_EXERCISES)
    exercise = service.start_exercise(get_visible(Exercise, request, exercise_id), request.user)
    service.deliver_due_injects(exercise, request.user)
    return exercise


@router.post(
    "/exercises/{int:exercise_id}/cancel",
    response={200: ExerciseOut, **ERROR_RESPONSES},
    summary="Cancel a planned exercise",
    operation_id="cancel_exercise",
    url_name="response_exercise_cancel",
    description="Requires `response.manage_exercises`.",
)
def cancel_exercise(request: AuthenticatedRequest, exercise_id: Path[Id]) -> Exercise:
    require(request, MANAGE_EXERCISES)
    return service.cancel_exercise(get_visible(Exercise, request, exercise_id), request.user)


@router.post(
    "/exercises/{int:exercise_id}/end",
    response={200: ExerciseOut, **ERROR_RESPONSES},
    summary="End an exercise",
    operation_id="end_exercise",
    url_name="response_exercise_end",
    description="Delivers what is due, then stops the clock. Requires `response.manage_exercises`.",
)
def end_exercise(request: AuthenticatedRequest, exercise_id: Path[Id]) -> Exercise:
    require(request, MANAGE_EXERCISES)
    exercise = get_visible(Exercise, request, exercise_id)
    service.deliver_due_injects(exercise, request.user)
    return service.end_exercise(exercise, request.user)


@router.get(
    "/exercises/{int:exercise_id}/injects",
    response={200: list[InjectOut], **ERROR_RESPONSES},
    summary="The scenario's injects (facilitator view)",
    operation_id="list_exercise_injects",
    url_name="response_exercise_inject_list",
    description="Every inject of the frozen scenario, with expected actions and "
    "facilitator notes. Requires `response.manage_exercises` (players "
    "should not read ahead).",
)
def list_injects(request: AuthenticatedRequest, exercise_id: Path[Id]) -> list[dict[str, Any]]:
    require(request, MANAGE_EXERCISES)
    exercise = get_visible(Exercise, request, exercise_id)
    return [_inject_out(item) for item in service.scenario_of(exercise).injects]


@router.get(
    "/exercises/{int:exercise_id}/due-injects",
    response={200: ConsoleOut, **ERROR_RESPONSES},
    summary="Poll a running exercise",
    operation_id="poll_exercise",
    url_name="response_exercise_poll",
    description="Delivers the injects whose time has come (each exactly once, however "
    "many clients poll) and returns the clock, the delivered injects and the "
    "next one. Idempotent. Requires `response.view_incidents`.",
)
def poll_exercise(request: AuthenticatedRequest, exercise_id: Path[Id]) -> dict[str, Any]:
    require(request, VIEW_INCIDENTS)
    exercise = get_visible(Exercise, request, exercise_id)
    delivered = service.deliver_due_injects(exercise, request.user)
    return _console(exercise, delivered)


@router.post(
    "/exercises/{int:exercise_id}/deliver",
    response={200: ConsoleOut, **ERROR_RESPONSES},
    summary="Deliver an inject now",
    operation_id="deliver_exercise_inject",
    url_name="response_exercise_deliver",
    description="The facilitator delivers the next inject (or `inject_id`) ahead of its "
    "time. Requires `response.manage_exercises`.",
)
def deliver_inject(
    request: AuthenticatedRequest, exercise_id: Path[Id], payload: DeliverIn
) -> dict[str, Any]:
    require(request, MANAGE_EXERCISES)
    exercise = get_visible(Exercise, request, exercise_id)
    delivered = service.deliver_due_injects(exercise, request.user)
    delivered.append(service.deliver_inject_now(exercise, request.user, payload.inject_id or None))
    return _console(exercise, delivered)


@router.get(
    "/exercises/{int:exercise_id}/entries",
    response={200: list[ExerciseEntryOut], **ERROR_RESPONSES},
    summary="List an exercise's log",
    operation_id="list_exercise_entries",
    url_name="response_exercise_entry_list",
    description="Injects delivered, decisions and observations, in time order. Requires "
    "`response.view_incidents`.",
)
@paginate(Pagination)
def list_entries(request: AuthenticatedRequest, exercise_id: Path[Id]) -> Any:
    require(request, VIEW_INCIDENTS)
    exercise = get_visible(Exercise, request, exercise_id)
    entries = exercise.entries.select_related("author", "exercise").order_by("at", "pk")
    return [_entry_out(entry) for entry in entries]


@router.post(
    "/exercises/{int:exercise_id}/entries",
    response={201: ExerciseEntryOut, **ERROR_RESPONSES},
    summary="Log a decision or an observation",
    operation_id="create_exercise_entry",
    url_name="response_exercise_entry_add",
    description="Requires `response.manage_exercises`.",
)
def create_entry(
    request: AuthenticatedRequest, exercise_id: Path[Id], payload: EntryIn
) -> tuple[int, dict[str, Any]]:
    require(request, MANAGE_EXERCISES)
    exercise = get_visible(Exercise, request, exercise_id)
    entry = service.record_entry(exercise, request.user, payload.kind, payload.text, payload.at)
    return 201, _entry_out(entry)


@router.post(
    "/exercises/{int:exercise_id}/report",
    response={200: ExerciseOut, **ERROR_RESPONSES},
    summary="Save the after-action review (and produce the report)",
    operation_id="save_exercise_report",
    url_name="response_exercise_report",
    description="Once completed. With `generate_report` (default), the PDF is rendered "
    "in the request's language and kept as evidence (SHA-256) linked to the "
    "exercise. Requires `response.manage_exercises` and `evidence.add`.",
)
def save_report(
    request: AuthenticatedRequest, exercise_id: Path[Id], payload: AfterActionIn
) -> Exercise:
    require(request, MANAGE_EXERCISES)
    exercise = get_visible(Exercise, request, exercise_id)
    service.save_after_action(
        exercise,
        request.user,
        summary=payload.summary,
        strengths=payload.strengths,
        improvements=payload.improvements,
        action_plan=payload.action_plan,
    )
    if payload.generate_report:
        service.generate_report(exercise, request.user)
    exercise.refresh_from_db()
    return exercise


@router.get(
    "/exercises/{int:exercise_id}/report.pdf",
    response={200: None, **ERROR_RESPONSES},
    summary="Download the after-action report",
    operation_id="download_exercise_report",
    url_name="response_exercise_report_pdf",
    description="The stored PDF (as hashed in the evidence). Requires `response.view_incidents`.",
)
def download_report(request: AuthenticatedRequest, exercise_id: Path[Id]) -> FileResponse:
    require(request, VIEW_INCIDENTS)
    exercise = get_visible(Exercise, request, exercise_id)
    try:
        handle, name = service.report_file(exercise)
    except ValidationError:
        raise Http404 from None
    audit.record("export", exercise, message="after-action report downloaded")
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/pdf")
