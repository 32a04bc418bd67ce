"""The incident page's layout: sections in tabs (links to sections without scripts), a compact
task list whose tasks open in a side panel (a page of its own without htmx), and the regulatory
clocks drawn on one time axis with the same facts in words."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hygie.core.testing import login_with_mfa
from hygie.response.services import incidents as service

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_sections_are_tabs(client_a, incident):
    page = client_a.get(reverse("response:incident_detail", args=[incident.pk])).content.decode()
    assert "data-tabs" in page and "data-tablist" in page
    for panel in ("overview", "clocks", "tasks", "log", "evidence", "discussion", "alerts"):
        assert f'href="#tab-{panel}" data-tab' in page and f'id="tab-{panel}"' in page
    # Every section is still in the page (shown when scripts do not run), under its old id.
    for section in ("tasks", "timeline", "observables", "evidence", "comments", "watchers"):
        assert f'id="{section}"' in page


def test_task_list_is_compact_and_tasks_open_in_a_side_panel(client_a, user_a, incident):
    task = service.add_task(user_a, incident, title="Isoler le serveur", description="Débrancher")
    decision = service.add_task(user_a, incident, title="Payer la rançon ?", is_decision=True)
    page = client_a.get(reverse("response:incident_detail", args=[incident.pk])).content.decode()
    assert 'name="status"' not in page  # no form per row any more
    panel_url = reverse("response:incident_task_panel", args=[incident.pk, task.pk])
    assert f'hx-get="{panel_url}" hx-target="#task-panel"' in page
    assert 'id="task-panel"' in page and "data-side-panel" in page
    fragment = client_a.get(panel_url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "Débrancher" in fragment
    status_url = reverse("response:incident_task_status", args=[incident.pk, task.pk])
    assert f'hx-post="{status_url}" hx-target="#tasks"' in fragment
    assert 'name="decision"' not in fragment
    decision_panel = client_a.get(
        reverse("response:incident_task_panel", args=[incident.pk, decision.pk]),
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'name="decision"' in decision_panel
    # Without htmx, the panel is a page of its own whose form posts the same way.
    whole = client_a.get(panel_url).content.decode()
    assert "<html" in whole and f'action="{status_url}"' in whole
    # The panel's form moves the task on, as the row's form did.
    client_a.post(status_url, {"status": "done"}, HTTP_HX_REQUEST="true")
    task.refresh_from_db()
    assert task.status == "done"


def test_task_panel_is_read_only_for_others_and_scoped(
    make_user, establishment_a, user_a, incident, incident_b
):
    task = service.add_task(user_a, incident, title="Isoler le serveur")
    auditor = login_with_mfa(Client(), make_user("audit", "auditor", [establishment_a]))
    panel = auditor.get(
        reverse("response:incident_task_panel", args=[incident.pk, task.pk]),
        HTTP_HX_REQUEST="true",
    )
    assert panel.status_code == 200 and 'name="status"' not in panel.content.decode()
    assert (
        auditor.get(reverse("response:incident_task_panel", args=[incident_b.pk, task.pk]))
    ).status_code == 404


def test_regulatory_clocks_are_drawn_with_their_words(client_a, incident):
    incident.discovered_at = timezone.now() - timedelta(hours=60)
    incident.personal_data = "true"
    incident.risk_to_individuals = "high"
    incident.save()
    panel = client_a.get(
        reverse("response:incident_obligations", args=[incident.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'class="chart chart-time-bars"' in panel and 'role="img"' in panel
    assert "Regulatory clocks" in panel and ">now<" in panel
    # The text alternative: one row per clock, with its start and its deadline in words.
    assert panel.count('<tr><th scope="row">') >= 2
    assert "started " in panel and "due " in panel


def test_the_care_impact_in_the_header_has_no_bare_colon(client_a, incident):
    """French typography: “Impact sur les soins: Mode dégradé” had no space before the colon;
    the header joins the label and the value with a dash in every language."""
    page = client_a.get(reverse("response:incident_detail", args=[incident.pk])).content.decode()
    assert "Impact on care — " in page
    assert "Impact on care: " not in page


def test_an_incident_loaded_without_a_declarant_shows_only_the_date(client_a, incident):
    """The demo's incident has no declarant: the row read “—, 7 Dec. 2026 00:50”."""
    type(incident).objects.filter(pk=incident.pk).update(created_by=None)
    page = client_a.get(reverse("response:incident_detail", args=[incident.pk])).content.decode()
    assert "—, " not in page
