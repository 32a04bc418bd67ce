"""Library sync, assessments, answers with history, proposals from probes, confirm/override."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hygie.compliance.choices import AnswerStatus, ProposalSource
from hygie.compliance.models import Answer, AnswerChange, Framework, ProbeRun, Requirement
from hygie.compliance.services import assessments, library, probes
from hygie.core.registries import Probe, ProbeResult
from hygie.core.registries import probes as probe_registry


def test_sync_is_idempotent(shipped_library):
    frameworks = Framework.objects.count()
    requirements = Requirement.objects.count()
    again = library.sync_shipped_library()
    assert again.created == 0
    assert (Framework.objects.count(), Requirement.objects.count()) == (frameworks, requirements)
    care = Framework.objects.get(framework_id="care")
    assert care.requirements.filter(parent__isnull=False).exists()
    assert care.requirements.exclude(controls=[]).exists()


def test_new_assessment_has_one_answer_per_assessable_requirement(assessment, care):
    assert assessment.answers.count() == care.requirements.filter(is_assessable=True).count()
    score = assessments.assessment_score(assessment)
    assert score.not_assessed == assessment.answers.count()
    assert score.score is None


def test_answer_records_history_and_not_applicable_needs_justification(assessment, user_a):
    answer = assessment.answers.first()
    with pytest.raises(ValidationError):
        assessments.answer_requirement(user_a, answer, status=AnswerStatus.NOT_APPLICABLE)
    answer.refresh_from_db()
    assessments.answer_requirement(
        user_a, answer, status=AnswerStatus.NOT_APPLICABLE, justification="No such system"
    )
    answer.refresh_from_db()
    assert answer.is_confirmed
    fields = set(AnswerChange.objects.filter(answer=answer).values_list("field", flat=True))
    assert {"status", "justification"} <= fields


def test_other_establishment_may_not_answer(assessment, user_b):
    with pytest.raises(PermissionDenied):
        assessments.answer_requirement(
            user_b, assessment.answers.first(), status=AnswerStatus.COMPLIANT
        )


def _fake_probe(status: str, control: str) -> Probe:
    return Probe(
        id="test.fake",
        title="Fake probe",
        controls=(control,),
        run=lambda establishment: ProbeResult(status, "Fake result", {"n": 1}),
    )


def _mapped_answer(assessment) -> tuple[Answer, str]:
    answer = (
        assessment.answers.exclude(requirement__controls=[]).select_related("requirement").first()
    )
    assert answer is not None, "CaRE maps no requirement onto a control"
    return answer, answer.requirement.controls[0]["id"]


@pytest.mark.parametrize(
    ("verdict", "expected"),
    [("pass", "compliant"), ("fail", "non_compliant"), ("partial", "partial")],
)
def test_probe_result_proposes_status_and_keeps_evidence(assessment, verdict, expected):
    answer, control = _mapped_answer(assessment)
    with probe_registry.override({"test.fake": _fake_probe(verdict, control)}):
        runs = probes.run_probes(assessment.establishment)
    run = runs[0]
    assert run.evidence is not None and len(run.evidence.sha256) == 64
    answer.refresh_from_db()
    assert answer.proposal_source == ProposalSource.PROBE
    assert answer.proposed_from_run == run
    relations = {item["relation"] for item in answer.requirement.controls if item["id"] == control}
    if expected == "compliant" and relations & {"superset", "intersect"}:
        expected = "partial"
    assert answer.proposed_status == expected
    assert answer.status == expected  # unconfirmed: the computed status is in force
    assert answer.is_computed and not answer.is_confirmed
    assert run.evidence in answer.evidence.all()


def test_error_proposes_nothing(assessment):
    answer, control = _mapped_answer(assessment)
    with probe_registry.override({"test.fake": _fake_probe("error", control)}):
        probes.run_probes(assessment.establishment)
    answer.refresh_from_db()
    assert answer.proposed_status == ""
    assert ProbeRun.objects.filter(probe_id="test.fake", status="error").exists()


def test_crashing_probe_is_an_error_result(assessment):
    def crash(establishment):
        raise RuntimeError("boom with data")

    probe = Probe(id="test.crash", title="Crash", controls=("hygie.identity.mfa",), run=crash)
    with probe_registry.override({"test.crash": probe}):
        (run,) = probes.run_probes(assessment.establishment)
    assert run.status == "error"
    assert "boom" not in run.summary_display


def test_confirm_and_override(assessment, user_a):
    answer, control = _mapped_answer(assessment)
    with probe_registry.override({"test.fake": _fake_probe("fail", control)}):
        probes.run_probes(assessment.establishment)
    answer.refresh_from_db()
    assessments.confirm_answer(user_a, answer)
    answer.refresh_from_db()
    assert answer.is_confirmed and answer.is_computed
    assert answer.status == AnswerStatus.NON_COMPLIANT
    with pytest.raises(ValidationError):
        assessments.answer_requirement(user_a, answer, status=AnswerStatus.COMPLIANT)
    answer.refresh_from_db()
    assessments.override_answer(
        user_a, answer, AnswerStatus.COMPLIANT, "Compensating control in place"
    )
    answer.refresh_from_db()
    assert answer.status == AnswerStatus.COMPLIANT
    assert not answer.is_computed and answer.is_confirmed
    # A new run never overwrites the person's answer; the proposal is kept beside it.
    with probe_registry.override({"test.fake": _fake_probe("fail", control)}):
        probes.run_probes(assessment.establishment)
    answer.refresh_from_db()
    assert answer.status == AnswerStatus.COMPLIANT
    assert answer.proposed_status == AnswerStatus.NON_COMPLIANT
    note = AnswerChange.objects.filter(answer=answer, field="status").first()
    assert note is not None and "Overrides" in note.note or "Remplace" in note.note


def test_scores_by_chapter(assessment, user_a):
    answers = list(assessment.answers.all()[:3])
    assessments.answer_requirement(user_a, answers[0], status=AnswerStatus.COMPLIANT)
    assessments.answer_requirement(user_a, answers[1], status=AnswerStatus.PARTIAL)
    assessments.answer_requirement(user_a, answers[2], status=AnswerStatus.NON_COMPLIANT)
    score = assessments.assessment_score(assessment)
    assert score.score == 50.0
    chapters = assessments.chapter_scores(assessment)
    assert sum(item.score.total for item in chapters) == assessment.answers.count()
    assert len(assessments.score_history(assessment)) >= 1


def _framework_link():
    from hygie.compliance.engine.propagation import EQUAL

    links = library.framework_links()
    for source, items in links.items():
        for link in items:
            source_req = Requirement.objects.filter(urn=source, is_assessable=True).first()
            target_req = Requirement.objects.filter(urn=link.target, is_assessable=True).first()
            if source_req and target_req and link.relation == EQUAL:
                return source_req, target_req, link
    for source, items in links.items():
        for link in items:
            source_req = Requirement.objects.filter(urn=source, is_assessable=True).first()
            target_req = Requirement.objects.filter(urn=link.target, is_assessable=True).first()
            if source_req and target_req:
                return source_req, target_req, link
    pytest.skip("the shipped library has no framework-to-framework mapping yet")


def test_answer_propagates_to_mapped_requirements(shipped_library, establishment_a, user_a):
    source, target, link = _framework_link()
    left = assessments.create_assessment(
        user_a, establishment=establishment_a, framework=source.framework
    )
    right = assessments.create_assessment(
        user_a, establishment=establishment_a, framework=target.framework
    )
    answer = left.answers.get(requirement=source)
    assessments.answer_requirement(user_a, answer, status=AnswerStatus.COMPLIANT)
    mapped = right.answers.get(requirement=target)
    expected = "compliant" if link.relation == "equal" else "partial"
    assert mapped.proposed_status == expected
    assert mapped.proposal_source == ProposalSource.MAPPING
    assert mapped.proposed_from_answer == answer
    assert source.ref_id in mapped.proposal_note
    # A person's answer is never overwritten by a later proposal.
    assessments.override_answer(user_a, mapped, AnswerStatus.NON_COMPLIANT, "Not here")
    mapped.refresh_from_db()
    person = mapped.status
    assessments.answer_requirement(user_a, answer, status=AnswerStatus.PARTIAL)
    mapped.refresh_from_db()
    assert mapped.status == person and mapped.is_confirmed


def test_reminders_mail_the_owner_once_a_week(establishment_a, user_a, mailoutbox):
    from datetime import timedelta

    from django.utils import timezone

    from hygie.compliance.services import remediation
    from hygie.core.models import AuditEntry

    action = remediation.create_action(
        user_a,
        establishment=establishment_a,
        title="Restore test",
        owner=user_a,
        due_date=timezone.localdate() - timedelta(days=2),
    )
    report = remediation.send_due_reminders()
    assert (report.actions, report.messages) == (1, 1)
    assert mailoutbox[0].to == [user_a.email]
    assert "Restore test" in mailoutbox[0].body
    assert remediation.send_due_reminders().messages == 0  # not again within the week
    later = timezone.now() + timedelta(days=8)
    assert remediation.send_due_reminders(now=later).messages == 1
    action.refresh_from_db()
    assert action.reminders_sent == 2
    assert AuditEntry.objects.filter(object_id=str(action.pk), action="system").count() == 2


def test_proposal_explanation_follows_the_reader_language(assessment):
    from django.utils import translation

    answer, control = _mapped_answer(assessment)
    with probe_registry.override({"test.fake": _fake_probe("fail", control)}):
        probes.run_probes(assessment.establishment)
    answer.refresh_from_db()
    with translation.override("fr"):
        assert "Calculé à partir des résultats de sonde" in answer.proposal_explanation
    with translation.override("en"):
        assert "Computed from probe results" in answer.proposal_explanation
