"""The NIS2 early warning and incident notification (Directive (EU) 2022/2555 art. 23(4))."""

from __future__ import annotations

from hygie.response.engine.choices import NIS2_CLASS_LABELS, DraftKind, NIS2Class
from hygie.response.engine.drafts.builder import Builder, bullet_lines, done_at, word
from hygie.response.engine.drafts.model import DraftContent, FieldGroup

# Only entities subject to NIS2 have a class to write in the form.
_NIS2_ENTITIES = frozenset({NIS2Class.ESSENTIAL, NIS2Class.IMPORTANT})


def _nis2_entity_group(b: Builder) -> FieldGroup:
    f = b.f
    return FieldGroup(
        "entity",
        b.t("Entité", "Entity"),
        (
            b.field("name", ("Nom de l'entité", "Entity name"), f.establishment_name),
            b.field("sector", ("Secteur", "Sector"), b.t("Santé (annexe I)", "Health (Annex I)")),
            b.field(
                "class",
                ("Catégorie NIS2", "NIS2 class"),
                word(NIS2_CLASS_LABELS, f.nis2_class, b.lang)
                if f.nis2_class in _NIS2_ENTITIES
                else "",
            ),
            b.field("country", ("État membre", "Member state"), f.country),
        ),
    )


def build_nis2_early_warning(b: Builder) -> DraftContent:
    f = b.f
    groups = (
        _nis2_entity_group(b),
        b.declarant_group("contact", ("Point de contact", "Point of contact")),
        FieldGroup(
            "warning",
            b.t("Alerte précoce (art. 23(4)(a))", "Early warning (art. 23(4)(a))"),
            (
                b.field(
                    "aware_at", ("Prise de connaissance", "Became aware"), b.when(f.discovered_at)
                ),
                b.field("nature", ("Nature de l'incident", "Nature of the incident"), b.category()),
                b.field(
                    "malicious",
                    (
                        "Acte illicite ou malveillant suspecté ?",
                        "Suspected unlawful or malicious act?",
                    ),
                    b.suspected_malicious(),
                    ("Oui / non / indéterminé.", "Yes / no / undetermined."),
                ),
                b.field(
                    "cross_border",
                    ("Impact transfrontière possible ?", "Possible cross-border impact?"),
                    "",
                    ("Oui / non / indéterminé.", "Yes / no / undetermined."),
                ),
                b.field(
                    "care_impact",
                    ("Impact initial sur les soins", "Initial impact on care"),
                    b.care_impact(),
                ),
                b.field(
                    "deadline",
                    ("Échéance (24 h)", "Due (24 h)"),
                    b.deadline("nis2_early_warning"),
                    required=False,
                ),
            ),
        ),
    )
    return DraftContent(
        DraftKind.NIS2_EARLY_WARNING,
        b.lang,
        b.t("Alerte précoce NIS2", "NIS2 early warning"),
        _nis2_recipient(b),
        b.t("Directive (UE) 2022/2555 art. 23(4)(a)", "Directive (EU) 2022/2555 art. 23(4)(a)"),
        groups,
        _nis2_notes(b),
    )


def _nis2_recipient(b: Builder) -> str:
    if b.f.country == "FR":
        return "ANSSI (CERT-FR)"
    return b.t("CSIRT national ou autorité compétente", "National CSIRT or competent authority")


def _nis2_notes(b: Builder) -> tuple[str, ...]:
    notes = [
        b.t(
            "Contenu selon l'art. 23(4) de la directive NIS2 ; libellés non vérifiés sur "
            "le texte officiel (UNVERIFIED).",
            "Content per NIS2 art. 23(4); wording not checked against the official text "
            "(UNVERIFIED).",
        )
    ]
    if b.f.country == "FR":
        notes.append(
            b.t(
                "Transposition française : adoption définitive et décrets non vérifiés "
                "(UNVERIFIED).",
                "French transposition: final adoption and decrees not verified (UNVERIFIED).",
            )
        )
    return tuple(notes)


def build_nis2_notification(b: Builder) -> DraftContent:
    f = b.f
    severity = "\n".join(
        x for x in (b.t("Gravité : ", "Severity: ") + f.severity, b.care_impact()) if x
    )
    groups = (
        _nis2_entity_group(b),
        b.declarant_group("contact", ("Point de contact", "Point of contact")),
        FieldGroup(
            "update",
            b.t("Mise à jour de l'alerte précoce", "Update of the early warning"),
            (
                b.field(
                    "early_warning_sent",
                    ("Alerte précoce transmise le", "Early warning sent on"),
                    done_at(b, "nis2_early_warning"),
                    ("Date et référence de l'alerte.", "Date and reference of the warning."),
                ),
                b.field(
                    "aware_at", ("Prise de connaissance", "Became aware"), b.when(f.discovered_at)
                ),
                b.field(
                    "malicious",
                    (
                        "Acte illicite ou malveillant suspecté ?",
                        "Suspected unlawful or malicious act?",
                    ),
                    b.suspected_malicious(),
                ),
                b.field("cross_border", ("Impact transfrontière", "Cross-border impact"), ""),
            ),
        ),
        FieldGroup(
            "assessment",
            b.t("Évaluation initiale (art. 23(4)(b))", "Initial assessment (art. 23(4)(b))"),
            (
                b.field(
                    "description", ("Description", "Description"), f.description, multiline=True
                ),
                b.field(
                    "severity_impact",
                    ("Gravité et impact", "Severity and impact"),
                    severity,
                    multiline=True,
                ),
                b.field(
                    "systems", ("Systèmes touchés", "Affected systems"), b.assets(), multiline=True
                ),
                b.field("scope", ("Périmètre", "Scope"), b.scope(), required=False, multiline=True),
                b.field(
                    "iocs",
                    ("Indicateurs de compromission", "Indicators of compromise"),
                    bullet_lines([f"{kind}: {value}" for kind, value in f.iocs]),
                    ("Lorsqu'ils sont disponibles.", "Where available."),
                    required=False,
                    multiline=True,
                ),
                b.field(
                    "status", ("État de la prise en charge", "Handling status"), b.handling_status()
                ),
                b.field(
                    "measures", ("Mesures prises", "Measures taken"), b.measures(), multiline=True
                ),
                b.field(
                    "deadline",
                    ("Échéance (72 h)", "Due (72 h)"),
                    b.deadline("nis2_notification"),
                    required=False,
                ),
            ),
        ),
    )
    return DraftContent(
        DraftKind.NIS2_NOTIFICATION,
        b.lang,
        b.t("Notification d'incident NIS2", "NIS2 incident notification"),
        _nis2_recipient(b),
        b.t("Directive (UE) 2022/2555 art. 23(4)(b)", "Directive (EU) 2022/2555 art. 23(4)(b)"),
        groups,
        _nis2_notes(b),
    )
