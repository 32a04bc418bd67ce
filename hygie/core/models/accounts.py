"""Accounts, roles, establishment membership and personal API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.core.choices import Role, TokenScope
from hygie.core.models.organisation import Establishment
from hygie.core.roles import PRIVILEGED_ROLES, capabilities_for

TOKEN_PREFIX = "hyg_"


class User(AbstractUser):
    """A Hygie account: one role, attached to establishments (or to all of them)."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.STAFF)
    establishments = models.ManyToManyField(
        Establishment, blank=True, related_name="users", verbose_name=_("establishments")
    )
    has_all_establishments = models.BooleanField(
        _("all establishments"),
        default=False,
        help_text=_("Organisation-wide access, e.g. the GHT's security officer."),
    )
    must_change_password = models.BooleanField(_("must change password"), default=False)
    language = models.CharField(
        _("language"), max_length=5, blank=True, choices=[("fr", "Français"), ("en", "English")]
    )
    first_run_hidden_at = models.DateTimeField(
        _("first-run checklist hidden at"),
        null=True,
        blank=True,
        help_text=_("When this administrator hid the first-run checklist of the home page."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def sees_all_establishments(self) -> bool:
        return self.is_superuser or self.has_all_establishments

    def visible_establishment_ids(self) -> list[int]:
        """Ids of the establishments this user may see (cached for the request)."""
        cached: list[int] | None = getattr(self, "_visible_ids", None)
        if cached is None:
            if self.sees_all_establishments:
                cached = list(Establishment.objects.values_list("pk", flat=True))
            else:
                cached = list(self.establishments.values_list("pk", flat=True))
            self._visible_ids = cached
        return cached

    @property
    def capabilities(self) -> frozenset[str]:
        if self.is_superuser:
            return capabilities_for(Role.ADMIN)
        return capabilities_for(self.role)

    def can(self, capability: str) -> bool:
        return self.is_active and capability in self.capabilities

    @property
    def requires_mfa(self) -> bool:
        return self.is_superuser or self.role in PRIVILEGED_ROLES


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class APITokenQuerySet(models.QuerySet["APIToken", "APIToken"]):
    def active(self) -> APITokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)


class APIToken(models.Model):
    """A personal API token: only its SHA-256 is stored; the secret is shown once at creation."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(
        _("scope"), max_length=10, choices=TokenScope.choices, default=TokenScope.READ
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = APITokenQuerySet.as_manager()
    audit_redacted_fields = ("key_hash",)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user: User, name: str, scope: str, expires_at: datetime) -> tuple[APIToken, str]:
        """Create a token and return it with its one-time clear value."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            scope=scope,
            expires_at=expires_at,
            prefix=raw[: len(TOKEN_PREFIX) + 6],
            key_hash=_hash_token(raw),
        )
        return token, raw

    @classmethod
    def authenticate(cls, raw: str) -> APIToken | None:
        if not raw.startswith(TOKEN_PREFIX):
            return None
        token = (
            cls.objects.active().select_related("user").filter(key_hash=_hash_token(raw)).first()
        )
        if token is not None:
            cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
