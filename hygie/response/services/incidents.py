"""Incidents: creation (by hand, from alerts, from a reported phishing mail), edits, the lifecycle,
tasks, the main courante, observables, comments, assignment and watchers.

Every write checks the caller's capability and establishment, runs in one transaction, and
appends to the incident's timeline what changed. Timeline entries never quote free-text fields
(they may hold patient data): they say "description changed"; the audit trail keeps the values
for those entitled to read it.

``user=None`` means the platform itself (the demo loader, a task): no capability check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Q
from django.db.models.functions import Length
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core import audit
from hygie.core.choices import AlertStatus
from hygie.core.models import Alert, Asset, Department, Establishment, User
from hygie.core.services import crud
from hygie.response.choices import (
    DataCategory,
    IncidentCategory,
    IncidentSource,
    IncidentStatus,
    ObservableKind,
    TaskStatus,
    TimelineKind,
)
from hygie.response.engine import lifecycle
from hygie.response.engine import observables as observable_rules
from hygie.response.models import Comment, Incident, IncidentTransition, Observable, Task
from hygie.response.roles import MANAGE_INCIDENTS, MANAGE_OBLIGATIONS, VIEW_INCIDENTS
from hygie.response.services import notifications
from hygie.response.services.timeline import add_entry

REFERENCE_PREFIX = "INC"
REFERENCE_ATTEMPTS = 8
CLOCK_SKEW = timedelta(minutes=5)  # a workstation clock a little ahead is not "the future"
MAX_TEXT = 20_000
MAX_ALERTS = 200
PHISHING_SOURCE_MODULE = "awareness"

# Free text that may hold patient data: the timeline names the field, never the value.
FREE_TEXT_FIELDS = ("title", "description", "source_reference", "root_cause", "lessons_learned",
                    "follow_up_actions")
CHOICE_FIELDS = ("category", "severity", "care_impact", "personal_data", "risk_to_individuals",
                 "source")
EDITABLE_FIELDS = (*FREE_TEXT_FIELDS, *CHOICE_FIELDS, "data_categories", "individuals_affected",
                   "residents_by_state", "data_encrypted", "occurred_at", "discovered_at")
M2M_FIELDS = ("affected_establishments", "departments", "assets")
OPEN_TASK_STATUSES = (TaskStatus.TODO, TaskStatus.IN_PROGRESS)
_STATE_CODE = re.compile(r"^[A-Z]{2}$")


# --- permissions ------------------------------------------------------------------------------

def _require(user: Any, capability: str) -> None:
    if user is not None and not user.can(capability):
        raise PermissionDenied(_("Your role does not allow this action."))


def _require_incident(user: Any, incident: Incident, capability: str = MANAGE_INCIDENTS) -> None:
    _require(user, capability)
    if user is not None:
        crud.check_establishment_allowed(user, incident.establishment_id)


def can_comment(user: Any) -> bool:
    """Incident managers and the DPO (who follows breaches) may comment; read-only roles may
    not."""
    return user.can(VIEW_INCIDENTS) and (user.can(MANAGE_INCIDENTS)
                                         or user.can(MANAGE_OBLIGATIONS))


def _users_seeing(establishment_id: int, capability: str) -> list[User]:
    candidates = (User.objects.filter(is_active=True)
                  .filter(Q(is_superuser=True) | Q(has_all_establishments=True)
                          | Q(establishments=establishment_id))
                  .distinct().order_by("username"))
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


def _check_candidate(user: User | None, candidates: Sequence[User], field: str,
                     message: str) -> None:
    if user is not None and user.pk not in {candidate.pk for candidate in candidates}:
        raise ValidationError({field: [message]})


def _name(user: Any) -> str:
    if user is None:
        return _("nobody")
    return user.get_full_name() or user.get_username()


def _local(incident: Incident, moment: datetime | None) -> str:
    if moment is None:
        return "—"
    zone = ZoneInfo(incident.establishment.timezone)
    local = moment.astimezone(zone)
    when = formats.date_format(local, "SHORT_DATETIME_FORMAT")
    return f"{when} ({incident.establishment.timezone})"


# --- validation -------------------------------------------------------------------------------

def _validate_facts(values: dict[str, Any], now: datetime) -> None:
    errors: dict[str, list[str]] = {}
    discovered, occurred = values.get("discovered_at"), values.get("occurred_at")
    if discovered is not None and discovered > now + CLOCK_SKEW:
        errors.setdefault("discovered_at", []).append(
            _("The discovery time cannot be in the future."))
    if occurred is not None and occurred > now + CLOCK_SKEW:
        errors.setdefault("occurred_at", []).append(
            _("The start time cannot be in the future."))
    if discovered is not None and occurred is not None and occurred > discovered:
        errors.setdefault("occurred_at", []).append(
            _("The incident cannot start after it was discovered."))
    categories = values.get("data_categories")
    if categories is not None:
        if not isinstance(categories, list) or any(c not in DataCategory.values
                                                   for c in categories):
            errors.setdefault("data_categories", []).append(
                _("Unknown data category. Use: %(values)s.")
                % {"values": ", ".join(DataCategory.values)})
    residents = values.get("residents_by_state")
    if residents is not None:
        if not isinstance(residents, dict) or any(
                not isinstance(k, str) or not _STATE_CODE.match(k)
                or not isinstance(v, int) or isinstance(v, bool) or v < 0
                for k, v in residents.items()):
            errors.setdefault("residents_by_state", []).append(
                _("Give two-letter upper-case state codes with non-negative counts, e.g. "
                  "{\"CA\": 120}."))
    for name in FREE_TEXT_FIELDS:
        text = values.get(name)
        if isinstance(text, str) and ("\x00" in text or len(text) > MAX_TEXT):
            errors.setdefault(name, []).append(_("This text is too long or contains "
                                                 "invalid characters."))
    if errors:
        raise ValidationError(errors)


def _check_related(incident: Incident, user: Any, related: dict[str, Any]) -> None:
    """Departments and assets must belong to the handling or an affected establishment, and
    every referenced object must be visible to the user."""
    errors: dict[str, list[str]] = {}
    establishments = list(related.get("affected_establishments") or [])
    allowed = {incident.establishment_id, *(e.pk for e in establishments)}
    if "affected_establishments" not in related and incident.pk:
        allowed |= set(incident.affected_establishments.values_list("pk", flat=True))
    for name, model in (("affected_establishments", Establishment),
                        ("departments", Department), ("assets", Asset)):
        items = related.get(name)
        if items is None:
            continue
        if user is not None:
            visible = set(model.objects.visible_to(user)  # type: ignore[attr-defined]
                          .filter(pk__in=[item.pk for item in items])
                          .values_list("pk", flat=True))
            if any(item.pk not in visible for item in items):
                errors.setdefault(name, []).append(
                    _("Unknown %(model)s.") % {"model": model._meta.verbose_name})
                continue
        if name != "affected_establishments" and any(item.establishment_id not in allowed
                                                     for item in items):
            errors.setdefault(name, []).append(
                _("Choose only %(items)s of the handling or of an affected establishment.")
                % {"items": model._meta.verbose_name_plural})
    if errors:
        raise ValidationError(errors)


# --- references -------------------------------------------------------------------------------

def next_reference(year: int) -> str:
    """The next free reference of the year, numbered across the whole installation.

    Ordering by length first keeps INC-2026-10000 after INC-2026-9999.
    """
    prefix = f"{REFERENCE_PREFIX}-{year}-"
    last = (Incident._default_manager.filter(reference__startswith=prefix)
            .annotate(length=Length("reference")).order_by("-length", "-reference")
            .values_list("reference", flat=True).first())
    number = 1
    if last and last.removeprefix(prefix).isdigit():
        number = int(last.removeprefix(prefix)) + 1
    return f"{prefix}{number:04d}"


def _insert_with_reference(incident: Incident) -> None:
    """Save a new incident under the next reference; two people creating incidents at the same
    moment compute the same number, the unique constraint refuses the second, which retries."""
    year = timezone.now().astimezone(ZoneInfo(incident.establishment.timezone)).year
    for attempt in range(REFERENCE_ATTEMPTS):
        incident.reference = next_reference(year)
        try:
            with transaction.atomic():
                incident.save(force_insert=True)
            return
        except IntegrityError:
            incident.pk = None
            incident._state.adding = True
            if attempt == REFERENCE_ATTEMPTS - 1:
                raise ValidationError(_("Could not allocate an incident reference; please try "
                                        "again.")) from None


# --- creation ---------------------------------------------------------------------------------

def create_incident(user: Any, *, establishment: Establishment, title: str,
                    discovered_at: datetime, alerts: Iterable[Alert] = (),
                    affected_establishments: Iterable[Establishment] | None = None,
                    departments: Iterable[Department] | None = None,
                    assets: Iterable[Asset] | None = None, assignee: User | None = None,
                    **fields: Any) -> Incident:
    """Declare an incident. ``fields`` are the other editable facts (category, severity…)."""
    _require(user, MANAGE_INCIDENTS)
    if user is not None:
        crud.check_establishment_allowed(user, establishment.pk)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown incident fields: %(names)s.")
                              % {"names": ", ".join(sorted(unknown))})
    alerts = list(alerts)
    now = timezone.now()
    values = {"title": title, "discovered_at": discovered_at, **fields}
    _validate_facts(values, now)
    if (values.get("source") == IncidentSource.PHISHING_REPORT and not alerts
            and not str(values.get("source_reference", "")).strip()):
        raise ValidationError({"source_reference": [
            _("Give the reference of the reported mail (Message-ID, ticket or report "
              "number).")]})
    incident = Incident(establishment=establishment, title=title, discovered_at=discovered_at,
                        created_by=user if getattr(user, "is_authenticated", False) else None,
                        status=IncidentStatus.NEW, **fields)
    related = {"affected_establishments": list(affected_establishments or []),
               "departments": list(departments or []), "assets": list(assets or [])}
    with transaction.atomic():
        _check_related(incident, user, related)
        if assignee is not None:
            _check_candidate(assignee, assignable_users(incident), "assignee",
                             _("This person cannot handle incidents of this establishment."))
            incident.assignee = assignee
        incident.full_clean(exclude=["reference"])
        _insert_with_reference(incident)
        for name, items in related.items():
            if items:
                getattr(incident, name).set(items)
        IncidentTransition.objects.create(incident=incident, from_status="",
                                          to_status=IncidentStatus.NEW, by=incident.created_by,
                                          at=now, note="")
        add_entry(incident, _("Incident declared. Source: %(source)s; discovered %(when)s.")
                  % {"source": incident.get_source_display(),
                     "when": _local(incident, discovered_at)}, at=now, author=incident.created_by)
        if alerts:
            _link_alerts(incident, user, alerts)
        if incident.created_by is not None:
            incident.watchers.add(incident.created_by)
        if assignee is not None:
            incident.watchers.add(assignee)
            add_entry(incident, _("Assigned to %(name)s.") % {"name": _name(assignee)},
                      at=now, author=incident.created_by)
            notifications.incident_assigned(incident, assignee, actor=incident.created_by)
    return incident


@dataclass(frozen=True)
class AlertSuggestion:
    """What the alerts say about the incident they reveal (the user may change all of it)."""

    establishment: Establishment
    affected_establishments: list[Establishment]
    title: str
    description: str
    severity: int
    category: str
    source: str
    source_reference: str
    discovered_at: datetime
    assets: list[Asset]


def visible_alerts(user: Any, alert_ids: Iterable[int]) -> list[Alert]:
    """The requested alerts; any id the user cannot see is refused as unknown (not skipped),
    so an incident is never built on a partial, silently filtered set."""
    ids = sorted({int(alert_id) for alert_id in alert_ids})
    if not ids:
        raise ValidationError({"alerts": [_("Choose at least one alert.")]})
    if len(ids) > MAX_ALERTS:
        raise ValidationError({"alerts": [_("At most %(count)d alerts at once.")
                                          % {"count": MAX_ALERTS}]})
    alerts = list(Alert.objects.visible_to(user).filter(pk__in=ids)
                  .select_related("establishment", "asset"))
    if len(alerts) != len(ids):
        raise ValidationError({"alerts": [_("Unknown alert.")]})
    return sorted(alerts, key=lambda alert: (alert.first_seen_at, alert.pk))


def suggest_from_alerts(alerts: Sequence[Alert]) -> AlertSuggestion:
    if not alerts:
        raise ValidationError({"alerts": [_("Choose at least one alert.")]})
    worst = max(alerts, key=lambda alert: (alert.severity, -alert.first_seen_at.timestamp()))
    establishments: list[Establishment] = []
    for alert in alerts:
        if alert.establishment not in establishments:
            establishments.append(alert.establishment)
    is_phishing = all(alert.source == PHISHING_SOURCE_MODULE for alert in alerts)
    title = worst.title if len(alerts) == 1 else _("%(title)s (+%(count)d related alerts)") % {
        "title": worst.title, "count": len(alerts) - 1}
    lines = [_("Created from %(count)d alert(s):") % {"count": len(alerts)}]
    for alert in alerts:
        lines.append(f"- [{alert.get_severity_display()}] {alert.title} "
                     f"({alert.source}{', ' + alert.rule_id if alert.rule_id else ''}; "
                     + _("first seen %(first)s, last seen %(last)s, %(count)d occurrence(s)")
                     % {"first": formats.date_format(timezone.localtime(alert.first_seen_at),
                                                     "SHORT_DATETIME_FORMAT"),
                        "last": formats.date_format(timezone.localtime(alert.last_seen_at),
                                                    "SHORT_DATETIME_FORMAT"),
                        "count": alert.occurrences} + ")")
    assets = []
    for alert in alerts:
        if alert.asset is not None and alert.asset not in assets:
            assets.append(alert.asset)
    return AlertSuggestion(
        establishment=worst.establishment,
        affected_establishments=[e for e in establishments if e.pk != worst.establishment_id],
        title=title[:300], description="\n".join(lines), severity=worst.severity,
        category=IncidentCategory.PHISHING if is_phishing else IncidentCategory.OTHER,
        source=IncidentSource.PHISHING_REPORT if is_phishing else IncidentSource.ALERT,
        source_reference=", ".join(f"alert #{alert.pk}" for alert in alerts)[:300],
        discovered_at=min(alert.first_seen_at for alert in alerts), assets=assets)


def create_from_alerts(user: Any, alerts: Sequence[Alert], **overrides: Any) -> Incident:
    """An incident revealed by alerts: suggested facts from the alerts, overridden by the user.

    The severity is never lower than the worst alert's unless the user says so explicitly."""
    suggestion = suggest_from_alerts(alerts)
    values: dict[str, Any] = {
        "establishment": suggestion.establishment,
        "affected_establishments": suggestion.affected_establishments,
        "title": suggestion.title, "description": suggestion.description,
        "severity": suggestion.severity, "category": suggestion.category,
        "source": suggestion.source, "source_reference": suggestion.source_reference,
        "discovered_at": suggestion.discovered_at, "assets": suggestion.assets,
    }
    values.update({key: value for key, value in overrides.items() if value is not None})
    alert_establishments = {alert.establishment_id for alert in alerts}
    handling = values["establishment"]
    if handling.pk not in alert_establishments:
        raise ValidationError({"establishment": [
            _("The handling establishment must be one of the alerts' establishments.")]})
    others = [a.establishment for a in alerts if a.establishment_id != handling.pk]
    affected = list(values.pop("affected_establishments") or [])
    for establishment in others:
        if establishment not in affected:
            affected.append(establishment)
    return create_incident(user, alerts=alerts, affected_establishments=affected, **values)


