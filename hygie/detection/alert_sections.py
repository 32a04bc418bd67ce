"""The detection block of the core alert page: the matching events, matched fields highlighted.

Autodiscovered by the core at start-up (``hygie.modules.CONVENTIONAL_MODULES``).
"""

from __future__ import annotations

from hygie.core.models import Alert, Evidence, User
from hygie.core.roles import VIEW_EVIDENCE
from hygie.core.views.alerts import AlertSection, alert_sections
from hygie.detection import mail_reports, queries
from hygie.detection.roles import VIEW_EVENTS
from hygie.detection.services import ALERT_SOURCE

MAX_SHOWN_EVENTS = 20


def reported_mail_section(alert: Alert, user: User) -> AlertSection:
    """A reported e-mail: its sender, links and attachments, and the message kept as evidence
    (linked for the roles that may read evidence)."""
    details = alert.details or {}
    evidence_ids = [pk for pk in details.get("evidence_ids") or [] if isinstance(pk, int)]
    evidence = (
        list(Evidence.objects.visible_to(user).filter(pk__in=evidence_ids).order_by("pk"))
        if user.can(VIEW_EVIDENCE)
        else []
    )
    return AlertSection(
        "detection/partials/_alert_reported_mail.html",
        {"mail": details, "evidence": evidence, "reports": len(evidence_ids)},
    )


def events_section(alert: Alert, user: User) -> AlertSection | None:
    if alert.rule_id == mail_reports.RULE_ID:
        return reported_mail_section(alert, user)
    if not user.can(VIEW_EVENTS):
        return None
    details = alert.details or {}
    matched = {str(name) for name in details.get("matched_fields") or []}
    # Correlation alerts group events of several rules: mark what any rule of the alert tests.
    matched.update(queries.rule_fields(alert.rule_id))
    events = queries.alert_events(alert, user)
    listed = len(details.get("event_ids") or [])
    return AlertSection(
        "detection/partials/_alert_events.html",
        {
            "events": [
                (event, queries.field_rows(event, matched)) for event in events[:MAX_SHOWN_EVENTS]
            ],
            "shown": min(len(events), MAX_SHOWN_EVENTS),
            "stored": len(events),
            "listed": listed,
            "matched_fields": sorted(matched),
            # Alerts raised before descriptions were stored on them: the rule's own words.
            "rule_description": ""
            if alert.description
            else queries.rule_description(alert.rule_id),
        },
    )


alert_sections.register(ALERT_SOURCE, events_section)
