"""Assessing an incident: its facts for the engine, one ``IncidentObligation`` row per
obligation, the decisions people made kept across re-assessments."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core.models import Establishment
from hygie.response import engine
from hygie.response.choices import (
    IncidentStatus,
    ObligationStatus,
)
from hygie.response.models import Incident, IncidentObligation, RegulatoryProfile
from hygie.response.services.obligations.profiles import (
    regulatory_profile,
)
from hygie.response.services.timeline import add_entry

logger = logging.getLogger(__name__)

# Incident fields the engine reads: a save that touches none of them needs no re-assessment.
FACT_FIELDS = frozenset(
    {
        "establishment",
        "establishment_id",
        "category",
        "personal_data",
        "risk_to_individuals",
        "care_impact",
        "discovered_at",
        "data_encrypted",
        "individuals_affected",
        "residents_by_state",
    }
)

# Deadline kinds without a fixed instant: shown as "no fixed deadline", never "late".
UNTIMED_KINDS = frozenset(
    {engine.DeadlineKind.IMMEDIATE.value, engine.DeadlineKind.WITHOUT_UNDUE_DELAY.value}
)

# A client clock slightly ahead of the server's must not make "done just now" a future date.
CLOCK_SKEW = timedelta(minutes=2)
MAX_JUSTIFICATION = 5000
MAX_REFERENCE = 300

# Short translated names of the obligations (the engine's titles are English).
OBLIGATION_LABELS: dict[str, Any] = {
    "cert_sante": gettext_lazy("CERT Santé / ARS declaration"),
    "gdpr_art33": gettext_lazy(
        "Personal data breach notification to the supervisory authority (GDPR art. 33)"
    ),
    "gdpr_art34": gettext_lazy("Communication to the people concerned (GDPR art. 34)"),
    "gdpr_breach_register": gettext_lazy(
        "Entry in the personal data breach register (GDPR art. 33(5))"
    ),
    "nis2_early_warning": gettext_lazy("NIS2 early warning (24 h)"),
    "nis2_notification": gettext_lazy("NIS2 incident notification (72 h)"),
    "nis2_final_report": gettext_lazy("NIS2 final report (1 month)"),
    "hipaa_individuals": gettext_lazy("HIPAA notice to individuals"),
    "hipaa_hhs": gettext_lazy("HIPAA breach report to HHS"),
    "hipaa_media": gettext_lazy("HIPAA notice to the media"),
    "hipaa_ba_notice": gettext_lazy("HIPAA business associate notice to the covered entity"),
}


def obligation_label(obligation_id: str) -> str:
    return str(OBLIGATION_LABELS.get(obligation_id, obligation_id))


# --- facts and assessment ------------------------------------------------------------------


def facts_for(incident: Incident, profile: RegulatoryProfile | None = None) -> engine.Facts:
    """The engine's facts for this incident at its establishment (validated by the engine)."""
    establishment = incident.establishment
    profile = profile or regulatory_profile(establishment)
    document = {
        "establishment": {
            "name": establishment.name[:200],
            "country": (establishment.country or "").upper(),
            "type": profile.type,
            "timezone": establishment.timezone,
            "nis2": profile.nis2,
            "hipaa": profile.hipaa,
            "gdpr_controller": bool(profile.gdpr_controller),
        },
        "incident": {
            "category": incident.category,
            "personal_data": incident.personal_data,
            "risk_to_individuals": incident.risk_to_individuals,
            "care_impact": incident.care_impact,
            "discovered_at": incident.discovered_at,
            "data_encrypted": bool(incident.data_encrypted),
            # None: not counted yet (the engine then assumes the earlier HIPAA deadline).
            "individuals": incident.individuals_affected,
            "residents_by_state": dict(incident.residents_by_state or {}),
        },
    }
    return engine.parse_facts(document, source=incident.reference)


def facts_error_to_validation(error: engine.FactsError) -> ValidationError:
    # Problems name fields and choices, never values (engine rule): safe to show and log.
    return ValidationError([f"{problem.path}: {problem.message}" for problem in error.problems])


