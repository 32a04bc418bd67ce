"""Second factor end to end: forced password change, TOTP enrolment, recovery codes, sign-in."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hygie.core.models import AuditEntry, User
from hygie.core.services import accounts, mfa
from tests.apps.core.account_support import (
    NEW_PASSWORD,
    sign_in,
    sign_out,
    speak_english,
    totp_code,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    speak_english(client)


@pytest.fixture
def no_throttle(settings):
    # django-otp doubles a wait after each wrong code; tests that type a wrong code then the
    # right one would otherwise have to sleep.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def _new_privileged_user(establishment):
    return accounts.create_user_with_temporary_password(
        username="rssi.new",
        email="rssi.new@example.org",
        role="rssi",
        establishments=[establishment],
    )


def _enrol(client, user):
    """Walk the enrolment page with a real code; returns the recovery codes shown."""
    page = client.get(reverse("core:mfa_enrol"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("core:mfa_enrol"), {"code": totp_code(device)})
    assert response.status_code == 302
    assert response.url == reverse("core:mfa_recovery_codes")
    return client.get(response.url).context["codes"]


def test_first_sign_in_changes_password_then_enrols_then_verifies(client, establishment_a):
    user, one_time_password = _new_privileged_user(establishment_a)

    response = sign_in(client, user.username, one_time_password)
    assert response.status_code == 302
    # Every page leads to the password change first…
    response = client.get(reverse("core:dashboard"))
    assert response.url.startswith(reverse("core:password_change"))
    assert client.get(reverse("core:profile")).url.startswith(reverse("core:password_change"))
    page = client.get(reverse("core:password_change"))
    assert page.context["is_forced"] is True
    response = client.post(
        reverse("core:password_change"),
        {
            "old_password": one_time_password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password

    # …then to the enrolment, mandatory for a security officer.
    response = client.get(reverse("core:dashboard"))
    assert response.url.startswith(reverse("core:mfa_enrol"))
    page = client.get(reverse("core:mfa_enrol"))
    assert "<svg" in page.content.decode()
    assert page.context["provisioning"].secret.replace(" ", "")
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    wrong = client.post(
        reverse("core:mfa_enrol"), {"code": "000000" if totp_code(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 200 and wrong.context["form"].errors
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    device.throttle_reset()

    codes = _enrol(client, user)
    assert len(codes) == 10 and len(set(codes)) == 10
    download = client.get(reverse("core:mfa_recovery_codes_download"))
    assert download["Content-Disposition"].startswith("attachment")
    assert all(code in download.content.decode() for code in codes)
    client.post(reverse("core:mfa_recovery_codes"))
    # Shown once: gone from the page and the download once acknowledged.
    assert client.get(reverse("core:mfa_recovery_codes")).context["codes"] is None
    assert client.get(reverse("core:mfa_recovery_codes_download")).status_code == 302
    assert client.get(reverse("core:dashboard")).status_code == 200

    # Next sign-in: password, then the code from the phone.
    sign_out(client)
    sign_in(client, user.username, NEW_PASSWORD)
    response = client.get(reverse("core:profile"))
    assert response.url.startswith(reverse("core:mfa_verify"))
    assert client.get(reverse("core:password_change")).status_code == 302  # verify comes first
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    response = client.post(
        reverse("core:mfa_verify") + "?next=/accounts/profile/",
        {"code": totp_code(device, steps_ahead=1), "next": "/accounts/profile/"},
    )
    assert response.status_code == 302 and response.url == "/accounts/profile/"
    assert client.get(reverse("core:profile")).status_code == 200

    messages = list(
        AuditEntry.objects.filter(action="mfa", object_id=str(user.pk)).values_list(
            "message", flat=True
        )
    )
    assert "authenticator enrolled" in messages
    assert "enrolment failed: wrong code" in messages
    assert "second factor verified (authenticator)" in messages
    _assert_no_secret_in_audit(codes + [device.key])


def _assert_no_secret_in_audit(secrets):
    dump = " ".join(f"{e.message} {e.changes} {e.object_repr}" for e in AuditEntry.objects.all())
    for secret in secrets:
        assert secret not in dump
        assert mfa.normalise_recovery_code(secret) not in dump.replace("-", "")


def test_recovery_code_signs_in_once(client, make_user, establishment_a, no_throttle):
    user = make_user("dpo", "dpo", [establishment_a])
    sign_in(client, "dpo")
    codes = _enrol(client, user)
    client.post(reverse("core:mfa_recovery_codes"))
    sign_out(client)

    sign_in(client, "dpo")
    response = client.post(reverse("core:mfa_verify"), {"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.get(reverse("core:dashboard")).status_code == 200
    assert mfa.recovery_codes_left(user) == 9
    assert AuditEntry.objects.filter(action="mfa", message="recovery code used (9 left)").exists()

    sign_out(client)
    sign_in(client, "dpo")
    refused = client.post(reverse("core:mfa_verify"), {"code": codes[0]})
    assert refused.status_code == 200
    assert "not valid" in str(refused.context["form"].errors)
    assert AuditEntry.objects.filter(
        action="mfa", message="second factor failed: wrong code"
    ).exists()
    assert client.get(reverse("core:dashboard")).status_code == 302


def test_optional_for_staff_but_verified_once_enrolled(client, make_user, establishment_a):
    user = make_user("nurse", "staff", [establishment_a])
    sign_in(client, "nurse")
    assert client.get(reverse("core:dashboard")).status_code == 200
    _enrol(client, user)
    sign_out(client)
    sign_in(client, "nurse")
    assert client.get(reverse("core:dashboard")).url.startswith(reverse("core:mfa_verify"))


def test_regenerate_codes_and_replace_authenticator_need_a_current_code(
    client, make_user, establishment_a, no_throttle
):
    user = make_user("soc", "soc_analyst", [establishment_a])
    sign_in(client, "soc")
    old_codes = _enrol(client, user)
    device = TOTPDevice.objects.get(user=user, confirmed=True)

    refused = client.post(reverse("core:mfa_recovery_codes_regenerate"), {"code": "123456"})
    assert refused.url == reverse("core:mfa_manage")
    assert StaticToken.objects.filter(device__user=user).count() == 10

    response = client.post(
        reverse("core:mfa_recovery_codes_regenerate"), {"code": totp_code(device, steps_ahead=1)}
    )
    assert response.url == reverse("core:mfa_recovery_codes")
    new_codes = client.get(response.url).context["codes"]
    assert set(new_codes).isdisjoint(old_codes)
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert stored == {mfa.hash_recovery_code(user.pk, code) for code in new_codes}
    assert AuditEntry.objects.filter(action="mfa", message="recovery codes regenerated").exists()

    # Replacing the phone: the old device keeps working until the new one is confirmed.
    device.last_t = -1  # allow the test to use the current period again on this device
    device.save()
    response = client.post(reverse("core:mfa_replace"), {"code": totp_code(device)})
    assert response.url == reverse("core:mfa_enrol")
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    _enrol(client, user)
    remaining = TOTPDevice.objects.get(user=user)
    assert remaining.pk != device.pk and remaining.confirmed
    assert client.get(reverse("core:dashboard")).status_code == 200


def test_staff_may_turn_mfa_off_but_privileged_roles_may_not(client, make_user, establishment_a):
    staff = make_user("porter", "staff", [establishment_a])
    sign_in(client, "porter")
    _enrol(client, staff)
    device = TOTPDevice.objects.get(user=staff)
    client.post(reverse("core:mfa_disable"), {"code": totp_code(device, steps_ahead=1)})
    assert not mfa.has_confirmed_device(staff)

    admin = User.objects.create_user("boss", password="x" * 20, role="admin")
    TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    with pytest.raises(mfa.SecondFactorError):
        mfa.disable_second_factor(admin, "123456")
    assert mfa.has_confirmed_device(admin)


def test_verify_page_is_throttled_after_wrong_codes(client, make_user, establishment_a):
    user = make_user("auditor", "auditor", [establishment_a])
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, "auditor")
    client.post(reverse("core:mfa_verify"), {"code": "000001"})
    # Right code right after a wrong one: django-otp makes the user wait, and says so.
    response = client.post(reverse("core:mfa_verify"), {"code": totp_code(device)})
    assert "Too many wrong codes. Wait 1 second" in str(response.context["form"].errors)
    assert client.get(reverse("core:dashboard")).status_code == 302


def test_security_page_and_no_second_enrolment_by_accident(client, make_user, establishment_a):
    user = make_user("biomed", "biomed", [establishment_a])
    sign_in(client, "biomed")
    _enrol(client, user)
    page = client.get(reverse("core:mfa_manage"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "10 recovery codes left" in text
    assert reverse("core:mfa_disable") not in text  # required for this role
    # Visiting the enrolment page again does not create a second authenticator.
    response = client.get(reverse("core:mfa_enrol"))
    assert response.url == reverse("core:mfa_manage")
    assert TOTPDevice.objects.filter(user=user).count() == 1
