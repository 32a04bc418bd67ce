"""E-mail notifications of incident events to the people working on the incident.

Events and who is told (never the person who made the change):

- ``assigned`` — the new assignee (always, whether they follow the incident or not);
- ``phase`` — the watchers (the assignee follows automatically; unfollowing mutes);
- ``comment`` — the watchers;
- ``task_assigned`` — the new owner of the task.

Only users who are active, have an address, still see the incident's establishment and may read
incidents get a message, in their language (else the establishment's). A message names the
incident reference, the establishment, the phase, the kind of event, who acted and a link —
never the title, description, comment, note or task title, which may hold patient data.

Sending never happens inside the request: each event is queued as a task of the task runner
(django-tasks, the database backend in production) once the transaction commits, so a
rolled-back change sends nothing and a slow SMTP server never holds a page. A message that
cannot be sent is logged (event, incident id and error type only) and dropped: the incident's
timeline remains the record, and the next event brings people back to it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from hygie.core.models import User
from hygie.core.services.mail import MAIL_ERRORS, absolute_link, may_receive, recipient_language
from hygie.response.choices import IncidentStatus
from hygie.response.models import Incident, Task
from hygie.response.roles import VIEW_INCIDENTS

logger = logging.getLogger("hygie.response.notifications")

ASSIGNED = "assigned"
PHASE = "phase"
COMMENT = "comment"
TASK_ASSIGNED = "task_assigned"
EVENTS = (ASSIGNED, PHASE, COMMENT, TASK_ASSIGNED)

# Where the link lands on the incident page.
_ANCHORS = {COMMENT: "#comments", TASK_ASSIGNED: "#tasks"}


# --- from the incident services: who is told, queued after commit ---------------------------


def incident_assigned(incident: Incident, assignee: User | None, *, actor: User | None) -> None:
    if assignee is not None:
        _queue(ASSIGNED, incident, actor, [assignee.pk])


def phase_changed(
    incident: Incident, from_status: str, to_status: str, *, actor: User | None
) -> None:
    _queue(
        PHASE,
        incident,
        actor,
        _watcher_ids(incident),
        {"from_status": from_status, "to_status": to_status},
    )


def comment_added(incident: Incident, *, actor: User | None) -> None:
    _queue(COMMENT, incident, actor, _watcher_ids(incident))


def task_assigned(task_row: Task, owner: User | None, *, actor: User | None) -> None:
    if owner is not None:
        _queue(TASK_ASSIGNED, task_row.incident, actor, [owner.pk], {"task_id": task_row.pk})


def _watcher_ids(incident: Incident) -> list[int]:
    return list(incident.watchers.values_list("pk", flat=True))


def _queue(
    event: str,
    incident: Incident,
    actor: User | None,
    recipient_ids: list[int],
    params: dict[str, Any] | None = None,
) -> None:
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    ids = sorted({pk for pk in recipient_ids if pk != actor_id})
    if not ids:
        return
    incident_id, at = incident.pk, timezone.now().isoformat()
    transaction.on_commit(
        lambda: deliver_notification.enqueue(
            event=event,
            incident_id=incident_id,
            actor_id=actor_id,
            recipient_ids=ids,
            params=params or {},
            at=at,
        )
    )


# --- in the task runner: who may still receive it, in which language, and sending -----------


@task()
def deliver_notification(
    event: str,
    incident_id: int,
    actor_id: int | None,
    recipient_ids: list[int],
    params: dict[str, Any],
    at: str,
) -> dict[str, Any]:
    """The task runner's entry point. Its result (stored by the backend) holds counts only."""
    return send_notification(event, incident_id, actor_id, recipient_ids, params, at)


