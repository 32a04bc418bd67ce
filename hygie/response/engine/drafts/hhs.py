"""The breach report to the US Department of Health and Human Services (45 CFR 164.408)."""

from __future__ import annotations

from hygie.response.engine.choices import DraftKind
from hygie.response.engine.drafts.builder import Builder, done_at, yes_no
from hygie.response.engine.drafts.model import DraftContent, FieldGroup

_HHS_TYPE = {
    "ransomware": "Hacking/IT Incident",
    "malware": "Hacking/IT Incident",
    "phishing": "Hacking/IT Incident",
    "account_compromise": "Hacking/IT Incident",
    "denial_of_service": "Hacking/IT Incident",
    "medical_device_compromise": "Hacking/IT Incident",
    "unauthorised_access": "Unauthorized Access/Disclosure",
    "data_breach": "Unauthorized Access/Disclosure",
}
_HHS_LOCATION = {
    "server": "Network Server",
    "workstation": "Desktop Computer",
    "mobile": "Other Portable Electronic Device",
}
_HHS_PHI = {
    "identity": "Demographic",
    "contact": "Demographic",
    "national_id": "Demographic",
    "financial": "Financial",
    "health": "Clinical",
    "imaging": "Clinical",
    "genetic": "Clinical",
    "other": "Other",
    "credentials": "Other",
    "staff": "Other",
}


def build_hhs(b: Builder) -> DraftContent:
    f = b.f
    media = f.obligation("hipaa_media")
    locations = sorted({_HHS_LOCATION[k] for k, n in f.asset_counts if k in _HHS_LOCATION and n})
    if f.category == "phishing" or f.category == "account_compromise":
        locations.append("Email")
    phi = sorted({_HHS_PHI[c] for c in f.data_categories if c in _HHS_PHI})
    groups = (
        FieldGroup(
            "entity",
            b.t("Entité couverte", "Covered entity"),
            (
                b.field("name", ("Nom", "Name of covered entity"), f.establishment_name),
                b.field(
                    "address",
                    ("Adresse", "Street address, city, state, ZIP"),
                    f.postal_address,
                    (
                        "Adresse postale de l'entité couverte.",
                        "Postal address of the covered entity.",
                    ),
                    multiline=True,
                ),
                b.field(
                    "type",
                    ("Type d'entité", "Type of covered entity"),
                    "",
                    (
                        "Health plan, healthcare provider ou healthcare clearinghouse.",
                        "Health plan, healthcare provider or healthcare clearinghouse.",
                    ),
                ),
            ),
        ),
        b.declarant_group("contact", ("Contact", "Contact")),
        FieldGroup(
            "business_associate",
            b.t("Partenaire (business associate)", "Business associate"),
            (
                b.field(
                    "involved",
                    (
                        "Implication d'un partenaire ?",
                        "Did the breach occur at or by a business associate?",
                    ),
                    "",
                ),
            ),
        ),
        FieldGroup(
            "breach",
            b.t("Violation", "Breach"),
            (
                b.field("start", ("Date de début", "Breach start date"), b.when(f.occurred_at)),
                b.field(
                    "end",
                    ("Date de fin", "Breach end date"),
                    b.when(f.contained_at),
                    required=False,
                ),
                b.field(
                    "discovered", ("Date de découverte", "Discovery date"), b.when(f.discovered_at)
                ),
                b.field(
                    "individuals",
                    (
                        "Nombre approximatif de personnes",
                        "Approximate number of individuals affected",
                    ),
                    b.individuals(),
                ),
                b.field(
                    "type",
                    ("Type de violation", "Type of breach"),
                    _HHS_TYPE.get(f.category, "Theft" if f.category == "loss_theft" else ""),
                    (
                        "Catégories du portail HHS : Hacking/IT Incident, Theft, Loss, Improper "
                        "Disposal, Unauthorized Access/Disclosure, Other.",
                        "Hacking/IT Incident, Theft, Loss, Improper Disposal, Unauthorized "
                        "Access/Disclosure, Other.",
                    ),
                ),
                b.field(
                    "location",
                    ("Emplacement des informations", "Location of breached information"),
                    ", ".join(locations),
                    (
                        "Choix du portail HHS : Laptop, Desktop Computer, Network Server, E-mail, "
                        "Other Portable Electronic Device, Electronic Medical Record, Paper/Films, "
                        "Other.",
                        "Laptop, Desktop Computer, Network Server, E-mail, Other Portable "
                        "Electronic Device, Electronic Medical Record, Paper/Films, Other.",
                    ),
                ),
                b.field(
                    "phi_types",
                    ("Types de PHI", "Type of protected health information"),
                    ", ".join(phi),
                    (
                        "Demographic, Financial, Clinical, Other.",
                        "Demographic, Financial, Clinical, Other.",
                    ),
                ),
                b.field(
                    "description",
                    ("Description", "Brief description of the breach"),
                    f.description,
                    multiline=True,
                ),
            ),
        ),
        FieldGroup(
            "actions",
            b.t("Mesures", "Safeguards and actions"),
            (
                b.field(
                    "safeguards",
                    (
                        "Mesures en place avant la violation",
                        "Safeguards in place prior to the breach",
                    ),
                    "",
                    (
                        "Ex. pare-feu, chiffrement, antivirus, sensibilisation.",
                        "E.g. firewalls, encryption, anti-virus, security awareness.",
                    ),
                    multiline=True,
                ),
                b.field(
                    "actions",
                    ("Mesures prises", "Actions taken in response"),
                    b.measures(),
                    multiline=True,
                ),
            ),
        ),
        FieldGroup(
            "notices",
            b.t("Notifications", "Notice of breach"),
            (
                b.field(
                    "individual_notice",
                    ("Date de notification aux personnes", "Date individual notice provided"),
                    done_at(b, "hipaa_individuals"),
                ),
                b.field(
                    "substitute_notice",
                    ("Avis de substitution", "Substitute notice required?"),
                    "",
                    required=False,
                ),
                b.field(
                    "media_notice",
                    ("Avis aux médias", "Media notice required?"),
                    (
                        yes_no(True, b.lang)
                        + (
                            " (" + ", ".join(f.residents_states()) + ")"
                            if f.residents_states()
                            else ""
                        )
                    )
                    if media and media.applies
                    else yes_no(False, b.lang)
                    if media
                    else "",
                ),
                b.field(
                    "deadline",
                    ("Échéance HHS", "HHS report due"),
                    b.deadline("hipaa_hhs"),
                    required=False,
                ),
            ),
        ),
    )
    return DraftContent(
        DraftKind.HHS,
        b.lang,
        b.t("Déclaration de violation à HHS", "HHS breach report"),
        "U.S. Department of Health and Human Services (OCR breach portal)",
        "45 CFR 164.408",
        groups,
        (
            b.t(
                "Champs du portail HHS tirés de mémoire, non vérifiés (UNVERIFIED).",
                "Fields of the HHS breach portal from memory, not verified (UNVERIFIED).",
            ),
        ),
    )
