"""Training demo data (called by ``hygie.awareness.demo.load_demo``): a year of completed
modules spread over the months for part of the staff, and open assignments with a due date, so
the completion page, its chart and the probes have something to show. Synthetic only."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from hygie.awareness.models import TrainingAssignment
from hygie.awareness.services import training
from hygie.core.models import Establishment

DEMO_SLUGS = ("spotting-phishing", "passwords-cps", "patient-data-gdpr", "degraded-mode")


def load_training_demo(establishment: Establishment) -> None:
    now = timezone.now()
    people = list(training.active_people([establishment]))
    for index, person in enumerate(people):
        slug = DEMO_SLUGS[index % len(DEMO_SLUGS)]
        if index % 4 == 3:  # a quarter of the staff still has it to do
            training.assign(slug, [person], due_at=now + timedelta(days=7 + index % 21))
            continue
        assigned_at = now - timedelta(days=20 + (index * 29) % 330)
        report = training.assign(slug, [person], due_at=now + timedelta(days=30), now=now)
        for assignment in report.created:
            questions = training.module_questions(assignment.module)
            training.submit_quiz(assignment, {q.id: q.correct for q in questions}, now=assigned_at)
            TrainingAssignment.objects.filter(pk=assignment.pk).update(
                due_at=assigned_at + timedelta(days=30),
                token_expires_at=assigned_at + timedelta(days=60),
                reminded_at=assigned_at,
            )
