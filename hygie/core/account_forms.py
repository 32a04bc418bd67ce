"""Forms of the account pages: second factor, profile, API tokens and user administration.

(``hygie.core.forms`` holds the forms of the organisation model's pages.)
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.core.choices import Role, TokenScope
from hygie.core.models import Establishment, User
from hygie.core.roles import least_privileged_role
from hygie.core.services.accounts import (
    TOKEN_DEFAULT_LIFETIME,
    TOKEN_MAX_LIFETIME,
    grantable_roles,
)
from hygie.core.widgets import IsoDateInput


class CodeForm(forms.Form):
    """One code from the authenticator app (or, at sign-in, a recovery code)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "inputmode": "text",
                "spellcheck": "false",
            }
        ),
    )


class TOTPCodeForm(CodeForm):
    """A six-digit authenticator code only (recovery codes are refused here)."""

    code = forms.RegexField(
        label=_("Code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        error_messages={"invalid": _("Enter the 6 digits shown by your authenticator app.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": r"\s*\d{6}\s*",
                "spellcheck": "false",
            }
        ),
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Interface language"), choices=settings.LANGUAGES)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “SIEM export script”."),
    )
    scope = forms.ChoiceField(
        label=_("Access"), choices=TokenScope.choices, initial=TokenScope.READ
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        widget=IsoDateInput(),
        help_text=_("At most one year from today."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = timezone.localdate() + TOKEN_DEFAULT_LIFETIME

    def clean_expires_on(self) -> Any:
        value = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if value <= today:
            raise forms.ValidationError(_("The expiry date must be in the future."))
        if value > today + TOKEN_MAX_LIFETIME:
            raise forms.ValidationError(_("A token may not live longer than one year."))
        return value

    def expires_at(self) -> Any:
        """End of the chosen day, in the server's time zone."""
        day = self.cleaned_data["expires_on"]
        return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


class _EstablishmentChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Establishment) -> str:
        return obj.name


class UserAccessForm(forms.Form):
    """Role, establishments and status; choices limited to what the administrator may grant."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    establishments = _EstablishmentChoices(
        label=_("Establishments"),
        queryset=Establishment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    has_all_establishments = forms.BooleanField(
        label=_("Access to all establishments"),
        required=False,
        help_text=_("Organisation-wide access, e.g. the GHT's security officer."),
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        help_text=_("An inactive account cannot sign in."),
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        establishments, role = self.fields["establishments"], self.fields["role"]
        assert isinstance(establishments, forms.ModelMultipleChoiceField)
        assert isinstance(role, forms.ChoiceField)
        establishments.queryset = Establishment.objects.visible_to(actor)
        grantable = set(grantable_roles(actor))
        role.choices = [(value, label) for value, label in Role.choices if value in grantable]
        if not actor.sees_all_establishments:
            # Never offered, so never granted by accident; the service refuses it anyway.
            del self.fields["has_all_establishments"]

    def access(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "role": data["role"],
            "establishments": list(data["establishments"]),
            "has_all_establishments": data.get("has_all_establishments", False),
        }


class UserCreateForm(UserAccessForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    field_order = ["username", "email", "role", "establishments", "has_all_establishments"]

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        del self.fields["is_active"]
        # A role left as offered must grant least, never administrator (the first in the list).
        offered = [value for value, _label in self.fields["role"].choices]  # type: ignore[attr-defined]
        if offered:
            self.fields["role"].initial = least_privileged_role(offered)

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("An account with this username already exists."))
        return username


class UserFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, widget=forms.TextInput(attrs={"type": "search"})
    )
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices]
    )
