"""Compliance evidence from crisis exercises (registered in the probe registry).

Control id of Hygie's control catalogue: ``hygie.incident.crisis_exercise`` (the establishment
trains its crisis cell on a cyber scenario every year; CaRE axis 1 asks for an annual exercise).
Summaries are msgids filled with ``params``, translated when shown.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_noop

from hygie.core.models import Establishment
from hygie.core.registries import Probe, ProbeResult, probes
from hygie.response.choices import ExerciseStatus
from hygie.response.models import Exercise
from hygie.response.services.exercises import EXERCISE_PERIOD


def crisis_exercise_recent(establishment: Establishment) -> ProbeResult:
    """A completed crisis exercise with an after-action report in the last 12 months."""
    since = timezone.now() - EXERCISE_PERIOD
    recent = Exercise.objects.filter(
        establishment=establishment, status=ExerciseStatus.COMPLETED, ended_at__gte=since
    ).order_by("-ended_at")
    with_report = recent.filter(report_evidence__isnull=False).first()
    if with_report is not None:
        assert with_report.ended_at is not None
        return ProbeResult.translatable(
            "pass",
            gettext_noop("Crisis exercise completed on %(date)s with an after-action report."),
            {"date": with_report.ended_at.date().isoformat()},
            {
                "exercise_id": with_report.pk,
                "ended_at": with_report.ended_at.isoformat(),
                "scenario": with_report.scenario_key,
                "report_evidence_id": with_report.report_evidence_id,
            },
        )
    without = recent.first()
    if without is not None:
        assert without.ended_at is not None
        return ProbeResult.translatable(
            "partial",
            gettext_noop(
                "Crisis exercise completed on %(date)s, but its after-action report has not been "
                "produced."
            ),
            {"date": without.ended_at.date().isoformat()},
            {
                "exercise_id": without.pk,
                "ended_at": without.ended_at.isoformat(),
                "scenario": without.scenario_key,
                "report_evidence_id": None,
            },
        )
    last = (
        Exercise.objects.filter(
            establishment=establishment, status=ExerciseStatus.COMPLETED, ended_at__isnull=False
        )
        .order_by("-ended_at")
        .first()
    )
    data = {
        "exercise_id": last.pk if last else None,
        "ended_at": last.ended_at.isoformat() if last and last.ended_at else None,
    }
    if last is not None:
        return ProbeResult.translatable(
            "fail",
            gettext_noop("The last crisis exercise was completed more than 12 months ago."),
            data=data,
        )
    return ProbeResult.translatable(
        "fail", gettext_noop("No crisis exercise has been completed."), data=data
    )


probes.register(
    "response.crisis_exercise_recent",
    Probe(
        id="response.crisis_exercise_recent",
        title=gettext_noop(
            "Cyber crisis exercise with an after-action report in the last 12 months"
        ),
        controls=("hygie.incident.crisis_exercise",),
        run=crisis_exercise_recent,
    ),
)
