"""Helpers for tests (kept in the package so every app's tests can use them)."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with minimal cost: same code path, fast enough for hundreds of test logins."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1


def login_with_mfa(client, user):  # type: ignore[no-untyped-def]
    """Log ``user`` into a Django test client with a confirmed TOTP device already verified."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
