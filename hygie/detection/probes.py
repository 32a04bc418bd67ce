"""Compliance evidence from detection (registered in the probe registry).

Control ids belong to Hygie's control catalogue: ``hygie.logging.collection`` (security logs of
the information system are collected centrally) and ``hygie.detection.monitoring`` (what is
collected is watched by detection rules), ``hygie.detection.rules`` (rules maintained and
enabled) and ``hygie.logging.retention``. Summaries are msgids filled with ``params``,
translated when shown.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext_noop

from hygie.core.choices import AssetKind, Criticality
from hygie.core.models import Asset, Establishment
from hygie.core.registries import Probe, ProbeResult, probes
from hygie.detection.models import Event
from hygie.detection.retention import max_events
from hygie.detection.services import disabled_rule_ids, rule_engine
from hygie.lib.severity import Severity

RECENT = timedelta(hours=24)
# Rules from this level up must stay enabled: their alerts are the ones an attack raises.
IMPORTANT_LEVEL = Severity.HIGH
# A host that logged in this window and fell silent for RECENT is a log source gone quiet. A
# week, not the whole retention: the probe scans the window's events (no per-host summary table).
SOURCE_WINDOW = timedelta(days=7)
# Share of the rule pack that may be switched off (noise) before detection coverage suffers.
RULES_ENABLED_PASS = 0.9
RULES_ENABLED_PARTIAL = 0.7
# Security logs kept at least 6 months (CNIL's recommendation for access traces; ANSSI asks
# for 6 months to a year); below 90 days an investigation rarely finds the start of an attack.
RETENTION_PASS_DAYS = 180
RETENTION_PARTIAL_DAYS = 90
LISTED = 50


def recent_logs(establishment: Establishment) -> ProbeResult:
    """Security logs of the establishment were received in the last 24 hours."""
    since = timezone.now() - RECENT
    recent = Event.objects.filter(establishment=establishment, received_at__gte=since)
    by_source = dict(
        recent.values_list("source").annotate(count=Count("pk")).values_list("source", "count")
    )
    total = sum(by_source.values())
    if not total:
        return ProbeResult.translatable(
            "fail",
            gettext_noop("No log event was received in the last 24 hours."),
            data={"events": 0},
        )
    hosts = recent.exclude(host="").values("host").distinct().count()
    return ProbeResult.translatable(
        "pass",
        gettext_noop(
            "%(events)s log event(s) from %(hosts)s host(s) received in the last 24 hours."
        ),
        {"events": total, "hosts": hosts},
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
        return ProbeResult.translatable(
            "not_applicable",
            gettext_noop("No vital or high-criticality server is in the inventory."),
            data={"servers": 0},
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
        return ProbeResult.translatable(
            "pass",
            gettext_noop("All %(servers)s critical server(s) sent logs in the last 24 hours."),
            {"servers": len(expected)},
            data,
        )
    status = "fail" if not seen else "partial"
    return ProbeResult.translatable(
        status,
        gettext_noop(
            "%(silent)s of %(servers)s critical server(s) sent no log in the last 24 hours."
        ),
        {"silent": len(silent), "servers": len(expected)},
        data,
    )


def silent_log_sources(establishment: Establishment) -> ProbeResult:
    """No host that sent logs in the last 7 days has been silent for 24 hours (a source gone
    quiet: an agent stopped, a forwarding broken, logs deleted by an attacker)."""
    now = timezone.now()
    last_seen = dict(
        Event.objects.filter(establishment=establishment, received_at__gte=now - SOURCE_WINDOW)
        .exclude(host="")
        .values("host")
        .annotate(last=Max("received_at"))
        .values_list("host", "last")
    )
    if not last_seen:
        return ProbeResult.translatable(
            "not_applicable",
            gettext_noop("No host sent logs in the last 7 days."),
            data={"sources": 0},
        )
    silent = sorted(
        (
            {"host": host, "last_event_at": at.isoformat()}
            for host, at in last_seen.items()
            if at < now - RECENT
        ),
        key=lambda row: row["last_event_at"],
    )
    data = {"sources": len(last_seen), "silent": len(silent), "silent_sources": silent[:LISTED]}
    params = {"silent": len(silent), "sources": len(last_seen)}
    if not silent:
        return ProbeResult.translatable(
            "pass",
            gettext_noop(
                "All %(sources)s log sources of the last 7 days sent logs in the last 24 hours."
            ),
            params,
            data,
        )
    return ProbeResult.translatable(
        "fail" if len(silent) == len(last_seen) else "partial",
        gettext_noop(
            "%(silent)s of %(sources)s log sources of the last 7 days have been silent for "
            "24 hours."
        ),
        params,
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
        return ProbeResult.translatable(
            "not_applicable",
            gettext_noop("The rule library has no high or critical rule."),
            data=data,
        )
    if disabled:
        return ProbeResult.translatable(
            "fail",
            gettext_noop("%(disabled)s high or critical detection rule(s) are disabled."),
            {"disabled": len(disabled)},
            data,
        )
    return ProbeResult.translatable(
        "pass",
        gettext_noop("All %(rules)s high and critical detection rules are enabled."),
        {"rules": len(important)},
        data,
    )


def rules_enabled_share(establishment: Establishment) -> ProbeResult:
    """At least 90 % of the alerting rules of the library are enabled for the establishment
    (70 % or more: partial): rules switched off for noise leave attacks unseen."""
    pack = rule_engine().pack
    rules = {loaded.info.id: loaded.info.title for loaded in pack.loaded if loaded.emits}
    if not rules:
        return ProbeResult.translatable(
            "not_applicable", gettext_noop("The rule library has no alerting rule."), data={}
        )
    disabled = sorted(
        rules[rule_id] for rule_id in disabled_rule_ids(establishment) if rule_id in rules
    )
    enabled = len(rules) - len(disabled)
    share = enabled / len(rules)
    percent = int(share * 100)
    data = {
        "rules": len(rules),
        "enabled": enabled,
        "enabled_percent": percent,
        "disabled": disabled[:LISTED],
    }
    status = (
        "pass"
        if share >= RULES_ENABLED_PASS
        else ("partial" if share >= RULES_ENABLED_PARTIAL else "fail")
    )
    return ProbeResult.translatable(
        status,
        gettext_noop("%(enabled)s of %(rules)s detection rules are enabled (%(percent)s %%)."),
        {"enabled": enabled, "rules": len(rules), "percent": percent},
        data,
    )


def log_retention(establishment: Establishment) -> ProbeResult:
    """Received security logs are kept at least 6 months (90 days or more: partial). The
    retention by age is the setting; a cap on the number of events shortens it when reached."""
    days = int(getattr(settings, "HYGIE_EVENT_RETENTION_DAYS", 0) or 0)
    cap = max_events()
    data: dict[str, object] = {"retention_days": days, "max_events": cap}
    effective = days
    if cap:
        oldest = Event.objects.order_by("received_at").values_list("received_at", flat=True).first()
        if oldest is not None and Event.objects.count() >= cap:
            # The cap is reached: what is kept is what the oldest stored event says.
            effective = min(days, (timezone.now() - oldest).days)
            data["capped_at_days"] = effective
    data["effective_days"] = effective
    status = (
        "pass"
        if effective >= RETENTION_PASS_DAYS
        else ("partial" if effective >= RETENTION_PARTIAL_DAYS else "fail")
    )
    return ProbeResult.translatable(
        status,
        gettext_noop(
            "Security logs received by Hygie are kept %(days)s days (at least 180 expected)."
        ),
        {"days": effective},
        data,
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
    "detection.silent_log_sources",
    Probe(
        id="detection.silent_log_sources",
        title=gettext_noop("No log source silent for 24 hours"),
        controls=("hygie.logging.collection", "hygie.detection.monitoring"),
        run=silent_log_sources,
    ),
)
probes.register(
    "detection.important_rules_enabled",
    Probe(
        id="detection.important_rules_enabled",
        title=gettext_noop("High and critical detection rules are enabled"),
        controls=("hygie.detection.monitoring", "hygie.detection.rules"),
        run=important_rules_enabled,
    ),
)
probes.register(
    "detection.rules_enabled_share",
    Probe(
        id="detection.rules_enabled_share",
        title=gettext_noop("Detection rules enabled (at least nine in ten)"),
        controls=("hygie.detection.rules",),
        run=rules_enabled_share,
    ),
)
probes.register(
    "detection.log_retention",
    Probe(
        id="detection.log_retention",
        title=gettext_noop("Security logs kept at least 6 months"),
        controls=("hygie.logging.retention",),
        run=log_retention,
    ),
)
