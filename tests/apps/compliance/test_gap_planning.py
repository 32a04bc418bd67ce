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


def test_care_d2_has_its_own_score_on_the_page_the_report_and_the_api(client_a, assessment, user_a):
    from hygie.compliance.services import reports

    d2 = assessment.framework.requirements.get(ref_id="CARE-D2")
    answer = assessment.answers.get(requirement__urn="urn:hygie:req:care:d2.p1")
    assessments.answer_requirement(user_a, answer, status=AnswerStatus.COMPLIANT)
    sections = assessments.section_scores(assessment)
    top = [item for item in sections if item.depth == 0]
    assert [(i.chapter, i.score) for i in top] == [
        (i.chapter, i.score) for i in assessments.chapter_scores(assessment)
    ]
    d2_row = next(item for item in sections if item.chapter == d2)
    assert d2_row.depth == 1 and d2_row.score.compliant == 1 and d2_row.score.score == 100.0
    axe4 = next(item for item in top if item.chapter and item.chapter.ref_id == "CARE-AX4")
    assert axe4.score.total > d2_row.score.total
    assert sections.index(axe4) < sections.index(d2_row)
    page = client_a.get(f"/compliance/assessments/{assessment.pk}/").content.decode()
    assert "CARE-D2 " in page
    report = reports.build_report(assessment)
    assert any(row.chapter == d2 and row.depth >= 1 for row in report.chapters)
    api = APIClient(issue_token(user_a))
    body = api.get(f"{BASE}/assessments/{assessment.pk}/scores").json()
    assert all(item["chapter_ref_id"] != "CARE-D2" for item in body["chapters"])
    d2_api = next(item for item in body["sections"] if item["chapter_ref_id"] == "CARE-D2")
    assert d2_api["depth"] >= 1 and d2_api["parent_urn"]


def test_executive_chart_axis_labels_do_not_overlap():
    import re

    from hygie.core import charts
    from hygie.core.registries import Series

    names = ["Guide d'hygiène informatique de l'ANSSI", "Programme CaRE"]
    series = Series(title="t", description="d", labels=names, values={"Score": [40, 60]})
    html = str(charts.render_chart(series, "exec"))
    extents = []
    for x, anchor, body in re.findall(
        r'<text x="([\d.]+)" y="145.0" font-size="10" text-anchor="(\w+)" '
        r'fill="#4a5a63">(?:<title>[^<]*</title>)?([^<]*)</text>',
        html,
    ):
        width = len(body.replace("&#x27;", "'")) * charts.CHAR_WIDTH
        left = {"start": 0, "middle": width / 2, "end": width}[anchor]
        extents.append((float(x) - left, float(x) - left + width, body))
    assert len(extents) == 2, html
    (_l1, r1, first), (l2, _r2, second) = sorted(extents)
    assert r1 <= l2 and first.endswith("…") and second == "Programme CaRE"
    assert f"<title>{names[0]}</title>".replace("'", "&#x27;") in html