@dataclass
class AssessmentResult:
    """What one assessment changed, for the timeline and the caller."""

    created: bool = False
    now_applying: list[str] = field(default_factory=list)
    no_longer_applying: list[str] = field(default_factory=list)
    deadline_changed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.now_applying or self.no_longer_applying or self.deadline_changed)


def _due_at(obligation: engine.Obligation) -> datetime | None:
    deadline = obligation.deadline
    if not obligation.applies or deadline is None:
        return None
    if deadline.kind is engine.DeadlineKind.IMMEDIATE:
        return obligation.trigger_at  # "sans délai": due from the moment the clock starts
    return deadline.latest_instant


STATES_NOTE = {
    "en": "States or jurisdictions concerned: ",
    "fr": "États ou juridictions concernés : ",
}
SUBMISSION_NOTE = {
    "en": " Counted from the notification's submission on {when}.",
    "fr": " Compté à partir de la soumission de la notification le {when}.",
}


def _row_values(obligation: engine.Obligation) -> dict[str, Any]:
    deadline = obligation.deadline
    notes = list(obligation.notes)
    texts: dict[str, dict[str, Any]] = {}
    for language in engine.LANGUAGES:
        wording = obligation.text(language).to_dict()
        if obligation.states:
            wording["notes"].insert(0, STATES_NOTE[language] + ", ".join(obligation.states))
        texts[language] = wording
    if obligation.states:
        notes.insert(0, STATES_NOTE["en"] + ", ".join(obligation.states))
    return {
        "title": obligation.title[:300],
        "applies": obligation.applies,
        "provisional": obligation.provisional,
        "reason": obligation.reason,
        "recipient": obligation.recipient[:300],
        "legal_basis": obligation.legal_basis[:300],
        "verification": obligation.verification.value,
        "trigger_at": obligation.trigger_at,
        "deadline_kind": deadline.kind.value if deadline else "",
        "deadline_at": deadline.at if deadline else None,
        "deadline_date": deadline.on if deadline else None,
        "deadline_rule": deadline.rule if deadline else "",
        "due_at": _due_at(obligation),
        "notes": notes,
        "texts": texts,
    }


def _final_report_from_submission(
    values: dict[str, Any], notification: IncidentObligation | None, zone: ZoneInfo
) -> None:
    """Once the NIS2 notification is done, the final report counts from its actual date."""
    if (
        notification is None
        or notification.status != ObligationStatus.DONE
        or notification.done_at is None
        or not values["applies"]
    ):
        return
    due_date = engine.nis2_final_report_due(notification.done_at, zone)
    values["deadline_date"] = due_date
    values["due_at"] = engine.end_of_local_day(due_date, zone)
    when = f"{notification.done_at.astimezone(zone):%Y-%m-%d %H:%M %Z}"
    values["deadline_rule"] += SUBMISSION_NOTE["en"].format(when=when)
    for language, wording in values["texts"].items():
        wording["deadline_rule"] += SUBMISSION_NOTE[language].format(when=when)


