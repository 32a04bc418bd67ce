"""Notification drafts: generation from the incident, edits kept, statuses, exports (real files)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from hygie.core.models import AuditEntry
from hygie.response.models import IncidentObligation, NotificationDraft, Task, TimelineEntry
from hygie.response.services import drafts as services

pytestmark = pytest.mark.django_db


def make_obligation(
    incident, obligation_id, *, applies=True, due=None, status="pending", done_at=None, title=None
):
    # update_or_create: saving an incident may already have assessed its obligations.
    obligation, _ = IncidentObligation.objects.update_or_create(
        incident=incident,
        obligation_id=obligation_id,
        defaults=dict(
            title=title or obligation_id,
            applies=applies,
            reason="synthetic",
            recipient="CNIL" if "gdpr" in obligation_id else "ARS",
            legal_basis="test",
            verification="UNVERIFIED",
            trigger_at=incident.discovered_at,
            due_at=due,
            status=status,
            done_at=done_at,
            assessed_at=incident.discovered_at,
        ),
    )
    return obligation


@pytest.fixture
def breach(incident):
    """The shared ransomware incident, with personal data and a few facts the drafts read."""
    incident.personal_data = "true"
    incident.data_categories = ["health", "identity"]
    incident.individuals_affected = 1200
    incident.risk_to_individuals = "high"
    incident.description = "Chiffrement constaté sur SRV-FICHIERS-01 par l'équipe de nuit."
    incident.occurred_at = datetime(2026, 3, 9, 22, 0, tzinfo=UTC)
    incident.contained_at = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    incident.save()
    make_obligation(incident, "cert_sante")
    make_obligation(incident, "gdpr_art33", due=incident.discovered_at + timedelta(hours=72))
    make_obligation(incident, "gdpr_art34")
    for obligation_id in ("nis2_early_warning", "nis2_notification", "nis2_final_report"):
        make_obligation(incident, obligation_id, applies=False)
    Task.objects.create(
        incident=incident,
        title="Isoler le serveur de fichiers",
        status="done",
        completed_at=datetime(2026, 3, 10, 10, 0, tzinfo=UTC),
    )
    Task.objects.create(incident=incident, title="Restaurer les sauvegardes", status="todo")
    return incident


def field(content, group, key):
    for g in content["groups"]:
        if g["key"] == group:
            for f in g["fields"]:
                if f["key"] == key:
                    return f
    raise KeyError((group, key))


def test_generate_prefills_from_incident_and_marks_unknowns(breach, user_a):
    draft, created = services.generate_draft(breach, "cnil", "fr", user_a)
    assert created
    content = draft.content
    assert field(content, "nature", "individuals")["value"] == "1200"
    assert "Données de santé" in field(content, "nature", "data_categories")["value"]
    assert "Isoler le serveur de fichiers" in field(content, "measures", "taken")["value"]
    assert "Restaurer" not in field(content, "measures", "taken")["value"]  # not done yet
    records = field(content, "nature", "records")
    assert records["value"] == "" and records["to_complete"] is True and records["help"]
    assert field(content, "declarant", "email")["value"] == user_a.email
    assert TimelineEntry.objects.filter(incident=breach, text__contains="CNIL").exists()


def test_suggested_kinds_follow_applying_obligations(breach):
    assert services.suggested_draft_kinds(breach) == ["cert_sante", "cnil", "individuals_letter"]


def test_regenerate_keeps_edits_unless_reset(breach, user_a):
    draft, _ = services.generate_draft(breach, "cert_sante", "fr", user_a)
    services.update_draft(
        draft,
        {
            "structure.address": "1 rue de l'Exemple, 75000 Paris",
            "description.summary": "Titre revu",
        },
        user_a,
    )
    breach.title = "Nouveau titre"
    breach.individuals_affected = 1500
    breach.save()
    draft, created = services.generate_draft(breach, "cert_sante", "fr", user_a)
    assert not created
    assert field(draft.content, "structure", "address")["value"].startswith("1 rue")
    assert field(draft.content, "structure", "address")["to_complete"] is False
    assert field(draft.content, "description", "summary")["value"] == "Titre revu"
    assert "1500" in field(draft.content, "impacts", "on_data")["value"]  # not edited: refreshed
    draft, _ = services.generate_draft(breach, "cert_sante", "fr", user_a, reset=True)
    assert field(draft.content, "structure", "address")["value"] == ""
    assert field(draft.content, "description", "summary")["value"] == "Nouveau titre"
    assert [h["event"] for h in draft.content["history"]] == ["generated", "regenerated", "reset"]


def test_update_rejects_unknown_fields_and_writes_nothing(breach, user_a):
    draft, _ = services.generate_draft(breach, "cnil", "en", user_a)
    with pytest.raises(ValidationError) as error:
        services.update_draft(draft, {"nature.records": "40", "nope.field": "x"}, user_a)
    assert "nope.field" in str(error.value)
    draft.refresh_from_db()
    assert field(draft.content, "nature", "records")["value"] == ""


def test_status_flow_and_sent_is_final(breach, user_a):
    draft, _ = services.generate_draft(breach, "cnil", "fr", user_a)
    draft = services.set_status(draft, "final", user_a)
    draft = services.set_status(draft, "sent", user_a)
    assert draft.content["sent_at"]
    assert TimelineEntry.objects.filter(incident=breach, kind="log", text__contains="CNIL").exists()
    assert services.matching_obligation(draft).obligation_id == "gdpr_art33"
    with pytest.raises(ValidationError):
        services.set_status(draft, "draft", user_a)
    with pytest.raises(ValidationError):
        services.update_draft(draft, {"nature.records": "1"}, user_a)
    with pytest.raises(ValidationError):
        services.generate_draft(breach, "cnil", "fr", user_a)


def test_bad_kind_or_language_is_a_clear_error(breach, user_a):
    with pytest.raises(ValidationError) as error:
        services.generate_draft(breach, "fax", "de", user_a)
    assert set(error.value.message_dict) == {"kind", "language"}
    assert not NotificationDraft.objects.exists()


def test_pdf_export_contains_reference_and_marks_fields(breach, user_a):
    from pypdf import PdfReader

    draft, _ = services.generate_draft(breach, "cert_sante", "fr", user_a)
    exported = services.export_draft(draft, "pdf")
    assert exported.data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(exported.data)).pages)
    assert breach.reference in text
    assert "CH Alpha" in text
    assert "[À COMPLÉTER]" in text
    assert "champ(s) à compléter" in text
    assert exported.filename == "INC-2026-0001-cert_sante-fr.pdf"


def test_docx_export_opens_and_highlights_fields_to_complete(breach, user_a):
    from docx import Document
    from docx.enum.text import WD_COLOR_INDEX

    draft, _ = services.generate_draft(breach, "individuals_letter", "en", user_a)
    exported = services.export_draft(draft, "docx")
    document = Document(io.BytesIO(exported.data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "What happened" in cells
    assert any("TO COMPLETE" in text for text in cells)
    highlighted = [
        run.text
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for p in cell.paragraphs
        for run in p.runs
        if run.font.highlight_color == WD_COLOR_INDEX.YELLOW
    ]
    assert "[TO COMPLETE]" in highlighted
    assert document.core_properties.subject == breach.reference


def test_json_export_schema_and_audit(breach, user_a):
    draft, _ = services.generate_draft(breach, "nis2_notification", "en", user_a)
    before = AuditEntry.objects.filter(action="export").count()
    exported = services.export_draft(draft, "json")
    document = json.loads(exported.data)
    assert document["schema"] == "hygie.response.draft/1"
    assert document["incident"]["reference"] == breach.reference
    assert document["kind"] == "nis2_notification" and document["language"] == "en"
    assert document["to_complete"] == sum(
        f["to_complete"] for g in document["groups"] for f in g["fields"]
    )
    assert set(document["groups"][0]["fields"][0]) == {
        "key",
        "label",
        "value",
        "to_complete",
        "help",
    }
    entry = AuditEntry.objects.filter(action="export").latest("sequence")
    assert AuditEntry.objects.filter(action="export").count() == before + 1
    assert entry.object_type == "response.notificationdraft"
    assert entry.establishment_id == breach.establishment_id
    assert "json" in entry.message


def test_unknown_export_format(breach, user_a):
    draft, _ = services.generate_draft(breach, "hhs", "en", user_a)
    with pytest.raises(ValidationError):
        services.export_draft(draft, "exe")


def test_dpo_account_fills_the_contact(breach, user_a, make_user, establishment_a):
    make_user("dora", "dpo", [establishment_a], first_name="Dora", last_name="Delorme")
    draft, _ = services.generate_draft(breach, "individuals_letter", "fr", user_a)
    assert "Dora Delorme" in field(draft.content, "letter", "contact")["value"]
    assert (
        "dora@example.org" in field(draft.content, "dpo", "email")["value"]
        if any(g["key"] == "dpo" for g in draft.content["groups"])
        else True
    )


def test_engine_kinds_match_the_stored_choices():
    from hygie.response.choices import DraftKind
    from hygie.response.engine.drafts import DraftKind as EngineKind

    assert set(DraftKind.values) == {kind.value for kind in EngineKind}
