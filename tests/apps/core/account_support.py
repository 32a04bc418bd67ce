"""Helpers for the account tests: real TOTP codes and the real sign-in pages."""

from __future__ import annotations

import time
from typing import Any

from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP

PASSWORD = "correct horse battery 1"
NEW_PASSWORD = "violet anchor meadow 42"


def totp_code(device: Any, steps_ahead: int = 0) -> str:
    """The code the user's phone would show, ``steps_ahead`` periods from now.

    A code is accepted once (django-otp refuses replays), so a second verification in the same
    30 seconds uses the next period, which the default tolerance of one step accepts.
    """
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post(reverse("core:login"), {"username": username, "password": password})


def sign_out(client: Client) -> Any:
    return client.post(reverse("core:logout"))


def speak_english(client: Client) -> None:
    """Pin the interface to English: these tests read messages, and the default is French."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
