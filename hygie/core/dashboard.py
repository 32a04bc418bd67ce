"""The core's posture tiles: open alerts by severity, and the compliance probes that fail."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from django.core.cache import cache
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from hygie.core.choices import SeverityChoice
from hygie.core.models import Alert, Establishment, User
from hygie.core.registries import (
    DashboardTile,
    TileData,
    TilePart,
    dashboard_tiles,
    probes,
)
from hygie.core.roles import VIEW_ALERTS, VIEW_ORGANISATION
from hygie.core.services.alerts import OPEN_STATUSES
from hygie.core.services.dashboard import query_string

logger = logging.getLogger(__name__)

FAILING = ("fail", "error")
# Probes read live data (one verifies the whole audit chain): their verdicts are kept a few
# minutes so the dashboard stays quick; the compliance pages run them fresh.
PROBE_CACHE_SECONDS = 300


def open_alerts(user: User, establishments: Sequence[Establishment]) -> Mapping[int, TileData]:
    rows = (
        Alert.objects.visible_to(user)
        .filter(establishment__in=establishments, status__in=OPEN_STATUSES)
        .order_by()
        .values("establishment_id", "severity")
        .annotate(total=Count("pk"))
    )
    by_establishment: dict[int, dict[int, int]] = {}
    for row in rows:
        by_establishment.setdefault(row["establishment_id"], {})[row["severity"]] = row["total"]
    url = reverse("core:alert_list")
    result = {}
    for est in establishments:
        counts = by_establishment.get(est.pk, {})
        total = sum(counts.values())
        worst = max(counts, default=0)
        status = "critical" if worst >= SeverityChoice.HIGH else ("warning" if total else "ok")
        parts = [
            TilePart(
                label,
                counts.get(value, 0),
                f"{url}?{query_string({'establishment': est.pk, 'severity': value})}",
                f"severity-{value}",
            )
            for value, label in reversed(SeverityChoice.choices)
            if value >= SeverityChoice.MEDIUM or counts.get(value)
        ]
        result[est.pk] = TileData(
            value=total,
            status=status,
            link=f"{url}?{query_string({'establishment': est.pk})}",
            parts=parts,
        )
    return result


def _run_probes(establishment: Establishment) -> dict[str, str]:
    """Every probe's status for one establishment; a probe that raises counts as an error
    instead of breaking the page. Statuses only: titles are translated when shown."""
    verdicts = {}
    for key, probe in probes.items():
        try:
            status = probe.run(establishment).status
        except Exception:  # a faulty probe must not take the dashboard down
            logger.exception("probe %s failed on establishment %s", key, establishment.pk)
            status = "error"
        verdicts[key] = status
    return verdicts


def failing_probes(user: User, establishments: Sequence[Establishment]) -> Mapping[int, TileData]:
    keys = {est.pk: f"hygie:dashboard:probes:{est.pk}" for est in establishments}
    cached = cache.get_many(list(keys.values()))
    result = {}
    for est in establishments:
        verdicts = cached.get(keys[est.pk])
        if verdicts is None:
            verdicts = _run_probes(est)
            cache.set(keys[est.pk], verdicts, PROBE_CACHE_SECONDS)
        failing = sorted(
            gettext(probes.get(key).title)
            for key, status in verdicts.items()
            if status in FAILING and key in probes
        )
        partial = sum(1 for status in verdicts.values() if status == "partial")
        result[est.pk] = TileData(
            value=len(failing),
            status="critical" if failing else ("warning" if partial else "ok"),
            detail=ngettext(
                "%(count)s check passes only in part.",
                "%(count)s checks pass only in part.",
                partial,
            )
            % {"count": partial}
            if partial
            else "",
            parts=[TilePart(title, "✗") for title in failing],
        )
    return result


dashboard_tiles.register(
    "core.open_alerts",
    DashboardTile(
        id="core.open_alerts",
        title=_("Open alerts"),
        order=100,
        compute=open_alerts,
        capability=VIEW_ALERTS,
    ),
)
dashboard_tiles.register(
    "core.failing_probes",
    DashboardTile(
        id="core.failing_probes",
        title=_("Failing checks"),
        order=900,
        compute=failing_probes,
        capability=VIEW_ORGANISATION,
    ),
)
