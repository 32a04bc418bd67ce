"""Account administration and personal API tokens, shared by the web pages, the API and the CLI.

Every function checks what its ``actor`` may do (``actor=None`` means the system itself, e.g.
``hygie createadmin``), writes inside one transaction, and leaves a trace in the audit trail.
Clear passwords and tokens are returned to the caller exactly once and never recorded.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.core import audit, context
from hygie.core.choices import Role, TokenScope
from hygie.core.models import APIToken, Establishment, User
from hygie.core.models.accounts import APITokenQuerySet
from hygie.core.roles import MANAGE_USERS, capabilities_for
from hygie.core.services import mfa

# No look-alike characters (0/O, 1/l/I): one-time passwords are often read out on the phone.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_PASSWORD_GROUPS, _PASSWORD_GROUP_LENGTH = 4, 5

TOKEN_MAX_LIFETIME = timedelta(days=365)
TOKEN_DEFAULT_LIFETIME = timedelta(days=90)


def generate_temporary_password() -> str:
    """A one-time password of 23 characters (4 groups of 5, about 115 bits of entropy)."""
    groups = (
        "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(_PASSWORD_GROUP_LENGTH))
        for _ in range(_PASSWORD_GROUPS)
    )
    return "-".join(groups)


@contextmanager
def _acting(actor: User | None) -> Iterator[None]:
    """Attribute audit entries to ``actor`` (a CLI command or a task has no request user)."""
    current = context.current()
    if actor is None or getattr(current.user, "pk", None) == actor.pk:
        yield
        return
    bound = context.ActorContext(
        user=actor,
        channel=current.channel,
        source_ip=current.source_ip,
        user_agent=current.user_agent,
        label=current.label,
    )
    with context.acting_as(bound):
        yield


# --- who may manage whom -------------------------------------------------------------------


def _require_manager(actor: User | None) -> None:
    if actor is not None and not actor.can(MANAGE_USERS):
        raise PermissionDenied(_("You may not manage user accounts."))


def grantable_roles(actor: User | None) -> list[str]:
    """The roles ``actor`` may give or take over: those with no capability beyond the actor's.

    ``actor`` None is the platform itself (``hygie createadmin``), which may grant any role, as
    may a superuser (who holds every right whatever the role table says).
    """
    if actor is None or actor.is_superuser:
        return list(Role.values)
    own = actor.capabilities
    return [role for role in Role.values if capabilities_for(role) <= own]


def users_manageable_by(actor: User) -> QuerySet[User]:
    """The accounts ``actor`` may see and change in the user administration.

    Managing an account (password, second factor, role, status, tokens) lets the actor sign in as
    its owner, so it is allowed only over accounts entirely within the actor's own reach:

    - every establishment of the account is one of the actor's (an account of A and B is out of
      reach of an administrator of A alone), and it has at least one (an unattached account
      belongs to the organisation);
    - organisation-wide accounts only for organisation-wide administrators, superusers only for
      superusers;
    - no account whose role carries a capability the actor lacks.
    """
    if not actor.can(MANAGE_USERS):
        return User.objects.none()
    users = User.objects.filter(role__in=grantable_roles(actor))
    if not actor.is_superuser:
        users = users.filter(is_superuser=False)
    if actor.sees_all_establishments:
        return users
    visible = actor.visible_establishment_ids()
    outside = Establishment.objects.exclude(pk__in=visible)
    return (
        users.filter(has_all_establishments=False, establishments__in=visible)
        .exclude(establishments__in=outside)
        .distinct()
    )


def _require_manageable(actor: User | None, user: User) -> None:
    _require_manager(actor)
    if actor is not None and not users_manageable_by(actor).filter(pk=user.pk).exists():
        raise PermissionDenied(_("You may not manage this account."))


def _check_grants(
    actor: User | None,
    *,
    role: str,
    establishments: Iterable[Establishment],
    all_establishments: bool,
    superuser: bool,
) -> None:
    """Refuse any access beyond the actor's own: role, superuser, organisation, establishment."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if actor is None:
        return
    if superuser and not actor.is_superuser:
        raise PermissionDenied(_("Only a superuser may create another superuser."))
    if role not in grantable_roles(actor):
        raise PermissionDenied(_("You may not grant a role with rights you do not have yourself."))
    if all_establishments and not actor.sees_all_establishments:
        raise PermissionDenied(
            _("Only an organisation-wide administrator may grant access to all establishments.")
        )
    if not actor.sees_all_establishments:
        visible = set(actor.visible_establishment_ids())
        establishments = list(establishments)
        if any(est.pk not in visible for est in establishments):
            raise PermissionDenied(_("You may only attach users to your own establishments."))
        if not establishments:
            # Unattached, the account would leave the actor's reach at once.
            raise ValidationError(
                {"establishments": _("Attach the account to at least one of your establishments.")}
            )


