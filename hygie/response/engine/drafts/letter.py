"""The letter to the people affected (GDPR art. 34, HIPAA 45 CFR 164.404), in plain words."""

from __future__ import annotations

from collections.abc import Mapping

from hygie.response.engine.choices import DATA_CATEGORY_PLAIN, DraftKind
from hygie.response.engine.drafts.builder import Builder, T, format_date, pick, word
from hygie.response.engine.drafts.model import DraftContent, FieldGroup

# Letter: what happened, per category, in plain words (no technical detail, no free text).
_LETTER_WHAT: Mapping[str, T] = {
    "ransomware": (
        "une attaque informatique a bloqué une partie de nos systèmes informatiques",
        "a cyberattack locked part of our computer systems",
    ),
    "data_breach": (
        "des informations vous concernant ont pu être consultées ou copiées par des "
        "personnes non autorisées",
        "information about you may have been seen or copied by people who were not allowed to",
    ),
    "account_compromise": (
        "un compte informatique de notre établissement a été utilisé par une "
        "personne non autorisée",
        "an account of our organisation was used by someone who was not allowed to",
    ),
    "phishing": (
        "un message frauduleux a permis à une personne non autorisée d'accéder à une "
        "partie de nos systèmes",
        "a fraudulent message let someone who was not allowed to access part of our systems",
    ),
    "malware": (
        "un logiciel malveillant a été découvert sur une partie de nos systèmes",
        "malicious software was found on part of our systems",
    ),
    "medical_device_compromise": (
        "un équipement médical connecté a été visé par une attaque informatique",
        "a connected medical device was targeted by a cyberattack",
    ),
    "denial_of_service": (
        "une attaque a rendu indisponibles certains de nos services",
        "an attack made some of our services unavailable",
    ),
    "loss_theft": (
        "un équipement ou un document contenant des informations a été perdu ou volé",
        "a device or document holding information was lost or stolen",
    ),
    "unauthorised_access": (
        "une personne non autorisée a pu accéder à certaines informations",
        "someone who was not allowed to may have accessed some information",
    ),
    "other": (
        "un incident de sécurité a touché nos systèmes d'information",
        "a security incident affected our information systems",
    ),
}


