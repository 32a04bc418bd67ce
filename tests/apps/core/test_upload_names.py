"""Issue 9, defect 7: an uploaded file's name may itself name a patient.

Uploads are stored under their digest (one file per content); the original name is personal
data: masked in pages, lists and API answers, absent from the audit trail and downloads, shown
in full only to a user with ``evidence.reveal_names`` on an explicit request, which is audited.
Names here are synthetic.
"""

import hashlib
import importlib
import json
import stat
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hygie.core.models import AuditEntry, Evidence
from hygie.core.services.evidence import add_evidence
from tests.apps.core.api_support import APIClient, issue_token
from tests.apps.core.view_mixins import english  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NAME = "CR_FICTIF_Zoe_1954.pdf"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def evidence(establishment_a, user_a):
    return add_evidence(
        establishment_a, user_a, "Compte rendu", uploaded_file=SimpleUploadedFile(NAME, PDF)
    )


def _trail() -> str:
    return json.dumps(
        [[e.message, e.object_repr, e.changes] for e in AuditEntry.objects.all()],
        ensure_ascii=False,
    )


def test_the_file_is_stored_at_its_digest_once_per_content(evidence, establishment_a, user_a):
    digest = hashlib.sha256(PDF).hexdigest()
    assert evidence.file.name == f"evidence/{digest[:2]}/{digest}"
    again = add_evidence(
        establishment_a, user_a, "Même contenu", uploaded_file=SimpleUploadedFile("autre.pdf", PDF)
    )
    assert again.file.name == evidence.file.name  # shared, not "<digest>_AbC123"
    assert again.file.read() == PDF
    stored = Path(evidence.file.path)
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600  # owner-only (defect 7)
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700


def test_the_name_is_masked_in_pages_api_downloads_and_the_audit_trail(client_a, evidence, user_a):
    assert evidence.original_name == NAME
    pages = [
        client_a.get(reverse("core:evidence_detail", args=[evidence.pk])),
        client_a.get(reverse("core:evidence_list")),
    ]
    assert all(page.status_code == 200 for page in pages)
    assert all("FICTIF" not in page.content.decode() for page in pages)
    assert "••••.pdf" in pages[0].content.decode()
    download = client_a.get(reverse("core:evidence_download", args=[evidence.pk]))
    assert download["Content-Disposition"] == f'attachment; filename="evidence-{evidence.pk}.pdf"'
    api = APIClient(issue_token(user_a, "read"))
    detail = api.get(f"/evidence/{evidence.pk}").json()
    assert detail["file_name"] == "••••.pdf" and "original_name" not in detail
    assert "FICTIF" not in api.get("/evidence").content.decode()
    assert "FICTIF" not in _trail()


def test_a_soc_analyst_cannot_reveal_the_name(client, login, make_user, establishment_a, evidence):
    analyst = make_user("soc", "soc_analyst", [establishment_a])
    login(analyst)
    page = client.get(reverse("core:evidence_detail", args=[evidence.pk])).content.decode()
    assert "Show the original file name" not in page
    refused = client.post(reverse("core:evidence_reveal_name", args=[evidence.pk]))
    assert refused.status_code == 403 and "FICTIF" not in refused.content.decode()
    api = APIClient(issue_token(analyst, "write"))
    assert api.post(f"/evidence/{evidence.pk}/file-name").status_code == 403
    assert not AuditEntry.objects.filter(message="original file name shown").exists()


def test_an_rssi_reveals_the_name_on_request_and_the_look_is_audited(client_a, evidence, user_a):
    page = client_a.get(reverse("core:evidence_detail", args=[evidence.pk])).content.decode()
    assert "Show the original file name" in page and "FICTIF" not in page
    shown = client_a.post(reverse("core:evidence_reveal_name", args=[evidence.pk]))
    assert shown.status_code == 200 and NAME in shown.content.decode()
    assert shown["Cache-Control"] == "no-store"
    api = APIClient(issue_token(user_a, "write"))
    answer = api.post(f"/evidence/{evidence.pk}/file-name")
    assert answer.status_code == 200 and answer.json()["original_name"] == NAME
    looks = AuditEntry.objects.filter(
        message="original file name shown", object_id=str(evidence.pk)
    )
    assert looks.count() == 2
    assert "FICTIF" not in _trail()  # the entries say a name was shown, never which


def test_files_stored_before_content_addressing_move_to_their_digest(evidence):
    storage = evidence.file.storage
    digest = hashlib.sha256(PDF).hexdigest()
    old = storage.save(f"evidence/{digest[:2]}/{digest}_OLDCOPY", ContentFile(PDF))
    tampered = Evidence.objects.create(
        establishment=evidence.establishment, title="Altéré", sha256="0" * 64, size=3
    )
    tampered_name = storage.save("evidence/00/legacy-name.txt", ContentFile(b"abc"))
    Evidence.objects.filter(pk=tampered.pk).update(file=tampered_name)
    duplicate = Evidence.objects.create(
        establishment=evidence.establishment, title="Doublon", sha256=digest, size=len(PDF)
    )
    Evidence.objects.filter(pk=duplicate.pk).update(file=old)

    migration = importlib.import_module("hygie.core.migrations.0003_uploads_and_files")
    migration.move_files_to_their_digest(apps, None)
    duplicate.refresh_from_db()
    assert duplicate.file.name == evidence.file.name and not storage.exists(old)
    tampered.refresh_from_db()  # bytes that no longer match their hash stay where they are
    assert tampered.file.name == tampered_name and storage.exists(tampered_name)
