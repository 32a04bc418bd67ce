"""GDPR register pages: the record of processing activities (standard pages, presets, exports)
and DPIAs (principles, feared events, submit, DPO opinion, risk map, PDF). Synthetic data."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse

from hygie.compliance.models import DPIA, ProcessingActivity
from hygie.core.models import AuditEntry
from hygie.core.testing import login_with_mfa
from tests.apps.core.view_mixins import StandardViewTests

pytestmark = pytest.mark.usefixtures("english")


def make_activity(establishment, name="Dossier patient Alpha", **extra):
    values = {
        "purposes": "Soins",
        "legal_basis": "public_task",
        "has_special_categories": True,
        "special_category_exception": "h",
        "data_subjects": "Patients",
        "data_categories": "Identité",
        "retention": "20 ans",
        "security_measures": "Habilitations",
        **extra,
    }
    return ProcessingActivity.objects.create(establishment=establishment, name=name, **values)


def activity_form(establishment, **extra):
    return {
        "establishment": establishment.pk,
        "name": "Vidéoprotection Zeta",
        "status": "draft",
        "purposes": "Sécurité",
        "legal_basis": "legitimate_interests",
        "data_subjects": "Visiteurs",
        "data_categories": "Images",
        "retention": "Un mois",
        "security_measures": "Accès journalisé",
        **extra,
    }


class TestProcessingActivityPages(StandardViewTests):
    url_base = "compliance:processingactivity"
    denied_role = "staff"
    writer_role = "dpo"
    read_only_role = "rssi"  # sees the record, may not change it

    def make_object(self, establishment):
        return make_activity(establishment, name=f"Traitement {establishment.name} Omega")

    def model(self):
        return ProcessingActivity

    def form_data(self, establishment):
        return activity_form(establishment)

    def edit_data(self, obj):
        return activity_form(obj.establishment, name="Renamed Omega", status="active")

    def expected_after_edit(self):
        return {"name": "Renamed Omega", "status": "active"}


class TestDPIAPages(StandardViewTests):
    url_base = "compliance:dpia"
    denied_role = "staff"
    writer_role = "dpo"
    read_only_role = "auditor"

    def make_object(self, establishment):
        activity = make_activity(establishment, name=f"DPI {establishment.name}")
        return DPIA.objects.create(
            establishment=establishment, processing=activity, title=f"AIPD {establishment.name}"
        )

    def model(self):
        return DPIA

    def form_data(self, establishment):
        activity = make_activity(establishment, name="DPI form")
        return {
            "establishment": establishment.pk,
            "processing": activity.pk,
            "title": "AIPD DPI",
            "description": "Dossier patient",
        }

    def edit_data(self, obj):
        return {
            "establishment": obj.establishment_id,
            "processing": obj.processing_id,
            "title": "AIPD renamed",
        }

    def expected_after_edit(self):
        return {"title": "AIPD renamed"}


@pytest.fixture
def dpo(make_user, establishment_a):
    return login_with_mfa(Client(), make_user("dora", "dpo", [establishment_a]))


def test_new_processing_from_a_preset_prefills_the_form(dpo, establishment_a):
    url = reverse("compliance:processingactivity_add") + "?preset=patient-record"
    page = dpo.get(url).content.decode()
    assert "Electronic patient record (EHR)" in page
    assert "R.1112-7" in page  # the retention period of the preset
    assert 'value="patient-record"' in page  # kept in a hidden field
    data = activity_form(
        establishment_a,
        name="EHR",
        preset_key="patient-record",
        has_special_categories="on",
        special_category_exception="h",
        dpia_criteria=["sensitive_data", "large_scale"],
    )
    response = dpo.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    created = ProcessingActivity.objects.get(name="EHR")
    assert created.preset == "patient-record"
    assert created.is_dpia_required
    detail = dpo.get(reverse("compliance:processingactivity_detail", args=[created.pk]))
    text = detail.content.decode()
    assert "DPIA required" in text and "Start a DPIA" in text


def test_list_offers_presets_exports_and_the_breach_register(dpo, establishment_a):
    make_activity(establishment_a)
    page = dpo.get(reverse("compliance:processingactivity_list")).content.decode()
    assert "Video surveillance of the premises" in page
    assert reverse("compliance:processingactivity_export", args=["xlsx"]) in page
    assert reverse("response:breach_register") in page
    assert "breaches recorded" in page or "breach recorded" in page


def test_special_categories_need_an_exception(dpo, establishment_a):
    response = dpo.post(
        reverse("compliance:processingactivity_add"),
        activity_form(establishment_a, has_special_categories="on"),
    )
    assert response.status_code == 422
    assert "art. 9(2) exception" in response.content.decode()
    response = dpo.post(
        reverse("compliance:processingactivity_add"),
        activity_form(establishment_a, transfers_outside_eu="on"),
    )
    assert response.status_code == 422


def test_exports_csv_xlsx_pdf_are_scoped_and_audited(dpo, establishment_a, establishment_b):
    make_activity(establishment_a, name="=HYPERLINK(evil)")
    make_activity(establishment_b, name="Hidden Beta processing")
    csv = dpo.get(reverse("compliance:processingactivity_export", args=["csv"]))
    assert csv.status_code == 200
    text = csv.content.decode("utf-8-sig")
    assert "'=HYPERLINK(evil)" in text  # neutralised against formula injection
    assert "Hidden Beta" not in text
    assert "Legal basis (art. 6)" in text.splitlines()[0]
    xlsx = dpo.get(reverse("compliance:processingactivity_export", args=["xlsx"]))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert sheet.cell(row=2, column=2).value == "'=HYPERLINK(evil)"
    pdf = dpo.get(reverse("compliance:processingactivity_export", args=["pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert dpo.get(reverse("compliance:processingactivity_export", args=["doc"])).status_code == 404
    assert (
        AuditEntry.objects.filter(action="export", establishment_id=establishment_a.pk).count() == 3
    )


def test_dpia_workflow_from_principles_to_dpo_opinion(dpo, establishment_a):
    activity = make_activity(establishment_a)
    dpia = DPIA.objects.create(
        establishment=establishment_a, processing=activity, title="AIPD DPI", action_plan="Revue"
    )
    assert dpia.risks.count() == 3
    detail_url = reverse("compliance:dpia_detail", args=[dpia.pk])
    # Submitting an empty DPIA is refused with the reasons.
    dpo.post(reverse("compliance:dpia_submit", args=[dpia.pk]))
    dpia.refresh_from_db()
    assert dpia.status == "draft"
    principles = {}
    from hygie.compliance.engine.dpia import PRINCIPLE_KEYS

    for key in PRINCIPLE_KEYS:
        principles[f"{key}__evaluation"] = "acceptable"
        principles[f"{key}__comment"] = "ok"
    response = dpo.post(reverse("compliance:dpia_principles", args=[dpia.pk]), principles)
    assert response.status_code == 302
    for risk in dpia.risks.all():
        response = dpo.post(
            reverse("compliance:dpia_risk_edit", args=[dpia.pk, risk.pk]),
            {
                "sources": "Attaquant",
                "threats": "Rançongiciel",
                "impacts": "Soins interrompus",
                "existing_measures": "Sauvegardes",
                "planned_measures": "Copie hors ligne",
                "severity": 4,
                "likelihood": 3,
                "residual_severity": 4,
                "residual_likelihood": 1,
            },
        )
        assert response.status_code == 302
    page = dpo.get(detail_url).content.decode()
    assert 'role="img"' in page and "Risk map" in page  # the chart, named
    assert "Disappearance of data, after the planned measures" in page  # its text alternative
    assert dpo.post(reverse("compliance:dpia_submit", args=[dpia.pk])).status_code == 302
    dpia.refresh_from_db()
    assert dpia.status == "submitted"
    # Reservations need reasons.
    response = dpo.post(
        reverse("compliance:dpia_validate", args=[dpia.pk]),
        {"dpo_decision": "with_reservations", "dpo_opinion": ""},
    )
    assert response.status_code == 422
    response = dpo.post(
        reverse("compliance:dpia_validate", args=[dpia.pk]),
        {"dpo_decision": "favourable", "dpo_opinion": "Conforme"},
    )
    assert response.status_code == 302
    dpia.refresh_from_db()
    assert dpia.status == "validated" and dpia.validated_by.username == "dora"
    assert dpia.validated_at is not None
    assert AuditEntry.objects.filter(
        object_type="compliance.dpia", object_id=str(dpia.pk), action="update"
    ).exists()
    pdf = dpo.get(reverse("compliance:dpia_pdf", args=[dpia.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # A change after validation sends the DPIA back to work.
    risk = dpia.risks.first()
    dpo.post(
        reverse("compliance:dpia_risk_edit", args=[dpia.pk, risk.pk]),
        {"severity": 4, "likelihood": 3, "residual_severity": 4, "residual_likelihood": 2},
    )
    dpia.refresh_from_db()
    assert dpia.status == "in_progress" and dpia.validated_at is None


def test_rssi_reads_but_may_not_validate(make_user, establishment_a):
    rssi = login_with_mfa(Client(), make_user("ray", "rssi", [establishment_a]))
    activity = make_activity(establishment_a)
    dpia = DPIA.objects.create(establishment=establishment_a, processing=activity, title="AIPD")
    assert rssi.get(reverse("compliance:dpia_detail", args=[dpia.pk])).status_code == 200
    assert rssi.get(reverse("compliance:dpia_validate", args=[dpia.pk])).status_code == 403
    assert rssi.post(reverse("compliance:dpia_submit", args=[dpia.pk])).status_code == 403


def test_nested_risk_of_another_dpia_is_404(dpo, establishment_a, establishment_b):
    mine = DPIA.objects.create(
        establishment=establishment_a, processing=make_activity(establishment_a), title="A"
    )
    theirs = DPIA.objects.create(
        establishment=establishment_b, processing=make_activity(establishment_b), title="B"
    )
    foreign_risk = theirs.risks.first()
    url = reverse("compliance:dpia_risk_edit", args=[mine.pk, foreign_risk.pk])
    assert dpo.get(url).status_code == 404
    assert dpo.post(url, {"severity": 1}).status_code == 404
    assert dpo.get(reverse("compliance:dpia_pdf", args=[theirs.pk])).status_code == 404


def test_dpia_processing_must_be_of_the_same_establishment(
    make_user, establishment_a, establishment_b
):
    admin = login_with_mfa(
        Client(),
        make_user("ada", "admin", [establishment_a, establishment_b], all_establishments=True),
    )
    other = make_activity(establishment_b)
    response = admin.post(
        reverse("compliance:dpia_add"),
        {"establishment": establishment_a.pk, "processing": other.pk, "title": "Mixed"},
    )
    assert response.status_code == 422
    assert not DPIA.objects.filter(title="Mixed").exists()