def link_alerts(user: Any, incident: Incident, alerts: Sequence[Alert]) -> int:
    """Attach more alerts to an existing incident; returns how many were new."""
    _require_incident(user, incident)
    with transaction.atomic():
        return _link_alerts(incident, user, alerts)


def _link_alerts(incident: Incident, user: Any, alerts: Sequence[Alert]) -> int:
    allowed = {incident.establishment_id,
               *incident.affected_establishments.values_list("pk", flat=True)}
    if any(alert.establishment_id not in allowed for alert in alerts):
        raise ValidationError({"alerts": [_("These alerts belong to an establishment the "
                                            "incident does not affect.")]})
    already = set(incident.alerts.values_list("pk", flat=True))
    new = [alert for alert in alerts if alert.pk not in already]
    if not new:
        return 0
    incident.alerts.add(*new)
    audit.record("update", incident, changes={"alerts": {"added": [a.pk for a in new]}})
    for alert in new:
        if alert.status != AlertStatus.ESCALATED:
            _save(alert, user, status=AlertStatus.ESCALATED)
    add_entry(incident, _("%(count)d alert(s) linked and escalated: %(ids)s.")
              % {"count": len(new), "ids": ", ".join(f"#{alert.pk}" for alert in new)},
              author=_author(user))
    return len(new)


