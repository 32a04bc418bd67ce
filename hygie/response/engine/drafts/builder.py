"""What every draft kind shares: the wording helpers bound to one snapshot and one language.

Values are named from the response vocabulary (``engine.choices``): the same label as in the
pages, or the register a declaration needs (a statement, a count of devices).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hygie.response.engine.choices import (
    ASSET_KIND_COUNTED,
    CARE_IMPACT_STATEMENTS,
    DATA_CATEGORY_LABELS,
    INCIDENT_CATEGORY_LABELS,
    INCIDENT_STATUS_STATEMENTS,
    PERSONAL_DATA_STATEMENTS,
    IncidentCategory,
)
from hygie.response.engine.drafts.model import DraftFacts, DraftField, FieldGroup
from hygie.response.engine.text import LocalizedText

T = tuple[str, str]  # (fr, en): the inline wording of a field's label or help

# Categories that are an attack by nature: the declaration says a malicious act is suspected.
MALICIOUS = frozenset(
    {
        IncidentCategory.RANSOMWARE,
        IncidentCategory.PHISHING,
        IncidentCategory.MALWARE,
        IncidentCategory.ACCOUNT_COMPROMISE,
        IncidentCategory.DENIAL_OF_SERVICE,
        IncidentCategory.UNAUTHORISED_ACCESS,
        IncidentCategory.MEDICAL_DEVICE_COMPROMISE,
    }
)


def pick(pair: T, language: str) -> str:
    return pair[0] if language == "fr" else pair[1]


def word(table: Mapping[Any, LocalizedText], value: str, language: str) -> str:
    """``value`` in ``language`` from a vocabulary table; an unknown value stands for itself."""
    found = table.get(value)
    return found.get(language) if found is not None else value


# --- formatting -------------------------------------------------------------------------------


# Month abbreviations of the display convention (decision 0025), as Django's ``N`` format writes
# them, so a draft reads its dates like every page: 6 déc. 2026 14:05 / 6 Dec. 2026 14:05.
_MONTHS = {
    "fr": (
        "jan.", "fév.", "mars", "avr.", "mai", "juin",
        "juil.", "août", "sept.", "oct.", "nov.", "déc.",
    ),
    "en": (
        "Jan.", "Feb.", "March", "April", "May", "June",
        "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.",
    ),
}  # fmt: skip


def format_date(value: datetime | None, zone: str, language: str) -> str:
    """The local date alone (6 déc. 2026 / 6 Dec. 2026)."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(zone))
    month = _MONTHS["fr" if language == "fr" else "en"][local.month - 1]
    return f"{local.day} {month} {local.year}"


def format_instant(value: datetime | None, zone: str, language: str) -> str:
    """A local time with its zone name: nobody converts UTC under stress."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(zone))
    return (
        f"{format_date(value, zone, language)} {local.strftime('%H:%M')} "
        f"({zone}, UTC{local.strftime('%z')[:3]}:{local.strftime('%z')[3:]})"
    )


def bullet_lines(items: Sequence[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def yes_no(value: bool, language: str) -> str:
    return pick(("Oui", "Yes") if value else ("Non", "No"), language)


class Builder:
    """Helpers bound to one snapshot and one language."""

    def __init__(self, facts: DraftFacts, language: str) -> None:
        self.f = facts
        self.lang = language

    def t(self, fr: str, en: str) -> str:
        return fr if self.lang == "fr" else en

    def when(self, value: datetime | None) -> str:
        return format_instant(value, self.f.timezone, self.lang)

    def field(
        self,
        key: str,
        label: T,
        value: str = "",
        help: T = ("", ""),
        *,
        required: bool = True,
        multiline: bool = False,
    ) -> DraftField:
        return DraftField(
            key, pick(label, self.lang), value, pick(help, self.lang), required, multiline
        )

    def category(self) -> str:
        return word(INCIDENT_CATEGORY_LABELS, self.f.category, self.lang)

    def care_impact(self) -> str:
        return word(CARE_IMPACT_STATEMENTS, self.f.care_impact, self.lang)

    def handling_status(self) -> str:
        return word(INCIDENT_STATUS_STATEMENTS, self.f.status, self.lang)

    def data_categories(self) -> str:
        return ", ".join(word(DATA_CATEGORY_LABELS, c, self.lang) for c in self.f.data_categories)

    def personal_data(self) -> str:
        return word(PERSONAL_DATA_STATEMENTS, self.f.personal_data, self.lang)

    def individuals(self) -> str:
        return "" if self.f.individuals is None else str(self.f.individuals)

    def assets(self) -> str:
        return ", ".join(
            f"{count} {word(ASSET_KIND_COUNTED, kind, self.lang)}"
            for kind, count in self.f.asset_counts
            if count
        )

    def scope(self) -> str:
        parts = []
        if self.f.departments:
            parts.append(
                self.t("Services touchés : ", "Affected departments: ")
                + ", ".join(self.f.departments)
            )
        if self.f.affected_establishments:
            parts.append(
                self.t("Autres établissements touchés : ", "Other affected establishments: ")
                + ", ".join(self.f.affected_establishments)
            )
        return "\n".join(parts)

    def measures(self) -> str:
        return bullet_lines(self.f.measures)

    def suspected_malicious(self) -> str:
        if self.f.category in MALICIOUS:
            return self.t(
                "Oui, acte malveillant suspecté (nature de l'incident : {c})",
                "Yes, suspected malicious act (nature of the incident: {c})",
            ).format(c=self.category())
        return ""

    def deadline(self, obligation_id: str) -> str:
        obligation = self.f.obligation(obligation_id)
        if obligation is None or not obligation.applies:
            return ""
        if obligation.due_at is None:
            return self.t("Sans délai", "Without delay")
        return self.when(obligation.due_at)

    def is_late(self, obligation_id: str) -> bool:
        obligation = self.f.obligation(obligation_id)
        return bool(
            obligation
            and obligation.applies
            and obligation.due_at
            and self.f.generated_at > obligation.due_at
        )

    def legal_representative(self) -> str:
        f = self.f
        return ", ".join(
            x for x in (f.legal_representative_name, f.legal_representative_title) if x
        )

    def declarant_group(self, key: str, title: T) -> FieldGroup:
        f = self.f
        # Without a known declarant (a draft built by the system), the stored security officer
        # is the contact; the 24/7 phone is the number the authority calls back in any case.
        if f.declarant_name:
            name, role, email = f.declarant_name, f.declarant_role, f.declarant_email
        elif f.rssi_name:
            name, role, email = f.rssi_name, self.t("RSSI", "CISO"), f.rssi_email
        else:
            name, role, email = "", "", ""
        phone = f.on_call_phone or f.rssi_phone
        return FieldGroup(
            key,
            pick(title, self.lang),
            (
                self.field("name", ("Nom et prénom", "Name"), name),
                self.field(
                    "role",
                    ("Fonction", "Role"),
                    role,
                    ("Ex. RSSI, directeur, DSI", "E.g. CISO, director, CIO"),
                ),
                self.field("email", ("Courriel", "E-mail"), email or f.rssi_email),
                self.field(
                    "phone",
                    (
                        "Téléphone (joignable 24h/24 pendant la crise)",
                        "Phone (reachable 24/7 during the crisis)",
                    ),
                    phone,
                    (
                        "Numéro direct auquel l'autorité peut rappeler.",
                        "A direct number the authority can call back.",
                    ),
                ),
            ),
        )


def done_at(b: Builder, obligation_id: str) -> str:
    obligation = b.f.obligation(obligation_id)
    return b.when(obligation.done_at) if obligation and obligation.done_at else ""
