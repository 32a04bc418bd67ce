"""Validated create/update/delete for the core's models, shared by the UI, the API and the CLI.

Each write validates the whole object (``full_clean``) inside one transaction; audit entries are
written by model signals within the same transaction, so a failed write leaves no trace either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from hygie.core.models.scoping import establishment_ids_of

if TYPE_CHECKING:
    from hygie.core.models import User

M = TypeVar("M", bound=models.Model)


def check_establishment_allowed(user: User | None, establishment_id: int | None) -> None:
    """Refuse writes into an establishment the user does not see (scoping on writes).

    ``user`` None is the platform itself (demo loader, commands, tasks).
    """
    if establishment_id is None or user is None or user.sees_all_establishments:
        return
    if establishment_id not in user.visible_establishment_ids():
        raise PermissionDenied(_("You do not have access to this establishment."))


def check_instance_allowed(user: User | None, instance: models.Model) -> None:
    """Refuse writing ``instance`` unless the user sees every establishment it belongs to.

    The establishments come from the model's ``scope_path`` (``establishment_ids_of``), so models
    scoped through a parent (a task through its incident) and organisation-wide ones (a playbook
    serves every establishment of its organisation) are checked like the others.
    """
    if user is None or user.sees_all_establishments:
        return
    for establishment_id in sorted(establishment_ids_of(instance)):
        check_establishment_allowed(user, establishment_id)


def save_instance(instance: M, user: User | None, **fields: Any) -> M:
    """Apply ``fields`` to ``instance``, validate everything, and save it atomically.

    An existing object is checked where it is and where it goes: nobody moves a record out of,
    or into, an establishment they do not see.
    """
    if instance.pk is not None and user is not None and not user.sees_all_establishments:
        # As stored, not as in memory: a form may already have changed the parent.
        stored = type(instance)._base_manager.filter(pk=instance.pk).first()
        if stored is not None:
            check_instance_allowed(user, stored)
    for name, value in fields.items():
        setattr(instance, name, value)
    check_instance_allowed(user, instance)
    with transaction.atomic():
        instance.full_clean()
        try:
            instance.save()
        except IntegrityError as exc:
            raise ValidationError(_("This record conflicts with an existing one.")) from exc
    return instance


def delete_instance(instance: models.Model, user: User | None) -> None:
    check_instance_allowed(user, instance)
    try:
        with transaction.atomic():
            instance.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise ValidationError(
            _("This record is still used by other records; remove those first.")
        ) from exc
