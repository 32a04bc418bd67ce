"""Compliance evidence from awareness (registered in the probe registry).

Control ids belong to Hygie's control catalogue: ``hygie.awareness.training`` (staff trained
regularly) and ``hygie.awareness.phishing`` (simulations run, staff who clicked retrained).
Summaries are msgids filled with ``params``, translated when shown.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_noop

from hygie.awareness.services import training
from hygie.core.models import Establishment
from hygie.core.registries import Probe, ProbeResult, probes

# At least this share of active staff passed a module in the last 12 months.
TRAINED_TARGET = 0.8
# A simulation launched within this period.
SIMULATION_WITHIN = timedelta(days=183)
# At least this share of the people who clicked in a simulation retrained afterwards.
RETRAINED_TARGET = 0.8


def staff_trained(establishment: Establishment) -> ProbeResult:
    """Share of active staff (people directory) who passed a training module in 12 months."""
    trained, people = training.trained_share(establishment)
    if not people:
        return ProbeResult.translatable(
            "not_applicable",
            gettext_noop("The people directory of this establishment is empty."),
            data={"people": 0},
        )
    percent = round(100 * trained / people)
    params = {"trained": trained, "people": people, "percent": percent}
    data = dict(params)
    if trained / people >= TRAINED_TARGET:
        return ProbeResult.translatable(
            "pass",
            gettext_noop(
                "%(trained)s of %(people)s staff (%(percent)s %%) passed a security training "
                "module in the last 12 months."
            ),
            params,
            data,
        )
    return ProbeResult.translatable(
        "fail",
        gettext_noop(
            "Only %(trained)s of %(people)s staff (%(percent)s %%) passed a security training "
            "module in the last 12 months (target: 80 %%)."
        ),
        params,
        data,
    )


def recent_simulation(establishment: Establishment) -> ProbeResult:
    """A phishing simulation launched in the last 6 months."""
    campaign = training.last_simulation(establishment)
    if campaign is None or campaign.launched_at is None:
        return ProbeResult.translatable(
            "fail",
            gettext_noop("No phishing simulation has been run for this establishment."),
            data={"campaign": None},
        )
    days = (timezone.now() - campaign.launched_at).days
    data = {"campaign": campaign.pk, "launched_at": campaign.launched_at.isoformat(), "days": days}
    if timezone.now() - campaign.launched_at <= SIMULATION_WITHIN:
        return ProbeResult.translatable(
            "pass",
            gettext_noop("The last phishing simulation was launched %(days)s day(s) ago."),
            {"days": days},
            data,
        )
    return ProbeResult.translatable(
        "fail",
        gettext_noop(
            "The last phishing simulation was launched %(days)s day(s) ago (one every 6 months "
            "is expected)."
        ),
        {"days": days},
        data,
    )


def clickers_retrained(establishment: Establishment) -> ProbeResult:
    """People who clicked in a simulation of the last 12 months and passed a module since."""
    retrained, clickers = training.clickers_retrained(establishment)
    if not clickers:
        return ProbeResult.translatable(
            "not_applicable",
            gettext_noop("Nobody clicked in a phishing simulation in the last 12 months."),
            data={"clickers": 0},
        )
    percent = round(100 * retrained / clickers)
    params = {"retrained": retrained, "clickers": clickers, "percent": percent}
    if retrained / clickers >= RETRAINED_TARGET:
        return ProbeResult.translatable(
            "pass",
            gettext_noop(
                "%(retrained)s of %(clickers)s people who clicked in a simulation (%(percent)s "
                "%%) passed a training module afterwards."
            ),
            params,
            dict(params),
        )
    return ProbeResult.translatable(
        "fail",
        gettext_noop(
            "Only %(retrained)s of %(clickers)s people who clicked in a simulation (%(percent)s "
            "%%) passed a training module afterwards (target: 80 %%)."
        ),
        params,
        dict(params),
    )


probes.register(
    "awareness.staff_trained",
    Probe(
        id="awareness.staff_trained",
        title=gettext_noop("Staff who passed a security training module in the last 12 months"),
        controls=("hygie.awareness.training",),
        run=staff_trained,
    ),
)
probes.register(
    "awareness.recent_simulation",
    Probe(
        id="awareness.recent_simulation",
        title=gettext_noop("A phishing simulation in the last 6 months"),
        controls=("hygie.awareness.phishing",),
        run=recent_simulation,
    ),
)
probes.register(
    "awareness.clickers_retrained",
    Probe(
        id="awareness.clickers_retrained",
        title=gettext_noop("People who clicked in a simulation and were retrained"),
        controls=("hygie.awareness.phishing", "hygie.awareness.training"),
        run=clickers_retrained,
    ),
)


# --- reported mails (helper A3) ------------------------------------------------------------------

# Share of simulation mails their recipient reported that counts as a reporting reflex.
REPORT_RATE_TARGET = 30


def report_rate_trend(establishment: Establishment) -> ProbeResult:
    """Report rate of phishing simulations over 6 months, against the 6 months before."""
    from hygie.awareness.services import triage

    figures = triage.report_rate_trend(establishment)
    if not figures["sent"]:
        return ProbeResult.translatable(
            "not_applicable",
            gettext_noop("No phishing simulation mail was sent in the last 6 months."),
            data=figures,
        )
    params = {
        "reported": figures["reported"],
        "sent": figures["sent"],
        "rate": figures["rate"],
        "previous": figures["previous_rate"] if figures["previous_rate"] is not None else "-",
    }
    if figures["rate"] >= REPORT_RATE_TARGET:
        return ProbeResult.translatable(
            "pass",
            gettext_noop(
                "%(reported)s of %(sent)s simulation mails (%(rate)s %%) were reported in the "
                "last 6 months (6 months before: %(previous)s %%)."
            ),
            params,
            figures,
        )
    rising = figures["previous_rate"] is not None and figures["rate"] > figures["previous_rate"]
    return ProbeResult.translatable(
        "partial" if rising else "fail",
        gettext_noop(
            "Only %(reported)s of %(sent)s simulation mails (%(rate)s %%) were reported in the "
            "last 6 months (6 months before: %(previous)s %%; target: 30 %%)."
        ),
        params,
        figures,
    )


probes.register(
    "awareness.report_rate",
    Probe(
        id="awareness.report_rate",
        title=gettext_noop("Phishing simulations reported by staff (trend over 6 months)"),
        controls=("hygie.awareness.phishing",),
        run=report_rate_trend,
    ),
)
