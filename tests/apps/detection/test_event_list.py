"""The events page: a message column (cut in the list, whole on the detail page) and a histogram
of the filtered events over time (SVG with a visually hidden table)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hygie.detection.models import MESSAGE_PREVIEW_CHARS, Event

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _event(establishment, raw: str, message: str = "", **extra) -> Event:
    return Event.objects.create(
        establishment=establishment,
        received_at=extra.pop("received_at", timezone.now()),
        source="file",
        host="srv-01",
        raw=raw,
        fields={"message": message} if message else {},
        **extra,
    )


def test_message_column_shows_the_message_cut_and_the_detail_in_full(client_a, establishment_a):
    long_message = "Failed password for invalid user " + "x" * 300 + " END-OF-MESSAGE"
    event = _event(establishment_a, "raw line", long_message)
    _event(establishment_a, "only a raw line without parsed message")
    page = client_a.get(reverse("detection:event_list")).content.decode()
    assert "Message" in page
    assert "Failed password for invalid user" in page
    assert "END-OF-MESSAGE" not in page  # cut in the list
    assert "only a raw line without parsed message" in page  # the raw line when no message
    assert len(event.short_message) == MESSAGE_PREVIEW_CHARS
    detail = client_a.get(reverse("detection:event_detail", args=[event.pk])).content.decode()
    assert "END-OF-MESSAGE" in detail


def test_histogram_counts_the_filtered_events_per_hour(client_a, establishment_a):
    now = timezone.now()
    for hours_ago, count in ((0, 3), (2, 1)):
        for _ in range(count):
            _event(establishment_a, "sshd line", received_at=now - timedelta(hours=hours_ago))
    _event(establishment_a, "other product", product="windows")
    page = client_a.get(reverse("detection:event_list"), {"q": "sshd"}).content.decode()
    assert '<svg class="chart"' in page
    assert "Events per hour" in page
    # The text alternative: a hidden table with one row per hour, the counts as cells.
    table = page[page.index('<div class="visually-hidden"><table>') :]
    table = table[: table.index("</table>")]
    assert table.count("<td>3</td>") == 1
    assert table.count("<td>1</td>") == 1
    assert table.count("<td>0</td>") == 1  # the empty hour between them
    assert "<td>4</td>" not in table  # the windows event is filtered out


def test_histogram_per_day_over_a_long_range_and_absent_without_events(client_a, establishment_a):
    assert (
        '<svg class="chart"' not in client_a.get(reverse("detection:event_list")).content.decode()
    )
    now = timezone.now()
    _event(establishment_a, "a", received_at=now - timedelta(days=5))
    _event(establishment_a, "b", received_at=now)
    page = client_a.get(reverse("detection:event_list")).content.decode()
    assert "Events per day" in page


def test_histogram_counts_by_the_time_events_happened(client_a, establishment_a):
    now = timezone.now()
    for days_ago in (0, 3, 3):  # an imported file: received now, happened over three days
        _event(establishment_a, "x", occurred_at=now - timedelta(days=days_ago))
    page = client_a.get(reverse("detection:event_list")).content.decode()
    table = page[page.index('<div class="visually-hidden"><table>') :]
    table = table[: table.index("</table>")]
    assert "Events per day" in page
    assert [table.count(f"<td>{n}</td>") for n in (2, 1, 0)] == [1, 1, 2]


def test_log_source_column_joins_product_and_service(client_a, establishment_a):
    _event(establishment_a, "x", product="linux", service="sshd")
    _event(establishment_a, "y", product="apache", category="webserver")
    page = client_a.get(reverse("detection:event_list")).content.decode()
    assert "linux/sshd" in page and "apache/webserver" in page


def test_windows_events_summarised_and_parse_errors_lead_the_message(client_a, establishment_a):
    Event.objects.create(
        establishment=establishment_a,
        received_at=timezone.now(),
        source="file",
        raw='{"Event": {}}',
        fields={
            "Channel": "Security",
            "EventID": 4720,
            "TargetUserName": "tmp-admin",
            "message": '{"Event": {}}',  # the parsers keep a JSON line as its message
        },
    )
    _event(establishment_a, "garbage line", parse_error="unrecognised log format")
    page = client_a.get(reverse("detection:event_list")).content.decode()
    assert "Security 4720 · TargetUserName=tmp-admin" in page
    assert "Parse error: unrecognised log format — garbage line" in page
