"""Editing an incident: its facts, its lifecycle status, its assignee and watchers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core import audit
from hygie.core.models import User
from hygie.core.tables import verbose_name_of
from hygie.response.choices import (
    DataCategory,
    IncidentStatus,
)
from hygie.response.engine import lifecycle
from hygie.response.models import Incident, IncidentTransition
from hygie.response.roles import VIEW_INCIDENTS
from hygie.response.services import notifications
from hygie.response.services.incidents.common import (
    CHOICE_FIELDS,
    CLOCK_SKEW,
    EDITABLE_FIELDS,
    FREE_TEXT_FIELDS,
    M2M_FIELDS,
    MAX_TEXT,
    assignable_users,
    author_of,
    check_candidate,
    check_related,
    display_name,
    local_time,
    require_incident,
    task_owner_candidates,
    validate_facts,
)
from hygie.response.services.timeline import add_entry

# --- edits ------------------------------------------------------------------------------------


PERSONAL_DATA_FACTS = frozenset({"personal_data", "data_categories", "individuals_affected"})


def update_incident(user: User | None, incident: Incident, changes: dict[str, Any]) -> list[str]:
    """Apply changes to the incident's facts; one timeline entry per changed field.

    Returns the names of the fields that changed. The status, the assignee and the watchers
    have their own operations (``transition``, ``assign``, ``watch``)."""
    require_incident(user, incident)
    unknown = set(changes) - set(EDITABLE_FIELDS) - set(M2M_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(names)s.")
            % {"names": ", ".join(sorted(unknown))}
        )
    scalar = {k: v for k, v in changes.items() if k in EDITABLE_FIELDS}
    related = {k: list(v or []) for k, v in changes.items() if k in M2M_FIELDS}
    merged = {
        "discovered_at": incident.discovered_at,
        "occurred_at": incident.occurred_at,
        **scalar,
    }
    if PERSONAL_DATA_FACTS & set(scalar):
        # The personal-data answer must match the facts, changed or stored (an unrelated edit
        # of an older incident is not blocked by it).
        for name in PERSONAL_DATA_FACTS - set(scalar):
            merged[name] = getattr(incident, name)
    validate_facts(merged, timezone.now())
    with transaction.atomic():
        locked = (
            Incident.objects.select_for_update().select_related("establishment").get(pk=incident.pk)
        )
        entries: list[str] = []
        changed: list[str] = []
        for name, value in scalar.items():
            before = getattr(locked, name)
            if before == value:
                continue
            setattr(locked, name, value)
            changed.append(name)
            entries.append(_describe_change(locked, name, before, value))
        check_related(locked, user, related)
        related_changes = []
        for name, items in related.items():
            current = set(getattr(locked, name).all())
            wanted = set(items)
            if current == wanted:
                continue
            related_changes.append((name, items))
            changed.append(name)
            entries.append(_describe_related(locked, name, current, wanted))
        if not changed:
            return []
        if scalar:
            locked.full_clean()
            locked.save()
        else:
            Incident.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
        for name, items in related_changes:
            before_ids = sorted(getattr(locked, name).values_list("pk", flat=True))
            getattr(locked, name).set(items)
            # Many-to-many changes do not go through the model signals: audit them here.
            audit.record(
                "update",
                locked,
                changes={name: {"before": before_ids, "after": sorted(item.pk for item in items)}},
            )
        for text in entries:
            add_entry(locked, text, author=author_of(user))
    for name in scalar:
        setattr(incident, name, getattr(locked, name))
    return changed


def _field_label(name: str) -> str:
    return verbose_name_of(Incident._meta.get_field(name)).capitalize()


def _describe_change(incident: Incident, name: str, before: Any, after: Any) -> str:
    label = _field_label(name)
    if name in FREE_TEXT_FIELDS:
        return _("%(field)s changed.") % {"field": label}
    if name in CHOICE_FIELDS:
        field = Incident._meta.get_field(name)
        assert isinstance(field, models.Field)  # CHOICE_FIELDS names concrete fields
        choices = dict(field.flatchoices)
        return _("%(field)s: %(before)s → %(after)s.") % {
            "field": label,
            "before": choices.get(before, before),
            "after": choices.get(after, after),
        }
    if name in ("occurred_at", "discovered_at"):
        return _("%(field)s: %(before)s → %(after)s.") % {
            "field": label,
            "before": local_time(incident, before),
            "after": local_time(incident, after),
        }
    if name == "data_categories":
        labels = dict(DataCategory.choices)
        return _("%(field)s: %(after)s.") % {
            "field": label,
            "after": ", ".join(str(labels.get(v, v)) for v in after) or "—",
        }
    if name == "data_encrypted":
        return _("%(field)s: %(after)s.") % {
            "field": label,
            "after": _("yes") if after else _("no"),
        }
    if name == "residents_by_state":
        return _("%(field)s changed.") % {"field": label}
    return _("%(field)s: %(before)s → %(after)s.") % {
        "field": label,
        "before": "—" if before is None else before,
        "after": "—" if after is None else after,
    }


def _describe_related(incident: Incident, name: str, current: set[Any], wanted: set[Any]) -> str:
    added = sorted(str(item) for item in wanted - current)
    removed = sorted(str(item) for item in current - wanted)
    parts = []
    if added:
        parts.append(_("added %(items)s") % {"items": ", ".join(added)})
    if removed:
        parts.append(_("removed %(items)s") % {"items": ", ".join(removed)})
    return _("%(field)s: %(changes)s.") % {"field": _field_label(name), "changes": "; ".join(parts)}


# --- lifecycle --------------------------------------------------------------------------------

_TRANSITION_MESSAGES = {
    "same_status": gettext_lazy("The incident is already in this phase."),
    "reopen_target": gettext_lazy(
        "A closed incident can only be reopened to the post-incident phase."
    ),
    "note_required": gettext_lazy(
        "Explain this move in a note: going back a phase, closing "
        "before the post-incident review, and reopening all need "
        "one."
    ),
    "back_too_far": gettext_lazy("An incident goes back one phase at a time."),
    "unknown_status": gettext_lazy("Unknown status."),
}


def transition(
    user: User | None,
    incident: Incident,
    to_status: str,
    note: str = "",
    at: datetime | None = None,
) -> IncidentTransition:
    """Move the incident through the lifecycle (see ``engine.lifecycle.check_move``)."""
    require_incident(user, incident)
    note = (note or "").strip()
    if len(note) > MAX_TEXT or "\x00" in note:
        raise ValidationError(
            {"note": [_("This text is too long or contains invalid characters.")]}
        )
    now = timezone.now()
    at = at or now
    if at > now + CLOCK_SKEW:
        raise ValidationError({"at": [_("A transition cannot be dated in the future.")]})
    with transaction.atomic():
        locked = (
            Incident.objects.select_for_update().select_related("establishment").get(pk=incident.pk)
        )
        try:
            move = lifecycle.check_move(locked.status, to_status, note)
        except lifecycle.TransitionError as error:
            raise ValidationError(
                {"status": [_TRANSITION_MESSAGES.get(error.code, _("This move is not allowed."))]}
            ) from None
        already = {
            field: getattr(locked, field) is not None
            for field in lifecycle.MILESTONE_FIELDS.values()
        }
        locked.status = to_status
        for field in lifecycle.milestones_to_set(to_status, already):
            setattr(locked, field, at)
        if move.kind == "reopen":
            locked.closed_at = None
        locked.save(update_fields=["status", *lifecycle.MILESTONE_FIELDS.values(), "updated_at"])
        row = IncidentTransition.objects.create(
            incident=locked,
            from_status=move.from_status,
            to_status=to_status,
            by=author_of(user),
            at=at,
            note=note,
        )
        labels = dict(IncidentStatus.choices)

        def text() -> str:  # written in each language: every reader sees their own
            written = {
                "reopen": _("Reopened: %(before)s → %(after)s."),
                "back": _("Back to a previous phase: %(before)s → %(after)s."),
                "close": _("Closed: %(before)s → %(after)s."),
            }.get(move.kind, _("Phase: %(before)s → %(after)s.")) % {
                "before": labels[move.from_status],
                "after": labels[to_status],
            }
            if note:
                written += " " + _("Note: %(note)s") % {"note": note}
            return written

        add_entry(locked, text, at=at, author=author_of(user))
        notifications.phase_changed(locked, move.from_status, to_status, actor=author_of(user))
    for field in ("status", *lifecycle.MILESTONE_FIELDS.values(), "updated_at"):
        setattr(incident, field, getattr(locked, field))
    return row


def available_moves(incident: Incident) -> list[lifecycle.Move]:
    return lifecycle.allowed_targets(incident.status)


# --- assignment and watchers ------------------------------------------------------------------


def assign(user: User | None, incident: Incident, assignee: User | None) -> Incident:
    require_incident(user, incident)
    if (assignee.pk if assignee else None) == incident.assignee_id:
        return incident
    check_candidate(
        assignee,
        assignable_users(incident),
        "assignee",
        _("This person cannot handle incidents of this establishment."),
    )
    with transaction.atomic():
        incident.assignee = assignee
        incident.save(update_fields=["assignee", "updated_at"])
        if assignee is not None:
            incident.watchers.add(assignee)
            add_entry(
                incident,
                _("Assigned to %(name)s.") % {"name": display_name(assignee)},
                author=author_of(user),
            )
            notifications.incident_assigned(incident, assignee, actor=author_of(user))
        else:
            add_entry(incident, _("Unassigned."), author=author_of(user))
    return incident


def watch(user: User, incident: Incident) -> None:
    """Follow an incident yourself (reading it is enough)."""
    require_incident(user, incident, VIEW_INCIDENTS)
    incident.watchers.add(user)


def unwatch(user: User, incident: Incident) -> None:
    require_incident(user, incident, VIEW_INCIDENTS)
    incident.watchers.remove(user)


def add_watcher(user: User | None, incident: Incident, watcher: User) -> None:
    """Make someone else follow the incident (managers only; the person must be able to read
    it)."""
    if watcher.pk == getattr(user, "pk", None):
        watch(watcher, incident)  # the user themself
        return
    require_incident(user, incident)
    check_candidate(
        watcher,
        task_owner_candidates(incident),
        "watcher",
        _("This person cannot read incidents of this establishment."),
    )
    with transaction.atomic():
        if not incident.watchers.filter(pk=watcher.pk).exists():
            incident.watchers.add(watcher)
            add_entry(
                incident,
                _("%(name)s now follows the incident.") % {"name": display_name(watcher)},
                author=author_of(user),
            )


def remove_watcher(user: User | None, incident: Incident, watcher: User) -> None:
    if watcher.pk == getattr(user, "pk", None):
        unwatch(watcher, incident)  # the user themself
        return
    require_incident(user, incident)
    incident.watchers.remove(watcher)
