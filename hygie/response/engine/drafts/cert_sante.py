"""The CERT Santé / ARS declaration (CSP L.1111-8-2, D.1111-16-2; arrêté du 30 octobre 2017)."""

from __future__ import annotations

from hygie.response.engine.choices import DraftKind
from hygie.response.engine.drafts.builder import Builder, bullet_lines
from hygie.response.engine.drafts.model import DraftContent, FieldGroup


def build_cert_sante(b: Builder) -> DraftContent:
    f = b.f
    groups = (
        FieldGroup(
            "structure",
            b.t("Identification de la structure", "Identification of the structure"),
            (
                b.field("name", ("Raison sociale", "Name of the structure"), f.establishment_name),
                b.field(
                    "finess",
                    ("N° FINESS", "FINESS number"),
                    f.finess,
                    (
                        "FINESS géographique (ET) de l'établissement déclarant.",
                        "Geographic FINESS (ET) of the declaring establishment.",
                    ),
                ),
                b.field(
                    "address",
                    ("Adresse", "Address"),
                    f.postal_address,
                    ("Adresse postale de la structure.", "Postal address of the structure."),
                    multiline=True,
                ),
            ),
        ),
        b.declarant_group(
            "declarant", ("Identification du déclarant", "Identification of the declarant")
        ),
        FieldGroup(
            "description",
            b.t("Description de l'incident", "Description of the incident"),
            (
                b.field(
                    "discovered_at", ("Date de constat", "Date noticed"), b.when(f.discovered_at)
                ),
                b.field(
                    "occurred_at",
                    ("Date de survenue", "Date it started"),
                    b.when(f.occurred_at),
                    (
                        "Si elle est connue ; sinon indiquer « inconnue ».",
                        "If known; otherwise write 'unknown'.",
                    ),
                    required=False,
                ),
                b.field("nature", ("Nature de l'incident", "Nature of the incident"), b.category()),
                b.field("summary", ("Intitulé", "Title"), f.title),
                b.field(
                    "description",
                    ("Description", "Description"),
                    f.description,
                    (
                        "Ce qui a été constaté, par qui, comment. Pas de données de patients.",
                        "What was seen, by whom, how. No patient data.",
                    ),
                    multiline=True,
                ),
                b.field(
                    "scope",
                    ("Périmètre", "Scope"),
                    b.scope(),
                    (
                        "Services, sites et établissements concernés.",
                        "Departments, sites and establishments concerned.",
                    ),
                    multiline=True,
                ),
                b.field(
                    "systems",
                    ("Systèmes d'information concernés", "Information systems concerned"),
                    b.assets(),
                    (
                        "Applications et équipements touchés (DPI, PACS, messagerie…).",
                        "Affected applications and devices (EHR, PACS, e-mail…).",
                    ),
                    multiline=True,
                ),
                b.field(
                    "data",
                    ("Données concernées", "Data concerned"),
                    b.data_categories(),
                    (
                        "Catégories de données touchées, ou « aucune ».",
                        "Categories of data affected, or 'none'.",
                    ),
                ),
                b.field(
                    "handling",
                    ("État de la prise en charge", "Handling status"),
                    "\n".join(x for x in (b.handling_status(), b.measures()) if x),
                    multiline=True,
                ),
            ),
        ),
        FieldGroup(
            "impacts",
            b.t("Impacts", "Impacts"),
            (
                b.field(
                    "on_data",
                    ("Impact sur les données", "Impact on data"),
                    _impact_on_data(b),
                    multiline=True,
                ),
                b.field(
                    "on_people",
                    (
                        "Impact sur les personnes (patients, personnels)",
                        "Impact on people (patients, staff)",
                    ),
                    b.care_impact() if f.care_impact != "none" else "",
                    (
                        "Conséquences sur la sécurité des soins ; « aucun » s'il n'y en a pas.",
                        "Consequences on the safety of care; 'none' if there are none.",
                    ),
                    multiline=True,
                ),
                b.field(
                    "on_systems",
                    ("Impact sur les systèmes d'information", "Impact on information systems"),
                    b.assets(),
                    (
                        "Indisponibilité, chiffrement, perte d'intégrité…",
                        "Unavailability, encryption, loss of integrity…",
                    ),
                    multiline=True,
                ),
                b.field(
                    "on_structure",
                    (
                        "Impact sur le fonctionnement de la structure",
                        "Impact on the operation of the structure",
                    ),
                    b.care_impact(),
                    multiline=True,
                ),
            ),
        ),
        FieldGroup(
            "causes",
            b.t("Causes", "Causes"),
            (
                b.field(
                    "origin",
                    ("Origine (malveillante, accidentelle…)", "Origin (malicious, accidental…)"),
                    b.suspected_malicious(),
                ),
                b.field(
                    "cause",
                    ("Causes identifiées", "Identified causes"),
                    f.root_cause,
                    (
                        "Si elles sont connues ; sinon « en cours d'analyse ».",
                        "If known; otherwise 'under analysis'.",
                    ),
                    multiline=True,
                ),
            ),
        ),
        FieldGroup(
            "other",
            b.t("Autres démarches", "Other steps"),
            (
                b.field(
                    "other_notifications",
                    (
                        "Autres déclarations (CNIL, ANSSI, plainte)",
                        "Other notifications (CNIL, ANSSI, police)",
                    ),
                    _other_obligations(b, exclude="cert_sante"),
                    required=False,
                    multiline=True,
                ),
                b.field(
                    "support",
                    (
                        "Besoin d'accompagnement par le CERT Santé",
                        "Support requested from CERT Santé",
                    ),
                    "",
                    ("Oui / non, et sur quoi.", "Yes / no, and on what."),
                ),
            ),
        ),
    )
    return DraftContent(
        DraftKind.CERT_SANTE,
        b.lang,
        b.t(
            "Déclaration d'incident de sécurité des systèmes d'information",
            "Declaration of an information system security incident",
        ),
        b.t(
            "ARS et CERT Santé (ANS), via signalement.social-sante.gouv.fr",
            "ARS and CERT Santé (ANS), via signalement.social-sante.gouv.fr",
        ),
        "CSP L.1111-8-2, D.1111-16-2 ; arrêté du 30 octobre 2017",
        groups,
        (
            b.t(
                "Regroupement des champs selon le formulaire annexé à l'arrêté du 30 octobre 2017 "
                "; "
                "le détail des sous-champs de l'identification de la structure n'a pas été vérifié "
                "sur le formulaire officiel (UNVERIFIED).",
                "Field groups follow the form annexed to the arrêté of 30 October 2017; the exact "
                "sub-fields of the structure's identification were not checked against the "
                "official "
                "form (UNVERIFIED).",
            ),
            b.t("Délai : sans délai après le constat.", "Deadline: without delay after discovery."),
        ),
    )


def _impact_on_data(b: Builder) -> str:
    f = b.f
    if f.personal_data == "false":
        return b.t("Aucune donnée personnelle concernée.", "No personal data involved.")
    if f.personal_data == "unknown":
        return ""
    parts = [
        b.t("Données personnelles concernées : ", "Personal data involved: ")
        + (b.data_categories() or b.t("catégories à préciser", "categories to specify"))
    ]
    if f.individuals is not None:
        parts.append(
            b.t("Personnes concernées (estimation) : ", "People affected (estimate): ")
            + str(f.individuals)
        )
    return "\n".join(parts)


def _other_obligations(b: Builder, exclude: str) -> str:
    lines = []
    for obligation in b.f.obligations:
        if obligation.applies and obligation.id != exclude:
            due = b.deadline(obligation.id)
            lines.append(
                f"{obligation.title} — {obligation.recipient}" + (f" ({due})" if due else "")
            )
    return bullet_lines(lines)