def _record_establishments(user: User, before: list[str], after: list[str]) -> None:
    # Many-to-many changes do not go through save(): the signal-based audit cannot see them.
    if before != after:
        audit.record("update", user, changes={"establishments": {"before": before, "after": after}})


def _establishment_names(establishments: Iterable[Establishment]) -> list[str]:
    return sorted(str(est) for est in establishments)


# --- creating and changing accounts --------------------------------------------------------


def create_user_with_temporary_password(
    *,
    username: str,
    email: str,
    role: str,
    establishments: Iterable[Establishment] = (),
    all_establishments: bool = False,
    superuser: bool = False,
    actor: User | None = None,
) -> tuple[User, str]:
    """Create an account that must change its one-time password at first sign-in.

    Returns the user and the clear one-time password, which is stored only as a hash.
    """
    establishments = list(establishments)
    _require_manager(actor)
    _check_grants(
        actor,
        role=role,
        establishments=establishments,
        all_establishments=all_establishments,
        superuser=superuser,
    )
    password = generate_temporary_password()
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("An account with this username already exists.")})
    check_email_free(email)
    user = User(
        username=username,
        email=email.strip(),
        role=role,
        has_all_establishments=all_establishments,
        is_superuser=superuser,
        is_staff=superuser,
        must_change_password=True,
    )
    user.set_password(password)
    with _acting(actor), transaction.atomic():
        user.full_clean(exclude=["password"])
        user.save()
        user.establishments.set(establishments)
        _record_establishments(user, [], _establishment_names(establishments))
    return user, password


def check_email_free(email: str, *, other_than: User | None = None) -> None:
    """Refuse an e-mail address another account already uses (whatever its case).

    Single sign-on finds the account by e-mail: a second account with someone's address would
    break their sign-on, or catch it in an account its creator controls. Empty means "none".
    """
    email = email.strip()
    if not email:
        return
    others = User.objects.filter(email__iexact=email)
    if other_than is not None and other_than.pk:
        others = others.exclude(pk=other_than.pk)
    if others.exists():
        raise ValidationError({"email": _("Another account already uses this e-mail address.")})


def update_user_access(
    user: User,
    *,
    actor: User | None,
    role: str,
    establishments: Iterable[Establishment],
    has_all_establishments: bool,
    is_active: bool,
) -> User:
    """Change a user's role, establishments and status within what ``actor`` may grant.

    The actor manages the whole account (see ``users_manageable_by``): every establishment the
    account has, and every one it gets, is within the actor's reach.
    """
    _require_manageable(actor, user)
    wanted = list(establishments)
    _check_grants(
        actor,
        role=role,
        establishments=wanted,
        all_establishments=has_all_establishments and not user.has_all_establishments,
        superuser=False,
    )
    if actor is not None and actor.pk == user.pk:
        if (
            not is_active
            or role != user.role
            or (user.has_all_establishments and not has_all_establishments)
        ):
            raise PermissionDenied(
                _("You cannot change your own role, access or status: ask another administrator.")
            )
    current = list(user.establishments.all())
    with _acting(actor), transaction.atomic():
        user.role = role
        user.has_all_establishments = has_all_establishments
        user.is_active = is_active
        user.full_clean(exclude=["password"])
        user.save()
        user.establishments.set(wanted)
        _record_establishments(user, _establishment_names(current), _establishment_names(wanted))
    return user


