"""Reported-mail triage: the mailboxes staff forward suspicious mail to, and each reported mail
with its facts, the suggested verdict and the analyst's."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hygie.core.models import Alert, Establishment, Evidence, Person
from hygie.core.models.scoping import ScopedManager


class MailboxSecurity(models.TextChoices):
    TLS = "tls", _("Implicit TLS (IMAPS)")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("None (plain IMAP)")


class ReportChannel(models.TextChoices):
    UPLOAD = "upload", _("Uploaded .eml")
    IMAP = "imap", _("Report mailbox (IMAP)")
    SMTP = "smtp", _("Hygie's receiving SMTP endpoint")
    API = "api", _("API")
    BUTTON = "button", _("Report button")


class Verdict(models.TextChoices):
    SIMULATION = "simulation", _("Simulation")
    CLEAN = "clean", _("Clean")
    SPAM = "spam", _("Spam")
    PHISHING = "phishing", _("Phishing")
    MALICIOUS = "malicious", _("Malicious")


class ReportMailbox(models.Model):
    """An IMAP mailbox polled for mails staff forward as attachments."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="awareness_mailboxes",
        verbose_name=_("establishment"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, default="imap", editable=False)
    host = models.CharField(_("IMAP host"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("connection security"),
        max_length=10,
        choices=MailboxSecurity.choices,
        default=MailboxSecurity.TLS,
    )
    username = models.CharField(_("user name"), max_length=255)
    # Stored encrypted like a sending profile's (services/profiles.py); never rendered back.
    password = models.CharField(_("password"), max_length=1000, blank=True, editable=False)
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    last_uid = models.PositiveBigIntegerField(_("last message UID"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(_("last polled at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["name"]
        verbose_name = _("report mailbox")
        verbose_name_plural = _("report mailboxes")

    def __str__(self) -> str:
        return self.name


class ReportedMail(models.Model):
    """A mail a staff member reported as suspicious, with what the analysis found in it."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="awareness_reported_mails",
        verbose_name=_("establishment"),
    )
    reporter_person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="awareness_reports",
        verbose_name=_("reported by"),
    )
    reporter_email = models.EmailField(_("reporter's e-mail"), blank=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=ReportChannel.choices, default=ReportChannel.UPLOAD
    )
    received_at = models.DateTimeField(_("received at"), db_index=True)
    evidence = models.ForeignKey(
        Evidence,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("original message"),
    )
    message_id = models.CharField(_("Message-ID"), max_length=500, blank=True, db_index=True)
    sender = models.CharField(_("sender"), max_length=500, blank=True)
    reply_to = models.CharField(_("Reply-To"), max_length=500, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    facts = models.JSONField(_("analysis"), default=dict, blank=True)
    suggested_verdict = models.CharField(
        _("suggested verdict"), max_length=10, choices=Verdict.choices, blank=True
    )
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices, blank=True)
    verdict_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verdict by"),
    )
    verdict_at = models.DateTimeField(_("verdict at"), null=True, blank=True)
    recipient = models.ForeignKey(
        "awareness.CampaignRecipient",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("simulation recipient"),
    )
    alert = models.ForeignKey(
        Alert,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("alert"),
    )
    thanked_at = models.DateTimeField(_("reporter thanked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager()
    scope_path = "establishment"
    # The subject may name a patient (a genuine mail reported by mistake) and the facts hold the
    # mail's links: the audit trail records that they changed, never their text.
    audit_redacted_fields = ("subject", "facts")

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("reported mail")
        verbose_name_plural = _("reported mails")

    def __str__(self) -> str:
        return str(_("Reported mail #%(id)s") % {"id": self.pk})
