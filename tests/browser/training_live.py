"""Steps of the training browser test that run inside the live server's installation (its
HYGIE_HOME and database): ``python -m tests.browser.training_live <step> '<json>'``. Each step
prints one JSON object. Synthetic people only."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from typing import Any


def setup(args: dict[str, Any]) -> dict[str, Any]:
    """The shipped catalogue, one directory person and their assignment of ``args['slug']``."""
    from django.utils import timezone

    from hygie.awareness.services import training
    from hygie.core.models import Department, Establishment, Person

    training.sync_catalogue()
    establishment = Establishment.objects.order_by("pk").first()
    department, _ = Department.objects.get_or_create(
        establishment=establishment, name="Formation E2E"
    )
    person, _ = Person.objects.get_or_create(
        establishment=establishment,
        email="agent.formation@example.org",
        defaults={
            "department": department,
            "first_name": "Camille",
            "last_name": "Essai",
            "profession": "Infirmier",
        },
    )
    report = training.assign(args["slug"], [person], due_at=timezone.now() + timedelta(days=14))
    assignment = report.created[0]
    questions = training.module_questions(assignment.module)
    return {
        "token": assignment.token,
        "assignment": assignment.pk,
        "language": assignment.module.language,
        "answers": {q.id: sorted(q.correct) for q in questions},
        "multiple": {q.id: q.multiple for q in questions},
    }


def state(args: dict[str, Any]) -> dict[str, Any]:
    from hygie.awareness.models import TrainingAssignment

    assignment = TrainingAssignment.objects.get(pk=args["assignment"])
    return {
        "passed": assignment.passed,
        "score": assignment.score,
        "attempts": assignment.attempts,
        "started": assignment.started_at is not None,
        "completed": assignment.completed_at is not None,
    }


def expire(args: dict[str, Any]) -> dict[str, Any]:
    from django.utils import timezone

    from hygie.awareness.models import TrainingAssignment

    TrainingAssignment.objects.filter(pk=args["assignment"]).update(
        token_expires_at=timezone.now() - timedelta(minutes=1)
    )
    return {}


STEPS = {"setup": setup, "state": state, "expire": expire}

if __name__ == "__main__":
    from hygie.cli.runtime import setup_django

    setup_django()
    print(json.dumps(STEPS[sys.argv[1]](json.loads(sys.argv[2]))))
