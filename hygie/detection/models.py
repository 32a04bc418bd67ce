"""Stored log events and per-establishment rule settings.

Events keep their normalised fields (ECS-style dotted names) and the original text, cut to
``MAX_RAW_CHARS``; a line that could not be parsed is stored with ``parse_error``, never dropped.
Forwarding targets send new alerts (of every module) to a SIEM or a webhook; each send is an
``AlertDelivery`` with its attempts.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from hygie.core.choices import SeverityChoice
from hygie.core.models import Alert, Asset, Establishment, Organisation
from hygie.core.models.scoping import ScopedManager
from hygie.detection.outbound import literal_refusal

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_RAW_CHARS = 8192


class EventSource(models.TextChoices):
    FILE = "file", _("File import")
    HTTP = "http", _("HTTP bulk endpoint")
    SYSLOG = "syslog", _("Syslog")


MESSAGE_PREVIEW_CHARS = 120
# The fields that say what a Windows event without a message is about, first ones first.
WINDOWS_SUMMARY_FIELDS = (
    "Image",
    "CommandLine",
    "TargetFilename",
    "TargetUserName",
    "SubjectUserName",
    "IpAddress",
    "ServiceName",
)


class Event(models.Model):
    """One log event received for an establishment, normalised, with its raw text."""

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="+", verbose_name=_("establishment")
    )
    received_at = models.DateTimeField(_("received at"), db_index=True)
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=EventSource.choices)
    product = models.CharField(_("product"), max_length=100, blank=True)
    service = models.CharField(_("service"), max_length=100, blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    host = models.CharField(_("host"), max_length=253, blank=True)
    fields = models.JSONField(_("fields"), default=dict, blank=True)
    raw = models.TextField(_("raw text"), blank=True)
    parse_error = models.CharField(_("parse error"), max_length=300, blank=True)
    asset = models.ForeignKey(
        Asset,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asset"),
    )

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["establishment", "received_at"])]

    def __str__(self) -> str:
        kind = "/".join(part for part in (self.product, self.service or self.category) if part)
        return " · ".join(part for part in (self.host, kind, f"#{self.pk}") if part)

    @property
    def message(self) -> str:
        """The event's main text: the parsed message, else the raw line (in full)."""
        fields = self.fields if isinstance(self.fields, dict) else {}
        message = fields.get("message")
        # JSON lines have no message of their own: the parsers then keep the whole line.
        if message not in (None, "") and str(message) != self.raw:
            return str(message)
        if "EventID" in fields and "Channel" in fields:  # Windows: what happened, not the JSON
            parts = [f"{fields['Channel']} {fields['EventID']}"]
            parts += [
                f"{name}={fields[name]}" for name in WINDOWS_SUMMARY_FIELDS if fields.get(name)
            ]
            return " · ".join(parts)
        return self.raw

    @property
    def short_message(self) -> str:
        """The message cut for a list cell (the detail page shows it in full)."""
        text = " ".join(self.message.split())
        return (
            text if len(text) <= MESSAGE_PREVIEW_CHARS else text[: MESSAGE_PREVIEW_CHARS - 1] + "…"
        )


class RuleSetting(models.Model):
    """Whether one rule runs for one establishment (rules run everywhere unless disabled)."""

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="+", verbose_name=_("establishment")
    )
    rule_id = models.CharField(_("rule id"), max_length=100)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["rule_id"]
        verbose_name = _("rule setting")
        verbose_name_plural = _("rule settings")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "rule_id"], name="detection_rulesetting_unique"
            )
        ]

    def __str__(self) -> str:
        return self.rule_id


class ForwardingKind(models.TextChoices):
    SYSLOG_UDP = "syslog_udp", _("Syslog over UDP (RFC 5424)")
    SYSLOG_TCP = "syslog_tcp", _("Syslog over TCP (RFC 5424, octet counting)")
    SYSLOG_TLS = "syslog_tls", _("Syslog over TLS (RFC 5424/5425)")
    WEBHOOK = "webhook", _("Webhook (HTTPS or HTTP POST, JSON)")


