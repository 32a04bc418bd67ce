"""Training: modules with their quiz (shipped catalogue or an establishment's own) and the
assignments staff complete through a personal expiring link."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hygie.awareness.models.campaigns import CatalogueManager, Language
from hygie.core.models import Establishment, Person
from hygie.core.models.scoping import ScopedManager


class AssignmentSource(models.TextChoices):
    MANUAL = "manual", _("Assigned by a trainer")
    CAMPAIGN = "campaign", _("After a simulation")


class TrainingModule(models.Model):
    """A short course in Markdown with a quiz (engine Quiz shape), versioned."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="awareness_modules",
        verbose_name=_("establishment"),
        help_text=_("Empty for the shipped catalogue."),
    )
    slug = models.SlugField(_("identifier"), max_length=100)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FR
    )
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    body_markdown = models.TextField(_("content (Markdown)"))
    version = models.PositiveIntegerField(_("version"), default=1)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=5)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"), default=80)
    quiz = models.JSONField(_("quiz"), default=dict, blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CatalogueManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["title", "language", "-version"]
        verbose_name = _("training module")
        verbose_name_plural = _("training modules")
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "language", "version"],
                condition=Q(establishment__isnull=True),
                name="awareness_catalogue_module_unique",
            ),
            models.UniqueConstraint(
                fields=["establishment", "slug", "language", "version"],
                name="awareness_module_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TrainingAssignment(models.Model):
    """A module a person must complete by a date, through a personal expiring link."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="awareness_assignments",
        verbose_name=_("establishment"),
    )
    module = models.ForeignKey(
        TrainingModule,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("module"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="awareness_assignments",
        verbose_name=_("person"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    token = models.CharField(_("token"), max_length=40, unique=True)
    token_expires_at = models.DateTimeField(_("link expires at"))
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), default=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    source = models.CharField(
        _("origin"),
        max_length=10,
        choices=AssignmentSource.choices,
        default=AssignmentSource.MANUAL,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager()
    scope_path = "establishment"
    # The token is the person's capability to the training pages: never copied to the audit trail.
    audit_redacted_fields = ("token",)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("training assignment")
        verbose_name_plural = _("training assignments")
        indexes = [models.Index(fields=["person", "completed_at"])]

    def __str__(self) -> str:
        return f"{self.module} — {self.person}"
