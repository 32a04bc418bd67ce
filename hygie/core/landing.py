"""The core's panels on the role landing pages (autodiscovered like every module's landing.py):
the SOC analyst's alert queue and the biomedical engineer's devices.

The devices are the assets of kind "medical device" until the devices module exists; that
module will register its own panel for the biomedical engineer (the core's stays as the
inventory view)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy

from hygie.core.choices import AlertStatus, AssetKind, Criticality, Role
from hygie.core.models import Alert, Asset, User
from hygie.core.registries import LandingPanel, landing_panels
from hygie.core.roles import VIEW_ALERTS, VIEW_DIRECTORY
from hygie.core.services.alerts import OPEN_STATUSES

QUEUE_ROWS = 10
DEVICE_ROWS = 10


def alert_queue(user: User) -> Mapping[str, Any]:
    """Open alerts, most severe then most recent first, with the triage counts."""
    open_alerts = Alert.objects.visible_to(user).filter(status__in=OPEN_STATUSES)
    counts = open_alerts.order_by().aggregate(
        total=Count("pk"),
        new=Count("pk", filter=Q(status=AlertStatus.NEW)),
        unassigned=Count("pk", filter=Q(assignee__isnull=True)),
        mine=Count("pk", filter=Q(assignee=user)),
    )
    rows = list(
        open_alerts.select_related("establishment", "asset").order_by(
            "-severity", "-last_seen_at", "-pk"
        )[:QUEUE_ROWS]
    )
    return {"alerts": rows, **counts}


_CRITICALITY_RANK = Case(
    *(
        When(criticality=value, then=Value(rank))
        for rank, value in enumerate(reversed(Criticality.values))
    ),
    default=Value(len(Criticality.values)),
    output_field=IntegerField(),
)


def medical_devices(user: User) -> Mapping[str, Any]:
    """The medical devices the user sees, most critical first, with their open alerts."""
    devices = Asset.objects.visible_to(user).filter(kind=AssetKind.MEDICAL_DEVICE)
    by_criticality = {
        row["criticality"]: row["total"]
        for row in devices.order_by().values("criticality").annotate(total=Count("pk"))
    }
    rows = list(
        devices.select_related("establishment")
        .annotate(
            open_alerts=Count("alerts", filter=Q(alerts__status__in=OPEN_STATUSES)),
            rank=_CRITICALITY_RANK,
        )
        .order_by("rank", "-open_alerts", "hostname")[:DEVICE_ROWS]
    )
    return {
        "devices": rows,
        "total": sum(by_criticality.values()),
        "by_criticality": [
            (value, label, by_criticality.get(value, 0))
            for value, label in reversed(Criticality.choices)
        ],
        "kind": AssetKind.MEDICAL_DEVICE,
    }


landing_panels.register(
    "core.alert_queue",
    LandingPanel(
        id="core.alert_queue",
        title=gettext_lazy("Alert queue"),
        order=100,
        roles=frozenset({Role.SOC_ANALYST}),
        template="core/landing/_alert_queue.html",
        context=alert_queue,
        capability=VIEW_ALERTS,
    ),
)
landing_panels.register(
    "core.medical_devices",
    LandingPanel(
        id="core.medical_devices",
        title=gettext_lazy("My medical devices"),
        order=300,
        roles=frozenset({Role.BIOMED}),
        template="core/landing/_medical_devices.html",
        context=medical_devices,
        capability=VIEW_DIRECTORY,
    ),
)
