"""Second factor: TOTP authenticator apps (django-otp) and single-use recovery codes.

Codes and secrets never reach the audit trail or the logs: entries say what happened
("enrolled", "failed code"), never with which value.
"""

from __future__ import annotations

import hmac
import secrets
from base64 import b32encode, urlsafe_b64encode
from dataclasses import dataclass
from math import ceil
from typing import TYPE_CHECKING, Any

import segno
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import devices_for_user
from django_otp.middleware import is_verified as otp_verified
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hygie.core import audit
from hygie.core.http import signed_in_user

if TYPE_CHECKING:
    from hygie.core.models import User

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "recovery codes"
TOTP_DEVICE_NAME = "authenticator app"
_RECOVERY_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no l/o/0/1 to misread
_RECOVERY_LENGTH = 10  # 50 bits each: they stand in for the authenticator
# Stored recovery codes are "$" + 15 characters of an HMAC (90 bits; django-otp's token column
# holds 16). The "$" tells them from clear codes of earlier versions, which are never accepted.
_RECOVERY_HASH_MARK = "$"
_RECOVERY_HASH_LENGTH = 15
_RECOVERY_HASH_SALT = "hygie.core.mfa.recovery-code"
OIDC_BACKEND = "hygie.core.oidc.HygieOIDCBackend"


class SecondFactorError(Exception):
    """A code was refused; ``message`` is safe to show to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- state ---------------------------------------------------------------------------------


def has_confirmed_device(user: User) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def trusts_identity_provider(request: HttpRequest) -> bool:
    """Whether this session's single sign-on counts as the second factor (HYGIE_OIDC_TRUST_MFA).

    Off by default: Hygie cannot see how the identity provider authenticated the user, so
    privileged accounts signed in through OIDC still verify their Hygie authenticator.
    """
    return (
        getattr(settings, "HYGIE_OIDC_TRUST_MFA", False)
        and request.session.get(BACKEND_SESSION_KEY) == OIDC_BACKEND
    )


def is_request_verified(request: HttpRequest) -> bool:
    """Whether the signed-in user of this request has passed the second factor (or needs none)."""
    user = signed_in_user(request)
    if user is None:
        return False
    if otp_verified(user) or trusts_identity_provider(request):
        return True
    return not user.requires_mfa and not has_confirmed_device(user)


# --- enrolment -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Provisioning:
    """What the enrolment page shows: a QR code (inline SVG) and the secret for manual entry."""

    qr_svg: str
    secret: str
    uri: str


def is_enrolling_totp(user: User) -> bool:
    """Whether an authenticator enrolment was started and not confirmed yet."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).exists()


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled, created on first call."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def provisioning(device: TOTPDevice) -> Provisioning:
    uri = device.config_url
    # Rendered here, never by an external QR service: the secret must not leave the server.
    qr_svg = segno.make(uri, error="m").svg_inline(
        scale=5, border=2, title=_("QR code for your authenticator app"), svgclass="qr-code"
    )
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return Provisioning(qr_svg=qr_svg, secret=grouped, uri=uri)


