"""An incident's tasks: added, edited, reassigned, done or cancelled (decisions included)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.core.models import User
from hygie.core.services import crud
from hygie.core.tables import verbose_name_of
from hygie.response.choices import (
    TaskStatus,
    TimelineKind,
)
from hygie.response.models import Incident, Task
from hygie.response.roles import VIEW_INCIDENTS
from hygie.response.services import notifications
from hygie.response.services.incidents.common import (
    MAX_TEXT,
    author_of,
    check_candidate,
    display_name,
    local_time,
    require_incident,
    task_owner_candidates,
)
from hygie.response.services.timeline import add_entry

# --- tasks ------------------------------------------------------------------------------------

_TASK_FIELDS = ("title", "description", "phase", "owner", "due_at", "is_decision")


def add_task(
    user: User | None,
    incident: Incident,
    *,
    title: str,
    description: str = "",
    phase: str = "",
    owner: User | None = None,
    due_at: datetime | None = None,
    is_decision: bool = False,
) -> Task:
    require_incident(user, incident)
    check_candidate(
        owner,
        task_owner_candidates(incident),
        "owner",
        _("This person cannot read incidents of this establishment."),
    )
    with transaction.atomic():
        order = (incident.tasks.aggregate(models.Max("order"))["order__max"] or 0) + 1
        task = Task(
            incident=incident,
            title=title,
            description=description,
            phase=phase,
            owner=owner,
            due_at=due_at,
            is_decision=is_decision,
            order=order,
        )
        task.full_clean()
        task.save()

        def text() -> str:  # written in each language: every reader sees their own
            written = _("Task added: %(title)s.") % {"title": task.title}
            if owner is not None:
                written += " " + _("Owner: %(name)s.") % {"name": display_name(owner)}
            if due_at is not None:
                written += " " + _("Due %(when)s.") % {"when": local_time(incident, due_at)}
            return written

        add_entry(incident, text, author=author_of(user))
        notifications.task_assigned(task, owner, actor=author_of(user))
    return task


def edit_task(user: User | None, task: Task, changes: dict[str, Any]) -> Task:
    incident = task.incident
    require_incident(user, incident)
    unknown = set(changes) - set(_TASK_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(names)s.")
            % {"names": ", ".join(sorted(unknown))}
        )
    if task.status in (TaskStatus.DONE, TaskStatus.CANCELLED):
        raise ValidationError(_("A finished task cannot be edited; reopen it first."))
    if "owner" in changes:
        check_candidate(
            changes["owner"],
            task_owner_candidates(incident),
            "owner",
            _("This person cannot read incidents of this establishment."),
        )
    with transaction.atomic():
        owner_before = task.owner_id
        notes = []
        for name, value in changes.items():
            before = getattr(task, name)
            if before == value:
                continue
            setattr(task, name, value)
            if name == "owner":
                notes.append(_("owner %(name)s") % {"name": display_name(value)})
            elif name == "due_at":
                notes.append(_("due %(when)s") % {"when": local_time(incident, value)})
            else:
                notes.append(verbose_name_of(Task._meta.get_field(name)))
        if not notes:
            return task
        task.full_clean()
        task.save()
        add_entry(
            incident,
            _("Task “%(title)s” changed: %(changes)s.")
            % {"title": task.title, "changes": ", ".join(notes)},
            author=author_of(user),
        )
        if task.owner_id != owner_before:
            notifications.task_assigned(task, task.owner, actor=author_of(user))
    return task


def reassign_task(user: User | None, task: Task, owner: User | None) -> Task:
    return edit_task(user, task, {"owner": owner})


def _may_work_on(user: User | None, task: Task) -> None:
    """The task's owner may move their own task on; otherwise managing incidents is needed."""
    if user is not None and task.owner_id == user.pk and user.can(VIEW_INCIDENTS):
        crud.check_establishment_allowed(user, task.incident.establishment_id)
        return
    require_incident(user, task.incident)


def set_task_status(
    user: User | None, task: Task, status: str, *, decision: str = "", note: str = ""
) -> Task:
    """Start, complete, cancel or reopen a task. A decision task needs the decision taken to be
    completed; cancelling needs a reason."""
    _may_work_on(user, task)
    if status not in TaskStatus.values:
        raise ValidationError({"status": [_("Unknown task status.")]})
    if status == task.status:
        return task
    decision = (decision or "").strip()
    note = (note or "").strip()
    if status == TaskStatus.DONE and task.is_decision and not (decision or task.decision):
        raise ValidationError(
            {"decision": [_("Write down the decision taken to complete this decision task.")]}
        )
    if status == TaskStatus.CANCELLED and not note:
        raise ValidationError({"note": [_("Say why the task is cancelled.")]})
    for text in (decision, note):
        if len(text) > MAX_TEXT or "\x00" in text:
            raise ValidationError(_("This text is too long or contains invalid characters."))
    labels = dict(TaskStatus.choices)
    with transaction.atomic():
        before = task.status
        task.status = status
        if status == TaskStatus.DONE:
            task.completed_at = timezone.now()
            task.completed_by = author_of(user)
            if decision:
                task.decision = decision
        elif before in (TaskStatus.DONE, TaskStatus.CANCELLED):
            task.completed_at = None
            task.completed_by = None
        task.full_clean()
        task.save()

        def status_text() -> str:  # written in each language: every reader sees their own
            written = _("Task “%(title)s”: %(before)s → %(after)s.") % {
                "title": task.title,
                "before": labels[before],
                "after": labels[status],
            }
            if note:
                written += " " + _("Note: %(note)s") % {"note": note}
            return written

        add_entry(task.incident, status_text, author=author_of(user))
        if status == TaskStatus.DONE and task.is_decision:
            add_entry(
                task.incident,
                lambda: (
                    _("Decision (%(title)s): %(decision)s")
                    % {"title": task.title, "decision": task.decision}
                ),
                kind=TimelineKind.DECISION,
                author=author_of(user),
            )
    return task


def complete_task(user: User | None, task: Task, decision: str = "") -> Task:
    return set_task_status(user, task, TaskStatus.DONE, decision=decision)


def cancel_task(user: User | None, task: Task, note: str) -> Task:
    return set_task_status(user, task, TaskStatus.CANCELLED, note=note)
