"""What the team writes down: the main courante, observables and comments."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.response.choices import (
    ObservableKind,
    TimelineKind,
)
from hygie.response.engine import observables as observable_rules
from hygie.response.models import Comment, Incident, Observable
from hygie.response.roles import VIEW_INCIDENTS
from hygie.response.services import notifications
from hygie.response.services.incidents.common import (
    CLOCK_SKEW,
    MAX_TEXT,
    author_of,
    can_comment,
    require_incident,
)
from hygie.response.services.timeline import add_entry

if TYPE_CHECKING:
    from hygie.core.models import User

# --- main courante ----------------------------------------------------------------------------


def add_log_entry(
    user: User | None,
    incident: Incident,
    text: str,
    *,
    kind: str = TimelineKind.LOG,
    at: datetime | None = None,
) -> Any:
    """A written line of the main courante. Entries are never edited: a correction is a new
    entry, so the log shows what was known when."""
    require_incident(user, incident)
    text = (text or "").strip()
    if kind not in (TimelineKind.LOG, TimelineKind.DECISION):
        raise ValidationError({"kind": [_("Write a log entry or a decision.")]})
    if not text:
        raise ValidationError({"text": [_("The entry is empty.")]})
    if len(text) > MAX_TEXT or "\x00" in text:
        raise ValidationError(
            {"text": [_("This text is too long or contains invalid characters.")]}
        )
    now = timezone.now()
    if at is not None and at > now + CLOCK_SKEW:
        raise ValidationError({"at": [_("An entry cannot be dated in the future.")]})
    return add_entry(incident, text, kind=kind, at=at or now, author=author_of(user))


# --- observables ------------------------------------------------------------------------------

_OBSERVABLE_MESSAGES = {
    "unknown_kind": gettext_lazy("Unknown kind of observable."),
    "empty": gettext_lazy("The value is empty."),
    "too_long": gettext_lazy("The value is too long."),
    "control_characters": gettext_lazy("The value contains control characters."),
    "invalid_ip": gettext_lazy("Not a valid IPv4 or IPv6 address."),
    "invalid_domain": gettext_lazy("Not a valid domain name (e.g. example.org)."),
    "invalid_url": gettext_lazy("Not a valid URL."),
    "invalid_url_scheme": gettext_lazy("Only http, https and ftp URLs are accepted."),
    "invalid_hash": gettext_lazy("A hash is written in hexadecimal."),
    "invalid_hash_length": gettext_lazy(
        "A hash has 32 (MD5), 40 (SHA-1), 64 (SHA-256) or 128 (SHA-512) hexadecimal characters."
    ),
    "invalid_email": gettext_lazy("Not a valid e-mail address."),
    "invalid_host": gettext_lazy("Not a valid host name or IP address."),
}


def normalise_observable(kind: str, value: str) -> str:
    try:
        return observable_rules.normalise(kind, value)
    except observable_rules.ObservableError as error:
        raise ValidationError(
            {"value": [_OBSERVABLE_MESSAGES.get(error.code, _("Not a valid value."))]}
        ) from None


def add_observable(
    user: User | None,
    incident: Incident,
    kind: str,
    value: str,
    *,
    note: str = "",
    is_ioc: bool = True,
) -> tuple[Observable, bool]:
    """Record an indicator in its canonical form; an indicator already recorded for this
    incident is returned as is (``created`` False)."""
    require_incident(user, incident)
    if kind not in ObservableKind.values:
        raise ValidationError({"kind": [_("Unknown kind of observable.")]})
    canonical = normalise_observable(kind, value)
    existing = incident.observables.filter(kind=kind, value=canonical).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            observable = Observable(
                incident=incident,
                kind=kind,
                value=canonical,
                note=note,
                is_ioc=is_ioc,
                created_by=author_of(user),
            )
            observable.full_clean(validate_unique=False)
            observable.save()
            add_entry(
                incident,
                lambda: (  # written in each language: every reader sees their own
                    _("Observable added: %(kind)s %(value)s.")
                    % {
                        "kind": observable.get_kind_display(),
                        "value": _timeline_value(kind, canonical),
                    }
                ),
                author=author_of(user),
            )
    except IntegrityError:
        # Added by someone else at the same moment.
        return incident.observables.get(kind=kind, value=canonical), False
    return observable, True


def _timeline_value(kind: str, value: str) -> str:
    # Accounts and e-mail addresses name people: the timeline names the kind only.
    return "" if kind in (ObservableKind.ACCOUNT, ObservableKind.EMAIL) else value


def remove_observable(user: User | None, observable: Observable) -> None:
    incident = observable.incident
    require_incident(user, incident)
    with transaction.atomic():
        label = observable.get_kind_display  # read in each language below
        value = _timeline_value(observable.kind, observable.value)
        observable.delete()
        add_entry(
            incident,
            lambda: (
                _("Observable removed: %(kind)s %(value)s.") % {"kind": label(), "value": value}
            ),
            author=author_of(user),
        )


# --- comments ---------------------------------------------------------------------------------


def add_comment(user: User | None, incident: Incident, text: str) -> Comment:
    """A discussion message. Comments are kept as written (the incident file is a record)."""
    require_incident(user, incident, VIEW_INCIDENTS)
    if user is not None and not can_comment(user):
        raise PermissionDenied(_("Your role does not allow this action."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("The comment is empty.")]})
    if len(text) > MAX_TEXT or "\x00" in text:
        raise ValidationError(
            {"text": [_("This text is too long or contains invalid characters.")]}
        )
    comment = Comment(incident=incident, author=author_of(user), text=text)
    comment.full_clean()
    comment.save()
    notifications.comment_added(incident, actor=author_of(user))
    return comment
