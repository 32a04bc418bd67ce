"""The compliance module's part of the isolation test (tests/apps/core/test_isolation.py).

Establishment B gets an assessment (with its answers, their history and score snapshots), a
probe result with its evidence, and a remediation action, each carrying the marker where the
kind has a text field; establishment A gets an assessment too, so the nested answer routes are
also walked with A's assessment and B's answer. The framework library is the installation's
(shipped files), the same for every establishment: its pages are allow-listed with a shipped
framework. Found by convention (``build_isolation``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model

from hygie.compliance.choices import AnswerStatus
from hygie.compliance.models import (
    Answer,
    AnswerChange,
    Assessment,
    Framework,
    ProbeRun,
    RemediationAction,
    ScoreSnapshot,
)
from hygie.compliance.services import assessments, library, probes, remediation
from hygie.core.models import Establishment
from hygie.core.registries import Probe, ProbeResult
from hygie.core.testing import IsolationPart, IsolationWorld, count_in

SHIPPED_FRAMEWORK = "care"


def _shipped_framework() -> Framework:
    library.ensure_library()
    framework = Framework.objects.filter(framework_id=SHIPPED_FRAMEWORK).first()
    if framework is None:
        library.sync_shipped_library()
        framework = Framework.objects.get(framework_id=SHIPPED_FRAMEWORK)
    return framework


def build_compliance_b(marker: str, establishment: Establishment) -> dict[str, Model]:
    framework = _shipped_framework()
    assessment = assessments.create_assessment(
        None,
        establishment=establishment,
        framework=framework,
        title=f"Assessment {marker} Zeta",
        scope=f"{marker} zeta scope",
    )
    answer = assessment.answers.select_related("assessment", "requirement").first()
    assert answer is not None
    assessments.answer_requirement(
        None,
        answer,
        status=AnswerStatus.NOT_APPLICABLE,
        justification=f"{marker} zeta justification",
        comments=f"Comment {marker} Zeta",
        propagate=False,
    )
    probe = Probe(
        id="isolation.zeta",
        title=f"Probe {marker} Zeta",
        controls=("hygie.governance.compliance_review",),
        run=lambda _establishment: ProbeResult("fail", f"Result {marker} Zeta", {"m": marker}),
    )
    run = probes.run_probe(establishment, probe)
    action = remediation.create_action(
        None,
        establishment=establishment,
        title=f"Action {marker} Zeta",
        answers=[answer],
        description=f"{marker} zeta description",
    )
    change = AnswerChange.objects.filter(answer=answer).first()
    snapshot = ScoreSnapshot.objects.filter(assessment=assessment).first()
    assert change is not None and snapshot is not None
    return {
        "assessment": assessment,
        "answer": answer,
        "change": change,
        "snapshot": snapshot,
        "run": run,
        "action": action,
    }


def counts(establishment: Establishment) -> dict[str, int]:
    return count_in(
        establishment,
        Assessment,
        Answer,
        AnswerChange,
        ScoreSnapshot,
        ProbeRun,
        RemediationAction,
    )


def links_to_b(establishment_a: Establishment, establishment_b: Establishment) -> list[str]:
    found = []
    if RemediationAction.objects.filter(
        establishment=establishment_a, answers__assessment__establishment=establishment_b
    ).exists():
        found.append("remediation action answers")
    if Answer.objects.filter(
        assessment__establishment=establishment_a,
        evidence__establishment=establishment_b,
    ).exists():
        found.append("answer evidence")
    return found


def assessment_part(world: IsolationWorld) -> IsolationPart:
    """The library, assessments, probe results and remediation plan."""
    b = build_compliance_b(world.marker, world.establishment)
    framework = _shipped_framework()
    a = assessments.create_assessment(
        None, establishment=world.establishment_a, framework=framework, title="Assessment Alpha"
    )
    run: Any = b["run"]
    shipped = (str(framework.pk),)
    return IsolationPart(
        objects=[*b.values(), run.evidence],
        page_objects={
            "assessment": b["assessment"],
            "proberun": b["run"],
            "remediationaction": b["action"],
        },
        api_objects={
            "assessment_id": b["assessment"],
            "answer_id": b["answer"],
            "probe_run_id": b["run"],
            "action_id": b["action"],
            "left": b["assessment"],
            "right": b["assessment"],
        },
        page_child_objects={"answer_pk": {"answer": b["answer"]}},
        page_parents_a={"assessment": a},
        api_parents_a={"assessment_id": a},
        page_parameter_allow_list={
            # A framework shipped with Hygie: the library is the installation's, the same for
            # every establishment; its page shows nothing of B.
            "compliance:framework_detail": {"pk": shipped},
            # Deleting is refused for shipped frameworks (only imported ones can go).
            "compliance:framework_delete": {"pk": shipped},
            # A report's format: the assessment (B's, from ``pk``) is what must stay hidden.
            "compliance:assessment_report_export": {"fmt": ("pdf", "csv", "xlsx")},
        },
        api_parameter_allow_list={
            # The shipped library (same for every establishment).
            "get_framework": {"framework_id": shipped},
            "list_framework_requirements": {"framework_id": shipped},
            # Refused for a shipped framework (409), whoever asks: only imported ones can go.
            "delete_framework": {"framework_id": shipped},
            # A report's format: the assessment (B's, from ``assessment_id``) stays hidden.
            "export_assessment_report": {"fmt": ("pdf", "csv", "xlsx")},
        },
        # A dry run by default: checks the file sent and answers with its problems; the sync
        # reloads Hygie's own shipped files (nothing of any establishment).
        api_writes_storing_nothing={"import_framework", "sync_framework_library"},
        page_form_data={
            "title": "iso",
            "status": "compliant",
            "justification": "iso",
            "comments": "iso",
            "date": "2024-01-01",
            "framework": framework.pk,
            "file_format": "hygie",
        },
        counts=lambda: counts(world.establishment),
        links_to_b=lambda: links_to_b(world.establishment_a, world.establishment),
    )


def merge(parts: list[IsolationPart]) -> IsolationPart:
    """One IsolationPart from each area's (dictionaries merged, counts and links summed)."""
    merged = IsolationPart(objects=[])
    form_data: dict[str, Any] = {}
    for part in parts:
        merged.objects.extend(part.objects)
        for name in (
            "page_objects",
            "api_objects",
            "page_child_objects",
            "page_parents_a",
            "api_parents_a",
            "page_parameter_allow_list",
            "api_parameter_allow_list",
        ):
            getattr(merged, name).update(getattr(part, name))
        merged.api_writes_storing_nothing |= part.api_writes_storing_nothing
        form_data.update(part.page_form_data or {})
    merged.page_form_data = form_data
    merged.counts = lambda: {k: v for part in parts for k, v in part.counts().items()}
    merged.links_to_b = lambda: [link for part in parts for link in part.links_to_b()]
    return merged


