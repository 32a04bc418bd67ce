"""What a column header, JSON key or XML element name says about the values under it."""

from __future__ import annotations

import re
import unicodedata

from hygie.privacy.engine.model import EntityType as E

_HEADER_HINTS: dict[str, E] = {}
for _entity, _names in (
    (
        E.PERSON,
        "nom prenom prenoms name lastname last_name firstname first_name surname "
        "familyname family_name givenname given_name fullname full_name patient "
        "patientname patient_name nomnaissance nom_naissance nomusage nom_usage "
        "nom_de_naissance middlename middle_name maidenname medecin medecintraitant "
        "physician doctor",
    ),
    (
        E.DATE_OF_BIRTH,
        "dob ddn birthdate birth_date dateofbirth date_of_birth datenaissance "
        "date_naissance date_de_naissance naissance birthday",
    ),
    (
        E.ADDRESS,
        "adresse address street streetaddress street_address rue adresse1 adresse2 "
        "address1 address2 addressline line1 line2",
    ),
    (E.POSTAL_CODE, "cp codepostal code_postal zip zipcode zip_code postalcode postal_code"),
    (
        E.MRN,
        "ipp mrn patientid patient_id idpatient id_patient numdossier num_dossier "
        "numero_dossier dossier nip medicalrecordnumber medical_record_number "
        "accountnumber account_number",
    ),
    (E.FR_NIR, "nir numsecu num_secu numero_secu securite_sociale nss insee"),
    (E.FR_INS, "ins matricule_ins insnir ins_nir"),
    (E.US_SSN, "ssn social_security socialsecuritynumber social_security_number"),
    (E.US_NPI, "npi"),
    (E.FR_RPPS, "rpps idnat idnatps idnat_ps"),
    (E.FR_PHONE, "tel telephone phone phonenumber phone_number portable mobile cell fax"),
    (E.EMAIL, "email mail courriel e_mail emailaddress email_address"),
):
    for _name in _names.split():
        _HEADER_HINTS[_name] = _entity

_NOT_WORD = re.compile(r"[^a-z0-9_]+")


def normalise_label(label: str) -> str:
    folded = unicodedata.normalize("NFKD", label.strip().lower())
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c))
    return _NOT_WORD.sub("_", ascii_only).strip("_")


def hint_for_label(label: str) -> E | None:
    """The entity a header announces, trying it with and without underscores."""
    key = normalise_label(label)
    if not key or len(key) > 40:
        return None
    return _HEADER_HINTS.get(key) or _HEADER_HINTS.get(key.replace("_", ""))
