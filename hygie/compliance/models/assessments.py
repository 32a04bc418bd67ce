"""Assessments: one establishment measured against one framework at a date, answer by answer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from hygie.compliance.choices import AnswerStatus, AssessmentStatus, ProposalSource
from hygie.compliance.models.frameworks import Framework, Requirement
from hygie.compliance.models.probes import ProbeRun
from hygie.core.models import Establishment, Evidence
from hygie.core.models.scoping import ScopedManager

_USER = settings.AUTH_USER_MODEL


class Assessment(models.Model):
    """An establishment's assessment against one framework, at one date."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="compliance_assessments",
        verbose_name=_("establishment"),
    )
    framework = models.ForeignKey(
        Framework,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("framework"),
    )
    title = models.CharField(_("title"), max_length=300)
    date = models.DateField(_("date"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.IN_PROGRESS,
        db_index=True,
    )
    scope = models.TextField(_("scope"), blank=True)
    created_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status != AssessmentStatus.CLOSED


class Answer(models.Model):
    """The answer to one requirement in one assessment, with its evidence and any proposal."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="answers", verbose_name=_("assessment")
    )
    requirement = models.ForeignKey(
        Requirement, on_delete=models.CASCADE, related_name="answers", verbose_name=_("requirement")
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AnswerStatus.choices,
        default=AnswerStatus.NOT_ASSESSED,
        db_index=True,
    )
    justification = models.TextField(
        _("justification"),
        blank=True,
        help_text=_("Required when not applicable, or when departing from a computed proposal."),
    )
    maturity = models.PositiveSmallIntegerField(
        _("maturity"), null=True, blank=True, validators=[MaxValueValidator(5)]
    )
    owner = models.ForeignKey(
        _USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    comments = models.TextField(_("comments"), blank=True)
    evidence = models.ManyToManyField(
        Evidence, blank=True, related_name="+", verbose_name=_("evidence")
    )
    # A status the platform proposes (from a probe result or a mapped answer) until a human
    # confirms or overrides it; a proposal never overwrites a confirmed answer.
    proposed_status = models.CharField(
        _("proposed status"), max_length=20, choices=AnswerStatus.choices, blank=True
    )
    proposal_source = models.CharField(
        _("proposed from"), max_length=20, choices=ProposalSource.choices, blank=True
    )
    proposed_from_run = models.ForeignKey(
        ProbeRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("probe result"),
    )
    proposed_from_answer = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mapped answer"),
    )
    proposal_note = models.TextField(_("why this proposal"), blank=True)
    # What the note is made of (the probe results counted, or the mapped answer's relation),
    # so it is shown in the reader's language: {"kind": "probe", "runs": [ids], "capped": bool}
    # or {"kind": "mapping", "relation": …, "rationale": {"fr": …, "en": …}}.
    proposal_details = models.JSONField(_("proposal details"), default=dict, blank=True)
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    is_confirmed = models.BooleanField(_("confirmed by a person"), default=False)
    # The status in force came from a proposal a person accepted as is.
    is_computed = models.BooleanField(_("computed"), default=False)
    answered_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope_path = "assessment__establishment"

    class Meta:
        ordering = ["assessment", "requirement__order"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "requirement"], name="compliance_one_answer_per_requirement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.requirement.ref_id}: {self.get_status_display()}"

    @property
    def has_pending_proposal(self) -> bool:
        return bool(self.proposed_status) and self.proposed_status != self.status

    @property
    def proposal_explanation(self) -> str:
        """Why the platform proposes this status, in the reader's language (the stored note,
        written in the language of the moment, when the details are missing)."""
        details = self.proposal_details or {}
        kind = details.get("kind")
        if kind == "probe":
            ids = [pk for pk in details.get("runs", []) if isinstance(pk, int)]
            runs = list(ProbeRun.objects.filter(pk__in=ids).order_by("probe_id", "pk"))
            if runs:
                return probe_note(runs, bool(details.get("capped")))
        if kind == "mapping" and self.proposed_from_answer is not None:
            return mapping_note(
                self.proposed_from_answer,
                str(details.get("relation", "")),
                details.get("rationale") or {},
            )
        return self.proposal_note


class AnswerChange(models.Model):
    """One change of one field of an answer: who, when, before, after (the visible history)."""

    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, related_name="changes", verbose_name=_("answer")
    )
    changed_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    field = models.CharField(_("field"), max_length=50)
    old_value = models.TextField(_("before"), blank=True)
    new_value = models.TextField(_("after"), blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = ScopedManager()
    scope_path = "answer__assessment__establishment"

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("answer change")
        verbose_name_plural = _("answer changes")

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} → {self.new_value}"

    @property
    def field_label(self) -> str:
        if self.field == "evidence":
            return str(_("evidence"))
        try:
            field = Answer._meta.get_field(self.field)
            return str(getattr(field, "verbose_name", self.field))
        except FieldDoesNotExist:
            return self.field

    def _shown(self, value: str) -> str:
        if self.field == "status" and value in AnswerStatus.values:
            return str(AnswerStatus(value).label)
        return value

    @property
    def old_display(self) -> str:
        return self._shown(self.old_value)

    @property
    def new_display(self) -> str:
        return self._shown(self.new_value)


class ScoreSnapshot(models.Model):
    """An assessment's score at one moment (taken on each change): the score over time."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("assessment")
    )
    taken_at = models.DateTimeField(_("taken at"), auto_now_add=True, db_index=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    maturity = models.FloatField(_("average maturity"), null=True, blank=True)
    compliant = models.PositiveIntegerField(default=0)
    partial = models.PositiveIntegerField(default=0)
    non_compliant = models.PositiveIntegerField(default=0)
    not_applicable = models.PositiveIntegerField(default=0)
    not_assessed = models.PositiveIntegerField(default=0)

    objects = ScopedManager()
    scope_path = "assessment__establishment"

    class Meta:
        ordering = ["taken_at", "pk"]
        verbose_name = _("score snapshot")
        verbose_name_plural = _("score snapshots")

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.taken_at:%Y-%m-%d} {self.score}"


def probe_note(runs: Sequence[ProbeRun], capped: bool) -> str:
    """Why probe results propose a status, in the active language."""
    parts = [
        gettext("%(title)s: %(status)s on %(date)s")
        % {
            "title": run.title_display,
            "status": run.get_status_display(),
            "date": formats.date_format(timezone.localtime(run.ran_at), "DATETIME_FORMAT"),
        }
        for run in runs
    ]
    text = gettext("Computed from probe results — %(results)s.") % {"results": "; ".join(parts)}
    if capped:
        text += " " + gettext(
            "The probes cover only part of this requirement: at most partially compliant."
        )
    return text


def mapping_note(source: Answer, relation: str, rationale: Mapping[str, str]) -> str:
    """Why a mapped answer proposes a status, in the active language."""
    relations = {
        "equal": gettext("equivalent to"),
        "subset": gettext("a part of"),
        "superset": gettext("broader than"),
        "intersect": gettext("overlapping with"),
    }
    text = gettext(
        "%(ref)s (%(framework)s), %(relation)s this requirement, is answered “%(status)s”."
    ) % {
        "ref": source.requirement.ref_id,
        "framework": source.assessment.framework.name,
        "relation": relations.get(relation, relation),
        "status": AnswerStatus(source.status).label,
    }
    if relation != "equal":
        text += " " + gettext("The mapping is not an equivalence: at most partially compliant.")
    language = (get_language() or "en")[:2]
    extra = rationale.get(language) or next(iter(rationale.values()), "") if rationale else ""
    return f"{text} {extra}" if extra else text
