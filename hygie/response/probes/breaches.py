"""Compliance evidence from the personal-data breach register (GDPR art. 33(5)).

Control id of Hygie's catalogue: ``hygie.incident.breach_register``. The register is built from
incidents (``response.services.reports.breach_register``): an entry is only as good as what the
incident records. Summaries are msgids filled with ``params``, translated when shown.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_noop

from hygie.core.models import Establishment
from hygie.core.registries import Probe, ProbeResult, probes
from hygie.response.choices import PersonalData
from hygie.response.models import Incident, IncidentObligation

PERIOD = timedelta(days=365)
# Whether personal data is involved must be settled within the CNIL's 72 hours.
CONFIRMATION_PERIOD = timedelta(hours=72)
ART33 = "gdpr_art33"
LISTED = 50


def breach_register_complete(establishment: Establishment) -> ProbeResult:
    """Every incident of the last 12 months that involves (or may involve) personal data is a
    complete register entry: involvement confirmed within 72 hours, data categories and number
    of people recorded, and the notification to the authority (art. 33) assessed."""
    now = timezone.now()
    incidents = list(
        Incident.objects.filter(
            establishment=establishment,
            discovered_at__gte=now - PERIOD,
            personal_data__in=[PersonalData.YES, PersonalData.UNKNOWN],
        )
        .order_by("discovered_at", "pk")
        .values(
            "pk",
            "reference",
            "personal_data",
            "discovered_at",
            "data_categories",
            "individuals_affected",
        )
    )
    if not incidents:
        return ProbeResult.translatable(
            "not_applicable",
            gettext_noop(
                "No incident of the last 12 months involves or may involve personal data."
            ),
            data={"entries": 0},
        )
    assessed = set(
        IncidentObligation.objects.filter(
            incident_id__in=[row["pk"] for row in incidents], obligation_id=ART33
        ).values_list("incident_id", flat=True)
    )
    incomplete = []
    for row in incidents:
        problems = []
        if row["personal_data"] == PersonalData.UNKNOWN:
            if now - row["discovered_at"] > CONFIRMATION_PERIOD:
                problems.append("involvement_unconfirmed")
        else:
            if not row["data_categories"]:
                problems.append("no_data_categories")
            if row["individuals_affected"] is None:
                problems.append("no_people_count")
            if row["pk"] not in assessed:
                problems.append("notification_not_assessed")
        if problems:
            incomplete.append({"incident_reference": row["reference"], "problems": problems})
    complete = len(incidents) - len(incomplete)
    data = {"entries": len(incidents), "complete": complete, "incomplete": incomplete[:LISTED]}
    params = {"complete": complete, "entries": len(incidents)}
    if not incomplete:
        return ProbeResult.translatable(
            "pass",
            gettext_noop(
                "All %(entries)s breach register entries of the last 12 months are complete."
            ),
            params,
            data,
        )
    return ProbeResult.translatable(
        "partial" if complete else "fail",
        gettext_noop(
            "%(complete)s of %(entries)s breach register entries of the last 12 months are "
            "complete."
        ),
        params,
        data,
    )


probes.register(
    "response.breach_register_complete",
    Probe(
        id="response.breach_register_complete",
        title=gettext_noop("Personal-data breach register complete"),
        controls=("hygie.incident.breach_register",),
        run=breach_register_complete,
    ),
)
