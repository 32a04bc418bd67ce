"""Compliance evidence from threat intelligence (registered in the probe registry).

``intel.feed_fresh`` measures ``hygie.intel.sharing`` (the establishment exchanges threat
information with its partners): at least one active feed brought indicators in the last 7 days.
Summaries are msgids filled with ``params``, translated when shown.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_noop

from hygie.core.models import Establishment
from hygie.core.registries import Probe, ProbeResult, probes
from hygie.intel.models import Feed

FRESH_DAYS = 7


def feed_fresh(establishment: Establishment) -> ProbeResult:
    """At least one active threat-intelligence feed was updated in the last 7 days."""
    active = Feed.objects.filter(establishment=establishment, is_active=True)
    total = active.count()
    if not total:
        return ProbeResult.translatable(
            "fail",
            gettext_noop("No active threat-intelligence feed is configured."),
            data={"feeds": 0, "fresh": 0},
        )
    since = timezone.now() - timedelta(days=FRESH_DAYS)
    fresh = active.filter(last_success_at__gte=since).count()
    latest = active.exclude(last_success_at=None).order_by("-last_success_at").first()
    data = {
        "feeds": total,
        "fresh": fresh,
        "last_update": latest.last_success_at.isoformat()
        if latest and latest.last_success_at
        else None,
    }
    params = {"fresh": fresh, "total": total, "days": FRESH_DAYS}
    if fresh:
        return ProbeResult.translatable(
            "pass",
            gettext_noop(
                "%(fresh)s of %(total)s active threat-intelligence feed(s) updated in the last "
                "%(days)s days."
            ),
            params,
            data,
        )
    return ProbeResult.translatable(
        "fail",
        gettext_noop(
            "None of the %(total)s active threat-intelligence feed(s) was updated in the last "
            "%(days)s days."
        ),
        params,
        data,
    )


probes.register(
    "intel.feed_fresh",
    Probe(
        id="intel.feed_fresh",
        title=gettext_noop("Threat-intelligence feed updated in the last 7 days"),
        controls=("hygie.intel.sharing",),
        run=feed_fresh,
    ),
)


# --- incidents shared with the sector CERT (helper I3b) ----------------------------------------

SECTOR_CERT_OBLIGATION = "cert_sante"


def incidents_shared_with_cert(establishment: Establishment) -> ProbeResult:
    """Incidents under the CERT Santé obligation were shared with a CERT Santé partner (sent, or
    downloaded for its portal). The incidents come through ``hygie.core.incident_sources``."""
    from hygie.core.incident_sources import incidents_requiring
    from hygie.intel.models import IncidentShare
    from hygie.intel.models.choices import PartnerKind, ShareStatus

    required = set(incidents_requiring(establishment, SECTOR_CERT_OBLIGATION))
    if not required:
        return ProbeResult.translatable(
            "not_applicable",
            gettext_noop("No incident is under the CERT Santé declaration obligation."),
            data={"required": 0, "shared": 0},
        )
    shared = set(
        IncidentShare.objects.filter(
            establishment=establishment,
            incident_ref__in=required,
            partner__kind=PartnerKind.CERT_SANTE,
            status__in=(ShareStatus.SENT, ShareStatus.DOWNLOADED),
        ).values_list("incident_ref", flat=True)
    )
    missing = sorted(required - shared, key=lambda ref: (len(ref), ref))
    params = {"shared": len(shared), "required": len(required)}
    data = {"required": len(required), "shared": len(shared), "missing_refs": missing[:50]}
    if not missing:
        return ProbeResult.translatable(
            "pass",
            gettext_noop(
                "All %(required)s incident(s) under the CERT Santé obligation were shared with "
                "a CERT Santé partner."
            ),
            params,
            data,
        )
    return ProbeResult.translatable(
        "partial" if shared else "fail",
        gettext_noop(
            "%(shared)s of %(required)s incident(s) under the CERT Santé obligation were shared "
            "with a CERT Santé partner."
        ),
        params,
        data,
    )


probes.register(
    "intel.incidents_shared_with_cert",
    Probe(
        id="intel.incidents_shared_with_cert",
        title=gettext_noop("Incidents shared with the sector CERT when required"),
        controls=("hygie.intel.sharing", "hygie.incident.notification"),
        run=incidents_shared_with_cert,
    ),
)
