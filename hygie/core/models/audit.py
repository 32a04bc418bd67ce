"""The tamper-evident audit trail: an append-only, hash-chained log of who did what."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from hygie.core.models.organisation import Establishment
from hygie.core.models.scoping import ScopedQuerySet

if TYPE_CHECKING:
    from hygie.core.models.accounts import User

GENESIS_HASH = "0" * 64
# Domain separation: an entry MAC can never be replayed as a checkpoint MAC, or the reverse.
ENTRY_MAC_CONTEXT = b"hygie-audit-entry-v2\n"


class AuditAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    VIEW = "view", _("View")
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")
    LOGIN = "login", _("Login")
    LOGOUT = "logout", _("Logout")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOCKED_OUT = "locked_out", _("Locked out")
    MFA = "mfa", _("Second factor")
    TOKEN = "token", _("API token")
    SYSTEM = "system", _("System")


class AuditChannel(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    CLI = "cli", _("Command line")
    TASK = "task", _("Background task")
    SYSTEM = "system", _("System")


class AuditScopedQuerySet(ScopedQuerySet["AuditEntry"]):
    def visible_to(self, user: User | AnonymousUser | None) -> ScopedQuerySet[AuditEntry]:
        """Entries of the user's establishments (entries tied to none: organisation-wide users)."""
        if (
            user is None
            or isinstance(user, AnonymousUser)
            or not getattr(user, "is_authenticated", False)
            or not user.is_active
        ):
            return self.none()
        if user.sees_all_establishments:
            return self
        return self.filter(establishment_id__in=user.visible_establishment_ids())


class AuditEntry(models.Model):
    """One event in the chain. ``entry_hash`` = HMAC-SHA256 with the key ``key_id`` (kept outside
    the database) over the previous hash and the canonical content. Entries written before keys
    existed have no ``key_id`` and keep their plain SHA-256 hash (the legacy prefix)."""

    sequence = models.BigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    # Hashed entries must never be rewritten by a cascade, and may outlive what they name:
    # no database constraint, no on-delete action (a deleted row simply no longer resolves).
    actor = models.ForeignKey(
        "core.User",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=200)
    action = models.CharField(
        _("action"), max_length=20, choices=AuditAction.choices, db_index=True
    )
    channel = models.CharField(_("channel"), max_length=10, choices=AuditChannel.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("establishment"),
    )
    source_ip = models.GenericIPAddressField(_("source IP"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)
    key_id = models.CharField(_("audit key"), max_length=40, blank=True, default="")

    objects = AuditScopedQuerySet.as_manager()
    scope_path = "establishment"

    class Meta:
        ordering = ["-sequence"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type} {self.object_repr}"

    def canonical_content(self) -> bytes:
        """The fields the hash covers, serialised the same way on every database."""
        content = {
            "sequence": self.sequence,
            "at": self.at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "channel": self.channel,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "establishment_id": self.establishment_id,
            "source_ip": self.source_ip,
            "user_agent": self.user_agent,
            "changes": self.changes,
            "message": self.message,
        }
        return json.dumps(
            content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
        ).encode("utf-8")

    def compute_hash(self, secret: bytes | None = None) -> str:
        """HMAC-SHA256 with ``secret`` for a keyed entry; plain SHA-256 for a legacy one."""
        if not self.key_id:
            digest = hashlib.sha256()
            digest.update(self.previous_hash.encode("ascii"))
            digest.update(self.canonical_content())
            return digest.hexdigest()
        if not secret:
            raise ValueError(f"entry #{self.sequence} is keyed ({self.key_id}): the key is needed")
        mac = hmac.new(secret, ENTRY_MAC_CONTEXT, hashlib.sha256)
        mac.update(self.key_id.encode("ascii") + b"\n")
        mac.update(self.previous_hash.encode("ascii"))
        mac.update(self.canonical_content())
        return mac.hexdigest()


class AuditChainHead(models.Model):
    """A single row holding the chain's tip, locked while appending so writers serialise.
    ``key_id`` is the key new entries are signed with (changed by ``hygie audit rotate-key``)."""

    sequence = models.BigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    key_id = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.entry_hash[:12]}"
