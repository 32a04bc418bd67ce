"""Event detail page, the alert page's matching events with matched fields highlighted, and the
alert queue's time range, assignee filters and counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hygie.core.models import Alert
from hygie.core.testing import login_with_mfa
from hygie.detection import services
from hygie.detection.models import Event
from tests.apps.detection.conftest import SQLI_RULE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

MARKED_URL = re.compile(rb"<mark><code>url\.decoded</code></mark>")


@pytest.fixture
def sqli_alert(establishment_a, sqli_lines) -> Alert:
    services.ingest_lines(establishment_a, sqli_lines)
    return Alert.objects.get(rule_id=SQLI_RULE)


def test_event_detail_shows_fields_raw_alerts_and_matched_fields(client_a, sqli_alert):
    event = Event.objects.get(pk=sqli_alert.details["event_ids"][0])
    page = client_a.get(reverse("detection:event_detail", args=[event.pk]))
    assert page.status_code == 200
    assert MARKED_URL.search(page.content)
    assert b"sqlmap/1.8" in page.content  # the raw line
    assert reverse("core:alert_detail", args=[sqli_alert.pk]).encode() in page.content
    assert b"SQL Injection Attempt on the Patient Portal" in page.content
    # Unmatched fields are listed without the mark.
    assert (
        b"<code>http.response.status_code</code>" in page.content
        or b"<code>source.ip</code>" in page.content
    )


def test_event_detail_shows_the_parse_error_and_the_asset(client_a, establishment_a):
    services.ingest_lines(establishment_a, ["{broken json"])
    event = Event.objects.get()
    assert event.parse_error
    page = client_a.get(reverse("detection:event_detail", args=[event.pk]))
    assert b"Parse error:" in page.content and b"{broken json" in page.content
    assert b"No rule of the library matches it." in page.content


def test_event_list_links_to_the_detail_and_filters_by_rule(client_a, sqli_alert, establishment_a):
    services.ingest_lines(establishment_a, ["{broken json"])
    listing = client_a.get(reverse("detection:event_list"), {"rule": SQLI_RULE}).content
    for event_id in sqli_alert.details["event_ids"]:
        assert reverse("detection:event_detail", args=[event_id]).encode() in listing
    assert b"broken json" not in listing
    errors = client_a.get(reverse("detection:event_list"), {"parse_errors": "1"}).content
    assert len(re.findall(rb"/detection/events/\d+/", errors)) == 1


def test_event_detail_is_scoped_and_needs_the_capability(
    client_a, make_user, establishment_b, establishment_a
):
    other = Event.objects.create(
        establishment=establishment_b, received_at=timezone.now(), source="file", raw="b line"
    )
    assert client_a.get(reverse("detection:event_detail", args=[other.pk])).status_code == 404
    mine = Event.objects.create(
        establishment=establishment_a, received_at=timezone.now(), source="file", raw="a line"
    )
    staff = login_with_mfa(Client(), make_user("nurse", "staff", [establishment_a]))
    assert staff.get(reverse("detection:event_detail", args=[mine.pk])).status_code == 403


def test_alert_page_shows_matching_events_with_matched_fields(client_a, sqli_alert):
    page = client_a.get(reverse("core:alert_detail", args=[sqli_alert.pk]))
    assert page.status_code == 200
    assert b"Matching events" in page.content
    assert len(MARKED_URL.findall(page.content)) == len(sqli_alert.details["event_ids"])
    for event_id in sqli_alert.details["event_ids"]:
        assert reverse("detection:event_detail", args=[event_id]).encode() in page.content


def test_alert_page_says_when_events_were_pruned(client_a, sqli_alert):
    Event.objects.all().delete()
    page = client_a.get(reverse("core:alert_detail", args=[sqli_alert.pk]))
    assert b"No stored event for this alert" in page.content
    assert b"still stored" in page.content


def test_alert_page_without_event_capability_has_no_event_block(
    make_user, establishment_a, sqli_alert
):
    dpo = login_with_mfa(Client(), make_user("dpo", "dpo", [establishment_a]))
    page = dpo.get(reverse("core:alert_detail", args=[sqli_alert.pk]))
    assert page.status_code == 200 and b"Matching events" not in page.content


def test_alert_queue_time_range_assignee_and_counts(client_a, user_a, establishment_a):
    now = timezone.now()
    old = Alert.objects.create(
        establishment=establishment_a,
        source="detection",
        title="Old brute force",
        first_seen_at=now - timedelta(days=10),
        last_seen_at=now - timedelta(days=10),
    )
    mine = Alert.objects.create(
        establishment=establishment_a,
        source="privacy",
        title="Fresh PHI finding",
        first_seen_at=now,
        last_seen_at=now,
        assignee=user_a,
        status="acknowledged",
    )
    url = reverse("core:alert_list")
    since = (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    recent = client_a.get(url, {"since": since}).content
    assert mine.title.encode() in recent and old.title.encode() not in recent
    until = client_a.get(url, {"until": (now - timedelta(days=5)).date()}).content
    assert old.title.encode() in until and mine.title.encode() not in until
    assigned = client_a.get(url, {"assigned": "me"}).content
    assert mine.title.encode() in assigned and old.title.encode() not in assigned
    nobody = client_a.get(url, {"assigned": "nobody"}).content
    assert old.title.encode() in nobody and mine.title.encode() not in nobody
    page = client_a.get(url, {"since": since})
    assert page.context["open_count"] == 1
    counts = {value: count for value, _label, count in page.context["counts"]["status"]}
    assert counts["acknowledged"] == 1 and counts["new"] == 0
    assert b"&amp;since=" in page.content or b"&since=" in page.content
