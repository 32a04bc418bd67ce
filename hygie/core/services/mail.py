"""What every e-mail Hygie sends to people has in common: where links point, which language the
recipient reads, who may still receive a message about an establishment's records, and which
errors mean "the SMTP server could not take it".

Mail settings come from ``HYGIE_SMTP_URL`` / ``HYGIE_FROM_EMAIL`` (see hygie/settings/base.py):
Django's ``EMAIL_*`` settings, with ``EMAIL_TIMEOUT`` so a stalled relay cannot hold a worker.
Messages built with these helpers point to records; they never carry the records' free text,
which may hold patient data.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import get_connection

if TYPE_CHECKING:
    from hygie.core.models import Establishment, User

# What a send can raise when the relay is down, slow or refuses: logged by type, never by message
# (an SMTP error may echo the addresses or the headers it refused).
MAIL_ERRORS: tuple[type[BaseException], ...] = (smtplib.SMTPException, OSError)


@dataclass(frozen=True)
class SmtpRelay:
    """A relay other than the platform's own (``HYGIE_SMTP_URL``): a module's per-object SMTP
    settings, such as an awareness sending profile. ``security`` is ``none``, ``starttls`` or
    ``tls`` (implicit TLS, SMTPS). The password is kept out of ``repr`` (logs, tracebacks)."""

    host: str
    port: int
    security: str = "starttls"
    username: str = ""
    password: str = field(default="", repr=False)
    timeout: int = 20


def connection(relay: SmtpRelay | None = None) -> Any:
    """An open-on-demand connection for ``EmailMessage(connection=...)``: the platform's relay
    (the configured backend) without ``relay``, else an SMTP connection to ``relay``.

    Errors are raised (never silenced): callers catch ``MAIL_ERRORS``. With a relay, the
    certificate of a TLS or STARTTLS server is verified against the system's CAs."""
    if relay is None:
        return get_connection(fail_silently=False)
    if relay.security not in {"none", "starttls", "tls"}:
        raise ValueError(f"unknown SMTP security {relay.security!r}")
    return get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        fail_silently=False,
        host=relay.host,
        port=relay.port,
        username=relay.username or None,
        password=relay.password or None,
        use_tls=relay.security == "starttls",
        use_ssl=relay.security == "tls",
        timeout=relay.timeout,
    )


def site_origin() -> str:
    """Where users reach Hygie, for links in e-mails: the first trusted origin, else the first
    named allowed host (https when Hygie is only served over TLS), else nothing."""
    origins = list(getattr(settings, "CSRF_TRUSTED_ORIGINS", []) or [])
    if origins:
        return str(origins[0]).rstrip("/")
    scheme = "https" if getattr(settings, "SECURE_SSL_REDIRECT", False) else "http"
    for host in getattr(settings, "ALLOWED_HOSTS", []) or []:
        if host and not host.startswith((".", "*")) and host not in {"testserver"}:
            return f"{scheme}://{host}"
    return ""


def absolute_link(path: str) -> str:
    """``path`` (from ``reverse``) as a link a mail reader can follow."""
    return site_origin() + path


def recipient_language(user: User | None, establishment: Establishment) -> str:
    """The user's own language (account setting), else the establishment's (French for FR, BE,
    CH, LU, MC)."""
    return str(getattr(user, "language", "") or establishment.default_language)


def may_receive(user: User | None, establishment: Establishment) -> bool:
    """An active account with an address that still sees the establishment: a message is a
    pointer to a record, and people who lost access (moved, left) get none."""
    if user is None or not user.is_active or not user.email:
        return False
    return bool(
        user.sees_all_establishments or establishment.pk in user.visible_establishment_ids()
    )
