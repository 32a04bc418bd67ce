"""Planning actions from an assessment's gaps: owner and due date by default, one open action
per requirement across assessments; the API's plan-actions and framework delete endpoints."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from hygie.compliance.choices import AnswerStatus
from hygie.compliance.services import assessments, remediation
from tests.apps.core.api_support import APIClient, issue_token

BASE = "/compliance"


def _gaps(user, assessment, count=2):
    answers = list(assessment.answers.filter(requirement__is_assessable=True)[:count])
    for answer in answers:
        assessments.answer_requirement(user, answer, status=AnswerStatus.NON_COMPLIANT)
    return answers


def test_planned_actions_get_an_owner_and_a_due_date(assessment, user_a):
    answers = _gaps(user_a, assessment)
    answers[0].due_date = datetime.date(2031, 1, 15)
    answers[0].save(update_fields=["due_date"])
    created = remediation.actions_from_gaps(user_a, assessment)
    assert len(created) == 2
    by_answer = {action.answers.get().pk: action for action in created}
    assert by_answer[answers[0].pk].due_date == datetime.date(2031, 1, 15)
    later = timezone.localdate() + remediation.DEFAULT_DUE
    assert by_answer[answers[1].pk].due_date == later
    assert all(action.owner == user_a for action in created)


def test_an_open_action_of_the_same_requirement_is_reused(assessment, care, user_a):
    _gaps(user_a, assessment)
    first = remediation.plan_gaps(user_a, assessment)
    assert len(first.created) == 2 and not first.linked
    next_year = assessments.create_assessment(
        user_a,
        establishment=assessment.establishment,
        framework=care,
        on=assessment.date + datetime.timedelta(days=365),
    )
    new_answers = _gaps(user_a, next_year)
    second = remediation.plan_gaps(user_a, next_year)
    assert not second.created and len(second.linked) == 2
    for answer in new_answers:
        assert answer.actions.get() in first.created


def test_the_planning_form_sets_the_due_date(client_a, assessment, user_a):
    client = client_a
    _gaps(user_a, assessment, count=1)
    page = client.get(f"/compliance/assessments/{assessment.pk}/")
    assert b'name="due_date"' in page.content
    client.post(f"/compliance/assessments/{assessment.pk}/gaps/", {"due_date": "2030-03-01"})
    action = assessment.answers.get(status=AnswerStatus.NON_COMPLIANT).actions.get()
    assert action.due_date == datetime.date(2030, 3, 1) and action.owner == user_a


def test_api_plans_actions(assessment, user_a):
    _gaps(user_a, assessment)
    api = APIClient(issue_token(user_a))
    url = f"{BASE}/assessments/{assessment.pk}/plan-actions"
    answer = api.post(url, {"due_date": "2030-05-01"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert len(body["created"]) == 2 and body["linked"] == []
    assert {item["due_date"] for item in body["created"]} == {"2030-05-01"}
    assert {item["owner_id"] for item in body["created"]} == {user_a.pk}
    again = api.post(url, {}).json()
    assert again == {"created": [], "linked": []}


@pytest.fixture
def api_wide(make_user):
    return APIClient(issue_token(make_user("ght-rssi2", "rssi", all_establishments=True)))


def test_api_deletes_only_imported_frameworks(api_wide, user_a, care):
    from hygie.compliance.models import Framework

    refused = api_wide.delete(f"{BASE}/frameworks/{care.pk}")
    assert refused.status_code == 409
    assert "shipped with Hygie" in refused.json()["error"]["message"]
    imported = Framework.objects.create(
        framework_id="local-x", urn="urn:hygie:framework:local-x", source="imported"
    )
    scoped = APIClient(issue_token(user_a)).delete(f"{BASE}/frameworks/{imported.pk}")
    assert scoped.status_code == 403
    assert api_wide.delete(f"{BASE}/frameworks/{imported.pk}").status_code == 204
    assert not Framework.objects.filter(pk=imported.pk).exists()
