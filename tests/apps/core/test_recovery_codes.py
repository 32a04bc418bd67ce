"""Recovery codes are stored only as a keyed hash (issue 9, defect 7).

A copy of the database (a backup, a dump handed to a support team) must not give anyone a way
past the second factor: the stored value is an HMAC under a key kept outside the database, bound
to the account, and checked in constant time. Codes stored in clear by earlier versions are
hashed by migration 0004; any clear one left (e.g. added by hand) is never accepted.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as global_apps
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hygie.core.services import mfa
from tests.apps.core.account_support import totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def _enrolled(user):
    device = mfa.pending_totp_device(user)
    return mfa.confirm_totp_enrolment(user, device, totp_code(device))


def test_codes_are_not_stored_in_clear(make_user, establishment_a):
    user = make_user("dpo", "dpo", [establishment_a])
    codes = _enrolled(user)
    stored = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(stored) == 10 == mfa.recovery_codes_left(user)
    clear = {mfa.normalise_recovery_code(code) for code in codes}
    assert clear.isdisjoint(stored)
    assert not any(code in value or value in code for value in stored for code in clear)


def test_a_code_signs_in_once_and_the_stored_value_is_no_code(make_user, establishment_a):
    user = make_user("dpo", "dpo", [establishment_a])
    codes = _enrolled(user)
    stored = StaticToken.objects.filter(device__user=user).values_list("token", flat=True)[0]
    with pytest.raises(mfa.SecondFactorError):
        mfa.verify_code(user, stored)  # what a database reader sees is useless
    result = mfa.verify_code(user, codes[3].upper())  # typed in capitals, dash kept
    assert result.used_recovery_code and result.recovery_codes_left == 9
    with pytest.raises(mfa.SecondFactorError):
        mfa.verify_code(user, codes[3])
    assert mfa.recovery_codes_left(user) == 9


def test_a_hash_is_bound_to_its_account(make_user, establishment_a):
    alice = make_user("alice.dpo", "dpo", [establishment_a])
    bob = make_user("bob.dpo", "dpo", [establishment_a])
    codes = _enrolled(alice)
    _enrolled(bob)
    # Copying Alice's stored values onto Bob's device gives Bob no code of Alice's.
    bob_device = StaticDevice.objects.get(user=bob)
    for token in StaticToken.objects.filter(device__user=alice):
        StaticToken.objects.create(device=bob_device, token=token.token)
    with pytest.raises(mfa.SecondFactorError):
        mfa.verify_code(bob, codes[0])


def test_clear_codes_of_earlier_versions_are_hashed_by_the_migration(make_user, establishment_a):
    user = make_user("rssi", "rssi", [establishment_a])
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    device = StaticDevice.objects.create(user=user, name=mfa.RECOVERY_DEVICE_NAME, confirmed=True)
    StaticToken.objects.create(device=device, token="abcdefghjk")
    StaticToken.objects.create(device=device, token="mnpqrstuvw")
    # Never accepted while in clear, even before the migration ran.
    with pytest.raises(mfa.SecondFactorError):
        mfa.verify_code(user, "abcde-fghjk")

    migration = importlib.import_module("hygie.core.migrations.0004_account_security")
    migration.hash_clear_recovery_codes(global_apps, None)
    migration.hash_clear_recovery_codes(global_apps, None)  # idempotent
    stored = set(StaticToken.objects.filter(device=device).values_list("token", flat=True))
    assert "abcdefghjk" not in stored and "mnpqrstuvw" not in stored and len(stored) == 2
    assert mfa.verify_code(user, "abcde-fghjk").recovery_codes_left == 1


def test_codes_survive_a_secret_key_rotation(make_user, establishment_a, settings):
    user = make_user("dpo", "dpo", [establishment_a])
    codes = _enrolled(user)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert mfa.verify_code(user, codes[0]).used_recovery_code