def build_letter(b: Builder) -> DraftContent:
    f = b.f
    what = pick(_LETTER_WHAT.get(f.category, _LETTER_WHAT["other"]), b.lang)
    discovered = format_date(f.discovered_at, f.timezone, b.lang)
    que = "qu'" if what[:1] in "aeiouyéh" else "que "
    happened = b.t(
        f"Le {discovered}, nous avons découvert {que}{what}.",
        f"On {discovered}, we discovered that {what}.",
    )
    plain = [word(DATA_CATEGORY_PLAIN, c, b.lang) for c in f.data_categories]
    data = (
        (
            b.t("Les informations concernées sont : ", "The information involved is: ")
            + ", ".join(plain)
            + "."
        )
        if plain
        else ""
    )
    cats = set(f.data_categories)
    advice = []
    if cats & {"credentials"}:
        advice.append(
            b.t(
                "Changez votre mot de passe s'il est utilisé ailleurs.",
                "Change your password if you use it anywhere else.",
            )
        )
    if cats & {"identity", "contact", "national_id", "health"}:
        advice.append(
            b.t(
                "Méfiez-vous des appels, courriels ou SMS qui se réclament de nous ou "
                "de votre caisse d'assurance maladie et vous demandent des "
                "informations : nous ne vous les demanderons jamais ainsi.",
                "Be wary of calls, e-mails or text messages claiming to come from us "
                "or your insurer and asking for information: we will never ask you "
                "this way.",
            )
        )
    if cats & {"financial", "national_id"}:
        advice.append(
            b.t(
                "Surveillez vos relevés bancaires et de remboursement et signalez "
                "toute opération inconnue.",
                "Watch your bank and insurance statements and report anything you "
                "do not recognise.",
            )
        )
    contact_value = ", ".join(x for x in (f.dpo_name, f.dpo_email) if x)
    consequences = ""
    if cats & {"health", "genetic", "imaging"}:
        consequences = b.t(
            "Ces informations pourraient être utilisées ou divulguées sans votre accord.",
            "This information could be used or disclosed without your consent.",
        )
    groups = (
        FieldGroup(
            "recipient",
            b.t("Destinataire", "Recipient"),
            (
                b.field(
                    "addressee",
                    ("Nom et adresse du destinataire", "Name and address of the recipient"),
                    "",
                    (
                        "Publipostage : un courrier par personne.",
                        "Mail merge: one letter per person.",
                    ),
                    multiline=True,
                ),
            ),
        ),
        FieldGroup(
            "letter",
            b.t("Courrier", "Letter"),
            (
                b.field(
                    "subject",
                    ("Objet", "Subject"),
                    b.t(
                        "Information sur un incident de sécurité concernant vos données",
                        "Information about a security incident involving your information",
                    ),
                ),
                b.field(
                    "greeting",
                    ("Formule d'appel", "Greeting"),
                    b.t("Madame, Monsieur,", "Dear Sir or Madam,"),
                ),
                b.field(
                    "what_happened",
                    ("Ce qui s'est passé", "What happened"),
                    happened,
                    (
                        "En termes simples, sans détail technique.",
                        "In plain words, without technical detail.",
                    ),
                    multiline=True,
                ),
                b.field(
                    "data",
                    ("Informations concernées", "Information involved"),
                    data,
                    multiline=True,
                ),
                b.field(
                    "consequences",
                    ("Conséquences possibles pour vous", "What this could mean for you"),
                    consequences,
                    (
                        "Art. 34(2) : conséquences probables, en termes clairs.",
                        "Art. 34(2): likely consequences, in clear language.",
                    ),
                    multiline=True,
                ),
                b.field(
                    "measures",
                    ("Ce que nous avons fait", "What we are doing"),
                    "",
                    (
                        "Mesures prises pour remédier à la violation et en limiter les effets, "
                        "sans détail technique (art. 34(2)).",
                        "Measures taken to address the breach and limit its effects, without "
                        "technical detail (art. 34(2)).",
                    ),
                    multiline=True,
                ),
                b.field(
                    "advice",
                    ("Ce que vous pouvez faire", "What you can do"),
                    "\n".join(advice),
                    multiline=True,
                ),
                b.field(
                    "contact",
                    ("Pour toute question", "For more information"),
                    (
                        b.t(
                            "Notre délégué à la protection des données : ",
                            "Our data protection officer: ",
                        )
                        + contact_value
                    )
                    if contact_value
                    else "",
                    (
                        "Coordonnées du DPO ou d'un autre point de contact (art. 34(2)).",
                        "Contact details of the DPO or another contact point (art. 34(2)); in the "
                        "US (HIPAA), a toll-free number, an e-mail address, a website or a postal "
                        "address.",
                    ),
                    multiline=True,
                ),
                b.field(
                    "apology",
                    ("Conclusion", "Closing"),
                    b.t(
                        "Nous vous prions de nous excuser pour ce désagrément et vous prions "
                        "d'agréer, Madame, Monsieur, l'expression de nos salutations "
                        "distinguées.",
                        "We apologise for any concern this may cause.",
                    ),
                    multiline=True,
                ),
                b.field(
                    "signature",
                    ("Signature", "Signature"),
                    "",
                    (
                        "Nom et fonction du signataire (directeur de l'établissement).",
                        "Name and title of the signatory (the establishment's director).",
                    ),
                ),
            ),
        ),
    )
    notes = [
        b.t(
            "Contenu exigé par l'art. 34(2) du RGPD (et 45 CFR 164.404(c) aux États-Unis, "
            "UNVERIFIED) ; ce courrier ne reprend volontairement aucune description "
            "interne de l'incident.",
            "Content required by GDPR art. 34(2) (and 45 CFR 164.404(c) in the US, "
            "UNVERIFIED); this letter deliberately copies no internal description of the "
            "incident.",
        )
    ]
    return DraftContent(
        DraftKind.INDIVIDUALS_LETTER,
        b.lang,
        b.t("Courrier aux personnes concernées", "Letter to the people affected"),
        b.t("Personnes concernées", "People affected"),
        b.t("RGPD art. 34", "GDPR art. 34"),
        groups,
        tuple(notes),
    )
