"""The personal data breach notification to the CNIL (GDPR art. 33)."""

from __future__ import annotations

from hygie.response.engine.choices import RISK_STATEMENTS, DraftKind
from hygie.response.engine.drafts.builder import Builder, word
from hygie.response.engine.drafts.model import DraftContent, FieldGroup, ObligationFact


def _breach_nature(b: Builder) -> str:
    confidentiality = {
        "data_breach",
        "account_compromise",
        "phishing",
        "loss_theft",
        "unauthorised_access",
    }
    kinds = []
    if b.f.category in confidentiality or b.f.category == "ransomware":
        kinds.append(b.t("confidentialité", "confidentiality"))
    if b.f.category in {"ransomware", "malware", "medical_device_compromise"}:
        kinds.append(b.t("intégrité", "integrity"))
    if b.f.category in {"ransomware", "denial_of_service", "loss_theft"}:
        kinds.append(b.t("disponibilité", "availability"))
    return ", ".join(kinds)


def _likely_consequences(b: Builder) -> str:
    f = b.f
    if f.risk in ("none", "unlikely") and f.personal_data != "true":
        return ""
    lines = [word(RISK_STATEMENTS, f.risk, b.lang)]
    cats = set(f.data_categories)
    if cats & {"health", "genetic", "imaging"}:
        lines.append(
            b.t(
                "Divulgation d'informations médicales à des tiers (atteinte à la vie "
                "privée, discrimination possible).",
                "Disclosure of medical information to third parties (loss of privacy, "
                "possible discrimination).",
            )
        )
    if cats & {"national_id", "identity", "financial"}:
        lines.append(b.t("Usurpation d'identité, fraude.", "Identity theft, fraud."))
    if cats & {"contact", "credentials"}:
        lines.append(
            b.t(
                "Hameçonnage ciblé, réutilisation des identifiants.",
                "Targeted phishing, reuse of credentials.",
            )
        )
    if f.category == "ransomware" or f.care_impact != "none":
        lines.append(
            b.t("Retard ou perturbation de la prise en charge.", "Delayed or disrupted care.")
        )
    return "\n".join(lines)


