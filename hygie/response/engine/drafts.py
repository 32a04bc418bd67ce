"""Notification drafts: the content of each regulator's form, pre-filled from an incident's facts.

Pure: a frozen snapshot of what Hygie knows (``DraftFacts``) and a kind and language in, ordered
field groups out. A field Hygie cannot know is left empty and marked ``to_complete`` with a hint
saying what to write; nothing is invented. Labels exist in French and English as data (the
recipient decides the language, not the user's interface), so this module needs no gettext.

Free text typed by the team (title, description, task titles, root cause) may mention patients or
staff. It goes only into the fields of forms that ask for it (CERT Santé, CNIL, NIS2 notification,
HHS); the NIS2 early warning and the letter to individuals are built from structured facts alone.

Form structures are summarised in ``reference/frameworks.md`` and the cited texts; where a form's
exact sub-fields were not checked against the official form, the draft's notes say UNVERIFIED.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from hygie.response.engine.errors import ResponseEngineError

LANGUAGES = ("fr", "en")


class DraftKind(StrEnum):
    CERT_SANTE = "cert_sante"
    CNIL = "cnil"
    NIS2_EARLY_WARNING = "nis2_early_warning"
    NIS2_NOTIFICATION = "nis2_notification"
    HHS = "hhs"
    INDIVIDUALS_LETTER = "individuals_letter"


# Which regulatory obligations (engine ids) each draft serves: the draft is suggested when one
# of them applies, and a sent draft is the natural proof of that obligation.
DRAFT_OBLIGATIONS: Mapping[DraftKind, tuple[str, ...]] = {
    DraftKind.CERT_SANTE: ("cert_sante",),
    DraftKind.CNIL: ("gdpr_art33",),
    DraftKind.NIS2_EARLY_WARNING: ("nis2_early_warning",),
    DraftKind.NIS2_NOTIFICATION: ("nis2_notification",),
    DraftKind.HHS: ("hipaa_hhs",),
    DraftKind.INDIVIDUALS_LETTER: ("gdpr_art34", "hipaa_individuals"),
}


class DraftError(ResponseEngineError, ValueError):
    """An unknown kind or language, or values that do not fit the draft."""


# --- the snapshot ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObligationFact:
    """One assessed obligation, as the drafts need it."""

    id: str
    title: str
    applies: bool
    recipient: str
    due_at: datetime | None = None
    status: str = "pending"  # pending, done, not_applicable
    done_at: datetime | None = None


@dataclass(frozen=True)
class DraftFacts:
    """What Hygie knows of an incident when a draft is generated (all instants timezone-aware)."""

    reference: str
    title: str
    category: str  # IncidentCategory value
    severity: str  # display label of the severity, already in the draft's language or neutral
    care_impact: str  # CareImpact value
    status: str  # IncidentStatus value
    discovered_at: datetime
    generated_at: datetime
    establishment_name: str
    country: str = "FR"
    timezone: str = "Europe/Paris"
    finess: str = ""
    description: str = ""
    occurred_at: datetime | None = None
    contained_at: datetime | None = None
    recovered_at: datetime | None = None
    departments: tuple[str, ...] = ()
    affected_establishments: tuple[str, ...] = ()
    asset_counts: tuple[tuple[str, int], ...] = ()  # (AssetKind value, count)
    data_categories: tuple[str, ...] = ()  # DataCategory values
    individuals: int | None = None
    personal_data: str = "unknown"  # "true", "false", "unknown"
    risk: str = "unlikely"  # none, unlikely, medium, high
    data_encrypted: bool = False
    measures: tuple[str, ...] = ()  # completed actions (done tasks, decisions), in order
    root_cause: str = ""
    iocs: tuple[tuple[str, str], ...] = ()  # (kind, value) of observables marked as IoC
    residents_by_state: tuple[tuple[str, int], ...] = ()  # US State → residents (HIPAA media)
    obligations: tuple[ObligationFact, ...] = ()
    nis2_class: str = "none"
    declarant_name: str = ""
    declarant_role: str = ""
    declarant_email: str = ""
    dpo_name: str = ""
    dpo_email: str = ""

    def __post_init__(self) -> None:
        for name in ("discovered_at", "generated_at", "occurred_at", "contained_at",
                     "recovered_at"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise DraftError(f"{name} must be timezone-aware")
        ZoneInfo(self.timezone)  # fail early on an unknown zone

    def residents_states(self) -> tuple[str, ...]:
        return tuple(state for state, count in self.residents_by_state if count > 500)

    def obligation(self, obligation_id: str) -> ObligationFact | None:
        return next((o for o in self.obligations if o.id == obligation_id), None)


# --- the content -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftField:
    key: str
    label: str
    value: str = ""
    help: str = ""
    required: bool = True
    multiline: bool = False

    @property
    def to_complete(self) -> bool:
        return self.required and not self.value.strip()

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "value": self.value,
                "to_complete": self.to_complete, "help": self.help,
                "required": self.required, "multiline": self.multiline}


@dataclass(frozen=True)
class FieldGroup:
    key: str
    title: str
    fields: tuple[DraftField, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title,
                "fields": [f.to_dict() for f in self.fields]}


@dataclass(frozen=True)
class DraftContent:
    kind: DraftKind
    language: str
    title: str
    recipient: str
    legal_basis: str
    groups: tuple[FieldGroup, ...]
    notes: tuple[str, ...] = ()

    @property
    def to_complete_count(self) -> int:
        return sum(1 for g in self.groups for f in g.fields if f.to_complete)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "language": self.language, "title": self.title,
                "recipient": self.recipient, "legal_basis": self.legal_basis,
                "notes": list(self.notes), "groups": [g.to_dict() for g in self.groups]}


# --- vocabularies, in both languages -----------------------------------------------------------

_T = tuple[str, str]  # (fr, en)

CATEGORY: Mapping[str, _T] = {
    "ransomware": ("Rançongiciel", "Ransomware"),
    "data_breach": ("Violation de données / exposition de données de santé",
                    "Data breach / PHI exposure"),
    "account_compromise": ("Compromission de compte", "Account compromise"),
    "phishing": ("Hameçonnage", "Phishing"),
    "malware": ("Logiciel malveillant", "Malware"),
    "medical_device_compromise": ("Compromission d'un dispositif médical",
                                  "Medical device compromise"),
    "denial_of_service": ("Déni de service", "Denial of service"),
    "loss_theft": ("Perte ou vol", "Loss or theft"),
    "unauthorised_access": ("Accès non autorisé", "Unauthorised access"),
    "other": ("Autre", "Other"),
}
CARE_IMPACT: Mapping[str, _T] = {
    "none": ("Aucun impact sur la prise en charge", "No impact on care"),
    "degraded_mode": ("Fonctionnement en mode dégradé", "Degraded mode"),
    "deprogrammed_activity": ("Déprogrammation d'activité", "Deprogrammed activity"),
    "patient_transfer": ("Transfert de patients", "Patient transfer"),
    "patient_safety_event": ("Événement indésirable pour la sécurité des patients",
                             "Patient safety event"),
}
STATUS: Mapping[str, _T] = {
    "new": ("Nouveau, en cours de qualification", "New, being qualified"),
    "triage": ("En cours de qualification", "Being triaged"),
    "containment": ("Endiguement en cours", "Containment in progress"),
    "eradication": ("Éradication en cours", "Eradication in progress"),
    "recovery": ("Remédiation / reprise d'activité en cours", "Recovery in progress"),
    "post_incident": ("Incident maîtrisé, retour d'expérience en cours",
                      "Handled, post-incident review in progress"),
    "closed": ("Incident clos", "Closed"),
}
DATA_CATEGORY: Mapping[str, _T] = {
    "identity": ("Identité (nom, date de naissance, adresse)",
                 "Identity (name, date of birth, address)"),
    "national_id": ("Identifiant national (NIR, INS)", "National identifier (NIR, INS, SSN)"),
    "health": ("Données de santé", "Health data"),
    "genetic": ("Données génétiques", "Genetic data"),
    "financial": ("Données financières ou d'assurance", "Financial or insurance data"),
    "contact": ("Coordonnées", "Contact details"),
    "credentials": ("Identifiants de connexion", "Credentials"),
    "imaging": ("Imagerie médicale", "Medical imaging"),
    "staff": ("Données du personnel", "Staff data"),
    "other": ("Autres données", "Other data"),
}
# Plain-language names for the letter: an individual does not know what "NIR" means.
DATA_CATEGORY_PLAIN: Mapping[str, _T] = {
    "identity": ("vos nom, prénom, date de naissance et adresse",
                 "your name, date of birth and address"),
    "national_id": ("votre numéro de sécurité sociale", "your social security number"),
    "health": ("des informations sur votre santé et vos soins",
               "information about your health and care"),
    "genetic": ("des données génétiques", "genetic information"),
    "financial": ("des informations bancaires ou de mutuelle",
                  "bank or insurance information"),
    "contact": ("vos coordonnées (téléphone, courriel)", "your contact details (phone, e-mail)"),
    "credentials": ("vos identifiants de connexion", "your login details"),
    "imaging": ("des images médicales (radiographies, scanners…)",
                "medical images (X-rays, scans…)"),
    "staff": ("des informations professionnelles", "employment information"),
    "other": ("d'autres informations", "other information"),
}
ASSET_KIND: Mapping[str, _T] = {
    "workstation": ("poste(s) de travail", "workstation(s)"),
    "server": ("serveur(s)", "server(s)"),
    "network": ("équipement(s) réseau", "network device(s)"),
    "medical_device": ("dispositif(s) médical(aux)", "medical device(s)"),
    "iot": ("objet(s) connecté(s) / bâtiment", "IoT / building device(s)"),
    "mobile": ("terminal(aux) mobile(s)", "mobile device(s)"),
    "other": ("autre(s) équipement(s)", "other device(s)"),
}
RISK: Mapping[str, _T] = {
    "none": ("Aucun risque", "No risk"),
    "unlikely": ("Risque peu probable", "Risk unlikely"),
    "medium": ("Risque", "Risk"),
    "high": ("Risque élevé", "High risk"),
}
PERSONAL_DATA: Mapping[str, _T] = {
    "true": ("Oui", "Yes"),
    "false": ("Non", "No"),
    "unknown": ("Inconnu à ce stade (investigation en cours)",
                "Unknown at this stage (under investigation)"),
}
_MALICIOUS = {"ransomware", "phishing", "malware", "account_compromise", "denial_of_service",
              "unauthorised_access", "medical_device_compromise"}

# Letter: what happened, per category, in plain words (no technical detail, no free text).
_LETTER_WHAT: Mapping[str, _T] = {
    "ransomware": ("une attaque informatique a bloqué une partie de nos systèmes informatiques",
                   "a cyberattack locked part of our computer systems"),
    "data_breach": ("des informations vous concernant ont pu être consultées ou copiées par des "
                    "personnes non autorisées",
                    "information about you may have been seen or copied by people who were not "
                    "allowed to"),
    "account_compromise": ("un compte informatique de notre établissement a été utilisé par une "
                           "personne non autorisée",
                           "an account of our organisation was used by someone who was not "
                           "allowed to"),
    "phishing": ("un message frauduleux a permis à une personne non autorisée d'accéder à une "
                 "partie de nos systèmes",
                 "a fraudulent message let someone who was not allowed to access part of our "
                 "systems"),
    "malware": ("un logiciel malveillant a été découvert sur une partie de nos systèmes",
                "malicious software was found on part of our systems"),
    "medical_device_compromise": ("un équipement médical connecté a été visé par une attaque "
                                  "informatique",
                                  "a connected medical device was targeted by a cyberattack"),
    "denial_of_service": ("une attaque a rendu indisponibles certains de nos services",
                          "an attack made some of our services unavailable"),
    "loss_theft": ("un équipement ou un document contenant des informations a été perdu ou volé",
                   "a device or document holding information was lost or stolen"),
    "unauthorised_access": ("une personne non autorisée a pu accéder à certaines informations",
                            "someone who was not allowed to may have accessed some information"),
    "other": ("un incident de sécurité a touché nos systèmes d'information",
              "a security incident affected our information systems"),
}


def _pick(pair: _T, language: str) -> str:
    return pair[0] if language == "fr" else pair[1]


def _label(table: Mapping[str, _T], value: str, language: str) -> str:
    pair = table.get(value)
    return _pick(pair, language) if pair else value


# --- formatting -------------------------------------------------------------------------------


def format_instant(value: datetime | None, zone: str, language: str) -> str:
    """A local time with its zone name: nobody converts UTC under stress."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(zone))
    pattern = "%d/%m/%Y %H:%M" if language == "fr" else "%Y-%m-%d %H:%M"
    return f"{local.strftime(pattern)} ({zone}, UTC{local.strftime('%z')[:3]}:" \
           f"{local.strftime('%z')[3:]})"


