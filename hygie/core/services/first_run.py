"""The administrator's first-run checklist on the home page: every module's steps
(``registries.checklist``, filled by each module's ``checklist.py``), checked live against what
the administrator sees, so each step ticks itself as soon as it is done."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from hygie.core.models import Establishment, User
from hygie.core.registries import ChecklistItem, ChecklistState, checklist_items
from hygie.core.roles import MANAGE_USERS


@dataclass(frozen=True)
class FirstRun:
    steps: list[tuple[ChecklistItem, ChecklistState]]

    @property
    def done(self) -> int:
        return sum(1 for _, state in self.steps if state.done)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def complete(self) -> bool:
        return self.done == self.total


def may_see_checklist(user: User) -> bool:
    """Administrators (who manage accounts) set Hygie up; nobody else is asked to."""
    return bool(getattr(user, "is_authenticated", False)) and user.can(MANAGE_USERS)


def first_run_checklist(user: User) -> FirstRun | None:
    """The checklist as it stands for ``user``, or None when they may not see it or hid it."""
    if not may_see_checklist(user) or user.first_run_hidden_at is not None:
        return None
    establishments = list(Establishment.objects.visible_to(user).select_related("organisation"))
    return FirstRun([(item, item.check(user, establishments)) for item in checklist_items()])


def set_checklist_hidden(user: User, hidden: bool) -> None:
    """Hide the checklist (done, or dismissed for now) or show it again; audited as an update
    of the account."""
    user.first_run_hidden_at = timezone.now() if hidden else None
    user.save(update_fields=["first_run_hidden_at"])
