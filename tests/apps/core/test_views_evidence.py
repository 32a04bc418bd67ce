"""Evidence pages and uploads: size limit, content type by magic bytes, SHA-256, download."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hygie.core.models import Evidence
from hygie.core.services.evidence import add_evidence
from tests.apps.core.view_mixins import ReadOnlyViewTests, english  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class TestEvidencePages(ReadOnlyViewTests):
    url_base = "core:evidence"
    denied_role = "staff"

    def make_object(self, establishment):
        return add_evidence(
            establishment,
            None,
            f"Sauvegarde testée {establishment.name}",
            snapshot={"restored": True},
        )


def _upload(client, establishment, name, content, title="Rapport PRA"):
    return client.post(
        reverse("core:evidence_add"),
        {
            "establishment": establishment.pk,
            "title": title,
            "description": "",
            "file": SimpleUploadedFile(name, content),
        },
    )


def test_upload_pdf_stores_digest_and_downloads_as_attachment(client_a, establishment_a):
    response = _upload(client_a, establishment_a, "rapport-Dupont.pdf", PDF)
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert evidence.size == len(PDF)
    assert evidence.content_type_label == "application/pdf"
    assert "Dupont" not in evidence.file.name  # stored under its digest, not its name
    download = client_a.get(reverse("core:evidence_download", args=[evidence.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert b"".join(download.streaming_content) == PDF


def test_oversized_upload_is_refused_while_it_arrives(client_a, establishment_a, settings):
    settings.HYGIE_MAX_UPLOAD_BYTES = 1024
    response = _upload(client_a, establishment_a, "gros.pdf", PDF + b"0" * 2048)
    assert response.status_code == 413
    content = response.content.decode()
    assert "too large" in content and "This field is required" not in content
    assert not Evidence.objects.exists()


def test_service_refuses_oversized_files_too(establishment_a, user_a, settings):
    from django.core.exceptions import ValidationError

    settings.HYGIE_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ValidationError, match="too large"):
        add_evidence(
            establishment_a,
            user_a,
            "Gros",
            uploaded_file=SimpleUploadedFile("gros.pdf", PDF + b"0" * 2048),
        )
    assert not Evidence.objects.exists()


def test_upload_still_requires_the_csrf_token(user_a, establishment_a):
    from django.test import Client

    from hygie.core.testing import login_with_mfa

    client = login_with_mfa(Client(enforce_csrf_checks=True), user_a)
    response = _upload(client, establishment_a, "a.pdf", PDF)
    assert response.status_code == 403
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "name,content",
    [
        ("programme.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),  # executable named .pdf
        ("page.html", b"<html><script>alert(1)</script></html>"),  # not an allowed type
        ("image.png", PDF),  # content ≠ extension
        ("notes.txt", b"\x00\x01\x02binary"),  # binary as text
    ],
)
def test_wrong_content_type_is_refused(client_a, establishment_a, name, content):
    response = _upload(client_a, establishment_a, name, content)
    assert response.status_code == 422
    assert "not accepted" in response.content.decode()
    assert not Evidence.objects.exists()


def test_office_documents_are_told_apart_from_archives(establishment_a, user_a):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    upload = SimpleUploadedFile("politique.docx", buffer.getvalue())
    evidence = add_evidence(establishment_a, user_a, "PSSI", uploaded_file=upload)
    assert evidence.content_type_label.endswith("wordprocessingml.document")
    renamed = SimpleUploadedFile("politique.xlsx", buffer.getvalue())
    with pytest.raises(Exception, match="not accepted"):
        add_evidence(establishment_a, user_a, "PSSI", uploaded_file=renamed)


def test_upload_into_other_establishment_is_refused(client_a, establishment_b):
    response = _upload(client_a, establishment_b, "a.pdf", PDF)
    assert response.status_code == 422
    assert not Evidence.objects.exists()


def test_upload_needs_capability(make_user, login, client, establishment_a):
    login(make_user("audit", "auditor", [establishment_a]))
    assert client.get(reverse("core:evidence_add")).status_code == 403
    assert _upload(client, establishment_a, "a.pdf", PDF).status_code == 403


def test_download_of_other_establishment_is_404(client_a, establishment_b):
    evidence = add_evidence(establishment_b, None, "Secret", snapshot={"x": 1})
    assert client_a.get(reverse("core:evidence_download", args=[evidence.pk])).status_code == 404


def test_upload_with_a_valid_csrf_token_is_accepted(user_a, establishment_a):
    from django.test import Client

    from hygie.core.testing import login_with_mfa

    client = login_with_mfa(Client(enforce_csrf_checks=True), user_a)
    client.get(reverse("core:evidence_add"))
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("core:evidence_add"),
        {
            "establishment": establishment_a.pk,
            "title": "PRA",
            "description": "",
            "file": SimpleUploadedFile("pra.pdf", PDF),
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302
    assert Evidence.objects.count() == 1