def _lines(items: Sequence[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def _yes_no(value: bool, language: str) -> str:
    return _pick(("Oui", "Yes") if value else ("Non", "No"), language)


class _Builder:
    """Helpers bound to one snapshot and one language."""

    def __init__(self, facts: DraftFacts, language: str) -> None:
        self.f = facts
        self.lang = language

    def t(self, fr: str, en: str) -> str:
        return fr if self.lang == "fr" else en

    def when(self, value: datetime | None) -> str:
        return format_instant(value, self.f.timezone, self.lang)

    def field(self, key: str, label: _T, value: str = "", help: _T = ("", ""), *,
              required: bool = True, multiline: bool = False) -> DraftField:
        return DraftField(key, _pick(label, self.lang), value, _pick(help, self.lang),
                          required, multiline)

    def category(self) -> str:
        return _label(CATEGORY, self.f.category, self.lang)

    def care_impact(self) -> str:
        return _label(CARE_IMPACT, self.f.care_impact, self.lang)

    def handling_status(self) -> str:
        return _label(STATUS, self.f.status, self.lang)

    def data_categories(self) -> str:
        return ", ".join(_label(DATA_CATEGORY, c, self.lang) for c in self.f.data_categories)

    def personal_data(self) -> str:
        return _label(PERSONAL_DATA, self.f.personal_data, self.lang)

    def individuals(self) -> str:
        return "" if self.f.individuals is None else str(self.f.individuals)

    def assets(self) -> str:
        return ", ".join(f"{count} {_label(ASSET_KIND, kind, self.lang)}"
                         for kind, count in self.f.asset_counts if count)

    def scope(self) -> str:
        parts = []
        if self.f.departments:
            parts.append(self.t("Services touchés : ", "Affected departments: ")
                         + ", ".join(self.f.departments))
        if self.f.affected_establishments:
            parts.append(self.t("Autres établissements touchés : ",
                                "Other affected establishments: ")
                         + ", ".join(self.f.affected_establishments))
        return "\n".join(parts)

    def measures(self) -> str:
        return _lines(self.f.measures)

    def suspected_malicious(self) -> str:
        if self.f.category in _MALICIOUS:
            return self.t("Oui, acte malveillant suspecté (nature de l'incident : {c})",
                          "Yes, suspected malicious act (nature of the incident: {c})").format(
                c=self.category())
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
        return bool(obligation and obligation.applies and obligation.due_at
                    and self.f.generated_at > obligation.due_at)

    def declarant_group(self, key: str, title: _T) -> FieldGroup:
        return FieldGroup(key, _pick(title, self.lang), (
            self.field("name", ("Nom et prénom", "Name"), self.f.declarant_name),
            self.field("role", ("Fonction", "Role"), self.f.declarant_role,
                       ("Ex. RSSI, directeur, DSI", "E.g. CISO, director, CIO")),
            self.field("email", ("Courriel", "E-mail"), self.f.declarant_email),
            self.field("phone", ("Téléphone (joignable 24h/24 pendant la crise)",
                                 "Phone (reachable 24/7 during the crisis)"), "",
                       ("Numéro direct auquel l'autorité peut rappeler.",
                        "A direct number the authority can call back.")),
        ))


# --- kinds ------------------------------------------------------------------------------------


def _cert_sante(b: _Builder) -> DraftContent:
    f = b.f
    groups = (
        FieldGroup("structure", b.t("Identification de la structure",
                                    "Identification of the structure"), (
            b.field("name", ("Raison sociale", "Name of the structure"), f.establishment_name),
            b.field("finess", ("N° FINESS", "FINESS number"), f.finess,
                    ("FINESS géographique (ET) de l'établissement déclarant.",
                     "Geographic FINESS (ET) of the declaring establishment.")),
            b.field("address", ("Adresse", "Address"), "",
                    ("Adresse postale de la structure.", "Postal address of the structure."),
                    multiline=True),
        )),
        b.declarant_group("declarant", ("Identification du déclarant",
                                        "Identification of the declarant")),
        FieldGroup("description", b.t("Description de l'incident", "Description of the incident"), (
            b.field("discovered_at", ("Date de constat", "Date noticed"), b.when(f.discovered_at)),
            b.field("occurred_at", ("Date de survenue", "Date it started"), b.when(f.occurred_at),
                    ("Si elle est connue ; sinon indiquer « inconnue ».",
                     "If known; otherwise write 'unknown'."), required=False),
            b.field("nature", ("Nature de l'incident", "Nature of the incident"), b.category()),
            b.field("summary", ("Intitulé", "Title"), f.title),
            b.field("description", ("Description", "Description"), f.description,
                    ("Ce qui a été constaté, par qui, comment. Pas de données de patients.",
                     "What was seen, by whom, how. No patient data."), multiline=True),
            b.field("scope", ("Périmètre", "Scope"), b.scope(),
                    ("Services, sites et établissements concernés.",
                     "Departments, sites and establishments concerned."), multiline=True),
            b.field("systems", ("Systèmes d'information concernés",
                                "Information systems concerned"), b.assets(),
                    ("Applications et équipements touchés (DPI, PACS, messagerie…).",
                     "Affected applications and devices (EHR, PACS, e-mail…)."),
                    multiline=True),
            b.field("data", ("Données concernées", "Data concerned"), b.data_categories(),
                    ("Catégories de données touchées, ou « aucune ».",
                     "Categories of data affected, or 'none'.")),
            b.field("handling", ("État de la prise en charge", "Handling status"),
                    "\n".join(x for x in (b.handling_status(), b.measures()) if x),
                    multiline=True),
        )),
        FieldGroup("impacts", b.t("Impacts", "Impacts"), (
            b.field("on_data", ("Impact sur les données", "Impact on data"),
                    _impact_on_data(b), multiline=True),
            b.field("on_people", ("Impact sur les personnes (patients, personnels)",
                                  "Impact on people (patients, staff)"),
                    b.care_impact() if f.care_impact != "none" else "",
                    ("Conséquences sur la sécurité des soins ; « aucun » s'il n'y en a pas.",
                     "Consequences on the safety of care; 'none' if there are none."),
                    multiline=True),
            b.field("on_systems", ("Impact sur les systèmes d'information",
                                   "Impact on information systems"), b.assets(),
                    ("Indisponibilité, chiffrement, perte d'intégrité…",
                     "Unavailability, encryption, loss of integrity…"), multiline=True),
            b.field("on_structure", ("Impact sur le fonctionnement de la structure",
                                     "Impact on the operation of the structure"),
                    b.care_impact(), multiline=True),
        )),
        FieldGroup("causes", b.t("Causes", "Causes"), (
            b.field("origin", ("Origine (malveillante, accidentelle…)",
                               "Origin (malicious, accidental…)"), b.suspected_malicious()),
            b.field("cause", ("Causes identifiées", "Identified causes"), f.root_cause,
                    ("Si elles sont connues ; sinon « en cours d'analyse ».",
                     "If known; otherwise 'under analysis'."), multiline=True),
        )),
        FieldGroup("other", b.t("Autres démarches", "Other steps"), (
            b.field("other_notifications", ("Autres déclarations (CNIL, ANSSI, plainte)",
                                            "Other notifications (CNIL, ANSSI, police)"),
                    _other_obligations(b, exclude="cert_sante"), required=False,
                    multiline=True),
            b.field("support", ("Besoin d'accompagnement par le CERT Santé",
                                "Support requested from CERT Santé"), "",
                    ("Oui / non, et sur quoi.", "Yes / no, and on what.")),
        )),
    )
    return DraftContent(
        DraftKind.CERT_SANTE, b.lang,
        b.t("Déclaration d'incident de sécurité des systèmes d'information",
            "Declaration of an information system security incident"),
        b.t("ARS et CERT Santé (ANS), via signalement.social-sante.gouv.fr",
            "ARS and CERT Santé (ANS), via signalement.social-sante.gouv.fr"),
        "CSP L.1111-8-2, D.1111-16-2 ; arrêté du 30 octobre 2017", groups,
        (b.t("Regroupement des champs selon le formulaire annexé à l'arrêté du 30 octobre 2017 ; "
             "le détail des sous-champs de l'identification de la structure n'a pas été vérifié "
             "sur le formulaire officiel (UNVERIFIED).",
             "Field groups follow the form annexed to the arrêté of 30 October 2017; the exact "
             "sub-fields of the structure's identification were not checked against the official "
             "form (UNVERIFIED)."),
         b.t("Délai : sans délai après le constat.", "Deadline: without delay after discovery.")))


def _impact_on_data(b: _Builder) -> str:
    f = b.f
    if f.personal_data == "false":
        return b.t("Aucune donnée personnelle concernée.", "No personal data involved.")
    if f.personal_data == "unknown":
        return ""
    parts = [b.t("Données personnelles concernées : ", "Personal data involved: ")
             + (b.data_categories() or b.t("catégories à préciser", "categories to specify"))]
    if f.individuals is not None:
        parts.append(b.t("Personnes concernées (estimation) : ",
                         "People affected (estimate): ") + str(f.individuals))
    return "\n".join(parts)


def _other_obligations(b: _Builder, exclude: str) -> str:
    lines = []
    for obligation in b.f.obligations:
        if obligation.applies and obligation.id != exclude:
            due = b.deadline(obligation.id)
            lines.append(f"{obligation.title} — {obligation.recipient}"
                         + (f" ({due})" if due else ""))
    return _lines(lines)


def _breach_nature(b: _Builder) -> str:
    confidentiality = {"data_breach", "account_compromise", "phishing", "loss_theft",
                       "unauthorised_access"}
    kinds = []
    if b.f.category in confidentiality or b.f.category == "ransomware":
        kinds.append(b.t("confidentialité", "confidentiality"))
    if b.f.category in {"ransomware", "malware", "medical_device_compromise"}:
        kinds.append(b.t("intégrité", "integrity"))
    if b.f.category in {"ransomware", "denial_of_service", "loss_theft"}:
        kinds.append(b.t("disponibilité", "availability"))
    return ", ".join(kinds)


def _likely_consequences(b: _Builder) -> str:
    f = b.f
    if f.risk in ("none", "unlikely") and f.personal_data != "true":
        return ""
    lines = [_label(RISK, f.risk, b.lang)]
    cats = set(f.data_categories)
    if cats & {"health", "genetic", "imaging"}:
        lines.append(b.t("Divulgation d'informations médicales à des tiers (atteinte à la vie "
                         "privée, discrimination possible).",
                         "Disclosure of medical information to third parties (loss of privacy, "
                         "possible discrimination)."))
    if cats & {"national_id", "identity", "financial"}:
        lines.append(b.t("Usurpation d'identité, fraude.", "Identity theft, fraud."))
    if cats & {"contact", "credentials"}:
        lines.append(b.t("Hameçonnage ciblé, réutilisation des identifiants.",
                         "Targeted phishing, reuse of credentials."))
    if f.category == "ransomware" or f.care_impact != "none":
        lines.append(b.t("Retard ou perturbation de la prise en charge.",
                         "Delayed or disrupted care."))
    return "\n".join(lines)


def _cnil(b: _Builder) -> DraftContent:
    f = b.f
    late = b.is_late("gdpr_art33")
    art34 = f.obligation("gdpr_art34")
    groups = (
        FieldGroup("controller", b.t("Responsable de traitement", "Controller"), (
            b.field("name", ("Organisme", "Organisation"), f.establishment_name),
            b.field("identifier", ("SIREN / FINESS", "Registration number"), f.finess,
                    ("SIREN de l'organisme (le FINESS à défaut).",
                     "Company registration number."), required=True),
            b.field("address", ("Adresse", "Address"), "",
                    ("Adresse postale du siège du responsable de traitement.",
                     "Postal address of the controller's head office."), multiline=True),
            b.field("country", ("Pays", "Country"), f.country),
        )),
        FieldGroup("dpo", b.t("Délégué à la protection des données (art. 33(3)(b))",
                              "Data protection officer (art. 33(3)(b))"), (
            b.field("name", ("Nom", "Name"), f.dpo_name),
            b.field("email", ("Courriel", "E-mail"), f.dpo_email),
            b.field("phone", ("Téléphone", "Phone"), "",
                    ("Numéro auquel l'autorité peut joindre le DPO.",
                     "A number at which the authority can reach the DPO.")),
        )),
        b.declarant_group("declarant", ("Personne à contacter", "Contact person")),
        FieldGroup("nature", b.t("Nature de la violation (art. 33(3)(a))",
                                 "Nature of the breach (art. 33(3)(a))"), (
            b.field("type", ("Type de violation", "Type of breach"), _breach_nature(b),
                    ("Confidentialité, intégrité et/ou disponibilité.",
                     "Confidentiality, integrity and/or availability.")),
            b.field("origin", ("Origine", "Origin"), b.suspected_malicious(),
                    ("Acte malveillant, erreur, perte…", "Malicious act, error, loss…")),
            b.field("circumstances", ("Circonstances", "Circumstances"), f.description,
                    ("Comment la violation s'est produite et a été découverte. Pas de données "
                     "de patients.", "How the breach happened and was discovered. No patient "
                     "data."), multiline=True),
            b.field("occurred_at", ("Début de la violation", "Start of the breach"),
                    b.when(f.occurred_at), ("« Inconnu » si non déterminé.",
                                            "'Unknown' if not determined.")),
            b.field("discovered_at", ("Prise de connaissance", "Became aware"),
                    b.when(f.discovered_at)),
            b.field("ongoing", ("Violation en cours ?", "Is the breach ongoing?"),
                    "" if f.contained_at is None else b.t(
                        "Non, endiguée le ", "No, contained on ") + b.when(f.contained_at)),
            b.field("data_categories", ("Catégories de données", "Categories of data"),
                    b.data_categories()),
            b.field("individuals", ("Nombre approximatif de personnes concernées",
                                    "Approximate number of people concerned"), b.individuals()),
            b.field("records", ("Nombre approximatif d'enregistrements",
                                "Approximate number of records"), "",
                    ("Lignes, dossiers ou fichiers touchés.", "Rows, files or records affected.")),
            b.field("people_categories", ("Catégories de personnes concernées",
                                          "Categories of people concerned"),
                    b.t("Personnels", "Staff") if set(f.data_categories) == {"staff"} else "",
                    ("Patients, personnels, résidents, visiteurs…",
                     "Patients, staff, residents, visitors…")),
        )),
        FieldGroup("consequences", b.t("Conséquences probables (art. 33(3)(c))",
                                       "Likely consequences (art. 33(3)(c))"), (
            b.field("consequences", ("Conséquences pour les personnes",
                                     "Consequences for the people"), _likely_consequences(b),
                    multiline=True),
            b.field("care_impact", ("Impact sur la prise en charge", "Impact on care"),
                    b.care_impact(), required=False),
        )),
        FieldGroup("measures", b.t("Mesures prises ou envisagées (art. 33(3)(d))",
                                   "Measures taken or proposed (art. 33(3)(d))"), (
            b.field("taken", ("Mesures prises", "Measures taken"), b.measures(),
                    multiline=True),
            b.field("proposed", ("Mesures envisagées", "Measures proposed"), "",
                    ("Pour remédier à la violation et limiter ses effets.",
                     "To address the breach and mitigate its effects."), multiline=True),
            b.field("individuals_informed", ("Information des personnes (art. 34)",
                                             "Communication to the people (art. 34)"),
                    _art34_status(b, art34), multiline=True),
        )),
        FieldGroup("timing", b.t("Délai", "Timing"), (
            b.field("deadline", ("Échéance de notification (72 h)", "Notification due (72 h)"),
                    b.deadline("gdpr_art33"), required=False),
            b.field("delay_reasons", ("Motifs du retard (art. 33(1))",
                                      "Reasons for the delay (art. 33(1))"), "",
                    ("Obligatoire au-delà de 72 h après la prise de connaissance.",
                     "Required beyond 72 hours after becoming aware."), required=late,
                    multiline=True),
            b.field("cross_border", ("Violation transfrontalière", "Cross-border breach"), "",
                    ("Personnes concernées dans d'autres États membres ?",
                     "People concerned in other member states?")),
        )),
    )
    notes = [b.t("Contenu exigé par l'art. 33(3) du RGPD ; l'intitulé exact des rubriques du "
                 "téléservice de la CNIL n'a pas été vérifié (UNVERIFIED).",
                 "Content required by GDPR art. 33(3); the exact headings of the CNIL online "
                 "form were not checked (UNVERIFIED)."),
             b.t("Une notification incomplète peut être complétée ensuite (art. 33(4)).",
                 "Information may be provided in phases (art. 33(4)).")]
    if f.personal_data == "unknown":
        notes.append(b.t("La présence de données personnelles n'est pas encore établie.",
                         "Whether personal data are involved is not established yet."))
    return DraftContent(DraftKind.CNIL, b.lang,
                        b.t("Notification de violation de données personnelles",
                            "Personal data breach notification"),
                        b.t("CNIL", "CNIL") if f.country == "FR" else
                        b.t("Autorité de contrôle compétente", "Competent supervisory authority"),
                        b.t("RGPD art. 33", "GDPR art. 33"), groups, tuple(notes))


def _art34_status(b: _Builder, art34: ObligationFact | None) -> str:
    if art34 is None:
        return ""
    if art34.status == "done" and art34.done_at:
        return b.t("Oui, le ", "Yes, on ") + b.when(art34.done_at)
    if art34.applies:
        return b.t("Prévue (risque élevé pour les personnes)",
                   "Planned (high risk to the people)")
    return b.t("Non requise : ", "Not required: ") + _label(RISK, b.f.risk, b.lang)


def _nis2_entity_group(b: _Builder) -> FieldGroup:
    f = b.f
    nis2 = {"essential": ("Entité essentielle", "Essential entity"),
            "important": ("Entité importante", "Important entity")}
    return FieldGroup("entity", b.t("Entité", "Entity"), (
        b.field("name", ("Nom de l'entité", "Entity name"), f.establishment_name),
        b.field("sector", ("Secteur", "Sector"), b.t("Santé (annexe I)", "Health (Annex I)")),
        b.field("class", ("Catégorie NIS2", "NIS2 class"),
                _label(nis2, f.nis2_class, b.lang) if f.nis2_class in nis2 else ""),
        b.field("country", ("État membre", "Member state"), f.country),
    ))


def _nis2_early_warning(b: _Builder) -> DraftContent:
    f = b.f
    groups = (
        _nis2_entity_group(b),
        b.declarant_group("contact", ("Point de contact", "Point of contact")),
        FieldGroup("warning", b.t("Alerte précoce (art. 23(4)(a))",
                                  "Early warning (art. 23(4)(a))"), (
            b.field("aware_at", ("Prise de connaissance", "Became aware"),
                    b.when(f.discovered_at)),
            b.field("nature", ("Nature de l'incident", "Nature of the incident"), b.category()),
            b.field("malicious", ("Acte illicite ou malveillant suspecté ?",
                                  "Suspected unlawful or malicious act?"),
                    b.suspected_malicious(),
                    ("Oui / non / indéterminé.", "Yes / no / undetermined.")),
            b.field("cross_border", ("Impact transfrontière possible ?",
                                     "Possible cross-border impact?"), "",
                    ("Oui / non / indéterminé.", "Yes / no / undetermined.")),
            b.field("care_impact", ("Impact initial sur les soins", "Initial impact on care"),
                    b.care_impact()),
            b.field("deadline", ("Échéance (24 h)", "Due (24 h)"),
                    b.deadline("nis2_early_warning"), required=False),
        )),
    )
    return DraftContent(DraftKind.NIS2_EARLY_WARNING, b.lang,
                        b.t("Alerte précoce NIS2", "NIS2 early warning"),
                        _nis2_recipient(b), b.t("Directive (UE) 2022/2555 art. 23(4)(a)",
                                                "Directive (EU) 2022/2555 art. 23(4)(a)"),
                        groups, _nis2_notes(b))


def _nis2_recipient(b: _Builder) -> str:
    if b.f.country == "FR":
        return "ANSSI (CERT-FR)"
    return b.t("CSIRT national ou autorité compétente", "National CSIRT or competent authority")


def _nis2_notes(b: _Builder) -> tuple[str, ...]:
    notes = [b.t("Contenu selon l'art. 23(4) de la directive NIS2 ; libellés non vérifiés sur "
                 "le texte officiel (UNVERIFIED).",
                 "Content per NIS2 art. 23(4); wording not checked against the official text "
                 "(UNVERIFIED).")]
    if b.f.country == "FR":
        notes.append(b.t("Transposition française : adoption définitive et décrets non vérifiés "
                         "(UNVERIFIED).", "French transposition: final adoption and decrees "
                         "not verified (UNVERIFIED)."))
    return tuple(notes)


def _nis2_notification(b: _Builder) -> DraftContent:
    f = b.f
    severity = "\n".join(x for x in (b.t("Gravité : ", "Severity: ") + f.severity,
                                     b.care_impact()) if x)
    groups = (
        _nis2_entity_group(b),
        b.declarant_group("contact", ("Point de contact", "Point of contact")),
        FieldGroup("update", b.t("Mise à jour de l'alerte précoce",
                                 "Update of the early warning"), (
            b.field("early_warning_sent", ("Alerte précoce transmise le",
                                           "Early warning sent on"),
                    _done_at(b, "nis2_early_warning"), ("Date et référence de l'alerte.",
                                                        "Date and reference of the warning.")),
            b.field("aware_at", ("Prise de connaissance", "Became aware"),
                    b.when(f.discovered_at)),
            b.field("malicious", ("Acte illicite ou malveillant suspecté ?",
                                  "Suspected unlawful or malicious act?"),
                    b.suspected_malicious()),
            b.field("cross_border", ("Impact transfrontière", "Cross-border impact"), ""),
        )),
        FieldGroup("assessment", b.t("Évaluation initiale (art. 23(4)(b))",
                                     "Initial assessment (art. 23(4)(b))"), (
            b.field("description", ("Description", "Description"), f.description,
                    multiline=True),
            b.field("severity_impact", ("Gravité et impact", "Severity and impact"), severity,
                    multiline=True),
            b.field("systems", ("Systèmes touchés", "Affected systems"), b.assets(),
                    multiline=True),
            b.field("scope", ("Périmètre", "Scope"), b.scope(), required=False, multiline=True),
            b.field("iocs", ("Indicateurs de compromission", "Indicators of compromise"),
                    _lines([f"{kind}: {value}" for kind, value in f.iocs]),
                    ("Lorsqu'ils sont disponibles.", "Where available."), required=False,
                    multiline=True),
            b.field("status", ("État de la prise en charge", "Handling status"),
                    b.handling_status()),
            b.field("measures", ("Mesures prises", "Measures taken"), b.measures(),
                    multiline=True),
            b.field("deadline", ("Échéance (72 h)", "Due (72 h)"),
                    b.deadline("nis2_notification"), required=False),
        )),
    )
    return DraftContent(DraftKind.NIS2_NOTIFICATION, b.lang,
                        b.t("Notification d'incident NIS2", "NIS2 incident notification"),
                        _nis2_recipient(b), b.t("Directive (UE) 2022/2555 art. 23(4)(b)",
                                                "Directive (EU) 2022/2555 art. 23(4)(b)"),
                        groups, _nis2_notes(b))


def _done_at(b: _Builder, obligation_id: str) -> str:
    obligation = b.f.obligation(obligation_id)
    return b.when(obligation.done_at) if obligation and obligation.done_at else ""


_HHS_TYPE = {"ransomware": "Hacking/IT Incident", "malware": "Hacking/IT Incident",
             "phishing": "Hacking/IT Incident", "account_compromise": "Hacking/IT Incident",
             "denial_of_service": "Hacking/IT Incident",
             "medical_device_compromise": "Hacking/IT Incident",
             "unauthorised_access": "Unauthorized Access/Disclosure",
             "data_breach": "Unauthorized Access/Disclosure"}
_HHS_LOCATION = {"server": "Network Server", "workstation": "Desktop Computer",
                 "mobile": "Other Portable Electronic Device"}
_HHS_PHI = {"identity": "Demographic", "contact": "Demographic", "national_id": "Demographic",
            "financial": "Financial", "health": "Clinical", "imaging": "Clinical",
            "genetic": "Clinical", "other": "Other", "credentials": "Other", "staff": "Other"}


def _hhs(b: _Builder) -> DraftContent:
    f = b.f
    media = f.obligation("hipaa_media")
    locations = sorted({_HHS_LOCATION[k] for k, n in f.asset_counts if k in _HHS_LOCATION and n})
    if f.category == "phishing" or f.category == "account_compromise":
        locations.append("Email")
    phi = sorted({_HHS_PHI[c] for c in f.data_categories if c in _HHS_PHI})
    groups = (
        FieldGroup("entity", b.t("Entité couverte", "Covered entity"), (
            b.field("name", ("Nom", "Name of covered entity"), f.establishment_name),
            b.field("address", ("Adresse", "Street address, city, state, ZIP"), "",
                    ("Adresse postale de l'entité couverte.",
                     "Postal address of the covered entity."), multiline=True),
            b.field("type", ("Type d'entité", "Type of covered entity"), "",
                    ("Health plan, healthcare provider ou healthcare clearinghouse.",
                     "Health plan, healthcare provider or healthcare clearinghouse.")),
        )),
        b.declarant_group("contact", ("Contact", "Contact")),
        FieldGroup("business_associate", b.t("Partenaire (business associate)",
                                              "Business associate"), (
            b.field("involved", ("Implication d'un partenaire ?",
                                 "Did the breach occur at or by a business associate?"), ""),
        )),
        FieldGroup("breach", b.t("Violation", "Breach"), (
            b.field("start", ("Date de début", "Breach start date"), b.when(f.occurred_at)),
            b.field("end", ("Date de fin", "Breach end date"), b.when(f.contained_at),
                    required=False),
            b.field("discovered", ("Date de découverte", "Discovery date"),
                    b.when(f.discovered_at)),
            b.field("individuals", ("Nombre approximatif de personnes",
                                    "Approximate number of individuals affected"),
                    b.individuals()),
            b.field("type", ("Type de violation", "Type of breach"),
                    _HHS_TYPE.get(f.category, "Theft" if f.category == "loss_theft" else ""),
                    ("Catégories du portail HHS : Hacking/IT Incident, Theft, Loss, Improper "
                     "Disposal, Unauthorized Access/Disclosure, Other.",
                     "Hacking/IT Incident, Theft, Loss, Improper Disposal, Unauthorized "
                     "Access/Disclosure, Other.")),
            b.field("location", ("Emplacement des informations",
                                 "Location of breached information"), ", ".join(locations),
                    ("Choix du portail HHS : Laptop, Desktop Computer, Network Server, E-mail, "
                     "Other Portable Electronic Device, Electronic Medical Record, Paper/Films, "
                     "Other.",
                     "Laptop, Desktop Computer, Network Server, E-mail, Other Portable "
                     "Electronic Device, Electronic Medical Record, Paper/Films, Other.")),
            b.field("phi_types", ("Types de PHI", "Type of protected health information"),
                    ", ".join(phi), ("Demographic, Financial, Clinical, Other.",
                                          "Demographic, Financial, Clinical, Other.")),
            b.field("description", ("Description", "Brief description of the breach"),
                    f.description, multiline=True),
        )),
        FieldGroup("actions", b.t("Mesures", "Safeguards and actions"), (
            b.field("safeguards", ("Mesures en place avant la violation",
                                   "Safeguards in place prior to the breach"), "",
                    ("Ex. pare-feu, chiffrement, antivirus, sensibilisation.",
                     "E.g. firewalls, encryption, anti-virus, security awareness."),
                    multiline=True),
            b.field("actions", ("Mesures prises", "Actions taken in response"), b.measures(),
                    multiline=True),
        )),
        FieldGroup("notices", b.t("Notifications", "Notice of breach"), (
            b.field("individual_notice", ("Date de notification aux personnes",
                                          "Date individual notice provided"),
                    _done_at(b, "hipaa_individuals")),
            b.field("substitute_notice", ("Avis de substitution", "Substitute notice required?"),
                    "", required=False),
            b.field("media_notice", ("Avis aux médias", "Media notice required?"),
                    (_yes_no(True, b.lang) + (" (" + ", ".join(f.residents_states()) + ")"
                                              if f.residents_states() else ""))
                    if media and media.applies else _yes_no(False, b.lang) if media else ""),
            b.field("deadline", ("Échéance HHS", "HHS report due"), b.deadline("hipaa_hhs"),
                    required=False),
        )),
    )
    return DraftContent(DraftKind.HHS, b.lang,
                        b.t("Déclaration de violation à HHS", "HHS breach report"),
                        "U.S. Department of Health and Human Services (OCR breach portal)",
                        "45 CFR 164.408", groups,
                        (b.t("Champs du portail HHS tirés de mémoire, non vérifiés (UNVERIFIED).",
                             "Fields of the HHS breach portal from memory, not verified "
                             "(UNVERIFIED)."),))


def _letter(b: _Builder) -> DraftContent:
    f = b.f
    what = _label(_LETTER_WHAT, f.category, b.lang)
    discovered = format_instant(f.discovered_at, f.timezone, b.lang).split(" ")[0]
    que = "qu'" if what[:1] in "aeiouyéh" else "que "
    happened = b.t(f"Le {discovered}, nous avons découvert {que}{what}.",
                   f"On {discovered}, we discovered that {what}.")
    plain = [_label(DATA_CATEGORY_PLAIN, c, b.lang) for c in f.data_categories]
    data = (b.t("Les informations concernées sont : ", "The information involved is: ")
            + ", ".join(plain) + ".") if plain else ""
    cats = set(f.data_categories)
    advice = []
    if cats & {"credentials"}:
        advice.append(b.t("Changez votre mot de passe s'il est utilisé ailleurs.",
                          "Change your password if you use it anywhere else."))
    if cats & {"identity", "contact", "national_id", "health"}:
        advice.append(b.t("Méfiez-vous des appels, courriels ou SMS qui se réclament de nous ou "
                          "de votre caisse d'assurance maladie et vous demandent des "
                          "informations : nous ne vous les demanderons jamais ainsi.",
                          "Be wary of calls, e-mails or text messages claiming to come from us "
                          "or your insurer and asking for information: we will never ask you "
                          "this way."))
    if cats & {"financial", "national_id"}:
        advice.append(b.t("Surveillez vos relevés bancaires et de remboursement et signalez "
                          "toute opération inconnue.",
                          "Watch your bank and insurance statements and report anything you "
                          "do not recognise."))
    contact_value = ", ".join(x for x in (f.dpo_name, f.dpo_email) if x)
    consequences = ""
    if cats & {"health", "genetic", "imaging"}:
        consequences = b.t("Ces informations pourraient être utilisées ou divulguées sans votre "
                           "accord.", "This information could be used or disclosed without "
                           "your consent.")
    groups = (
        FieldGroup("recipient", b.t("Destinataire", "Recipient"), (
            b.field("addressee", ("Nom et adresse du destinataire",
                                  "Name and address of the recipient"), "",
                    ("Publipostage : un courrier par personne.",
                     "Mail merge: one letter per person."), multiline=True),
        )),
        FieldGroup("letter", b.t("Courrier", "Letter"), (
            b.field("subject", ("Objet", "Subject"),
                    b.t("Information sur un incident de sécurité concernant vos données",
                        "Information about a security incident involving your information")),
            b.field("greeting", ("Formule d'appel", "Greeting"),
                    b.t("Madame, Monsieur,", "Dear Sir or Madam,")),
            b.field("what_happened", ("Ce qui s'est passé", "What happened"), happened,
                    ("En termes simples, sans détail technique.",
                     "In plain words, without technical detail."), multiline=True),
            b.field("data", ("Informations concernées", "Information involved"), data,
                    multiline=True),
            b.field("consequences", ("Conséquences possibles pour vous",
                                     "What this could mean for you"), consequences,
                    ("Art. 34(2) : conséquences probables, en termes clairs.",
                     "Art. 34(2): likely consequences, in clear language."), multiline=True),
            b.field("measures", ("Ce que nous avons fait", "What we are doing"), "",
                    ("Mesures prises pour remédier à la violation et en limiter les effets, "
                     "sans détail technique (art. 34(2)).",
                     "Measures taken to address the breach and limit its effects, without "
                     "technical detail (art. 34(2))."), multiline=True),
            b.field("advice", ("Ce que vous pouvez faire", "What you can do"), "\n".join(advice),
                    multiline=True),
            b.field("contact", ("Pour toute question", "For more information"),
                    (b.t("Notre délégué à la protection des données : ",
                         "Our data protection officer: ") + contact_value)
                    if contact_value else "",
                    ("Coordonnées du DPO ou d'un autre point de contact (art. 34(2)).",
                     "Contact details of the DPO or another contact point (art. 34(2)); in the "
                     "US (HIPAA), a toll-free number, an e-mail address, a website or a postal "
                     "address."),
                    multiline=True),
            b.field("apology", ("Conclusion", "Closing"),
                    b.t("Nous vous prions de nous excuser pour ce désagrément et vous prions "
                        "d'agréer, Madame, Monsieur, l'expression de nos salutations "
                        "distinguées.", "We apologise for any concern this may cause."),
                    multiline=True),
            b.field("signature", ("Signature", "Signature"), "",
                    ("Nom et fonction du signataire (directeur de l'établissement).",
                     "Name and title of the signatory (the establishment's director).")),
        )),
    )
    notes = [b.t("Contenu exigé par l'art. 34(2) du RGPD (et 45 CFR 164.404(c) aux États-Unis, "
                 "UNVERIFIED) ; ce courrier ne reprend volontairement aucune description "
                 "interne de l'incident.",
                 "Content required by GDPR art. 34(2) (and 45 CFR 164.404(c) in the US, "
                 "UNVERIFIED); this letter deliberately copies no internal description of the "
                 "incident.")]
    return DraftContent(DraftKind.INDIVIDUALS_LETTER, b.lang,
                        b.t("Courrier aux personnes concernées",
                            "Letter to the people affected"),
                        b.t("Personnes concernées", "People affected"),
                        b.t("RGPD art. 34", "GDPR art. 34"), groups, tuple(notes))


_BUILDERS = {
    DraftKind.CERT_SANTE: _cert_sante,
    DraftKind.CNIL: _cnil,
    DraftKind.NIS2_EARLY_WARNING: _nis2_early_warning,
    DraftKind.NIS2_NOTIFICATION: _nis2_notification,
    DraftKind.HHS: _hhs,
    DraftKind.INDIVIDUALS_LETTER: _letter,
}


def build_draft(facts: DraftFacts, kind: str, language: str) -> DraftContent:
    """The draft of ``kind`` in ``language`` ("fr" or "en"), pre-filled from ``facts``."""
    try:
        draft_kind = DraftKind(kind)
    except ValueError:
        raise DraftError(f"unknown draft kind {kind!r}; expected one of "
                         f"{', '.join(k.value for k in DraftKind)}") from None
    if language not in LANGUAGES:
        raise DraftError(f"unknown language {language!r}; expected fr or en")
    return _BUILDERS[draft_kind](_Builder(facts, language))


def suggested_kinds(obligations: Sequence[ObligationFact]) -> tuple[DraftKind, ...]:
    """The drafts an incident calls for: those serving an obligation that applies."""
    applying = {o.id for o in obligations if o.applies}
    return tuple(kind for kind, ids in DRAFT_OBLIGATIONS.items() if applying & set(ids))


def merge_edits(fresh: Mapping[str, Any], previous: Mapping[str, Any]) -> dict[str, Any]:
    """Regenerated content that keeps every value the user edited in ``previous``.

    Both are ``DraftContent.to_dict()`` shapes; an edited field carries ``"edited": True``.
    Fields that no longer exist are dropped; new fields come pre-filled.
    """
    edited: dict[tuple[str, str], str] = {}
    for group in previous.get("groups", []):
        for item in group.get("fields", []):
            if item.get("edited"):
                edited[(group["key"], item["key"])] = str(item.get("value", ""))
    merged = {**fresh, "groups": []}
    for group in fresh.get("groups", []):
        fields = []
        for item in group["fields"]:
            key = (group["key"], item["key"])
            if key in edited:
                item = {**item, "value": edited[key], "edited": True,
                        "to_complete": bool(item.get("required")) and not edited[key].strip()}
            fields.append(item)
        merged["groups"].append({**group, "fields": fields})
    return merged


def apply_values(content: Mapping[str, Any], values: Mapping[str, str],
                 max_length: int = 20000) -> dict[str, Any]:
    """Content with ``values`` (``"group.field"`` → text) written in and marked as edited.

    Unknown keys and over-long values raise ``DraftError`` naming every problem at once.
    """
    known = {f"{g['key']}.{f['key']}" for g in content.get("groups", []) for f in g["fields"]}
    problems = [f"{key}: unknown field" for key in values if key not in known]
    problems += [f"{key}: longer than {max_length} characters" for key, value in values.items()
                 if len(value) > max_length]
    if problems:
        raise DraftError("; ".join(sorted(problems)))
    updated = {**content, "groups": []}
    for group in content.get("groups", []):
        fields = []
        for item in group["fields"]:
            key = f"{group['key']}.{item['key']}"
            if key in values and values[key] != item.get("value", ""):
                value = values[key]
                item = {**item, "value": value, "edited": True,
                        "to_complete": bool(item.get("required")) and not value.strip()}
            fields.append(item)
        updated["groups"].append({**group, "fields": fields})
    return updated

