"""Regulatory clocks on incidents: assessment, decisions (done / not applicable / reopen),
the cross-establishment dashboard and e-mail reminders.

The rules live in the pure engine (``hygie.response.engine``); this module maps an incident and
its establishment's regulatory profile to the engine's facts, stores one ``IncidentObligation``
row per engine obligation, and keeps the people's decisions on those rows across
re-assessments. See docs/response-obligations.md and docs/regulatory-clocks.md.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core import audit
from hygie.core.choices import EstablishmentKind
from hygie.core.models import Establishment
from hygie.core.services import crud
from hygie.core.services.evidence import add_evidence
from hygie.core.services.mail import may_receive, recipient_language, site_origin
from hygie.response import engine
from hygie.response.choices import (
    HIPAARole,
    IncidentStatus,
    NIS2Class,
    ObligationStatus,
    RegulatoryType,
)
from hygie.response.models import Incident, IncidentObligation, RegulatoryProfile
from hygie.response.services.timeline import add_entry

logger = logging.getLogger(__name__)

# core Establishment.kind → the engine's establishment type.
KIND_TO_TYPE: dict[str, str] = {
    EstablishmentKind.CHU: RegulatoryType.HOSPITAL,
    EstablishmentKind.CH: RegulatoryType.HOSPITAL,
    EstablishmentKind.CLINIC: RegulatoryType.HOSPITAL,
    EstablishmentKind.ESPIC: RegulatoryType.HOSPITAL,
    EstablishmentKind.CLCC: RegulatoryType.HOSPITAL,
    EstablishmentKind.PSYCHIATRY: RegulatoryType.HOSPITAL,
    EstablishmentKind.HAD: RegulatoryType.HOSPITAL,
    EstablishmentKind.LAB: RegulatoryType.LABORATORY,
    EstablishmentKind.IMAGING: RegulatoryType.CARE_CENTRE,
    EstablishmentKind.EHPAD: RegulatoryType.MEDICO_SOCIAL,
    EstablishmentKind.PRACTICE: RegulatoryType.PRIVATE_PRACTICE,
    EstablishmentKind.OTHER: RegulatoryType.OTHER,
}

# EU member states: NIS2 is EU law. Care providers there get "important" by default (see
# docs/decisions: a missing NIS2 clock is worse than one the RSSI switches off).
EU_COUNTRIES = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"})
_NIS2_DEFAULT_TYPES = frozenset({RegulatoryType.HOSPITAL, RegulatoryType.MILITARY_HOSPITAL,
                                 RegulatoryType.LABORATORY, RegulatoryType.CARE_CENTRE})
_US_CARE_TYPES = frozenset(set(RegulatoryType.values) - {RegulatoryType.OTHER})

# Incident fields the engine reads: a save that touches none of them needs no re-assessment.
FACT_FIELDS = frozenset({"establishment", "establishment_id", "category", "personal_data",
                         "risk_to_individuals", "care_impact", "discovered_at", "data_encrypted",
                         "individuals_affected", "residents_by_state"})

# Deadline kinds without a fixed instant: shown as "no fixed deadline", never "late".
UNTIMED_KINDS = frozenset({engine.DeadlineKind.IMMEDIATE.value,
                           engine.DeadlineKind.WITHOUT_UNDUE_DELAY.value})

# A client clock slightly ahead of the server's must not make "done just now" a future date.
CLOCK_SKEW = timedelta(minutes=2)
MAX_JUSTIFICATION = 5000
MAX_REFERENCE = 300

# Short translated names of the obligations (the engine's titles are English).
OBLIGATION_LABELS: dict[str, Any] = {
    "cert_sante": gettext_lazy("CERT Santé / ARS declaration"),
    "gdpr_art33": gettext_lazy("Personal data breach notification to the supervisory authority "
                               "(GDPR art. 33)"),
    "gdpr_art34": gettext_lazy("Communication to the people concerned (GDPR art. 34)"),
    "gdpr_breach_register": gettext_lazy("Entry in the personal data breach register "
                                         "(GDPR art. 33(5))"),
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


# --- regulatory profile --------------------------------------------------------------------

def default_profile_values(establishment: Establishment) -> dict[str, Any]:
    """What Hygie assumes before anyone has reviewed the establishment's profile."""
    kind = KIND_TO_TYPE.get(establishment.kind, RegulatoryType.OTHER)
    country = (establishment.country or "").upper()
    nis2 = NIS2Class.IMPORTANT if country in EU_COUNTRIES and kind in _NIS2_DEFAULT_TYPES \
        else NIS2Class.NONE
    hipaa = HIPAARole.COVERED_ENTITY if country == "US" and kind in _US_CARE_TYPES \
        else HIPAARole.NONE
    return {"type": kind, "nis2": nis2, "hipaa": hipaa, "gdpr_controller": True}