def build_cnil(b: Builder) -> DraftContent:
    f = b.f
    late = b.is_late("gdpr_art33")
    art34 = f.obligation("gdpr_art34")
    groups = (
        FieldGroup(
            "controller",
            b.t("Responsable de traitement", "Controller"),
            (
                b.field("name", ("Organisme", "Organisation"), f.establishment_name),
                b.field(
                    "identifier",
                    ("SIREN / FINESS", "Registration number"),
                    f.finess,
                    ("SIREN de l'organisme (le FINESS à défaut).", "Company registration number."),
                    required=True,
                ),
                b.field(
                    "address",
                    ("Adresse", "Address"),
                    f.postal_address,
                    (
                        "Adresse postale du siège du responsable de traitement.",
                        "Postal address of the controller's head office.",
                    ),
                    multiline=True,
                ),
                b.field("country", ("Pays", "Country"), f.country),
                b.field(
                    "legal_representative",
                    ("Représentant légal", "Legal representative"),
                    b.legal_representative(),
                    required=False,
                ),
            ),
        ),
        FieldGroup(
            "dpo",
            b.t(
                "Délégué à la protection des données (art. 33(3)(b))",
                "Data protection officer (art. 33(3)(b))",
            ),
            (
                b.field("name", ("Nom", "Name"), f.dpo_name),
                b.field("email", ("Courriel", "E-mail"), f.dpo_email),
                b.field(
                    "phone",
                    ("Téléphone", "Phone"),
                    f.dpo_phone,
                    (
                        "Numéro auquel l'autorité peut joindre le DPO.",
                        "A number at which the authority can reach the DPO.",
                    ),
                ),
            ),
        ),
        b.declarant_group("declarant", ("Personne à contacter", "Contact person")),
        FieldGroup(
            "nature",
            b.t("Nature de la violation (art. 33(3)(a))", "Nature of the breach (art. 33(3)(a))"),
            (
                b.field(
                    "type",
                    ("Type de violation", "Type of breach"),
                    _breach_nature(b),
                    (
                        "Confidentialité, intégrité et/ou disponibilité.",
                        "Confidentiality, integrity and/or availability.",
                    ),
                ),
                b.field(
                    "origin",
                    ("Origine", "Origin"),
                    b.suspected_malicious(),
                    ("Acte malveillant, erreur, perte…", "Malicious act, error, loss…"),
                ),
                b.field(
                    "circumstances",
                    ("Circonstances", "Circumstances"),
                    f.description,
                    (
                        "Comment la violation s'est produite et a été découverte. Pas de données "
                        "de patients.",
                        "How the breach happened and was discovered. No patient data.",
                    ),
                    multiline=True,
                ),
                b.field(
                    "occurred_at",
                    ("Début de la violation", "Start of the breach"),
                    b.when(f.occurred_at),
                    ("« Inconnu » si non déterminé.", "'Unknown' if not determined."),
                ),
                b.field(
                    "discovered_at",
                    ("Prise de connaissance", "Became aware"),
                    b.when(f.discovered_at),
                ),
                b.field(
                    "ongoing",
                    ("Violation en cours ?", "Is the breach ongoing?"),
                    ""
                    if f.contained_at is None
                    else b.t("Non, endiguée le ", "No, contained on ") + b.when(f.contained_at),
                ),
                b.field(
                    "data_categories",
                    ("Catégories de données", "Categories of data"),
                    b.data_categories(),
                ),
                b.field(
                    "individuals",
                    (
                        "Nombre approximatif de personnes concernées",
                        "Approximate number of people concerned",
                    ),
                    b.individuals(),
                ),
                b.field(
                    "records",
                    ("Nombre approximatif d'enregistrements", "Approximate number of records"),
                    "",
                    ("Lignes, dossiers ou fichiers touchés.", "Rows, files or records affected."),
                ),
                b.field(
                    "people_categories",
                    ("Catégories de personnes concernées", "Categories of people concerned"),
                    b.t("Personnels", "Staff") if set(f.data_categories) == {"staff"} else "",
                    (
                        "Patients, personnels, résidents, visiteurs…",
                        "Patients, staff, residents, visitors…",
                    ),
                ),
            ),
        ),
        FieldGroup(
            "consequences",
            b.t("Conséquences probables (art. 33(3)(c))", "Likely consequences (art. 33(3)(c))"),
            (
                b.field(
                    "consequences",
                    ("Conséquences pour les personnes", "Consequences for the people"),
                    _likely_consequences(b),
                    multiline=True,
                ),
                b.field(
                    "care_impact",
                    ("Impact sur la prise en charge", "Impact on care"),
                    b.care_impact(),
                    required=False,
                ),
            ),
        ),
        FieldGroup(
            "measures",
            b.t(
                "Mesures prises ou envisagées (art. 33(3)(d))",
                "Measures taken or proposed (art. 33(3)(d))",
            ),
            (
                b.field(
                    "taken", ("Mesures prises", "Measures taken"), b.measures(), multiline=True
                ),
                b.field(
                    "proposed",
                    ("Mesures envisagées", "Measures proposed"),
                    "",
                    (
                        "Pour remédier à la violation et limiter ses effets.",
                        "To address the breach and mitigate its effects.",
                    ),
                    multiline=True,
                ),
                b.field(
                    "individuals_informed",
                    (
                        "Information des personnes (art. 34)",
                        "Communication to the people (art. 34)",
                    ),
                    _art34_status(b, art34),
                    multiline=True,
                ),
            ),
        ),
        FieldGroup(
            "timing",
            b.t("Délai", "Timing"),
            (
                b.field(
                    "deadline",
                    ("Échéance de notification (72 h)", "Notification due (72 h)"),
                    b.deadline("gdpr_art33"),
                    required=False,
                ),
                b.field(
                    "delay_reasons",
                    ("Motifs du retard (art. 33(1))", "Reasons for the delay (art. 33(1))"),
                    "",
                    (
                        "Obligatoire au-delà de 72 h après la prise de connaissance.",
                        "Required beyond 72 hours after becoming aware.",
                    ),
                    required=late,
                    multiline=True,
                ),
                b.field(
                    "cross_border",
                    ("Violation transfrontalière", "Cross-border breach"),
                    "",
                    (
                        "Personnes concernées dans d'autres États membres ?",
                        "People concerned in other member states?",
                    ),
                ),
            ),
        ),
    )
    notes = [
        b.t(
            "Contenu exigé par l'art. 33(3) du RGPD ; l'intitulé exact des rubriques du "
            "téléservice de la CNIL n'a pas été vérifié (UNVERIFIED).",
            "Content required by GDPR art. 33(3); the exact headings of the CNIL online "
            "form were not checked (UNVERIFIED).",
        ),
        b.t(
            "Une notification incomplète peut être complétée ensuite (art. 33(4)).",
            "Information may be provided in phases (art. 33(4)).",
        ),
    ]
    if f.personal_data == "unknown":
        notes.append(
            b.t(
                "La présence de données personnelles n'est pas encore établie.",
                "Whether personal data are involved is not established yet.",
            )
        )
    return DraftContent(
        DraftKind.CNIL,
        b.lang,
        b.t(
            "Notification de violation de données personnelles", "Personal data breach notification"
        ),
        b.t("CNIL", "CNIL")
        if f.country == "FR"
        else b.t("Autorité de contrôle compétente", "Competent supervisory authority"),
        b.t("RGPD art. 33", "GDPR art. 33"),
        groups,
        tuple(notes),
    )


def _art34_status(b: Builder, art34: ObligationFact | None) -> str:
    if art34 is None:
        return ""
    if art34.status == "done" and art34.done_at:
        return b.t("Oui, le ", "Yes, on ") + b.when(art34.done_at)
    if art34.applies:
        return b.t("Prévue (risque élevé pour les personnes)", "Planned (high risk to the people)")
    return b.t("Non requise : ", "Not required: ") + word(RISK_STATEMENTS, b.f.risk, b.lang)
