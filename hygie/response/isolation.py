"""The response module's part of the isolation test (tests/apps/core/test_isolation.py).

Establishment B gets one object of every response kind, built through the response services (as
the demo does), each carrying the marker where the kind has a text field. Establishment A gets
an incident and an exercise too: routes nesting one object in another (``incidents/<pk>/tasks/
<task_pk>/``) are also walked with A's parent and B's child, the way an IDOR is usually tried.
Found by convention (``build_isolation``, see ``hygie.core.testing.isolation_parts``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model, QuerySet
from django.utils import timezone

from hygie.core.models import Establishment, Organisation
from hygie.core.testing import IsolationPart, IsolationWorld, count_in
from hygie.response.choices import CustodyAction, ExerciseEntryKind, TimelineKind
from hygie.response.models import (
    AppliedPlaybook,
    Comment,
    CustodyEvent,
    Exercise,
    ExerciseEntry,
    Incident,
    IncidentEvidence,
    IncidentObligation,
    IncidentTransition,
    NotificationDraft,
    Observable,
    Playbook,
    RegulatoryProfile,
    Task,
    TimelineEntry,
)
from hygie.response.services import drafts, exercises, incidents, obligations, playbooks
from hygie.response.services.evidence import attach_evidence, record_custody

# A shipped playbook and a shipped scenario: YAML files of Hygie, the same for every
# establishment (hygie/response/playbooks/, hygie/response/scenarios/).
SHIPPED_PLAYBOOK = "lost-stolen-device"
SHIPPED_SCENARIO = "phi-leak-press"


@dataclass
class ResponseB:
    """One object of every response kind in establishment B (and B's own organisation)."""

    incident: Incident
    transition: IncidentTransition
    task: Task
    timeline_entry: TimelineEntry
    observable: Observable
    incident_evidence: IncidentEvidence
    custody_event: CustodyEvent
    comment: Comment
    playbook: Playbook
    applied_playbook: AppliedPlaybook
    regulatory_profile: RegulatoryProfile
    obligation: IncidentObligation
    draft: NotificationDraft
    exercise: Exercise
    exercise_entry: ExerciseEntry

    def objects(self) -> list[Model]:
        return [
            self.incident,
            self.transition,
            self.task,
            self.timeline_entry,
            self.observable,
            self.incident_evidence,
            self.custody_event,
            self.comment,
            self.playbook,
            self.applied_playbook,
            self.regulatory_profile,
            self.obligation,
            self.draft,
            self.exercise,
            self.exercise_entry,
        ]


@dataclass
class ResponseA:
    """Parents in establishment A, for the nested routes walked with A's parent and B's child."""

    incident: Incident
    exercise: Exercise


def shipped_playbook_source() -> str:
    shipped = playbooks.shipped(SHIPPED_PLAYBOOK)
    assert shipped is not None
    return shipped.source


def _playbook_source(marker: str) -> str:
    """A shipped playbook turned into B's own: another key, the marker in both titles."""
    source = shipped_playbook_source()
    lines = []
    in_title = False
    for line in source.splitlines():
        if line.startswith("key:"):
            line = f"key: {marker}-zeta"
        elif line.startswith("title:"):
            in_title = True
        elif in_title and line.startswith(("  fr:", "  en:")):
            line = f'{line[:6]}"Playbook {marker} Zeta"'
        else:
            in_title = in_title and line.startswith(" ")
        lines.append(line)
    return "\n".join(lines) + "\n"


def build_response_b(
    marker: str, organisation: Organisation, establishment: Establishment, user: Any
) -> ResponseB:
    """B's response objects, made by the platform itself (``user`` None) like the demo."""
    now = timezone.now()
    discovered = now - timedelta(hours=5)
    incident = incidents.create_incident(
        None,
        establishment=establishment,
        title=f"Incident {marker} Zeta",
        description=f"{marker} zeta description",
        discovered_at=discovered,
        category="loss_theft",
        personal_data="true",
        individuals_affected=12,
        source_reference=f"{marker} call",
    )
    incidents.add_watcher(None, incident, user)
    task = incidents.add_task(
        None, incident, title=f"Task {marker} Zeta", description=f"{marker} zeta task"
    )
    timeline_entry = incidents.add_log_entry(
        None, incident, f"{marker} zeta log entry", kind=TimelineKind.LOG, at=discovered
    )
    observable, _ = incidents.add_observable(
        None, incident, "domain", f"{marker}-zeta.example.net", note=f"{marker} zeta note"
    )
    item = attach_evidence(
        None,
        incident,
        title=f"Evidence {marker} Zeta file",
        uploaded_file=SimpleUploadedFile(
            "zeta-incident.txt", f"{marker} zeta incident file".encode()
        ),
        description=f"{marker} zeta",
        location=f"Safe {marker}",
    )
    custody_event = record_custody(
        None,
        item,
        CustodyAction.TRANSFERRED,
        counterpart=f"Officer {marker}",
        note=f"{marker} sealed bag",
    )
    comment = incidents.add_comment(None, incident, f"Comment {marker} Zeta")

    # Playbooks are scoped by organisation: the row lives in B's own organisation, which A's
    # administrator does not see (A belongs to another organisation).
    playbook = playbooks.save_playbook(None, _playbook_source(marker), organisation=organisation)
    assert marker in playbook.title.lower()
    applied = playbooks.apply_playbook(None, incident, playbook.key)

    profile = obligations.regulatory_profile(establishment)
    profile = obligations.save_profile(
        profile, None, notification_emails=f"{marker}.dpo@example.org"
    )
    obligations.assess_incident(incident)
    obligation = IncidentObligation.objects.filter(incident=incident, applies=True).first()
    assert obligation is not None, "B's incident triggers no obligation: adjust its facts"
    obligation = obligations.complete_obligation(
        obligation, now - timedelta(hours=1), user=None, proof_reference=f"Receipt {marker} Zeta"
    )

    draft, _ = drafts.generate_draft(incident, "cnil", "fr", None)
    first_group = draft.content["groups"][0]
    field_key = f"{first_group['key']}.{first_group['fields'][0]['key']}"
    drafts.update_draft(draft, {field_key: f"Draft {marker} Zeta"}, None)
    draft.refresh_from_db()

    exercise = exercises.plan_exercise(
        None,
        establishment=establishment,
        title=f"Exercise {marker} Zeta",
        planned_for=now - timedelta(hours=1),
        scenario_key=SHIPPED_SCENARIO,
        objectives=f"{marker} objectives",
        participants=[user],
        other_participants=f"{marker} zeta director",
    )
    exercises.start_exercise(exercise, None, at=now - timedelta(minutes=30))
    entry = exercises.record_entry(
        exercise, None, ExerciseEntryKind.DECISION, f"Decision {marker} Zeta"
    )
    exercise.refresh_from_db()
    incident.refresh_from_db()
    transition = incident.transitions.first()
    assert transition is not None, "creating an incident records its first transition"
    return ResponseB(
        incident=incident,
        transition=transition,
        task=task,
        timeline_entry=timeline_entry,
        observable=observable,
        incident_evidence=item,
        custody_event=custody_event,
        comment=comment,
        playbook=playbook,
        applied_playbook=applied,
        regulatory_profile=profile,
        obligation=obligation,
        draft=draft,
        exercise=exercise,
        exercise_entry=entry,
    )


def build_response_a(establishment: Establishment) -> ResponseA:
    now = timezone.now()
    incident = incidents.create_incident(
        None, establishment=establishment, title="Incident Alpha", discovered_at=now
    )
    exercise = exercises.plan_exercise(
        None,
        establishment=establishment,
        title="Exercise Alpha",
        planned_for=now,
        scenario_key=SHIPPED_SCENARIO,
    )
    return ResponseA(incident, exercise)


# --- what the walks need ---------------------------------------------------------------------


def page_objects(world: ResponseB) -> dict[str, Any]:
    """URL-name prefix → B's object filling ``pk``."""
    return {
        "incident": world.incident,
        "playbook": world.playbook,
        "incidentobligation": world.obligation,
        "notificationdraft": world.draft,
        "exercise": world.exercise,
    }


def page_child_objects(world: ResponseB) -> dict[str, dict[str, Any]]:
    """Nested page parameter → {word of the URL name → B's object}."""
    return {
        "task_pk": {"task": world.task},
        "item_pk": {"observable": world.observable, "evidence": world.incident_evidence},
    }


def page_parents_a(world: ResponseA) -> dict[str, Any]:
    """URL-name prefix → A's object, for the nested routes tried with A's parent."""
    return {"incident": world.incident, "exercise": world.exercise}


def api_objects(world: ResponseB) -> dict[str, Any]:
    """API parameter name → B's object."""
    return {
        "incident_id": world.incident,
        "incident": world.incident,
        "task_id": world.task,
        "observable_id": world.observable,
        "item_id": world.incident_evidence,
        "playbook_id": world.playbook,
        "applied_id": world.applied_playbook,
        "obligation_id": world.obligation,
        "draft_id": world.draft,
        "exercise_id": world.exercise,
    }


def api_parents_a(world: ResponseA) -> dict[str, Any]:
    """API path parameters that name a parent, → A's object of that kind."""
    return {"incident_id": world.incident, "exercise_id": world.exercise}


def scoped_counts(establishment: Establishment, organisation: Organisation) -> dict[str, int]:
    """How many rows of each response kind establishment B (or its organisation) has."""
    counts = count_in(
        establishment,
        Incident,
        IncidentTransition,
        Task,
        TimelineEntry,
        Observable,
        IncidentEvidence,
        CustodyEvent,
        Comment,
        AppliedPlaybook,
        RegulatoryProfile,
        IncidentObligation,
        NotificationDraft,
        Exercise,
        ExerciseEntry,
    )
    counts["Playbook"] = Playbook._default_manager.filter(organisation=organisation).count()
    return counts


def links_to_b(world_a: ResponseA, establishment_b: Establishment) -> list[str]:
    """References from A's incident and exercise to B's data (a way to see it from A)."""
    incident = Incident.objects.get(pk=world_a.incident.pk)
    exercise = Exercise.objects.filter(pk=world_a.exercise.pk).first() or Exercise()
    b = establishment_b.pk
    found = []
    checks: dict[str, QuerySet[Any]] = {
        "incident alerts": incident.alerts.filter(establishment=b),
        "incident assets": incident.assets.filter(establishment=b),
        "incident departments": incident.departments.filter(establishment=b),
        "incident affected establishments": incident.affected_establishments.filter(pk=b),
        "incident watchers": incident.watchers.filter(establishments=b)
        .exclude(has_all_establishments=True)
        .exclude(establishments=incident.establishment),
        "task owners": Task.objects.filter(incident=incident, owner__establishments=b).exclude(
            owner__establishments=incident.establishment
        ),
        "exercise participants": exercise.participants.filter(establishments=b).exclude(
            establishments=exercise.establishment_id
        )
        if exercise.pk
        else Task.objects.none(),
    }
    for label, queryset in checks.items():
        if queryset.exists():
            found.append(label)
    if (
        incident.assignee is not None
        and not incident.assignee.establishments.filter(pk=incident.establishment_id).exists()
    ):
        found.append("incident assignee")
    return found


def build_isolation(world: IsolationWorld) -> IsolationPart:
    b = build_response_b(world.marker, world.organisation, world.establishment, world.user)
    a = build_response_a(world.establishment_a)
    return IsolationPart(
        objects=[
            *b.objects(),
            *(item.evidence for item in b.incident.evidence.select_related("evidence")),
        ],
        page_objects=page_objects(b),
        api_objects=api_objects(b),
        page_child_objects=page_child_objects(b),
        page_parents_a=page_parents_a(a),
        api_parents_a=api_parents_a(a),
        page_parameter_allow_list={
            # A shipped playbook's key names a YAML file shipped with Hygie, the same for every
            # establishment: showing and downloading it reveals nothing of B.
            "response:playbook_shipped": {"key": (SHIPPED_PLAYBOOK,)},
            "response:playbook_shipped_download": {"key": (SHIPPED_PLAYBOOK,)},
            # Copying shipped content creates a row in an organisation the caller chooses: the
            # walk posts B's organisation and checks that nothing was created there.
            "response:playbook_shipped_copy": {"key": (SHIPPED_PLAYBOOK,)},
            # An export format, not data; the draft (pk) is still B's and must be refused.
            "response:notificationdraft_export": {"fmt": ("json", "pdf", "docx")},
            # An export format of the breach register, which lists the caller's establishments.
            "response:breach_register_export": {"fmt": ("csv", "xlsx", "json")},
        },
        api_parameter_allow_list={
            # The key of a playbook shipped with Hygie (a YAML file, the same everywhere).
            "get_shipped_playbook": {"key": (SHIPPED_PLAYBOOK,)},
            # Same key, but the copy lands in the organisation of the body, filled with B's: it
            # must be refused, and the walk checks that no playbook was created there.
            "copy_shipped_playbook": {"key": (SHIPPED_PLAYBOOK,)},
            # An export format; the draft is B's and must be refused.
            "export_draft": {"fmt": ("json", "pdf", "docx")},
            # An export format of the breach register, which lists the caller's establishments.
            "export_breach_register": {"fmt": ("csv", "xlsx", "json")},
        },
        # A dry run: checks the YAML sent and answers with its problems.
        api_writes_storing_nothing={"validate_playbook"},
        page_form_data={
            "title": "iso",
            "text": "iso",
            "kind": "decision",
            "status": "done",
            "to_status": "triage",
            "action": "sealed",
            "planned_for": "2024-01-01T09:00",
            "scenario_key": SHIPPED_SCENARIO,
            "source": shipped_playbook_source(),
            "done_at": "2024-01-01T09:00",
            "proof_reference": "iso",
            "justification": "iso",
            "summary": "iso",
            "values": "{}",
        },
        counts=lambda: scoped_counts(world.establishment, world.organisation),
        links_to_b=lambda: links_to_b(a, world.establishment),
    )
