"""Reported mails analysed: forwarded-as-attachment unwrapping, facts, verdicts, hostile input."""

from __future__ import annotations

import hashlib
import io
import zipfile
from email.message import EmailMessage

import pytest

from hygie.awareness.engine.report import (
    MAX_REPORT_BYTES,
    ReportError,
    analyse,
    defang,
    has_macros,
    unwrap,
)

OWN = ("chu-exemple.fr",)
TOKEN = "A" * 12 + "b" * 12


def lure(
    *,
    sender: str = '"Service informatique" <it@chu-exernple.fr>',
    auth: str = "mx.chu-exemple.fr; spf=fail smtp.mailfrom=chu-exernple.fr; dkim=none; dmarc=fail",
    html: str = '<p>Votre mot de passe expire. <a href="https://login.chu-exernple.fr/x">'
    "https://intranet.chu-exemple.fr</a></p>",
    attachment: tuple[str, bytes] | None = None,
    extra: dict[str, str] | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "marie@chu-exemple.fr"
    message["Subject"] = "Action requise : mot de passe expiré sous 24h"
    message["Date"] = "Mon, 2 Mar 2026 09:00:00 +0100"
    message["Message-ID"] = "<lure-1@chu-exernple.fr>"
    message["Received"] = (
        "from mail.chu-exernple.fr (mail.chu-exernple.fr [198.51.100.7]) by mx.chu-exemple.fr "
        "with ESMTPS id 1; Mon, 2 Mar 2026 09:00:01 +0100"
    )
    if auth:
        message["Authentication-Results"] = auth
    for name, value in (extra or {}).items():
        message[name] = value
    message.set_content("Votre mot de passe expire.")
    message.add_alternative(html, subtype="html")
    if attachment:
        message.add_attachment(
            attachment[1], maintype="application", subtype="octet-stream", filename=attachment[0]
        )
    return message


def forwarded(inner: EmailMessage) -> bytes:
    outer = EmailMessage()
    outer["From"] = "Marie Curie <marie@chu-exemple.fr>"
    outer["To"] = "signalement@chu-exemple.fr"
    outer["Subject"] = "TR: suspicious"
    outer["Date"] = "Mon, 2 Mar 2026 09:05:00 +0100"
    outer.set_content("I think this is phishing.")
    outer.add_attachment(inner)
    return outer.as_bytes()


def test_forwarded_as_attachment_is_unwrapped_and_judged_phishing() -> None:
    result = analyse(forwarded(lure()), OWN)
    assert result.forwarded and result.reporter == "marie@chu-exemple.fr"
    assert result.sender == "it@chu-exernple.fr"
    assert result.sender_name == "Service informatique"
    assert result.verdict == "phishing"
    assert {"spf_fail", "dmarc_fail", "lookalike_domain", "link_text_mismatch"} <= set(
        result.reasons
    )
    assert result.authentication["spf"] == "fail"
    assert result.received[0].ip == "198.51.100.7"
    link = next(link for link in result.urls if link.mismatch)
    assert link.domain == "login.chu-exernple.fr" and link.text_domain == "intranet.chu-exemple.fr"
    assert result.lookalikes[0]["imitates"] == "chu-exemple.fr"
    assert "Action requise" in result.subject


def test_clean_internal_mail() -> None:
    message = lure(
        sender="Direction <direction@chu-exemple.fr>",
        auth="mx.chu-exemple.fr; spf=pass; dkim=pass; dmarc=pass",
        html="<p>Réunion de service jeudi.</p>",
    )
    del message["Subject"]
    message["Subject"] = "Réunion de service"
    result = analyse(message.as_bytes(), OWN)
    assert result.verdict == "clean" and not result.forwarded


def test_newsletter_is_spam() -> None:
    message = lure(
        sender="Promo <news@boutique.example>",
        auth="mx.chu-exemple.fr; spf=pass; dkim=pass; dmarc=pass",
        html='<a href="https://boutique.example/p">Voir</a>',
        extra={"List-Unsubscribe": "<https://boutique.example/u>", "Reply-To": "x@other.example"},
    )
    assert analyse(message.as_bytes(), OWN).verdict == "spam"


def test_macro_document_is_malicious_with_hash() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<x/>")
        archive.writestr("word/vbaProject.bin", b"\x00VBA")
    data = buffer.getvalue()
    result = analyse(forwarded(lure(attachment=("facture.docx", data))), OWN)
    assert result.verdict == "malicious"
    attachment = result.attachments[0]
    assert attachment.has_macros and attachment.detected_type == "application/zip"
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert "macro_attachment" in result.reasons
    assert ("hash", attachment.sha256) in result.observables()


def test_ole_macros_detected() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "_VBA_PROJECT".encode("utf-16-le")
    assert has_macros(ole, "application/x-ole-storage")
    assert not has_macros(b"PK\x03\x04broken", "application/zip")


def test_executable_disguised_as_pdf_is_malicious() -> None:
    result = analyse(lure(attachment=("resultats.pdf", b"MZ\x90\x00" + b"\x00" * 60)).as_bytes())
    assert result.attachments[0].detected_type == "application/x-msdownload"
    assert result.verdict == "malicious"


def test_simulation_token_in_link_and_header() -> None:
    message = lure(html=f'<a href="https://hygie.chu-exemple.fr/t/c/{TOKEN}">Voir</a>')
    first = analyse(forwarded(message), OWN)
    assert TOKEN in first.candidate_tokens and first.verdict != "simulation"
    second = analyse(forwarded(message), OWN, known_tokens={TOKEN})
    assert second.verdict == "simulation" and second.simulation_token == TOKEN
    by_header = lure(extra={"X-Hygie-Simulation": TOKEN}, html="<p>x</p>")
    assert analyse(by_header.as_bytes(), OWN, known_tokens={TOKEN}).verdict == "simulation"


def test_indicator_match_makes_it_malicious() -> None:
    message = lure(
        sender="a@neutral.example",
        auth="mx; spf=pass; dkim=pass; dmarc=pass",
        html='<a href="https://neutral.example/a">neutral.example</a>',
    )
    plain = analyse(message.as_bytes(), OWN)
    hit = analyse(
        message.as_bytes(),
        OWN,
        indicator_matches=[{"kind": "url", "value": "https://neutral.example/a"}],
    )
    assert plain.verdict in {"clean", "spam"} and hit.verdict == "malicious"
    assert "indicator_match" in hit.reasons


def test_defang() -> None:
    assert defang("https://login.evil.example/a.b?x=1") == "hxxps://login[.]evil[.]example/a.b?x=1"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"x" * (MAX_REPORT_BYTES + 1), "too_large"),
        (b"\x00\x01binary", "not_mail"),
        (b"just some text without headers\n", "not_mail"),
    ],
)
def test_hostile_input_refused_with_a_code(data: bytes, code: str) -> None:
    with pytest.raises(ReportError) as caught:
        analyse(data)
    assert caught.value.code == code