def regulatory_profile(establishment: Establishment) -> RegulatoryProfile:
    """The establishment's profile, created with defaults derived from it the first time."""
    profile, _created = RegulatoryProfile.objects.get_or_create(
        establishment=establishment, defaults=default_profile_values(establishment))
    return profile


def notification_addresses(profile: RegulatoryProfile) -> list[str]:
    """The valid addresses of ``notification_emails`` (one per line, commas tolerated)."""
    addresses: list[str] = []
    for raw in profile.notification_emails.replace(",", "\n").replace(";", "\n").splitlines():
        address = raw.strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            continue
        if address.lower() not in {known.lower() for known in addresses}:
            addresses.append(address)
    return addresses


def clean_notification_emails(text: str) -> str:
    """Normalise the profile's address list, refusing any invalid line (named by position)."""
    lines = [line.strip() for line in text.replace(",", "\n").replace(";", "\n").splitlines()]
    problems = []
    for number, address in enumerate(lines, start=1):
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            problems.append(number)
    if problems:
        raise ValidationError({"notification_emails": [
            _("Line(s) %(lines)s: not a valid e-mail address.")
            % {"lines": ", ".join(str(n) for n in problems)}]})
    return "\n".join(line for line in lines if line)


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


STATES_NOTE = {"en": "States or jurisdictions concerned: ",
               "fr": "États ou juridictions concernés : "}
SUBMISSION_NOTE = {"en": " Counted from the notification's submission on {when}.",
                   "fr": " Compté à partir de la soumission de la notification le {when}."}


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


def _final_report_from_submission(values: dict[str, Any], notification: IncidentObligation | None,
                                  zone: ZoneInfo) -> None:
    """Once the NIS2 notification is done, the final report counts from its actual date."""
    if (notification is None or notification.status != ObligationStatus.DONE
            or notification.done_at is None or not values["applies"]):
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
        existing = {row.obligation_id: row for row in
                    IncidentObligation.objects.select_for_update().filter(incident=incident)}
        result.created = not existing
        for obligation in obligations:
            values = _row_values(obligation)
            if obligation.id is engine.ObligationId.NIS2_FINAL_REPORT:
                _final_report_from_submission(
                    values, existing.get(engine.ObligationId.NIS2_NOTIFICATION.value), zone)
            row = existing.get(obligation.id.value)
            if row is None:
                IncidentObligation.objects.create(incident=incident,
                                                  obligation_id=obligation.id.value,
                                                  assessed_at=now, **values)
                if values["applies"]:
                    result.now_applying.append(obligation.id.value)
                continue
            changed = [name for name, value in values.items() if getattr(row, name) != value]
            if not changed:
                continue
            if "applies" in changed:
                (result.now_applying if values["applies"]
                 else result.no_longer_applying).append(obligation.id.value)
            elif values["applies"] and "due_at" in changed:
                result.deadline_changed.append(obligation.id.value)
            for name in changed:
                setattr(row, name, values[name])
            row.assessed_at = now
            row.save(update_fields=[*changed, "assessed_at"])
        if record_timeline and result.changed:
            add_entry(incident, _assessment_text(result, incident, zone))
    return result


def _due_text(row: IncidentObligation, zone: ZoneInfo) -> str:
    if row.deadline_kind == engine.DeadlineKind.IMMEDIATE.value:
        return _("immediately (sans délai)")
    if row.deadline_kind == engine.DeadlineKind.WITHOUT_UNDUE_DELAY.value or row.due_at is None:
        return _("without undue delay")
    utc = f"{row.due_at.astimezone(ZoneInfo('UTC')):%Y-%m-%d %H:%M}"
    if row.deadline_date is not None:
        return _("by the end of %(date)s, local date (%(utc)s UTC)") % {
            "date": row.deadline_date.isoformat(), "utc": utc}
    local = row.due_at.astimezone(zone)
    return _("by %(local)s (%(utc)s UTC)") % {
        "local": f"{local:%Y-%m-%d %H:%M %Z}",
        "utc": f"{row.due_at.astimezone(ZoneInfo('UTC')):%Y-%m-%d %H:%M}"}


