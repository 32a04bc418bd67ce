"""Reported-mail triage: a mail staff report becomes a ``ReportedMail`` with its facts and a
suggested verdict; an analyst confirms the verdict; the reporter is thanked in their language;
phishing and malicious mails raise a core alert (source ``awareness``, which response turns into
a phishing incident) with their observables.

Every channel (upload page, API, IMAP polling, the receiving SMTP endpoint) calls
``receive_report``. The analysis is the engine's (``hygie.awareness.engine.report``: detection's
hostile-input parser plus look-alikes, attachments, simulation tokens). The subject is stored
for triage users only: it never goes into an alert, a log line, the audit trail or a thank-you
mail (a genuine mail reported by mistake may name a patient). The original message is kept as
evidence.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hygie.awareness.engine.report import (
    MAX_REPORT_BYTES,
    Analysis,
    ReportError,
    analyse,
    defang,
)
from hygie.awareness.models import (
    CampaignEvent,
    CampaignRecipient,
    EventKind,
    ReportChannel,
    ReportedMail,
    Verdict,
)
from hygie.awareness.roles import TRIAGE
from hygie.core import display
from hygie.core.choices import SeverityChoice
from hygie.core.models import Establishment, Person, User
from hygie.core.registries import lookup_indicators
from hygie.core.services import crud
from hygie.core.services.alerts import raise_alert
from hygie.core.services.evidence import add_evidence
from hygie.core.services.mail import MAIL_ERRORS, absolute_link

logger = logging.getLogger("hygie.awareness.triage")

ALERT_SOURCE = "awareness"  # response's PHISHING_SOURCE_MODULE: such alerts become phishing
RULE_ID = "awareness.reported_mail"
TAGS = ("attack.initial-access", "attack.t1566")
MAX_OWN_DOMAINS = 50
ALERTING_VERDICTS = frozenset({Verdict.PHISHING, Verdict.MALICIOUS})

display.register_stored_messages(
    gettext_noop("Phishing reported by staff: mail from %(domain)s"),
    gettext_noop("Malicious mail reported by staff: mail from %(domain)s"),
)

# Stable reason codes of the engine, as the triage page and the alert explain them.
REASONS = {
    "simulation_token": gettext_noop("Link of one of our phishing simulations"),
    "simulation_header": gettext_noop("Header of one of our phishing simulations"),
    "spf_fail": gettext_noop("SPF check failed"),
    "dkim_fail": gettext_noop("DKIM signature check failed"),
    "dmarc_fail": gettext_noop("DMARC check failed"),
    "no_authentication_results": gettext_noop("No authentication results (SPF/DKIM/DMARC)"),
    "reply_to_elsewhere": gettext_noop("Replies go to another domain than the sender's"),
    "lookalike_domain": gettext_noop("A domain imitates one of ours"),
    "display_name_spoofing": gettext_noop("The display name shows another address"),
    "display_name_claims_organisation": gettext_noop(
        "The display name claims our organisation from an outside domain"
    ),
    "link_to_ip_address": gettext_noop("A link goes to a bare IP address"),
    "punycode_link": gettext_noop("A link uses an internationalised (punycode) domain"),
    "lure_wording": gettext_noop("Urgency, credential or payment wording"),
    "executable_attachment": gettext_noop("An attachment is a program"),
    "macro_attachment": gettext_noop("An Office attachment holds macros"),
    "container_or_html_attachment": gettext_noop("An archive, disk image or HTML attachment"),
    "link_text_mismatch": gettext_noop("A link shows one address and goes to another"),
    "indicator_match": gettext_noop("Known to threat intelligence"),
    "malicious_indicator": gettext_noop("A link or attachment is a known malicious indicator"),
}


def reason_label(code: str) -> str:
    return _(REASONS[code]) if code in REASONS else code


def refusal(code: str) -> ValidationError:
    """The clear error for a report the engine refused (``ReportError.code``)."""
    messages = {
        "empty": _("The file is empty."),
        "too_large": _("The message is too large (limit %(limit)s).")
        % {"limit": filesizeformat(MAX_REPORT_BYTES)},
        "too_deep": _("The message nests forwarded mails too deeply to be read."),
        "not_mail": _(
            "This file is not an e-mail message. Save the message from your mail program "
            "(“Save as” or drag it to a folder) and send the .eml file."
        ),
    }
    return ValidationError(messages.get(code, messages["not_mail"]), code=code)


def own_domains(establishment: Establishment) -> list[str]:
    """The organisation's mail domains (look-alikes of them are phishing signs): those of the
    establishment's people directory, plus ``HYGIE_AWARENESS_OWN_DOMAINS``."""
    configured = [str(d).lower() for d in getattr(settings, "HYGIE_AWARENESS_OWN_DOMAINS", [])]
    emails = Person.objects.filter(establishment=establishment).values_list("email", flat=True)
    domains = dict.fromkeys(configured)
    for address in emails.order_by("email")[:5000]:
        domain = str(address).rpartition("@")[2].lower()
        if domain:
            domains.setdefault(domain)
        if len(domains) >= MAX_OWN_DOMAINS:
            break
    return list(domains)


