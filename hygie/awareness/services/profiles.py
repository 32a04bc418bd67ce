"""Sending profiles: the SMTP relay a campaign sends through, and the sealed secrets of the
module (a sending profile's password, a report mailbox's password).

A secret is stored encrypted (Fernet: AES-128-CBC with HMAC-SHA256) under a key derived from the
installation's ``SECRET_KEY``, so a database dump or backup alone does not reveal it. It is
never rendered back in a page or an API answer (forms show "set / not set"), never logged, and
the audit trail redacts the field. A new ``SECRET_KEY`` makes the stored secrets unreadable:
they must be typed again (the sending job says so instead of failing obscurely).
"""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hygie.awareness.engine import SIMULATION_HEADER
from hygie.awareness.models import SendingProfile
from hygie.core.services import crud
from hygie.core.services.mail import SmtpRelay

if TYPE_CHECKING:
    from hygie.core.models import User

SEALED_PREFIX = "fernet:"
_KEY_CONTEXT = b"hygie.awareness.secrets.v1"
# Headers a profile may not set: the message's own structure, addressing and tracking.
FORBIDDEN_HEADERS = frozenset(
    {
        "bcc",
        "cc",
        "content-transfer-encoding",
        "content-type",
        "date",
        "from",
        "message-id",
        "mime-version",
        "reply-to",
        "return-path",
        "sender",
        "subject",
        "to",
    }
)
MAX_HEADERS = 20


class SecretUnavailableError(Exception):
    """A stored secret that the current ``SECRET_KEY`` cannot open."""


def _fernet() -> Fernet:
    digest = hashlib.sha256(_KEY_CONTEXT + b"\x00" + str(settings.SECRET_KEY).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal_secret(value: str) -> str:
    """The stored form of a secret ("" stays "": no secret)."""
    if not value:
        return ""
    return SEALED_PREFIX + _fernet().encrypt(value.encode()).decode("ascii")


def open_secret(stored: str) -> str:
    """The secret in clear, for the connection only; raises ``SecretUnavailableError``."""
    if not stored:
        return ""
    if not stored.startswith(SEALED_PREFIX):
        raise SecretUnavailableError("not a sealed secret")
    try:
        return _fernet().decrypt(stored[len(SEALED_PREFIX) :].encode("ascii")).decode()
    except (InvalidToken, ValueError, UnicodeError) as error:
        raise SecretUnavailableError("sealed under another key") from error


def clean_headers(headers: Any) -> dict[str, str]:
    """A profile's custom headers, checked: names are header tokens, values one line; the
    message's own headers are refused. Raises ``ValidationError``."""
    if headers in (None, ""):
        return {}
    if not isinstance(headers, dict):
        raise ValidationError(
            {"custom_headers": _("Expected a mapping of header names to values.")}
        )
    if len(headers) > MAX_HEADERS:
        raise ValidationError({"custom_headers": _("Too many custom headers.")})
    cleaned: dict[str, str] = {}
    for name, value in headers.items():
        name = str(name).strip()
        text = str(value).strip()
        if (
            not name
            or len(name) > 76
            or not all(33 <= ord(c) <= 126 and c != ":" for c in name)
            or name.lower() in FORBIDDEN_HEADERS
        ):
            raise ValidationError(
                {"custom_headers": _("%(name)s cannot be a custom header.") % {"name": name[:80]}}
            )
        if len(text) > 500 or any(c in text for c in "\r\n\x00"):
            raise ValidationError(
                {
                    "custom_headers": _("The value of %(name)s must be one short line.")
                    % {"name": name}
                }
            )
        cleaned[name] = text
    return cleaned


def save_profile(
    profile: SendingProfile, user: User | None, *, password: str | None = None, **fields: Any
) -> SendingProfile:
    """Create or update a profile; ``password`` None keeps the stored one, "" removes it."""
    if "custom_headers" in fields or profile.pk is None:
        fields["custom_headers"] = clean_headers(
            fields.get("custom_headers", profile.custom_headers)
        )
    if password is not None:
        fields["password"] = seal_secret(password)
    with transaction.atomic():
        return crud.save_instance(profile, user, **fields)


def has_password(profile: SendingProfile) -> bool:
    return bool(profile.password)


def relay_for(profile: SendingProfile) -> SmtpRelay:
    """The profile as the platform mail sender's relay (opens the sealed password)."""
    return SmtpRelay(
        host=profile.host,
        port=profile.port,
        security=profile.security,
        username=profile.username,
        password=open_secret(profile.password),
    )


def simulation_headers(profile: SendingProfile, campaign_id: int) -> dict[str, str]:
    """The headers of every simulated mail: the profile's own (gateway allow-listing), and
    Hygie's simulation header naming the campaign, so the mail gateway, the triage and the
    analyst recognise a simulation."""
    headers = dict(profile.custom_headers or {})
    headers[_header_name(SIMULATION_HEADER)] = f"campaign={campaign_id}"
    return headers


def _header_name(lower: str) -> str:
    return "-".join(part.capitalize() if part != "hygie" else "Hygie" for part in lower.split("-"))