def confirm_totp_enrolment(user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the pending authenticator with a code it produced; returns new recovery codes.

    An authenticator enrolled before (when replacing a lost or new phone) is removed only now,
    so the user is never left without a working second factor.
    """
    code = _digits(code)
    if device.user_id != user.pk or device.confirmed:
        raise SecondFactorError(_("This enrolment is no longer valid: start again."))
    _check_not_throttled(device)
    if not code or not device.verify_token(code):
        audit.record("mfa", user, message="enrolment failed: wrong code")
        raise SecondFactorError(
            _("This code is not valid. Check the time on your phone and enter the current code.")
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _replace_recovery_codes(user)
        audit.record("mfa", user, message="authenticator enrolled")
    return codes


# --- verification --------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    device: Any
    used_recovery_code: bool
    recovery_codes_left: int


def verify_code(user: User, code: str) -> Verification:
    """Check a TOTP code or a recovery code for ``user``; raise SecondFactorError if refused."""
    digits = _digits(code)
    if digits and len(digits) in (6, 8):
        device = confirmed_totp_device(user)
        if device is not None:
            _check_not_throttled(device)
            if device.verify_token(digits):
                audit.record("mfa", user, message="second factor verified (authenticator)")
                return Verification(device, False, recovery_codes_left(user))
    else:
        recovery = normalise_recovery_code(code)
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None and recovery:
            _check_not_throttled(device)
            if _use_recovery_code(device, recovery):
                left = recovery_codes_left(user)
                audit.record("mfa", user, message=f"recovery code used ({left} left)")
                return Verification(device, True, left)
    audit.record("mfa", user, message="second factor failed: wrong code")
    raise SecondFactorError(_("This code is not valid."))


def verify_current_totp(user: User, code: str) -> None:
    """Require a fresh authenticator code before a sensitive change to the second factor."""
    device = confirmed_totp_device(user)
    if device is None:
        raise SecondFactorError(_("You have no authenticator enrolled."))
    _check_not_throttled(device)
    if not device.verify_token(_digits(code)):
        audit.record("mfa", user, message="second factor failed: wrong code")
        raise SecondFactorError(_("This code is not valid."))


def _check_not_throttled(device: Any) -> None:
    allowed, data = device.verify_is_allowed()
    if not allowed:
        # django-otp doubles the wait after each wrong code (1 s, 2 s, 4 s… at most an hour).
        locked_until = (data or {}).get("locked_until")
        seconds = (
            max(1, ceil((locked_until - timezone.now()).total_seconds())) if locked_until else 60
        )
        raise SecondFactorError(
            ngettext(
                "Too many wrong codes. Wait %(seconds)d second, then enter a new code.",
                "Too many wrong codes. Wait %(seconds)d seconds, then enter a new code.",
                seconds,
            )
            % {"seconds": seconds}
        )


def _digits(code: str) -> str:
    cleaned = "".join(code.split())
    return cleaned if cleaned.isdigit() else ""


# --- recovery codes ------------------------------------------------------------------------


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def format_recovery_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def hash_recovery_code(user_id: int, code: str, *, secret: str | None = None) -> str:
    """The stored form of a recovery code: a keyed hash, bound to its account.

    Codes are short (50 bits), so a plain or salted hash could be brute-forced from a copy of
    the database; an HMAC under a key derived from the secret key (kept outside the database, in
    ``HYGIE_HOME``) cannot be. A slow password hash would cost seconds per sign-in for ten codes.
    """
    message = f"{user_id}:{normalise_recovery_code(code)}"
    digest = salted_hmac(_RECOVERY_HASH_SALT, message, secret=secret, algorithm="sha256").digest()
    encoded = urlsafe_b64encode(digest).decode("ascii")[:_RECOVERY_HASH_LENGTH]
    return _RECOVERY_HASH_MARK + encoded


def _recovery_code_candidates(user_id: int, code: str) -> list[str]:
    # Codes issued before a secret key rotation (SECRET_KEY_FALLBACKS) keep working.
    secrets_in_use = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [hash_recovery_code(user_id, code, secret=secret) for secret in secrets_in_use]


def _use_recovery_code(device: StaticDevice, code: str) -> bool:
    """Consume ``code`` if it is one of the device's; django-otp's throttling applies.

    Every stored hash is compared in constant time, without stopping at the first match, and the
    code is spent by a conditional delete, so two simultaneous sign-ins cannot both use it.
    """
    allowed, _data = device.verify_is_allowed()
    if not allowed:
        return False
    candidates = _recovery_code_candidates(device.user_id, code)
    match: StaticToken | None = None
    for token in device.token_set.all():  # at most RECOVERY_CODE_COUNT rows
        stored = token.token.encode("utf-8")
        for candidate in candidates:
            if hmac.compare_digest(stored, candidate.encode("ascii")) and match is None:
                match = token
    spent = match is not None and StaticToken.objects.filter(pk=match.pk).delete()[0] == 1
    if spent:
        device.throttle_reset(commit=False)
        device.set_last_used_timestamp(commit=False)
        device.save()
    else:
        device.throttle_increment()
    return spent


def _replace_recovery_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=hash_recovery_code(user.pk, code)) for code in codes]
    )
    return [format_recovery_code(code) for code in codes]


def regenerate_recovery_codes(user: User, code: str) -> list[str]:
    """Replace every recovery code after checking a current authenticator code."""
    verify_current_totp(user, code)
    with transaction.atomic():
        codes = _replace_recovery_codes(user)
        audit.record("mfa", user, message="recovery codes regenerated")
    return codes


def start_totp_replacement(user: User, code: str) -> TOTPDevice:
    """Begin enrolling a new authenticator, after a code from the current one."""
    verify_current_totp(user, code)
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = pending_totp_device(user)
    audit.record("mfa", user, message="authenticator replacement started")
    return device


def disable_second_factor(user: User, code: str) -> None:
    """Turn the optional second factor off (refused for roles that require it)."""
    if user.requires_mfa:
        raise SecondFactorError(_("Your role requires a second factor: it cannot be turned off."))
    verify_current_totp(user, code)
    with transaction.atomic():
        remove_all_devices(user)
        audit.record("mfa", user, message="second factor turned off by its owner")


def remove_all_devices(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
