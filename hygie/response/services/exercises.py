"""Crisis exercises: plan from a scenario, run with timed injects, log decisions, review.

Shared by the pages, the API and the probe. Every write checks the capability and the
establishment, validates, and runs in one transaction; engine errors become ValidationErrors
here, at one boundary. The scenario text is frozen into the exercise when it is planned, so an
exercise keeps running (and its report keeps reading) the script it was planned with even after
Hygie ships a new version of that scenario.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import default_task_backend, task

from hygie.core.models import Establishment, Evidence, User
from hygie.core.services import crud
from hygie.core.services.evidence import add_evidence
from hygie.core.services.pdf import render_pdf
from hygie.response.choices import ExerciseEntryKind, ExerciseStatus
from hygie.response.engine.scenarios import (
    Inject,
    Scenario,
    ScenarioError,
    due_injects,
    next_inject,
    parse_scenario,
)
from hygie.response.models import Exercise, ExerciseEntry
from hygie.response.roles import MANAGE_EXERCISES, VIEW_INCIDENTS

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"
# CaRE asks for a cyber crisis exercise every year in every establishment.
EXERCISE_PERIOD = timedelta(days=365)
MAX_ENTRY_LENGTH = 5_000
MAX_TEXT_LENGTH = 20_000
REPORT_TEMPLATE = "response/print/exercise_report.html"

CHANNEL_LABELS: dict[str, Any] = {
    "phone": gettext_lazy("Phone call"),
    "mail": gettext_lazy("E-mail"),
    "press": gettext_lazy("Press"),
    "social_media": gettext_lazy("Social media"),
    "soc": gettext_lazy("SOC / monitoring"),
    "it_team": gettext_lazy("IT team"),
    "ehr_vendor": gettext_lazy("EHR vendor"),
    "supplier": gettext_lazy("Supplier"),
    "ars": gettext_lazy("Regional health agency (ARS)"),
    "cert_sante": gettext_lazy("CERT Santé"),
    "cnil": gettext_lazy("CNIL"),
    "anssi": gettext_lazy("ANSSI"),
    "police": gettext_lazy("Police / gendarmerie"),
    "management": gettext_lazy("Management"),
    "clinical_staff": gettext_lazy("Clinical staff"),
    "patient": gettext_lazy("Patients"),
    "other": gettext_lazy("Other"),
}


# ---------------------------------------------------------------------------------------------
# Scenarios


@dataclass(frozen=True)
class ShippedScenario:
    key: str
    source: str
    scenario: Scenario


@functools.cache
def shipped_scenarios() -> dict[str, ShippedScenario]:
    """The scenarios Hygie ships, by key (read and validated once per process)."""
    found: dict[str, ShippedScenario] = {}
    for path in sorted(SCENARIO_DIR.glob("*.yaml")):
        source = path.read_text(encoding="utf-8")
        scenario = parse_scenario(source, source=path.name)
        found[scenario.key] = ShippedScenario(scenario.key, source, scenario)
    return found


def scenario_choices(language: str | None = None) -> list[tuple[str, str]]:
    language = language or translation.get_language()
    return [(key, item.scenario.title.get(language)) for key, item in shipped_scenarios().items()]


@functools.lru_cache(maxsize=64)
def _parse_cached(digest: str, source: str) -> Scenario:
    return parse_scenario(source, source="scenario")


def scenario_of(exercise: Exercise) -> Scenario:
    """The scenario the exercise was planned with (its frozen copy, not the shipped file)."""
    digest = hashlib.sha256(exercise.scenario_source.encode("utf-8")).hexdigest()
    return _parse_cached(digest, exercise.scenario_source)


def validate_scenario_source(source: str) -> Scenario:
    """Parse a custom scenario; its problems become one ValidationError on ``scenario_source``."""
    try:
        return parse_scenario(source, source="scenario")
    except ScenarioError as error:
        raise ValidationError(
            {"scenario_source": [str(problem) for problem in error.problems[:50]]}
        ) from None


# ---------------------------------------------------------------------------------------------
# Permissions


def _require_manage(
    user: User | None, exercise: Exercise | None = None, establishment: Establishment | None = None
) -> None:
    if user is None:  # the platform itself (demo, commands), as in the other services
        return
    if not user.can(MANAGE_EXERCISES):
        raise PermissionDenied(_("Your role does not allow managing crisis exercises."))
    target = establishment or (exercise.establishment if exercise else None)
    if target is not None:
        crud.check_establishment_allowed(user, target.pk)


def participant_candidates(establishment: Establishment | None, user: User | None) -> Any:
    """Active users who can see the establishment (or, without one, share one with ``user``)."""
    users = User.objects.filter(is_active=True)
    if establishment is not None:
        return (
            users.filter(
                Q(has_all_establishments=True)
                | Q(is_superuser=True)
                | Q(establishments=establishment.pk)
            )
            .distinct()
            .order_by("last_name", "first_name", "username")
        )
    if user is None:  # neither an establishment nor a user to scope by
        return users.none()
    if user.sees_all_establishments:
        return users.order_by("last_name", "first_name", "username")
    return (
        users.filter(
            Q(has_all_establishments=True) | Q(establishments__in=user.visible_establishment_ids())
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _check_participants(establishment: Establishment, participants: Iterable[Any]) -> list[Any]:
    chosen = list(participants)
    allowed = set(participant_candidates(establishment, None).values_list("pk", flat=True))
    if any(person.pk not in allowed for person in chosen):
        raise ValidationError(
            {
                "participants": [
                    _("Participants must be users who can see the exercise's establishment.")
                ]
            }
        )
    return chosen


# ---------------------------------------------------------------------------------------------
# Planning


def plan_exercise(
    user: User | None,
    *,
    establishment: Establishment,
    title: str,
    planned_for: datetime,
    scenario_key: str = "",
    scenario_source: str = "",
    objectives: str = "",
    participants: Iterable[Any] = (),
    other_participants: str = "",
) -> Exercise:
    """Plan an exercise from a shipped scenario (``scenario_key``) or a custom YAML source."""
    _require_manage(user, establishment=establishment)
    if scenario_source:
        scenario = validate_scenario_source(scenario_source)
        source = scenario_source
    else:
        shipped = shipped_scenarios().get(scenario_key)
        if shipped is None:
            raise ValidationError(
                {
                    "scenario_key": [
                        _("Unknown scenario; choose one of: %(keys)s.")
                        % {"keys": ", ".join(shipped_scenarios())}
                    ]
                }
            )
        scenario, source = shipped.scenario, shipped.source
    if not objectives.strip():
        language = translation.get_language()
        objectives = "\n".join(f"- {item.get(language)}" for item in scenario.objectives)
    exercise = Exercise(
        establishment=establishment,
        title=title.strip() or scenario.title.get(translation.get_language()),
        scenario_key=scenario.key,
        scenario_source=source,
        planned_for=planned_for,
        objectives=objectives,
        other_participants=other_participants,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    with transaction.atomic():
        chosen = _check_participants(establishment, participants)
        crud.save_instance(exercise, user)
        exercise.participants.set(chosen)
    return exercise


def update_plan(
    exercise: Exercise,
    user: User | None,
    *,
    participants: Iterable[Any] | None = None,
    **fields: Any,
) -> Exercise:
    """Change the title, date, objectives or participants (not after the exercise ended)."""
    _require_manage(user, exercise)
    allowed = {"title", "planned_for", "objectives", "other_participants"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    if exercise.status in (ExerciseStatus.COMPLETED, ExerciseStatus.CANCELLED) and (
        "planned_for" in fields or participants is not None
    ):
        raise ValidationError(
            _("The date and participants of a finished exercise are kept as they were.")
        )
    with transaction.atomic():
        crud.save_instance(exercise, user, **fields)
        if participants is not None:
            exercise.participants.set(_check_participants(exercise.establishment, participants))
    return exercise


def cancel_exercise(exercise: Exercise, user: User | None) -> Exercise:
    _require_manage(user, exercise)
    if exercise.status != ExerciseStatus.PLANNED:
        raise ValidationError(_("Only a planned exercise can be cancelled."))
    return crud.save_instance(exercise, user, status=ExerciseStatus.CANCELLED)


def delete_exercise(exercise: Exercise, user: User | None) -> None:
    """A completed exercise is compliance evidence: it is kept."""
    _require_manage(user, exercise)
    check_deletable(exercise)
    crud.delete_instance(exercise, user)


def check_deletable(exercise: Exercise) -> None:
    if exercise.status in (ExerciseStatus.RUNNING, ExerciseStatus.COMPLETED):
        raise ValidationError(
            _(
                "A running or completed exercise cannot be deleted: it is the "
                "record of the exercise (compliance evidence)."
            )
        )


# ---------------------------------------------------------------------------------------------
# Running


def start_exercise(
    exercise: Exercise, user: User | None, *, at: datetime | None = None
) -> Exercise:
    _require_manage(user, exercise)
    with transaction.atomic():
        locked = Exercise.objects.select_for_update().get(pk=exercise.pk)
        if locked.status != ExerciseStatus.PLANNED:
            raise ValidationError(_("Only a planned exercise can be started."))
        crud.save_instance(
            locked, user, status=ExerciseStatus.RUNNING, started_at=at or timezone.now()
        )
        transaction.on_commit(functools.partial(schedule_injects, locked.pk))
    exercise.refresh_from_db()
    return exercise


def schedule_injects(exercise_id: int) -> int:
    """Queue one delivery task per inject time, so injects arrive with every console closed.

    The task backend holds each task until its time (``run_after``). A backend that cannot
    defer (the immediate one of the tests) gets none: the consoles' polling still delivers.
    Returns the number of tasks queued.
    """
    exercise = Exercise.objects.filter(pk=exercise_id, status=ExerciseStatus.RUNNING).first()
    if exercise is None or exercise.started_at is None:
        return 0
    if not default_task_backend.supports_defer:
        return 0
    started_at = exercise.started_at
    moments = sorted({started_at + inject.at for inject in scenario_of(exercise).injects})
    for moment in moments:
        deliver_scheduled_injects.using(run_after=moment).enqueue(exercise_id)
    return len(moments)


@task()
def deliver_scheduled_injects(exercise_id: int) -> dict[str, Any]:
    """The task runner's entry point: deliver what is due (possibly nothing, if a console or
    an earlier task already did, or the exercise ended). Stored in the installation's language,
    as the scheduler's job titles are."""
    exercise = Exercise.objects.filter(pk=exercise_id).first()
    if exercise is None:
        return {"exercise": exercise_id, "delivered": 0}
    with translation.override(settings.LANGUAGE_CODE):
        delivered = deliver_due_injects(exercise)
    return {"exercise": exercise_id, "delivered": len(delivered)}


