"""The remediation plan: an action per gap (owner, due date, status, linked requirements and
an optional incident or device), the overdue view, and e-mail reminders sent by a job."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from hygie.compliance.choices import ActionStatus, AnswerStatus, LinkKind
from hygie.compliance.models import Answer, RemediationAction
from hygie.compliance.models.remediation import OPEN_STATUSES
from hygie.compliance.services.assessments import check_may_assess
from hygie.core import audit
from hygie.core.services.mail import MAIL_ERRORS, absolute_link, may_receive, recipient_language

if TYPE_CHECKING:
    from hygie.core.models import Establishment, User

logger = logging.getLogger(__name__)

MAX_TEXT = 10_000
# A reminder before the due date, then one a week while overdue.
REMIND_BEFORE = timedelta(days=7)
REMIND_EVERY = timedelta(days=7)
# Due date of an action planned from a gap whose answer has none.
DEFAULT_DUE = timedelta(days=90)
GAP_STATUSES = (AnswerStatus.NON_COMPLIANT, AnswerStatus.PARTIAL)
EDITABLE = (
    "title",
    "description",
    "owner",
    "due_date",
    "status",
    "link_kind",
    "link_id",
    "link_url",
    "link_label",
)


def _check_owner(owner: User | None, establishment_id: int) -> None:
    if owner is not None and not (
        owner.sees_all_establishments or establishment_id in owner.visible_establishment_ids()
    ):
        raise ValidationError(
            {"owner": [_("The owner must be a user who sees this establishment.")]}
        )


def _check_link(values: dict[str, Any]) -> None:
    url = str(values.get("link_url") or "")
    # A page of Hygie (an incident, a device): a path on this site, never another site.
    if url and not (url.startswith("/") and not url.startswith("//")):
        raise ValidationError({"link_url": [_("Give the address of a Hygie page (/…).")]})
    if values.get("link_kind") and values["link_kind"] not in LinkKind.values:
        raise ValidationError({"link_kind": [_("Unknown kind of object.")]})


@transaction.atomic
def create_action(
    user: User | None,
    *,
    establishment: Establishment,
    title: str,
    answers: Iterable[Answer] = (),
    **fields: Any,
) -> RemediationAction:
    check_may_assess(user, establishment.pk)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    _check_owner(fields.get("owner"), establishment.pk)
    _check_link(fields)
    action = RemediationAction(
        establishment=establishment, title=title.strip()[:300], created_by=user, **fields
    )
    if action.status == ActionStatus.DONE:
        action.done_at = timezone.now()
    action.full_clean()
    action.save()
    answers = list(answers)
    for answer in answers:
        if answer.assessment.establishment_id != establishment.pk:
            raise ValidationError({"answers": [_("Unknown answer.")]})
    action.answers.set(answers)
    action.requirements.set({answer.requirement_id for answer in answers})
    return action


@transaction.atomic
def update_action(user: User | None, action: RemediationAction, **fields: Any) -> RemediationAction:
    check_may_assess(user, action.establishment_id)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    if "owner" in fields:
        _check_owner(fields["owner"], action.establishment_id)
    _check_link({**{"link_url": action.link_url}, **fields})
    for key, value in fields.items():
        setattr(action, key, value)
    if action.status == ActionStatus.DONE and action.done_at is None:
        action.done_at = timezone.now()
    elif action.status != ActionStatus.DONE:
        action.done_at = None
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def delete_action(user: User | None, action: RemediationAction) -> None:
    check_may_assess(user, action.establishment_id)
    action.delete()


@dataclass
class GapPlan:
    """What planning an assessment's gaps did: new actions, and open ones reused."""

    created: list[RemediationAction]
    linked: list[RemediationAction]


def _gap_owner(user: User | None, answer: Answer, establishment_id: int) -> User | None:
    """The answer's owner when they still see the establishment, else whoever plans."""
    for candidate in (answer.owner, user):
        if candidate is None or not candidate.is_active:
            continue
        try:
            _check_owner(candidate, establishment_id)
        except ValidationError:
            continue
        return candidate
    return None


