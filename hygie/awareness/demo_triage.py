"""Demo data of reported-mail triage: mails staff reported in the first establishment, analysed by
the real service (``receive_report``) from synthetic messages — a look-alike phishing mail
confirmed by an analyst (with its ``awareness`` alert), a malicious attachment waiting for
triage, a newsletter, a genuine internal mail, and reports of the finished simulation credited
to their recipients — plus a report mailbox (inactive: its server is fictitious). No mail is
sent while loading. Domains are under ``.invalid`` / ``.example``; nothing is a real address.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import timedelta
from email import policy
from email.message import EmailMessage

from django.utils import timezone

from hygie.awareness.models import CampaignRecipient, ReportChannel, ReportedMail
from hygie.awareness.services import mailboxes, triage
from hygie.core.models import Establishment, Person


def _mail(sender: str, subject: str, html: str, domain: str, **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["Subject"] = subject
    message["Date"] = "Mon, 2 Mar 2026 09:00:00 +0100"
    message["Message-ID"] = f"<demo-{hashlib.sha256(subject.encode()).hexdigest()[:12]}@{domain}>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("Version texte.")
    message.add_alternative(html, subtype="html")
    return message


def _forward(inner: EmailMessage, reporter: str) -> bytes:
    outer = EmailMessage()
    outer["From"] = reporter
    outer["To"] = "signalement@demo-hygie.invalid"
    outer["Subject"] = "TR: courriel suspect"
    outer["Date"] = "Mon, 2 Mar 2026 09:10:00 +0100"
    outer.set_content("Ce courriel me semble suspect.")
    outer.add_attachment(inner)
    return outer.as_bytes(policy=policy.SMTP)


def _macro_document() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/vbaProject.bin", b"demo macro project")
    return buffer.getvalue()


def load_triage_demo(establishment: Establishment) -> None:
    people = list(Person.objects.filter(establishment=establishment).order_by("pk")[:6])
    if not people:
        return
    domain = people[0].email.rpartition("@")[2]
    lookalike = "dem0-hygie.invalid" if domain == "demo-hygie.invalid" else f"{domain}-rh.example"
    received = f"from mail.{lookalike} ([192.0.2.44]) by mx.{domain}; Mon, 2 Mar 2026 09:00:01"
    auth_fail = f"mx.{domain}; spf=fail; dkim=none; dmarc=fail"
    auth_pass = f"mx.{domain}; spf=pass; dkim=pass; dmarc=pass"
    phishing = _mail(
        f'"Service informatique" <support@{lookalike}>',
        "Votre mot de passe DPI expire aujourd'hui : action requise",
        f'<p>Votre mot de passe expire. <a href="https://login.{lookalike}/dpi">'
        f"https://dpi.{domain}</a></p>",
        lookalike,
        Received=received,
        Authentication_Results=auth_fail,
    )
    malicious = _mail(
        '"Comptabilité fournisseurs" <factures@fournisseur.example>',
        "Facture impayée - relance",
        "<p>Veuillez trouver la facture en pièce jointe.</p>",
        "fournisseur.example",
        Authentication_Results=auth_pass.replace("dmarc=pass", "dmarc=none"),
    )
    malicious.add_attachment(
        _macro_document(),
        maintype="application",
        subtype="vnd.ms-word.document.macroEnabled.12",
        filename="facture-2026-118.docx",
    )
    newsletter = _mail(
        "Salon Santé Numérique <news@salon.example>",
        "Votre badge pour le salon",
        '<p><a href="https://salon.example/badge">Télécharger</a></p>',
        "salon.example",
        Authentication_Results=auth_pass,
        List_Unsubscribe="<https://salon.example/desinscription>",
    )
    internal = _mail(
        f"Direction des soins <direction@{domain}>",
        "Réunion des cadres jeudi",
        "<p>La réunion des cadres est avancée à 14 h.</p>",
        domain,
        Authentication_Results=auth_pass,
    )
    now = timezone.now()
    reports = []
    for index, (message, person) in enumerate(
        zip((phishing, malicious, newsletter, internal), people, strict=False)
    ):
        report = triage.receive_report(
            _forward(message, person.email),
            ReportChannel.IMAP if index % 2 == 0 else ReportChannel.UPLOAD,
            establishment=establishment,
            notify=False,
        )
        reports.append(report)
        ReportedMail.objects.filter(pk=report.pk).update(
            received_at=now - timedelta(days=10 - 2 * index, hours=index)
        )
    triage.confirm_verdict(None, reports[0], "phishing", notify=False)
    if len(reports) > 2:
        triage.confirm_verdict(None, reports[2], "spam", notify=False)
    # Simulation mails reported back: the finished campaign's reporters, credited already.
    for recipient in CampaignRecipient.objects.filter(
        establishment=establishment, reported_at__isnull=False
    ).order_by("pk")[:3]:
        simulation = _mail(
            '"Laboratoire" <resultats@labo.example>',
            "Vos résultats d'analyse sont disponibles",
            f'<a href="https://hygie.{domain}/awareness/t/c/{recipient.token}">Voir</a>',
            "labo.example",
        )
        report = triage.receive_report(
            _forward(simulation, recipient.email),
            ReportChannel.SMTP,
            establishment=establishment,
            notify=False,
        )
        if recipient.reported_at:
            ReportedMail.objects.filter(pk=report.pk).update(received_at=recipient.reported_at)
    mailboxes.save_mailbox(
        None,
        establishment,
        {
            "name": "Signalements",
            "host": f"imap.{domain}",
            "port": 993,
            "security": "tls",
            "username": "signalement",
            "folder": "INBOX",
            "is_active": False,
        },
        password="demo-not-a-real-password",  # noqa: S106 - a fictitious server's password
    )