def elapsed(exercise: Exercise, now: datetime | None = None) -> timedelta:
    """Time since the start, frozen at the end; zero before the start."""
    if exercise.started_at is None:
        return timedelta(0)
    end = exercise.ended_at or now or timezone.now()
    return max(end - exercise.started_at, timedelta(0))


def delivered_keys(exercise: Exercise) -> set[str]:
    return set(
        exercise.entries.filter(kind=ExerciseEntryKind.INJECT).values_list("inject_key", flat=True)
    )


def _record_inject(
    exercise: Exercise, inject: Inject, at: datetime, user: User | None, language: str
) -> ExerciseEntry | None:
    """One delivery, once: the unique constraint refuses a second row for the same inject."""
    entry = ExerciseEntry(
        exercise=exercise,
        kind=ExerciseEntryKind.INJECT,
        inject_key=inject.id,
        at=at,
        text=inject.title.get(language),
        author=user if getattr(user, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        return None  # delivered meanwhile by another poll
    return entry


def deliver_due_injects(
    exercise: Exercise, user: User | None = None, now: datetime | None = None
) -> list[ExerciseEntry]:
    """Record the injects whose time has come; return only those delivered by this call.

    Safe to call from any number of concurrent pollers: the exercise row is locked while the
    deliveries are written, and the unique constraint on (exercise, inject) backs it up.
    Delivery is a consequence of the clock, not a decision, so any user who may view the
    exercise triggers it by polling.
    """
    if exercise.status != ExerciseStatus.RUNNING:
        return []
    now = now or timezone.now()
    language = translation.get_language() or "fr"
    delivered: list[ExerciseEntry] = []
    with transaction.atomic():
        locked = Exercise.objects.select_for_update().get(pk=exercise.pk)
        if locked.status != ExerciseStatus.RUNNING:
            return []
        scenario = scenario_of(locked)
        for inject in due_injects(scenario, elapsed(locked, now), delivered_keys(locked)):
            entry = _record_inject(locked, inject, now, user, language)
            if entry is not None:
                delivered.append(entry)
    return delivered


def deliver_inject_now(
    exercise: Exercise, user: User | None, inject_id: str | None = None, now: datetime | None = None
) -> ExerciseEntry:
    """The facilitator delivers an inject ahead of its time (by default the next one)."""
    _require_manage(user, exercise)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Exercise.objects.select_for_update().get(pk=exercise.pk)
        if locked.status != ExerciseStatus.RUNNING:
            raise ValidationError(_("Injects are delivered only while the exercise is running."))
        scenario = scenario_of(locked)
        done = delivered_keys(locked)
        if inject_id:
            inject = scenario.inject(inject_id)
            if inject is None:
                raise ValidationError({"inject": [_("This scenario has no such inject.")]})
            if inject.id in done:
                raise ValidationError({"inject": [_("This inject was already delivered.")]})
        else:
            inject = next_inject(scenario, done)
            if inject is None:
                raise ValidationError(_("Every inject has been delivered."))
        entry = _record_inject(locked, inject, now, user, translation.get_language() or "fr")
        if entry is None:
            raise ValidationError({"inject": [_("This inject was already delivered.")]})
    return entry


def record_entry(
    exercise: Exercise, user: User | None, kind: str, text: str, at: datetime | None = None
) -> ExerciseEntry:
    """Log a decision or an observation (during the exercise, or afterwards from notes)."""
    _require_manage(user, exercise)
    if kind not in (ExerciseEntryKind.DECISION, ExerciseEntryKind.OBSERVATION):
        raise ValidationError({"kind": [_("Log a decision or an observation.")]})
    text = text.strip()
    if not text:
        raise ValidationError({"text": [_("Write what was decided or observed.")]})
    if len(text) > MAX_ENTRY_LENGTH:
        raise ValidationError(
            {"text": [_("At most %(limit)d characters.") % {"limit": MAX_ENTRY_LENGTH}]}
        )
    if exercise.status not in (ExerciseStatus.RUNNING, ExerciseStatus.COMPLETED):
        raise ValidationError(
            _("Decisions and observations are logged once the exercise has started.")
        )
    now = timezone.now()
    at = at or (exercise.ended_at if exercise.status == ExerciseStatus.COMPLETED else now)
    assert exercise.started_at is not None and at is not None
    if at < exercise.started_at or at > (exercise.ended_at or now):
        raise ValidationError({"at": [_("The time must fall within the exercise.")]})
    entry = ExerciseEntry(
        exercise=exercise,
        kind=kind,
        text=text,
        at=at,
        author=user if getattr(user, "is_authenticated", False) else None,
    )
    with transaction.atomic():
        entry.full_clean()
        entry.save()
    return entry


def end_exercise(exercise: Exercise, user: User | None, *, at: datetime | None = None) -> Exercise:
    _require_manage(user, exercise)
    with transaction.atomic():
        locked = Exercise.objects.select_for_update().get(pk=exercise.pk)
        if locked.status != ExerciseStatus.RUNNING:
            raise ValidationError(_("Only a running exercise can be ended."))
        ended_at = at or timezone.now()
        assert locked.started_at is not None
        if ended_at < locked.started_at:
            raise ValidationError({"at": [_("The end cannot come before the start.")]})
        crud.save_instance(locked, user, status=ExerciseStatus.COMPLETED, ended_at=ended_at)
    exercise.refresh_from_db()
    return exercise


# ---------------------------------------------------------------------------------------------
# The console's state


@dataclass(frozen=True)
class DeliveredInject:
    entry: ExerciseEntry
    inject: Inject | None
    scheduled_at: timedelta | None
    delivered_after: timedelta
    was_early: bool


@dataclass(frozen=True)
class ConsoleState:
    elapsed: timedelta
    remaining: timedelta
    delivered: list[DeliveredInject]
    entries: list[ExerciseEntry]
    next_inject: Inject | None
    next_in: timedelta | None
    total_injects: int
    is_over_time: bool


def console_state(exercise: Exercise, now: datetime | None = None) -> ConsoleState:
    """What the run console shows: clock, delivered injects, the log, the next inject."""
    now = now or timezone.now()
    scenario = scenario_of(exercise)
    spent = elapsed(exercise, now)
    entries = list(exercise.entries.select_related("author").order_by("at", "pk"))
    delivered = []
    for entry in entries:
        if entry.kind != ExerciseEntryKind.INJECT:
            continue
        inject = scenario.inject(entry.inject_key)
        after = entry.at - exercise.started_at if exercise.started_at else timedelta(0)
        delivered.append(
            DeliveredInject(
                entry,
                inject,
                inject.at if inject else None,
                after,
                bool(inject and after < inject.at),
            )
        )
    upcoming = next_inject(scenario, {item.entry.inject_key for item in delivered})
    next_in = None
    if upcoming is not None and exercise.status == ExerciseStatus.RUNNING:
        next_in = max(upcoming.at - spent, timedelta(0))
    return ConsoleState(
        elapsed=spent,
        remaining=max(scenario.duration - spent, timedelta(0)),
        delivered=delivered,
        entries=entries,
        next_inject=upcoming,
        next_in=next_in,
        total_injects=len(scenario.injects),
        is_over_time=spent > scenario.duration,
    )


def clock(value: timedelta | None) -> str:
    """``H:MM:SS`` for the console and the report."""
    if value is None:
        return ""
    seconds = max(int(value.total_seconds()), 0)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


# ---------------------------------------------------------------------------------------------
# After-action review


def save_after_action(
    exercise: Exercise,
    user: User | None,
    *,
    summary: str,
    strengths: str,
    improvements: str,
    action_plan: str,
) -> Exercise:
    _require_manage(user, exercise)
    if exercise.status != ExerciseStatus.COMPLETED:
        raise ValidationError(
            _("The after-action review is written once the exercise is completed.")
        )
    fields = {
        "summary": summary,
        "strengths": strengths,
        "improvements": improvements,
        "action_plan": action_plan,
    }
    for name, value in fields.items():
        if len(value) > MAX_TEXT_LENGTH:
            raise ValidationError(
                {name: [_("At most %(limit)d characters.") % {"limit": MAX_TEXT_LENGTH}]}
            )
    if not summary.strip():
        raise ValidationError({"summary": [_("Summarise how the exercise went.")]})
    return crud.save_instance(exercise, user, **{k: v.strip() for k, v in fields.items()})


@dataclass(frozen=True)
class ChronologyRow:
    at: timedelta
    kind: str
    kind_label: str
    text: str
    author: str
    detail: str
    scheduled_at: timedelta | None

    @property
    def at_text(self) -> str:
        return clock(self.at)

    @property
    def scheduled_text(self) -> str:
        return clock(self.scheduled_at)


def report_context(exercise: Exercise, language: str) -> dict[str, Any]:
    scenario = scenario_of(exercise)
    state = console_state(exercise)
    start = exercise.started_at
    rows = []
    by_entry = {item.entry.pk: item for item in state.delivered}
    for entry in state.entries:
        offset = entry.at - start if start else timedelta(0)
        detail, scheduled, text = "", None, entry.text
        if entry.kind == ExerciseEntryKind.INJECT:
            item = by_entry.get(entry.pk)
            if item and item.inject:
                # In the report's language, whatever the language of whoever polled.
                text = item.inject.title.get(language)
                detail = f"{CHANNEL_LABELS.get(item.inject.channel, '')} · {item.inject.sender}"
                scheduled = item.inject.at
        author = entry.author.get_full_name() or entry.author.get_username() if entry.author else ""
        rows.append(
            ChronologyRow(
                offset, entry.kind, str(entry.get_kind_display()), text, author, detail, scheduled
            )
        )
    decisions = [row for row in rows if row.kind == ExerciseEntryKind.DECISION]
    observations = [row for row in rows if row.kind == ExerciseEntryKind.OBSERVATION]
    participants = [
        person.get_full_name() or person.get_username()
        for person in exercise.participants.order_by("last_name", "username")
    ]
    participants += [
        line.strip() for line in exercise.other_participants.splitlines() if line.strip()
    ]
    delivered = {item.entry.inject_key for item in state.delivered}
    return {
        "exercise": exercise,
        "scenario": scenario,
        "language": language,
        "scenario_title": scenario.title.get(language),
        "scenario_summary": scenario.summary.get(language),
        "duration": clock(scenario.duration),
        "actual_duration": clock(state.elapsed),
        "participants": participants,
        "chronology": rows,
        "decisions": decisions,
        "observations": observations,
        "undelivered": [
            item.title.get(language) for item in scenario.injects if item.id not in delivered
        ],
        "injects_delivered": len(state.delivered),
        "injects_total": len(scenario.injects),
        "generated_at": timezone.now(),
    }


def render_report(exercise: Exercise, language: str | None = None) -> bytes:
    language = language or translation.get_language() or "fr"
    with translation.override(language):
        return render_pdf(REPORT_TEMPLATE, report_context(exercise, language))


def generate_report(exercise: Exercise, user: User | None, language: str | None = None) -> Evidence:
    """Render the after-action report to PDF and keep it as evidence linked to the exercise.

    Each generation is a new piece of evidence (earlier versions stay, with their SHA-256);
    the exercise points to the latest.
    """
    _require_manage(user, exercise)
    if exercise.status != ExerciseStatus.COMPLETED:
        raise ValidationError(
            _("The after-action report is produced once the exercise is completed.")
        )
    if not exercise.summary.strip():
        raise ValidationError({"summary": [_("Write the after-action summary first.")]})
    language = language or translation.get_language() or "fr"
    pdf = render_report(exercise, language)
    upload = ContentFile(pdf, name=f"after-action-report-exercise-{exercise.pk}.pdf")
    title = _("After-action report: %(title)s") % {"title": exercise.title}
    with transaction.atomic():
        evidence = add_evidence(
            exercise.establishment,
            user,
            title[:300],
            uploaded_file=upload,
            subject=exercise,
            description=_("Crisis exercise after-action report (CaRE annual exercise)."),
        )
        crud.save_instance(exercise, user, report_evidence=evidence)
    return evidence


def report_file(exercise: Exercise) -> tuple[Any, str]:
    """The stored report (file object, download name); None-safe callers check first."""
    evidence = exercise.report_evidence
    if evidence is None or not evidence.file:
        raise ValidationError(_("No after-action report has been produced yet."))
    return evidence.file.open("rb"), f"after-action-report-exercise-{exercise.pk}.pdf"


# ---------------------------------------------------------------------------------------------
# Compliance view


@dataclass(frozen=True)
class EstablishmentExerciseStatus:
    establishment: Establishment
    last: Exercise | None
    is_overdue: bool
    has_report: bool


def last_completed(establishment: Establishment) -> Exercise | None:
    return (
        Exercise.objects.filter(
            establishment=establishment, status=ExerciseStatus.COMPLETED, ended_at__isnull=False
        )
        .order_by("-ended_at")
        .first()
    )


def exercise_status_by_establishment(
    user: User, now: datetime | None = None
) -> Sequence[EstablishmentExerciseStatus]:
    """For each establishment the user sees: its last completed exercise, and whether the
    yearly exercise is overdue (none, or older than 12 months)."""
    if not user.can(VIEW_INCIDENTS):
        return []
    now = now or timezone.now()
    found = []
    for establishment in Establishment.objects.visible_to(user).order_by("name"):
        last = last_completed(establishment)
        overdue = last is None or last.ended_at is None or now - last.ended_at > EXERCISE_PERIOD
        found.append(
            EstablishmentExerciseStatus(
                establishment, last, overdue, bool(last and last.report_evidence_id)
            )
        )
    return found
