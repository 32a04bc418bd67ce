"""Compliance evidence from closed incidents: was each one reviewed afterwards?

Control id of Hygie's catalogue: ``hygie.incident.post_incident_review`` (every incident ends with
a review: its root cause and the lessons learned are written down). Summaries are msgids filled
with ``params``, translated when shown.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_noop

from hygie.core.models import Establishment
from hygie.core.registries import Probe, ProbeResult, probes
from hygie.response.choices import IncidentStatus
from hygie.response.models import Incident

PERIOD = timedelta(days=365)
LISTED = 50


def post_incident_reviews(establishment: Establishment) -> ProbeResult:
    """Every incident closed in the last 12 months has its root cause and lessons learned
    recorded (the post-incident review)."""
    closed = Incident.objects.filter(
        establishment=establishment,
        status=IncidentStatus.CLOSED,
        closed_at__gte=timezone.now() - PERIOD,
    ).order_by("closed_at", "pk")
    rows = list(closed.values_list("reference", "root_cause", "lessons_learned"))
    if not rows:
        return ProbeResult.translatable(
            "not_applicable",
            gettext_noop("No incident was closed in the last 12 months."),
            data={"closed": 0},
        )
    unreviewed = [
        reference
        for reference, root_cause, lessons in rows
        if not (root_cause or "").strip() or not (lessons or "").strip()
    ]
    reviewed = len(rows) - len(unreviewed)
    data = {
        "closed": len(rows),
        "reviewed": reviewed,
        "without_review": unreviewed[:LISTED],
    }
    params = {"reviewed": reviewed, "closed": len(rows)}
    if not unreviewed:
        return ProbeResult.translatable(
            "pass",
            gettext_noop(
                "All %(closed)s incident(s) closed in the last 12 months have a post-incident "
                "review (root cause and lessons learned)."
            ),
            params,
            data,
        )
    return ProbeResult.translatable(
        "partial" if reviewed else "fail",
        gettext_noop(
            "%(reviewed)s of %(closed)s incident(s) closed in the last 12 months have a "
            "post-incident review (root cause and lessons learned)."
        ),
        params,
        data,
    )


probes.register(
    "response.post_incident_reviews",
    Probe(
        id="response.post_incident_reviews",
        title=gettext_noop("Incidents closed with a post-incident review"),
        controls=("hygie.incident.post_incident_review",),
        run=post_incident_reviews,
    ),
)
