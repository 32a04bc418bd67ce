"""Background jobs as users see them: what runs, for whom, and how far it has got."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hygie.core.models.organisation import Establishment
from hygie.core.models.scoping import ScopedQuerySet
from hygie.lib.registry import Registry

if TYPE_CHECKING:
    from hygie.core.models.accounts import User


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class JobQuerySet(ScopedQuerySet["Job"]):
    def visible_to(self, user: User | AnonymousUser | None) -> ScopedQuerySet[Job]:
        """Jobs of the user's establishments, plus the user's own establishment-less jobs."""
        scoped = super().visible_to(user)
        if (
            user is None
            or isinstance(user, AnonymousUser)
            or user.sees_all_establishments
            or not user.pk
        ):
            return scoped
        return (scoped | self.filter(establishment__isnull=True, created_by=user)).distinct()


class Job(models.Model):
    """A background task with progress; the queue itself is django-tasks' database backend."""

    kind = models.CharField(_("kind"), max_length=100)
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=JobStatus.choices,
        default=JobStatus.QUEUED,
        db_index=True,
    )
    task_result_id = models.CharField(max_length=64, blank=True)
    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("establishment"),
    )
    created_by = models.ForeignKey(
        "core.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("created by"),
    )
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_message = models.CharField(max_length=300, blank=True)
    # The title and progress message as msgids and their values ({"title": [msgid, params],
    # "progress": [...]}), rendered in the reader's language; the two fields above keep the
    # English text (API, older rows). Decision 0025.
    display_texts = models.JSONField(default=dict, blank=True)
    cancel_requested = models.BooleanField(default=False)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = JobQuerySet.as_manager()
    scope_path = "establishment"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return self.get_title_display()

    def _shown(self, key: str, stored: str) -> str:
        entry = (self.display_texts or {}).get(key)
        if not isinstance(entry, list) or len(entry) != 2 or not isinstance(entry[0], str):
            return stored
        msgid, params = entry
        try:
            return gettext(msgid) % params if params else gettext(msgid)
        except (KeyError, TypeError, ValueError):  # a translation whose placeholders changed
            return stored

    def get_title_display(self) -> str:
        """The title in the reader's language (rows written before msgids: as stored)."""
        return self._shown("title", self.title)

    @property
    def shown_progress_message(self) -> str:
        """The progress message in the reader's language."""
        return self._shown("progress", self.progress_message)

    def get_kind_display(self) -> str:
        """The job kind's title in the reader's language (the key when no module offers it).

        Read from the "job kinds" registry by name: models sit below the job service."""
        for registry in Registry.every():
            if registry.name == "job kinds" and self.kind in registry:
                return str(getattr(registry.get(self.kind), "title", self.kind))
        return self.kind

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status == JobStatus.SUCCEEDED else 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.status in {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED}
