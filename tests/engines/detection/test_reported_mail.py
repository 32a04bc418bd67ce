"""Reading a reported suspicious e-mail: the triage facts, and hostile input refused cleanly."""

from __future__ import annotations

import pytest

from hygie.detection.engine.reported_mail import (
    MAX_MAIL_BYTES,
    ReportedMailError,
    parse_reported_mail,
)

PHISH = (
    b"From: =?utf-8?q?Service_Paie?= <Paie@RH-Paie.example>\r\n"
    b"Reply-To: collect@elsewhere.test\r\n"
    b"Return-Path: <bounce@rh-paie.example>\r\n"
    b"To: someone@hospital.example\r\n"
    b"Subject: Bulletin bloque\r\n"
    b"Date: Mon, 30 Nov 2026 08:12:00 +0100\r\n"
    b"Message-ID: <abc-123@rh-paie.example>\r\n"
    b"Authentication-Results: mx.hospital.example; spf=fail smtp.mailfrom=rh-paie.example;"
    b" dkim=none; dmarc=fail\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="b1"\r\n'
    b"\r\n"
    b"--b1\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n"
    b"\r\n"
    b'<a href="https://user:pw@login.rh-paie.example:8443/x">ici</a>'
    b' <a href="http://tracker.test/p?x=1">.</a> https://login.rh-paie.example/again\r\n'
    b"--b1\r\n"
    b'Content-Type: application/octet-stream; name="facture.pdf.exe"\r\n'
    b'Content-Disposition: attachment; filename="facture.pdf.exe"\r\n'
    b"Content-Transfer-Encoding: base64\r\n"
    b"\r\n"
    b"TVqQAAMAAAAEAAAA\r\n"
    b"--b1--\r\n"
)


def test_the_facts_of_a_phishing_message():
    mail = parse_reported_mail(PHISH)
    assert mail.sender == "paie@rh-paie.example" and mail.sender_domain == "rh-paie.example"
    assert mail.reply_to == "collect@elsewhere.test" and mail.reply_elsewhere
    assert mail.return_path == "bounce@rh-paie.example"
    assert mail.message_id == "abc-123@rh-paie.example"
    assert mail.link_count == 3
    assert mail.link_domains == ("login.rh-paie.example", "tracker.test")
    assert mail.attachment_extensions == (".exe",) and mail.risky_attachments == 1
    assert mail.authentication == {"spf": "fail", "dkim": "none", "dmarc": "fail"}
    assert mail.failed_authentication == ("dmarc", "spf")
    assert mail.suspicious_signs == 3


def test_a_plain_message_has_no_warning_sign():
    mail = parse_reported_mail(
        b"From: a@b.example\r\nSubject: hello\r\nDate: Tue, 1 Dec 2026 10:00:00 +0100\r\n\r\nhi\r\n"
    )
    assert mail.suspicious_signs == 0 and mail.link_count == 0 and not mail.message_id


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"just some text\nwith lines\n", "not_mail"),
        (b"%PDF-1.7\n\x00\x01binary", "not_mail"),
        (b"From: a@b.example\r\n\r\nonly one header", "not_mail"),
        (b"From: a@b.example\r\nSubject: x\r\n" + b"x" * MAX_MAIL_BYTES, "too_large"),
    ],
)
def test_what_is_not_a_readable_mail_is_refused_with_a_reason(data, code):
    with pytest.raises(ReportedMailError) as caught:
        parse_reported_mail(data)
    assert caught.value.code == code


def test_hostile_structures_stay_bounded():
    parts = b"".join(
        b"--b\r\nContent-Type: text/plain\r\n\r\nhttps://d%d.example/\r\n" % i for i in range(500)
    )
    data = (
        b"From: a@b.example\r\nSubject: x\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n' + parts + b"--b--\r\n"
    )
    mail = parse_reported_mail(data)
    assert len(mail.link_domains) == 20 and mail.link_count < 500
    broken = b"From: a@b.example\r\nSubject: x\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@!!"
    assert parse_reported_mail(broken).link_count == 0


def test_raw_8bit_sender_header_is_read():
    """compat32 hands back a Header object for raw 8-bit bytes (found by the fuzzer)."""
    data = (
        b"From: \xe9t\xe9 <a@b.example>\r\nSubject: x\r\n"
        b"Date: Mon, 2 Mar 2026 09:05:00 +0100\r\n\r\nhi"
    )
    assert parse_reported_mail(data).sender == "a@b.example"
