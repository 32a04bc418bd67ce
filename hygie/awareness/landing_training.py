"""The "My training" panel on the home page of staff (imported by ``hygie.awareness.landing``):
the modules assigned to the directory entry with the user's e-mail address, with their personal
links, due dates and certificates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from hygie.core.choices import Role
from hygie.core.models import User
from hygie.core.registries import LandingPanel, landing_panels

ROWS = 8


def my_training(user: User) -> Mapping[str, Any] | None:
    from hygie.awareness.services import training

    assignments = list(training.my_assignments(user)[: ROWS * 2])
    if not assignments:
        return None
    now = timezone.now()
    rows = [
        {
            "assignment": assignment,
            "open": assignment.token_expires_at > now,
            "overdue": bool(
                assignment.completed_at is None and assignment.due_at and assignment.due_at < now
            ),
        }
        for assignment in assignments
    ]
    todo = [row for row, a in zip(rows, assignments, strict=True) if a.completed_at is None]
    done = [row for row, a in zip(rows, assignments, strict=True) if a.completed_at is not None]
    return {"todo": todo[:ROWS], "done": done[:ROWS]}


landing_panels.register(
    "awareness.my_training",
    LandingPanel(
        id="awareness.my_training",
        title=gettext_lazy("My security training"),
        order=300,
        roles=frozenset({Role.STAFF}),
        template="awareness/training/landing/_my_training.html",
        context=my_training,
        capability=None,
    ),
)