def _save(instance: models.Model, user: Any, **fields: Any) -> Any:
    if user is not None:
        return crud.save_instance(instance, user, **fields)
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


def _author(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


# --- edits ------------------------------------------------------------------------------------

def update_incident(user: Any, incident: Incident, changes: dict[str, Any]) -> list[str]:
    """Apply changes to the incident's facts; one timeline entry per changed field.

    Returns the names of the fields that changed. The status, the assignee and the watchers
    have their own operations (``transition``, ``assign``, ``watch``)."""
    _require_incident(user, incident)
    unknown = set(changes) - set(EDITABLE_FIELDS) - set(M2M_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %(names)s.")
                              % {"names": ", ".join(sorted(unknown))})
    scalar = {k: v for k, v in changes.items() if k in EDITABLE_FIELDS}
    related = {k: list(v or []) for k, v in changes.items() if k in M2M_FIELDS}
    merged = {"discovered_at": incident.discovered_at, "occurred_at": incident.occurred_at,
              **scalar}
    _validate_facts(merged, timezone.now())
    with transaction.atomic():
        locked = Incident.objects.select_for_update().select_related("establishment").get(
            pk=incident.pk)
        entries: list[str] = []
        changed: list[str] = []
        for name, value in scalar.items():
            before = getattr(locked, name)
            if before == value:
                continue
            setattr(locked, name, value)
            changed.append(name)
            entries.append(_describe_change(locked, name, before, value))
        _check_related(locked, user, related)
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
            audit.record("update", locked, changes={name: {
                "before": before_ids, "after": sorted(item.pk for item in items)}})
        for text in entries:
            add_entry(locked, text, author=_author(user))
    for name in scalar:
        setattr(incident, name, getattr(locked, name))
    return changed


def _field_label(name: str) -> str:
    return str(Incident._meta.get_field(name).verbose_name).capitalize()


def _describe_change(incident: Incident, name: str, before: Any, after: Any) -> str:
    label = _field_label(name)
    if name in FREE_TEXT_FIELDS:
        return _("%(field)s changed.") % {"field": label}
    if name in CHOICE_FIELDS:
        field = Incident._meta.get_field(name)
        choices = dict(field.flatchoices)
        return _("%(field)s: %(before)s → %(after)s.") % {
            "field": label, "before": choices.get(before, before), "after":
            choices.get(after, after)}
    if name in ("occurred_at", "discovered_at"):
        return _("%(field)s: %(before)s → %(after)s.") % {
            "field": label, "before": _local(incident, before), "after": _local(incident, after)}
    if name == "data_categories":
        labels = dict(DataCategory.choices)
        return _("%(field)s: %(after)s.") % {
            "field": label, "after": ", ".join(str(labels.get(v, v)) for v in after) or "—"}
    if name == "data_encrypted":
        return _("%(field)s: %(after)s.") % {"field": label,
                                             "after": _("yes") if after else _("no")}
    if name == "residents_by_state":
        return _("%(field)s changed.") % {"field": label}
    return _("%(field)s: %(before)s → %(after)s.") % {
        "field": label, "before": "—" if before is None else before,
        "after": "—" if after is None else after}


def _describe_related(incident: Incident, name: str, current: set[Any], wanted: set[Any]) -> str:
    added = sorted(str(item) for item in wanted - current)
    removed = sorted(str(item) for item in current - wanted)
    parts = []
    if added:
        parts.append(_("added %(items)s") % {"items": ", ".join(added)})
    if removed:
        parts.append(_("removed %(items)s") % {"items": ", ".join(removed)})
    return _("%(field)s: %(changes)s.") % {"field": _field_label(name),
                                           "changes": "; ".join(parts)}


# --- lifecycle --------------------------------------------------------------------------------

_TRANSITION_MESSAGES = {
    "same_status": gettext_lazy("The incident is already in this phase."),
    "reopen_target": gettext_lazy("A closed incident can only be reopened to the "
                                  "post-incident phase."),
    "note_required": gettext_lazy("Explain this move in a note: going back a phase, closing "
                                  "before the post-incident review, and reopening all need "
                                  "one."),
    "back_too_far": gettext_lazy("An incident goes back one phase at a time."),
    "unknown_status": gettext_lazy("Unknown status."),
}


def transition(user: Any, incident: Incident, to_status: str, note: str = "",
               at: datetime | None = None) -> IncidentTransition:
    """Move the incident through the lifecycle (see ``engine.lifecycle.check_move``)."""
    _require_incident(user, incident)
    note = (note or "").strip()
    if len(note) > MAX_TEXT or "\x00" in note:
        raise ValidationError({"note": [_("This text is too long or contains invalid "
                                          "characters.")]})
    now = timezone.now()
    at = at or now
    if at > now + CLOCK_SKEW:
        raise ValidationError({"at": [_("A transition cannot be dated in the future.")]})
    with transaction.atomic():
        locked = Incident.objects.select_for_update().select_related("establishment").get(
            pk=incident.pk)
        try:
            move = lifecycle.check_move(locked.status, to_status, note)
        except lifecycle.TransitionError as error:
            raise ValidationError({"status": [_TRANSITION_MESSAGES.get(
                error.code, _("This move is not allowed."))]}) from None
        already = {field: getattr(locked, field) is not None
                   for field in lifecycle.MILESTONE_FIELDS.values()}
        locked.status = to_status
        for field in lifecycle.milestones_to_set(to_status, already):
            setattr(locked, field, at)
        if move.kind == "reopen":
            locked.closed_at = None
        locked.save(update_fields=["status", *lifecycle.MILESTONE_FIELDS.values(),
                                   "updated_at"])
        row = IncidentTransition.objects.create(incident=locked, from_status=move.from_status,
                                                to_status=to_status, by=_author(user), at=at,
                                                note=note)
        labels = dict(IncidentStatus.choices)
        text = {"reopen": _("Reopened: %(before)s → %(after)s."),
                "back": _("Back to a previous phase: %(before)s → %(after)s."),
                "close": _("Closed: %(before)s → %(after)s.")}.get(
            move.kind, _("Phase: %(before)s → %(after)s.")) % {
            "before": labels[move.from_status], "after": labels[to_status]}
        if note:
            text += " " + _("Note: %(note)s") % {"note": note}
        add_entry(locked, text, at=at, author=_author(user))
        notifications.phase_changed(locked, move.from_status, to_status, actor=_author(user))
    for field in ("status", *lifecycle.MILESTONE_FIELDS.values(), "updated_at"):
        setattr(incident, field, getattr(locked, field))
    return row


def available_moves(incident: Incident) -> list[lifecycle.Move]:
    return lifecycle.allowed_targets(incident.status)


# --- assignment and watchers ------------------------------------------------------------------

def assign(user: Any, incident: Incident, assignee: User | None) -> Incident:
    _require_incident(user, incident)
    if (assignee.pk if assignee else None) == incident.assignee_id:
        return incident
    _check_candidate(assignee, assignable_users(incident), "assignee",
                     _("This person cannot handle incidents of this establishment."))
    with transaction.atomic():
        incident.assignee = assignee
        incident.save(update_fields=["assignee", "updated_at"])
        if assignee is not None:
            incident.watchers.add(assignee)
            add_entry(incident, _("Assigned to %(name)s.") % {"name": _name(assignee)},
                      author=_author(user))
            notifications.incident_assigned(incident, assignee, actor=_author(user))
        else:
            add_entry(incident, _("Unassigned."), author=_author(user))
    return incident


def watch(user: Any, incident: Incident) -> None:
    """Follow an incident yourself (reading it is enough)."""
    _require_incident(user, incident, VIEW_INCIDENTS)
    incident.watchers.add(user)


def unwatch(user: Any, incident: Incident) -> None:
    _require_incident(user, incident, VIEW_INCIDENTS)
    incident.watchers.remove(user)


def add_watcher(user: Any, incident: Incident, watcher: User) -> None:
    """Make someone else follow the incident (managers only; the person must be able to read
    it)."""
    if watcher.pk == getattr(user, "pk", None):
        watch(user, incident)
        return
    _require_incident(user, incident)
    _check_candidate(watcher, task_owner_candidates(incident), "watcher",
                     _("This person cannot read incidents of this establishment."))
    with transaction.atomic():
        if not incident.watchers.filter(pk=watcher.pk).exists():
            incident.watchers.add(watcher)
            add_entry(incident, _("%(name)s now follows the incident.")
                      % {"name": _name(watcher)}, author=_author(user))


def remove_watcher(user: Any, incident: Incident, watcher: User) -> None:
    if watcher.pk == getattr(user, "pk", None):
        unwatch(user, incident)
        return
    _require_incident(user, incident)
    incident.watchers.remove(watcher)


# --- tasks ------------------------------------------------------------------------------------

_TASK_FIELDS = ("title", "description", "phase", "owner", "due_at", "is_decision")


def add_task(user: Any, incident: Incident, *, title: str, description: str = "",
             phase: str = "", owner: User | None = None, due_at: datetime | None = None,
             is_decision: bool = False) -> Task:
    _require_incident(user, incident)
    _check_candidate(owner, task_owner_candidates(incident), "owner",
                     _("This person cannot read incidents of this establishment."))
    with transaction.atomic():
        order = (incident.tasks.aggregate(models.Max("order"))["order__max"] or 0) + 1
        task = Task(incident=incident, title=title, description=description, phase=phase,
                    owner=owner, due_at=due_at, is_decision=is_decision, order=order)
        task.full_clean()
        task.save()
        text = _("Task added: %(title)s.") % {"title": task.title}
        if owner is not None:
            text += " " + _("Owner: %(name)s.") % {"name": _name(owner)}
        if due_at is not None:
            text += " " + _("Due %(when)s.") % {"when": _local(incident, due_at)}
        add_entry(incident, text, author=_author(user))
        notifications.task_assigned(task, owner, actor=_author(user))
    return task


def edit_task(user: Any, task: Task, changes: dict[str, Any]) -> Task:
    incident = task.incident
    _require_incident(user, incident)
    unknown = set(changes) - set(_TASK_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %(names)s.")
                              % {"names": ", ".join(sorted(unknown))})
    if task.status in (TaskStatus.DONE, TaskStatus.CANCELLED):
        raise ValidationError(_("A finished task cannot be edited; reopen it first."))
    if "owner" in changes:
        _check_candidate(changes["owner"], task_owner_candidates(incident), "owner",
                         _("This person cannot read incidents of this establishment."))
    with transaction.atomic():
        owner_before = task.owner_id
        notes = []
        for name, value in changes.items():
            before = getattr(task, name)
            if before == value:
                continue
            setattr(task, name, value)
            if name == "owner":
                notes.append(_("owner %(name)s") % {"name": _name(value)})
            elif name == "due_at":
                notes.append(_("due %(when)s") % {"when": _local(incident, value)})
            else:
                notes.append(str(Task._meta.get_field(name).verbose_name))
        if not notes:
            return task
        task.full_clean()
        task.save()
        add_entry(incident, _("Task “%(title)s” changed: %(changes)s.")
                  % {"title": task.title, "changes": ", ".join(notes)}, author=_author(user))
        if task.owner_id != owner_before:
            notifications.task_assigned(task, task.owner, actor=_author(user))
    return task


def reassign_task(user: Any, task: Task, owner: User | None) -> Task:
    return edit_task(user, task, {"owner": owner})


def _may_work_on(user: Any, task: Task) -> None:
    """The task's owner may move their own task on; otherwise managing incidents is needed."""
    if user is not None and task.owner_id == user.pk and user.can(VIEW_INCIDENTS):
        crud.check_establishment_allowed(user, task.incident.establishment_id)
        return
    _require_incident(user, task.incident)


def set_task_status(user: Any, task: Task, status: str, *, decision: str = "",
                    note: str = "") -> Task:
    """Start, complete, cancel or reopen a task. A decision task needs the decision taken to be
    completed; cancelling needs a reason."""
    _may_work_on(user, task)
    if status not in TaskStatus.values:
        raise ValidationError({"status": [_("Unknown task status.")]})
    if status == task.status:
        return task
    decision = (decision or "").strip()
    note = (note or "").strip()
    if status == TaskStatus.DONE and task.is_decision and not (decision or task.decision):
        raise ValidationError({"decision": [_("Write down the decision taken to complete "
                                              "this decision task.")]})
    if status == TaskStatus.CANCELLED and not note:
        raise ValidationError({"note": [_("Say why the task is cancelled.")]})
    for text in (decision, note):
        if len(text) > MAX_TEXT or "\x00" in text:
            raise ValidationError(_("This text is too long or contains invalid characters."))
    labels = dict(TaskStatus.choices)
    with transaction.atomic():
        before = task.status
        task.status = status
        if status == TaskStatus.DONE:
            task.completed_at = timezone.now()
            task.completed_by = _author(user)
            if decision:
                task.decision = decision
        elif before in (TaskStatus.DONE, TaskStatus.CANCELLED):
            task.completed_at = None
            task.completed_by = None
        task.full_clean()
        task.save()
        text = _("Task “%(title)s”: %(before)s → %(after)s.") % {
            "title": task.title, "before": labels[before], "after": labels[status]}
        if note:
            text += " " + _("Note: %(note)s") % {"note": note}
        add_entry(task.incident, text, author=_author(user))
        if status == TaskStatus.DONE and task.is_decision:
            add_entry(task.incident, _("Decision (%(title)s): %(decision)s")
                      % {"title": task.title, "decision": task.decision},
                      kind=TimelineKind.DECISION, author=_author(user))
    return task


def complete_task(user: Any, task: Task, decision: str = "") -> Task:
    return set_task_status(user, task, TaskStatus.DONE, decision=decision)


def cancel_task(user: Any, task: Task, note: str) -> Task:
    return set_task_status(user, task, TaskStatus.CANCELLED, note=note)


# --- main courante ----------------------------------------------------------------------------

def add_log_entry(user: Any, incident: Incident, text: str, *, kind: str = TimelineKind.LOG,
                  at: datetime | None = None) -> Any:
    """A written line of the main courante. Entries are never edited: a correction is a new
    entry, so the log shows what was known when."""
    _require_incident(user, incident)
    text = (text or "").strip()
    if kind not in (TimelineKind.LOG, TimelineKind.DECISION):
        raise ValidationError({"kind": [_("Write a log entry or a decision.")]})
    if not text:
        raise ValidationError({"text": [_("The entry is empty.")]})
    if len(text) > MAX_TEXT or "\x00" in text:
        raise ValidationError({"text": [_("This text is too long or contains invalid "
                                          "characters.")]})
    now = timezone.now()
    if at is not None and at > now + CLOCK_SKEW:
        raise ValidationError({"at": [_("An entry cannot be dated in the future.")]})
    return add_entry(incident, text, kind=kind, at=at or now, author=_author(user))


# --- observables ------------------------------------------------------------------------------

_OBSERVABLE_MESSAGES = {
    "unknown_kind": gettext_lazy("Unknown kind of observable."),
    "empty": gettext_lazy("The value is empty."),
    "too_long": gettext_lazy("The value is too long."),
    "control_characters": gettext_lazy("The value contains control characters."),
    "invalid_ip": gettext_lazy("Not a valid IPv4 or IPv6 address."),
    "invalid_domain": gettext_lazy("Not a valid domain name (e.g. example.org)."),
    "invalid_url": gettext_lazy("Not a valid URL."),
    "invalid_url_scheme": gettext_lazy("Only http, https and ftp URLs are accepted."),
    "invalid_hash": gettext_lazy("A hash is written in hexadecimal."),
    "invalid_hash_length": gettext_lazy("A hash has 32 (MD5), 40 (SHA-1), 64 (SHA-256) or "
                                        "128 (SHA-512) hexadecimal characters."),
    "invalid_email": gettext_lazy("Not a valid e-mail address."),
    "invalid_host": gettext_lazy("Not a valid host name or IP address."),
}


def normalise_observable(kind: str, value: str) -> str:
    try:
        return observable_rules.normalise(kind, value)
    except observable_rules.ObservableError as error:
        raise ValidationError({"value": [_OBSERVABLE_MESSAGES.get(
            error.code, _("Not a valid value."))]}) from None


def add_observable(user: Any, incident: Incident, kind: str, value: str, *, note: str = "",
                   is_ioc: bool = True) -> tuple[Observable, bool]:
    """Record an indicator in its canonical form; an indicator already recorded for this
    incident is returned as is (``created`` False)."""
    _require_incident(user, incident)
    if kind not in ObservableKind.values:
        raise ValidationError({"kind": [_("Unknown kind of observable.")]})
    canonical = normalise_observable(kind, value)
    existing = incident.observables.filter(kind=kind, value=canonical).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            observable = Observable(incident=incident, kind=kind, value=canonical, note=note,
                                    is_ioc=is_ioc, created_by=_author(user))
            observable.full_clean(validate_unique=False)
            observable.save()
            add_entry(incident, _("Observable added: %(kind)s %(value)s.")
                      % {"kind": observable.get_kind_display(), "value": _timeline_value(
                          kind, canonical)}, author=_author(user))
    except IntegrityError:
        # Added by someone else at the same moment.
        return incident.observables.get(kind=kind, value=canonical), False
    return observable, True


def _timeline_value(kind: str, value: str) -> str:
    # Accounts and e-mail addresses name people: the timeline names the kind only.
    return "" if kind in (ObservableKind.ACCOUNT, ObservableKind.EMAIL) else value


def remove_observable(user: Any, observable: Observable) -> None:
    incident = observable.incident
    _require_incident(user, incident)
    with transaction.atomic():
        kind, value = observable.get_kind_display(), _timeline_value(observable.kind,
                                                                     observable.value)
        observable.delete()
        add_entry(incident, _("Observable removed: %(kind)s %(value)s.")
                  % {"kind": kind, "value": value}, author=_author(user))


# --- comments ---------------------------------------------------------------------------------

def add_comment(user: Any, incident: Incident, text: str) -> Comment:
    """A discussion message. Comments are kept as written (the incident file is a record)."""
    _require_incident(user, incident, VIEW_INCIDENTS)
    if user is not None and not can_comment(user):
        raise PermissionDenied(_("Your role does not allow this action."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("The comment is empty.")]})
    if len(text) > MAX_TEXT or "\x00" in text:
        raise ValidationError({"text": [_("This text is too long or contains invalid "
                                          "characters.")]})
    comment = Comment(incident=incident, author=_author(user), text=text)
    comment.full_clean()
    comment.save()
    notifications.comment_added(incident, actor=_author(user))
    return comment


# --- reading ----------------------------------------------------------------------------------

def incidents_for(user: Any) -> models.QuerySet[Incident]:
    return Incident.objects.visible_to(user)


def status_counts(queryset: models.QuerySet[Incident]) -> list[tuple[str, str, int]]:
    rows = queryset.order_by().values("status").annotate(total=Count("pk"))
    counts = {row["status"]: row["total"] for row in rows}
    return [(value, str(label), counts.get(value, 0)) for value, label in IncidentStatus.choices]


def tasks_in_phase_order(incident: Incident) -> models.QuerySet[Task]:
    """The incident's tasks grouped by lifecycle phase (tasks without a phase last), then in
    their own order: a playbook's steps read as the plan they are."""
    rank = models.Case(*[models.When(phase=phase, then=models.Value(index))
                         for index, phase in enumerate(lifecycle.LIFECYCLE)],
                       default=models.Value(len(lifecycle.LIFECYCLE)),
                       output_field=models.IntegerField())
    return (incident.tasks.select_related("owner", "completed_by")
            .annotate(phase_rank=rank).order_by("phase_rank", "order", "pk"))


def open_task_count(incident: Incident) -> int:
    return incident.tasks.filter(status__in=OPEN_TASK_STATUSES).count()

