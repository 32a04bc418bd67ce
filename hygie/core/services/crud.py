"""Validated create/update/delete for the core's models, shared by the UI, the API and the CLI.

Each write validates the whole object (``full_clean``) inside one transaction; audit entries are
written by model signals within the same transaction, so a failed write leaves no trace either.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

M = TypeVar("M", bound=models.Model)


def check_establishment_allowed(user: Any, establishment_id: int | None) -> None:
    """Refuse writes into an establishment the user does not see (scoping on writes).

    ``user`` None is the platform itself (demo loader, commands, tasks).
    """
    if establishment_id is None or user is None or user.sees_all_establishments:
        return
    if establishment_id not in user.visible_establishment_ids():
        raise PermissionDenied(_("You do not have access to this establishment."))


def save_instance(instance: M, user: Any, **fields: Any) -> M:
    """Apply ``fields`` to ``instance``, validate everything, and save it atomically."""
    for name, value in fields.items():
        setattr(instance, name, value)
    check_establishment_allowed(user, _establishment_id(instance))
    with transaction.atomic():
        instance.full_clean()
        try:
            instance.save()
        except IntegrityError as exc:
            raise ValidationError(_("This record conflicts with an existing one.")) from exc
    return instance


def delete_instance(instance: models.Model, user: Any) -> None:
    check_establishment_allowed(user, _establishment_id(instance))
    try:
        with transaction.atomic():
            instance.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise ValidationError(_("This record is still used by other records; remove those "
                                "first.")) from exc


def _establishment_id(instance: models.Model) -> int | None:
    from hygie.core.models import Establishment

    if isinstance(instance, Establishment):
        return instance.pk
    return getattr(instance, "establishment_id", None)
