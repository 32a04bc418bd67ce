"""Bilingual obligation texts: every obligation, applying or not, reads in French and English.

The engine has no gettext: each title, reason, recipient, note and deadline rule carries both
languages as data (``hygie.response.engine.text.LocalizedText``). The English wording stays the
stable top-level text of the JSON output.
"""

from __future__ import annotations

import itertools
import re

import pytest

from hygie.response.engine import (
    CareImpact,
    EstablishmentType,
    HIPAARole,
    IncidentCategory,
    NIS2Class,
    Obligation,
    ObligationId,
    PersonalData,
    Risk,
    assess,
)
from hygie.response.engine.text import LocalizedText, language_of
from tests.engines.response.factories import breach, french_hospital, incident, us_hospital

PROFILES = [
    french_hospital(),
    french_hospital(type=EstablishmentType.PRIVATE_PRACTICE, nis2=NIS2Class.NONE),
    french_hospital(gdpr_controller=False, nis2=NIS2Class.IMPORTANT),
    us_hospital(),
    us_hospital(hipaa=HIPAARole.BUSINESS_ASSOCIATE),
    us_hospital(hipaa=HIPAARole.NONE),
]
INCIDENTS = [
    incident(),
    incident(
        category=IncidentCategory.RANSOMWARE,
        personal_data=PersonalData.UNKNOWN,
        risk_to_individuals=Risk.HIGH,
        care_impact=CareImpact.DEPROGRAMMED_ACTIVITY,
    ),
    breach(),
    breach(risk_to_individuals=Risk.HIGH, individuals=120),
    breach(risk_to_individuals=Risk.HIGH, data_encrypted=True),
    breach(risk_to_individuals=Risk.UNLIKELY),
    breach(risk_to_individuals=Risk.HIGH, individuals=3000, residents_by_state={"NY": 900}),
    breach(risk_to_individuals=Risk.HIGH, residents_by_state={"NJ": 800}),
    breach(risk_to_individuals=Risk.HIGH, individuals=2000, residents_by_state={"NY": 300}),
    incident(category=IncidentCategory.MEDICAL_DEVICE_COMPROMISE),
]
CASES = [assess(p, i) for p, i in itertools.product(PROFILES, INCIDENTS)]
ALL = [o for case in CASES for o in case]

# Words that would betray an untranslated English sentence in a French text. The French texts
# keep a few US legal terms of art in parentheses ("covered entity", "business associate") and
# the facts file's field names ("personal_data : unknown"), none of which contain these words.
ENGLISH = re.compile(
    r"\b(the|and|is|are|not|with|without|must|Applies|breach|individuals|"
    r"notify|which|until|after|before|within|data subjects)\b"
)


def test_every_obligation_applying_or_not_is_covered_by_the_samples() -> None:
    seen = {(o.id, o.applies) for o in ALL}
    assert seen == {(i, a) for i in ObligationId for a in (True, False)}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_text_is_present_in_both_languages(language: str) -> None:
    for obligation in ALL:
        wording = obligation.text(language)
        assert wording.title and wording.reason and wording.recipient, obligation.id
        assert all(note for note in wording.notes)
        assert len(wording.notes) == len(obligation.notes)
        assert bool(wording.deadline_rule) is (obligation.deadline is not None)


def test_english_texts_are_the_stable_top_level_wording() -> None:
    for obligation in ALL:
        english = obligation.text("en")
        assert (english.title, english.reason, english.recipient, english.notes) == (
            obligation.title,
            obligation.reason,
            obligation.recipient,
            obligation.notes,
        )
        assert english.deadline_rule == (obligation.deadline.rule if obligation.deadline else "")
        assert obligation.to_dict()["texts"]["en"] == english.to_dict()


def _french(obligation: Obligation) -> list[str]:
    wording = obligation.text("fr")
    return [wording.title, wording.reason, wording.recipient, *wording.notes, wording.deadline_rule]


def test_french_texts_are_french() -> None:
    for obligation in ALL:
        for french in _french(obligation):
            assert french != obligation.text("en").reason, obligation.id
            found = ENGLISH.search(french)
            assert found is None, f"{obligation.id.value}: {found and found.group()!r} in {french}"


def test_french_wording_uses_the_french_legal_terms() -> None:
    by_id = {o.id: o for o in CASES[1]}  # French CHU, ransomware, personal data unknown
    assert by_id[ObligationId.CERT_SANTE].text("fr").reason.startswith("Incident grave : ")
    assert "Sans délai" in by_id[ObligationId.CERT_SANTE].text("fr").deadline_rule
    assert by_id[ObligationId.GDPR_ART33].text("fr").recipient.startswith("CNIL")
    assert (
        "violation de données à caractère personnel"
        in by_id[ObligationId.GDPR_ART33].text("fr").title
    )
    assert (
        by_id[ObligationId.GDPR_ART33].text("fr").reason.startswith("S'applique à titre provisoire")
    )
    assert (
        "dans les meilleurs délais"
        in by_id[ObligationId.GDPR_BREACH_REGISTER].text("fr").deadline_rule
    )
    assert "responsable de traitement" in by_id[ObligationId.GDPR_ART33].text("fr").notes[0]
    assert "entité essentielle" in by_id[ObligationId.NIS2_EARLY_WARNING].text("fr").reason
    assert by_id[ObligationId.NIS2_EARLY_WARNING].text("fr").recipient == "ANSSI (CERT-FR)"


def test_language_tags() -> None:
    both = LocalizedText("bonjour", "hello")
    assert [both.get(tag) for tag in ("fr", "fr-FR", "en", "en-US", "EN", None, "de")] == [
        "bonjour",
        "bonjour",
        "hello",
        "hello",
        "hello",
        "bonjour",
        "bonjour",
    ]
    assert LocalizedText("", "hello").get("fr") == "hello"
    assert language_of("en-GB") == "en" and language_of("") == "fr"
    assert LocalizedText.same("x") == LocalizedText("x", "x")
    assert LocalizedText(" ; ", "; ").join([both, both]) == LocalizedText(
        "bonjour ; bonjour", "hello; hello"
    )
