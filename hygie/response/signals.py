"""Signal receivers of the response module (imported by ResponseConfig.ready).

Regulatory obligations follow the facts: an incident saved with new facts, a regulatory profile
edited, or an establishment whose country, type or time zone changed is re-assessed at once, in
the same transaction as the change. No many-to-many relation of an incident (departments,
assets, alerts, watchers, affected establishments) is a fact the engine reads, so none triggers
a re-assessment; watchers are read when reminders are sent.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models.signals import post_save
from django.dispatch import receiver

from hygie.core.models import Establishment
from hygie.response.models import Comment, Incident, RegulatoryProfile
from hygie.response.services import obligations
from hygie.response.services.timeline import add_entry, touch

logger = logging.getLogger(__name__)

# Re-assessment creates the profile on first use; its own post_save must not re-enter.
_assessing: ContextVar[bool] = ContextVar("hygie_response_assessing", default=False)


def _reassess(incident: Incident) -> None:
    token = _assessing.set(True)
    try:
        obligations.assess_incident(incident)
    except ValidationError as error:
        # Invalid facts must not block saving the incident; say so where the team looks.
        logger.warning("obligations of incident %s not assessed: invalid facts", incident.pk)
        add_entry(
            incident, "Regulatory obligations could not be assessed: " + "; ".join(error.messages)
        )
    finally:
        _assessing.reset(token)


@receiver(post_save, sender=Incident, dispatch_uid="response-obligations-incident")
def incident_saved(
    sender: Any,
    instance: Incident,
    created: bool,
    raw: bool = False,
    update_fields: Any = None,
    **kwargs: Any,
) -> None:
    if raw or _assessing.get():
        return
    if update_fields is not None and not (set(update_fields) & obligations.FACT_FIELDS):
        return
    _reassess(instance)


@receiver(post_save, sender=RegulatoryProfile, dispatch_uid="response-obligations-profile")
def profile_saved(
    sender: Any, instance: RegulatoryProfile, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw or created or _assessing.get():
        return
    token = _assessing.set(True)
    try:
        obligations.reassess_establishment(instance.establishment)
    finally:
        _assessing.reset(token)


@receiver(post_save, sender=Establishment, dispatch_uid="response-obligations-establishment")
def establishment_saved(
    sender: Any, instance: Establishment, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    # Country and time zone come from the establishment itself: deadlines may move.
    if raw or created or _assessing.get():
        return
    if not Incident.objects.filter(establishment=instance).exists():
        return
    token = _assessing.set(True)
    try:
        obligations.reassess_establishment(instance)
    finally:
        _assessing.reset(token)


@receiver(post_save, sender=Comment, dispatch_uid="response-touch-comment")
def touch_incident(sender: Any, instance: Comment, **kwargs: Any) -> None:
    """A comment changes the incident's record without a timeline entry (every other change
    writes one, which moves ``updated_at``): move it here, for incremental export."""
    touch(instance.incident_id)