def _analyse(
    data: bytes, establishment: Establishment
) -> tuple[Analysis, CampaignRecipient | None]:
    """The analysis with what the platform knows: simulation tokens of this establishment and
    threat-intelligence matches (through the core registry)."""
    domains = own_domains(establishment)
    try:
        first = analyse(data, domains)
    except ReportError as error:
        raise refusal(error.code) from None
    recipient = None
    if first.candidate_tokens:
        recipient = (
            CampaignRecipient.objects.filter(
                establishment=establishment, token__in=first.candidate_tokens
            )
            .select_related("campaign")
            .first()
        )
    matches = []
    if recipient is None:
        matches = [asdict(m) for m in lookup_indicators(establishment, first.observables())]
    if recipient is None and not matches:
        return first, None
    known = {recipient.token} if recipient is not None else set()
    return analyse(data, domains, known_tokens=known, indicator_matches=matches), recipient


def _facts(analysis: Analysis) -> dict[str, Any]:
    facts = analysis.as_dict()
    for key in ("verdict", "subject", "candidate_tokens", "simulation_token"):
        facts.pop(key, None)
    return facts


def _reporter_person(establishment: Establishment, address: str) -> Person | None:
    if not address:
        return None
    return Person.objects.filter(establishment=establishment, email__iexact=address).first()


def receive_report(
    eml_bytes: bytes,
    channel: str,
    *,
    establishment: Establishment,
    reporter: User | None = None,
    reporter_email: str = "",
    notify: bool = True,
) -> ReportedMail:
    """Record one report: analyse it, keep the message as evidence, credit a simulation to its
    recipient (a ``reported`` event; the verdict is then confirmed at once and the reporter
    thanked). ``reporter`` is the signed-in user (upload, API); otherwise ``reporter_email``,
    else the address of the message that carried the reported mail. The same mail reported
    again by the same person is the same report. Raises ValidationError (a clear reason) for
    input that is no mail, PermissionDenied for a user who may not report here. ``notify``
    False sends no thank-you (the demo)."""
    if channel not in ReportChannel.values:
        raise ValidationError(_("Unknown report channel."))
    if reporter is not None:
        crud.check_establishment_allowed(reporter, establishment.pk)
    analysis, recipient = _analyse(eml_bytes, establishment)
    address = (
        ((reporter.email if reporter is not None else "") or reporter_email or analysis.reporter)
        .strip()
        .lower()[:254]
    )
    digest = hashlib.sha256(eml_bytes).hexdigest()
    existing = ReportedMail.objects.filter(
        establishment=establishment,
        message_id=analysis.message_id or digest,
        reporter_email=address,
    ).first()
    if existing is not None:
        return existing
    now = timezone.now()
    simulation = analysis.verdict == Verdict.SIMULATION and recipient is not None
    with transaction.atomic():
        report = ReportedMail.objects.create(
            establishment=establishment,
            reporter_person=_reporter_person(establishment, address),
            reporter_email=address,
            channel=channel,
            received_at=now,
            message_id=(analysis.message_id or digest)[:500],
            sender=analysis.sender[:500],
            reply_to=analysis.reply_to[:500],
            subject=analysis.subject[:500],
            facts=_facts(analysis),
            suggested_verdict=analysis.verdict,
            verdict=Verdict.SIMULATION if simulation else "",
            verdict_at=now if simulation else None,
            recipient=recipient,
        )
        evidence = add_evidence(
            establishment,
            None,  # the platform stores it: reporting needs no evidence capability
            _("Reported suspicious e-mail"),
            uploaded_file=ContentFile(eml_bytes, name=f"reported-{digest[:12]}.eml"),
            subject=report,
        )
        if reporter is not None:
            type(evidence).objects.filter(pk=evidence.pk).update(collected_by=reporter)
        ReportedMail.objects.filter(pk=report.pk).update(evidence=evidence)
        report.evidence = evidence
        if simulation:
            assert recipient is not None
            _credit(recipient, now)
    logger.info(
        "reported mail %s received (%s): suggested %s", report.pk, channel, analysis.verdict
    )
    if simulation and notify:
        transaction.on_commit(lambda: thank_reporter(report))
    return report


