"""Single sign-on through the hospital's identity provider (Keycloak, Entra ID, Pro Santé Connect).

Enabled when the HYGIE_OIDC_* settings are present (see ``hygie.settings.base``). Accounts are
matched by verified e-mail address, which no two accounts may share (the account service
refuses it; sign-on is refused if older rows still do); a person signing in for the first time
gets an account with the default role (HYGIE_OIDC_DEFAULT_ROLE) and no establishment, so they
see nothing until an administrator attaches them. Privileged roles still verify their Hygie
authenticator after single sign-on unless HYGIE_OIDC_TRUST_MFA is set (``core.services.mfa``).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from hygie.core import context
from hygie.core.choices import Role
from hygie.core.models import User

_USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")
logger = logging.getLogger("hygie.core.oidc")


def _single_sign_on_actor() -> context.ActorContext:
    current = context.current()
    return context.ActorContext(
        user=None,
        channel=current.channel,
        source_ip=current.source_ip,
        user_agent=current.user_agent,
        label="single sign-on (OIDC)",
    )


class HygieOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc backend that creates Hygie accounts with a safe default role."""

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        # Only a verified address may match an existing account; otherwise anyone able to set
        # an e-mail at the IdP could take over the Hygie account that uses it.
        email = (claims.get("email") or "").strip()
        if not email or claims.get("email_verified") is False:
            return User.objects.none()
        users = User.objects.filter(email__iexact=email)
        if users.count() > 1:
            # Picking one could sign the person into an account someone else set up with their
            # address; creating a third would not end the ambiguity. Refused, said, and logged
            # (the account ids only) for an administrator to give each account its own address.
            ids = sorted(users.values_list("pk", flat=True))
            logger.warning("single sign-on refused: accounts %s share the e-mail address", ids)
            request = getattr(self, "request", None)
            if request is not None and hasattr(request, "_messages"):
                messages.error(
                    request,
                    _(
                        "Single sign-on is refused: several Hygie accounts use your e-mail "
                        "address. "
                        "Ask an administrator to give each account its own address."
                    ),
                )
            raise SuspiciousOperation("several accounts share the e-mail address")
        return users

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        has_email = bool((claims.get("email") or "").strip())
        return has_email and claims.get("email_verified") is not False

    def get_username(self, claims: dict[str, Any]) -> str:
        """A readable, unique username: the IdP's preferred username, else the e-mail address."""
        base = str(claims.get("preferred_username") or claims.get("email") or "user")
        base = _USERNAME_UNSAFE.sub("", base)[:140] or "user"
        candidate, suffix = base, 1
        while User.objects.filter(username__iexact=candidate).exists():
            suffix += 1
            candidate = f"{base}-{suffix}"
        return candidate

    def create_user(self, claims: dict[str, Any]) -> User:
        role = getattr(settings, "HYGIE_OIDC_DEFAULT_ROLE", Role.STAFF)
        if role not in Role.values:
            role = Role.STAFF
        with context.acting_as(_single_sign_on_actor()), transaction.atomic():
            user = User(
                username=self.get_username(claims),
                email=claims["email"].strip(),
                first_name=str(claims.get("given_name", ""))[:150],
                last_name=str(claims.get("family_name", ""))[:150],
                role=role,
            )
            # Passwords are the IdP's business: this account cannot sign in with one.
            user.set_unusable_password()
            user.save()  # the audit trail records the creation through the model signals
        return user

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        """Keep the display name in step with the IdP; role and access stay Hygie's decision."""
        first = str(claims.get("given_name", ""))[:150]
        last = str(claims.get("family_name", ""))[:150]
        if (first and first != user.first_name) or (last and last != user.last_name):
            user.first_name, user.last_name = first or user.first_name, last or user.last_name
            with context.acting_as(_single_sign_on_actor()):
                user.save(update_fields=["first_name", "last_name"])
        return user
