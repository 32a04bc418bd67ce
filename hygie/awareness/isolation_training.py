"""Training's share of the awareness isolation part (merged by ``hygie.awareness.isolation``):
a module of establishment B's own and an assignment of B's person, each carrying the marker."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from hygie.awareness.engine import new_token
from hygie.awareness.models import TrainingAssignment, TrainingModule
from hygie.core.testing import IsolationWorld, count_in

# An unknown personal-link token: a token is a person's capability, not establishment data; an
# unknown one answers 404 (the token of B's assignment is never given to A).
UNKNOWN_TOKEN = "A" * 24


def build_training_isolation(world: IsolationWorld) -> dict[str, Any]:
    marker, establishment = world.marker, world.establishment
    module = TrainingModule.objects.create(
        establishment=establishment,
        slug=f"{marker.lower()}-module",
        language="fr",
        title=f"Module {marker}",
        summary=f"Résumé {marker}",
        body_markdown=f"# Module {marker}\n",
        quiz=[
            {
                "id": "q1",
                "topic": "general",
                "question": f"Question {marker}",
                "choices": [
                    {"id": "a", "text": "Oui", "correct": True, "explanation": marker},
                    {"id": "b", "text": "Non", "explanation": marker},
                ],
            }
        ],
    )
    assignment = TrainingAssignment.objects.create(
        establishment=establishment,
        module=module,
        person=world.person,
        due_at=timezone.now() + timedelta(days=10),
        token=new_token(),
        token_expires_at=timezone.now() + timedelta(days=40),
        passed=True,
        score=100,
        completed_at=timezone.now(),
    )
    return {
        "objects": [module, assignment],
        "page_objects": {"trainingmodule": module, "trainingassignment": assignment},
        "api_objects": {"module_id": module},
        "page_parameter_allow_list": {
            # personal-link pages: an unknown token answers 404 (see UNKNOWN_TOKEN)
            "awareness:training_take": {"token": (UNKNOWN_TOKEN,)},
            "awareness:training_certificate": {"token": (UNKNOWN_TOKEN,)},
            # shipped illustrations, the same for every establishment
            "awareness:training_image": {"name": ("usb-media.svg",)},
        },
        "counts": lambda: count_in(establishment, TrainingModule, TrainingAssignment),
    }