def reset_password(user: User, *, actor: User | None) -> str:
    """Give ``user`` a new one-time password (returned in clear once) to change at next sign-in.

    Changing the password hash also ends the user's open sessions (Django checks it per request).
    """
    _require_manageable(actor, user)
    password = generate_temporary_password()
    with _acting(actor), transaction.atomic():
        user.set_password(password)
        user.must_change_password = True
        user.save()
        audit.record("update", user, message="password reset by an administrator")
    return password


def reset_mfa(user: User, *, actor: User | None) -> None:
    """Remove the user's authenticator and recovery codes: they enrol again at next sign-in."""
    _require_manageable(actor, user)
    with _acting(actor), transaction.atomic():
        mfa.remove_all_devices(user)
        audit.record("mfa", user, message="second factor reset by an administrator")


def unlock(username: str, *, actor: User | None) -> int:
    """Lift a sign-in lockout for ``username``; returns how many failure records were removed."""
    _require_manager(actor)
    user = User.objects.filter(username=username).first()
    if user is not None:
        _require_manageable(actor, user)
    elif actor is not None and not actor.sees_all_establishments:
        raise PermissionDenied(_("You may not manage this account."))
    with _acting(actor):
        removed = axes_reset(username=username)
        audit.record(
            "update",
            user,
            object_type="core.user",
            object_repr=username,
            message="sign-in lockout lifted",
        )
    return removed


# --- personal API tokens -------------------------------------------------------------------


def issue_token(
    user: User,
    *,
    name: str,
    scope: str,
    expires_at: datetime | None = None,
    actor: User | None = None,
) -> tuple[APIToken, str]:
    """Create a personal API token for ``user``; returns it with its clear value, shown once."""
    if actor is not None and actor.pk != user.pk:
        raise PermissionDenied(_("You may only create tokens for yourself."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name that says what it is for.")})
    if scope not in TokenScope.values:
        raise ValidationError({"scope": _("Unknown scope.")})
    now = timezone.now()
    expires_at = expires_at or now + TOKEN_DEFAULT_LIFETIME
    if expires_at <= now:
        raise ValidationError({"expires_at": _("The expiry date must be in the future.")})
    if expires_at > now + TOKEN_MAX_LIFETIME + timedelta(days=1):
        raise ValidationError({"expires_at": _("A token may not live longer than one year.")})
    with _acting(actor or user), transaction.atomic():
        token, raw = APIToken.issue(user, name, scope, expires_at)
        audit.record(
            "token",
            token,
            message=f"token issued ({scope}, expires {expires_at.date().isoformat()})",
        )
    return token, raw


def tokens_of(user: User) -> APITokenQuerySet:
    return APIToken.objects.filter(user=user)


def revoke_token(token: APIToken, *, actor: User | None) -> APIToken:
    """Revoke a token at once; its owner or an administrator who manages the owner may do it."""
    if actor is not None and actor.pk != token.user_id:
        _require_manageable(actor, token.user)
    if token.revoked_at is not None:
        return token
    with _acting(actor), transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record("token", token, message="token revoked")
    return token


# --- own account ---------------------------------------------------------------------------


def set_language(user: User, language: str) -> None:
    if language not in {"fr", "en"}:
        raise ValidationError({"language": _("Unknown language.")})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def locked_usernames(usernames: Iterable[str]) -> set[str]:
    """Which of these accounts are locked out right now by repeated sign-in failures."""
    attempts = AccessAttempt.objects.filter(
        username__in=list(usernames), failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    )
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return set(attempts.values_list("username", flat=True))