SYSLOG_KINDS = (ForwardingKind.SYSLOG_UDP, ForwardingKind.SYSLOG_TCP, ForwardingKind.SYSLOG_TLS)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class ForwardingTarget(models.Model):
    """Where new alerts are sent (a SIEM's syslog input, a SOAR or chat webhook)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("establishment"),
        help_text=_("Empty: alerts of every establishment of the organisation."),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=ForwardingKind.choices)
    host = models.CharField(
        _("host"),
        max_length=253,
        blank=True,
        help_text=_("Syslog: host name or IP address of the receiver."),
    )
    port = models.PositiveIntegerField(
        _("port"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(65535)],
    )
    url = models.URLField(
        _("URL"),
        max_length=500,
        blank=True,
        help_text=_("Webhook: https:// (or http:// on a trusted network)."),
    )
    ca_certificate = models.TextField(
        _("CA certificate (PEM)"),
        blank=True,
        help_text=_(
            "TLS and HTTPS: the certificate authority that signed the receiver's "
            "certificate; empty uses the system's trusted authorities."
        ),
    )
    secret = models.CharField(_("signing secret"), max_length=100, blank=True, editable=False)
    min_severity = models.IntegerField(
        _("minimum severity"), choices=SeverityChoice.choices, default=SeverityChoice.MEDIUM
    )
    sources = models.JSONField(
        _("source modules"), default=list, blank=True, help_text=_("Empty: alerts of every module.")
    )
    syslog_facility = models.PositiveSmallIntegerField(
        _("syslog facility"),
        default=16,
        validators=[MaxValueValidator(23)],
        help_text=_("0–23; 16 is local0, 10 is authpriv."),
    )
    timeout_seconds = models.PositiveSmallIntegerField(
        _("timeout (seconds)"), default=5, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("Tries before a delivery is marked failed (waits 30 s, 2, 8, 30 min…)."),
    )
    is_enabled = models.BooleanField(_("enabled"), default=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    # Organisation-wide targets (no establishment) receive every establishment's alerts, so
    # only users who see every establishment see them.
    scope_path = "establishment"

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("forwarding target")
        verbose_name_plural = _("forwarding targets")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.secret:
            self.secret = secrets.token_urlsafe(32)
        super().save(*args, **kwargs)

    @property
    def is_syslog(self) -> bool:
        return self.kind in SYSLOG_KINDS

    @property
    def address(self) -> str:
        return self.url if self.kind == ForwardingKind.WEBHOOK else f"{self.host}:{self.port}"

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        establishment = self.establishment if self.establishment_id is not None else None
        if establishment is not None and self.organisation_id is None:
            self.organisation_id = establishment.organisation_id
        if establishment is not None and establishment.organisation_id != self.organisation_id:
            errors["establishment"] = _("The establishment belongs to another organisation.")
        if self.kind in SYSLOG_KINDS:
            if not self.host:
                errors["host"] = _("A syslog target needs a host.")
            elif refused := literal_refusal(self.host):
                errors["host"] = refused
            if not self.port:
                errors["port"] = _("A syslog target needs a port.")
        elif self.kind == ForwardingKind.WEBHOOK:
            if not self.url:
                errors["url"] = _("A webhook needs a URL.")
            elif not self.url.lower().startswith(("https://", "http://")):
                errors["url"] = _("Only http:// and https:// URLs are supported.")
            elif refused := literal_refusal(_url_host(self.url)):
                errors["url"] = refused
        if self.ca_certificate and "-----BEGIN CERTIFICATE-----" not in self.ca_certificate:
            errors["ca_certificate"] = _("Paste PEM text (-----BEGIN CERTIFICATE-----).")
        unknown = [s for s in self.sources or [] if not isinstance(s, str) or not s.isidentifier()]
        if unknown or not isinstance(self.sources, list):
            errors["sources"] = _("A list of module names, e.g. detection, privacy.")
        if errors:
            raise ValidationError(errors)


def _url_host(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:  # e.g. an unclosed IPv6 bracket: the URL field reports it
        return ""


class AlertDelivery(models.Model):
    """One alert sent (or being sent) to one forwarding target, with its attempts."""

    target = models.ForeignKey(
        ForwardingTarget,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("target"),
    )
    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, related_name="+", verbose_name=_("alert")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    objects = ScopedManager()
    scope_path = "alert__establishment"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("alert delivery")
        verbose_name_plural = _("alert deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.alert_id} → {self.target_id}"
