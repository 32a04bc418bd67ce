"""Sign-in, sign-out, password change and the profile page (language, security overview)."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from hygie.core.account_forms import LanguageForm
from hygie.core.http import AuthenticatedRequest
from hygie.core.middleware import set_language_cookie
from hygie.core.services import accounts, mfa


class LoginView(auth_views.LoginView):
    """Password sign-in (django-axes counts failures and answers with the lockout page)."""

    template_name = "core/account/login.html"
    redirect_authenticated_user = True


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """django-axes' answer once an account is locked (AXES_LOCKOUT_CALLABLE): when to retry."""
    cool_off = get_cool_off(request)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT}
    if cool_off is not None:
        # Each attempt during the lockout restarts the wait (AXES_RESET_COOL_OFF_ON_FAILURE_
        # DURING_LOCKOUT), so "now + cool-off" is the honest answer.
        context.update(
            retry_at=timezone.localtime() + cool_off,
            cooloff_minutes=max(1, round(cool_off.total_seconds() / 60)),
        )
    return render(
        request, "core/account/locked.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )


@never_cache
def logout_view(request: HttpRequest) -> HttpResponse:
    """Sign out on POST; a GET (a bookmarked link) asks for confirmation instead."""
    if request.method == "POST":
        logout(request)
        messages.info(request, _("You are signed out."))
        return redirect("core:login")
    return render(request, "core/account/logout.html")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's password; also the forced first step after a one-time password."""

    template_name = "core/account/password_change.html"
    success_url = reverse_lazy("core:dashboard")
    request: AuthenticatedRequest  # behind login_required (Django's view)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["is_forced"] = self.request.user.must_change_password
        return context

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        # Saved together with the new password by the form's single save().
        form.user.must_change_password = False
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response

    def get_success_url(self) -> str:
        # Back to the page first asked for; the set-up gate inserts enrolment if still pending.
        return next_url_or(self.request, str(self.success_url))


def next_url_or(request: HttpRequest, default: str) -> str:
    """The ``next`` parameter when it points inside this site, else ``default``."""
    candidate = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


@login_required
def profile(request: AuthenticatedRequest) -> HttpResponse:
    """The user's own account: language, password, second factor, API tokens."""
    user = request.user
    form = LanguageForm(
        request.POST or None, initial={"language": user.language or translation.get_language()}
    )
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        accounts.set_language(user, language)
        messages.success(request, _("Your language preference was saved."))
        response = redirect("core:profile")
        set_language_cookie(response, language)
        return response
    context = {
        "language_form": form,
        "has_second_factor": mfa.has_confirmed_device(user),
        "recovery_codes_left": mfa.recovery_codes_left(user),
        "active_token_count": accounts.tokens_of(user).active().count(),
        "establishments": user.establishments.order_by("name"),
    }
    return render(request, "core/account/profile.html", context)
