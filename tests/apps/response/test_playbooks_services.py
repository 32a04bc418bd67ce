"""Playbook services: library, copies, saving with version bumps, applying to incidents, progress,
and the compliance probe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hygie.core.models import Establishment, Organisation
from hygie.core.registries import probes
from hygie.response.engine.playbooks import PlaybookError, parse_playbook
from hygie.response.models import AppliedPlaybook, Playbook, Task, TimelineEntry
from hygie.response.services import playbooks as service

# Messages are compared in English (French is the product default).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

OWN = """\
# Our own playbook
schema_version: 1
key: power-outage
version: "1.0.0"
title: {fr: Panne électrique du datacenter, en: Datacenter power outage}
categories: [other, denial_of_service]
phases:
  triage:
    steps:
      - id: call-facilities
        title: {fr: Appeler les services techniques, en: Call facilities}
        due_after: PT30M
  recovery:
    steps:
      - id: restart
        title: {fr: Redémarrer dans l'ordre, en: Restart in order}
        due_after: PT2H
        due_from: application
        decision:
          question: {fr: Groupe électrogène disponible, en: Generator available}
          options: [Oui, Non]
"""


def test_shipped_playbooks_all_load() -> None:
    shipped = service.shipped_playbooks()
    assert len(shipped) == 8 and "ransomware" in shipped


def test_library_lists_shipped_and_own(user_a, organisation) -> None:
    service.save_playbook(user_a, OWN, organisation=organisation)
    entries = service.library_for(user_a)
    assert len(entries) == 9
    own = [entry for entry in entries if not entry.is_shipped]
    assert [entry.key for entry in own] == ["power-outage"]
    assert {e.key for e in service.library_for(user_a, category="denial_of_service")} == {
        "ddos",
        "power-outage",
    }


def test_save_rejects_invalid_yaml_and_writes_nothing(user_a, organisation) -> None:
    with pytest.raises(PlaybookError) as caught:
        service.save_playbook(user_a, OWN.replace("PT30M", "soon"), organisation=organisation)
    assert caught.value.problems[0].path == "phases.triage.steps[0].due_after"
    assert caught.value.problems[0].line == 12
    assert not Playbook.objects.exists()


def test_save_errors_become_a_validation_error_by_path(user_a, organisation) -> None:
    with pytest.raises(ValidationError) as caught:
        service.save_playbook_or_errors(
            user_a, OWN.replace("[other, ", "[volcano, "), organisation=organisation
        )
    assert caught.value.message_dict == {
        "categories[0]": [
            "line 6: unknown incident category; valid: ransomware, data_breach, "
            "account_compromise, phishing, malware, medical_device_compromise, "
            "denial_of_service, loss_theft, unauthorised_access, other"
        ]
    }


def test_duplicate_key_in_organisation_is_refused(user_a, organisation) -> None:
    service.save_playbook(user_a, OWN, organisation=organisation)
    with pytest.raises(ValidationError):
        service.save_playbook(user_a, OWN, organisation=organisation)
    assert Playbook.objects.count() == 1


def test_edit_bumps_the_version_when_the_author_kept_it(user_a, organisation) -> None:
    row = service.save_playbook(user_a, OWN, organisation=organisation)
    row = service.save_playbook(
        user_a, OWN.replace("Call facilities", "Call the facilities"), instance=row
    )
    assert row.version == "1.0.1" and '"1.0.1"' in row.source
    assert row.source.startswith("# Our own playbook")  # comments kept
    assert parse_playbook(row.source).version == "1.0.1"
    # An explicit version is kept as written; saving identical YAML changes nothing.
    row = service.save_playbook(user_a, row.source.replace('"1.0.1"', '"2.0.0"'), instance=row)
    assert row.version == "2.0.0"
    row = service.save_playbook(user_a, row.source, instance=row)
    assert row.version == "2.0.0"
    assert row.updated_by == user_a


def test_copy_shipped_keeps_key_and_refuses_a_second_copy(user_a, organisation) -> None:
    copy = service.copy_playbook(user_a, organisation, key="ransomware")
    assert copy.key == "ransomware" and copy.based_on == "ransomware"
    assert copy.source == service.shipped("ransomware").source  # type: ignore[union-attr]
    assert copy.reviewed_at is None
    with pytest.raises(ValidationError):
        service.copy_playbook(user_a, organisation, key="ransomware")
    with pytest.raises(ValidationError):
        service.copy_playbook(user_a, organisation, key="no-such-playbook")


def test_copy_own_playbook_gets_a_new_key(user_a, organisation) -> None:
    row = service.save_playbook(user_a, OWN, organisation=organisation)
    first = service.copy_playbook(user_a, organisation, row=row)
    second = service.copy_playbook(user_a, organisation, row=row)
    assert (first.key, second.key) == ("power-outage-copy", "power-outage-copy-3")
    assert parse_playbook(first.source).key == "power-outage-copy"


def test_managing_needs_the_capability_and_the_organisation(
    make_user, establishment_a, organisation
) -> None:
    analyst = make_user("analyst", "soc_analyst", [establishment_a])
    with pytest.raises(PermissionDenied):
        service.save_playbook(analyst, OWN, organisation=organisation)
    other = Organisation.objects.create(name="Other group")
    rssi = make_user("rssi2", "rssi", [establishment_a])
    with pytest.raises(PermissionDenied):
        service.save_playbook(rssi, OWN, organisation=other)
    assert not Playbook.objects.exists()


def test_apply_creates_tasks_with_due_dates_and_a_timeline_entry(user_a, incident) -> None:
    before = timezone.now()
    applied = service.apply_playbook(user_a, incident, "ransomware")
    playbook = service.shipped("ransomware").playbook  # type: ignore[union-attr]
    tasks = list(Task.objects.filter(applied_playbook=applied).order_by("order"))
    assert len(tasks) == playbook.step_count
    assert applied.source == service.shipped("ransomware").source  # type: ignore[union-attr]
    first = tasks[0]
    assert (first.step_key, first.phase, first.owner) == ("open-main-courante", "triage", None)
    # The incident was discovered 2026-03-10 09:00 UTC; PT15M from discovery.
    assert first.due_at == incident.discovered_at + timedelta(minutes=15)
    assert first.title == "Ouvrir la main courante"  # establishment A is in France
    decision = next(task for task in tasks if task.step_key == "activate-crisis-cell")
    assert decision.is_decision and "plan blanc" in decision.description
    notify = next(task for task in tasks if task.step_key == "declare-cert-sante")
    assert notify.due_at is None and "cert_sante" in notify.description
    unverified = next(task for task in tasks if task.step_key == "cut-external-links")
    assert "CERTFR-2024-RFX-002" in unverified.description
    assert "à vérifier sur le texte officiel" in unverified.description
    assert "UNVERIFIED" not in unverified.description
    assert [task.order for task in tasks] == list(range(1, len(tasks) + 1))
    # Other areas write their own entries (obligations on creation): find ours.
    entry = TimelineEntry.objects.filter(incident=incident, at__gte=before).last()
    assert entry is not None and str(len(tasks)) in entry.text
    assert "Rançongiciel" in entry.text and "1.0.0" in entry.text


def test_apply_twice_is_refused(user_a, incident) -> None:
    service.apply_playbook(user_a, incident, "ransomware")
    with pytest.raises(ValidationError):
        service.apply_playbook(user_a, incident, "ransomware")
    assert AppliedPlaybook.objects.count() == 1


def test_apply_unknown_or_without_capability(user_a, make_user, establishment_a, incident) -> None:
    with pytest.raises(ValidationError):
        service.apply_playbook(user_a, incident, "nope")
    auditor = make_user("auditor", "auditor", [establishment_a])
    with pytest.raises(PermissionDenied):
        service.apply_playbook(auditor, incident, "ransomware")
    assert not Task.objects.exists()


def test_apply_uses_the_organisation_copy_and_due_from_application(
    user_a, organisation, incident
) -> None:
    row = service.save_playbook(user_a, OWN, organisation=organisation)
    before = timezone.now()
    applied = service.apply_playbook(user_a, incident, "power-outage")
    assert applied.version == row.version and applied.source == row.source
    restart = Task.objects.get(applied_playbook=applied, step_key="restart")
    assert restart.phase == "recovery" and restart.is_decision
    assert before + timedelta(hours=2) <= restart.due_at <= timezone.now() + timedelta(hours=2)
    # Later edits of the organisation's playbook do not change what was applied.
    service.save_playbook(user_a, OWN.replace("Call facilities", "Call"), instance=row)
    applied.refresh_from_db()
    assert applied.version == "1.0.0"


def test_english_establishment_gets_english_tasks(user_a, organisation, incident) -> None:
    Establishment.objects.filter(pk=incident.establishment_id).update(country="US")
    incident.refresh_from_db()
    service.apply_playbook(user_a, incident, "phi-data-breach")
    assert Task.objects.filter(title="Stop the leak").exists()


def test_progress_per_phase(user_a, incident) -> None:
    applied = service.apply_playbook(user_a, incident, "lost-stolen-device")
    tasks = list(applied.tasks.all())
    triage = [task for task in tasks if task.phase == "triage"]
    triage[0].status = "done"
    triage[0].save()
    containment = [task for task in tasks if task.phase == "containment"]
    containment[0].status = "cancelled"
    containment[0].save()
    progress = {p.phase: (p.done, p.total) for p in service.progress(applied)}
    assert progress["triage"] == (1, len(triage))
    assert progress["containment"] == (0, len(containment) - 1)
    assert list(progress) == ["triage", "containment", "eradication", "recovery", "post_incident"]


def test_available_for_incident_puts_fitting_first(user_a, incident) -> None:
    keys = [p.key for p in service.available_for_incident(incident)]
    assert keys[0] == "ransomware"
    service.apply_playbook(user_a, incident, "ransomware")
    assert "ransomware" not in [p.key for p in service.available_for_incident(incident)]


# ---- probe -----------------------------------------------------------------------------------


def run_probe(establishment):
    return probes.get("response.playbooks_reviewed").run(establishment)


def test_probe_fails_with_shipped_playbooks_only(establishment_a) -> None:
    result = run_probe(establishment_a)
    assert result.status == "fail"
    assert result.data["missing"] == ["ransomware", "data_breach"]


def test_probe_passes_once_adopted_and_reviewed(
    user_a, organisation, establishment_a, establishment_b
) -> None:
    service.adopt_shipped(user_a, organisation, "ransomware")
    partial = run_probe(establishment_a)
    assert partial.status == "partial" and partial.data["covered"] == ["ransomware"]
    copy = service.copy_playbook(user_a, organisation, key="phi-data-breach")
    not_reviewed = run_probe(establishment_a)
    assert not_reviewed.status == "partial" and not_reviewed.data["not_reviewed"] == ["data_breach"]
    service.mark_reviewed(user_a, copy)
    result = run_probe(establishment_b)  # same organisation: same plan
    assert result.status == "pass"
    assert result.data["data_breach"]["playbook"] == "phi-data-breach"


def test_probe_review_older_than_a_year_fails(user_a, organisation, establishment_a) -> None:
    for key in ("ransomware", "phi-data-breach"):
        service.adopt_shipped(user_a, organisation, key)
    Playbook.objects.update(reviewed_at=timezone.now() - timedelta(days=400))
    result = run_probe(establishment_a)
    assert result.status == "fail" and result.data["not_reviewed"] == ["ransomware", "data_breach"]
    Playbook.objects.update(reviewed_at=timezone.now(), is_active=False)
    assert run_probe(establishment_a).status == "fail"  # inactive playbooks do not count