def assess_incident(incident: Incident, *, record_timeline: bool = True) -> AssessmentResult:
    """Run the engine on the incident and store its obligations, keeping decisions made.

    One row per engine obligation id. Status, proof, justification and decision of existing rows
    are never touched: a pending obligation that stops applying keeps its row with
    ``applies=False`` and the new reason (it leaves the dashboard), and comes back if the facts
    change again. Raises ValidationError when the facts cannot be used.
    """
    profile = regulatory_profile(incident.establishment)
    try:
        facts = facts_for(incident, profile)
    except engine.FactsError as error:
        raise facts_error_to_validation(error) from error
    obligations = engine.assess(facts.establishment, facts.incident)
    zone = facts.establishment.zone
    now = timezone.now()
    result = AssessmentResult()
    with transaction.atomic():
        existing = {
            row.obligation_id: row
            for row in IncidentObligation.objects.select_for_update().filter(incident=incident)
        }
        result.created = not existing
        for obligation in obligations:
            values = _row_values(obligation)
            if obligation.id is engine.ObligationId.NIS2_FINAL_REPORT:
                _final_report_from_submission(
                    values, existing.get(engine.ObligationId.NIS2_NOTIFICATION.value), zone
                )
            row = existing.get(obligation.id.value)
            if row is None:
                IncidentObligation.objects.create(
                    incident=incident, obligation_id=obligation.id.value, assessed_at=now, **values
                )
                if values["applies"]:
                    result.now_applying.append(obligation.id.value)
                continue
            changed = [name for name, value in values.items() if getattr(row, name) != value]
            if not changed:
                continue
            if "applies" in changed:
                (result.now_applying if values["applies"] else result.no_longer_applying).append(
                    obligation.id.value
                )
            elif values["applies"] and "due_at" in changed:
                result.deadline_changed.append(obligation.id.value)
            for name in changed:
                setattr(row, name, values[name])
            row.assessed_at = now
            row.save(update_fields=[*changed, "assessed_at"])
        if record_timeline and result.changed:
            # Written in each language: every reader sees their own.
            add_entry(incident, lambda: _assessment_text(result, incident, zone))
    return result


def _due_text(row: IncidentObligation, zone: ZoneInfo) -> str:
    if row.deadline_kind == engine.DeadlineKind.IMMEDIATE.value:
        return _("immediately (sans délai)")
    if row.deadline_kind == engine.DeadlineKind.WITHOUT_UNDUE_DELAY.value or row.due_at is None:
        return _("without undue delay")
    # Dates in the page's format (decision 0025), not ISO: the entry is read, not parsed.
    utc = formats.date_format(row.due_at.astimezone(ZoneInfo("UTC")), "DATETIME_FORMAT")
    if row.deadline_date is not None:
        return _("by the end of %(date)s, local date (%(utc)s UTC)") % {
            "date": formats.date_format(row.deadline_date, "DATE_FORMAT"),
            "utc": utc,
        }
    local = row.due_at.astimezone(zone)
    return _("by %(local)s (%(utc)s UTC)") % {
        "local": f"{formats.date_format(local, 'DATETIME_FORMAT')} {local:%Z}",
        "utc": utc,
    }


def _assessment_text(result: AssessmentResult, incident: Incident, zone: ZoneInfo) -> str:
    rows = {row.obligation_id: row for row in incident.obligations.all()}

    def describe(ids: Iterable[str]) -> str:
        return "; ".join(f"{obligation_label(i)} {_due_text(rows[i], zone)}" for i in ids)

    lines = []
    if result.created:
        lines.append(
            _("Regulatory clocks started: %(count)s obligation(s) apply.")
            % {"count": len(result.now_applying)}
        )
        if result.now_applying:
            lines.append(describe(result.now_applying))
    else:
        lines.append(_("Regulatory obligations re-assessed after a change of facts."))
        if result.now_applying:
            lines.append(_("Now applies: %(list)s") % {"list": describe(result.now_applying)})
        if result.no_longer_applying:
            lines.append(
                _("No longer applies: %(list)s")
                % {"list": "; ".join(obligation_label(i) for i in result.no_longer_applying)}
            )
        if result.deadline_changed:
            lines.append(
                _("Deadline changed: %(list)s") % {"list": describe(result.deadline_changed)}
            )
    return "\n".join(lines)


def reassess_establishment(establishment: Establishment) -> int:
    """Re-assess the incidents of one establishment that are not closed (profile changed)."""
    count = 0
    for incident in (
        Incident.objects.filter(establishment=establishment)
        .exclude(status=IncidentStatus.CLOSED)
        .select_related("establishment")
    ):
        try:
            assess_incident(incident)
        except ValidationError:
            logger.warning(
                "obligations of incident %s could not be re-assessed (invalid facts)", incident.pk
            )
            continue
        count += 1
    return count