def send_notification(
    event: str,
    incident_id: int,
    actor_id: int | None,
    recipient_ids: list[int],
    params: dict[str, Any],
    at: str,
) -> dict[str, Any]:
    report: dict[str, Any] = {
        "event": event,
        "incident": incident_id,
        "sent": 0,
        "failures": 0,
        "skipped": 0,
    }
    incident = Incident.objects.select_related("establishment").filter(pk=incident_id).first()
    if incident is None or event not in EVENTS:
        report["skipped"] = len(recipient_ids)
        return report
    establishment = incident.establishment
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    people = [
        person
        for person in User.objects.filter(pk__in=recipient_ids).order_by("pk")
        if person.pk != actor_id
        and may_receive(person, establishment)
        and person.can(VIEW_INCIDENTS)
    ]
    report["skipped"] = len(recipient_ids) - len(people)
    if not people:
        return report
    task_row = None
    if event == TASK_ASSIGNED:
        task_row = Task.objects.filter(
            pk=int(params.get("task_id") or 0), incident=incident
        ).first()
        if task_row is None:  # deleted meanwhile: nothing left to point to
            report["skipped"] = len(recipient_ids)
            return report
    link = absolute_link(
        reverse("response:incident_detail", args=[incident.pk]) + _ANCHORS.get(event, "")
    )
    connection = get_connection(fail_silently=False)
    for person in people:
        with translation.override(recipient_language(person, establishment)):
            subject, body = _message(event, incident, actor, params, task_row, link, at)
        message = EmailMessage(
            subject, body, settings.DEFAULT_FROM_EMAIL, [person.email], connection=connection
        )
        try:
            message.send()
        except MAIL_ERRORS as error:
            report["failures"] += 1
            logger.warning(
                "incident notification %s for incident %s could not be sent: %s",
                event,
                incident.pk,
                type(error).__name__,
            )
            continue
        report["sent"] += 1
    return report


def _status_label(value: str) -> str:
    return str(dict(IncidentStatus.choices).get(value, value))


def _local_time(incident: Incident, moment: Any) -> str:
    zone = ZoneInfo(incident.establishment.timezone)
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M %Z}"


def _message(
    event: str,
    incident: Incident,
    actor: User | None,
    params: dict[str, Any],
    task_row: Task | None,
    link: str,
    at: str,
) -> tuple[str, str]:
    """Subject and body in the active language. Only the reference, establishment, phases, the
    kind of event, who acted, dates and the link: no free text of the incident (PHI)."""
    reference = incident.reference
    who = (actor.get_full_name() or actor.get_username()) if actor is not None else "Hygie"
    values = {"reference": reference, "who": who}
    reason = _(
        "You receive this message because you follow this incident; unfollow it on its "
        "page to stop these messages."
    )
    details: list[str] = []
    if event == ASSIGNED:
        headline = _("assigned to you")
        summary = _("%(who)s assigned incident %(reference)s to you.") % values
        reason = _("You receive this message because you are the incident's assignee.")
    elif event == PHASE:
        before = _status_label(params.get("from_status", ""))
        after = _status_label(params.get("to_status", ""))
        headline = _("phase: %(before)s → %(after)s") % {"before": before, "after": after}
        summary = _("%(who)s moved incident %(reference)s from %(before)s to %(after)s.") % {
            **values,
            "before": before,
            "after": after,
        }
    elif event == COMMENT:
        headline = _("a new comment")
        summary = (
            _(
                "%(who)s added a new comment to incident %(reference)s. Open the incident "
                "to read it."
            )
            % values
        )
    else:
        assert task_row is not None
        headline = _("a task was assigned to you")
        summary = (
            _(
                "%(who)s assigned you a task on incident %(reference)s. Open the incident "
                "to read it."
            )
            % values
        )
        if task_row.phase:
            details.append(_("Task phase: %(phase)s") % {"phase": _status_label(task_row.phase)})
        if task_row.due_at is not None:
            details.append(
                _("Task due: %(when)s") % {"when": _local_time(incident, task_row.due_at)}
            )
        reason = _("You receive this message because you own this task.")
    when = _local_time(incident, datetime.fromisoformat(at))
    lines = [
        summary,
        "",
        _("Incident: %(reference)s") % {"reference": reference},
        _("Establishment: %(name)s") % {"name": incident.establishment.name},
        _("Current phase: %(phase)s") % {"phase": _status_label(incident.status)},
        *details,
        _("By: %(who)s, %(when)s") % {"who": who, "when": when},
        "",
        _("Open the incident: %(link)s") % {"link": link},
        "",
        reason,
        _("This message was sent by Hygie. It contains no patient data."),
    ]
    return f"[Hygie] {reference} — {headline}", "\n".join(lines)
