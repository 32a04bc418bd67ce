"""What people read (decision 0025): durations in words, the “to check” marker, audit messages,
job texts and finding locations rendered in the reader's language, one date format."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_noop

from hygie.core import display
from hygie.core.models import Job
from hygie.privacy.models import location_display


@pytest.mark.parametrize(
    "value,french,english",
    [
        ("PT15M", "15 minutes", "15 minutes"),
        ("PT1H", "1 heure", "1 hour"),
        ("P2D", "2 jours", "2 days"),
        ("P1DT2H", "1 jour et 2 heures", "1 day and 2 hours"),
        (timedelta(hours=72), "3 jours", "3 days"),
        ("not a duration", "not a duration", "not a duration"),
    ],
)
def test_durations_read_as_words(value, french, english):
    with translation.override("fr"):
        assert display.duration_words(value) == french
    with translation.override("en"):
        assert display.duration_words(value) == english


def test_within_and_durations_inside_a_sentence():
    with translation.override("fr"):
        assert display.within("PT15M") == "sous 15 minutes"
        assert display.durations_in_text("Relancer après PT2H.") == "Relancer après 2 heures."


@pytest.mark.parametrize(
    "text,cleaned",
    [
        ("n'a pas été vérifié (UNVERIFIED).", "n'a pas été vérifié."),
        ("Fiche réflexe (identifiant supposé) [UNVERIFIED]", "Fiche réflexe (identifiant supposé)"),
        ("(art. 3(2)(c), UNVERIFIED). La date", "(art. 3(2)(c)). La date"),
        ("UNVERIFIED: reference/frameworks.md §2 says this id is probably…", ""),
        (
            "Practice names verified only through secondary sources (reference/frameworks.md §6).",
            "",
        ),
    ],
)
def test_developer_notes_become_the_to_check_marker(text, cleaned):
    assert display.split_to_check(text) == (cleaned, True)
    with translation.override("fr"):
        html = str(display.to_check_html(text))
    assert "UNVERIFIED" not in html and "reference/" not in html
    assert 'title="à vérifier sur le texte officiel"' in html and "à vérifier</span>" in html
    assert display.to_check_text(text).endswith("*")


def test_text_without_notes_is_left_alone():
    assert display.split_to_check("Délai : sans délai.") == ("Délai : sans délai.", False)
    assert str(display.to_check_html("a < b")) == "a &lt; b"


def test_audit_messages_are_translated_when_read():
    # A module registers its templates when its services load (the URLconf loads them).
    import hygie.response.services.drafts  # noqa: F401

    with translation.override("fr"):
        assert display.audit_message("breach register viewed") == "registre des violations consulté"
        assert (
            display.audit_message("notification draft exported (pdf)")
            == "brouillon de notification exporté (pdf)"
        )
        assert display.audit_message("something never registered") == "something never registered"
        assert display.object_type_label("core.user") == "Utilisateur"
        assert display.object_type_label("gone.model") == "Model"


def test_audit_object_names_given_by_the_platform_read_in_each_language():
    with translation.override("fr"):
        assert display.audit_object_name("audit checkpoint #12") == (
            "point de contrôle d’audit nº 12"
        )
        assert display.audit_object_name("audit trail (CSV)") == "journal d’audit (CSV)"
        # Any other name is the user's own data: never translated.
        assert display.audit_object_name("Name") == "Name"


def test_finding_locations_read_in_each_language():
    with translation.override("fr"):
        assert location_display("line 3, column 26") == "ligne 3, colonne 26"
        assert location_display("column 4 (date_naissance)") == "colonne 4 «\xa0date_naissance\xa0»"
        assert location_display("patients/0/nir") == "patients/0/nir"
    with translation.override("en"):
        assert location_display("line 3, column 26") == "line 3, column 26"


@pytest.mark.django_db
def test_job_texts_follow_the_reader_and_old_rows_read_as_stored():
    job = Job.objects.create(
        kind="privacy.phi_scan",
        title="PHI scan: Partage",
        progress_message="Done",
        display_texts={
            "title": [gettext_noop("PHI scan: %(root)s"), {"root": "Partage"}],
            "progress": [gettext_noop("Done"), {}],
        },
    )
    with translation.override("fr"):
        assert job.get_title_display() != "PHI scan: Partage" and "Partage" in str(job)
        assert job.shown_progress_message == "Terminé"
        assert job.get_kind_display() == "Rechercher des données patients dans les fichiers"
    with translation.override("en"):
        assert job.get_title_display() == "PHI scan: Partage"
    old = Job.objects.create(kind="core.prune_history", title="Ancien titre", progress_message="x")
    with translation.override("en"):
        assert old.get_title_display() == "Ancien titre" and old.shown_progress_message == "x"


def test_one_date_format_per_language():
    moment = datetime(2026, 12, 6, 14, 5)
    with translation.override("fr"):
        for name in ("DATE_FORMAT", "SHORT_DATE_FORMAT"):
            assert formats.date_format(moment, name) == "6 déc. 2026"
        for name in ("DATETIME_FORMAT", "SHORT_DATETIME_FORMAT"):
            assert formats.date_format(moment, name) == "6 déc. 2026 14:05"
        assert formats.number_format(17.6) == "17,6"
    with translation.override("en"):
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "6 Dec. 2026 14:05"
        assert formats.number_format(17.6) == "17.6"


@pytest.mark.django_db
def test_automatic_timeline_entries_read_in_each_language():
    from hygie.response.models import TimelineEntry
    from hygie.response.services.timeline import in_each_language

    texts = in_each_language(
        lambda: (
            translation.gettext("Notification draft created: %(kind)s (%(language)s).")
            % {"kind": "CNIL", "language": "fr"}
        )
    )
    assert texts["en"] == "Notification draft created: CNIL (fr)."
    assert texts["fr"].startswith("Projet de notification créé")
    entry = TimelineEntry(text=texts["fr"], texts=texts)
    with translation.override("en"):
        assert entry.shown_text == texts["en"]
    with translation.override("fr"):
        assert entry.shown_text == texts["fr"]
    assert TimelineEntry(text="Écrit à la main").shown_text == "Écrit à la main"


def test_iso_date_times_kept_in_json_read_in_the_page_format():
    from hygie.core.templatetags.hygie_format import iso_datetime

    with translation.override("fr"), timezone.override("Europe/Paris"):
        assert iso_datetime("2026-12-06T13:05:00+00:00") == "6 déc. 2026 14:05"
        assert iso_datetime("not a date") == "not a date"


def test_a_background_job_reads_as_its_kind_in_the_audit_trail():
    """The chain stores ``job core.prune_history``; readers see the job kind's title."""
    import hygie.core.jobs  # noqa: F401  (registers the core job kinds)

    with translation.override("fr"):
        shown = display.audit_actor("job core.prune_history")
    assert shown and "core.prune_history" not in shown and "job" not in shown.split()
    with translation.override("en"):
        assert display.audit_actor("job core.prune_history") == "Prune old background task records"
    assert display.audit_actor("job no.such_kind") == "job no.such_kind"
    assert display.audit_actor("admin") == "admin"
    assert display.audit_actor(None) == ""


