"""What every incident use case shares: limits, permission checks, validation of the facts,
the save that goes through crud (scope and audit), and the read helpers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Q
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hygie.core.models import Asset, Department, Establishment, User
from hygie.core.models.scoping import visible_objects
from hygie.core.services import crud
from hygie.response.choices import (
    DataCategory,
    IncidentStatus,
    PersonalData,
    TaskStatus,
)
from hygie.response.engine import lifecycle
from hygie.response.models import Incident, Task
from hygie.response.roles import MANAGE_INCIDENTS, MANAGE_OBLIGATIONS, VIEW_INCIDENTS

REFERENCE_PREFIX = "INC"
REFERENCE_ATTEMPTS = 8
CLOCK_SKEW = timedelta(minutes=5)  # a workstation clock a little ahead is not "the future"
MAX_TEXT = 20_000
MAX_ALERTS = 200
PHISHING_SOURCE_MODULE = "awareness"

# Free text that may hold patient data: the timeline names the field, never the value.
FREE_TEXT_FIELDS = (
    "title",
    "description",
    "source_reference",
    "root_cause",
    "lessons_learned",
    "follow_up_actions",
)
CHOICE_FIELDS = (
    "category",
    "severity",
    "care_impact",
    "personal_data",
    "risk_to_individuals",
    "source",
)
EDITABLE_FIELDS = (
    *FREE_TEXT_FIELDS,
    *CHOICE_FIELDS,
    "data_categories",
    "individuals_affected",
    "residents_by_state",
    "data_encrypted",
    "occurred_at",
    "discovered_at",
)
M2M_FIELDS = ("affected_establishments", "departments", "assets")
OPEN_TASK_STATUSES = (TaskStatus.TODO, TaskStatus.IN_PROGRESS)
STATE_CODE = re.compile(r"^[A-Z]{2}$")


# --- permissions ------------------------------------------------------------------------------


def require_capability(user: User | None, capability: str) -> None:
    if user is not None and not user.can(capability):
        raise PermissionDenied(_("Your role does not allow this action."))


def require_incident(
    user: User | None, incident: Incident, capability: str = MANAGE_INCIDENTS
) -> None:
    require_capability(user, capability)
    if user is not None:
        crud.check_establishment_allowed(user, incident.establishment_id)


def can_comment(user: User) -> bool:
    """Incident managers and the DPO (who follows breaches) may comment; read-only roles may
    not."""
    return user.can(VIEW_INCIDENTS) and (user.can(MANAGE_INCIDENTS) or user.can(MANAGE_OBLIGATIONS))


def _users_seeing(establishment_id: int, capability: str) -> list[User]:
    candidates = (
        User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(has_all_establishments=True)
            | Q(establishments=establishment_id)
        )
        .distinct()
        .order_by("username")
    )
    return [candidate for candidate in candidates if candidate.can(capability)]


def assignable_users(incident: Incident) -> list[User]:
    """Who can handle the incident: active, sees its establishment, may manage incidents."""
    return _users_seeing(incident.establishment_id, MANAGE_INCIDENTS)


def incident_managers(establishment_ids: Iterable[int]) -> list[User]:
    """People who may handle incidents of at least one of these establishments."""
    people: dict[int, User] = {}
    for establishment_id in establishment_ids:
        for person in _users_seeing(establishment_id, MANAGE_INCIDENTS):
            people[person.pk] = person
    return sorted(people.values(), key=lambda person: person.get_username())


def task_owner_candidates(incident: Incident) -> list[User]:
    """Who may own a task: anyone who can read the incident (a biomedical engineer may own
    'isolate the MRI console' without managing the incident)."""
    return _users_seeing(incident.establishment_id, VIEW_INCIDENTS)


def check_candidate(
    user: User | None, candidates: Sequence[User], field: str, message: str
) -> None:
    if user is not None and user.pk not in {candidate.pk for candidate in candidates}:
        raise ValidationError({field: [message]})


def display_name(user: User | None) -> str:
    if user is None:
        return _("nobody")
    return user.get_full_name() or user.get_username()


def local_time(incident: Incident, moment: datetime | None) -> str:
    if moment is None:
        return "—"
    zone = ZoneInfo(incident.establishment.timezone)
    local = moment.astimezone(zone)
    when = formats.date_format(local, "SHORT_DATETIME_FORMAT")
    return f"{when} ({incident.establishment.timezone})"


# --- validation -------------------------------------------------------------------------------


def validate_facts(values: dict[str, Any], now: datetime) -> None:
    errors: dict[str, list[str]] = {}
    discovered, occurred = values.get("discovered_at"), values.get("occurred_at")
    if discovered is not None and discovered > now + CLOCK_SKEW:
        errors.setdefault("discovered_at", []).append(
            _("The discovery time cannot be in the future.")
        )
    if occurred is not None and occurred > now + CLOCK_SKEW:
        errors.setdefault("occurred_at", []).append(_("The start time cannot be in the future."))
    if discovered is not None and occurred is not None and occurred > discovered:
        errors.setdefault("occurred_at", []).append(
            _("The incident cannot start after it was discovered.")
        )
    categories = values.get("data_categories")
    if categories is not None:
        if not isinstance(categories, list) or any(
            c not in DataCategory.values for c in categories
        ):
            errors.setdefault("data_categories", []).append(
                _("Unknown data category. Use: %(values)s.")
                % {"values": ", ".join(DataCategory.values)}
            )
    residents = values.get("residents_by_state")
    if residents is not None:
        if not isinstance(residents, dict) or any(
            not isinstance(k, str)
            or not STATE_CODE.match(k)
            or not isinstance(v, int)
            or isinstance(v, bool)
            or v < 0
            for k, v in residents.items()
        ):
            errors.setdefault("residents_by_state", []).append(
                _(
                    "Give two-letter upper-case state codes with non-negative counts, e.g. "
                    '{"CA": 120}.'
                )
            )
    contradiction = _personal_data_contradiction(values)
    if contradiction and not errors.get("data_categories"):
        errors.setdefault("personal_data", []).append(contradiction)
    for name in FREE_TEXT_FIELDS:
        text = values.get(name)
        if isinstance(text, str) and ("\x00" in text or len(text) > MAX_TEXT):
            errors.setdefault(name, []).append(
                _("This text is too long or contains invalid characters.")
            )
    if errors:
        raise ValidationError(errors)


def _personal_data_contradiction(values: dict[str, Any]) -> str:
    """The message when "no personal data" is said while the facts name data or people.

    "No" stops the CNIL clock, so a slip of the mouse would silence a 72-hour deadline: the
    answer must match the facts (choose yes or unknown, or clear the facts). Empty when fine.
    """
    if values.get("personal_data") != PersonalData.NO:
        return ""
    categories = values.get("data_categories") or []
    people = values.get("individuals_affected") or 0
    facts: list[str] = []
    if categories:
        names = ", ".join(
            str(DataCategory(c).label) if c in DataCategory.values else str(c) for c in categories
        )
        facts.append(_("data categories (%(names)s)") % {"names": names})
    if people:
        count = formats.number_format(people, force_grouping=True)
        facts.append(
            ngettext("%(count)s person affected", "%(count)s people affected", people)
            % {"count": count}
        )
    if not facts:
        return ""
    return _(
        "Personal data is set to “No”, yet the incident records %(facts)s. “No” stops the "
        "CNIL notification clock: choose “Yes” or “Unknown”, or clear these facts."
    ) % {"facts": _(" and ").join(facts)}


def check_related(incident: Incident, user: User | None, related: dict[str, Any]) -> None:
    """Departments and assets must belong to the handling or an affected establishment, and
    every referenced object must be visible to the user."""
    errors: dict[str, list[str]] = {}
    establishments = list(related.get("affected_establishments") or [])
    allowed = {incident.establishment_id, *(e.pk for e in establishments)}
    if "affected_establishments" not in related and incident.pk:
        allowed |= set(incident.affected_establishments.values_list("pk", flat=True))
    for name, model in (
        ("affected_establishments", Establishment),
        ("departments", Department),
        ("assets", Asset),
    ):
        items = related.get(name)
        if items is None:
            continue
        if user is not None:
            visible = set(
                visible_objects(model, user)
                .filter(pk__in=[item.pk for item in items])
                .values_list("pk", flat=True)
            )
            if any(item.pk not in visible for item in items):
                errors.setdefault(name, []).append(
                    _("Unknown %(model)s.") % {"model": model._meta.verbose_name}
                )
                continue
        if name != "affected_establishments" and any(
            item.establishment_id not in allowed for item in items
        ):
            errors.setdefault(name, []).append(
                _("Choose only %(items)s of the handling or of an affected establishment.")
                % {"items": model._meta.verbose_name_plural}
            )
    if errors:
        raise ValidationError(errors)


def save_instance(instance: models.Model, user: User | None, **fields: Any) -> Any:
    if user is not None:
        return crud.save_instance(instance, user, **fields)
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


def author_of(user: User | None) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


# --- reading ----------------------------------------------------------------------------------


def incidents_for(user: User | None) -> models.QuerySet[Incident]:
    return Incident.objects.visible_to(user)


def status_counts(queryset: models.QuerySet[Incident]) -> list[tuple[str, str, int]]:
    rows = queryset.order_by().values("status").annotate(total=Count("pk"))
    counts = {row["status"]: row["total"] for row in rows}
    return [(value, str(label), counts.get(value, 0)) for value, label in IncidentStatus.choices]


def tasks_in_phase_order(incident: Incident) -> models.QuerySet[Task]:
    """The incident's tasks grouped by lifecycle phase (tasks without a phase last), then in
    their own order: a playbook's steps read as the plan they are."""
    rank = models.Case(
        *[
            models.When(phase=phase, then=models.Value(index))
            for index, phase in enumerate(lifecycle.LIFECYCLE)
        ],
        default=models.Value(len(lifecycle.LIFECYCLE)),
        output_field=models.IntegerField(),
    )
    return (
        incident.tasks.select_related("owner", "completed_by")
        .annotate(phase_rank=rank)
        .order_by("phase_rank", "order", "pk")
    )


def open_task_count(incident: Incident) -> int:
    return incident.tasks.filter(status__in=OPEN_TASK_STATUSES).count()