def _assessment_text(result: AssessmentResult, incident: Incident, zone: ZoneInfo) -> str:
    rows = {row.obligation_id: row for row in incident.obligations.all()}

    def describe(ids: Iterable[str]) -> str:
        return "; ".join(f"{obligation_label(i)} {_due_text(rows[i], zone)}" for i in ids)

    lines = []
    if result.created:
        lines.append(_("Regulatory clocks started: %(count)s obligation(s) apply.")
                     % {"count": len(result.now_applying)})
        if result.now_applying:
            lines.append(describe(result.now_applying))
    else:
        lines.append(_("Regulatory obligations re-assessed after a change of facts."))
        if result.now_applying:
            lines.append(_("Now applies: %(list)s") % {"list": describe(result.now_applying)})
        if result.no_longer_applying:
            lines.append(_("No longer applies: %(list)s") % {"list": "; ".join(
                obligation_label(i) for i in result.no_longer_applying)})
        if result.deadline_changed:
            lines.append(_("Deadline changed: %(list)s")
                         % {"list": describe(result.deadline_changed)})
    return "\n".join(lines)


def reassess_establishment(establishment: Establishment) -> int:
    """Re-assess the incidents of one establishment that are not closed (profile changed)."""
    count = 0
    for incident in (Incident.objects.filter(establishment=establishment)
                     .exclude(status=IncidentStatus.CLOSED).select_related("establishment")):
        try:
            assess_incident(incident)
        except ValidationError:
            logger.warning("obligations of incident %s could not be re-assessed (invalid facts)",
                           incident.pk)
            continue
        count += 1
    return count


# --- decisions -----------------------------------------------------------------------------

def _zone(obligation: IncidentObligation) -> ZoneInfo:
    return ZoneInfo(obligation.incident.establishment.timezone)


def _record_decision(obligation: IncidentObligation, message: str) -> None:
    audit.record("update", obligation, message=message,
                 establishment_id=obligation.incident.establishment_id)


def complete_obligation(obligation: IncidentObligation, done_at: datetime | None, *,
                        user: Any, proof_reference: str | None = None,
                        proof_file: Any = None) -> IncidentObligation:
    """Mark an obligation done: a date (not in the future) and a proof are both required.

    The proof is a reference given by the recipient (receipt, case number) or a file, stored as
    core Evidence (SHA-256, size limit, content check); both may be given.
    """
    errors: dict[str, list[str]] = {}
    reference = (proof_reference or "").strip()
    if obligation.status == ObligationStatus.DONE:
        raise ValidationError(_("This obligation is already done; reopen it first to change it."))
    if done_at is None:
        errors["done_at"] = [_("Give the date and time the obligation was met.")]
    elif timezone.is_naive(done_at):
        errors["done_at"] = [_("The date needs a time zone.")]
    elif done_at > timezone.now() + CLOCK_SKEW:
        errors["done_at"] = [_("The date cannot be in the future.")]
    elif done_at < obligation.trigger_at - timedelta(days=1):
        # A day of slack: the discovery time is often corrected afterwards.
        errors["done_at"] = [_("The date is before the incident was discovered.")]
    if not reference and proof_file is None:
        errors["proof_reference"] = [_("Give a proof: the recipient's reference number or a "
                                       "file (acknowledgement, copy of the notification).")]
    if len(reference) > MAX_REFERENCE:
        errors["proof_reference"] = [_("At most %(max)s characters.") % {"max": MAX_REFERENCE}]
    if errors:
        raise ValidationError(errors)
    assert done_at is not None
    incident = obligation.incident
    with transaction.atomic():
        evidence = None
        if proof_file is not None:
            try:
                evidence = add_evidence(
                    incident.establishment, user,
                    f"{incident.reference} — {obligation_label(obligation.obligation_id)}"[:200],
                    uploaded_file=proof_file, subject=obligation,
                    description=_("Proof that a regulatory obligation was met."))
            except ValidationError as error:
                raise ValidationError({"proof_file": error.messages}) from error
        obligation.status = ObligationStatus.DONE
        obligation.done_at = done_at
        obligation.proof_reference = reference
        obligation.proof_evidence = evidence
        obligation.justification = ""
        obligation.decided_by = user if getattr(user, "is_authenticated", False) else None
        obligation.save(update_fields=["status", "done_at", "proof_reference", "proof_evidence",
                                       "justification", "decided_by"])
        zone = _zone(obligation)
        proofs = []
        if reference:
            proofs.append(_("reference %(reference)s") % {"reference": reference})
        if evidence is not None:
            proofs.append(_("file SHA-256 %(sha)s…") % {"sha": evidence.sha256[:16]})
        late = ""
        if (obligation.due_at and obligation.deadline_kind not in UNTIMED_KINDS
                and done_at > obligation.due_at):
            late = " " + _("(after the deadline)")
        add_entry(incident, _("Obligation done: %(label)s, on %(when)s%(late)s; proof: %(proof)s.")
                  % {"label": obligation_label(obligation.obligation_id),
                     "when": f"{done_at.astimezone(zone):%Y-%m-%d %H:%M %Z}", "late": late,
                     "proof": ", ".join(proofs)}, author=user)
        _record_decision(obligation, "obligation marked done")
        if obligation.obligation_id == engine.ObligationId.NIS2_NOTIFICATION.value:
            assess_incident(incident)  # the final report now counts from this submission
    return obligation