def _credit(recipient: CampaignRecipient, at: Any) -> None:
    """The simulation's recipient reported it: a ``reported`` event (once) and ``reported_at``."""
    if recipient.reported_at is None:
        CampaignRecipient.objects.filter(pk=recipient.pk, reported_at__isnull=True).update(
            reported_at=at
        )
        CampaignEvent.objects.create(
            establishment_id=recipient.establishment_id,
            recipient=recipient,
            kind=EventKind.REPORTED,
            at=at,
        )


def observables(report: ReportedMail) -> list[dict[str, str]]:
    """The report's observables for an alert (kinds as response's: email, domain, url, hash,
    ip). URLs are stored whole: the alert is read by triage roles; pages show them defanged."""
    facts = report.facts or {}
    pairs: list[dict[str, str]] = []

    def add(kind: str, value: str) -> None:
        item = {"kind": kind, "value": value}
        if value and item not in pairs and len(pairs) < 200:
            pairs.append(item)

    add("email", report.sender)
    for address in (report.sender, report.reply_to, facts.get("return_path", "")):
        add("domain", str(address).rpartition("@")[2])
    for link in facts.get("urls", []):
        add("url", str(link.get("url", "")))
        add("domain", str(link.get("domain", "")))
    for item in facts.get("attachments", []):
        add("hash", str(item.get("sha256", "")))
    for hop in facts.get("received", [])[:1]:
        add("ip", str(hop.get("ip", "")))
    return pairs


def _raise_alert(report: ReportedMail) -> None:
    domain = report.sender.rpartition("@")[2] or _("an unknown sender")
    malicious = report.verdict == Verdict.MALICIOUS
    title = (
        _("Malicious mail reported by staff: mail from %(domain)s")
        if malicious
        else _("Phishing reported by staff: mail from %(domain)s")
    ) % {"domain": domain}
    facts = report.facts or {}
    alert = raise_alert(
        establishment=report.establishment,
        source=ALERT_SOURCE,
        title=title,
        severity=SeverityChoice.HIGH if malicious else SeverityChoice.MEDIUM,
        rule_id=RULE_ID,
        description=_(
            "A member of staff reported this mail; an analyst confirmed it as %(verdict)s. "
            "Reasons: %(reasons)s. The message is kept as evidence on the reported mail."
        )
        % {
            "verdict": report.get_verdict_display(),
            "reasons": "; ".join(reason_label(code) for code in facts.get("reasons", [])) or "-",
        },
        group_key=f"{RULE_ID}|{report.message_id}"[:300],
        tags=TAGS,
        details={
            "verdict": report.verdict,
            "reasons": list(facts.get("reasons", [])),
            "authentication": facts.get("authentication", {}),
            "sender": report.sender,
            "reply_to": report.reply_to,
            "message_id": report.message_id,
            "observables": observables(report),
            "reported_mail_ids": [report.pk],
            "evidence_ids": [report.evidence_id] if report.evidence_id else [],
            "link": reverse("awareness:reportedmail_detail", args=[report.pk]),
        },
    )
    ReportedMail.objects.filter(pk=report.pk).update(alert=alert)
    report.alert = alert


def confirm_verdict(
    user: User | None, report: ReportedMail, verdict: str, *, notify: bool = True
) -> ReportedMail:
    """The analyst's verdict: recorded (audited), a phishing or malicious verdict raises the
    alert (once), and the reporter is thanked (once) after the commit (unless ``notify`` is
    False: the demo)."""
    if user is not None:
        if not user.can(TRIAGE):
            raise PermissionDenied(_("You may not triage reported mails."))
        crud.check_establishment_allowed(user, report.establishment_id)
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": [_("Choose a verdict.")]})
    if verdict == Verdict.SIMULATION and report.recipient_id is None:
        raise ValidationError(
            {"verdict": [_("Only a mail of one of our simulations can be a simulation.")]}
        )
    with transaction.atomic():
        report = ReportedMail.objects.select_for_update().get(pk=report.pk)
        report.verdict = verdict
        report.verdict_by = user
        report.verdict_at = timezone.now()
        report.save(update_fields=["verdict", "verdict_by", "verdict_at"])
        if verdict in ALERTING_VERDICTS and report.alert_id is None:
            _raise_alert(report)
    if notify:
        transaction.on_commit(lambda: thank_reporter(report))
    return report


