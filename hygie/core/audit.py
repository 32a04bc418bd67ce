"""Writing and verifying the hash-chained audit trail.

Changes to audited models are recorded from model signals, so the UI, the API, the CLI and tasks
are all covered without each remembering to call us; views and exports call ``record`` directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from hygie.core import audit_keys, context
from hygie.core.audit_verify import ENTRYLESS_PROBLEMS, ChainProblem, ChainReport, verify_chain
from hygie.core.models import AuditChainHead, AuditEntry
from hygie.core.models.scoping import establishment_ids_of

__all__ = [
    "ENTRYLESS_PROBLEMS",
    "ChainProblem",
    "ChainReport",
    "audit_model_changes",
    "record",
    "rotate_key",
    "verify_chain",
]

REDACTED = "••••"
_ALWAYS_REDACTED = {"password", "key_hash", "secret", "token", "otp_secret"}


def _establishment_id_of(instance: models.Model) -> int | None:
    # Through the model's scope_path, so parent-scoped models (a task) get their incident's; an
    # object of several establishments (an organisation's playbook) is organisation-level: None.
    ids = establishment_ids_of(instance)
    return next(iter(ids)) if len(ids) == 1 else None


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    changes: dict[str, Any] | None = None,
    message: str = "",
    establishment_id: int | None = None,
    object_type: str | None = None,
    object_id: str = "",
    object_repr: str = "",
) -> AuditEntry:
    """Append one entry to the chain (inside the caller's transaction when there is one)."""
    actor = context.current()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk or "")
        object_repr = object_repr or str(obj)[:200]
        if establishment_id is None:
            establishment_id = _establishment_id_of(obj)
    user = actor.signed_in_user
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        key = _active_key(head)
        entry = AuditEntry(
            sequence=head.sequence + 1,
            at=timezone.now(),
            actor=user,
            actor_label=actor.actor_label[:200],
            action=action,
            channel=actor.channel,
            object_type=object_type or "",
            object_id=object_id,
            object_repr=object_repr[:200],
            establishment_id=establishment_id,
            source_ip=actor.source_ip,
            user_agent=actor.user_agent[:300],
            changes=_jsonable(changes or {}),
            message=message[:500],
            previous_hash=head.entry_hash,
            key_id=key.key_id,
        )
        entry.entry_hash = entry.compute_hash(key.secret)
        entry.save()
        head.sequence, head.entry_hash = entry.sequence, entry.entry_hash
        head.save(update_fields=["sequence", "entry_hash", "key_id"])
    return entry


def _active_key(head: AuditChainHead) -> audit_keys.AuditKey:
    """The key new entries are signed with (read once per process, then from memory). The first
    entry after an upgrade creates the installation's first key: the plain SHA-256 entries before
    it become the legacy prefix, which that first keyed entry's link anchors."""
    if not head.key_id:
        head.key_id = audit_keys.newest_or_create(first_sequence=head.sequence + 1).key_id
    return audit_keys.load(head.key_id)


def rotate_key() -> audit_keys.AuditKey:
    """Sign new entries with a fresh key; older entries keep verifying with theirs (kept on disk).
    The rotation is itself an entry, the first one the new key signs."""
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        previous = head.key_id or "none"
        key = audit_keys.create(first_sequence=head.sequence + 1)
        head.key_id = key.key_id
        head.save(update_fields=["key_id"])
        record(
            "system",
            object_type="core.auditkey",
            object_id=key.key_id,
            object_repr=f"audit key {key.key_id}",
            message=f"Audit chain key rotated: {previous} -> {key.key_id}",
        )
    return key


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


# --- automatic recording of model changes -------------------------------------------------

_AUDITED: set[type[models.Model]] = set()


def _snapshot(instance: models.Model) -> dict[str, Any]:
    redacted = _ALWAYS_REDACTED | set(getattr(instance, "audit_redacted_fields", ()))
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in {"created_at", "updated_at", "last_login"}:
            continue
        value = getattr(instance, field.attname)
        data[field.name] = REDACTED if field.name in redacted and value else _jsonable(value)
    return data


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


# The instance's field values before the save, kept on it from pre_save to post_save.
_BEFORE_ATTRIBUTE = "_audit_before"


def _on_pre_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if kwargs.get("raw") or instance.pk is None or instance._state.adding:
        return
    previous = sender._default_manager.filter(pk=instance.pk).first()
    setattr(instance, _BEFORE_ATTRIBUTE, _snapshot(previous) if previous is not None else None)


def _on_post_save(
    sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any
) -> None:
    if kwargs.get("raw"):
        return
    after = _snapshot(instance)
    if created:
        record("create", instance, changes={k: {"after": v} for k, v in after.items()})
        return
    before = getattr(instance, _BEFORE_ATTRIBUTE, None) or {}
    changes = _diff(before, after)
    if changes:
        record("update", instance, changes=changes)


def _on_post_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    record("delete", instance, changes={k: {"before": v} for k, v in _snapshot(instance).items()})


def audit_model_changes(models_to_audit: Iterable[type[models.Model]]) -> None:
    """Record every create, update and delete of these models (called from AppConfig.ready)."""
    for model in models_to_audit:
        if model in _AUDITED:
            continue
        _AUDITED.add(model)
        uid = f"hygie-audit-{model._meta.label_lower}"
        pre_save.connect(_on_pre_save, sender=model, dispatch_uid=uid + "-pre")
        post_save.connect(_on_post_save, sender=model, dispatch_uid=uid + "-post")
        post_delete.connect(_on_post_delete, sender=model, dispatch_uid=uid + "-del")