def mark_not_applicable(obligation: IncidentObligation, justification: str, *,
                        user: Any) -> IncidentObligation:
    """Record that the obligation does not apply here, with the reason (required)."""
    text = (justification or "").strip()
    if not text:
        raise ValidationError({"justification": [
            _("Explain why this obligation does not apply (the regulator may ask).")]})
    if len(text) > MAX_JUSTIFICATION:
        raise ValidationError({"justification": [_("At most %(max)s characters.")
                                                 % {"max": MAX_JUSTIFICATION}]})
    if obligation.status == ObligationStatus.DONE:
        raise ValidationError(_("This obligation is done; reopen it first to change it."))
    with transaction.atomic():
        obligation.status = ObligationStatus.NOT_APPLICABLE
        obligation.justification = text
        obligation.done_at = None
        obligation.proof_reference = ""
        obligation.proof_evidence = None
        obligation.decided_by = user if getattr(user, "is_authenticated", False) else None
        obligation.save(update_fields=["status", "justification", "done_at", "proof_reference",
                                       "proof_evidence", "decided_by"])
        add_entry(obligation.incident,
                  _("Obligation set as not applicable: %(label)s. Justification: %(text)s")
                  % {"label": obligation_label(obligation.obligation_id), "text": text},
                  author=user)
        _record_decision(obligation, "obligation marked not applicable")
    return obligation


def reopen_obligation(obligation: IncidentObligation, *, user: Any) -> IncidentObligation:
    """Back to pending; the previous decision stays in the timeline and the audit trail."""
    if obligation.status == ObligationStatus.PENDING:
        raise ValidationError(_("This obligation is already pending."))
    was_notification_done = (obligation.obligation_id
                             == engine.ObligationId.NIS2_NOTIFICATION.value)
    with transaction.atomic():
        previous = obligation.get_status_display()
        obligation.status = ObligationStatus.PENDING
        obligation.done_at = None
        obligation.proof_reference = ""
        obligation.proof_evidence = None
        obligation.justification = ""
        obligation.decided_by = user if getattr(user, "is_authenticated", False) else None
        obligation.last_reminder_at = None  # reminders start again from the current stage
        obligation.save(update_fields=["status", "done_at", "proof_reference", "proof_evidence",
                                       "justification", "decided_by", "last_reminder_at"])
        add_entry(obligation.incident, _("Obligation reopened (was: %(previous)s): %(label)s.")
                  % {"previous": previous, "label": obligation_label(obligation.obligation_id)},
                  author=user)
        _record_decision(obligation, "obligation reopened")
        if was_notification_done:
            assess_incident(obligation.incident)
    return obligation


# --- dashboard -----------------------------------------------------------------------------

GROUP_OVERDUE = "overdue"
GROUP_DAY = "day"
GROUP_WEEK = "week"
GROUP_LATER = "later"
GROUP_UNTIMED = "untimed"
GROUP_ORDER = (GROUP_OVERDUE, GROUP_DAY, GROUP_WEEK, GROUP_LATER, GROUP_UNTIMED)
GROUP_LABELS = {
    GROUP_OVERDUE: gettext_lazy("Overdue"),
    GROUP_DAY: gettext_lazy("Due within 24 hours"),
    GROUP_WEEK: gettext_lazy("Due within 7 days"),
    GROUP_LATER: gettext_lazy("Due later"),
    GROUP_UNTIMED: gettext_lazy("No fixed deadline (sans délai, without undue delay)"),
}


