"""Audit trail pages: scoping by establishment, filters, detail, CSV export, chain verification."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from hygie.core.models import AuditEntry, Department
from tests.apps.core.account_support import speak_english

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    speak_english(client)


@pytest.fixture
def departments(establishment_a, establishment_b):
    return (
        Department.objects.create(establishment=establishment_a, name="Radiologie A"),
        Department.objects.create(establishment=establishment_b, name="Pharmacie B"),
    )


def _listed(response):
    return [entry.object_repr for entry in response.context["page"]]


def test_user_of_a_never_sees_entries_of_b(client_a, departments):
    dept_a, dept_b = departments
    page = client_a.get(reverse("core:audit_list"))
    assert page.status_code == 200
    listed = _listed(page)
    assert "Radiologie A" in listed and "Pharmacie B" not in listed
    assert "Pharmacie B" not in page.content.decode()
    entry_b = AuditEntry.objects.get(object_repr="Pharmacie B")
    assert client_a.get(reverse("core:audit_detail", args=[entry_b.pk])).status_code == 404
    # Not through the filters either: B cannot be chosen, and asking for it changes nothing.
    choices = [label for _, label in page.context["filters"].fields["establishment"].choices]
    assert "Clinique Beta" not in choices
    forced = client_a.get(reverse("core:audit_list"), {"establishment": dept_b.establishment_id})
    assert "Pharmacie B" not in _listed(forced)


def test_organisation_wide_user_sees_everything(client, login, make_user, departments):
    login(make_user("ght.rssi", "rssi", all_establishments=True))
    listed = _listed(client.get(reverse("core:audit_list")))
    assert {"Radiologie A", "Pharmacie B"} <= set(listed)


def test_filters(client_a, establishment_a, departments):
    dept_a, _ = departments
    dept_a.name = "Imagerie A"
    dept_a.save()
    url = reverse("core:audit_list")
    assert _listed(client_a.get(url, {"action": "update"})) == ["Imagerie A"]
    assert set(_listed(client_a.get(url, {"object_type": "core.department"}))) == {
        "Radiologie A",
        "Imagerie A",
    }
    assert _listed(client_a.get(url, {"q": "imagerie"})) == ["Imagerie A"]
    assert _listed(client_a.get(url, {"actor": "nobody-like-this"})) == []
    today = timezone.localdate()
    assert (
        len(
            _listed(
                client_a.get(url, {"date_from": today.isoformat(), "date_to": today.isoformat()})
            )
        )
        >= 2
    )
    assert _listed(client_a.get(url, {"date_to": (today - timedelta(days=1)).isoformat()})) == []
    invalid = client_a.get(
        url, {"date_from": today.isoformat(), "date_to": (today - timedelta(days=3)).isoformat()}
    )
    assert invalid.context["filters"].errors
    partial = client_a.get(url, {"action": "create"}, HTTP_HX_REQUEST="true")
    assert partial.templates[0].name == "core/audit/partials/_entries.html"


def test_detail_shows_before_and_after(client_a, departments):
    dept_a, _ = departments
    dept_a.name = "Imagerie A"
    dept_a.save()
    entry = AuditEntry.objects.get(action="update", object_repr="Imagerie A")
    page = client_a.get(reverse("core:audit_detail", args=[entry.pk]))
    assert ("name", "Radiologie A", "Imagerie A") in page.context["changes"]
    assert entry.entry_hash in page.content.decode()


def test_export_is_scoped_and_recorded(client_a, user_a, departments):
    response = client_a.get(reverse("core:audit_export"), {"object_type": "core.department"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["object_repr"] for row in rows] == ["Radiologie A"]
    assert rows[0]["establishment"] == "CH Alpha"
    export = AuditEntry.objects.filter(action="export").latest("sequence")
    assert export.actor_label == user_a.username
    assert "CSV export: 1 row(s)" in export.message and "core.department" in export.message


def test_export_neutralises_spreadsheet_formulas(client_a, establishment_a):
    Department.objects.create(establishment=establishment_a, name='=HYPERLINK("x")')
    response = client_a.get(reverse("core:audit_export"), {"object_type": "core.department"})
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert rows[0]["object_repr"].startswith("'=")


def test_pages_need_the_capabilities(client, login, make_user, establishment_a):
    login(make_user("analyst", "soc_analyst", [establishment_a]))
    assert client.get(reverse("core:audit_list")).status_code == 403
    assert client.get(reverse("core:audit_export")).status_code == 403
    assert client.post(reverse("core:audit_verify")).status_code == 403
    anonymous = client.__class__()
    assert anonymous.get(reverse("core:audit_list")).status_code == 302


def test_verify_chain_button(client_a, departments):
    page = client_a.post(reverse("core:audit_verify"))
    assert page.context["report"].is_intact
    assert "The chain is intact" in page.content.decode()
    target = AuditEntry.objects.get(object_repr="Radiologie A")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET message = %s WHERE id = %s", ["forged", target.pk]
        )
    page = client_a.post(reverse("core:audit_verify"))
    assert not page.context["report"].is_intact
    text = page.content.decode()
    assert "The chain is broken" in text and f"#{target.sequence}" in text


def test_verify_does_not_name_entries_of_other_establishments(client_a, departments):
    target = AuditEntry.objects.get(object_repr="Pharmacie B")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET message = %s WHERE id = %s", ["forged", target.pk]
        )
    page = client_a.post(reverse("core:audit_verify"))
    assert not page.context["problem_visible"]
    assert f"#{target.sequence} " not in page.content.decode()


def test_verify_page_names_the_failed_check_and_what_was_verified(client_a, departments):
    from hygie.core.audit_checkpoints import write_checkpoint
    from hygie.core.models import AuditChainHead

    write_checkpoint()
    page = client_a.post(reverse("core:audit_verify"))
    text = page.content.decode()
    assert page.context["report"].is_intact and "What was verified" in text
    assert "signed checkpoint" in text
    keep = AuditEntry.objects.order_by("sequence")[2]
    AuditEntry.objects.filter(sequence__gt=keep.sequence).delete()
    AuditChainHead.objects.update(sequence=keep.sequence, entry_hash=keep.entry_hash)
    page = client_a.post(reverse("core:audit_verify"))
    text = page.content.decode()
    assert "The chain is broken" in text and "truncated" in text and "checkpoints" in text


def test_verify_page_in_french_names_checks_and_details_in_french(client_a, departments):
    from django.conf import settings

    from hygie.core.audit_checkpoints import write_checkpoint

    write_checkpoint()
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"  # as the language switcher sets it
    text = client_a.post(reverse("core:audit_verify")).content.decode()
    assert "Ce qui a été vérifié" in text
    assert "entrées vérifiées" in text and "fichier des points de contrôle" in text
    assert "entries verified" not in text and "signed checkpoint" not in text


def test_verify_page_fails_when_the_checkpoint_file_went_with_the_attack(
    client_a, departments, monkeypatch
):
    """The page runs the same checks as `hygie audit verify` (review of issue 9, defect 2)."""
    import types

    from hygie.core import audit_verify
    from hygie.core.audit_checkpoints import CHECKPOINT_INTERVAL, checkpoint_file, write_checkpoint
    from hygie.core.models import AuditChainHead

    write_checkpoint()
    Department.objects.create(establishment=departments[0].establishment, name="Bloc A")
    keep = AuditEntry.objects.order_by("-sequence")[1]
    AuditEntry.objects.filter(sequence__gt=keep.sequence).delete()
    AuditChainHead.objects.update(sequence=keep.sequence, entry_hash=keep.entry_hash)
    checkpoint_file().unlink()
    page = client_a.post(reverse("core:audit_verify"))
    report = page.context["report"]
    assert (report.problem.check, report.problem.kind) == ("checkpoint file", "truncated")
    assert "The chain is broken" in page.content.decode()

    record = AuditEntry.objects.get(object_type="core.auditcheckpoint")  # the record goes too
    keep = AuditEntry.objects.get(sequence=record.sequence - 1)
    AuditEntry.objects.filter(sequence__gt=keep.sequence).delete()
    AuditChainHead.objects.update(sequence=keep.sequence, entry_hash=keep.entry_hash)
    later = timezone.now() + 2 * CHECKPOINT_INTERVAL + timedelta(minutes=1)
    monkeypatch.setattr(audit_verify, "timezone", types.SimpleNamespace(now=lambda: later))
    page = client_a.post(reverse("core:audit_verify"))
    assert page.context["report"].problem.kind == "unanchored"
    assert "The chain cannot be verified" in page.content.decode()
