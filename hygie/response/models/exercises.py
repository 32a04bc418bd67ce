"""Crisis exercises: planned, run with timed injects, and reviewed in an after-action report."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hygie.core.models import Establishment, Evidence
from hygie.core.models.scoping import ScopedManager
from hygie.response.choices import ExerciseEntryKind, ExerciseStatus

_USER = settings.AUTH_USER_MODEL


class Exercise(models.Model):
    """A cyber crisis exercise of one establishment (CaRE expects one a year)."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="exercises",
        verbose_name=_("establishment"),
    )
    title = models.CharField(_("title"), max_length=300)
    scenario_key = models.CharField(_("scenario"), max_length=100)
    scenario_source = models.TextField(
        _("scenario as run"), help_text=_("The scenario YAML, frozen when planned.")
    )
    planned_for = models.DateTimeField(_("planned for"))
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="exercises",
        verbose_name=_("participants"),
    )
    other_participants = models.TextField(
        _("other participants"),
        blank=True,
        help_text=_("People without a Hygie account: one per line, name and function."),
    )
    objectives = models.TextField(_("objectives"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ExerciseStatus.choices,
        default=ExerciseStatus.PLANNED,
        db_index=True,
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    strengths = models.TextField(_("what worked"), blank=True)
    improvements = models.TextField(_("what to improve"), blank=True)
    action_plan = models.TextField(_("action plan"), blank=True)
    report_evidence = models.ForeignKey(
        Evidence,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("after-action report"),
    )
    created_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["-planned_for"]
        verbose_name = _("crisis exercise")
        verbose_name_plural = _("crisis exercises")

    def __str__(self) -> str:
        return self.title


class ExerciseEntry(models.Model):
    """An inject delivered, a decision taken or an observation noted during an exercise."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("kind"), max_length=20, choices=ExerciseEntryKind.choices)
    inject_key = models.CharField(_("inject"), max_length=100, blank=True)
    at = models.DateTimeField(_("at"))
    author = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("text"))

    objects = ScopedManager()
    scope_path = "exercise__establishment"

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("exercise entry")
        verbose_name_plural = _("exercise entries")
        constraints = [
            models.UniqueConstraint(
                fields=["exercise", "inject_key"],
                condition=~models.Q(inject_key=""),
                name="exercise_inject_delivered_once",
            )
        ]

    def __str__(self) -> str:
        return self.text[:80]