def pending_obligations(user: Any) -> QuerySet[IncidentObligation]:
    """Obligations that apply and wait for a decision, in the establishments the user sees."""
    return (IncidentObligation.objects.visible_to(user)
            .filter(applies=True, status=ObligationStatus.PENDING)
            .select_related("incident", "incident__establishment"))


def group_of(obligation: IncidentObligation, now: datetime) -> str:
    if obligation.deadline_kind in UNTIMED_KINDS or obligation.due_at is None:
        return GROUP_UNTIMED
    if obligation.due_at <= now:
        return GROUP_OVERDUE
    if obligation.due_at <= now + timedelta(hours=24):
        return GROUP_DAY
    if obligation.due_at <= now + timedelta(days=7):
        return GROUP_WEEK
    return GROUP_LATER


def group_obligations(obligations: Iterable[IncidentObligation],
                      now: datetime | None = None) -> dict[str, list[IncidentObligation]]:
    now = now or timezone.now()
    groups: dict[str, list[IncidentObligation]] = {key: [] for key in GROUP_ORDER}
    for obligation in obligations:
        groups[group_of(obligation, now)].append(obligation)
    for key in GROUP_ORDER:
        groups[key].sort(key=lambda o: (o.due_at or o.trigger_at, o.pk))
    return groups


