"""Synthetic mails for the triage tests: a look-alike phishing lure, a simulation mail carrying
a Hygie token, and the reporter's message that forwards a mail as attachment."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage

SUBJECT = "Mot de passe DPI : action requise sous 24h"


def phishing(message_id: str = "<lure-1@chu-exernple.fr>") -> EmailMessage:
    message = EmailMessage()
    message["From"] = '"Service informatique" <it@chu-exernple.fr>'
    message["To"] = "marie@chu-exemple.fr"
    message["Subject"] = SUBJECT
    message["Date"] = "Mon, 2 Mar 2026 09:00:00 +0100"
    message["Message-ID"] = message_id
    message["Received"] = (
        "from mail.chu-exernple.fr ([198.51.100.7]) by mx.chu-exemple.fr; "
        "Mon, 2 Mar 2026 09:00:01 +0100"
    )
    message["Authentication-Results"] = "mx.chu-exemple.fr; spf=fail; dkim=none; dmarc=fail"
    message.set_content("Votre mot de passe expire.")
    message.add_alternative(
        '<p>Votre mot de passe expire : <a href="https://login.chu-exernple.fr/dpi">'
        "https://dpi.chu-exemple.fr</a></p>",
        subtype="html",
    )
    return message


def simulation(token: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = '"Laboratoire" <labo@resultats-labo.example>'
    message["To"] = "marie@chu-exemple.fr"
    message["Subject"] = "Vos résultats sont disponibles"
    message["Date"] = "Mon, 2 Mar 2026 10:00:00 +0100"
    message["Message-ID"] = f"<sim-{token}@hygie>"
    message["X-Hygie-Simulation"] = token
    message.set_content(f"Consultez vos résultats : https://hygie.chu-exemple.fr/t/c/{token}")
    return message


def forwarded(inner: EmailMessage, reporter: str = "marie@chu-exemple.fr") -> bytes:
    outer = EmailMessage()
    outer["From"] = f"Marie Curie <{reporter}>"
    outer["To"] = "signalement@chu-exemple.fr"
    outer["Subject"] = "TR: mail suspect"
    outer["Date"] = "Mon, 2 Mar 2026 09:05:00 +0100"
    outer["Message-ID"] = "<fw-" + str(inner["Message-ID"]).strip("<>") + ">"
    outer.set_content("Ce mail me semble suspect.")
    outer.add_attachment(inner)
    return outer.as_bytes(policy=policy.SMTP)  # CRLF line ends, as mail travels
