"""Pages of the drafts & reports area: incident panel, draft pages, exports, register, KPIs."""

# ruff: noqa: F401, F811  (fixtures shared with test_drafts_services are imported by name)

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from hygie.core.models import AuditEntry
from hygie.core.testing import login_with_mfa
from hygie.response.models import NotificationDraft
from hygie.response.services import drafts as services
from tests.apps.response.test_drafts_services import breach, field, make_obligation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def rssi(make_user, establishment_a):
    return login_with_mfa(Client(), make_user("rssi-a", "rssi", [establishment_a]))


@pytest.fixture
def auditor(make_user, establishment_a):
    return login_with_mfa(Client(), make_user("auditor-a", "auditor", [establishment_a]))


@pytest.fixture
def staff(make_user, establishment_a):
    return login_with_mfa(Client(), make_user("staff-a", "staff", [establishment_a]))


@pytest.fixture
def draft(breach, user_a):
    return services.generate_draft(breach, "cnil", "en", user_a)[0]


def test_panel_lists_suggestions_drafts_and_kpis(rssi, breach, draft):
    url = reverse("response:incident_drafts", args=[breach.pk])
    response = rssi.get(url, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content  # a fragment for the incident page
    assert 'id="incident-drafts-panel"' in content
    whole = rssi.get(url).content.decode()  # opened directly: a whole page
    assert "<html" in whole and reverse("response:incident_detail", args=[breach.pk]) in whole
    assert "CNIL personal data breach notification" in content
    assert reverse("response:notificationdraft_export", args=[draft.pk, "pdf"]) in content
    assert reverse("response:incident_report", args=[breach.pk]) in content
    assert "Time to contain" in content and "6 h 00 min" in content
    assert 'name="kind"' in content  # the rssi may generate


def test_panel_htmx_generate_rerenders_fragment(rssi, breach):
    url = reverse("response:incident_drafts", args=[breach.pk])
    response = rssi.post(url, {"kind": "cert_sante", "language": "fr"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert NotificationDraft.objects.filter(incident=breach, kind="cert_sante").exists()
    bad = rssi.post(url, {"kind": "fax", "language": "fr"}, HTTP_HX_REQUEST="true")
    assert "Unknown kind of draft." in bad.content.decode()


def test_panel_plain_post_redirects_to_edit(rssi, breach):
    response = rssi.post(
        reverse("response:incident_drafts", args=[breach.pk]), {"kind": "hhs", "language": "en"}
    )
    created = NotificationDraft.objects.get(incident=breach, kind="hhs")
    assert response.status_code == 302
    assert response["Location"] == reverse("response:notificationdraft_edit", args=[created.pk])


def test_panel_read_only_for_auditor(auditor, breach, draft):
    url = reverse("response:incident_drafts", args=[breach.pk])
    content = auditor.get(url).content.decode()
    assert 'name="kind"' not in content
    assert auditor.post(url, {"kind": "cnil", "language": "fr"}).status_code == 403


def test_panel_denied_without_capability_and_other_establishment(staff, breach, incident_b, rssi):
    assert staff.get(reverse("response:incident_drafts", args=[breach.pk])).status_code == 403
    assert rssi.get(reverse("response:incident_drafts", args=[incident_b.pk])).status_code == 404
    assert (
        rssi.post(
            reverse("response:incident_drafts", args=[incident_b.pk]),
            {"kind": "cnil", "language": "fr"},
        ).status_code
        == 404
    )


def test_detail_and_edit_page(rssi, draft):
    detail = rssi.get(reverse("response:notificationdraft_detail", args=[draft.pk]))
    assert detail.status_code == 200
    assert "To complete" in detail.content.decode()
    assert AuditEntry.objects.filter(
        action="view",
        object_type="response.notificationdraft",
        object_id=str(draft.pk),
        establishment_id=draft.incident.establishment_id,
    ).exists()
    edit_url = reverse("response:notificationdraft_edit", args=[draft.pk])
    page = rssi.get(edit_url).content.decode()
    assert 'name="nature.records"' in page
    response = rssi.post(
        edit_url,
        {
            "nature.records": "about 1,300 records",
            "controller.address": "1 Example Street\r\nParis",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert field(draft.content, "nature", "records")["value"] == "about 1,300 records"
    assert field(draft.content, "controller", "address")["value"] == "1 Example Street\nParis"
    assert field(draft.content, "nature", "records")["edited"] is True


def test_edit_too_long_value_is_refused(rssi, draft):
    response = rssi.post(
        reverse("response:notificationdraft_edit", args=[draft.pk]), {"nature.records": "x" * 20001}
    )
    assert response.status_code == 400
    draft.refresh_from_db()
    assert field(draft.content, "nature", "records")["value"] == ""


def test_edit_and_status_denied_to_auditor(auditor, draft):
    assert (
        auditor.get(reverse("response:notificationdraft_detail", args=[draft.pk])).status_code
        == 200
    )
    assert (
        auditor.get(reverse("response:notificationdraft_edit", args=[draft.pk])).status_code == 403
    )
    assert (
        auditor.post(
            reverse("response:notificationdraft_status", args=[draft.pk]), {"status": "sent"}
        ).status_code
        == 403
    )
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_status_change_and_sent_locks(rssi, draft):
    url = reverse("response:notificationdraft_status", args=[draft.pk])
    assert rssi.post(url, {"status": "sent"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "sent"
    rssi.post(url, {"status": "draft"})
    draft.refresh_from_db()
    assert draft.status == "sent"
    page = rssi.get(reverse("response:notificationdraft_edit", args=[draft.pk])).content.decode()
    assert "can no longer be edited" in page


def test_draft_pages_of_other_establishment_are_404(rssi, incident_b, user_b):
    theirs = services.generate_draft(incident_b, "cnil", "fr", user_b)[0]
    for name, args in (
        ("notificationdraft_detail", [theirs.pk]),
        ("notificationdraft_edit", [theirs.pk]),
        ("notificationdraft_export", [theirs.pk, "pdf"]),
    ):
        assert rssi.get(reverse(f"response:{name}", args=args)).status_code == 404
    assert (
        rssi.post(
            reverse("response:notificationdraft_status", args=[theirs.pk]), {"status": "sent"}
        ).status_code
        == 404
    )


@pytest.mark.parametrize("fmt, magic", [("pdf", b"%PDF"), ("docx", b"PK"), ("json", b"{")])
def test_exports_download_and_audit(auditor, draft, fmt, magic):
    before = AuditEntry.objects.filter(action="export").count()
    response = auditor.get(reverse("response:notificationdraft_export", args=[draft.pk, fmt]))
    assert response.status_code == 200
    assert response.content.startswith(magic)
    assert f"INC-2026-0001-cnil-en.{fmt}" in response["Content-Disposition"]
    assert AuditEntry.objects.filter(action="export").count() == before + 1


def test_unknown_export_format_is_404(rssi, draft):
    url = reverse("response:notificationdraft_export", args=[draft.pk, "exe"])
    assert rssi.get(url).status_code == 404


def test_report_pdf(auditor, breach):
    from pypdf import PdfReader

    response = auditor.get(reverse("response:incident_report", args=[breach.pk]))
    assert response.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert breach.reference in text and "Post-incident report" in text
    assert AuditEntry.objects.filter(
        action="export", object_type="response.incident", object_id=str(breach.pk)
    ).exists()


def test_report_of_other_establishment_is_404(rssi, incident_b):
    assert rssi.get(reverse("response:incident_report", args=[incident_b.pk])).status_code == 404


def test_breach_register_page_filters_and_scoping(rssi, breach, incident_b):
    incident_b.personal_data = "true"
    incident_b.save()
    url = reverse("response:breach_register")
    content = rssi.get(url).content.decode()
    assert breach.reference in content
    assert incident_b.reference not in content
    assert breach.reference not in rssi.get(url, {"personal_data": "unknown"}).content.decode()
    assert breach.reference not in rssi.get(url, {"since": "2026-04-01"}).content.decode()
    assert "could not be read" in rssi.get(url, {"since": "yesterday"}).content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_breach_register_exports(auditor, breach, fmt):
    response = auditor.get(reverse("response:breach_register_export", args=[fmt]))
    assert response.status_code == 200
    assert "breach-register-" in response["Content-Disposition"]
    assert AuditEntry.objects.filter(
        action="export",
        object_repr="GDPR breach register",
        establishment_id=breach.establishment_id,
    ).exists()


def test_breach_register_denied_without_capability(staff):
    assert staff.get(reverse("response:breach_register")).status_code == 403
    assert staff.get(reverse("response:breach_register_export", args=["csv"])).status_code == 403


def test_kpi_page(rssi, breach, incident_b):
    response = rssi.get(
        reverse("response:kpi_list"), {"since": "2026-01-01", "until": "2026-12-31"}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "CH Alpha" in content and "Clinique Beta" not in content
    assert "11 h 00 min" in content  # time to detect of the breach


def test_kpi_page_requires_sign_in(client):
    response = client.get(reverse("response:kpi_list"))
    assert response.status_code == 302


def test_obligation_met_late_shows_in_kpis(rssi, breach):
    make_obligation(
        breach,
        "gdpr_art33",
        due=breach.discovered_at + timedelta(hours=72),
        status="done",
        done_at=datetime(2026, 3, 14, tzinfo=UTC),
    )
    content = rssi.get(reverse("response:kpi_list"), {"since": "2026-01-01"}).content.decode()
    assert "1 late" in content
