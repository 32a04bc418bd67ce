"""Compliance evidence the compliance module computes from its own records: assessments held
in the last twelve months, and remediation actions kept on time (control
``hygie.governance.compliance_review``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_noop

from hygie.core.models import Establishment
from hygie.core.registries import Probe, ProbeResult, probes

REVIEW_PERIOD = timedelta(days=365)
LISTED = 50


def recent_assessments(establishment: Establishment) -> ProbeResult:
    """Every framework the establishment has assessed was assessed again in the last 12
    months (at least one assessment in that time)."""
    from hygie.compliance.models import Assessment

    since = timezone.localdate() - REVIEW_PERIOD
    latest: dict[str, Any] = {}
    for framework_id, on in Assessment.objects.filter(establishment=establishment).values_list(
        "framework__framework_id", "date"
    ):
        if framework_id not in latest or on > latest[framework_id]:
            latest[framework_id] = on
    if not latest:
        return ProbeResult.translatable(
            "fail",
            gettext_noop("No compliance assessment has been recorded for this establishment."),
            {},
            {"frameworks": {}},
        )
    stale = sorted(framework for framework, on in latest.items() if on < since)
    data = {
        "frameworks": {framework: on.isoformat() for framework, on in sorted(latest.items())},
        "stale": stale[:LISTED],
    }
    if not stale:
        return ProbeResult.translatable(
            "pass",
            gettext_noop("%(count)s framework(s) assessed in the last 12 months."),
            {"count": len(latest)},
            data,
        )
    status = "partial" if len(stale) < len(latest) else "fail"
    return ProbeResult.translatable(
        status,
        gettext_noop("%(stale)s of %(count)s assessed framework(s) not assessed in 12 months."),
        {"stale": len(stale), "count": len(latest)},
        data,
    )


def remediation_on_time(establishment: Establishment) -> ProbeResult:
    """Open remediation actions past their due date."""
    from hygie.compliance.models import RemediationAction
    from hygie.compliance.models.remediation import OPEN_STATUSES

    open_actions = RemediationAction.objects.filter(
        establishment=establishment, status__in=OPEN_STATUSES
    )
    total = open_actions.count()
    if total == 0:
        return ProbeResult.translatable(
            "not_applicable",
            gettext_noop("No open remediation action."),
            {},
            {"open": 0, "overdue": 0},
        )
    overdue = list(
        open_actions.filter(due_date__lt=timezone.localdate())
        .order_by("due_date")
        .values_list("pk", flat=True)
    )
    data = {"open": total, "overdue": len(overdue), "overdue_ids": overdue[:LISTED]}
    if not overdue:
        return ProbeResult.translatable(
            "pass",
            gettext_noop("None of the %(total)s open remediation action(s) is overdue."),
            {"total": total},
            data,
        )
    status = "partial" if len(overdue) * 2 < total else "fail"
    return ProbeResult.translatable(
        status,
        gettext_noop("%(overdue)s of %(total)s open remediation action(s) overdue."),
        {"overdue": len(overdue), "total": total},
        data,
    )


probes.register(
    "compliance.recent_assessments",
    Probe(
        id="compliance.recent_assessments",
        title=gettext_noop("Compliance assessed in the last 12 months"),
        controls=("hygie.governance.compliance_review",),
        run=recent_assessments,
    ),
)
probes.register(
    "compliance.remediation_on_time",
    Probe(
        id="compliance.remediation_on_time",
        title=gettext_noop("Remediation actions on time"),
        controls=("hygie.governance.compliance_review",),
        run=remediation_on_time,
    ),
)


def _registers() -> Any:
    from hygie.compliance.services import registers

    return registers


def processing_register_kept(establishment: Establishment) -> ProbeResult:
    """The record of processing activities is kept (GDPR art. 30; services/registers.py)."""
    result: ProbeResult = _registers().processing_register_kept(establishment)
    return result


def dpia_where_required(establishment: Establishment) -> ProbeResult:
    """A validated DPIA for every processing requiring one (art. 35; services/registers.py)."""
    result: ProbeResult = _registers().dpia_where_required(establishment)
    return result


probes.register(
    "compliance.processing_register_kept",
    Probe(
        id="compliance.processing_register_kept",
        title=gettext_noop("Record of processing activities kept"),
        controls=("hygie.data.processing_register",),
        run=processing_register_kept,
    ),
)
probes.register(
    "compliance.dpia_where_required",
    Probe(
        id="compliance.dpia_where_required",
        title=gettext_noop("DPIA validated for every processing that requires one"),
        controls=("hygie.data.dpia",),
        run=dpia_where_required,
    ),
)
