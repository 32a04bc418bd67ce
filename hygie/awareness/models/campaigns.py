"""Phishing simulations: sending profiles, mail templates and landing pages (shared library or an
establishment's own), campaigns, their recipients and every recorded event."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hygie.core.models import Establishment, Person
from hygie.core.models.scoping import ScopedManager, ScopedQuerySet

if TYPE_CHECKING:
    from hygie.core.models.accounts import User


class CatalogueQuerySet(ScopedQuerySet):
    """Scoping for content that is either shipped (``establishment`` null, seen by everyone who
    may see anything) or an establishment's own (scoped as usual)."""

    def visible_to(self, user: User | AnonymousUser | None) -> ScopedQuerySet:
        if (
            user is None
            or isinstance(user, AnonymousUser)
            or not getattr(user, "is_authenticated", False)
            or not user.is_active
        ):
            return self.none()
        if user.sees_all_establishments:
            return self
        return self.filter(
            Q(establishment__isnull=True) | Q(establishment__in=user.visible_establishment_ids())
        )


CatalogueManager = models.Manager.from_queryset(CatalogueQuerySet)


class Language(models.TextChoices):
    FR = "fr", _("French")
    EN = "en", _("English")


class SmtpSecurity(models.TextChoices):
    NONE = "none", _("None (plain SMTP)")
    STARTTLS = "starttls", _("STARTTLS")
    TLS = "tls", _("Implicit TLS (SMTPS)")


class ContentSource(models.TextChoices):
    LIBRARY = "library", _("Hygie library")
    GOPHISH = "gophish", _("GoPhish import")
    CUSTOM = "custom", _("Written here")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


class Variant(models.TextChoices):
    A = "a", _("Template A")
    B = "b", _("Template B")


class EventKind(models.TextChoices):
    SENT = "sent", _("Sent")
    OPENED = "opened", _("Opened")
    CLICKED = "clicked", _("Clicked")
    CONFIRMED = "confirmed", _("Click confirmed by a browser")
    SUBMITTED = "submitted", _("Data submitted")
    REPORTED = "reported", _("Reported")
    TEACHABLE_VIEWED = "teachable_viewed", _("Teachable moment viewed")
    ENROLLED = "enrolled", _("Enrolled in training")


class RequestMethod(models.TextChoices):
    GET = "GET", "GET"
    HEAD = "HEAD", "HEAD"
    POST = "POST", "POST"
    OTHER = "OTHER", _("Other")


def default_working_days() -> list[int]:
    """Monday to Friday (``datetime.weekday()`` numbers)."""
    return [0, 1, 2, 3, 4]


