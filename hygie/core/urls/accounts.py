"""Account pages: sign-in and second factor, own profile and tokens, user administration."""

from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path

from hygie.core.views import accounts, mfa, tokens, users

urlpatterns: list[URLPattern | URLResolver] = [
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.logout_view, name="logout"),
    path("accounts/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/mfa/", mfa.manage, name="mfa_manage"),
    path("accounts/mfa/verify/", mfa.verify, name="mfa_verify"),
    path("accounts/mfa/enrol/", mfa.enrol, name="mfa_enrol"),
    path("accounts/mfa/recovery-codes/", mfa.recovery_codes, name="mfa_recovery_codes"),
    path(
        "accounts/mfa/recovery-codes/download/",
        mfa.recovery_codes_download,
        name="mfa_recovery_codes_download",
    ),
    path(
        "accounts/mfa/recovery-codes/regenerate/",
        mfa.regenerate_recovery_codes,
        name="mfa_recovery_codes_regenerate",
    ),
    path("accounts/mfa/replace/", mfa.replace_authenticator, name="mfa_replace"),
    path("accounts/mfa/disable/", mfa.disable, name="mfa_disable"),
    path("accounts/tokens/", tokens.token_list, name="token_list"),
    path("accounts/tokens/<int:pk>/revoke/", tokens.token_revoke, name="token_revoke"),
    path("users/", users.user_list, name="user_list"),
    path("users/add/", users.user_add, name="user_add"),
    path("users/<int:pk>/edit/", users.user_edit, name="user_edit"),
    path("users/<int:pk>/reset-password/", users.user_password_reset, name="user_password_reset"),
    path("users/<int:pk>/reset-mfa/", users.user_mfa_reset, name="user_mfa_reset"),
    path("users/<int:pk>/unlock/", users.user_unlock, name="user_unlock"),
]

if getattr(settings, "HYGIE_OIDC_ENABLED", False):
    # Mounted inside the "core" namespace: settings.OIDC_AUTHENTICATION_CALLBACK_URL says so.
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
