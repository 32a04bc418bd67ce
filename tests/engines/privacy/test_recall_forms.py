"""Free-text recall (issue 15, part 2): every common written form of US and French phone numbers,
names with particles and compound names, and the look-alikes that must stay unreported.

Each case runs on both backends (Hyperscan and the pure ``re`` fallback): they must agree.
"""

from __future__ import annotations

import pytest

from hygie.privacy.engine import PHIDetector

from .helpers import findings_in_text

PHONES = [
    # United States
    ("call (555) 555-1234 x123", "US_PHONE", "(555) 555-1234 x123"),
    ("Phone: 555-010-0000 ext. 12", "US_PHONE", "555-010-0000 ext. 12"),
    ("Tel (212) 555-0100, extension 301", "US_PHONE", "(212) 555-0100, extension 301"),
    ("tel 555.010.0000", "US_PHONE", "555.010.0000"),
    ("fax: 212.555.0100", "US_PHONE", "212.555.0100"),
    ("Phone: 212 555 0100", "US_PHONE", "212 555 0100"),
    ("phone +1 212 555 0100", "US_PHONE", "+1 212 555 0100"),
    ("call +1 (212) 555-0100 today", "US_PHONE", "+1 (212) 555-0100"),
    ("toll free 1-800-555-0199", "US_PHONE", "1-800-555-0199"),
    ("+1-212-555-0100 ext 45", "US_PHONE", "+1-212-555-0100 ext 45"),
    ("cell: (212)555-0100x7", "US_PHONE", "(212)555-0100x7"),
    ("Tel: 2125550100", "US_PHONE", "2125550100"),
    ("mobile 2125550100", "US_PHONE", "2125550100"),
    ("Phone number: 2125550100 x12", "US_PHONE", "2125550100 x12"),
    ("joignable au 2125550100", "US_PHONE", "2125550100"),
    # France
    ("Tél : 01.23.45.67.89 poste 12", "FR_PHONE", "01.23.45.67.89 poste 12"),
    ("portable : 06 12 34 56 78 poste 123", "FR_PHONE", "06 12 34 56 78 poste 123"),
    ("+33 (0)1 23 45 67 89", "FR_PHONE", "+33 (0)1 23 45 67 89"),
    ("+33 (0) 1 23 45 67 89", "FR_PHONE", "+33 (0) 1 23 45 67 89"),
    ("0033 1 23 45 67 89", "FR_PHONE", "0033 1 23 45 67 89"),
    ("+33 6 12 34 56 78", "FR_PHONE", "+33 6 12 34 56 78"),
    ("+33612345678", "FR_PHONE", "+33612345678"),
    ("tél. 0123456789", "FR_PHONE", "0123456789"),
    ("joignable au 06-12-34-56-78", "FR_PHONE", "06-12-34-56-78"),
]

NAMES = [
    ("Patient : Mme Marie de La Fontaine", "Marie de La Fontaine"),
    ("vu par le Dr Jean-Pierre Le Gall.", "Jean-Pierre Le Gall"),
    ("Dr Jean d'Alembert", "Jean d'Alembert"),
    ("Mme Anne D'Alembert, 54 ans", "Anne D'Alembert"),
    ("Patient : M. Jean du Pont", "Jean du Pont"),
    ("M. Louis de Funès", "Louis de Funès"),
    ("Mme Hélène de la Roche", "Hélène de la Roche"),
    ("M. Pierre DE LA FONTAINE", "Pierre DE LA FONTAINE"),
    ("Mme Sophie LE GALL", "Sophie LE GALL"),
    ("Nom : LE GALL Yann", "LE GALL Yann"),
    ("Madame De La Fontaine", "De La Fontaine"),
    ("Mr. Patrick O'Brien", "Patrick O'Brien"),
    ("Patient: Sean O'Brien", "Sean O'Brien"),
    ("Dr. Sarah Smith-Jones", "Sarah Smith-Jones"),
    ("Mr. John McDonald", "John McDonald"),
    ("Mrs. Mary MacArthur", "Mary MacArthur"),
    ("Dr. Anna van der Berg", "Anna van der Berg"),
    # a given name from the list, no title or label before it
    ("Jean-Pierre Le Gall est venu", "Jean-Pierre Le Gall"),
    ("Marie de La Fontaine est venue", "Marie de La Fontaine"),
    ("Jean d'Ormesson a appelé", "Jean d'Ormesson"),
    ("Patrick O'Brien came back", "Patrick O'Brien"),
    ("Mary McDonald called", "Mary McDonald"),
]

# Look-alikes: numbers that are not phones, name cues that must stop at the name.
NOT_PHONES = [
    "glucose 5.55 mmol/L, lot 123.456.7890.1",
    "lot 2125550100",
    "code 2125550100",
    "ref 212-555-0100-22",
    "serial 4.212.555.0100",
    "version 10.12.34.56.78",
    "résultat 12.34.56.78.90 mg",
    "seen 03-31-2010 10:45",
    "INR 2.5 x10",
    "codes 212-555.0100 and 212.555-0100",
    "IPP 2125550100",
    "NIR 2 95 10 99 126 111 93",
    "le 12.03.2021 à 10.30",
]


def _found(detector: PHIDetector, text: str) -> set[tuple[str, str]]:
    return {(entity, value) for entity, value, _ in findings_in_text(detector, text)}


@pytest.mark.parametrize(("text", "entity", "value"), PHONES)
@pytest.mark.parametrize("backend", ["detector", "re_detector"])
def test_phone_forms(
    request: pytest.FixtureRequest, backend: str, text: str, entity: str, value: str
) -> None:
    assert (entity, value) in _found(request.getfixturevalue(backend), text)


@pytest.mark.parametrize(("text", "value"), NAMES)
@pytest.mark.parametrize("backend", ["detector", "re_detector"])
def test_names_with_particles_and_compounds(
    request: pytest.FixtureRequest, backend: str, text: str, value: str
) -> None:
    assert ("PERSON", value) in _found(request.getfixturevalue(backend), text)


@pytest.mark.parametrize("text", NOT_PHONES)
@pytest.mark.parametrize("backend", ["detector", "re_detector"])
def test_phone_look_alikes_are_not_phones(
    request: pytest.FixtureRequest, backend: str, text: str
) -> None:
    phones = {
        value
        for entity, value in _found(request.getfixturevalue(backend), text)
        if entity in ("US_PHONE", "FR_PHONE")
    }
    assert not phones


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Dr Martin du CHU de Lyon", "Martin"),
        ("Dr Martin du service de cardiologie", "Martin"),
        ("Mme Dupont de retour ce jour", "Dupont"),
        ("Jean Dupont le 12/03/2021", "Jean Dupont"),
        ("Mr. Smith and Dr. Jones", "Smith"),
    ],
)
@pytest.mark.parametrize("backend", ["detector", "re_detector"])
def test_particle_does_not_swallow_the_next_words(
    request: pytest.FixtureRequest, backend: str, text: str, value: str
) -> None:
    persons = {v for e, v in _found(request.getfixturevalue(backend), text) if e == "PERSON"}
    assert value in persons


def test_extension_is_part_of_the_masked_value(detector: PHIDetector) -> None:
    [(_, value, finding)] = findings_in_text(detector, "Phone: 555-010-0000 ext. 12")
    assert value == "555-010-0000 ext. 12"
    assert "0000" not in finding.masked and finding.masked.startswith("•••-•••-")