def test_nested_forwards_are_bounded() -> None:
    data = lure().as_bytes()
    from email import message_from_bytes, policy

    for _ in range(6):
        outer = EmailMessage()
        outer["From"] = "a@chu-exemple.fr"
        outer["Subject"] = "fw"
        outer["Date"] = "Mon, 2 Mar 2026 09:05:00 +0100"
        outer.set_content("fw")
        outer.add_attachment(message_from_bytes(data, policy=policy.default))
        data = outer.as_bytes()
    with pytest.raises(ReportError) as caught:
        unwrap(data)
    assert caught.value.code == "too_deep"


def test_encoded_word_tricks_and_malformed_mime() -> None:
    raw = (
        b"From: =?utf-8?b?U2VydmljZSBJVCDigK4=?= <x@evil.example>\n"
        b"Subject: =?utf-8?q?Mot_de_passe=E2=80=AE?= =?bogus?x?zz?=\n"
        b"Date: Mon, 2 Mar 2026 09:00:00 +0100\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/html\n'
        b"Content-Transfer-Encoding: base64\n\n!!!notbase64<a href=\n--B\n"
        b"Content-Disposition: attachment; filename*=utf-8''%E2%80%AEfdp.exe\n"
        b"Content-Transfer-Encoding: base64\n\nTVqQ===\n"  # no closing boundary
    )
    result = analyse(raw, OWN)
    assert "\u202e" not in result.subject and "\u202e" not in result.sender_name
    assert result.attachments and "\u202e" not in result.attachments[0].filename


def test_simulation_token_behind_a_gateway_rewritten_link() -> None:
    wrapped = (
        "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fhygie.chu-exemple.fr"
        f"%2Fawareness%2Ft%2Fc%2F{TOKEN}&data=05%7C02"
    )
    message = lure(html=f'<a href="{wrapped}">Voir</a>')
    result = analyse(forwarded(message), OWN, known_tokens={TOKEN})
    assert result.verdict == "simulation"
