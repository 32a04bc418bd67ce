"""Second-factor pages: verify at sign-in, enrol an authenticator, recovery codes, management."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_otp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hygie.core.account_forms import CodeForm, TOTPCodeForm
from hygie.core.http import AuthenticatedRequest
from hygie.core.services import mfa
from hygie.core.views.accounts import next_url_or

# New recovery codes wait here between the page that made them and the page that shows them;
# they leave the session as soon as the user confirms they were saved.
_NEW_CODES_SESSION_KEY = "hygie_new_recovery_codes"
_LOW_RECOVERY_CODES = 3


@never_cache
@login_required
def verify(request: AuthenticatedRequest) -> HttpResponse:
    """Second step of sign-in: a code from the authenticator, or a recovery code."""
    if mfa.is_request_verified(request):
        return redirect(next_url_or(request, reverse("core:dashboard")))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = mfa.verify_code(request.user, form.cleaned_data["code"])
        except mfa.SecondFactorError as error:
            form.add_error("code", error.message)
        else:
            request.session.cycle_key()  # a new session id for the now fully signed-in user
            django_otp.login(request, result.device)
            if result.used_recovery_code:
                _warn_about_recovery_codes(request, result.recovery_codes_left)
            return redirect(next_url_or(request, reverse("core:dashboard")))
    return render(
        request, "core/account/mfa_verify.html", {"form": form, "next": request.GET.get("next", "")}
    )


def _warn_about_recovery_codes(request: HttpRequest, left: int) -> None:
    text = ngettext(
        "You signed in with a recovery code: %(count)d code left.",
        "You signed in with a recovery code: %(count)d codes left.",
        left,
    )
    text = text % {"count": left}
    if left <= _LOW_RECOVERY_CODES:
        messages.warning(request, text + " " + _("Generate new codes from your security page."))
    else:
        messages.info(request, text)


@never_cache
@login_required
def enrol(request: AuthenticatedRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code (or type the secret), confirm with a code."""
    user = request.user
    replacing = mfa.confirmed_totp_device(user) is not None
    if replacing and not mfa.is_enrolling_totp(user):
        messages.info(
            request,
            _(
                "An authenticator is already enrolled. To use another one, "
                "replace it from this page."
            ),
        )
        return redirect("core:mfa_manage")
    device = mfa.pending_totp_device(user)
    form = TOTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.confirm_totp_enrolment(user, device, form.cleaned_data["code"])
        except mfa.SecondFactorError as error:
            form.add_error("code", error.message)
        else:
            django_otp.login(request, device)
            request.session[_NEW_CODES_SESSION_KEY] = codes
            messages.success(request, _("Your authenticator app is enrolled."))
            return redirect("core:mfa_recovery_codes")
    context = {
        "form": form,
        "provisioning": mfa.provisioning(device),
        "replacing": replacing,
        "is_required": user.requires_mfa,
    }
    return render(request, "core/account/mfa_enrol.html", context)


@never_cache
@login_required
def recovery_codes(request: AuthenticatedRequest) -> HttpResponse:
    """Show freshly generated recovery codes once; confirming removes them from the session."""
    codes = request.session.get(_NEW_CODES_SESSION_KEY)
    if request.method == "POST":
        request.session.pop(_NEW_CODES_SESSION_KEY, None)
        return redirect(next_url_or(request, reverse("core:dashboard")))
    return render(request, "core/account/mfa_recovery_codes.html", {"codes": codes})


@never_cache
@login_required
def recovery_codes_download(request: AuthenticatedRequest) -> HttpResponse:
    codes = request.session.get(_NEW_CODES_SESSION_KEY)
    if not codes:
        messages.info(
            request,
            _("These recovery codes were already shown. Generate new ones if you lost them."),
        )
        return redirect("core:mfa_manage")
    lines = [
        _("Hygie recovery codes for %(username)s") % {"username": request.user.username},
        _("Each code works once, in place of your authenticator app."),
        "",
        *codes,
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="hygie-recovery-codes.txt"'
    return response


@never_cache
@login_required
def manage(request: AuthenticatedRequest) -> HttpResponse:
    """The user's second factor: status, new recovery codes, replace or turn off."""
    user = request.user
    context = {
        "totp_device": mfa.confirmed_totp_device(user),
        "recovery_codes_left": mfa.recovery_codes_left(user),
        "is_required": user.requires_mfa,
        "regenerate_form": TOTPCodeForm(auto_id="regenerate_%s"),
        "replace_form": TOTPCodeForm(auto_id="replace_%s"),
        "disable_form": TOTPCodeForm(auto_id="disable_%s"),
    }
    return render(request, "core/account/mfa_manage.html", context)


_NOT_DONE = object()


def _with_current_code(request: HttpRequest, action: Callable[[Any, str], Any]) -> Any:
    """Run a sensitive second-factor change confirmed by a current code.

    Returns the action's result, or ``_NOT_DONE`` after putting the reason in the messages.
    """
    form = TOTPCodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the 6 digits shown by your authenticator app."))
        return _NOT_DONE
    try:
        return action(request.user, str(form.cleaned_data["code"]))
    except mfa.SecondFactorError as error:
        messages.error(request, error.message)
        return _NOT_DONE


@require_POST
@login_required
def regenerate_recovery_codes(request: AuthenticatedRequest) -> HttpResponse:
    codes = _with_current_code(request, mfa.regenerate_recovery_codes)
    if codes is _NOT_DONE:
        return redirect("core:mfa_manage")
    request.session[_NEW_CODES_SESSION_KEY] = codes
    messages.success(request, _("New recovery codes were generated; the old ones no longer work."))
    return redirect("core:mfa_recovery_codes")


@require_POST
@login_required
def replace_authenticator(request: AuthenticatedRequest) -> HttpResponse:
    if _with_current_code(request, mfa.start_totp_replacement) is _NOT_DONE:
        return redirect("core:mfa_manage")
    messages.info(
        request,
        _(
            "Scan the new QR code. Your current authenticator keeps working "
            "until the new one is confirmed."
        ),
    )
    return redirect("core:mfa_enrol")


@require_POST
@login_required
def disable(request: AuthenticatedRequest) -> HttpResponse:
    if _with_current_code(request, mfa.disable_second_factor) is not _NOT_DONE:
        messages.success(request, _("Two-step verification is turned off for your account."))
    return redirect("core:mfa_manage")
