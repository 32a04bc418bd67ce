"""Reported-mail triage on detection's parser output, and look-alike domains."""

from __future__ import annotations

import pytest

from hygie.awareness.engine import (
    CLEAN,
    MALICIOUS,
    PHISHING,
    SIMULATION,
    SUSPICIOUS,
    edit_distance,
    lookalike,
    triage,
)
from hygie.detection.engine.reported_mail import parse_reported_mail

OWN = ("chu-exemple.fr", "hopital-exemple.fr")


def mail(headers: str, body: str = "Bonjour", attachment: str = "") -> bytes:
    parts = headers.strip() + "\nSubject: test\nDate: Mon, 2 Mar 2026 09:00:00 +0100\n"
    parts += "Message-ID: <1@x>\nMIME-Version: 1.0\n"
    if attachment:
        parts += 'Content-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/plain\n\n'
        parts += body + "\n--B\nContent-Type: application/octet-stream\n"
        parts += f'Content-Disposition: attachment; filename="{attachment}"\n\nAAAA\n--B--\n'
    else:
        parts += "Content-Type: text/plain\n\n" + body + "\n"
    return parts.encode()


@pytest.mark.parametrize(
    ("domain", "how"),
    [
        ("chu-exernple.fr", "homoglyph"),  # rn for m
        ("chu-exemp1e.fr", "homoglyph"),
        ("chu-exmple.fr", "typo"),
        ("chu-exepmle.fr", "typo"),  # swapped letters
        ("chu-exemple.fr.login-secure.com", "embedded"),
        ("hopital-exemple-rh.com", "embedded"),
        ("chu-exemple.fr", None),
        ("mail.chu-exemple.fr", None),
        ("example.org", None),
    ],
)
def test_lookalike_domains(domain: str, how: str | None) -> None:
    hit = lookalike(domain, OWN)
    assert (hit.how if hit else None) == how


def test_cyrillic_punycode_is_a_homoglyph() -> None:
    fake = "chu-ex\u0435mple.fr".encode("idna").decode()  # Cyrillic "е"
    assert fake.startswith("xn--")
    hit = lookalike(fake, OWN)
    assert hit is not None and hit.how == "punycode" and hit.imitates == "chu-exemple.fr"


def test_edit_distance() -> None:
    assert edit_distance("exemple", "exemple") == 0
    assert edit_distance("exemple", "exmeple") == 1
    assert edit_distance("abc", "xyzxyzxyz", limit=2) == 3


def test_phishing_with_failed_auth_lookalike_and_reply_elsewhere() -> None:
    raw = mail(
        "From: Support <it@chu-exernple.fr>\nReply-To: helpdesk@freemail.example\n"
        "To: a@chu-exemple.fr\n"
        "Authentication-Results: mx.chu-exemple.fr; spf=fail; dkim=none; dmarc=fail",
        "Reset now: https://chu-exemple.fr.login-secure.com/reset",
    )
    result = triage(parse_reported_mail(raw), OWN)
    assert result.verdict == PHISHING
    assert {"dmarc_fail", "spf_fail", "reply_to_elsewhere", "lookalike_domain"} <= set(
        result.reasons
    )
    assert {hit.how for hit in result.lookalikes} == {"homoglyph", "embedded"}


def test_macro_attachment_is_malicious() -> None:
    raw = mail(
        "From: compta@fournisseur.example\nTo: a@chu-exemple.fr\n"
        "Authentication-Results: mx; spf=pass; dkim=pass; dmarc=pass",
        attachment="facture.docm",
    )
    assert triage(parse_reported_mail(raw), OWN).verdict == MALICIOUS


def test_clean_newsletter() -> None:
    raw = mail(
        "From: news@ars.example\nTo: a@chu-exemple.fr\n"
        "Authentication-Results: mx; spf=pass; dkim=pass; dmarc=pass",
        "Lettre d'information https://www.ars.example/lettre",
    )
    result = triage(parse_reported_mail(raw), OWN)
    assert result.verdict == CLEAN and result.reasons == ()


def test_unauthenticated_with_container_is_suspicious() -> None:
    raw = mail("From: x@unknown.example\nTo: a@chu-exemple.fr", attachment="scan.zip")
    result = triage(parse_reported_mail(raw), OWN)
    assert result.verdict in {SUSPICIOUS, PHISHING}
    assert "container_or_html_attachment" in result.reasons


def test_display_name_spoofing() -> None:
    raw = mail(
        "From: x@unknown.example\nTo: a@chu-exemple.fr\nAuthentication-Results: mx; spf=pass"
    )
    result = triage(parse_reported_mail(raw), OWN, display_name="directeur@chu-exemple.fr")
    assert "display_name_spoofing" in result.reasons


def test_our_simulation_is_recognised_by_token_or_header() -> None:
    facts = parse_reported_mail(mail("From: rh@paie-exemple.example\nTo: a@chu-exemple.fr"))
    token = "A" * 24
    by_token = triage(facts, OWN, tokens_in_mail=[token], known_tokens={token})
    by_header = triage(facts, OWN, headers={"X-Hygie-Simulation": token}, known_tokens={token})
    assert by_token.verdict == by_header.verdict == SIMULATION
    assert (
        triage(facts, OWN, headers={"X-Hygie-Simulation": "forged"}, known_tokens={token}).verdict
        != SIMULATION
    )


def test_lure_wording_adds_evidence() -> None:
    facts = parse_reported_mail(
        mail("From: x@unknown.example\nTo: a@chu-exemple.fr\nAuthentication-Results: mx; spf=pass")
    )
    calm = triage(facts, OWN, wording="Compte rendu de la réunion")
    pressed = triage(facts, OWN, wording="URGENT : votre mot de passe expire, vérifiez sous 24h")
    assert "lure_wording" not in calm.reasons
    assert "lure_wording" in pressed.reasons and pressed.score > calm.score
