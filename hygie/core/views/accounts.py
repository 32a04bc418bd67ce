"""Sign-in, sign-out, password change and second factor (minimal skeleton, being expanded)."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST


class LoginView(auth_views.LoginView):
    template_name = "core/account/login.html"
    redirect_authenticated_user = True


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("core:login")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/account/password_change.html"
    success_url = reverse_lazy("core:dashboard")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        form.user.must_change_password = False
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response


def mfa_verify(request: HttpRequest) -> HttpResponse:
    return render(request, "core/account/mfa_verify.html", {})
