"""Compliance evidence from detection (registered in the probe registry).

Control ids belong to Hygie's control catalogue: ``hygie.logging.collection`` (security logs of
the information system are collected centrally) and ``hygie.detection.monitoring`` (what is
collected is watched by detection rules).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_noop

from hygie.core.choices import AssetKind, Criticality
from hygie.core.models import Asset, Establishment
from hygie.core.registries import Probe, ProbeResult, probes
from hygie.detection.models import Event
from hygie.detection.services import disabled_rule_ids, rule_engine
from hygie.lib.severity import Severity

RECENT = timedelta(hours=24)
# Rules from this level up must stay enabled: their alerts are the ones an attack raises.
IMPORTANT_LEVEL = Severity.HIGH


def recent_logs(establishment: Establishment) -> ProbeResult:
    """Security logs of the establishment were received in the last 24 hours."""
    since = timezone.now() - RECENT
    recent = Event.objects.filter(establishment=establishment, received_at__gte=since)
    by_source = dict(
        recent.values_list("source").annotate(count=Count("pk")).values_list("source", "count")
    )
    total = sum(by_source.values())
    if not total:
        return ProbeResult("fail", "No log event was received in the last 24 hours.", {"events": 0})
    hosts = recent.exclude(host="").values("host").distinct().count()
    return ProbeResult(
        "pass",
        f"{total} log event(s) from {hosts} host(s) received in the last 24 hours.",
        {"events": total, "hosts": hosts, "by_source": by_source},
    )


def critical_servers_logging(establishment: Establishment) -> ProbeResult:
    """Every vital or high-criticality server sent logs in the last 24 hours."""
    servers = Asset.objects.filter(
        establishment=establishment,
        kind=AssetKind.SERVER,
        criticality__in=[Criticality.VITAL, Criticality.HIGH],
    )
    expected = dict(servers.values_list("pk", "hostname"))
    if not expected:
        return ProbeResult(
            "not_applicable",
            "No vital or high-criticality server is in the inventory.",
            {"servers": 0},
        )
    since = timezone.now() - RECENT
    seen = set(
        Event.objects.filter(
            establishment=establishment, received_at__gte=since, asset_id__in=expected
        )
        .values_list("asset_id", flat=True)
        .distinct()
    )
    silent = sorted(hostname for pk, hostname in expected.items() if pk not in seen)
    data = {"servers": len(expected), "logging": len(seen), "silent": silent}
    if not silent:
        return ProbeResult(
            "pass", f"All {len(expected)} critical server(s) sent logs in the last 24 hours.", data
        )
    status = "fail" if not seen else "partial"
    return ProbeResult(
        status,
        f"{len(silent)} of {len(expected)} critical server(s) sent no log in the last 24 hours.",
        data,
    )


def important_rules_enabled(establishment: Establishment) -> ProbeResult:
    """No high or critical detection rule is switched off for the establishment."""
    pack = rule_engine().pack
    important = {
        loaded.info.id: loaded.info.title
        for loaded in pack.loaded
        if loaded.emits and loaded.info.level is not None and loaded.info.level >= IMPORTANT_LEVEL
    }
    disabled = sorted(
        important[rule_id] for rule_id in disabled_rule_ids(establishment) if rule_id in important
    )
    data = {"important_rules": len(important), "disabled": disabled}
    if not important:
        return ProbeResult("not_applicable", "The rule library has no high or critical rule.", data)
    if disabled:
        return ProbeResult(
            "fail", f"{len(disabled)} high or critical detection rule(s) are disabled.", data
        )
    return ProbeResult(
        "pass", f"All {len(important)} high and critical detection rules are enabled.", data
    )


probes.register(
    "detection.recent_logs",
    Probe(
        id="detection.recent_logs",
        title=gettext_noop("Security logs received in the last 24 hours"),
        controls=("hygie.logging.collection",),
        run=recent_logs,
    ),
)
probes.register(
    "detection.critical_servers_logging",
    Probe(
        id="detection.critical_servers_logging",
        title=gettext_noop("Vital and high-criticality servers send their logs"),
        controls=("hygie.logging.collection",),
        run=critical_servers_logging,
    ),
)
probes.register(
    "detection.important_rules_enabled",
    Probe(
        id="detection.important_rules_enabled",
        title=gettext_noop("High and critical detection rules are enabled"),
        controls=("hygie.detection.monitoring",),
        run=important_rules_enabled,
    ),
)
