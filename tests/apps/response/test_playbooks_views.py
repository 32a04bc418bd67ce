"""Playbook pages: library, detail, copy/adopt, YAML editor with line-numbered errors, upload,
review, delete, and the incident's playbooks panel (htmx)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from hygie.core.models import Establishment, Organisation
from hygie.core.testing import login_with_mfa
from hygie.response.engine.playbooks import MAX_PLAYBOOK_BYTES
from hygie.response.models import AppliedPlaybook, Playbook, Task
from hygie.response.services import playbooks as service
from tests.apps.response.test_playbooks_services import OWN

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def rssi(make_user, establishment_a) -> Client:
    return login_with_mfa(Client(), make_user("rssi-a", "rssi", [establishment_a]))


@pytest.fixture
def auditor(make_user, establishment_a) -> Client:
    return login_with_mfa(Client(), make_user("auditor-a", "auditor", [establishment_a]))


@pytest.fixture
def own(user_a, organisation) -> Playbook:
    return service.save_playbook(user_a, OWN, organisation=organisation)


@pytest.fixture
def other_org_playbook(user_a) -> Playbook:
    """A playbook of another organisation, whose establishment user A cannot see."""
    other = Organisation.objects.create(name="Autre GHT")
    establishment = Establishment.objects.create(organisation=other, name="CH Gamma")
    row = Playbook.objects.create(
        organisation=other,
        key="secret-plan",
        title="Plan secret",
        version="1.0.0",
        source=OWN.replace("power-outage", "secret-plan"),
    )
    assert establishment.pk
    return row


def test_list_shows_shipped_and_own(rssi, own, other_org_playbook) -> None:
    response = rssi.get(reverse("response:playbook_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ransomware (systems encrypted)" in body and "Datacenter power outage" in body
    assert "Secret" not in body and "secret-plan" not in body
    assert "Contacts to complete" in body and "Never" in body
    assert reverse("response:playbook_detail", args=[own.pk]) in body
    assert reverse("response:playbook_shipped", args=["ddos"]) in body


def test_list_filter_by_category(rssi, own) -> None:
    body = rssi.get(reverse("response:playbook_list"), {"category": "loss_theft"}).content.decode()
    assert "Lost or stolen device" in body and "Ransomware (systems" not in body
    # An unknown category is ignored, not trusted.
    body = rssi.get(reverse("response:playbook_list"), {"category": "x'<"}).content.decode()
    assert "Ransomware (systems" in body


def test_list_requires_sign_in_and_capability(client, make_user) -> None:
    response = client.get(reverse("response:playbook_list"))
    assert response.status_code == 302
    nobody = login_with_mfa(Client(), make_user("staff", "staff", []))
    assert nobody.get(reverse("response:playbook_list")).status_code == 403


def test_shipped_detail_renders_phases_contacts_references(rssi) -> None:
    response = rssi.get(reverse("response:playbook_shipped", args=["ransomware"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Isolate affected machines without powering them off" in body
    assert "CERTFR-2024-RFX-001" in body and "UNVERIFIED" in body
    assert "to complete" in body and "Copy to edit" in body and "Adopt as reviewed" in body
    # A contact's missing details are named by their label, never by their key.
    assert "Phone: to complete" in body or "Name: to complete" in body
    assert "phone: to complete" not in body and "name: to complete" not in body
    assert rssi.get(reverse("response:playbook_shipped", args=["nope"])).status_code == 404


def test_auditor_reads_but_cannot_manage(auditor, own) -> None:
    body = auditor.get(reverse("response:playbook_shipped", args=["ransomware"])).content.decode()
    assert "Copy to edit" not in body
    assert auditor.get(reverse("response:playbook_detail", args=[own.pk])).status_code == 200
    for name in ("playbook_edit", "playbook_delete"):
        assert auditor.get(reverse(f"response:{name}", args=[own.pk])).status_code == 403
    assert auditor.post(reverse("response:playbook_review", args=[own.pk])).status_code == 403
    assert auditor.post(reverse("response:playbook_shipped_copy", args=["ddos"])).status_code == 403
    assert auditor.get(reverse("response:playbook_add")).status_code == 403
    own.refresh_from_db()
    assert own.reviewed_at is None and Playbook.objects.count() == 1


def test_other_organisation_playbook_is_404(rssi, other_org_playbook) -> None:
    for name in ("playbook_detail", "playbook_edit", "playbook_delete", "playbook_download"):
        assert (
            rssi.get(reverse(f"response:{name}", args=[other_org_playbook.pk])).status_code == 404
        )
    for name in ("playbook_review", "playbook_copy", "playbook_delete"):
        assert (
            rssi.post(reverse(f"response:{name}", args=[other_org_playbook.pk])).status_code == 404
        )
    assert Playbook.objects.count() == 1


def test_copy_then_adopt(rssi, organisation) -> None:
    response = rssi.post(reverse("response:playbook_shipped_copy", args=["ddos"]))
    row = Playbook.objects.get(key="ddos")
    assert response.status_code == 302 and response["Location"] == reverse(
        "response:playbook_detail", args=[row.pk]
    )
    assert row.based_on == "ddos" and row.reviewed_at is None
    body = rssi.get(reverse("response:playbook_shipped", args=["ddos"])).content.decode()
    assert "its own copy" in body and "Copy to edit" not in body
    # A second copy is refused with a message, nothing written.
    rssi.post(reverse("response:playbook_shipped_copy", args=["ddos"]))
    assert Playbook.objects.filter(key="ddos").count() == 1
    rssi.post(reverse("response:playbook_shipped_copy", args=["ransomware"]), {"adopt": "1"})
    assert Playbook.objects.get(key="ransomware").reviewed_at is not None


def test_detail_of_own_playbook(rssi, own) -> None:
    body = rssi.get(reverse("response:playbook_detail", args=[own.pk])).content.decode()
    assert "Datacenter power outage" in body and "never been reviewed" in body
    # Durations in words, not ISO 8601 (issue 10).
    assert "within 30 minutes of discovery" in body and "within 2 hours of applying" in body
    assert "Generator available" in body


def test_editor_shows_every_problem_with_its_line(rssi, own) -> None:
    bad = OWN.replace("PT30M", "soon").replace("[other, ", "[volcano, ")
    response = rssi.post(reverse("response:playbook_edit", args=[own.pk]), {"source": bad})
    assert response.status_code == 422
    body = response.content.decode()
    assert "2 problems" in body
    assert "<td>6</td><td><code>categories[0]</code></td>" in body
    assert "<td>12</td><td><code>phases.triage.steps[0].due_after</code></td>" in body
    assert "soon" in body  # the text the user typed is kept in the editor
    own.refresh_from_db()
    assert own.source == OWN


def test_editor_saves_and_bumps_version(rssi, own) -> None:
    response = rssi.post(
        reverse("response:playbook_edit", args=[own.pk]),
        {"source": OWN.replace("Call facilities", "Call the facilities desk")},
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.version == "1.0.1" and "Call the facilities desk" in own.source


def test_add_new_playbook(rssi) -> None:
    form = rssi.get(reverse("response:playbook_add"))
    assert form.status_code == 200 and "schema_version: 1" in form.content.decode()
    response = rssi.post(reverse("response:playbook_add"), {"source": OWN})
    row = Playbook.objects.get(key="power-outage")
    assert response.status_code == 302 and row.updated_by.username == "rssi-a"
    # Same key again: a clear error, nothing written.
    again = rssi.post(reverse("response:playbook_add"), {"source": OWN})
    assert again.status_code == 422 and "already has a playbook" in again.content.decode()
    assert Playbook.objects.count() == 1


def test_add_asks_for_an_organisation_when_several(make_user, establishment_a) -> None:
    other = Organisation.objects.create(name="Second group")
    Establishment.objects.create(organisation=other, name="CH Delta")
    admin = login_with_mfa(Client(), make_user("org-admin", "admin", [], all_establishments=True))
    response = admin.post(reverse("response:playbook_add"), {"source": OWN})
    assert response.status_code == 422 and not Playbook.objects.exists()
    response = admin.post(
        reverse("response:playbook_add"), {"source": OWN, "organisation": other.pk}
    )
    assert response.status_code == 302 and Playbook.objects.get().organisation == other


def test_upload(rssi) -> None:
    url = reverse("response:playbook_upload")
    assert rssi.get(url).status_code == 200
    bad = SimpleUploadedFile("pb.yaml", OWN.replace("PT2H", "P2M").encode())
    response = rssi.post(url, {"file": bad})
    assert response.status_code == 422
    assert "phases.recovery.steps[0].due_after" in response.content.decode()
    wrong_type = SimpleUploadedFile("pb.exe", b"MZ")
    assert rssi.post(url, {"file": wrong_type}).status_code == 422
    not_utf8 = SimpleUploadedFile("pb.yaml", "clé: é".encode("latin-1"))
    assert "not UTF-8" in rssi.post(url, {"file": not_utf8}).content.decode()
    good = SimpleUploadedFile("pb.yml", ("\ufeff" + OWN).encode())
    response = rssi.post(url, {"file": good})
    assert response.status_code == 302 and Playbook.objects.filter(key="power-outage").exists()


def test_upload_too_large(rssi) -> None:
    huge = SimpleUploadedFile("pb.yaml", b"#" * (MAX_PLAYBOOK_BYTES + 10))
    response = rssi.post(reverse("response:playbook_upload"), {"file": huge})
    assert response.status_code == 413 and not Playbook.objects.exists()


def test_review_copy_delete_download(rssi, own) -> None:
    rssi.post(reverse("response:playbook_review", args=[own.pk]))
    own.refresh_from_db()
    assert own.reviewed_at is not None
    response = rssi.post(reverse("response:playbook_copy", args=[own.pk]))
    copy = Playbook.objects.get(key="power-outage-copy")
    assert response["Location"] == reverse("response:playbook_edit", args=[copy.pk])
    download = rssi.get(reverse("response:playbook_download", args=[own.pk]))
    assert download["Content-Type"].startswith("application/yaml")
    assert download.content.decode() == own.source
    shipped = rssi.get(reverse("response:playbook_shipped_download", args=["ddos"]))
    assert b"key: ddos" in shipped.content
    assert rssi.get(reverse("response:playbook_delete", args=[copy.pk])).status_code == 200
    rssi.post(reverse("response:playbook_delete", args=[copy.pk]))
    assert not Playbook.objects.filter(pk=copy.pk).exists()


# ---- incident panel --------------------------------------------------------------------------


def test_panel_offers_fitting_playbooks_first(client_a, incident) -> None:
    url = reverse("response:incident_playbooks", args=[incident.pk])
    response = client_a.get(url, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert body.index("Fits this incident") < body.index("Other playbooks")
    fitting = body[body.index("Fits this incident") : body.index("Other playbooks")]
    assert 'value="ransomware"' in fitting and 'value="ddos"' not in fitting
    assert "No playbook applied yet." in body
    # Opened directly (no JavaScript): the same panel inside a whole page.
    page = client_a.get(url).content.decode()
    assert "<html" in page and 'id="playbooks-panel"' in page and incident.reference in page


def test_panel_apply_shows_progress(client_a, incident) -> None:
    url = reverse("response:incident_playbooks", args=[incident.pk])
    response = client_a.post(url, {"key": "ransomware"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Trigger"] == "incident-tasks-changed"
    body = response.content.decode()
    assert "applied" in body and 'id="playbooks-panel"' in body and "<html" not in body
    assert "0 of 26 tasks done" in body
    Task.objects.filter(incident=incident, phase="triage").update(status="done")
    body = client_a.get(url).content.decode()
    assert "7 / 7" in body and "7 of 26 tasks done" in body
    again = client_a.post(url, {"key": "ransomware"})
    assert again.status_code == 422 and "already applied" in again.content.decode()
    assert AppliedPlaybook.objects.count() == 1


def test_panel_permissions_and_scoping(auditor, client_a, incident, incident_b) -> None:
    url = reverse("response:incident_playbooks", args=[incident.pk])
    body = auditor.get(url).content.decode()
    assert "Apply a playbook" not in body
    assert auditor.post(url, {"key": "ransomware"}).status_code == 403
    other = reverse("response:incident_playbooks", args=[incident_b.pk])
    assert client_a.get(other).status_code == 404
    assert client_a.post(other, {"key": "ransomware"}).status_code == 404
    assert not Task.objects.exists()


def test_panel_unknown_playbook(client_a, incident) -> None:
    url = reverse("response:incident_playbooks", args=[incident.pk])
    response = client_a.post(url, {"key": "x" * 500})
    assert response.status_code == 422 and "Unknown playbook" in response.content.decode()