def overdue_count(user: Any, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return (pending_obligations(user).exclude(deadline_kind__in=UNTIMED_KINDS)
            .filter(due_at__lte=now).count())


# --- reminders -----------------------------------------------------------------------------

STAGE_NONE, STAGE_DAY, STAGE_HOUR, STAGE_OVERDUE = 0, 1, 2, 3


def stage_at(due_at: datetime, instant: datetime | None) -> int:
    """The reminder stage reached at ``instant``: 24 h before, 1 h before, due (overdue)."""
    if instant is None:
        return STAGE_NONE
    if instant >= due_at:
        return STAGE_OVERDUE
    if instant >= due_at - timedelta(hours=1):
        return STAGE_HOUR
    if instant >= due_at - timedelta(hours=24):
        return STAGE_DAY
    return STAGE_NONE


@dataclass
class ReminderReport:
    obligations: int = 0
    messages: int = 0
    failures: int = 0
    without_recipients: int = 0


def _recipients(obligation: IncidentObligation,
                profile: RegulatoryProfile) -> list[tuple[str, str]]:
    """(address, language) of the assignee, watchers and the profile's list, deduplicated.

    Users who no longer see the establishment are left out: a reminder is still a pointer to a
    record they may not open.
    """
    incident = obligation.incident
    establishment = incident.establishment
    default_language = establishment.default_language
    people = [incident.assignee] if incident.assignee_id else []
    people.extend(incident.watchers.all())
    found: dict[str, tuple[str, str]] = {}
    for person in people:
        if not may_receive(person, establishment):
            continue
        found.setdefault(person.email.lower(),
                         (person.email, recipient_language(person, establishment)))
    for address in notification_addresses(profile):
        found.setdefault(address.lower(), (address, default_language))
    return list(found.values())


def _reminder_message(obligation: IncidentObligation, stage: int, link: str,
                      now: datetime) -> tuple[str, str]:
    """Subject and body, in the active language; no incident title or description (PHI)."""
    incident = obligation.incident
    zone = _zone(obligation)
    label = obligation_label(obligation.obligation_id)
    if obligation.deadline_kind == engine.DeadlineKind.IMMEDIATE.value:
        headline = _("due immediately (sans délai)")
    elif stage == STAGE_OVERDUE:
        headline = _("deadline passed")
    elif stage == STAGE_HOUR:
        headline = _("due within 1 hour")
    else:
        headline = _("due within 24 hours")
    subject = f"[Hygie] {incident.reference} — {label}: {headline}"
    assert obligation.due_at is not None
    local = obligation.due_at.astimezone(zone)
    utc = f"{obligation.due_at.astimezone(ZoneInfo('UTC')):%Y-%m-%d %H:%M}"
    if obligation.deadline_date is not None:
        due = _("end of %(date)s (local date) — %(utc)s UTC") % {
            "date": obligation.deadline_date.isoformat(), "utc": utc}
    elif obligation.deadline_kind == engine.DeadlineKind.IMMEDIATE.value:
        due = _("immediately (sans délai) — clock started %(local)s") % {
            "local": f"{local:%Y-%m-%d %H:%M %Z}"}
    else:
        due = _("%(local)s — %(utc)s UTC") % {"local": f"{local:%Y-%m-%d %H:%M %Z}", "utc": utc}
    lines = [
        _("Regulatory obligation reminder"),
        "",
        _("Incident: %(reference)s") % {"reference": incident.reference},
        _("Establishment: %(name)s") % {"name": incident.establishment.name},
        _("Obligation: %(label)s") % {"label": label},
        _("Title: %(title)s") % {"title": obligation.shown_title},
        _("Recipient: %(recipient)s") % {"recipient": obligation.shown_recipient},
        _("Legal basis: %(basis)s (%(verification)s)")
        % {"basis": obligation.legal_basis, "verification": obligation.verification},
        _("Due: %(due)s") % {"due": due},
        _("Status: %(headline)s") % {"headline": headline},
        "",
        _("Open the incident to record the notification (date and proof) or why it does not "
          "apply: %(link)s") % {"link": link},
        "",
        _("This message was sent by Hygie. It contains no patient data."),
    ]
    return subject, "\n".join(lines)


def send_due_reminders(now: datetime | None = None) -> ReminderReport:
    """E-mail the reminders that are due: 24 h before, 1 h before and once overdue, each stage
    once per obligation (the stage already sent is read from ``last_reminder_at``)."""
    now = now or timezone.now()
    report = ReminderReport()
    candidates = (IncidentObligation.objects
                  .filter(applies=True, status=ObligationStatus.PENDING, due_at__isnull=False,
                          due_at__lte=now + timedelta(hours=24))
                  .exclude(deadline_kind=engine.DeadlineKind.WITHOUT_UNDUE_DELAY.value)
                  .select_related("incident", "incident__establishment", "incident__assignee")
                  .order_by("due_at", "pk"))
    origin = site_origin()
    connection = get_connection(fail_silently=False)
    for obligation in candidates:
        assert obligation.due_at is not None
        stage = stage_at(obligation.due_at, now)
        if stage <= stage_at(obligation.due_at, obligation.last_reminder_at):
            continue
        report.obligations += 1
        profile = regulatory_profile(obligation.incident.establishment)
        recipients = _recipients(obligation, profile)
        link = origin + _incident_path(obligation.incident_id)
        sent = 0
        for address, language in recipients:
            with translation.override(language):
                subject, body = _reminder_message(obligation, stage, link, now)
            message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address],
                                   connection=connection)
            try:
                message.send()
            except (smtplib.SMTPException, OSError) as error:
                report.failures += 1
                logger.warning("obligation reminder %s could not be sent: %s", obligation.pk,
                               type(error).__name__)
                continue
            sent += 1
        report.messages += sent
        if recipients and not sent:
            continue  # nobody got it: try again at the next run
        if not recipients:
            report.without_recipients += 1
        with transaction.atomic():
            IncidentObligation.objects.filter(pk=obligation.pk).update(last_reminder_at=now)
            with translation.override(obligation.incident.establishment.default_language):
                _subject, _body = _reminder_message(obligation, stage, link, now)
                text = (_("Reminder e-mailed to %(count)s recipient(s): %(subject)s")
                        % {"count": sent, "subject": _subject} if sent else
                        _("Reminder due but no recipient is configured (assignee, watchers or "
                          "the regulatory profile's addresses): %(subject)s")
                        % {"subject": _subject})
            add_entry(obligation.incident, text, at=now)
    return report


def _incident_path(incident_id: int) -> str:
    """The incident's page, or the dashboard while the incident pages are not installed."""
    try:
        return reverse("response:incident_detail", args=[incident_id])
    except NoReverseMatch:
        return reverse("response:obligation_list")


def save_profile(profile: RegulatoryProfile, user: Any, **fields: Any) -> RegulatoryProfile:
    """Validate and save the profile; its post_save re-assesses the open incidents."""
    if "notification_emails" in fields:
        fields["notification_emails"] = clean_notification_emails(fields["notification_emails"])
    return crud.save_instance(profile, user, **fields)
