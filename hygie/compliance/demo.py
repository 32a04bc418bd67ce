"""The compliance module's demo data (called by ``hygie demo``, in module order, after the
modules whose records the probes read, inside the demo transaction): the shipped library, the
probes run on the demo establishment, a CaRE assessment in progress (answers computed from the
probes, some confirmed, some answered by hand), last year's closed CaRE assessment to compare
with, and a few remediation actions (one overdue). Fictitious data only."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from hygie.compliance.choices import AnswerStatus, AssessmentStatus
from hygie.compliance.models import Framework
from hygie.compliance.services import assessments, library, probes, registers, remediation
from hygie.core.models import Establishment, Organisation

# Answers given by hand in the demo, in order, to CaRE requirements no probe result informs:
# (status, maturity, comment).
HAND_ANSWERS = (
    (AnswerStatus.COMPLIANT, 4, "Politique de sécurité validée par la direction en mars."),
    (AnswerStatus.PARTIAL, 2, "Cartographie du SI en cours de mise à jour."),
    (AnswerStatus.NON_COMPLIANT, 1, "Pas encore de revue annuelle des droits d'accès."),
    (AnswerStatus.PARTIAL, 3, "Sauvegardes hors ligne pour le DPI uniquement."),
)
LAST_YEAR = (
    AnswerStatus.PARTIAL,
    AnswerStatus.NON_COMPLIANT,
    AnswerStatus.NON_COMPLIANT,
    AnswerStatus.PARTIAL,
)


def load_demo(organisation: Organisation, establishments: list[Establishment]) -> None:
    library.sync_shipped_library()
    # The GDPR registers first: the probes run below read them.
    registers.load_demo(organisation, establishments)
    care = Framework.objects.filter(framework_id="care").first()
    if care is None or not establishments:
        return
    establishment = establishments[0]
    today = timezone.localdate()

    earlier = assessments.create_assessment(
        None,
        establishment=establishment,
        framework=care,
        on=today - timedelta(days=365),
        title=f"CaRE — {establishment.name} — {today.year - 1}",
        scope="Revue annuelle CaRE (démonstration).",
    )
    # Last year, before the probes: answered by hand.
    for answer, status in zip(
        earlier.answers.order_by("requirement__order"), LAST_YEAR, strict=False
    ):
        assessments.answer_requirement(None, answer, status=status, propagate=False)
    assessments.update_assessment(None, earlier, status=AssessmentStatus.CLOSED)

    probes.run_probes(establishment)
    current = assessments.create_assessment(
        None,
        establishment=establishment,
        framework=care,
        on=today,
        title=f"CaRE — {establishment.name} — {today.year}",
        scope="Établissement entier, domaines 1 et 2 du programme CaRE (démonstration).",
    )
    # Some computed answers confirmed by the security officer, the others left to confirm.
    computed = list(
        current.answers.filter(is_computed=True).exclude(status=AnswerStatus.NOT_APPLICABLE)
    )
    for answer in computed[: len(computed) // 2]:
        assessments.confirm_answer(None, answer)
    # A few answered by hand: those no probe informs first, then unconfirmed computed ones
    # (a status other than the proposed one carries its justification).
    candidates = list(current.answers.filter(proposal_source="").order_by("requirement__order"))
    candidates += list(
        current.answers.filter(is_confirmed=False)
        .exclude(proposal_source="")
        .order_by("-requirement__order")
    )
    for answer, (status, maturity, comment) in zip(candidates, HAND_ANSWERS, strict=False):
        assessments.answer_requirement(
            None,
            answer,
            status=status,
            maturity=maturity,
            comments=comment,
            justification=comment if answer.proposed_status else None,
        )
    gaps = remediation.actions_from_gaps(None, current, due=today + timedelta(days=60))
    if gaps:
        # One action already late: the overdue view and the reminders have something to show.
        remediation.update_action(None, gaps[0], due_date=today - timedelta(days=10))
    for action in gaps[1:3]:
        remediation.update_action(None, action, status="in_progress")
