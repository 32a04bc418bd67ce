"""Reported-mail triage pages and API: upload, queue, detail (defanged links, subject to triage
users only), verdict form, mailbox settings (password never rendered back)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hygie.awareness.models import ReportedMail, ReportMailbox
from hygie.awareness.services import mailboxes
from hygie.core.models import Alert, Person
from tests.apps.core.api_support import API, APIClient, issue_token
from tests.apps.core.view_mixins import english  # noqa: F401  (shared fixture)

from .triage_mails import SUBJECT, forwarded, phishing

pytestmark = pytest.mark.django_db


def _upload(client, establishment, data: bytes):
    return client.post(
        reverse("awareness:reportedmail_upload"),
        {"establishment": establishment.pk, "file": SimpleUploadedFile("m.eml", data)},
    )


@pytest.mark.usefixtures("english")
def test_staff_uploads_analyst_triages(client, login, make_user, establishment_a):
    Person.objects.create(
        establishment=establishment_a, first_name="M", last_name="C", email="m@chu-exemple.fr"
    )
    staff = make_user("nurse", "staff", [establishment_a])
    login(staff)
    response = _upload(client, establishment_a, forwarded(phishing()))
    assert response.status_code == 302 and response.url == reverse("awareness:reportedmail_upload")
    report = ReportedMail.objects.get()
    assert report.reporter_email == staff.email and report.channel == "upload"
    # Staff do not see the queue (nor the subject).
    assert client.get(reverse("awareness:reportedmail_list")).status_code == 403
    assert client.get(reverse("awareness:reportedmail_detail", args=[report.pk])).status_code == 403

    analyst = make_user("soc", "soc_analyst", [establishment_a])
    login(analyst)
    listing = client.get(reverse("awareness:reportedmail_list")).content.decode()
    assert "it@chu-exernple.fr" in listing and SUBJECT not in listing
    page = client.get(reverse("awareness:reportedmail_detail", args=[report.pk])).content.decode()
    assert SUBJECT in page
    assert "hxxps://login[.]chu-exernple[.]fr/dpi" in page
    assert 'href="https://login.chu-exernple.fr' not in page
    assert "A domain imitates one of ours" in page
    response = client.post(
        reverse("awareness:reportedmail_verdict", args=[report.pk]), {"verdict": "phishing"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.verdict == "phishing" and Alert.objects.filter(source="awareness").count() == 1


@pytest.mark.usefixtures("english")
def test_upload_refuses_a_file_that_is_no_mail(client, login, user_a, establishment_a):
    login(user_a)
    response = _upload(client, establishment_a, b"%PDF-1.4 not a mail")
    assert response.status_code == 422
    assert "not an e-mail message" in response.content.decode()
    assert ReportedMail.objects.count() == 0


@pytest.mark.usefixtures("english")
def test_mailbox_password_never_rendered_back(client, login, user_a, establishment_a):
    login(user_a)
    response = client.post(
        reverse("awareness:reportmailbox_add"),
        {
            "establishment": establishment_a.pk,
            "name": "Signalements",
            "host": "imap.chu-exemple.fr",
            "port": 993,
            "security": "tls",
            "username": "signalement",
            "folder": "INBOX",
            "is_active": "on",
            "new_password": "s3cret-imap-pass",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    mailbox = ReportMailbox.objects.get()
    assert mailbox.password and "s3cret-imap-pass" not in mailbox.password
    assert mailboxes.unseal(mailbox.password) == "s3cret-imap-pass"
    for url in (
        reverse("awareness:reportmailbox_edit", args=[mailbox.pk]),
        reverse("awareness:reportmailbox_detail", args=[mailbox.pk]),
        reverse("awareness:reportmailbox_list"),
    ):
        page = client.get(url).content.decode()
        assert "s3cret-imap-pass" not in page and mailbox.password not in page
    # Editing without a password keeps the stored one.
    client.post(
        reverse("awareness:reportmailbox_edit", args=[mailbox.pk]),
        {
            "establishment": establishment_a.pk,
            "name": "Signalements 2",
            "host": "imap.chu-exemple.fr",
            "port": 993,
            "security": "tls",
            "username": "signalement",
            "folder": "INBOX",
        },
    )
    mailbox.refresh_from_db()
    assert (
        mailbox.name == "Signalements 2"
        and mailboxes.unseal(mailbox.password) == "s3cret-imap-pass"
    )


def test_api_report_triage_and_mailboxes(user_a, establishment_a, establishment_b):
    Person.objects.create(
        establishment=establishment_a, first_name="M", last_name="C", email="m@chu-exemple.fr"
    )
    api = APIClient(issue_token(user_a, "write"))
    response = api.client.post(
        API + "/awareness/reported-mails",
        {
            "establishment_id": establishment_a.pk,
            "file": SimpleUploadedFile("m.eml", forwarded(phishing())),
        },
        **api.headers,
    )
    assert response.status_code == 201, response.content
    report_id = response.json()["id"]
    assert response.json()["suggested_verdict"] == "phishing"
    refused = api.client.post(
        API + "/awareness/reported-mails",
        {"establishment_id": establishment_a.pk, "file": SimpleUploadedFile("m.eml", b"\x00\x01")},
        **api.headers,
    )
    assert refused.status_code in {400, 422}
    other = api.client.post(
        API + "/awareness/reported-mails",
        {
            "establishment_id": establishment_b.pk,
            "file": SimpleUploadedFile("m.eml", forwarded(phishing())),
        },
        **api.headers,
    )
    assert other.status_code == 404
    detail = api.get(f"/awareness/reported-mails/{report_id}").json()
    assert detail["subject"] == SUBJECT and detail["facts"]["lookalikes"]
    listed = api.get("/awareness/reported-mails", {"suggested_verdict": "phishing"}).json()
    assert listed["count"] == 1
    confirmed = api.post(
        f"/awareness/reported-mails/{report_id}/verdict", {"verdict": "malicious"}
    ).json()
    assert confirmed["verdict"] == "malicious" and confirmed["alert_id"]
    mailbox = api.post(
        "/awareness/report-mailboxes",
        {
            "establishment_id": establishment_a.pk,
            "name": "Boîte",
            "host": "127.0.0.1",
            "port": 143,
            "security": "none",
            "username": "u",
            "password": "pw-123456",
        },
    ).json()
    assert mailbox["has_password"] and "password" not in mailbox


def test_report_page_in_french(client, login, user_a, establishment_a):
    from hygie.awareness.services import triage

    report = triage.receive_report(forwarded(phishing()), "upload", establishment=establishment_a)
    login(user_a)
    page = client.get(reverse("awareness:reportedmail_detail", args=[report.pk])).content.decode()
    assert "Verdict proposé" in page and "Les liens sont neutralisés" in page
    assert "Échec du contrôle DMARC" in page
    # Authentication results and look-alike techniques in French, the RFC keyword as code.
    assert "échec (<code>fail</code>)" in page
    assert "Message d’origine (.eml)" in page
    queue = client.get(reverse("awareness:reportedmail_list")).content.decode()
    assert "à confirmer" in queue  # not an empty cell
    hit = {"domain": "chu-exernple.fr", "imitates": "chu-exemple.fr", "how": "homoglyph"}
    ReportedMail.objects.filter(pk=report.pk).update(facts={**report.facts, "lookalikes": [hit]})
    page = client.get(reverse("awareness:reportedmail_detail", args=[report.pk])).content.decode()
    assert "imite chu-exemple.fr (caractères ressemblants)" in page and "homoglyph" not in page
