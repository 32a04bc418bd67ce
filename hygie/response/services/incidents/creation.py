"""Creating incidents: by hand, from alerts, from a reported phishing mail; their references."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from hygie.core import audit
from hygie.core.choices import AlertStatus
from hygie.core.models import Alert, Asset, Department, Establishment, User
from hygie.core.services import crud
from hygie.response.choices import (
    IncidentCategory,
    IncidentSource,
    IncidentStatus,
)
from hygie.response.models import Incident, IncidentTransition
from hygie.response.roles import MANAGE_INCIDENTS
from hygie.response.services import notifications
from hygie.response.services.incidents.common import (
    EDITABLE_FIELDS,
    MAX_ALERTS,
    PHISHING_SOURCE_MODULE,
    REFERENCE_ATTEMPTS,
    REFERENCE_PREFIX,
    assignable_users,
    author_of,
    check_candidate,
    check_related,
    display_name,
    local_time,
    require_capability,
    require_incident,
    save_instance,
    validate_facts,
)
from hygie.response.services.timeline import add_entry

# --- references -------------------------------------------------------------------------------


def next_reference(year: int) -> str:
    """The next free reference of the year, numbered across the whole installation.

    Ordering by length first keeps INC-2026-10000 after INC-2026-9999.
    """
    prefix = f"{REFERENCE_PREFIX}-{year}-"
    last = (
        Incident._default_manager.filter(reference__startswith=prefix)
        .annotate(length=Length("reference"))
        .order_by("-length", "-reference")
        .values_list("reference", flat=True)
        .first()
    )
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
                raise ValidationError(
                    _("Could not allocate an incident reference; please try again.")
                ) from None


# --- creation ---------------------------------------------------------------------------------


def create_incident(
    user: User | None,
    *,
    establishment: Establishment,
    title: str,
    discovered_at: datetime,
    alerts: Iterable[Alert] = (),
    affected_establishments: Iterable[Establishment] | None = None,
    departments: Iterable[Department] | None = None,
    assets: Iterable[Asset] | None = None,
    assignee: User | None = None,
    **fields: Any,
) -> Incident:
    """Declare an incident. ``fields`` are the other editable facts (category, severity…)."""
    require_capability(user, MANAGE_INCIDENTS)
    if user is not None:
        crud.check_establishment_allowed(user, establishment.pk)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown incident fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    alerts = list(alerts)
    now = timezone.now()
    values = {"title": title, "discovered_at": discovered_at, **fields}
    validate_facts(values, now)
    if (
        values.get("source") == IncidentSource.PHISHING_REPORT
        and not alerts
        and not str(values.get("source_reference", "")).strip()
    ):
        raise ValidationError(
            {
                "source_reference": [
                    _(
                        "Give the reference of the reported mail (Message-ID, ticket or report "
                        "number)."
                    )
                ]
            }
        )
    incident = Incident(
        establishment=establishment,
        title=title,
        discovered_at=discovered_at,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        status=IncidentStatus.NEW,
        **fields,
    )
    related = {
        "affected_establishments": list(affected_establishments or []),
        "departments": list(departments or []),
        "assets": list(assets or []),
    }
    with transaction.atomic():
        check_related(incident, user, related)
        if assignee is not None:
            check_candidate(
                assignee,
                assignable_users(incident),
                "assignee",
                _("This person cannot handle incidents of this establishment."),
            )
            incident.assignee = assignee
        incident.full_clean(exclude=["reference"])
        _insert_with_reference(incident)
        for name, items in related.items():
            if items:
                getattr(incident, name).set(items)
        IncidentTransition.objects.create(
            incident=incident,
            from_status="",
            to_status=IncidentStatus.NEW,
            by=incident.created_by,
            at=now,
            note="",
        )
        add_entry(
            incident,
            lambda: (  # written in each language: every reader sees their own
                _("Incident declared. Source: %(source)s; discovered %(when)s.")
                % {
                    "source": incident.get_source_display(),
                    "when": local_time(incident, discovered_at),
                }
            ),
            at=now,
            author=incident.created_by,
        )
        if alerts:
            _link_alerts(incident, user, alerts)
        if incident.created_by is not None:
            incident.watchers.add(incident.created_by)
        if assignee is not None:
            incident.watchers.add(assignee)
            add_entry(
                incident,
                lambda: _("Assigned to %(name)s.") % {"name": display_name(assignee)},
                at=now,
                author=incident.created_by,
            )
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


def visible_alerts(user: User | None, alert_ids: Iterable[int]) -> list[Alert]:
    """The requested alerts; any id the user cannot see is refused as unknown (not skipped),
    so an incident is never built on a partial, silently filtered set."""
    ids = sorted({int(alert_id) for alert_id in alert_ids})
    if not ids:
        raise ValidationError({"alerts": [_("Choose at least one alert.")]})
    if len(ids) > MAX_ALERTS:
        raise ValidationError(
            {"alerts": [_("At most %(count)d alerts at once.") % {"count": MAX_ALERTS}]}
        )
    alerts = list(
        Alert.objects.visible_to(user).filter(pk__in=ids).select_related("establishment", "asset")
    )
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
    title = (
        worst.title
        if len(alerts) == 1
        else _("%(title)s (+%(count)d related alerts)")
        % {"title": worst.title, "count": len(alerts) - 1}
    )
    lines = [_("Created from %(count)d alert(s):") % {"count": len(alerts)}]
    for alert in alerts:
        lines.append(
            f"- [{alert.get_severity_display()}] {alert.title} "
            f"({alert.source}{', ' + alert.rule_id if alert.rule_id else ''}; "
            + _("first seen %(first)s, last seen %(last)s, %(count)d occurrence(s)")
            % {
                "first": formats.date_format(
                    timezone.localtime(alert.first_seen_at), "SHORT_DATETIME_FORMAT"
                ),
                "last": formats.date_format(
                    timezone.localtime(alert.last_seen_at), "SHORT_DATETIME_FORMAT"
                ),
                "count": alert.occurrences,
            }
            + ")"
        )
    assets = []
    for alert in alerts:
        if alert.asset is not None and alert.asset not in assets:
            assets.append(alert.asset)
    return AlertSuggestion(
        establishment=worst.establishment,
        affected_establishments=[e for e in establishments if e.pk != worst.establishment_id],
        title=title[:300],
        description="\n".join(lines),
        severity=worst.severity,
        category=IncidentCategory.PHISHING if is_phishing else IncidentCategory.OTHER,
        source=IncidentSource.PHISHING_REPORT if is_phishing else IncidentSource.ALERT,
        source_reference=", ".join(f"alert #{alert.pk}" for alert in alerts)[:300],
        discovered_at=min(alert.first_seen_at for alert in alerts),
        assets=assets,
    )


def create_from_alerts(user: User | None, alerts: Sequence[Alert], **overrides: Any) -> Incident:
    """An incident revealed by alerts: suggested facts from the alerts, overridden by the user.

    The severity is never lower than the worst alert's unless the user says so explicitly."""
    suggestion = suggest_from_alerts(alerts)
    values: dict[str, Any] = {
        "establishment": suggestion.establishment,
        "affected_establishments": suggestion.affected_establishments,
        "title": suggestion.title,
        "description": suggestion.description,
        "severity": suggestion.severity,
        "category": suggestion.category,
        "source": suggestion.source,
        "source_reference": suggestion.source_reference,
        "discovered_at": suggestion.discovered_at,
        "assets": suggestion.assets,
    }
    values.update({key: value for key, value in overrides.items() if value is not None})
    alert_establishments = {alert.establishment_id for alert in alerts}
    handling = values["establishment"]
    if handling.pk not in alert_establishments:
        raise ValidationError(
            {
                "establishment": [
                    _("The handling establishment must be one of the alerts' establishments.")
                ]
            }
        )
    others = [a.establishment for a in alerts if a.establishment_id != handling.pk]
    affected = list(values.pop("affected_establishments") or [])
    for establishment in others:
        if establishment not in affected:
            affected.append(establishment)
    return create_incident(user, alerts=alerts, affected_establishments=affected, **values)


