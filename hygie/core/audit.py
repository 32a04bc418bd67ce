"""Writing and verifying the hash-chained audit trail.

Changes to audited models are recorded from model signals, so the UI, the API, the CLI and tasks
are all covered without each remembering to call us; views and exports call ``record`` directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from hygie.core import context
from hygie.core.models import AuditChainHead, AuditEntry
from hygie.core.models.audit import GENESIS_HASH

REDACTED = "••••"
_ALWAYS_REDACTED = {"password", "key_hash", "secret", "token", "otp_secret"}


def _establishment_id_of(instance: models.Model) -> int | None:
    from hygie.core.models import Establishment

    if isinstance(instance, Establishment):
        return instance.pk
    return getattr(instance, "establishment_id", None)


def record(action: str, obj: models.Model | None = None, *,
           changes: dict[str, Any] | None = None, message: str = "",
           establishment_id: int | None = None, object_type: str | None = None,
           object_id: str = "", object_repr: str = "") -> AuditEntry:
    """Append one entry to the chain (inside the caller's transaction when there is one)."""
    actor = context.current()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk or "")
        object_repr = object_repr or str(obj)[:200]
        if establishment_id is None:
            establishment_id = _establishment_id_of(obj)
    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
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
        )
        entry.entry_hash = entry.compute_hash()
        entry.save()
        head.sequence, head.entry_hash = entry.sequence, entry.entry_hash
        head.save(update_fields=["sequence", "entry_hash"])
    return entry


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


@dataclass(frozen=True)
class ChainProblem:
    """The first place where the stored chain differs from what was written."""

    sequence: int
    kind: str  # "modified", "inserted", "deleted", "reordered", "truncated"
    detail: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    problem: ChainProblem | None

    @property
    def is_intact(self) -> bool:
        return self.problem is None


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Walk the chain in order and report the first modified, inserted or deleted entry."""
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for entry in _iterate_in_order(batch_size):
        if entry.sequence != expected_sequence:
            kind = "deleted" if entry.sequence > expected_sequence else "inserted"
            return ChainReport(checked, ChainProblem(
                expected_sequence, kind,
                f"expected entry #{expected_sequence}, found #{entry.sequence}"))
        if entry.previous_hash != expected_previous:
            kind = "inserted" if entry.compute_hash() == entry.entry_hash else "modified"
            return ChainReport(checked, ChainProblem(
                entry.sequence, kind, "link to the previous entry is broken"))
        if entry.compute_hash() != entry.entry_hash:
            return ChainReport(checked, ChainProblem(
                entry.sequence, "modified", "content does not match its hash"))
        expected_previous = entry.entry_hash
        expected_sequence += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.sequence != checked or head.entry_hash != expected_previous):
        return ChainReport(checked, ChainProblem(
            checked + 1, "deleted",
            f"the chain ends at #{checked} but {head.sequence} entries were written"))
    return ChainReport(checked, None)


def _iterate_in_order(batch_size: int) -> Iterator[AuditEntry]:
    last = 0
    while True:
        batch = list(AuditEntry.objects.filter(sequence__gt=last).order_by("sequence")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].sequence


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
    return {key: {"before": before.get(key), "after": after.get(key)}
            for key in sorted(set(before) | set(after)) if before.get(key) != after.get(key)}


def _on_pre_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if kwargs.get("raw") or instance.pk is None or instance._state.adding:
        return
    previous = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = _snapshot(previous) if previous is not None else None


def _on_post_save(sender: type[models.Model], instance: models.Model, created: bool,
                  **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    after = _snapshot(instance)
    if created:
        record("create", instance, changes={k: {"after": v} for k, v in after.items()})
        return
    before = getattr(instance, "_audit_before", None) or {}
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