class SendingProfile(models.Model):
    """An SMTP relay that sends an establishment's simulations, with its rate limit and headers."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="awareness_sending_profiles",
        verbose_name=_("establishment"),
    )
    name = models.CharField(_("name"), max_length=200)
    host = models.CharField(_("SMTP host"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=587)
    security = models.CharField(
        _("connection security"),
        max_length=10,
        choices=SmtpSecurity.choices,
        default=SmtpSecurity.STARTTLS,
    )
    username = models.CharField(_("user name"), max_length=255, blank=True)
    # Stored encrypted (services/profiles.py); never rendered back, never logged or audited.
    password = models.CharField(_("password"), max_length=1000, blank=True, editable=False)
    envelope_from = models.EmailField(_("envelope sender (MAIL FROM)"))
    header_from = models.CharField(
        _("From header"), max_length=300, help_text=_('For example "Service RH <rh@example.org>".')
    )
    rate_per_minute = models.PositiveIntegerField(
        _("mails per minute"), default=30, help_text=_("0 sends without a limit.")
    )
    custom_headers = models.JSONField(
        _("custom headers"),
        default=dict,
        blank=True,
        help_text=_("Extra headers, so the mail gateway can allow-list the simulation."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["name"]
        verbose_name = _("sending profile")
        verbose_name_plural = _("sending profiles")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "name"], name="awareness_profile_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class MailTemplate(models.Model):
    """A simulated phishing mail (HTML and text) with the clues the teachable moment explains."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="awareness_templates",
        verbose_name=_("establishment"),
        help_text=_("Empty for the shared library."),
    )
    lure_id = models.SlugField(_("lure"), max_length=100, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FR
    )
    name = models.CharField(_("name"), max_length=200)
    sender_name = models.CharField(_("sender display name"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    html = models.TextField(_("HTML body"), blank=True)
    text = models.TextField(_("text body"), blank=True)
    clues = models.JSONField(_("clues"), default=list, blank=True)
    difficulty = models.PositiveSmallIntegerField(_("difficulty"), default=2)
    version = models.PositiveIntegerField(_("version"), default=1)
    source = models.CharField(
        _("origin"), max_length=10, choices=ContentSource.choices, default=ContentSource.CUSTOM
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CatalogueManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["name", "language"]
        verbose_name = _("mail template")
        verbose_name_plural = _("mail templates")
        constraints = [
            models.UniqueConstraint(
                fields=["lure_id", "language"],
                condition=Q(establishment__isnull=True, source="library"),
                name="awareness_library_template_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class LandingPage(models.Model):
    """The page a clicked link leads to (its form records field names, never values)."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="awareness_landing_pages",
        verbose_name=_("establishment"),
        help_text=_("Empty for the shared library."),
    )
    lure_id = models.SlugField(_("lure"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FR
    )
    html = models.TextField(_("HTML"))
    redirect_url = models.URLField(_("redirect after submission"), max_length=500, blank=True)
    source = models.CharField(
        _("origin"), max_length=10, choices=ContentSource.choices, default=ContentSource.CUSTOM
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CatalogueManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["name", "language"]
        verbose_name = _("landing page")
        verbose_name_plural = _("landing pages")
        constraints = [
            models.UniqueConstraint(
                fields=["lure_id", "language"],
                condition=Q(establishment__isnull=True, source="library"),
                name="awareness_library_page_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class Campaign(models.Model):
    """A phishing simulation: who receives which mail, when, through which relay."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="awareness_campaigns",
        verbose_name=_("establishment"),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CampaignStatus.choices,
        default=CampaignStatus.DRAFT,
        db_index=True,
    )
    sending_profile = models.ForeignKey(
        SendingProfile,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("sending profile"),
    )
    template_a = models.ForeignKey(
        MailTemplate,
        on_delete=models.PROTECT,
        related_name="campaigns_a",
        verbose_name=_("template"),
    )
    template_b = models.ForeignKey(
        MailTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns_b",
        verbose_name=_("template B (A/B test)"),
    )
    landing_page = models.ForeignKey(
        LandingPage,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("landing page"),
    )
    window_start = models.DateTimeField(_("sending starts"))
    window_end = models.DateTimeField(_("sending ends"))
    working_hours_start = models.TimeField(_("working day starts"), default=datetime.time(9, 0))
    working_hours_end = models.TimeField(_("working day ends"), default=datetime.time(17, 0))
    working_days = models.JSONField(_("working days"), default=default_working_days, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Paris")
    enrol_module = models.ForeignKey(
        "awareness.TrainingModule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("training after a click"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["-window_start", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name


class CampaignRecipient(models.Model):
    """One person targeted by a campaign, with an unguessable token and their first events."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("establishment"),
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("campaign")
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="awareness_recipients",
        verbose_name=_("person"),
    )
    email = models.EmailField(_("e-mail"))
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    department_name = models.CharField(_("department"), max_length=200, blank=True)
    profession = models.CharField(_("profession"), max_length=100, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FR
    )
    variant = models.CharField(
        _("variant"), max_length=1, choices=Variant.choices, default=Variant.A
    )
    token = models.CharField(_("token"), max_length=40, unique=True)
    scheduled_at = models.DateTimeField(_("scheduled at"), null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    send_error = models.CharField(_("sending error"), max_length=300, blank=True)
    first_opened_at = models.DateTimeField(_("first opened at"), null=True, blank=True)
    first_clicked_at = models.DateTimeField(_("first clicked at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("click confirmed at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("data submitted at"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["scheduled_at", "email"]
        verbose_name = _("campaign recipient")
        verbose_name_plural = _("campaign recipients")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "email"], name="awareness_recipient_unique")
        ]

    def __str__(self) -> str:
        return self.email


class CampaignEvent(models.Model):
    """Something a recipient (or a mail scanner on their behalf) did; never a typed value."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("establishment"),
    )
    recipient = models.ForeignKey(
        CampaignRecipient,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices, db_index=True)
    at = models.DateTimeField(_("at"), db_index=True)
    is_automated = models.BooleanField(_("automated (mail scanner)"), default=False)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    method = models.CharField(
        _("HTTP method"), max_length=5, choices=RequestMethod.choices, blank=True
    )
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    source_network = models.CharField(
        _("source network"), max_length=50, blank=True, help_text=_("The /24 or /48 only.")
    )
    field_names = models.JSONField(_("form field names"), default=list, blank=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("campaign event")
        verbose_name_plural = _("campaign events")
        indexes = [models.Index(fields=["recipient", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
