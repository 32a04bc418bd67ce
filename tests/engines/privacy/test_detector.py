"""Detection on free text: every entity type, context scoring, checksum failures, backends."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hygie.privacy.engine import (
    Backend,
    ConfigError,
    EntityType,
    ExtractedDocument,
    NERUnavailableError,
    PHIDetector,
    ScanConfig,
)
from hygie.privacy.engine.matcher import hyperscan_available

from .conftest import KEY
from .helpers import findings_in_text

CASES = [
    ("NIR : 2 95 10 99 126 111 93", "FR_NIR", "2 95 10 99 126 111 93"),
    ("assuré 253072B07300470", "FR_NIR", "253072B07300470"),
    ("Tél. : 06 12 34 56 78", "FR_PHONE", "06 12 34 56 78"),
    ("joindre au +33 1 23 45 67 89", "FR_PHONE", "+33 1 23 45 67 89"),
    ("RPPS 10003456786", "FR_RPPS", "10003456786"),
    ("idNat_PS 810003456786", "FR_RPPS", "810003456786"),
    ("n° ADELI 751234567", "FR_ADELI", "751234567"),
    ("FINESS 010000024", "FR_FINESS", "010000024"),
    ("IBAN FR76 3000 6000 0112 3456 7890 189", "IBAN", "FR76 3000 6000 0112 3456 7890 189"),
    ("née le 12/03/1985 à Lyon", "DATE_OF_BIRTH", "12/03/1985"),
    ("Date de naissance : 1er janvier 1990", "DATE_OF_BIRTH", "1er janvier 1990"),
    ("12 rue de la Paix, 75002 Paris", "ADDRESS", "12 rue de la Paix"),
    ("12 rue de la Paix, 75002 Paris", "POSTAL_CODE", "75002"),
    ("SSN 425-57-9745", "US_SSN", "425-57-9745"),
    ("NPI: 1234567893", "US_NPI", "1234567893"),
    ("DEA AB1234563", "US_DEA", "AB1234563"),
    ("Medicare MBI 1EG4-TE5-MK73", "US_MBI", "1EG4-TE5-MK73"),
    ("call (555) 555-1234", "US_PHONE", "(555) 555-1234"),
    ("MRN: 00123456", "MRN", "00123456"),
    ("IPP : 7712345", "MRN", "7712345"),
    ("DOB: March 12, 1985", "DATE_OF_BIRTH", "March 12, 1985"),
    ("seen on 2021-03-04", "DATE", "2021-03-04"),
    ("lives at 1000 Hospital Lane, Ann Arbor, MI 48104", "ADDRESS", "1000 Hospital Lane"),
    ("lives at 1000 Hospital Lane, Ann Arbor, MI 48104", "POSTAL_CODE", "48104"),
    ("Patient : Mme Élodie DUPONT", "PERSON", "Élodie DUPONT"),
    ("vu par le Dr Jean-Luc Martin.", "PERSON", "Jean-Luc Martin"),
    ("Jean Dupuis est venu", "PERSON", "Jean Dupuis"),
    ("MARTIN Sophie, 45 ans", "PERSON", "MARTIN Sophie"),
    ("Marie Dupont, née Lefebvre", "PERSON", "Lefebvre"),
    ("mail elodie.dupont@example.fr", "EMAIL", "elodie.dupont@example.fr"),
    ("from host 10.0.0.12", "IP_ADDRESS", "10.0.0.12"),
    (
        "see https://ehr.example.org/patient?id=1234567",
        "URL",
        "https://ehr.example.org/patient?id=1234567",
    ),
    ("carte 4111 1111 1111 1111", "CREDIT_CARD", "4111 1111 1111 1111"),
]


@pytest.mark.parametrize(("text", "entity", "value"), CASES)
def test_detects_each_entity(detector: PHIDetector, text: str, entity: str, value: str) -> None:
    found = {(e, v) for e, v, _ in findings_in_text(detector, text)}
    assert (entity, value) in found


@pytest.mark.parametrize(("text", "entity", "value"), CASES)
def test_re_fallback_agrees(re_detector: PHIDetector, text: str, entity: str, value: str) -> None:
    found = {(e, v) for e, v, _ in findings_in_text(re_detector, text)}
    assert (entity, value) in found


def test_validated_identifier_scores_high_and_checksum_failure_low(detector: PHIDetector) -> None:
    [(_, _, good)] = [r for r in findings_in_text(detector, "NIR 295109912611193")]
    [(_, _, bad)] = [r for r in findings_in_text(detector, "NIR 295109912611194")]
    assert good.is_validated and good.confidence >= 0.9
    assert not bad.is_validated and bad.confidence <= 0.35  # reported, not dropped


def test_context_words_raise_confidence(detector: PHIDetector) -> None:
    [(_, _, bare)] = findings_in_text(detector, "valeur 1234567893")
    [(_, _, with_context)] = findings_in_text(detector, "NPI 1234567893")
    assert with_context.confidence > bare.confidence


def test_negative_words_lower_confidence(detector: PHIDetector) -> None:
    [(_, _, plain)] = findings_in_text(detector, "valeur 1234567893")
    [(_, _, order)] = findings_in_text(detector, "commande 1234567893")
    assert order.confidence < plain.confidence


def test_numbers_needing_context_are_not_reported_bare(detector: PHIDetector) -> None:
    assert not [r for r in findings_in_text(detector, "total 751234567") if r[0] == "FR_ADELI"]
    assert not [r for r in findings_in_text(detector, "lot 123456789") if r[0] == "US_SSN"]


def test_invalid_ssn_ranges_are_dropped(detector: PHIDetector) -> None:
    assert not findings_in_text(detector, "SSN 666-12-3456")


def test_nir_with_ins_oid_becomes_ins(detector: PHIDetector) -> None:
    text = "matricule INS 253072B07300470 (OID 1.2.250.1.213.1.4.8)"
    [(entity, _, finding)] = findings_in_text(detector, text)
    assert entity == "FR_INS" and finding.is_validated and finding.confidence >= 0.95


def test_findings_never_hold_the_value(detector: PHIDetector) -> None:
    text = "NIR 295109912611193, SSN 425-57-9745"
    for _, value, finding in findings_in_text(detector, text):
        assert value not in repr(finding)
        assert finding.value_hash != value and len(finding.value_hash) == 64


def test_same_value_same_hash_across_spellings(detector: PHIDetector) -> None:
    [(_, _, a)] = findings_in_text(detector, "NIR 2 95 10 99 126 111 93")
    [(_, _, b)] = findings_in_text(detector, "NIR 295109912611193")
    assert a.value_hash == b.value_hash


def test_locations_are_one_based_and_cover_the_value(detector: PHIDetector) -> None:
    text = "ligne 1\nTél : 06 12 34 56 78\n"
    [(_, value, finding)] = findings_in_text(detector, text)
    loc = finding.location
    line = text.splitlines()[loc.line - 1]
    assert (loc.line, line[loc.column - 1 : loc.end_column - 1]) == (2, value)


def test_entity_filter_and_min_confidence() -> None:
    only_email = PHIDetector(
        ScanConfig(hmac_key=KEY, entities=frozenset({EntityType.EMAIL}), backend=Backend.RE)
    )
    text = "a@b.fr NIR 295109912611193"
    assert [e for e, _, _ in findings_in_text(only_email, text)] == ["EMAIL"]


def test_config_is_validated() -> None:
    with pytest.raises(ConfigError):
        ScanConfig(hmac_key=b"short")
    with pytest.raises(ConfigError):
        ScanConfig(hmac_key=KEY, min_confidence=1.5)


def test_missing_ner_model_is_a_clear_error() -> None:
    with pytest.raises(NERUnavailableError):
        PHIDetector(ScanConfig(hmac_key=KEY, ner_model="xx_no_such_model_sm"))


_FRAGMENTS = [c[0] for c in CASES] + ["lorem ipsum", "\n", "12", "Mme", "né le", "é", "€", "  "]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=12).map(" ".join))
def test_hyperscan_and_re_backends_agree(
    hs_detector: PHIDetector, re_detector: PHIDetector, text: str
) -> None:
    def key(det: PHIDetector) -> list[tuple[str, int, int, float]]:
        doc = ExtractedDocument("text", text)
        return [(f.entity.value, f.start, f.end, f.confidence) for f in det.detect(doc)]

    assert key(hs_detector) == key(re_detector)


def test_a_detector_built_again_reuses_the_compiled_databases(hs_detector: PHIDetector) -> None:
    """A second detector takes the process's compiled Hyperscan databases (deserialized, its
    own scratch space) instead of compiling them again, and finds the same things."""
    again = PHIDetector(ScanConfig(hmac_key=KEY))
    text = " ".join(c[0] for c in CASES)

    def key(det: PHIDetector) -> list[tuple[str, int, int, float]]:
        doc = ExtractedDocument("text", text)
        return [(f.entity.value, f.start, f.end, f.confidence) for f in det.detect(doc)]

    assert key(again) == key(hs_detector) != []
    assert again._matcher._databases[0] is not hs_detector._matcher._databases[0]


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300))
def test_arbitrary_text_never_crashes(detector: PHIDetector, text: str) -> None:
    for finding in detector.detect(ExtractedDocument("text", text)):
        assert 0 <= finding.start < finding.end <= len(text)


def test_ner_mode_adds_free_text_names() -> None:
    pytest.importorskip("fr_core_news_sm", reason="NER model package not installed")
    ner = PHIDetector(ScanConfig(hmac_key=KEY, backend=Backend.RE, ner_model="fr_core_news_sm"))
    text = "Le patient est venu avec son frère Aurélien Vasseur-Marchal hier matin."
    found = {(e, v) for e, v, _ in findings_in_text(ner, text)}
    assert ("PERSON", "Aurélien Vasseur-Marchal") in found
    fast = {
        (e, v)
        for e, v, _ in findings_in_text(
            PHIDetector(ScanConfig(hmac_key=KEY, backend=Backend.RE)), text
        )
    }
    assert ("PERSON", "Aurélien Vasseur-Marchal") not in fast  # no cue, not in the name list


@pytest.mark.parametrize("count", [1, 4, 11])
def test_lone_surrogates_keep_offsets_right(
    detector: PHIDetector, re_detector: PHIDetector, count: int
) -> None:
    """Undecodable bytes kept as lone surrogates (surrogateescape) broke Hyperscan's offsets
    (IndexError) and the keyed hash (UnicodeEncodeError); found by fuzzing the scan."""
    text = "x" + "\udceb" * count + " Paul Martin, né le 01/02/1990, \udcebJean Dupont\udceb"
    doc = ExtractedDocument("text", text)
    found = [(f.entity, f.start, f.end) for f in detector.detect(doc)]
    assert found == [(f.entity, f.start, f.end) for f in re_detector.detect(doc)]
    assert (EntityType.PERSON, text.index("Paul"), text.index(",")) in found


@given(st.text(max_size=80), st.data())
def test_hyperscan_byte_offsets_become_character_offsets(text: str, data: st.DataObject) -> None:
    from hygie.privacy.engine.matcher import _char_offsets

    encoded = text.encode("utf-8", "replace")
    chars = data.draw(st.sets(st.integers(0, len(text)), max_size=6))
    as_bytes = {len(text[:c].encode("utf-8", "replace")): c for c in chars}
    assert _char_offsets(encoded, set(as_bytes)) == as_bytes


_ANCHORED_TEXTS = (
    "Vu par Dr Jean-Pierre de La Fontaine ce jour. Mme LE GALL Anne, M. O'Brien et Pr Martin.",
    "Adresse : 12 bis, rue des Lilas; address: 4 Main Street | Domicile: 7 allée Émile Zola\n",
    "Mr. McDonald et Madame d'Alembert Hélène (Dr  Dupont) — Docteur Müller, Professeur Zoé",
    "Adresse:12 rue X, adresse : 3 ter avenue Foch; M. M. Durand; Dr Dr Martin",
)


@pytest.mark.skipif(not hyperscan_available(), reason="hyperscan is not installed")
@pytest.mark.parametrize("text", _ANCHORED_TEXTS)
def test_anchored_patterns_match_as_the_regex_backend_does(text: str) -> None:
    """Hyperscan finds where a titled name or a labelled address starts; Python's regex takes
    the match from there: the same matches as the pure-regex backend's."""
    from hygie.privacy.engine.matcher import HyperscanMatcher, RegexMatcher
    from hygie.privacy.engine.patterns import PATTERNS

    anchored = {i for i, spec in enumerate(PATTERNS) if spec.anchor is not None}
    assert anchored
    fast = [hit for hit in HyperscanMatcher(PATTERNS).scan(text) if hit[0] in anchored]
    plain = [hit for hit in RegexMatcher(PATTERNS).scan(text) if hit[0] in anchored]
    assert fast == sorted(plain) and fast
