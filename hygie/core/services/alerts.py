"""Raising and triaging alerts: the one way every module reports something a person must see.

Modules call ``raise_alert``; repeats of the same signal (same establishment, source and
``group_key``) within a window update the open alert instead of flooding the triage screen.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.core.choices import AlertStatus, SeverityChoice
from hygie.core.models import Alert, Asset, Establishment, User
from hygie.core.roles import TRIAGE_ALERTS
from hygie.core.services import crud

DEFAULT_GROUPING_WINDOW = timedelta(hours=24)

# Alerts in these states are still being worked on, so a repeat joins them.
OPEN_STATUSES = (AlertStatus.NEW, AlertStatus.ACKNOWLEDGED, AlertStatus.ESCALATED)


def raise_alert(*, establishment: Establishment, source: str, title: str,
                severity: int = SeverityChoice.MEDIUM, rule_id: str = "", description: str = "",
                asset: Asset | None = None, group_key: str = "", tags: Iterable[str] = (),
                details: dict[str, Any] | None = None, seen_at: datetime | None = None,
                window: timedelta = DEFAULT_GROUPING_WINDOW) -> Alert:
    """Create an alert, or count a repeat on the open alert with the same ``group_key``.

    ``title``, ``description`` and ``details`` must not contain patient data: describe the
    pattern (rule, counts, host), not the record.
    """
    seen_at = seen_at or timezone.now()
    if asset is not None and asset.establishment_id != establishment.pk:
        raise ValidationError(_("The asset belongs to another establishment."))
    with transaction.atomic():
        if group_key:
            existing = (Alert.objects.select_for_update()
                        .filter(establishment=establishment, source=source, group_key=group_key,
                                status__in=OPEN_STATUSES, last_seen_at__gte=seen_at - window)
                        .order_by("-last_seen_at").first())
            if existing is not None:
                return _count_repeat(existing, severity, seen_at)
        alert = Alert(establishment=establishment, source=source, rule_id=rule_id,
                      title=title[:300], description=description, severity=severity,
                      asset=asset, group_key=group_key[:300], tags=sorted(set(tags)),
                      details=details or {}, first_seen_at=seen_at, last_seen_at=seen_at)
        alert.full_clean()
        alert.save()
    return alert


def _count_repeat(alert: Alert, severity: int, seen_at: datetime) -> Alert:
    # A queryset update on purpose: a noisy rule may repeat thousands of times a day, and
    # each repeat is not a human change worth an audit entry (the creation is audited).
    alert.occurrences += 1
    alert.last_seen_at = max(alert.last_seen_at, seen_at)
    alert.severity = max(alert.severity, severity)
    Alert.objects.filter(pk=alert.pk).update(occurrences=alert.occurrences,
                                             last_seen_at=alert.last_seen_at,
                                             severity=alert.severity, updated_at=timezone.now())
    return alert


def _require_triage(user: Any) -> None:
    if not user.can(TRIAGE_ALERTS):
        raise PermissionDenied(_("You may not triage alerts."))


def change_alert_status(alert: Alert, user: Any, status: str) -> Alert:
    """Move an alert to another triage state (audited through the model signals)."""
    _require_triage(user)
    if status not in AlertStatus.values:
        raise ValidationError(_("Unknown alert status."))
    if alert.status == status:
        return alert
    return crud.save_instance(alert, user, status=status)


def assignable_users(alert: Alert) -> list[User]:
    """Active users who can see the alert's establishment and may triage it."""
    candidates = (User.objects.filter(is_active=True)
                  .filter(Q(is_superuser=True) | Q(has_all_establishments=True)
                          | Q(establishments=alert.establishment_id))
                  .distinct().order_by("username"))
    return [candidate for candidate in candidates if candidate.can(TRIAGE_ALERTS)]


def assign_alert(alert: Alert, user: Any, assignee: User | None) -> Alert:
    """Give the alert to someone who can work on it (``None`` unassigns it)."""
    _require_triage(user)
    if assignee is not None and assignee not in assignable_users(alert):
        raise ValidationError(_("This user cannot work on alerts of this establishment."))
    if alert.assignee_id == (assignee.pk if assignee else None):
        return alert
    return crud.save_instance(alert, user, assignee=assignee)


def alert_counts(queryset: Any) -> dict[str, list[tuple[Any, str, int]]]:
    """Counts of a (scoped) alert queryset by status and by severity, for the triage screen."""
    by_status = _count_by(queryset, "status")
    by_severity = _count_by(queryset, "severity")
    return {
        "status": [(value, label, by_status.get(value, 0)) for value, label in AlertStatus.choices],
        "severity": [(value, label, by_severity.get(value, 0))
                     for value, label in reversed(SeverityChoice.choices)],
    }


def _count_by(queryset: Any, field: str) -> dict[Any, int]:
    rows = queryset.order_by().values(field).annotate(total=Count("pk"))
    return {row[field]: row["total"] for row in rows}
