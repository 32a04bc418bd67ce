"""Compliance evidence from regulatory obligations (registered in the probe registry).

Control id of Hygie's catalogue: ``hygie.incident.notification`` (regulators and people are
notified of incidents within the legal periods).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_noop

from hygie.core.models import Establishment
from hygie.core.registries import Probe, ProbeResult, probes
from hygie.response.choices import IncidentStatus, ObligationStatus
from hygie.response.models import IncidentObligation, RegulatoryProfile
from hygie.response.services.obligations import UNTIMED_KINDS, notification_addresses

PERIOD = timedelta(days=365)


def obligations_met_on_time(establishment: Establishment) -> ProbeResult:
    """Every obligation of the incidents closed in the last 12 months was met on time.

    Met on time: done on or before its due time (obligations without a fixed period —
    "sans délai", "without undue delay" — count as met once done with a proof), or set as not
    applicable with a justification. A pending one is unmet.
    """
    since = timezone.now() - PERIOD
    rows = (
        IncidentObligation.objects.filter(
            incident__establishment=establishment,
            incident__status=IncidentStatus.CLOSED,
            incident__closed_at__gte=since,
        )
        .filter(applies=True)
        .select_related("incident")
        .order_by("incident_id", "pk")
    )
    incidents: set[int] = set()
    problems: list[dict[str, object]] = []
    checked = 0
    for row in rows:
        incidents.add(row.incident_id)
        checked += 1
        problem = _problem(row)
        if problem:
            problems.append(
                {
                    "incident_id": row.incident_id,
                    "incident_reference": row.incident.reference,
                    "obligation_row_id": row.pk,
                    "obligation_id": row.obligation_id,
                    "problem": problem,
                }
            )
    closed = establishment.incidents.filter(
        status=IncidentStatus.CLOSED, closed_at__gte=since
    ).count()
    data: dict[str, object] = {
        "closed_incidents": closed,
        "obligations_checked": checked,
        "unmet": problems,
    }
    if not closed:
        return ProbeResult.translatable(
            "not_applicable",
            gettext_noop("No incident was closed in the last 12 months."),
            data=data,
        )
    if not checked:
        return ProbeResult.translatable(
            "pass",
            gettext_noop(
                "%(closed)s incident(s) closed in the last 12 months; no regulatory obligation "
                "applied."
            ),
            {"closed": closed},
            data,
        )
    if problems:
        return ProbeResult.translatable(
            "fail",
            gettext_noop(
                "%(unmet)s of %(checked)s regulatory obligation(s) of incidents closed in the "
                "last 12 months were not met on time."
            ),
            {"unmet": len(problems), "checked": checked},
            data,
        )
    return ProbeResult.translatable(
        "pass",
        gettext_noop(
            "All %(checked)s regulatory obligation(s) of %(closed)s incident(s) closed in the "
            "last 12 months were met on time."
        ),
        {"checked": checked, "closed": closed},
        data,
    )


def _problem(row: IncidentObligation) -> str:
    if row.status == ObligationStatus.PENDING:
        return "not_done"
    if row.status == ObligationStatus.NOT_APPLICABLE:
        return "" if row.justification.strip() else "no_justification"
    if row.done_at is None or not (row.proof_reference or row.proof_evidence_id):
        return "no_proof"
    if row.deadline_kind not in UNTIMED_KINDS and row.due_at and row.done_at > row.due_at:
        return "late"
    return ""


def regulatory_profile_set(establishment: Establishment) -> ProbeResult:
    """The establishment's regulatory profile (NIS2 class, HIPAA role, GDPR controller) is
    recorded with the people who receive deadline reminders: it decides which clocks an
    incident starts and who hears them run."""
    profile = RegulatoryProfile.objects.filter(establishment=establishment).first()
    if profile is None:
        return ProbeResult.translatable(
            "fail",
            gettext_noop(
                "No regulatory profile is recorded: which notification clocks apply is unknown."
            ),
            data={"profile": False},
        )
    recipients = notification_addresses(profile)
    data: dict[str, object] = {
        "profile": True,
        "type": profile.type,
        "nis2": profile.nis2,
        "hipaa": profile.hipaa,
        "gdpr_controller": profile.gdpr_controller,
        "reminder_recipients": len(recipients),
        "updated_at": profile.updated_at.isoformat(),
    }
    if not recipients:
        return ProbeResult.translatable(
            "partial",
            gettext_noop("The regulatory profile is recorded, but no one receives the reminders."),
            data=data,
        )
    return ProbeResult.translatable(
        "pass",
        gettext_noop(
            "The regulatory profile is recorded; %(recipients)s recipient(s) receive the reminders."
        ),
        {"recipients": len(recipients)},
        data,
    )


probes.register(
    "response.obligations_met_on_time",
    Probe(
        id="response.obligations_met_on_time",
        title=gettext_noop("All regulatory obligations of closed incidents met on time"),
        controls=("hygie.incident.notification",),
        run=obligations_met_on_time,
    ),
)
probes.register(
    "response.regulatory_profile_set",
    Probe(
        id="response.regulatory_profile_set",
        title=gettext_noop("Regulatory profile and reminder recipients recorded"),
        controls=("hygie.incident.notification",),
        run=regulatory_profile_set,
    ),
)