def _language(report: ReportedMail) -> str:
    user = User.objects.filter(email__iexact=report.reporter_email, is_active=True).first()
    language = str(getattr(user, "language", "") or report.establishment.default_language)
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def thank_message(report: ReportedMail) -> tuple[str, str]:
    """The thank-you mail's subject and body in the active language: the verdict, what to do,
    never the reported mail's subject or body."""
    when = timezone.localtime(report.received_at).strftime("%Y-%m-%d %H:%M")
    sender = report.sender.rpartition("@")[2] or _("an unknown sender")
    lines = [
        _("Hello,"),
        "",
        _("Thank you for reporting the mail from %(sender)s (reported on %(when)s).")
        % {"sender": sender, "when": when},
        "",
    ]
    outcome = {
        Verdict.SIMULATION: _(
            "This was a phishing simulation run by your security team: well done, reporting "
            "it was exactly the right reflex."
        ),
        Verdict.CLEAN: _(
            "Our analysis found it legitimate: you may use it normally. Thank you for your "
            "vigilance all the same."
        ),
        Verdict.SPAM: _("It is unwanted mail (spam) but not dangerous: you may delete it."),
        Verdict.PHISHING: _(
            "It is a phishing attempt. Do not click its links or reply, and delete it. If you "
            "entered a password, change it now and tell the IT department."
        ),
        Verdict.MALICIOUS: _(
            "It is a malicious mail. Do not open its attachments or links, and delete it. If "
            "you opened one, tell the IT department right away."
        ),
    }[Verdict(report.verdict)]
    lines += [outcome, "", _("Your report helps protect patients and colleagues."), ""]
    lines.append(_("The security team"))
    return _("Your report of a suspicious mail: thank you"), "\n".join(lines)


def thank_reporter(report: ReportedMail) -> bool:
    """Mail the reporter the verdict in their language (once). False when there is nobody to
    thank (no address, or one that is neither in the people directory nor an account) or the
    relay refused (the report stays unthanked, to retry)."""
    report = ReportedMail.objects.select_related("establishment").get(pk=report.pk)
    if report.thanked_at is not None or not report.verdict or not report.reporter_email:
        return False
    # Only people Hygie knows are thanked: a report's sender address can be forged, and the
    # endpoint must not become a way to make Hygie mail strangers.
    known = report.reporter_person_id is not None or (
        User.objects.filter(email__iexact=report.reporter_email, is_active=True).exists()
    )
    if not known:
        return False
    with translation.override(_language(report)):
        subject, body = thank_message(report)
    message = EmailMessage(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [report.reporter_email],
        connection=get_connection(fail_silently=False),
    )
    try:
        message.send()
    except MAIL_ERRORS as error:
        logger.warning(
            "thank-you for reported mail %s not sent: %s", report.pk, type(error).__name__
        )
        return False
    ReportedMail.objects.filter(pk=report.pk).update(thanked_at=timezone.now())
    return True


def display_urls(report: ReportedMail) -> list[dict[str, Any]]:
    """The report's links, defanged (what pages show)."""
    return [
        {**link, "defanged": defang(str(link.get("url", "")))}
        for link in (report.facts or {}).get("urls", [])
    ]


def detail_link(report: ReportedMail) -> str:
    return absolute_link(reverse("awareness:reportedmail_detail", args=[report.pk]))


REPORT_RATE_PERIOD = timedelta(days=183)


def report_rate_trend(establishment: Establishment, now: datetime | None = None) -> dict[str, Any]:
    """Share of simulation mails delivered in the last 6 months that their recipient reported,
    against the 6 months before; with the count of real reports (non-simulation) received."""
    now = now or timezone.now()
    recipients = CampaignRecipient.objects.filter(establishment=establishment)

    def period(start: datetime, end: datetime) -> tuple[int, int]:
        sent = recipients.filter(sent_at__gte=start, sent_at__lt=end)
        return sent.count(), sent.filter(reported_at__isnull=False).count()

    current = period(now - REPORT_RATE_PERIOD, now)
    previous = period(now - 2 * REPORT_RATE_PERIOD, now - REPORT_RATE_PERIOD)
    real = ReportedMail.objects.filter(
        establishment=establishment, received_at__gte=now - REPORT_RATE_PERIOD
    ).exclude(suggested_verdict=Verdict.SIMULATION)
    return {
        "sent": current[0],
        "reported": current[1],
        "rate": round(100 * current[1] / current[0]) if current[0] else None,
        "previous_sent": previous[0],
        "previous_reported": previous[1],
        "previous_rate": round(100 * previous[1] / previous[0]) if previous[0] else None,
        "real_reports": real.count(),
    }
