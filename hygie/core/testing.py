"""Helpers for tests (kept in the package so every app's tests can use them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

from django.contrib.auth.hashers import Argon2PasswordHasher

from hygie import modules

if TYPE_CHECKING:
    from django.db.models import Model
    from django.test import Client

    from hygie.core.models import (
        Alert,
        Asset,
        Department,
        Establishment,
        Organisation,
        Person,
        User,
    )


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with minimal cost: same code path, fast enough for hundreds of test logins."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1


def login_with_mfa(client: Client, user: User) -> Client:
    """Log ``user`` into a Django test client with a confirmed TOTP device already verified."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


# --- the isolation test's world (tests/apps/core/test_isolation.py) ------------------------------
# Every module contributes its part from its own folder: ``<module>/isolation.py`` defines
# ``build_isolation(world: IsolationWorld) -> IsolationPart``, found like every conventional file.

ISOLATION_MODULE = "isolation"


@dataclass
class IsolationWorld:
    """What the core test built before asking the modules: establishment B's core objects (each
    name carrying ``marker``), B's user, and establishment A (the attacker's side)."""

    marker: str
    organisation: Organisation
    establishment: Establishment
    department: Department
    person: Person
    asset: Asset
    alert: Alert
    user: User
    establishment_a: Establishment


@dataclass
class IsolationPart:
    """One module's objects in B and what the walks need to know about its routes."""

    # B's objects of this module: no request may change them.
    objects: list[Any]
    # URL-name prefix (``<model>`` of ``<app>:<model>_detail``) → B's object filling ``pk``.
    page_objects: dict[str, Any] = field(default_factory=dict)
    # API path/query/body parameter name (``incident_id``…) → B's object.
    api_objects: dict[str, Any] = field(default_factory=dict)
    # Nested page parameter (``task_pk``) → {word of the URL name → B's object}.
    page_child_objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    # For nested routes walked with A's parent and B's child: URL-name prefix → A's object, and
    # API path parameter naming a parent → A's object.
    page_parents_a: dict[str, Any] = field(default_factory=dict)
    api_parents_a: dict[str, Any] = field(default_factory=dict)
    # Parameters naming no establishment data (shipped content, formats): values to try. Every
    # entry needs a comment saying why it is safe.
    page_parameter_allow_list: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    api_parameter_allow_list: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    # API operations (operationId) that store nothing (dry runs): they may answer 200.
    api_writes_storing_nothing: set[str] = field(default_factory=set)
    # Extra form fields posted to this module's pages (beside B's core objects); the pages of a
    # module that gives none are posted an empty form.
    page_form_data: dict[str, Any] | None = None
    # Rows of each kind of this module in B (a request must create none).
    counts: Callable[[], dict[str, int]] = dict
    # References from A's objects to B's (a way to see B from A): their descriptions.
    links_to_b: Callable[[], list[str]] = list


def isolation_parts(world: IsolationWorld) -> dict[str, IsolationPart]:
    """Every module's part of the isolation world, by module label, in module order."""
    parts: dict[str, IsolationPart] = {}
    for module in modules.discover():
        dotted = f"{module.package}.{ISOLATION_MODULE}"
        if find_spec(dotted) is not None:
            parts[module.label] = import_module(dotted).build_isolation(world)
    return parts


def count_in(establishment: Establishment, *models: type[Model]) -> dict[str, int]:
    """Rows of each model in ``establishment``, through the model's scope (``scope_path``)."""
    return {
        model.__name__: model._default_manager.filter(
            **{getattr(model, "scope_path", "establishment"): establishment}
        ).count()
        for model in models
    }