def link_alerts(user: User | None, incident: Incident, alerts: Sequence[Alert]) -> int:
    """Attach more alerts to an existing incident; returns how many were new."""
    require_incident(user, incident)
    with transaction.atomic():
        return _link_alerts(incident, user, alerts)


def _link_alerts(incident: Incident, user: User | None, alerts: Sequence[Alert]) -> int:
    allowed = {
        incident.establishment_id,
        *incident.affected_establishments.values_list("pk", flat=True),
    }
    if any(alert.establishment_id not in allowed for alert in alerts):
        raise ValidationError(
            {"alerts": [_("These alerts belong to an establishment the incident does not affect.")]}
        )
    already = set(incident.alerts.values_list("pk", flat=True))
    new = [alert for alert in alerts if alert.pk not in already]
    if not new:
        return 0
    incident.alerts.add(*new)
    audit.record("update", incident, changes={"alerts": {"added": [a.pk for a in new]}})
    for alert in new:
        if alert.status != AlertStatus.ESCALATED:
            save_instance(alert, user, status=AlertStatus.ESCALATED)
    add_entry(
        incident,
        lambda: (
            _("%(count)d alert(s) linked and escalated: %(ids)s.")
            % {"count": len(new), "ids": ", ".join(f"#{alert.pk}" for alert in new)}
        ),
        author=author_of(user),
    )
    return len(new)
