"""An incident and its record: transitions, tasks, timeline, observables, evidence, comments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from hygie.core.choices import SeverityChoice
from hygie.core.models import Alert, Asset, Department, Establishment, Evidence
from hygie.core.models.scoping import ScopedManager
from hygie.response.choices import (
    CareImpact,
    CustodyAction,
    IncidentCategory,
    IncidentSource,
    IncidentStatus,
    ObservableKind,
    PersonalData,
    Risk,
    TaskStatus,
    TimelineKind,
)

_USER = settings.AUTH_USER_MODEL


class Incident(models.Model):
    """A security incident handled by the team, from detection to closure (NIST SP 800-61)."""

    reference = models.CharField(
        _("reference"),
        max_length=30,
        unique=True,
        help_text=_("Assigned on creation, e.g. INC-2026-0007."),
    )
    # The establishment that handles the incident: its regulatory profile and time zone drive the
    # obligations, and it decides who may see the incident.
    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("establishment"),
    )
    affected_establishments = models.ManyToManyField(
        Establishment,
        blank=True,
        related_name="affecting_incidents",
        verbose_name=_("affected establishments"),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(
        _("category"),
        max_length=40,
        choices=IncidentCategory.choices,
        default=IncidentCategory.OTHER,
        db_index=True,
    )
    severity = models.IntegerField(
        _("severity"), choices=SeverityChoice.choices, default=SeverityChoice.MEDIUM, db_index=True
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=IncidentStatus.choices,
        default=IncidentStatus.NEW,
        db_index=True,
    )
    care_impact = models.CharField(
        _("impact on care"), max_length=30, choices=CareImpact.choices, default=CareImpact.NONE
    )
    departments = models.ManyToManyField(
        Department, blank=True, related_name="incidents", verbose_name=_("affected departments")
    )
    assets = models.ManyToManyField(
        Asset, blank=True, related_name="incidents", verbose_name=_("affected assets and devices")
    )
    personal_data = models.CharField(
        _("personal data involved"),
        max_length=10,
        choices=PersonalData.choices,
        default=PersonalData.UNKNOWN,
    )
    data_categories = models.JSONField(
        _("data categories"), default=list, blank=True, help_text=_("Values of DataCategory.")
    )
    individuals_affected = models.PositiveIntegerField(
        _("estimated number of people affected"), null=True, blank=True
    )
    residents_by_state = models.JSONField(
        _("affected residents by US state"),
        default=dict,
        blank=True,
        help_text=_("For HIPAA media notice: two-letter state code → number of residents."),
    )
    # Until the DPO has assessed it, the risk counts as medium: the CNIL clock runs (a clock shown
    # by mistake costs less than a missed one) and the assessment is what stops it.
    risk_to_individuals = models.CharField(
        _("risk to individuals"), max_length=10, choices=Risk.choices, default=Risk.MEDIUM
    )
    data_encrypted = models.BooleanField(_("data encrypted (key not compromised)"), default=False)
    occurred_at = models.DateTimeField(
        _("started at"), null=True, blank=True, help_text=_("When the incident began, if known.")
    )
    discovered_at = models.DateTimeField(
        _("discovered at"), db_index=True, help_text=_("Starts the regulatory clocks.")
    )
    source = models.CharField(
        _("source"), max_length=20, choices=IncidentSource.choices, default=IncidentSource.MANUAL
    )
    source_reference = models.CharField(_("source reference"), max_length=300, blank=True)
    alerts = models.ManyToManyField(
        Alert, blank=True, related_name="incidents", verbose_name=_("alerts")
    )
    assignee = models.ForeignKey(
        _USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_incidents",
        verbose_name=_("assignee"),
    )
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="watched_incidents",
        verbose_name=_("watchers"),
    )
    created_by = models.ForeignKey(
        _USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    # Lifecycle milestones, set by the transition service; the KPIs read them.
    triaged_at = models.DateTimeField(_("triage started"), null=True, blank=True)
    contained_at = models.DateTimeField(_("containment started"), null=True, blank=True)
    eradicated_at = models.DateTimeField(_("eradication started"), null=True, blank=True)
    recovered_at = models.DateTimeField(_("recovery started"), null=True, blank=True)
    post_incident_at = models.DateTimeField(_("post-incident started"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Post-incident review.
    root_cause = models.TextField(_("root cause"), blank=True)
    lessons_learned = models.TextField(_("lessons learned"), blank=True)
    follow_up_actions = models.TextField(_("follow-up actions"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["-discovered_at"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [models.Index(fields=["establishment", "status", "-discovered_at"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class IncidentTransition(models.Model):
    """One move through the lifecycle, with who made it and when."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(
        _("from"), max_length=20, choices=IncidentStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=IncidentStatus.choices)
    by = models.ForeignKey(
        _USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)

    objects = ScopedManager()
    scope_path = "incident__establishment"

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("incident transition")
        verbose_name_plural = _("incident transitions")

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class Task(models.Model):
    """Something to do for an incident, by hand or from a playbook step."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    phase = models.CharField(_("phase"), max_length=20, choices=IncidentStatus.choices, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=TaskStatus.choices,
        default=TaskStatus.TODO,
        db_index=True,
    )
    owner = models.ForeignKey(
        _USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incident_tasks",
        verbose_name=_("owner"),
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    is_decision = models.BooleanField(_("decision point"), default=False)
    decision = models.TextField(_("decision taken"), blank=True)
    applied_playbook = models.ForeignKey(
        "response.AppliedPlaybook",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
    )
    step_key = models.CharField(_("playbook step"), max_length=100, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager()
    scope_path = "incident__establishment"

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title


class TimelineEntry(models.Model):
    """A line of the incident's log (main courante): automatic for every change, or written."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(
        _("at"), db_index=True, help_text=_("When it happened (may precede when it was written).")
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=TimelineKind.choices, default=TimelineKind.LOG
    )
    text = models.TextField(_("entry"))
    # An automatic entry in each interface language ({"fr": …, "en": …}), shown in the reader's;
    # ``text`` keeps the one of the language active when it was written (decision 0025).
    texts = models.JSONField(default=dict, blank=True)
    author = models.ForeignKey(
        _USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    objects = ScopedManager()
    scope_path = "incident__establishment"

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def shown_text(self) -> str:
        """The entry in the reader's language when it was written in each, else as written."""
        code = (translation.get_language() or "").split("-")[0]
        return str((self.texts or {}).get(code) or self.text)


class Observable(models.Model):
    """A technical indicator seen in the incident (IP, domain, hash, account…)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="observables")
    kind = models.CharField(_("kind"), max_length=10, choices=ObservableKind.choices)
    value = models.CharField(_("value"), max_length=2048)
    note = models.TextField(_("note"), blank=True)
    is_ioc = models.BooleanField(
        _("indicator of compromise"),
        default=True,
        help_text=_("Shareable with partners once scrubbed."),
    )
    created_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager()
    scope_path = "incident__establishment"

    class Meta:
        ordering = ["kind", "value"]
        verbose_name = _("observable")
        verbose_name_plural = _("observables")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "kind", "value"], name="observable_unique_per_incident"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class IncidentEvidence(models.Model):
    """A core Evidence item attached to an incident, with its chain of custody."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="evidence")
    evidence = models.OneToOneField(
        Evidence, on_delete=models.PROTECT, related_name="incident_link"
    )
    holder = models.CharField(_("current holder"), max_length=200, blank=True)
    location = models.CharField(_("storage location"), max_length=300, blank=True)

    objects = ScopedManager()
    scope_path = "incident__establishment"

    class Meta:
        ordering = ["-evidence__collected_at"]
        verbose_name = _("incident evidence")
        verbose_name_plural = _("incident evidence")

    def __str__(self) -> str:
        return str(self.evidence)


class CustodyEvent(models.Model):
    """One link of the chain of custody: who did what with a piece of evidence, and when."""

    item = models.ForeignKey(IncidentEvidence, on_delete=models.CASCADE, related_name="custody")
    action = models.CharField(_("action"), max_length=20, choices=CustodyAction.choices)
    actor = models.ForeignKey(
        _USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))
    counterpart = models.CharField(_("handed to / received from"), max_length=200, blank=True)
    sha256_verified = models.CharField(_("SHA-256 checked"), max_length=64, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = ScopedManager()
    scope_path = "item__incident__establishment"

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("custody event")
        verbose_name_plural = _("custody events")

    def __str__(self) -> str:
        return self.action


class Comment(models.Model):
    """A discussion message on an incident."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        _USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager()
    scope_path = "incident__establishment"

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.text[:80]
