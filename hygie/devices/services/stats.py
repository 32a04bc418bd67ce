"""Figures of the devices dashboard, the posture tiles and the compliance probes (aggregates:
a fixed number of queries whatever the inventory's size)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from hygie.core.choices import AssetKind
from hygie.core.models import Asset, Establishment, User
from hygie.devices.choices import ClinicalFunction, MatchStatus, Workflow
from hygie.devices.engine.risk import level_of
from hygie.devices.models import Advisory, Device, DeviceVulnerability

KEV_GRACE_DAYS = 14


def open_affected(queryset: QuerySet[DeviceVulnerability]) -> QuerySet[DeviceVulnerability]:
    return queryset.filter(workflow=Workflow.OPEN, status=MatchStatus.KNOWN_AFFECTED)


@dataclass(frozen=True)
class Coverage:
    medical_assets: int
    with_device: int
    complete: int  # a Device with manufacturer, model and version

    @property
    def ratio(self) -> float:
        return self.complete / self.medical_assets if self.medical_assets else 1.0


def coverage(
    establishments: Sequence[Establishment] | QuerySet[Establishment],
) -> dict[int, Coverage]:
    """Per establishment: medical-device assets, how many have a Device record, how many
    with manufacturer, model and version."""
    rows = (
        Asset.objects.filter(establishment__in=establishments, kind=AssetKind.MEDICAL_DEVICE)
        .order_by()
        .values("establishment")
        .annotate(
            total=Count("pk"),
            with_device=Count("device"),
            complete=Count(
                "device",
                filter=~Q(device__manufacturer="")
                & ~Q(device__model_name="")
                & ~Q(device__version=""),
            ),
        )
    )
    return {
        row["establishment"]: Coverage(row["total"], row["with_device"], row["complete"])
        for row in rows
    }


def stale_kev_on_life_sustaining(
    establishments: Sequence[Establishment] | QuerySet[Establishment],
    today: datetime.date | None = None,
) -> dict[int, int]:
    """Per establishment: open KEV vulnerabilities on life-sustaining devices known for more
    than 14 days (since the later of the KEV listing and the match)."""
    day = today or timezone.localdate()
    limit = day - datetime.timedelta(days=KEV_GRACE_DAYS)
    moment = timezone.now() - datetime.timedelta(days=KEV_GRACE_DAYS)
    rows = (
        open_affected(DeviceVulnerability.objects.all())
        .filter(
            device__establishment__in=establishments,
            device__clinical_function=ClinicalFunction.LIFE_SUSTAINING,
            vulnerability__kev=True,
            vulnerability__kev_date_added__lte=limit,
            first_seen__lte=moment,
        )
        .order_by()
        .values("device__establishment")
        .annotate(total=Count("pk"))
    )
    return {row["device__establishment"]: row["total"] for row in rows}


def unsupported_os(
    establishments: Sequence[Establishment] | QuerySet[Establishment],
    today: datetime.date | None = None,
) -> dict[int, tuple[int, int]]:
    """Per establishment: (devices with an OS out of support, devices)."""
    day = today or timezone.localdate()
    rows = (
        Device.objects.filter(establishment__in=establishments)
        .order_by()
        .values("establishment")
        .annotate(total=Count("pk"), unsupported=Count("pk", filter=Q(os_end_of_support__lt=day)))
    )
    return {row["establishment"]: (row["unsupported"], row["total"]) for row in rows}


def by_function_and_risk(user: User) -> dict[str, dict[str, int]]:
    """Devices per clinical function and per risk level (their worst open vulnerability)."""
    worst: dict[int, float] = {}
    for device_id, score in (
        open_affected(DeviceVulnerability.objects.visible_to(user))
        .order_by()
        .values_list("device", "risk_score")
    ):
        worst[device_id] = max(score, worst.get(device_id, 0.0))
    table: dict[str, dict[str, int]] = {}
    for device_id, function in Device.objects.visible_to(user).values_list(
        "pk", "clinical_function"
    ):
        level = level_of(worst[device_id]) if device_id in worst else "none"
        row = table.setdefault(function, {})
        row[level] = row.get(level, 0) + 1
    return table


def kev_exposure(user: User) -> dict[str, int]:
    """Devices with at least one open KEV vulnerability, and the open KEV links."""
    links = open_affected(DeviceVulnerability.objects.visible_to(user)).filter(
        vulnerability__kev=True
    )
    return {
        "devices": links.order_by().values("device").distinct().count(),
        "links": links.count(),
        "life_sustaining": links.filter(device__clinical_function=ClinicalFunction.LIFE_SUSTAINING)
        .values("device")
        .distinct()
        .count(),
    }


def advisories_without_decision(user: User) -> int:
    """Advisories affecting at least one visible device where some link is still undecided."""
    undecided = DeviceVulnerability.objects.visible_to(user).filter(
        advisory=OuterRef("pk"),
        workflow=Workflow.OPEN,
        status__in=[
            MatchStatus.KNOWN_AFFECTED,
            MatchStatus.UNDER_INVESTIGATION,
            MatchStatus.NEEDS_REVIEW,
        ],
    )
    return Advisory.objects.visible_to(user).filter(Exists(undecided)).count()


def open_by_establishment(
    user: User, establishments: Sequence[Establishment]
) -> dict[int, dict[str, int]]:
    rows = (
        open_affected(DeviceVulnerability.objects.visible_to(user))
        .filter(device__establishment__in=establishments)
        .order_by()
        .values("device__establishment")
        .annotate(
            total=Count("pk"),
            kev=Count("pk", filter=Q(vulnerability__kev=True)),
            critical=Count("pk", filter=Q(risk_score__gte=70)),
        )
    )
    return {
        row["device__establishment"]: {
            "total": row["total"],
            "kev": row["kev"],
            "critical": row["critical"],
        }
        for row in rows
    }


def open_violations(establishments: Sequence[Establishment]) -> dict[int, dict[str, int]]:
    """Flows outside the segmentation policy whose alert is still open (not closed, not a false
    positive), per establishment: all, to the internet, critical (a life-sustaining or
    therapeutic device to the internet); ``policy`` is 1 when the establishment has one."""
    from hygie.core.choices import AlertStatus, SeverityChoice
    from hygie.devices.models import SegmentationPolicy, SegmentationViolation

    closed = [AlertStatus.CLOSED, AlertStatus.FALSE_POSITIVE]
    rows = (
        SegmentationViolation.objects.filter(establishment__in=establishments)
        .exclude(alert__status__in=closed)
        .order_by()
        .values("establishment")
        .annotate(
            total=Count("pk"),
            internet=Count("pk", filter=Q(dst_zone="internet")),
            critical=Count("pk", filter=Q(alert__severity=SeverityChoice.CRITICAL)),
        )
    )
    found = {
        est.pk: {"total": 0, "internet": 0, "critical": 0, "policy": 0} for est in establishments
    }
    for row in rows:
        found[row["establishment"]].update(
            total=row["total"], internet=row["internet"], critical=row["critical"]
        )
    for est_id in SegmentationPolicy.objects.filter(establishment__in=establishments).values_list(
        "establishment", flat=True
    ):
        found[est_id]["policy"] = 1
    return found
