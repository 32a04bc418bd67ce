"""Partners (CERT Santé, regional support centre, ISAC, vendor…) and their TAXII credentials."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.utils.translation import gettext_lazy as _

from hygie.core.models import Establishment
from hygie.core.models.scoping import ScopedManager
from hygie.intel.engine.model import TLP
from hygie.intel.models.choices import PartnerKind, TlpLevel

_SECRET_CONTEXT = b"hygie.intel.partner-secret.v1"


def _fernet() -> Fernet:
    """The key that seals partners' outbound secrets, derived from the instance's secret key."""
    digest = hashlib.sha256(_SECRET_CONTEXT + settings.SECRET_KEY.encode("utf-8")).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class Partner(models.Model):
    """Someone Hygie shares with: where to reach them and the most restricted TLP they may get."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="intel_partners",
        verbose_name=_("establishment"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=PartnerKind.choices, default=PartnerKind.OTHER
    )
    max_tlp = models.CharField(
        _("most restricted TLP it may receive"),
        max_length=12,
        choices=TlpLevel.choices,
        default=TlpLevel.GREEN,
        help_text=_("Nothing marked above this level is ever sent to this partner."),
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    taxii_url = models.URLField(_("TAXII server URL"), max_length=500, blank=True)
    taxii_api_root = models.CharField(_("TAXII API root"), max_length=200, blank=True)
    taxii_collection_id = models.CharField(_("TAXII collection id"), max_length=100, blank=True)
    misp_url = models.URLField(_("MISP URL"), max_length=500, blank=True)
    auth_username = models.CharField(_("user name"), max_length=200, blank=True)
    auth_secret = models.TextField(
        _("secret (sealed)"),
        blank=True,
        editable=False,
        help_text=_("Password or API key to reach the partner; stored sealed, never displayed."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope_path = "establishment"
    audit_redacted_fields = ("auth_secret",)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "name"], name="intel_partner_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def max_tlp_level(self) -> TLP:
        return TLP(self.max_tlp)

    def may_receive(self, tlp: TLP | str) -> bool:
        """Whether something marked ``tlp`` may go to this partner (RED never leaves)."""
        level = TLP(tlp)
        return level is not TLP.RED and level.rank <= self.max_tlp_level.rank

    def set_secret(self, raw: str) -> None:
        """Seal ``raw`` (empty clears it); call ``save`` afterwards."""
        self.auth_secret = _fernet().encrypt(raw.encode("utf-8")).decode("ascii") if raw else ""

    def get_secret(self) -> str:
        """The unsealed secret, or "" when none is set or the instance key changed."""
        if not self.auth_secret:
            return ""
        try:
            return _fernet().decrypt(self.auth_secret.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError):
            return ""

    @property
    def has_secret(self) -> bool:
        return bool(self.auth_secret)


class PartnerCredential(models.Model):
    """A login a partner uses on Hygie's TAXII server (HTTP Basic); only a hash is kept."""

    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        related_name="credentials",
        verbose_name=_("partner"),
    )
    username = models.CharField(_("user name"), max_length=150, unique=True)
    secret_hash = models.CharField(_("secret hash"), max_length=256, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = ScopedManager()
    scope_path = "partner__establishment"
    audit_redacted_fields = ("secret_hash",)

    class Meta:
        ordering = ["username"]
        verbose_name = _("partner credential")
        verbose_name_plural = _("partner credentials")

    def __str__(self) -> str:
        return self.username

    def set_secret(self, raw: str) -> None:
        self.secret_hash = make_password(raw)

    def check_secret(self, raw: str) -> bool:
        return bool(self.secret_hash) and check_password(raw, self.secret_hash)