def registers_part(world: IsolationWorld) -> IsolationPart:
    """The GDPR registers: a processing activity of B, its DPIA and the DPIA's feared events;
    A gets a DPIA too, so the nested risk route is also walked with A's DPIA and B's risk."""
    from hygie.compliance.models import DPIA, DPIARisk, ProcessingActivity
    from hygie.compliance.services import registers

    marker = world.marker
    activity = registers.create_from_preset(
        world.establishment,
        "patient-record",
        None,
        name=f"Processing {marker} Zeta",
        purposes=f"{marker} zeta purposes",
    )
    dpia = DPIA.objects.create(
        establishment=world.establishment,
        processing=activity,
        title=f"DPIA {marker} Zeta",
        description=f"{marker} zeta description",
    )
    risk = dpia.risks.get(kind="disappearance")
    registers.update_risk(risk, None, threats=f"{marker} zeta threats")
    activity_a = registers.create_from_preset(world.establishment_a, "imaging", None)
    dpia_a = DPIA.objects.create(
        establishment=world.establishment_a, processing=activity_a, title="DPIA Alpha"
    )
    formats = ("csv", "xlsx", "pdf")
    return IsolationPart(
        objects=[activity, dpia, *dpia.risks.all()],
        page_objects={"processingactivity": activity, "dpia": dpia},
        api_objects={"activity_id": activity, "dpia_id": dpia, "risk_id": risk},
        page_child_objects={"risk_pk": {"risk": risk}},
        page_parents_a={"dpia": dpia_a},
        api_parents_a={"dpia_id": dpia_a},
        page_parameter_allow_list={
            # An export format of the record, which lists the caller's establishments only.
            "compliance:processingactivity_export": {"fmt": formats},
        },
        api_parameter_allow_list={
            # Same export through the API.
            "export_processing_activities": {"fmt": formats},
        },
        page_form_data={
            "name": "iso",
            "purposes": "iso",
            "legal_basis": "public_task",
            "data_subjects": "iso",
            "data_categories": "iso",
            "retention": "iso",
            "security_measures": "iso",
            "processing": activity.pk,
            "severity": 1,
            "dpo_decision": "favourable",
            "purposes__evaluation": "acceptable",
        },
        counts=lambda: count_in(world.establishment, ProcessingActivity, DPIA, DPIARisk),
        links_to_b=lambda: (
            ["DPIA of A on a processing of B"]
            if DPIA.objects.filter(
                establishment=world.establishment_a, processing__establishment=world.establishment
            ).exists()
            else []
        ),
    )


# Each area of the module adds its builder here (the GDPR registers, the reports…).
BUILDERS: list[Callable[[IsolationWorld], IsolationPart]] = [assessment_part, registers_part]


def build_isolation(world: IsolationWorld) -> IsolationPart:
    return merge([builder(world) for builder in BUILDERS])