@pytest.mark.parametrize(
    ("stored", "french"),
    [
        (
            "Known exploited vulnerability CVE-2099-0102 on a life-sustaining device: resp-01",
            "CVE-2099-0102",
        ),
        ("New advisory CVE-2099-0101 affects a life-sustaining device: pompe-03", "pompe-03"),
        ("Validated national identifiers on the shared drive “Partage RH”", "Partage RH"),
        ("Suspicious e-mail reported from rh-paie.example", "rh-paie.example"),
    ],
)
def test_alert_titles_written_in_english_read_in_french(stored, french):
    """The demo and the CLI write these titles in English; a French page showed them as is."""
    import hygie.detection.mail_reports  # noqa: F401  (modules register their title templates)
    import hygie.devices.services.feeds  # noqa: F401
    import hygie.privacy.services  # noqa: F401
    from hygie.core.models import Alert

    alert = Alert(title=stored)
    with translation.override("fr"):
        shown = alert.get_title_display()
        assert str(alert) == shown
    assert shown != stored and french in shown
    with translation.override("en"):
        assert alert.get_title_display() == stored
    assert Alert(title="Titre écrit à la main").get_title_display() == "Titre écrit à la main"


def test_a_device_alert_description_written_in_english_reads_in_french():
    import hygie.devices.services.feeds  # noqa: F401  (registers its alert texts)
    from hygie.core.models import Alert

    alert = Alert(
        title="t",
        description="Pompe X (pompe-03) is affected (2.8 is within <2.9). Decide on it in the "
        "device vulnerabilities: patch, mitigate with a compensating control, or accept the risk "
        "with a justification and an expiry.",
    )
    with translation.override("fr"):
        shown = alert.get_description_display()
    assert shown.startswith("Pompe X (pompe-03) est affecté (2.8 is within <2.9).")
    with translation.override("en"):
        assert alert.get_description_display() == alert.description
    assert Alert(description="").get_description_display() == ""
