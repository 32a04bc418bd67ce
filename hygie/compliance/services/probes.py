"""Probes consumed: every registered probe run per establishment, each result stored with a
JSON evidence snapshot (SHA-256), and the status of every requirement mapped to the probe's
controls proposed in the establishment's open assessments.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.compliance.choices import AssessmentStatus, ProbeStatus, ProposalSource
from hygie.compliance.engine import propagation
from hygie.compliance.models import Answer, Assessment, ProbeRun
from hygie.compliance.models.assessments import probe_note
from hygie.compliance.roles import ASSESS
from hygie.core.models import Establishment
from hygie.core.registries import Probe, probes
from hygie.core.services import crud
from hygie.core.services.evidence import add_evidence

if TYPE_CHECKING:
    from hygie.core.models import User

logger = logging.getLogger(__name__)

MAX_DATA_KEYS = 200


def registered_probes() -> list[Probe]:
    return sorted(probes.values(), key=lambda probe: probe.id)


def _summary_of(result: Any) -> tuple[str, dict[str, Any]]:
    """The summary to store: the msgid and its parameters of a translatable result (shown later
    in the reader's language), else the plain sentence."""
    msgid = getattr(result, "msgid", "") or str(getattr(result, "summary", "") or "")
    return str(msgid), dict(getattr(result, "params", None) or {})


def run_probe(establishment: Establishment, probe: Probe, user: User | None = None) -> ProbeRun:
    """Run one probe for one establishment and store its result with an evidence snapshot."""
    ran_at = timezone.now()
    try:
        with transaction.atomic():
            result = probe.run(establishment)
        status = str(result.status)
        summary, params = _summary_of(result)
        data = dict(result.data or {})
    except Exception as error:  # noqa: BLE001 - a probe is another module's code: its crash is
        # stored as an "error" result (by type, never by message: it may carry data) and never
        # stops the other probes.
        logger.warning(
            "probe %s failed for establishment %s: %s",
            probe.id,
            establishment.pk,
            type(error).__name__,
        )
        status, summary, params = (
            ProbeStatus.ERROR,
            "The probe failed: %(error)s",
            {"error": type(error).__name__},
        )
        data = {}
    if status not in ProbeStatus.values:
        status = ProbeStatus.ERROR
    with transaction.atomic():
        run = ProbeRun.objects.create(
            establishment=establishment,
            probe_id=probe.id,
            title=str(probe.title),
            controls=list(probe.controls),
            status=status,
            summary=summary,
            summary_params=params,
            data=data,
            ran_at=ran_at,
            triggered_by=user,
        )
        snapshot = {
            "probe": probe.id,
            "title": str(probe.title),
            "controls": list(probe.controls),
            "establishment": establishment.pk,
            "status": status,
            "summary": run.summary_display,
            "data": data,
            "ran_at": ran_at.isoformat(),
        }
        run.evidence = add_evidence(
            establishment,
            None,
            title=(_("Probe result: %(title)s") % {"title": run.title_display})[:300],
            snapshot=snapshot,
            subject=run,
        )
        run.save(update_fields=["evidence"])
    return run


def run_probes(
    establishment: Establishment,
    user: User | None = None,
    probe_ids: Iterable[str] | None = None,
) -> list[ProbeRun]:
    """Run every registered probe (or those named) for one establishment, then propose the
    results in its open assessments."""
    if user is not None:
        if not user.can(ASSESS):
            raise PermissionDenied(_("Your role does not allow running probes."))
        crud.check_establishment_allowed(user, establishment.pk)
    wanted = set(probe_ids) if probe_ids is not None else None
    runs = [
        run_probe(establishment, probe, user)
        for probe in registered_probes()
        if wanted is None or probe.id in wanted
    ]
    for assessment in Assessment.objects.filter(establishment=establishment).exclude(
        status=AssessmentStatus.CLOSED
    ):
        propose_latest_results(assessment)
    return runs


def run_all_establishments() -> dict[str, int]:
    """The scheduled run: every probe for every establishment."""
    establishments = 0
    results = 0
    for establishment in Establishment.objects.order_by("pk"):
        results += len(run_probes(establishment))
        establishments += 1
    return {"establishments": establishments, "results": results}


def latest_runs(establishment_ids: Iterable[int]) -> list[ProbeRun]:
    """The latest result of each probe for each of these establishments."""
    latest = (
        ProbeRun.objects.filter(establishment_id__in=list(establishment_ids))
        .values("establishment_id", "probe_id")
        .annotate(last=Max("pk"))
        .values_list("last", flat=True)
    )
    return list(
        ProbeRun.objects.filter(pk__in=list(latest))
        .select_related("establishment", "evidence")
        .order_by("establishment__name", "probe_id")
    )


def probe_history(establishment: Establishment, probe_id: str, limit: int = 50) -> list[ProbeRun]:
    return list(
        ProbeRun.objects.filter(establishment=establishment, probe_id=probe_id)
        .select_related("evidence")
        .order_by("-ran_at", "-pk")[:limit]
    )


def propose_latest_results(assessment: Assessment, at: datetime | None = None) -> int:
    """Propose, for each answer of an open assessment, the status the latest probe results on
    its requirement's controls suggest. Returns the number of answers changed."""
    if assessment.status == AssessmentStatus.CLOSED:
        return 0
    runs = latest_runs([assessment.establishment_id])
    by_control: dict[str, list[ProbeRun]] = {}
    for run in runs:
        for control in run.controls or []:
            by_control.setdefault(str(control), []).append(run)
    if not by_control:
        return 0
    changed = 0
    answers = assessment.answers.select_related("requirement", "assessment").exclude(
        requirement__controls=[]
    )
    from hygie.compliance.services.assessments import apply_proposal, take_snapshot

    probe_type = ContentType.objects.get_for_model(ProbeRun)
    for answer in answers:
        evidence: list[propagation.ProbeEvidence] = []
        used: dict[int, ProbeRun] = {}
        for item in answer.requirement.controls or []:
            if not isinstance(item, dict):
                continue
            for run in by_control.get(str(item.get("id")), []):
                if run.pk in used:
                    continue
                used[run.pk] = run
                evidence.append(
                    propagation.ProbeEvidence(
                        run.probe_id, run.status, str(item.get("relation") or "equal"), run.pk
                    )
                )
        proposal = propagation.propose_from_probes(evidence)
        if proposal is None:
            continue
        counted = [used[int(item.run_key)] for item in proposal.sources if item.run_key is not None]
        # The result shown as the source: one that says what the proposal says, else the first.
        source = next(
            (
                run
                for run in counted
                if propagation.status_from_probe(run.status) == proposal.status
            ),
            counted[0],
        )
        if apply_proposal(
            answer,
            proposal.status,
            source=ProposalSource.PROBE,
            note=probe_note(counted, proposal.capped),
            run=source,
            details={
                "kind": "probe",
                "runs": [run.pk for run in counted],
                "capped": proposal.capped,
            },
        ):
            # The answer lists the evidence of the results it was computed from, not of
            # every earlier run (those stay on the probe's history).
            current = [run.evidence_id for run in counted if run.evidence_id is not None]
            stale = answer.evidence.filter(subject_type=probe_type).exclude(pk__in=current)
            answer.evidence.remove(*stale)
            answer.evidence.add(*current)
            changed += 1
    if changed:
        take_snapshot(assessment)
    return changed


def computed_answers(assessment: Assessment) -> Any:
    return Answer.objects.filter(assessment=assessment, proposal_source=ProposalSource.PROBE)
