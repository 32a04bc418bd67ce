"""The remediation plan: an action per gap, with an owner, a due date and reminders."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.compliance.choices import ActionStatus, LinkKind
from hygie.compliance.models.assessments import Answer
from hygie.compliance.models.frameworks import Requirement
from hygie.core.models import Establishment
from hygie.core.models.scoping import ScopedManager

_USER = settings.AUTH_USER_MODEL
OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class RemediationAction(models.Model):
    """An action closing a compliance gap of one establishment."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="remediation_actions",
        verbose_name=_("establishment"),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        _USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ActionStatus.choices,
        default=ActionStatus.OPEN,
        db_index=True,
    )
    answers = models.ManyToManyField(
        Answer, blank=True, related_name="actions", verbose_name=_("answers")
    )
    requirements = models.ManyToManyField(
        Requirement, blank=True, related_name="actions", verbose_name=_("requirements")
    )
    # A link to an object of another module (an incident, a device), by id and page address:
    # compliance imports no sibling module.
    link_kind = models.CharField(
        _("linked object"), max_length=20, choices=LinkKind.choices, blank=True
    )
    link_id = models.CharField(_("linked object id"), max_length=64, blank=True)
    link_url = models.CharField(_("linked object address"), max_length=500, blank=True)
    link_label = models.CharField(_("linked object name"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    reminders_sent = models.PositiveIntegerField(_("reminders sent"), default=0)
    last_reminder_at = models.DateTimeField(_("last reminder"), null=True, blank=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("remediation action")
        verbose_name_plural = _("remediation actions")

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.status == ActionStatus.DONE and self.done_at is None:
            self.done_at = timezone.now()
        elif self.status != ActionStatus.DONE:
            self.done_at = None
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        # A page of Hygie (an incident, a device): a path on this site, never another site.
        if self.link_url and (not self.link_url.startswith("/") or self.link_url.startswith("//")):
            raise ValidationError({"link_url": _("Give the address of a Hygie page (/…).")})
        owner = self.owner
        if (
            owner is not None
            and self.establishment_id is not None
            and not owner.sees_all_establishments
            and self.establishment_id not in owner.visible_establishment_ids()
        ):
            raise ValidationError(
                {"owner": _("The owner must be a user who sees this establishment.")}
            )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < timezone.localdate()
