"""An establishment's regulatory profile: defaults from its kind and country, notification
addresses, saving."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from hygie.core.choices import EstablishmentKind
from hygie.core.models import Establishment, User
from hygie.core.services import crud
from hygie.response.choices import (
    HIPAARole,
    NIS2Class,
    RegulatoryType,
)
from hygie.response.models import RegulatoryProfile

# core Establishment.kind → the engine's establishment type.
KIND_TO_TYPE: dict[str, str] = {
    EstablishmentKind.CHU: RegulatoryType.HOSPITAL,
    EstablishmentKind.CH: RegulatoryType.HOSPITAL,
    EstablishmentKind.CLINIC: RegulatoryType.HOSPITAL,
    EstablishmentKind.ESPIC: RegulatoryType.HOSPITAL,
    EstablishmentKind.CLCC: RegulatoryType.HOSPITAL,
    EstablishmentKind.PSYCHIATRY: RegulatoryType.HOSPITAL,
    EstablishmentKind.HAD: RegulatoryType.HOSPITAL,
    EstablishmentKind.LAB: RegulatoryType.LABORATORY,
    EstablishmentKind.IMAGING: RegulatoryType.CARE_CENTRE,
    EstablishmentKind.EHPAD: RegulatoryType.MEDICO_SOCIAL,
    EstablishmentKind.PRACTICE: RegulatoryType.PRIVATE_PRACTICE,
    EstablishmentKind.OTHER: RegulatoryType.OTHER,
}

# EU member states: NIS2 is EU law. Care providers there get "important" by default (see
# docs/decisions: a missing NIS2 clock is worse than one the RSSI switches off).
EU_COUNTRIES = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    }
)
_NIS2_DEFAULT_TYPES = frozenset(
    {
        RegulatoryType.HOSPITAL,
        RegulatoryType.MILITARY_HOSPITAL,
        RegulatoryType.LABORATORY,
        RegulatoryType.CARE_CENTRE,
    }
)
_US_CARE_TYPES = frozenset(set(RegulatoryType.values) - {RegulatoryType.OTHER})


# --- regulatory profile --------------------------------------------------------------------


def default_profile_values(establishment: Establishment) -> dict[str, Any]:
    """What Hygie assumes before anyone has reviewed the establishment's profile."""
    kind = KIND_TO_TYPE.get(establishment.kind, RegulatoryType.OTHER)
    country = (establishment.country or "").upper()
    nis2 = (
        NIS2Class.IMPORTANT
        if country in EU_COUNTRIES and kind in _NIS2_DEFAULT_TYPES
        else NIS2Class.NONE
    )
    hipaa = (
        HIPAARole.COVERED_ENTITY if country == "US" and kind in _US_CARE_TYPES else HIPAARole.NONE
    )
    return {"type": kind, "nis2": nis2, "hipaa": hipaa, "gdpr_controller": True}


def regulatory_profile(establishment: Establishment) -> RegulatoryProfile:
    """The establishment's profile, created with defaults derived from it the first time."""
    profile, _created = RegulatoryProfile.objects.get_or_create(
        establishment=establishment, defaults=default_profile_values(establishment)
    )
    return profile


def notification_addresses(profile: RegulatoryProfile) -> list[str]:
    """The valid addresses of ``notification_emails`` (one per line, commas tolerated)."""
    addresses: list[str] = []
    for raw in profile.notification_emails.replace(",", "\n").replace(";", "\n").splitlines():
        address = raw.strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            continue
        if address.lower() not in {known.lower() for known in addresses}:
            addresses.append(address)
    return addresses


def clean_notification_emails(text: str) -> str:
    """Normalise the profile's address list, refusing any invalid line (named by position)."""
    lines = [line.strip() for line in text.replace(",", "\n").replace(";", "\n").splitlines()]
    problems = []
    for number, address in enumerate(lines, start=1):
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            problems.append(number)
    if problems:
        raise ValidationError(
            {
                "notification_emails": [
                    _("Line(s) %(lines)s: not a valid e-mail address.")
                    % {"lines": ", ".join(str(n) for n in problems)}
                ]
            }
        )
    return "\n".join(line for line in lines if line)


def save_profile(profile: RegulatoryProfile, user: User | None, **fields: Any) -> RegulatoryProfile:
    """Validate and save the profile; its post_save re-assesses the open incidents."""
    if "notification_emails" in fields:
        fields["notification_emails"] = clean_notification_emails(fields["notification_emails"])
    return crud.save_instance(profile, user, **fields)


def profiles_of(establishments: list[Establishment]) -> list[tuple[Establishment, Any]]:
    """Each establishment with its stored regulatory profile (None when never set)."""
    stored = {
        p.establishment_id: p
        for p in RegulatoryProfile.objects.filter(establishment__in=establishments)
    }
    return [(e, stored.get(e.pk)) for e in establishments]
