"""Incident evidence: upload through the core checks, SHA-256, chain of custody, downloads,
hand-over/seal/return, and integrity verification against the stored bytes."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hygie.core.models import Alert, AuditEntry, Evidence
from hygie.response.models import CustodyEvent, IncidentEvidence, TimelineEntry
from hygie.response.services import evidence as service

pytestmark = pytest.mark.usefixtures("english")

CONTENT = b"2026-03-10 03:12 srv-fichiers-01 rename *.docx -> *.crypt (journal synthetique)\n"


def upload(name="journal.log", content=CONTENT):
    return SimpleUploadedFile(name, content, content_type="text/plain")


@pytest.fixture
def item(user_a, incident):
    return service.attach_evidence(
        user_a, incident, title="Journal du serveur", uploaded_file=upload(), location="Coffre DSI"
    )


def test_attach_hashes_and_opens_the_chain(item, user_a, incident):
    evidence = item.evidence
    assert evidence.sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert evidence.size == len(CONTENT)
    assert evidence.collected_by == user_a
    assert evidence.subject == incident
    assert item.holder == user_a.get_username() and item.location == "Coffre DSI"
    (event,) = item.custody.all()
    assert (event.action, event.actor, event.sha256_verified) == (
        "collected",
        user_a,
        evidence.sha256,
    )
    assert TimelineEntry.objects.filter(
        incident=incident, text__startswith="Evidence added: Journal"
    ).exists()


def test_attach_refuses_bad_files_and_leaves_nothing(user_a, incident):
    with pytest.raises(ValidationError):
        service.attach_evidence(
            user_a,
            incident,
            title="Faux PDF",
            uploaded_file=upload("rapport.pdf", b"MZ\x90\x00binary"),
        )
    with pytest.raises(ValidationError):
        service.attach_evidence(user_a, incident, title="", uploaded_file=upload())
    assert not IncidentEvidence.objects.exists() and not Evidence.objects.exists()


def test_attach_requires_capabilities(make_user, establishment_a, incident, user_b):
    dpo = make_user("dpo", "dpo", [establishment_a])  # may add evidence, not manage incidents
    with pytest.raises(PermissionDenied):
        service.attach_evidence(dpo, incident, title="x", uploaded_file=upload())
    with pytest.raises(PermissionDenied):
        service.attach_evidence(user_b, incident, title="x", uploaded_file=upload())


def test_download_is_a_link_of_the_chain_and_audited(item, user_a):
    handle, content_type, name = service.open_evidence(user_a, item)
    # A neutral name: the uploaded one may name a patient (issue 9, defect 7).
    assert handle.read() == CONTENT and name == f"evidence-{item.evidence.pk}.log"
    handle.close()
    assert item.custody.filter(action="downloaded", actor=user_a).exists()
    assert AuditEntry.objects.filter(
        action="export", object_type="core.evidence", object_id=str(item.evidence.pk)
    ).exists()


def test_hand_over_seal_and_return(item, user_a):
    with pytest.raises(ValidationError):
        service.record_custody(user_a, item, "transferred")
    with pytest.raises(ValidationError):
        service.record_custody(user_a, item, "sealed")
    with pytest.raises(ValidationError):
        service.record_custody(user_a, item, "verified")  # computed by the platform only
    service.record_custody(user_a, item, "sealed", note="Scellé n° 2026-114")
    service.record_custody(
        user_a,
        item,
        "transferred",
        counterpart="Gendarmerie, OPJ Exemple",
        location="Brigade de recherches",
    )
    item.refresh_from_db()
    assert item.holder == "Gendarmerie, OPJ Exemple" and item.location == "Brigade de recherches"
    service.record_custody(user_a, item, "returned", counterpart="RSSI")
    item.refresh_from_db()
    assert item.holder == "RSSI"
    assert [e.action for e in item.custody.order_by("pk")] == [
        "collected",
        "sealed",
        "transferred",
        "returned",
    ]


def test_verify_matches_then_detects_tampering(item, user_a, incident):
    result = service.verify_evidence(user_a, item)
    assert result.matches and result.computed == item.evidence.sha256
    assert result.event.sha256_verified == item.evidence.sha256
    # Someone alters the stored bytes behind the platform's back.
    storage = item.evidence.file.storage
    name = item.evidence.file.name
    storage.delete(name)
    storage.save(name, upload(content=CONTENT + b"altered"))
    tampered = service.verify_evidence(user_a, item)
    assert not tampered.matches
    assert tampered.computed == hashlib.sha256(CONTENT + b"altered").hexdigest()
    assert tampered.event.note.startswith("MISMATCH")
    assert Alert.objects.filter(
        rule_id="response.evidence_integrity", establishment=incident.establishment
    ).exists()
    assert TimelineEntry.objects.filter(
        incident=incident, text__contains="FAILED verification"
    ).exists()


def test_verify_missing_file(item, user_a):
    item.evidence.file.storage.delete(item.evidence.file.name)
    result = service.verify_evidence(user_a, item)
    assert not result.matches and result.computed == ""
    assert CustodyEvent.objects.filter(
        item=item, action="verified", note__startswith="file missing"
    ).exists()


# --- pages ------------------------------------------------------------------------------------


def test_upload_download_and_verify_pages(client_a, incident):
    url = reverse("response:incident_evidence", args=[incident.pk])
    response = client_a.post(url, {"evidence-title": "Capture", "evidence-file": upload()})
    assert response.status_code == 302
    item = IncidentEvidence.objects.get(incident=incident)
    download = client_a.get(
        reverse("response:incident_evidence_download", args=[incident.pk, item.pk])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == CONTENT
    assert "attachment" in download["Content-Disposition"]
    verify = client_a.post(
        reverse("response:incident_evidence_verify", args=[incident.pk, item.pk]),
        HTTP_HX_REQUEST="true",
    )
    assert verify.status_code == 200
    assert "Integrity verified" in verify.content.decode()
    custody = client_a.post(
        reverse("response:incident_evidence_custody", args=[incident.pk, item.pk]),
        {"custody-action": "transferred", "custody-counterpart": "CERT"},
        HTTP_HX_REQUEST="true",
    )
    assert "CERT" in custody.content.decode()


def test_upload_page_shows_refusal(client_a, incident):
    url = reverse("response:incident_evidence", args=[incident.pk])
    response = client_a.post(
        url,
        {"evidence-title": "x", "evidence-file": upload("a.pdf", b"not a pdf")},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "not accepted" in response.content.decode()
    assert not IncidentEvidence.objects.exists()


def test_evidence_of_other_establishment_is_404(client_a, incident_b, user_b):
    item = service.attach_evidence(user_b, incident_b, title="x", uploaded_file=upload())
    assert (
        client_a.get(
            reverse("response:incident_evidence_download", args=[incident_b.pk, item.pk])
        ).status_code
        == 404
    )
    assert (
        client_a.post(
            reverse("response:incident_evidence_verify", args=[incident_b.pk, item.pk])
        ).status_code
        == 404
    )
