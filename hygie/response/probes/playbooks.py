"""Compliance evidence from playbooks (registered in the probe registry).

``response.playbooks_reviewed``: the incident response plan has playbooks for ransomware and for
data breaches, reviewed in the last 12 months. Hygie ships both, but a shipped file proves nothing
about the organisation: only the organisation's own playbooks count (a copy of a shipped one, or
its own), active, covering the category, with a review recorded ("Mark reviewed" or "Adopt") in
the last 12 months.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_noop

from hygie.core.models import Establishment
from hygie.core.registries import Probe, ProbeResult, probes
from hygie.response.models import Playbook
from hygie.response.services.playbooks import REVIEW_PERIOD, organisation_coverage

REQUIRED_CATEGORIES = ("ransomware", "data_breach")


def playbooks_reviewed(establishment: Establishment) -> ProbeResult:
    """Ransomware and data breach playbooks adopted by the organisation, reviewed within 12
    months."""
    coverage = organisation_coverage(establishment.organisation, REQUIRED_CATEGORIES)
    cutoff = timezone.now() - REVIEW_PERIOD
    data: dict[str, object] = {"review_period_days": REVIEW_PERIOD.days}
    covered, stale, missing = [], [], []
    for category in REQUIRED_CATEGORIES:
        found = coverage[category]
        reviewed_at = found.get("reviewed_at") if found else None
        data[category] = (
            {
                "playbook": found["key"],
                "version": found["version"],
                "reviewed_at": reviewed_at.isoformat() if reviewed_at else None,
            }
            if found
            else None
        )
        if not found:
            missing.append(category)
        elif reviewed_at is None or reviewed_at < cutoff:
            stale.append(category)
        else:
            covered.append(category)
    data.update(covered=covered, not_reviewed=stale, missing=missing)
    if len(covered) == len(REQUIRED_CATEGORIES):
        return ProbeResult.translatable(
            "pass",
            gettext_noop(
                "Ransomware and data breach playbooks were reviewed in the last 12 months."
            ),
            data=data,
        )
    status = "partial" if covered else "fail"
    return ProbeResult.translatable(
        status,
        gettext_noop(
            "Incident response playbooks incomplete: %(missing)s of the ransomware and data "
            "breach categories have no organisation playbook, %(stale)s were not reviewed in the "
            "last 12 months."
        ),
        {"missing": len(missing), "stale": len(stale)},
        data,
    )


def every_playbook_reviewed(establishment: Establishment) -> ProbeResult:
    """Every active playbook of the organisation was reviewed in the last 12 months (a plan
    nobody re-read since the last reorganisation names the wrong people)."""
    cutoff = timezone.now() - REVIEW_PERIOD
    rows = list(
        Playbook.objects.filter(organisation=establishment.organisation, is_active=True)
        .order_by("key")
        .values_list("key", "version", "reviewed_at")
    )
    if not rows:
        return ProbeResult.translatable(
            "not_applicable",
            gettext_noop("The organisation has no playbook of its own."),
            data={"playbooks": 0},
        )
    stale = [
        {
            "playbook": key,
            "version": version,
            "reviewed_at": reviewed_at.isoformat() if reviewed_at else None,
        }
        for key, version, reviewed_at in rows
        if reviewed_at is None or reviewed_at < cutoff
    ]
    reviewed = len(rows) - len(stale)
    data = {"playbooks": len(rows), "reviewed": reviewed, "not_reviewed": stale}
    params = {"reviewed": reviewed, "playbooks": len(rows)}
    if not stale:
        return ProbeResult.translatable(
            "pass",
            gettext_noop("All %(playbooks)s active playbooks were reviewed in the last 12 months."),
            params,
            data,
        )
    return ProbeResult.translatable(
        "partial" if reviewed else "fail",
        gettext_noop(
            "%(reviewed)s of %(playbooks)s active playbooks were reviewed in the last 12 months."
        ),
        params,
        data,
    )


probes.register(
    "response.every_playbook_reviewed",
    Probe(
        id="response.every_playbook_reviewed",
        title=gettext_noop("Every active playbook reviewed in the last 12 months"),
        controls=("hygie.incident.response_plan",),
        run=every_playbook_reviewed,
    ),
)
probes.register(
    "response.playbooks_reviewed",
    Probe(
        id="response.playbooks_reviewed",
        title=gettext_noop(
            "Incident response playbooks for ransomware and data breach, reviewed in the last "
            "12 months"
        ),
        controls=("hygie.incident.response_plan",),
        run=playbooks_reviewed,
    ),
)
