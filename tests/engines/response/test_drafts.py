"""The drafts engine, without Django: every kind in both languages, unknowns, free-text leaks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from hygie.response.engine.drafts import (
    DRAFT_OBLIGATIONS,
    LANGUAGES,
    DraftError,
    DraftFacts,
    DraftKind,
    ObligationFact,
    apply_values,
    build_draft,
    format_instant,
    merge_edits,
    suggested_kinds,
)

DISCOVERED = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
SECRET = "Mme Synthétique Dupont, chambre 12"  # stands for free text that may hold PHI

FACTS = DraftFacts(
    reference="INC-2026-0042",
    title=f"Fuite dossier {SECRET}",
    category="data_breach",
    severity="High",
    care_impact="none",
    status="containment",
    discovered_at=DISCOVERED,
    generated_at=DISCOVERED + timedelta(hours=2),
    establishment_name="CH Exemple",
    finess="010000024",
    description=f"Le dossier de {SECRET} a été envoyé par erreur.",
    departments=("Cardiologie",),
    asset_counts=(("server", 2), ("workstation", 1)),
    data_categories=("health", "identity", "credentials"),
    individuals=320,
    personal_data="true",
    risk="high",
    measures=("Mot de passe réinitialisé",),
    root_cause=f"Erreur de destinataire ({SECRET})",
    iocs=(("domain", "evil.example"),),
    obligations=(
        ObligationFact("cert_sante", "CERT Santé", True, "ARS"),
        ObligationFact("gdpr_art33", "GDPR 33", True, "CNIL", DISCOVERED + timedelta(hours=72)),
        ObligationFact("gdpr_art34", "GDPR 34", True, "People"),
        ObligationFact("nis2_early_warning", "NIS2", False, "ANSSI"),
    ),
    nis2_class="essential",
    declarant_name="Alice Martin",
    declarant_role="RSSI",
    declarant_email="alice@example.org",
)

EXPECTED_GROUPS = {
    DraftKind.CERT_SANTE: ["structure", "declarant", "description", "impacts", "causes", "other"],
    DraftKind.CNIL: [
        "controller",
        "dpo",
        "declarant",
        "nature",
        "consequences",
        "measures",
        "timing",
    ],
    DraftKind.NIS2_EARLY_WARNING: ["entity", "contact", "warning"],
    DraftKind.NIS2_NOTIFICATION: ["entity", "contact", "update", "assessment"],
    DraftKind.HHS: ["entity", "contact", "business_associate", "breach", "actions", "notices"],
    DraftKind.INDIVIDUALS_LETTER: ["recipient", "letter"],
}


def values(content, group):
    return {f.key: f for g in content.groups if g.key == group for f in g.fields}


def all_text(content):
    return "\n".join(f.value for g in content.groups for f in g.fields)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(DraftKind))
def test_every_kind_and_language_has_its_groups_and_marks_unknowns(kind, language):
    content = build_draft(FACTS, kind, language)
    assert [g.key for g in content.groups] == EXPECTED_GROUPS[kind]
    assert content.language == language and content.title and content.recipient
    unknown = [f for g in content.groups for f in g.fields if f.to_complete]
    assert unknown, "every form has something Hygie cannot know"
    assert all(f.value == "" and f.help for f in unknown if f.key in ("address", "phone"))
    assert content.to_complete_count == len(unknown)
    data = content.to_dict()
    assert data["kind"] == kind.value
    assert {"key", "label", "value", "to_complete", "help"} <= set(data["groups"][0]["fields"][0])


def test_labels_follow_the_language():
    fr = build_draft(FACTS, "cert_sante", "fr")
    en = build_draft(FACTS, "cert_sante", "en")
    assert values(fr, "structure")["finess"].label == "N° FINESS"
    assert values(en, "structure")["finess"].label == "FINESS number"
    assert values(fr, "description")["nature"].value.startswith("Violation de données")
    assert values(en, "description")["nature"].value.startswith("Data breach")
    assert fr.groups[0].title == "Identification de la structure"


def test_cert_sante_carries_the_arrete_groups_and_facts():
    content = build_draft(FACTS, "cert_sante", "fr")
    assert values(content, "structure")["finess"].value == "010000024"
    assert values(content, "description")["discovered_at"].value.startswith("10 mars 2026 10:00")
    assert "Cardiologie" in values(content, "description")["scope"].value
    assert "2 serveur(s)" in values(content, "description")["systems"].value
    assert "320" in values(content, "impacts")["on_data"].value
    assert values(content, "structure")["address"].to_complete
    assert any("UNVERIFIED" in note for note in content.notes)
    assert "GDPR 33" in values(content, "other")["other_notifications"].value


def test_cnil_has_article_33_3_content():
    content = build_draft(FACTS, "cnil", "en")
    nature = values(content, "nature")
    assert nature["individuals"].value == "320"
    assert "confidentiality" in nature["type"].value
    assert nature["records"].to_complete
    assert "Health data" in nature["data_categories"].value
    assert "Mot de passe réinitialisé" in values(content, "measures")["taken"].value
    assert values(content, "dpo")["name"].to_complete  # no DPO known
    assert "Planned" in values(content, "measures")["individuals_informed"].value
    assert (
        "Disclosure of medical information" in values(content, "consequences")["consequences"].value
    )
    # Generated within 72 hours: no reason for delay is needed yet.
    assert not values(content, "timing")["delay_reasons"].to_complete


def test_cnil_late_requires_reasons_for_delay():
    late = replace(FACTS, generated_at=DISCOVERED + timedelta(hours=80))
    assert values(build_draft(late, "cnil", "fr"), "timing")["delay_reasons"].to_complete


def test_unknown_values_are_left_to_complete():
    sparse = replace(
        FACTS,
        individuals=None,
        data_categories=(),
        finess="",
        occurred_at=None,
        description="",
        declarant_email="",
        personal_data="unknown",
    )
    content = build_draft(sparse, "cnil", "fr")
    nature = values(content, "nature")
    for key in ("individuals", "data_categories", "circumstances", "occurred_at"):
        assert nature[key].to_complete, key
    assert values(content, "controller")["identifier"].to_complete
    assert values(content, "declarant")["email"].to_complete
    assert any("pas encore établie" in note for note in content.notes)
    hhs = build_draft(sparse, "hhs", "en")
    assert values(hhs, "breach")["start"].to_complete


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", [DraftKind.INDIVIDUALS_LETTER, DraftKind.NIS2_EARLY_WARNING])
def test_free_text_stays_out_of_forms_that_do_not_need_it(kind, language):
    text = all_text(build_draft(FACTS, kind, language))
    assert SECRET not in text
    assert "Synthétique" not in text
    assert "Mot de passe réinitialisé" not in text  # internal task titles too
    assert "evil.example" not in text


@pytest.mark.parametrize("kind", ["cert_sante", "cnil", "nis2_notification", "hhs"])
def test_forms_that_ask_for_a_description_get_it(kind):
    assert "envoyé par erreur" in all_text(build_draft(FACTS, kind, "fr"))


def test_letter_is_plain_language_with_art_34_2_content():
    content = build_draft(FACTS, "individuals_letter", "fr")
    letter = values(content, "letter")
    assert letter["what_happened"].value == (
        "Le 10 mars 2026, nous avons découvert que des informations vous concernant ont pu être "
        "consultées ou copiées par des personnes non autorisées."
    )
    assert "vos identifiants de connexion" in letter["data"].value
    assert "Changez votre mot de passe" in letter["advice"].value
    assert letter["measures"].to_complete and "34(2)" in letter["measures"].help
    assert letter["contact"].to_complete  # no DPO known
    with_dpo = replace(FACTS, dpo_name="Dora DPO", dpo_email="dpo@example.org")
    contact = values(build_draft(with_dpo, "individuals_letter", "en"), "letter")["contact"]
    assert contact.value == "Our data protection officer: Dora DPO, dpo@example.org"
    ransomware = replace(FACTS, category="ransomware")
    assert (
        "qu'une attaque"
        in values(build_draft(ransomware, "individuals_letter", "fr"), "letter")[
            "what_happened"
        ].value
    )


def test_nis2_and_hhs_specifics():
    warning = values(build_draft(FACTS, "nis2_early_warning", "en"), "entity")
    assert warning["class"].value == "Essential entity"
    notification = build_draft(FACTS, "nis2_notification", "en")
    assert "domain: evil.example" in values(notification, "assessment")["iocs"].value
    assert notification.recipient == "ANSSI (CERT-FR)"
    hhs = build_draft(
        replace(
            FACTS,
            residents_by_state=(("NY", 620), ("NJ", 80)),
            obligations=(ObligationFact("hipaa_media", "Media", True, "Media"),),
        ),
        "hhs",
        "en",
    )
    breach = values(hhs, "breach")
    assert breach["type"].value == "Unauthorized Access/Disclosure"
    assert breach["phi_types"].value == "Clinical, Demographic, Other"
    assert "Network Server" in breach["location"].value
    assert values(hhs, "notices")["media_notice"].value == "Yes (NY)"


def test_errors():
    with pytest.raises(DraftError, match="unknown draft kind"):
        build_draft(FACTS, "fax", "fr")
    with pytest.raises(DraftError, match="unknown language"):
        build_draft(FACTS, "cnil", "de")
    with pytest.raises(DraftError, match="timezone-aware"):
        replace(FACTS, discovered_at=datetime(2026, 3, 10, 9, 0))


def test_format_instant_shows_local_time_and_offset():
    assert (
        format_instant(DISCOVERED, "Europe/Paris", "fr")
        == "10 mars 2026 10:00 (Europe/Paris, UTC+01:00)"
    )
    summer = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    assert (
        format_instant(summer, "America/New_York", "en")
        == "1 July 2026 05:00 (America/New_York, UTC-04:00)"
    )
    assert format_instant(None, "Europe/Paris", "fr") == ""


def test_suggested_kinds_follow_obligations():
    assert suggested_kinds(FACTS.obligations) == (
        DraftKind.CERT_SANTE,
        DraftKind.CNIL,
        DraftKind.INDIVIDUALS_LETTER,
    )
    assert suggested_kinds(()) == ()
    assert set(DRAFT_OBLIGATIONS) == set(DraftKind)


def test_edits_survive_regeneration_and_unknown_keys_are_refused():
    first = build_draft(FACTS, "cnil", "fr").to_dict()
    edited = apply_values(first, {"nature.records": "450", "nature.individuals": "330"})
    assert values_of(edited, "nature", "records") == ("450", False, True)
    fresh = build_draft(replace(FACTS, individuals=400), "cnil", "fr").to_dict()
    merged = merge_edits(fresh, edited)
    assert values_of(merged, "nature", "individuals") == ("330", False, True)
    assert values_of(merged, "nature", "records") == ("450", False, True)
    cleared = apply_values(merged, {"nature.records": "  "})
    assert values_of(cleared, "nature", "records") == ("  ", True, True)
    with pytest.raises(DraftError) as error:
        apply_values(first, {"nature.nope": "1", "bad": "2", "nature.records": "x" * 30})
    assert "bad: unknown field" in str(error.value) and "nature.nope" in str(error.value)
    with pytest.raises(DraftError, match="longer than 10"):
        apply_values(first, {"nature.records": "x" * 11}, max_length=10)
    assert values_of(first, "nature", "records") == ("", True, False)  # input untouched


def values_of(content, group, key):
    item = next(
        f for g in content["groups"] if g["key"] == group for f in g["fields"] if f["key"] == key
    )
    return item["value"], item["to_complete"], bool(item.get("edited"))
