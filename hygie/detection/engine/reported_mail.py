"""Read an e-mail a staff member reports as suspicious (an .eml file): the facts the security
team triages on, without the body or the subject (which may name a patient when a genuine mail
is reported by mistake). Pure: no Django, no I/O; the input is hostile."""

from __future__ import annotations

import email
import re
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.utils import getaddresses, parseaddr

MAX_MAIL_BYTES = 10 * 1024 * 1024
MAX_PARTS = 200  # MIME parts looked at (a crafted message may hold thousands)
MAX_TEXT_BYTES = 2 * 1024 * 1024  # text scanned for links, over all parts
MAX_DOMAINS = 20
# Headers of which a real message has at least one.
_MAIL_HEADERS = ("from", "subject", "date", "message-id", "received", "to")
_URL = re.compile(rb"""(?i)\bhttps?://([^\s/?#"'<>\\]+)""")
_AUTH = re.compile(r"(?i)\b(spf|dkim|dmarc)=([a-z]+)")
# Attachment types that run code or hide it (the usual phishing payloads).
RISKY_EXTENSIONS = frozenset(
    {
        ".exe", ".scr", ".com", ".bat", ".cmd", ".js", ".jse", ".vbs", ".vbe", ".wsf", ".hta",
        ".ps1", ".msi", ".lnk", ".iso", ".img", ".html", ".htm", ".svg", ".docm", ".xlsm",
        ".pptm", ".jar", ".zip", ".rar", ".7z",
    }
)  # fmt: skip


class ReportedMailError(Exception):
    """The file is not an e-mail that can be read; ``code`` says why (empty, too_large,
    not_mail)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ReportedMail:
    sender: str  # the From address (lower case), "" when absent
    sender_domain: str
    reply_to: str
    return_path: str
    message_id: str
    date: str  # the Date header as written
    link_domains: tuple[str, ...] = ()
    link_count: int = 0
    attachment_extensions: tuple[str, ...] = ()
    risky_attachments: int = 0
    authentication: dict[str, str] = field(default_factory=dict)  # spf/dkim/dmarc -> result

    @property
    def reply_elsewhere(self) -> bool:
        """Replies go to another domain than the sender's (a classic of fraud)."""
        reply_domain = self.reply_to.rpartition("@")[2]
        return bool(reply_domain and self.sender_domain and reply_domain != self.sender_domain)

    @property
    def failed_authentication(self) -> tuple[str, ...]:
        return tuple(
            name for name, result in sorted(self.authentication.items()) if result == "fail"
        )

    @property
    def suspicious_signs(self) -> int:
        return (
            bool(self.risky_attachments)
            + bool(self.failed_authentication)
            + bool(self.reply_elsewhere)
        )


def _address(value: object) -> str:
    # compat32 gives a Header object (not a str) for a header holding raw 8-bit bytes.
    _name, address = parseaddr(str(value) if value is not None else "")
    return address.strip().strip("<>").lower()[:254]


def _header(message: Message, name: str) -> str:
    value = message.get(name)
    return " ".join(str(value).split())[:300] if value is not None else ""


def _domain(host: bytes) -> str:
    text = host.decode("ascii", "replace").rpartition("@")[2]  # drop user:password@
    text = text.split(":", 1)[0] if not text.startswith("[") else text.split("]", 1)[0] + "]"
    return text.strip(".").lower()[:253]


def parse_reported_mail(data: bytes) -> ReportedMail:
    """The triage facts of one message. Raises ReportedMailError when it cannot be one."""
    if not data.strip():
        raise ReportedMailError("empty")
    if len(data) > MAX_MAIL_BYTES:
        raise ReportedMailError("too_large")
    if b"\x00" in data[:8192]:
        raise ReportedMailError("not_mail")
    try:
        # compat32 is the lenient policy: a malformed header reads as text instead of raising.
        message = email.message_from_bytes(data, policy=policy.compat32)
    except Exception as error:  # noqa: BLE001 - hostile input: any parser failure is "not mail"
        raise ReportedMailError("not_mail") from error
    present = {name.lower() for name in message.keys()}
    if len(present & set(_MAIL_HEADERS)) < 2:
        raise ReportedMailError("not_mail")
    sender = _address(message.get("From"))
    domains: list[str] = []
    links = 0
    extensions: list[str] = []
    risky = 0
    budget = MAX_TEXT_BYTES
    for index, part in enumerate(message.walk()):
        if index >= MAX_PARTS:
            break
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if filename or part.get_content_disposition() == "attachment":
            extension = ""
            if filename and "." in str(filename):
                extension = "." + str(filename).rsplit(".", 1)[1].lower()[:10]
            extensions.append(extension or "?")
            risky += extension in RISKY_EXTENSIONS
            continue
        if part.get_content_maintype() != "text" or budget <= 0:
            continue
        try:
            payload = part.get_payload(decode=True)
        except Exception:  # noqa: BLE001, S112 - a broken transfer encoding: skip the part
            continue
        if not isinstance(payload, bytes):
            continue
        payload = payload[:budget]
        budget -= len(payload)
        for match in _URL.finditer(payload):
            links += 1
            domain = _domain(match.group(1))
            if domain and domain not in domains and len(domains) < MAX_DOMAINS:
                domains.append(domain)
    authentication: dict[str, str] = {}
    for value in message.get_all("Authentication-Results") or []:
        for name, result in _AUTH.findall(str(value)):
            authentication.setdefault(name.lower(), result.lower()[:20])
    reply_to = ""
    replies = getaddresses([str(v) for v in message.get_all("Reply-To") or []])
    if replies:
        reply_to = replies[0][1].strip().lower()[:254]
    return ReportedMail(
        sender=sender,
        sender_domain=sender.rpartition("@")[2],
        reply_to=reply_to,
        return_path=_address(message.get("Return-Path")),
        message_id=_header(message, "Message-ID").strip("<>")[:250],
        date=_header(message, "Date")[:100],
        link_domains=tuple(sorted(domains)),
        link_count=links,
        attachment_extensions=tuple(sorted(extensions)),
        risky_attachments=risky,
        authentication=authentication,
    )
