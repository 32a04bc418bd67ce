"""Report a suspicious e-mail (issue 10): any role sends an .eml to the security team; it
becomes a detection alert (no subject or body in it) with the message kept as evidence, and
reports of the same message are one alert."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hygie.core.models import Alert, Evidence
from hygie.core.services.demo import load_demo
from hygie.detection.mail_reports import RULE_ID, report_suspicious_mail
from tests.engines.detection.test_reported_mail import PHISH

pytestmark = pytest.mark.django_db

URL = "detection:mail_report"


@pytest.fixture
def staff(make_user, establishment_a):
    return make_user("nurse", "staff", [establishment_a])


def _post(client, establishment, data=PHISH, name="message.eml", **extra):
    return client.post(
        reverse(URL),
        {
            "establishment": establishment.pk,
            "file": SimpleUploadedFile(name, data),
            "note": "",
            **extra,
        },
    )


def test_staff_report_a_message_and_the_security_team_gets_an_alert(
    client, staff, login, establishment_a, user_a, english
):
    login(staff)
    page = client.get(reverse(URL))
    assert page.status_code == 200
    response = _post(client, establishment_a, note="I clicked the link")
    assert response.status_code == 302
    alert = Alert.objects.get(rule_id=RULE_ID)
    assert alert.source == "detection" and alert.establishment == establishment_a
    assert alert.severity == 30  # warning signs: an executable, failed checks, replies elsewhere
    assert "rh-paie.example" in alert.title
    # Neither the subject nor the body is in the alert (a genuine mail may name a patient).
    assert "Bulletin" not in str(alert.details) + alert.title + alert.description
    assert alert.details["link_domains"] == ["login.rh-paie.example", "tracker.test"]
    evidence = Evidence.objects.get(pk=alert.details["evidence_ids"][0])
    assert evidence.collected_by == staff and evidence.description == "I clicked the link"
    assert evidence.file.read() == PHISH
    # The reporter sees their report back; the alert itself is for the security team.
    followed = client.get(reverse(URL))
    assert "Your latest reports" in followed.content.decode()
    assert client.get(reverse("core:alert_detail", args=[alert.pk])).status_code == 403
    client.logout()
    login(user_a)
    detail = client.get(reverse("core:alert_detail", args=[alert.pk]))
    html = detail.content.decode()
    assert "Reported e-mail" in html and "collect@elsewhere.test" in html
    assert reverse("core:evidence_detail", args=[evidence.pk]) in html


def test_the_same_message_reported_twice_is_one_alert(staff, make_user, establishment_a):
    colleague = make_user("nurse2", "staff", [establishment_a])
    first = report_suspicious_mail(user=staff, establishment=establishment_a, data=PHISH)
    second = report_suspicious_mail(user=colleague, establishment=establishment_a, data=PHISH)
    assert second.alert.pk == first.alert.pk and second.repeat
    alert = Alert.objects.get(pk=first.alert.pk)
    assert alert.occurrences == 2
    assert sorted(alert.details["reporter_ids"]) == sorted([staff.pk, colleague.pk])
    assert len(alert.details["evidence_ids"]) == 2


def test_a_file_that_is_no_mail_is_refused_on_the_field(
    client, staff, login, establishment_a, english
):
    login(staff)
    response = _post(client, establishment_a, data=b"hello, this is just text\n", name="notes.txt")
    assert response.status_code == 422
    assert "is not an e-mail message" in response.content.decode()
    assert not Alert.objects.exists() and not Evidence.objects.exists()


def test_no_report_into_another_establishment(client, staff, login, establishment_b, english):
    login(staff)
    response = _post(client, establishment_b)
    assert response.status_code == 422
    assert not Alert.objects.exists()


def test_every_role_may_report_and_staff_find_it_in_the_menu(client, staff, login, english):
    login(staff)
    html = client.get(reverse("core:dashboard")).content.decode()
    assert html.count(reverse(URL)) >= 2  # the landing panel and the menu


def test_the_demo_reports_a_phishing_message_twice():
    load_demo()
    alert = Alert.objects.get(rule_id=RULE_ID)
    assert alert.occurrences == 2 and alert.severity == 20
    assert alert.source == "detection"


def test_the_api_reports_a_message_for_any_role(staff, establishment_a, establishment_b):
    from tests.apps.core.api_support import APIClient, error_of, issue_token

    api = APIClient(issue_token(staff))
    created = api.upload(
        "/detection/mail-reports",
        {
            "establishment_id": establishment_a.pk,
            "note": "",
            "file": SimpleUploadedFile("m.eml", PHISH),
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["repeat"] is False and body["severity"] == 30
    alert = Alert.objects.get(pk=body["alert_id"])
    assert alert.details["evidence_ids"] == [body["evidence_id"]]
    again = api.upload(
        "/detection/mail-reports",
        {"establishment_id": establishment_a.pk, "file": SimpleUploadedFile("m.eml", PHISH)},
    )
    assert again.status_code == 201 and again.json()["repeat"] is True
    refused = api.upload(
        "/detection/mail-reports",
        {"establishment_id": establishment_a.pk, "file": SimpleUploadedFile("n.txt", b"hello\n")},
    )
    assert refused.status_code in (400, 422)
    assert "not an e-mail" in error_of(refused)["message"] + str(error_of(refused)["fields"])
    elsewhere = api.upload(
        "/detection/mail-reports",
        {"establishment_id": establishment_b.pk, "file": SimpleUploadedFile("m.eml", PHISH)},
    )
    assert elsewhere.status_code in (403, 404)
    read_only = APIClient(issue_token(staff, "read")).upload(
        "/detection/mail-reports",
        {"establishment_id": establishment_a.pk, "file": SimpleUploadedFile("m.eml", PHISH)},
    )
    assert read_only.status_code == 403


def test_the_cli_reports_a_folder_of_messages(tmp_path, establishment_a):
    from click.testing import CliRunner

    from hygie.cli import cli

    (tmp_path / "a.eml").write_bytes(PHISH)
    (tmp_path / "b.eml").write_bytes(PHISH)
    (tmp_path / "notes.txt").write_bytes(b"not a mail\n")
    files = [str(tmp_path / name) for name in ("a.eml", "b.eml", "notes.txt")]
    result = CliRunner().invoke(
        cli, ["report-mail", *files, "--establishment", str(establishment_a.pk)]
    )
    assert result.exit_code == 1, result.output  # one file refused, the others reported
    assert "a.eml: reported, alert #" in result.output
    assert "b.eml: reported again" in result.output
    assert "notes.txt: refused" in result.output
    alert = Alert.objects.get(rule_id=RULE_ID)
    assert alert.occurrences == 2 and Evidence.objects.count() == 2
    missing = CliRunner().invoke(cli, ["report-mail", files[0], "--establishment", "999999"])
    assert missing.exit_code != 0 and "no establishment" in missing.output