@transaction.atomic
def plan_gaps(user: User | None, assessment: Any, due: date | None = None) -> GapPlan:
    """One action per gap (non-compliant or partial answer) that has none yet. The owner is the
    answer's owner, else the user who plans; the due date the answer's, else ``due``, else
    DEFAULT_DUE from today. An open action of the establishment already linked to the same
    requirement (last year's assessment) is reused: the answer is linked to it."""
    check_may_assess(user, assessment.establishment_id)
    default_due = due or timezone.localdate() + DEFAULT_DUE
    plan = GapPlan(created=[], linked=[])
    gaps = (
        assessment.answers.filter(status__in=GAP_STATUSES, actions__isnull=True)
        .select_related("requirement", "owner", "assessment")
        .order_by("requirement__order")
    )
    for answer in gaps:
        existing = (
            RemediationAction.objects.filter(
                establishment_id=assessment.establishment_id,
                status__in=OPEN_STATUSES,
                requirements=answer.requirement_id,
            )
            .order_by("pk")
            .first()
        )
        if existing is not None:
            existing.answers.add(answer)
            plan.linked.append(existing)
            continue
        # Stored text: written in the establishment's language, whoever clicks.
        with translation.override(assessment.establishment.default_language):
            title = f"{answer.requirement.ref_id} — {answer.requirement.title}".strip(" —")
        plan.created.append(
            create_action(
                user,
                establishment=assessment.establishment,
                title=title[:300],
                answers=[answer],
                owner=_gap_owner(user, answer, assessment.establishment_id),
                due_date=answer.due_date or default_due,
            )
        )
    return plan


def actions_from_gaps(
    user: User | None, assessment: Any, due: date | None = None
) -> list[RemediationAction]:
    """The actions created by :func:`plan_gaps`."""
    return plan_gaps(user, assessment, due).created


def overdue(
    queryset: QuerySet[RemediationAction], today: date | None = None
) -> QuerySet[RemediationAction]:
    today = today or timezone.localdate()
    return queryset.filter(status__in=OPEN_STATUSES, due_date__lt=today)


# --- reminders -------------------------------------------------------------------------------


@dataclass
class ReminderReport:
    actions: int = 0
    messages: int = 0
    failures: int = 0
    without_recipients: int = 0


def _due_for_reminder(action: RemediationAction, now: datetime) -> bool:
    if action.due_date is None or action.owner is None:
        return False
    today = timezone.localdate(now)
    if action.due_date - today > REMIND_BEFORE:
        return False
    last = action.last_reminder_at
    if last is None:
        return True
    return now - last >= REMIND_EVERY


def _message(action: RemediationAction, link: str, today: date) -> tuple[str, str]:
    assert action.due_date is not None
    if action.due_date < today:
        state = _("overdue since %(date)s") % {"date": date_format(action.due_date, "DATE_FORMAT")}
    else:
        state = _("due on %(date)s") % {"date": date_format(action.due_date, "DATE_FORMAT")}
    subject = f"[Hygie] {_('Remediation action')} — {state}"
    body = "\n".join(
        [
            _("Compliance remediation action reminder"),
            "",
            _("Establishment: %(name)s") % {"name": action.establishment.name},
            _("Action: %(title)s") % {"title": action.title},
            _("Status: %(status)s") % {"status": ActionStatus(action.status).label},
            _("Due: %(state)s") % {"state": state},
            "",
            _("Open the action to update it: %(link)s") % {"link": link},
            "",
            _("This message was sent by Hygie. It contains no patient data."),
        ]
    )
    return subject, body


def send_due_reminders(now: datetime | None = None) -> ReminderReport:
    """E-mail each open action's owner a week before the due date, then weekly while overdue;
    each reminder is counted on the action and recorded in the audit trail."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    report = ReminderReport()
    candidates = (
        RemediationAction.objects.filter(
            status__in=OPEN_STATUSES, due_date__isnull=False, owner__isnull=False
        )
        .select_related("establishment", "owner")
        .order_by("due_date", "pk")
    )
    connection = get_connection(fail_silently=False)
    for action in candidates:
        if not _due_for_reminder(action, now):
            continue
        report.actions += 1
        owner = action.owner
        if not may_receive(owner, action.establishment):
            report.without_recipients += 1
            continue
        assert owner is not None
        link = absolute_link(reverse("compliance:remediationaction_detail", args=[action.pk]))
        with translation.override(recipient_language(owner, action.establishment)):
            subject, body = _message(action, link, today)
        message = EmailMessage(
            subject, body, settings.DEFAULT_FROM_EMAIL, [owner.email], connection=connection
        )
        try:
            message.send()
        except MAIL_ERRORS as error:
            report.failures += 1
            logger.warning("remediation reminder %s not sent: %s", action.pk, type(error).__name__)
            continue
        report.messages += 1
        with transaction.atomic():
            RemediationAction.objects.filter(pk=action.pk).update(
                last_reminder_at=now, reminders_sent=action.reminders_sent + 1
            )
            audit.record(
                "system",
                action,
                message=f"Remediation reminder e-mailed to the action's owner (user {owner.pk})",
            )
    return report
