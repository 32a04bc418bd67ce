"""Incident services: creation (by hand, from alerts, from a phishing report), references,
edits and their timeline, the lifecycle with its milestones, tasks, the main courante,
observables, comments, assignment and watchers. Real database, no mocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hygie.core.models import Alert, Asset, AuditEntry, Department
from hygie.core.services.alerts import raise_alert
from hygie.response.models import Incident, IncidentTransition, TimelineEntry
from hygie.response.services import incidents as service

pytestmark = pytest.mark.usefixtures("english")

DISCOVERED = datetime(2026, 3, 10, 2, 30, tzinfo=UTC)


def texts(incident):
    return [entry.text for entry in TimelineEntry.objects.filter(incident=incident)]


@pytest.fixture
def analyst(make_user, establishment_a):
    return make_user("analyst", "soc_analyst", [establishment_a])


@pytest.fixture
def alerts_a(establishment_a):
    asset = Asset.objects.create(establishment=establishment_a, hostname="srv-fichiers-01")
    now = timezone.now()
    first = raise_alert(
        establishment=establishment_a,
        source="detection",
        severity=30,
        title="Renommage massif",
        asset=asset,
        seen_at=now - timedelta(hours=2),
    )
    second = raise_alert(
        establishment=establishment_a,
        source="detection",
        severity=50,
        title="Note de rançon détectée",
        seen_at=now - timedelta(hours=1),
    )
    return [first, second]


# --- creation and references ------------------------------------------------------------------


def test_create_by_hand(user_a, establishment_a):
    incident = service.create_incident(
        user_a,
        establishment=establishment_a,
        title="Perte d'un disque",
        discovered_at=DISCOVERED,
        category="loss_theft",
        severity=40,
    )
    assert incident.reference == f"INC-{timezone.now().year}-0001"
    assert incident.status == "new" and incident.created_by == user_a
    assert incident.watchers.filter(pk=user_a.pk).exists()
    first = IncidentTransition.objects.get(incident=incident)
    assert (first.from_status, first.to_status, first.by) == ("", "new", user_a)
    assert any("Incident declared" in text for text in texts(incident))
    assert AuditEntry.objects.filter(
        action="create", object_type="response.incident", object_id=str(incident.pk)
    ).exists()


def test_references_are_sequential_and_sort_past_9999(user_a, establishment_a):
    year = timezone.now().year
    for number in (9, 9999):
        Incident.objects.create(
            reference=f"INC-{year}-{number:04d}",
            establishment=establishment_a,
            title="x",
            discovered_at=DISCOVERED,
        )
    assert service.next_reference(year) == f"INC-{year}-10000"
    Incident.objects.create(
        reference=f"INC-{year}-10000",
        establishment=establishment_a,
        title="x",
        discovered_at=DISCOVERED,
    )
    assert service.next_reference(year) == f"INC-{year}-10001"
    assert service.next_reference(year + 1) == f"INC-{year + 1}-0001"


def test_reference_numbering_is_global_across_organisations(user_a, establishment_a, make_user):
    from hygie.core.models import Establishment, Organisation

    other = Establishment.objects.create(
        organisation=Organisation.objects.create(name="Autre GHT", kind="ght"), name="CH Gamma"
    )
    admin = make_user("root", "admin", all_establishments=True)
    one = service.create_incident(
        user_a, establishment=establishment_a, title="a", discovered_at=DISCOVERED
    )
    two = service.create_incident(admin, establishment=other, title="b", discovered_at=DISCOVERED)
    assert one.reference != two.reference
    assert two.reference.endswith("-0002")


def test_create_refuses_other_establishment_and_missing_capability(
    user_a, establishment_b, establishment_a, make_user
):
    with pytest.raises(PermissionDenied):
        service.create_incident(
            user_a, establishment=establishment_b, title="x", discovered_at=DISCOVERED
        )
    auditor = make_user("aud", "auditor", [establishment_a])
    with pytest.raises(PermissionDenied):
        service.create_incident(
            auditor, establishment=establishment_a, title="x", discovered_at=DISCOVERED
        )
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"discovered_at": timezone.now() + timedelta(days=1)}, "discovered_at"),
        ({"occurred_at": DISCOVERED + timedelta(hours=1)}, "occurred_at"),
        ({"data_categories": ["health", "horoscope"]}, "data_categories"),
        ({"residents_by_state": {"california": 3}}, "residents_by_state"),
        ({"residents_by_state": {"CA": -1}}, "residents_by_state"),
        ({"severity": 35}, "severity"),
        ({"category": "alien"}, "category"),
        ({"source": "phishing_report"}, "source_reference"),
    ],
)
def test_create_validates_and_writes_nothing(user_a, establishment_a, fields, field):
    values = {"discovered_at": DISCOVERED, **fields}
    with pytest.raises(ValidationError) as error:
        service.create_incident(user_a, establishment=establishment_a, title="x", **values)
    assert field in error.value.message_dict
    assert not Incident.objects.exists()
    assert not TimelineEntry.objects.exists()


def test_departments_and_assets_must_belong_to_an_involved_establishment(
    user_a, establishment_a, establishment_b, make_user
):
    theirs = Department.objects.create(establishment=establishment_b, name="Urgences")
    with pytest.raises(ValidationError) as unknown:
        service.create_incident(
            user_a,
            establishment=establishment_a,
            title="x",
            discovered_at=DISCOVERED,
            departments=[theirs],
        )
    assert "departments" in unknown.value.message_dict
    admin = make_user("root", "admin", all_establishments=True)
    with pytest.raises(ValidationError):
        service.create_incident(
            admin,
            establishment=establishment_a,
            title="x",
            discovered_at=DISCOVERED,
            departments=[theirs],
        )
    incident = service.create_incident(
        admin,
        establishment=establishment_a,
        title="x",
        discovered_at=DISCOVERED,
        departments=[theirs],
        affected_establishments=[establishment_b],
    )
    assert list(incident.departments.all()) == [theirs]


def test_phishing_report_by_hand_keeps_the_mail_reference(user_a, establishment_a):
    incident = service.create_incident(
        user_a,
        establishment=establishment_a,
        title="Faux mail de la paie",
        discovered_at=DISCOVERED,
        source="phishing_report",
        category="phishing",
        source_reference="<20260310.abc@example.net>",
    )
    assert incident.source == "phishing_report"
    assert incident.source_reference == "<20260310.abc@example.net>"


# --- from alerts ------------------------------------------------------------------------------


def test_create_from_alerts_suggests_and_escalates(analyst, alerts_a, establishment_a):
    incident = service.create_from_alerts(analyst, alerts_a)
    assert incident.establishment == establishment_a
    assert incident.severity == 50
    assert incident.source == "alert"
    assert incident.title.startswith("Note de rançon détectée")
    assert "Renommage massif" in incident.description
    assert incident.discovered_at == alerts_a[0].first_seen_at
    assert [a.hostname for a in incident.assets.all()] == ["srv-fichiers-01"]
    assert set(incident.alerts.all()) == set(alerts_a)
    for alert in Alert.objects.filter(pk__in=[a.pk for a in alerts_a]):
        assert alert.status == "escalated"
    assert any("2 alert(s) linked and escalated" in text for text in texts(incident))


def test_create_from_alerts_user_overrides_win(analyst, alerts_a):
    incident = service.create_from_alerts(
        analyst, alerts_a, title="Mon titre", severity=40, category="ransomware"
    )
    assert (incident.title, incident.severity, incident.category) == ("Mon titre", 40, "ransomware")


def test_alerts_of_invisible_establishments_are_refused(analyst, establishment_b):
    now = timezone.now()
    theirs = Alert.objects.create(
        establishment=establishment_b,
        source="detection",
        title="Brute force",
        first_seen_at=now,
        last_seen_at=now,
    )
    with pytest.raises(ValidationError) as error:
        service.visible_alerts(analyst, [theirs.pk])
    assert error.value.message_dict == {"alerts": ["Unknown alert."]}
    theirs.refresh_from_db()
    assert theirs.status == "new"


def test_alerts_from_two_establishments_make_the_other_affected(
    make_user, establishment_a, establishment_b
):
    admin = make_user("root", "admin", all_establishments=True)
    now = timezone.now()
    a = Alert.objects.create(
        establishment=establishment_a,
        source="detection",
        title="A",
        severity=50,
        first_seen_at=now,
        last_seen_at=now,
    )
    b = Alert.objects.create(
        establishment=establishment_b,
        source="detection",
        title="B",
        severity=20,
        first_seen_at=now,
        last_seen_at=now,
    )
    incident = service.create_from_alerts(admin, [a, b])
    assert incident.establishment == establishment_a
    assert list(incident.affected_establishments.all()) == [establishment_b]


def test_awareness_alerts_make_a_phishing_report(analyst, establishment_a):
    now = timezone.now()
    alert = Alert.objects.create(
        establishment=establishment_a,
        source="awareness",
        title="Courriel signalé par 6 personnes",
        severity=20,
        first_seen_at=now,
        last_seen_at=now,
    )
    incident = service.create_from_alerts(analyst, [alert])
    assert (incident.source, incident.category) == ("phishing_report", "phishing")
    assert incident.source_reference == f"alert #{alert.pk}"


def test_link_more_alerts(analyst, incident, alerts_a):
    assert service.link_alerts(analyst, incident, alerts_a) == 2
    assert service.link_alerts(analyst, incident, alerts_a) == 0
    assert incident.alerts.count() == 2


# --- edits ------------------------------------------------------------------------------------


def test_update_writes_one_entry_per_field_without_free_text(user_a, incident, establishment_a):
    radiology = Department.objects.create(establishment=establishment_a, name="Radiologie")
    secret = "Patient Jean Exemple, né le 01/02/1960"
    changed = service.update_incident(
        user_a,
        incident,
        {
            "description": secret,
            "severity": 40,
            "care_impact": "patient_transfer",
            "individuals_affected": 1200,
            "departments": [radiology],
            "title": secret,
            "data_categories": ["health", "identity"],
        },
    )
    assert set(changed) == {
        "description",
        "severity",
        "care_impact",
        "individuals_affected",
        "departments",
        "title",
        "data_categories",
    }
    log = texts(incident)
    assert "Description changed." in log
    assert "Title changed." in log
    assert "Severity: Critical → High." in log
    assert "Impact on care: Degraded mode → Patient transfer." in log
    assert "Estimated number of people affected: — → 1200." in log
    assert any(t.startswith("Affected departments: added Radiologie") for t in log)
    assert not any("Jean Exemple" in text for text in log)
    incident.refresh_from_db()
    assert incident.description == secret
    assert service.update_incident(user_a, incident, {"severity": 40}) == []


def test_update_refuses_status_and_unknown_fields(user_a, incident):
    with pytest.raises(ValidationError):
        service.update_incident(user_a, incident, {"status": "closed"})
    with pytest.raises(ValidationError):
        service.update_incident(
            user_a, incident, {"occurred_at": datetime(2026, 3, 11, tzinfo=UTC)}
        )
    incident.refresh_from_db()
    assert incident.status == "new" and incident.occurred_at is None


def test_user_of_b_cannot_change_incident_of_a(user_b, incident):
    with pytest.raises(PermissionDenied):
        service.update_incident(user_b, incident, {"severity": 10})
    with pytest.raises(PermissionDenied):
        service.transition(user_b, incident, "triage")


# --- lifecycle --------------------------------------------------------------------------------


def test_walk_the_lifecycle_with_milestones_and_attribution(user_a, incident):
    for status in ("triage", "containment", "eradication", "recovery", "post_incident", "closed"):
        service.transition(user_a, incident, status)
    incident.refresh_from_db()
    assert incident.status == "closed"
    for field in (
        "triaged_at",
        "contained_at",
        "eradicated_at",
        "recovered_at",
        "post_incident_at",
        "closed_at",
    ):
        assert getattr(incident, field) is not None
    rows = list(incident.transitions.order_by("pk"))
    assert [r.to_status for r in rows][-6:] == [
        "triage",
        "containment",
        "eradication",
        "recovery",
        "post_incident",
        "closed",
    ]
    assert all(row.by == user_a for row in rows[-6:])
    assert "Phase: New → Triage." in texts(incident)
    assert "Closed: Post-incident → Closed." in texts(incident)


def test_skipping_phases_stamps_only_the_entered_one(user_a, incident):
    service.transition(user_a, incident, "containment")
    incident.refresh_from_db()
    assert incident.contained_at is not None and incident.triaged_at is None


def test_milestones_keep_the_first_entry(user_a, incident):
    service.transition(user_a, incident, "containment")
    incident.refresh_from_db()
    first = incident.contained_at
    service.transition(user_a, incident, "eradication")
    service.transition(user_a, incident, "containment", "Nouveau poste chiffré trouvé")
    incident.refresh_from_db()
    assert incident.contained_at == first
    assert (
        "Back to a previous phase: Eradication → Containment. Note: Nouveau poste chiffré "
        "trouvé" in texts(incident)
    )


@pytest.mark.parametrize(
    ("path", "target", "note"),
    [
        ((), "new", "x"),  # same status
        (("containment", "eradication"), "triage", "x"),  # back two steps
        (("containment",), "triage", ""),  # back without a note
        (("triage",), "closed", ""),  # early close without a note
        (("post_incident", "closed"), "recovery", "x"),  # reopen elsewhere
        (("post_incident", "closed"), "post_incident", ""),  # reopen without a note
        ((), "resolved", "x"),  # unknown status
    ],
)
def test_refused_moves_change_nothing(user_a, incident, path, target, note):
    for status in path:
        service.transition(user_a, incident, status)
    incident.refresh_from_db()
    before = (
        incident.status,
        incident.transitions.count(),
        TimelineEntry.objects.filter(incident=incident).count(),
    )
    with pytest.raises(ValidationError) as error:
        service.transition(user_a, incident, target, note)
    assert "status" in error.value.message_dict
    incident.refresh_from_db()
    assert (
        incident.status,
        incident.transitions.count(),
        TimelineEntry.objects.filter(incident=incident).count(),
    ) == before


def test_close_early_with_note_and_reopen(user_a, incident):
    service.transition(user_a, incident, "closed", "Faux positif : test de charge planifié")
    incident.refresh_from_db()
    assert incident.closed_at is not None
    service.transition(user_a, incident, "post_incident", "Retour d'expérience à faire")
    incident.refresh_from_db()
    assert incident.status == "post_incident" and incident.closed_at is None
    assert any(t.startswith("Reopened") for t in texts(incident))
    service.transition(user_a, incident, "closed")
    incident.refresh_from_db()
    assert incident.closed_at is not None


def test_transition_in_the_future_is_refused(user_a, incident):
    with pytest.raises(ValidationError):
        service.transition(user_a, incident, "triage", at=timezone.now() + timedelta(hours=1))


def test_transition_requires_manage(make_user, establishment_a, incident):
    dpo = make_user("dpo", "dpo", [establishment_a])
    with pytest.raises(PermissionDenied):
        service.transition(dpo, incident, "triage")


# --- assignment and watchers ------------------------------------------------------------------


def test_assign_only_to_people_who_can_handle_it(
    user_a, incident, make_user, establishment_a, user_b
):
    analyst = make_user("analyst", "soc_analyst", [establishment_a])
    biomed = make_user("biomed", "biomed", [establishment_a])
    service.assign(user_a, incident, analyst)
    incident.refresh_from_db()
    assert incident.assignee == analyst and incident.watchers.filter(pk=analyst.pk).exists()
    for wrong in (biomed, user_b):
        with pytest.raises(ValidationError):
            service.assign(user_a, incident, wrong)
    service.assign(user_a, incident, None)
    incident.refresh_from_db()
    assert incident.assignee is None
    assert "Unassigned." in texts(incident)


def test_watchers(user_a, incident, make_user, establishment_a, user_b):
    auditor = make_user("aud", "auditor", [establishment_a])
    service.watch(auditor, incident)
    assert incident.watchers.filter(pk=auditor.pk).exists()
    service.unwatch(auditor, incident)
    assert not incident.watchers.filter(pk=auditor.pk).exists()
    with pytest.raises(PermissionDenied):
        service.add_watcher(auditor, incident, user_a)
    service.add_watcher(user_a, incident, auditor)
    assert incident.watchers.filter(pk=auditor.pk).exists()
    with pytest.raises(ValidationError):
        service.add_watcher(user_a, incident, user_b)  # cannot read establishment A
    with pytest.raises(PermissionDenied):
        service.watch(user_b, incident)


# --- tasks ------------------------------------------------------------------------------------


def test_task_lifecycle(user_a, incident, make_user, establishment_a):
    biomed = make_user("biomed", "biomed", [establishment_a])
    due = timezone.now() + timedelta(hours=4)
    task = service.add_task(
        user_a,
        incident,
        title="Isoler la console IRM",
        owner=biomed,
        due_at=due,
        phase="containment",
    )
    assert task.order == 1 and task.owner == biomed
    service.set_task_status(biomed, task, "in_progress")  # the owner moves their task on
    service.complete_task(biomed, task)
    task.refresh_from_db()
    assert task.status == "done" and task.completed_by == biomed
    assert task.completed_at is not None
    other = make_user("biomed2", "biomed", [establishment_a])
    second = service.add_task(user_a, incident, title="Inventaire", owner=biomed)
    with pytest.raises(PermissionDenied):
        service.complete_task(other, second)
    with pytest.raises(ValidationError):
        service.cancel_task(user_a, second, "")
    service.cancel_task(user_a, second, "Doublon")
    log = texts(incident)
    assert any("Task added: Isoler la console IRM" in t for t in log)
    assert any("To do → In progress" in t for t in log)
    assert any("Cancelled. Note: Doublon" in t for t in log)


def test_decision_task_needs_the_decision(user_a, incident):
    task = service.add_task(user_a, incident, title="Mode dégradé ?", is_decision=True)
    with pytest.raises(ValidationError) as error:
        service.complete_task(user_a, task)
    assert "decision" in error.value.message_dict
    service.complete_task(user_a, task, decision="Mode dégradé activé en radiologie")
    task.refresh_from_db()
    assert task.decision == "Mode dégradé activé en radiologie"
    decisions = TimelineEntry.objects.filter(incident=incident, kind="decision")
    assert decisions.count() == 1


def test_edit_and_reassign_task(user_a, incident, make_user, establishment_a, user_b):
    analyst = make_user("analyst", "soc_analyst", [establishment_a])
    task = service.add_task(user_a, incident, title="Analyser les journaux")
    service.reassign_task(user_a, task, analyst)
    task.refresh_from_db()
    assert task.owner == analyst
    with pytest.raises(ValidationError):
        service.reassign_task(user_a, task, user_b)
    service.edit_task(user_a, task, {"title": "Analyser les journaux du pare-feu"})
    service.complete_task(user_a, task)
    with pytest.raises(ValidationError):
        service.edit_task(user_a, task, {"title": "trop tard"})


# --- main courante, observables, comments -----------------------------------------------------


def test_log_entries(user_a, incident):
    earlier = timezone.now() - timedelta(hours=3)
    entry = service.add_log_entry(user_a, incident, "Appel de l'astreinte", at=earlier)
    assert entry.at == earlier and entry.author == user_a and entry.kind == "log"
    decision = service.add_log_entry(user_a, incident, "On isole", kind="decision")
    assert decision.kind == "decision"
    for bad in (
        {"text": ""},
        {"text": "x", "kind": "auto"},
        {"text": "x", "at": timezone.now() + timedelta(hours=1)},
    ):
        with pytest.raises(ValidationError):
            service.add_log_entry(user_a, incident, **bad)


def test_observables_are_normalised_and_deduplicated(user_a, incident):
    first, created = service.add_observable(user_a, incident, "ip", "203.0.113[.]45")
    assert created and first.value == "203.0.113.45"
    again, created = service.add_observable(user_a, incident, "ip", " 203.0.113.45 ")
    assert not created and again.pk == first.pk
    with pytest.raises(ValidationError) as error:
        service.add_observable(user_a, incident, "hash", "abc")
    assert "value" in error.value.message_dict
    account, _ = service.add_observable(user_a, incident, "account", "EXEMPLE\\j.exemple")
    assert not any("j.exemple" in text for text in texts(incident))
    service.remove_observable(user_a, account)
    assert incident.observables.count() == 1


def test_comments(user_a, incident, make_user, establishment_a):
    comment = service.add_comment(user_a, incident, "Point à 12 h")
    assert comment.author == user_a
    dpo = make_user("dpo", "dpo", [establishment_a])
    service.add_comment(dpo, incident, "Notification CNIL à préparer")
    auditor = make_user("aud", "auditor", [establishment_a])
    with pytest.raises(PermissionDenied):
        service.add_comment(auditor, incident, "lecture seule")
    with pytest.raises(ValidationError):
        service.add_comment(user_a, incident, "   ")
    assert incident.comments.count() == 2


def test_counts(user_a, incident, incident_b):
    counts = dict(
        (value, count)
        for value, _label, count in service.status_counts(Incident.objects.visible_to(user_a))
    )
    assert counts["new"] == 1 and sum(counts.values()) == 1


# --- personal data said "no" while the facts say otherwise (issue 10) -------------------------


@pytest.mark.parametrize(
    "facts",
    [
        {"data_categories": ["health", "identity"], "individuals_affected": 1200},
        {"data_categories": ["health"]},
        {"individuals_affected": 1200},
    ],
)
def test_no_personal_data_with_data_facts_is_refused_on_create(user_a, establishment_a, facts):
    with pytest.raises(ValidationError) as error:
        service.create_incident(
            user_a,
            establishment=establishment_a,
            title="Fuite",
            discovered_at=DISCOVERED,
            personal_data="false",
            **facts,
        )
    message = " ".join(error.value.message_dict["personal_data"])
    assert "CNIL" in message
    assert not Incident.objects.exists()


def test_no_personal_data_is_accepted_when_no_data_facts(user_a, establishment_a):
    incident = service.create_incident(
        user_a,
        establishment=establishment_a,
        title="Panne",
        discovered_at=DISCOVERED,
        personal_data="false",
        data_categories=[],
        individuals_affected=0,
    )
    assert incident.personal_data == "false"


def test_update_checks_against_the_stored_facts(user_a, incident):
    service.update_incident(
        user_a, incident, {"data_categories": ["health"], "individuals_affected": 1200}
    )
    with pytest.raises(ValidationError) as error:
        service.update_incident(user_a, incident, {"personal_data": "false"})
    assert "personal_data" in error.value.message_dict
    incident.refresh_from_db()
    assert incident.personal_data == "unknown"
    # Clearing the facts in the same change is consistent, so accepted.
    service.update_incident(
        user_a,
        incident,
        {"personal_data": "false", "data_categories": [], "individuals_affected": None},
    )
    incident.refresh_from_db()
    assert incident.personal_data == "false"


def test_personal_data_contradiction_reads_in_french(user_a, establishment_a):
    from django.utils import translation

    with translation.override("fr"), pytest.raises(ValidationError) as error:
        service.create_incident(
            user_a,
            establishment=establishment_a,
            title="Fuite",
            discovered_at=DISCOVERED,
            personal_data="false",
            individuals_affected=1200,
        )
    message = " ".join(error.value.message_dict["personal_data"])
    assert "personnes concernées" in message and "CNIL" in message
    assert "1200" not in message  # grouped the French way


def test_automatic_timeline_entries_read_in_the_reader_language(user_a, incident, establishment_a):
    """Phase changes, linked alerts, tasks and decisions written in English (the demo, the CLI)
    read in French on a French page, and the other way round."""
    from django.utils import translation

    alert = raise_alert(
        establishment=establishment_a, source="detection", title="Brute force SSH", rule_id="r1"
    )
    with translation.override("en"):
        service.link_alerts(user_a, incident, [alert])
        service.transition(user_a, incident, "triage")
        task = service.add_task(user_a, incident, title="Isoler le serveur", is_decision=True)
        service.set_task_status(user_a, task, "done", decision="Mode dégradé")
        service.add_observable(user_a, incident, kind="ip", value="203.0.113.45")
    entries = list(TimelineEntry.objects.filter(incident=incident, kind__in=["auto", "decision"]))
    assert len(entries) == 7  # with the regulatory clocks started by the change of phase
    with translation.override("fr"):
        french = " ".join(entry.shown_text for entry in entries)
    with translation.override("en"):
        english = " ".join(entry.shown_text for entry in entries)
    phrases = ("alert(s) linked", "Phase: New", "Task added", "To do → Done", "Decision (")
    for phrase in (*phrases, "Regulatory clocks started", "Observable added: IP address"):
        assert phrase in english and phrase not in french, phrase
    assert "Isoler le serveur" in french and "Mode dégradé" in french


def test_the_declaration_entry_reads_in_the_reader_language(user_a, establishment_a):
    from django.utils import translation

    with translation.override("en"):
        incident = service.create_incident(
            user_a,
            establishment=establishment_a,
            title="Poste chiffré",
            category="ransomware",
            discovered_at=timezone.now() - timedelta(hours=1),
        )
    entry = TimelineEntry.objects.get(incident=incident, text__startswith="Incident declared.")
    with translation.override("fr"):
        assert entry.shown_text.startswith("Incident déclaré")
    with translation.override("en"):
        assert entry.shown_text.startswith("Incident declared.")


def test_the_clocks_started_entry_gives_dates_in_the_page_format(user_a, establishment_a):
    """It read "avant le 2026-12-09 03:12 CET (2026-12-09 02:12 UTC)" on a French page."""
    import re

    from django.utils import translation

    incident = service.create_incident(
        user_a,
        establishment=establishment_a,
        title="Poste chiffré",
        category="ransomware",
        discovered_at=timezone.now() - timedelta(hours=1),
    )
    entries = TimelineEntry.objects.filter(incident=incident)
    with translation.override("fr"):
        shown = " ".join(entry.shown_text for entry in entries)
    assert "Délais réglementaires déclenchés" in shown
    assert not re.search(r"\d{4}-\d\d-\d\d", shown), shown
