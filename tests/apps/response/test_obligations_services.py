"""Regulatory clocks on incidents: profile defaults, facts, assessment rows, decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape

from hygie.core.models import AuditEntry, Establishment, Evidence
from hygie.response import engine
from hygie.response.models import Incident, IncidentObligation, RegulatoryProfile, TimelineEntry
from hygie.response.services import obligations as service
from hygie.response.services.reports import report_context

# The automatic timeline is written in the active language; these tests read it in English.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
PARIS = ZoneInfo("Europe/Paris")


def row(incident, obligation_id):
    return IncidentObligation.objects.get(incident=incident, obligation_id=obligation_id)


def make_incident(establishment, reference="INC-2026-0100", **fields):
    values = {
        "title": "Incident synthétique",
        "category": "ransomware",
        "care_impact": "degraded_mode",
        "personal_data": "true",
        "risk_to_individuals": "high",
        "discovered_at": datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
    }
    values.update(fields)
    return Incident.objects.create(reference=reference, establishment=establishment, **values)


# --- profile --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "country", "expected_type", "nis2", "hipaa"),
    [
        ("chu", "FR", "hospital", "important", "none"),
        ("had", "FR", "hospital", "important", "none"),
        ("lab", "FR", "laboratory", "important", "none"),
        ("imaging", "DE", "care_centre", "important", "none"),
        ("ehpad", "FR", "medico_social", "none", "none"),
        ("practice", "FR", "private_practice", "none", "none"),
        ("other", "FR", "other", "none", "none"),
        ("ch", "US", "hospital", "none", "covered_entity"),
        ("other", "US", "other", "none", "none"),
    ],
)
def test_profile_defaults_derive_from_the_establishment(
    organisation, kind, country, expected_type, nis2, hipaa
):
    establishment = Establishment.objects.create(
        organisation=organisation,
        name=f"E {kind} {country}",
        kind=kind,
        country=country,
        timezone="America/New_York" if country == "US" else "Europe/Paris",
    )
    profile = service.regulatory_profile(establishment)
    assert (profile.type, profile.nis2, profile.hipaa, profile.gdpr_controller) == (
        expected_type,
        nis2,
        hipaa,
        True,
    )
    assert service.regulatory_profile(establishment).pk == profile.pk  # created once


def test_every_establishment_kind_is_mapped():
    from hygie.core.choices import EstablishmentKind

    assert set(service.KIND_TO_TYPE) == set(EstablishmentKind.values)


def test_notification_emails_are_validated_by_line():
    assert (
        service.clean_notification_emails(" rssi@ch.example \n\n dpo@ch.example;a@b.example")
        == "rssi@ch.example\ndpo@ch.example\na@b.example"
    )
    with pytest.raises(ValidationError) as caught:
        service.clean_notification_emails("rssi@ch.example\nnot-an-address")
    assert "2" in caught.value.message_dict["notification_emails"][0]


# --- facts ------------------------------------------------------------------------------------


def test_facts_map_the_incident_and_profile(incident):
    facts = service.facts_for(incident)
    assert facts.establishment.country == "FR"
    assert facts.establishment.type is engine.EstablishmentType.HOSPITAL
    assert facts.establishment.timezone == "Europe/Paris"
    assert facts.incident.category is engine.IncidentCategory.RANSOMWARE
    assert facts.incident.personal_data is engine.PersonalData.UNKNOWN
    assert facts.incident.care_impact is engine.CareImpact.DEGRADED_MODE
    assert facts.incident.individuals is None  # not counted yet
    assert facts.incident.discovered_at == datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def test_facts_carry_counts_and_states(establishment_a):
    incident = make_incident(
        establishment_a,
        individuals_affected=700,
        residents_by_state={"NY": 600},
        data_encrypted=True,
    )
    facts = service.facts_for(incident)
    assert facts.incident.individuals == 700
    assert dict(facts.incident.residents_by_state) == {"NY": 600}
    assert facts.incident.data_encrypted is True


def test_invalid_facts_are_a_validation_error_naming_the_field(establishment_a):
    incident = make_incident(
        establishment_a, individuals_affected=10, residents_by_state={"NY": 600}
    )
    with pytest.raises(ValidationError) as caught:
        service.assess_incident(incident)
    assert "incident.residents_by_state" in " ".join(caught.value.messages)
    # ...and saving such an incident is not blocked: the timeline says why.
    assert TimelineEntry.objects.filter(
        incident=incident, text__contains="could not be assessed"
    ).exists()


# --- assessment -----------------------------------------------------------------------------


def test_fr_hospital_ransomware_with_personal_data(establishment_a):
    incident = make_incident(establishment_a)  # assessed on creation by the signal
    ids = set(
        IncidentObligation.objects.filter(incident=incident).values_list("obligation_id", flat=True)
    )
    assert ids == {o.value for o in engine.ObligationId}  # one row per engine obligation
    cert = row(incident, "cert_sante")
    assert cert.applies and cert.deadline_kind == "immediate"
    assert cert.due_at == incident.discovered_at  # "sans délai" sorts as due now
    assert cert.verification == "VERIFIED"
    gdpr = row(incident, "gdpr_art33")
    assert gdpr.applies and gdpr.deadline_kind == "instant"
    assert gdpr.due_at == datetime(2026, 3, 13, 9, 0, tzinfo=UTC)  # 72 h of elapsed time
    assert gdpr.recipient.startswith("CNIL")
    assert gdpr.verification == "UNVERIFIED"
    art34 = row(incident, "gdpr_art34")
    assert art34.applies and art34.due_at is None  # without undue delay
    assert row(incident, "nis2_early_warning").due_at == datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
    assert not row(incident, "hipaa_hhs").applies
    assert row(incident, "hipaa_hhs").reason
    entry = TimelineEntry.objects.get(incident=incident, text__startswith="Regulatory clocks")
    assert "7 obligation(s) apply" in entry.text
    # Dates in the page format (decision 0025), not ISO.
    assert "(GDPR art. 33) by 13 March 2026 10:00 CET (13 March 2026 09:00 UTC)" in entry.text
    assert "NIS2 final report (1 month) by the end of 13 April 2026" in entry.text


def test_dst_deadline_through_the_service(establishment_a):
    """Discovered at 01:30 on 29 March 2026 in Paris, 30 minutes before clocks go forward."""
    discovered = datetime(2026, 3, 29, 1, 30, tzinfo=PARIS)
    incident = make_incident(establishment_a, discovered_at=discovered)
    gdpr = row(incident, "gdpr_art33")
    assert gdpr.due_at == datetime(2026, 4, 1, 0, 30, tzinfo=UTC)  # 72 real hours
    # On the wall clock it is 02:30 CEST on 1 April: 73 hours after 01:30 CET.
    assert gdpr.due_at.astimezone(PARIS).hour == 2


def test_us_date_deadline_ends_at_local_midnight(organisation):
    establishment = Establishment.objects.create(
        organisation=organisation,
        name="US General",
        kind="ch",
        country="US",
        timezone="America/New_York",
    )
    # 23:30 in New York on 30 June = 03:30 UTC on 1 July: the 60 days run from 30 June.
    incident = make_incident(
        establishment,
        discovered_at=datetime(2026, 7, 1, 3, 30, tzinfo=UTC),
        individuals_affected=40,
    )
    notice = row(incident, "hipaa_individuals")
    assert notice.deadline_kind == "date"
    assert notice.deadline_date.isoformat() == "2026-08-29"
    assert notice.due_at == datetime(2026, 8, 30, 4, 0, tzinfo=UTC)  # midnight EDT


def test_reassessment_preserves_decisions_and_records_changes(establishment_a, user_a):
    incident = make_incident(establishment_a)
    gdpr = row(incident, "gdpr_art33")
    service.complete_obligation(
        gdpr, timezone.now() - timedelta(hours=1), user=user_a, proof_reference="CNIL-2026-000123"
    )
    art34 = row(incident, "gdpr_art34")
    service.mark_not_applicable(art34, "Données chiffrées, clé non compromise.", user=user_a)
    # The facts change: no personal data after all.
    incident.personal_data = "false"
    incident.save()
    gdpr.refresh_from_db()
    art34.refresh_from_db()
    assert not gdpr.applies and gdpr.status == "done"
    assert gdpr.proof_reference == "CNIL-2026-000123"
    assert not art34.applies and art34.status == "not_applicable"
    register = row(incident, "gdpr_breach_register")
    assert not register.applies and register.status == "pending"  # kept, shown as not applying
    entry = TimelineEntry.objects.filter(incident=incident, text__contains="No longer applies")
    assert entry.exists()
    # Back again: the pending row applies again, decisions still there.
    incident.personal_data = "true"
    incident.save()
    register.refresh_from_db()
    gdpr.refresh_from_db()
    assert register.applies and gdpr.status == "done"


def test_deadline_change_is_recorded(establishment_a):
    incident = make_incident(establishment_a)
    incident.discovered_at = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
    incident.save()
    assert row(incident, "gdpr_art33").due_at == datetime(2026, 3, 13, 6, 0, tzinfo=UTC)
    assert TimelineEntry.objects.filter(
        incident=incident, text__contains="Deadline changed"
    ).exists()


def test_saving_without_fact_changes_adds_no_timeline_entry(establishment_a):
    incident = make_incident(establishment_a)
    before = TimelineEntry.objects.filter(incident=incident).count()
    incident.title = "Nouveau titre"
    incident.save()
    incident.save(update_fields=["title"])
    assert TimelineEntry.objects.filter(incident=incident).count() == before


def test_profile_change_reassesses_open_incidents(establishment_a):
    incident = make_incident(establishment_a)
    assert row(incident, "nis2_early_warning").applies
    profile = RegulatoryProfile.objects.get(establishment=establishment_a)
    profile.nis2 = "none"
    profile.save()
    assert not row(incident, "nis2_early_warning").applies


def test_establishment_time_zone_change_moves_date_deadlines(organisation):
    establishment = Establishment.objects.create(
        organisation=organisation,
        name="US West",
        kind="ch",
        country="US",
        timezone="America/New_York",
    )
    incident = make_incident(
        establishment,
        discovered_at=datetime(2026, 7, 1, 3, 30, tzinfo=UTC),
        individuals_affected=40,
    )
    establishment.timezone = "America/Los_Angeles"
    establishment.save()
    assert row(incident, "hipaa_individuals").due_at == datetime(2026, 8, 30, 7, 0, tzinfo=UTC)


def test_nis2_final_report_counts_from_the_actual_notification(establishment_a, user_a):
    incident = make_incident(establishment_a, discovered_at=timezone.now() - timedelta(days=2))
    final = row(incident, "nis2_final_report")
    latest = final.due_at
    submitted = timezone.now() - timedelta(days=1)
    service.complete_obligation(
        row(incident, "nis2_notification"), submitted, user=user_a, proof_reference="ANSSI-42"
    )
    final.refresh_from_db()
    expected = engine.end_of_local_day(engine.nis2_final_report_due(submitted, PARIS), PARIS)
    assert final.due_at == expected <= latest
    assert "submission" in final.deadline_rule
    assert final.texts["en"]["deadline_rule"] == final.deadline_rule
    assert "soumission de la notification le" in final.texts["fr"]["deadline_rule"]


def test_both_languages_are_stored_and_the_english_fields_stay(establishment_a):
    incident = make_incident(establishment_a)
    art33 = row(incident, "gdpr_art33")
    assert set(art33.texts) == {"fr", "en"}
    assert art33.texts["en"] == {
        "title": art33.title,
        "reason": art33.reason,
        "recipient": art33.recipient,
        "notes": art33.notes,
        "deadline_rule": art33.deadline_rule,
    }
    french = art33.texts["fr"]
    assert french["title"].startswith("Notifier la violation de données à caractère personnel")
    assert french["reason"].startswith("Violation de données à caractère personnel")
    assert french["recipient"].startswith("CNIL") and french["notes"]
    assert art33.text("reason", "fr") == french["reason"]
    assert art33.text("reason", "en-us") == art33.reason


def test_rows_without_texts_fall_back_to_english(establishment_a):
    incident = make_incident(establishment_a)
    IncidentObligation.objects.filter(incident=incident).update(texts={})
    art33 = row(incident, "gdpr_art33")
    assert art33.text("reason", "fr") == art33.reason
    assert art33.text("notes", "fr") == art33.notes
    # A re-assessment fills them in, without a timeline entry (nothing legal changed).
    entries = TimelineEntry.objects.filter(incident=incident).count()
    result = service.assess_incident(incident)
    assert not result.changed
    assert TimelineEntry.objects.filter(incident=incident).count() == entries
    assert row(incident, "gdpr_art33").texts["fr"]["recipient"].startswith("CNIL")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_post_incident_report_names_recipients_in_its_language(establishment_a, language):
    incident = make_incident(establishment_a)
    art34 = row(incident, "gdpr_art34")
    with translation.override(language):
        html = render_to_string("response/print/report.html", report_context(incident))
    other = "en" if language == "fr" else "fr"
    assert escape(art34.texts[language]["recipient"]) in html
    assert escape(art34.texts[other]["recipient"]) not in html


def test_states_note_in_both_languages(organisation):
    site = Establishment.objects.create(
        organisation=organisation,
        name="Example Hospital NY",
        kind="chu",
        country="US",
        timezone="America/New_York",
    )
    incident = make_incident(
        site,
        reference="INC-2026-0300",
        category="data_breach",
        care_impact="none",
        individuals_affected=2000,
        residents_by_state={"NY": 900},
    )
    media = row(incident, "hipaa_media")
    assert media.applies and media.notes[0] == "States or jurisdictions concerned: NY"
    assert media.texts["fr"]["notes"][0] == "États ou juridictions concernés : NY"
    assert media.texts["en"]["notes"] == media.notes


# --- decisions ------------------------------------------------------------------------------


def test_done_requires_a_date_and_a_proof(incident, user_a):
    obligation = row(incident, "cert_sante")
    with pytest.raises(ValidationError) as caught:
        service.complete_obligation(obligation, None, user=user_a, proof_reference="X")
    assert "done_at" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        service.complete_obligation(obligation, timezone.now(), user=user_a, proof_reference="  ")
    assert "proof_reference" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        service.complete_obligation(
            obligation, timezone.now() + timedelta(hours=1), user=user_a, proof_reference="X"
        )
    assert "future" in caught.value.message_dict["done_at"][0]
    obligation.refresh_from_db()
    assert obligation.status == "pending" and obligation.done_at is None


def test_done_with_a_reference(incident, user_a):
    obligation = row(incident, "cert_sante")
    when = timezone.now() - timedelta(minutes=5)
    service.complete_obligation(obligation, when, user=user_a, proof_reference="SIG-2026-77")
    obligation.refresh_from_db()
    assert (
        obligation.status,
        obligation.done_at,
        obligation.proof_reference,
        obligation.decided_by,
    ) == ("done", when, "SIG-2026-77", user_a)
    assert TimelineEntry.objects.filter(
        incident=incident, text__contains="SIG-2026-77", author=user_a
    ).exists()
    assert AuditEntry.objects.filter(
        object_type="response.incidentobligation",
        object_id=str(obligation.pk),
        message="obligation marked done",
    ).exists()
    with pytest.raises(ValidationError):  # already done: reopen first
        service.complete_obligation(obligation, when, user=user_a, proof_reference="again")


def test_done_with_a_file_stores_evidence(incident, user_a):
    obligation = row(incident, "cert_sante")
    proof = SimpleUploadedFile("accuse.pdf", b"%PDF-1.4\n% synthetic acknowledgement\n%%EOF\n")
    service.complete_obligation(obligation, timezone.now(), user=user_a, proof_file=proof)
    obligation.refresh_from_db()
    evidence = Evidence.objects.get(pk=obligation.proof_evidence_id)
    assert evidence.establishment == incident.establishment
    assert len(evidence.sha256) == 64 and evidence.content_type_label == "application/pdf"
    assert evidence.original_name == "accuse.pdf"


def test_a_refused_file_leaves_nothing_half_written(incident, user_a):
    obligation = row(incident, "cert_sante")
    fake = SimpleUploadedFile("accuse.pdf", b"MZ\x90\x00 not a pdf at all")
    with pytest.raises(ValidationError) as caught:
        service.complete_obligation(obligation, timezone.now(), user=user_a, proof_file=fake)
    assert "proof_file" in caught.value.message_dict
    obligation.refresh_from_db()
    assert obligation.status == "pending" and not Evidence.objects.exists()


def test_not_applicable_requires_a_justification(incident, user_a):
    obligation = row(incident, "gdpr_breach_register")
    with pytest.raises(ValidationError):
        service.mark_not_applicable(obligation, "   ", user=user_a)
    service.mark_not_applicable(obligation, "Aucune donnée personnelle concernée.", user=user_a)
    obligation.refresh_from_db()
    assert obligation.status == "not_applicable"
    assert obligation.justification == "Aucune donnée personnelle concernée."


def test_reopen(incident, user_a):
    obligation = row(incident, "cert_sante")
    with pytest.raises(ValidationError):
        service.reopen_obligation(obligation, user=user_a)
    service.complete_obligation(obligation, timezone.now(), user=user_a, proof_reference="R-1")
    service.reopen_obligation(obligation, user=user_a)
    obligation.refresh_from_db()
    assert obligation.status == "pending" and obligation.done_at is None
    assert obligation.proof_reference == ""
    assert TimelineEntry.objects.filter(incident=incident, text__contains="reopened").exists()


# --- dashboard grouping -----------------------------------------------------------------------


def test_grouping_by_urgency(establishment_a, user_a):
    now = timezone.now()
    incident = make_incident(establishment_a, discovered_at=now - timedelta(hours=60))
    groups = service.group_obligations(service.pending_obligations(user_a), now)
    ids = {key: {o.obligation_id for o in rows} for key, rows in groups.items()}
    assert "nis2_early_warning" in ids["overdue"]  # 24 h passed
    assert {"gdpr_art33", "nis2_notification"} <= ids["day"]  # 12 h left
    assert "nis2_final_report" in ids["later"]
    assert {"cert_sante", "gdpr_art34", "gdpr_breach_register"} <= ids["untimed"]
    assert service.overdue_count(user_a, now) == 1
    assert incident.pk


def test_pending_obligations_are_scoped(incident, incident_b, user_a, user_b):
    assert {o.incident_id for o in service.pending_obligations(user_a)} == {incident.pk}
    assert incident.pk not in {o.incident_id for o in service.pending_obligations(user_b)}


def test_obligation_done_entry_reads_in_each_language_with_the_page_date(incident, user_a):
    """The demo's entry read "Obligation done: CERT Santé / ARS declaration, on 2026-12-06 05:06
    CET; …" on a French page: English, and an ISO date."""
    obligation = row(incident, "cert_sante")
    when = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
    with translation.override("en"):
        service.complete_obligation(obligation, when, user=user_a, proof_reference="SIG-1")
    entry = TimelineEntry.objects.filter(incident=incident).latest("pk")
    with translation.override("fr"):
        french = entry.shown_text
    with translation.override("en"):
        english = entry.shown_text
    assert english.startswith("Obligation done:") and "10 March 2026 11:00 CET" in english
    assert "Obligation done" not in french and "10 mars 2026" in french
    assert "2026-03-10" not in french + english
