"""IOC matching in the event stream: ingested events that carry a known indicator (address,
network, domain, URL, hash, file name, in a field or in the message) become sightings (event id,
matched value, field name — no raw line, no message), one grouped core alert per indicator
(source ``intel``, TLP, context) and the indicator's count; the matcher follows changes to the
indicators; the ``indicator_lookups`` entry answers awareness's triage; the retro-hunt finds
the indicators' past in stored events, once. Synthetic data only (documentation addresses,
example domains)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from hygie.core.models import Alert, Job
from hygie.core.registries import lookup_indicators
from hygie.core.services.jobs import start_job
from hygie.detection import services as detection
from hygie.detection.models import Event
from hygie.intel.jobs import RETRO_HUNT_KIND
from hygie.intel.models import Indicator, IndicatorSource, Sighting
from hygie.intel.services import matching, retro_hunt

pytestmark = pytest.mark.django_db

SHA = "9f" * 32


@pytest.fixture(autouse=True)
def _fresh_matcher():
    matching.forget()
    yield
    matching.forget()


def _indicator(establishment, kind, value, **extra) -> Indicator:
    row = Indicator.objects.create(establishment=establishment, kind=kind, value=value, **extra)
    IndicatorSource.objects.create(
        indicator=row, source_name="CERT Santé", imported_at=timezone.now()
    )
    return row


def _line(i: int, text: str) -> bytes:
    return f"<38>1 2026-03-02T10:00:00Z proxy-01 squid {i} - - {text}".encode()


def _ingest(establishment, texts: list[str]):
    return detection.ingest_lines(establishment, [_line(i, t) for i, t in enumerate(texts)])


def test_an_event_with_a_known_address_is_sighted_with_a_grouped_alert(establishment_a):
    known = _indicator(
        establishment_a,
        "ipv4",
        "203.0.113.66",
        tlp="amber",
        confidence=85,
        description="C2 relay",
        kill_chain=[{"kill_chain": "mitre-attack", "technique": "T1071.001"}],
    )
    texts = [f"CONNECT 203.0.113.66:443 from 10.0.0.{i} patient Jean Dupont" for i in range(5)]
    texts += ["CONNECT 198.51.100.1:443 from 10.0.0.9"] * 3
    summary = _ingest(establishment_a, texts)
    assert summary.events == 8
    sightings = list(Sighting.objects.filter(indicator=known))
    assert len(sightings) == 5
    event_ids = {s.event_ref for s in sightings}
    stored = Event.objects.filter(raw__contains="203.0.113.66").values_list("pk", flat=True)
    assert event_ids == {f"event:{pk}" for pk in stored}
    for sighting in sightings:
        assert sighting.source == "detection"
        assert sighting.observed_value == "203.0.113.66"
        assert "Dupont" not in str(sighting.context) and "Dupont" not in sighting.observed_value
    alerts = Alert.objects.filter(source="intel")
    assert alerts.count() == 1  # grouped: one alert for the indicator, not one per event
    alert = alerts.get()
    assert alert.group_key == f"intel:{known.pk}"
    assert alert.details["tlp"] == "amber" and alert.details["sources"] == ["CERT Santé"]
    assert sorted(alert.details["event_ids"]) == sorted(stored)
    assert "attack.t1071.001" in alert.tags and alert.severity == 40
    assert "Dupont" not in str(alert.details) and "Dupont" not in alert.title
    assert {s.alert_id for s in sightings} == {alert.pk}
    known.refresh_from_db()
    assert known.sighting_count == 5 and known.last_seen_at and known.first_seen_at
    # A second batch joins the open alert.
    _ingest(establishment_a, ["CONNECT 203.0.113.66:443 again"])
    assert Alert.objects.filter(source="intel").count() == 1
    assert Alert.objects.get(source="intel").occurrences == 2
    known.refresh_from_db()
    assert known.sighting_count == 6


@pytest.mark.parametrize(
    ("kind", "value", "text"),
    [
        ("cidr", "198.51.100.0/24", "DENY src=10.1.1.1 dst=198.51.100.77"),
        ("domain", "evil-update.example", "GET http://cdn.evil-update.example/a.js 200"),
        (
            "url",
            "https://login-portal.example/reset",
            "user clicked https://login-portal.example/reset",
        ),
        ("sha256", SHA, f"AV detected sha256={SHA} on host"),
        ("file-name", "invoice.pdf.exe", "file=invoice.pdf.exe quarantined"),
    ],
)
def test_every_kind_is_matched_in_the_message(establishment_a, kind, value, text):
    row = _indicator(establishment_a, kind, value)
    _ingest(establishment_a, [text, "nothing to see here"])
    assert Sighting.objects.filter(indicator=row).count() == 1


def test_inactive_revoked_expired_and_other_establishments_indicators_do_not_match(
    establishment_a, establishment_b
):
    _indicator(establishment_a, "ipv4", "203.0.113.1", is_active=False)
    _indicator(establishment_a, "ipv4", "203.0.113.2", revoked=True)
    _indicator(establishment_a, "ipv4", "203.0.113.3", to_ids=False)
    _indicator(
        establishment_a, "ipv4", "203.0.113.4", valid_until=timezone.now() - timedelta(hours=1)
    )
    _indicator(establishment_b, "ipv4", "203.0.113.5")
    _ingest(establishment_a, [f"CONNECT 203.0.113.{i}:443" for i in range(1, 6)])
    assert not Sighting.objects.exists()
    assert not Alert.objects.filter(source="intel").exists()


def test_the_matcher_follows_new_and_deleted_indicators(establishment_a):
    _ingest(establishment_a, ["CONNECT 203.0.113.9:443"])  # compiles an empty matcher
    row = _indicator(establishment_a, "ipv4", "203.0.113.9")  # saved here: rebuilt at once
    _ingest(establishment_a, ["CONNECT 203.0.113.9:443"])
    assert Sighting.objects.filter(indicator=row).count() == 1
    # A change made elsewhere (bulk update, another process) is seen by the signature check.
    Indicator.objects.filter(pk=row.pk).update(is_active=False, updated_at=timezone.now())
    compiled = matching._compiled[establishment_a.pk]
    compiled.checked -= compiled.interval + 1
    _ingest(establishment_a, ["CONNECT 203.0.113.9:443"])
    assert Sighting.objects.filter(indicator=row).count() == 1
    assert len(matching.matcher_for(establishment_a.pk).matcher) == 0


def test_a_slow_signature_query_is_made_less_often(establishment_a, monkeypatch):
    """With a million indicators the signature query takes about a second: checking every 10 s
    cost the ingest pipeline a tenth of a core, so the interval grows with the query's time."""
    import types

    offset, cost = [0.0], [2.0]
    real_signature, real_monotonic = matching._signature, time.monotonic

    def slow_signature(establishment_id):
        offset[0] += cost[0]  # the query "takes" two seconds
        return real_signature(establishment_id)

    monkeypatch.setattr(matching, "_signature", slow_signature)
    monkeypatch.setattr(
        matching,
        "time",
        types.SimpleNamespace(
            monotonic=lambda: real_monotonic() + offset[0], perf_counter=time.perf_counter
        ),
    )
    matching.forget()
    compiled = matching.matcher_for(establishment_a.pk)
    assert compiled.interval == pytest.approx(2.0 * matching.CHECK_SHARE, abs=5)  # not 10 s
    offset[0] += matching.CHECK_SECONDS + 1  # past the usual interval: no query yet
    assert matching.matcher_for(establishment_a.pk) is compiled
    assert offset[0] == 2.0 + matching.CHECK_SECONDS + 1  # the signature was not queried again
    offset[0] += 10_000
    cost[0] = 60.0  # a very slow query: still checked at least every MAX_CHECK_SECONDS
    matching.matcher_for(establishment_a.pk)
    assert matching._compiled[establishment_a.pk].interval == matching.MAX_CHECK_SECONDS


def test_the_signature_is_not_queried_per_batch(establishment_a, django_assert_max_num_queries):
    _indicator(establishment_a, "ipv4", "203.0.113.9")
    matching.matcher_for(establishment_a.pk)
    with django_assert_max_num_queries(0):
        for _ in range(5):
            matching.observe(establishment_a, [(1, {"message": "nothing here"})])


def test_a_failing_store_never_loses_events(establishment_a, monkeypatch):
    _indicator(establishment_a, "ipv4", "203.0.113.9")

    def broken(*_args, **_kwargs):
        raise RuntimeError("store down")

    monkeypatch.setattr(matching, "record", broken)
    summary = _ingest(establishment_a, ["CONNECT 203.0.113.9:443"])
    assert summary.events == 1 and Event.objects.count() == 1
    assert not Sighting.objects.exists()


def test_indicator_lookup_answers_triage_without_writing(establishment_a, establishment_b):
    row = _indicator(establishment_a, "domain", "evil-update.example", tlp="green", confidence=70)
    _indicator(establishment_a, "sha256", SHA)
    found = lookup_indicators(
        establishment_a,
        [
            ("domain", "mail.evil-update.example"),
            ("url", "https://evil-update.example/x"),
            ("hash", SHA),
            ("domain", "harmless.example"),
        ],
    )
    assert {(m.kind, m.value) for m in found} == {
        ("domain", "mail.evil-update.example"),
        ("url", "https://evil-update.example/x"),
        ("hash", SHA),
    }
    domain = next(m for m in found if m.kind == "domain")
    assert (domain.indicator, domain.tlp, domain.confidence, domain.source) == (
        str(row.pk),
        "green",
        70,
        "CERT Santé",
    )
    assert lookup_indicators(establishment_b, [("domain", "mail.evil-update.example")]) == []
    assert not Sighting.objects.exists()


def test_retro_hunt_finds_past_events_once(establishment_a, monkeypatch):
    _ingest(establishment_a, ["CONNECT 203.0.113.77:443", "CONNECT 203.0.113.78:443", "idle"])
    old = Event.objects.get(raw__contains="203.0.113.78")
    Event.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=40))
    row = _indicator(establishment_a, "cidr", "203.0.113.0/24")
    job = start_job(
        RETRO_HUNT_KIND,
        "Retro-hunt",
        establishment=establishment_a,
        title_params={},
        indicator_ids=[row.pk],
    )
    job = Job.objects.get(pk=job.pk)
    assert job.status == "succeeded", job.error
    assert job.result == {"indicators": 1, "events": 2, "sightings": 1, "sighted": 1}
    sighting = Sighting.objects.get(indicator=row)
    assert sighting.source == "retro-hunt" and sighting.observed_value == "203.0.113.77"
    assert Alert.objects.filter(source="intel", details__seen_by="retro-hunt").count() == 1
    # Again, and further back: the known sighting is not recorded twice; the older one is found.
    monkeypatch.setenv("HYGIE_INTEL_RETRO_HUNT_DAYS", "60")
    again = retro_hunt.hunt(establishment_a, indicator_ids=[row.pk])
    assert (again["events"], again["sightings"]) == (3, 1)
    row.refresh_from_db()
    assert row.sighting_count == 2


def test_periodic_retro_hunt_takes_new_indicators(establishment_a):
    _ingest(establishment_a, ["CONNECT 203.0.113.77:443"])
    _indicator(establishment_a, "ipv4", "203.0.113.77")
    result = retro_hunt.hunt_recent()
    assert result == {"establishments": 1, "indicators": 1, "sightings": 1}
    assert retro_hunt.hunt_recent()["sightings"] == 0


def test_retro_hunt_days_from_the_environment(monkeypatch):
    monkeypatch.setenv("HYGIE_INTEL_RETRO_HUNT_DAYS", "7")
    assert retro_hunt.default_days() == 7
    monkeypatch.setenv("HYGIE_INTEL_RETRO_HUNT_DAYS", "9999")
    assert retro_hunt.default_days() == retro_hunt.MAX_DAYS
    monkeypatch.setenv("HYGIE_INTEL_RETRO_HUNT_DAYS", "²")
    assert retro_hunt.default_days() == retro_hunt.DEFAULT_DAYS


def test_a_sighted_indicator_is_read_once_while_its_campaign_lasts(
    establishment_a, django_assert_max_num_queries
):
    known = _indicator(establishment_a, "ipv4", "203.0.113.70", confidence=80)
    matching.observe(establishment_a, [(1, {"message": "CONNECT 203.0.113.70:443"})])
    with django_assert_max_num_queries(6):  # no indicator read (savepoint, open alert, repeat,
        # release, sightings, count)
        matching.observe(establishment_a, [(2, {"message": "CONNECT 203.0.113.70:443"})])
    known.refresh_from_db()
    assert known.sighting_count == 2
    # A source added in this process shows in the next alert at once.
    IndicatorSource.objects.create(
        indicator=known, source_name="CERT Région", imported_at=timezone.now()
    )
    Alert.objects.filter(source="intel").update(status="closed")
    matching.observe(establishment_a, [(3, {"message": "CONNECT 203.0.113.70:443"})])
    latest = Alert.objects.filter(source="intel").order_by("-pk").first()
    assert latest.details["sources"] == ["CERT Région", "CERT Santé"]


def test_a_large_matcher_is_kept_out_of_the_garbage_collector(establishment_a, monkeypatch):
    import gc

    from hygie.lib import memory

    _indicator(establishment_a, "ipv4", "203.0.113.71")
    monkeypatch.setattr(memory, "LONG_LIVED_FROM", 1)
    try:
        compiled = matching.matcher_for(establishment_a.pk)
        assert gc.get_freeze_count() > 0
        assert compiled.matcher.match_event({"ip": "203.0.113.71"})
    finally:
        gc.unfreeze()


def test_sightings_written_in_one_statement_read_back_as_the_orm_wrote_them(establishment_a):
    """``record`` inserts its sightings with one ``executemany`` (values prepared by the model's
    fields): read back, they are what ``bulk_create`` stored — dates, JSON context, links."""
    known = _indicator(establishment_a, "ipv4", "203.0.113.67")
    before = timezone.now()
    _ingest(establishment_a, ["CONNECT 203.0.113.67:443 from 10.0.0.1", "x 203.0.113.67 y"])
    sightings = list(Sighting.objects.filter(indicator=known).order_by("event_ref"))
    alert = Alert.objects.get(source="intel", group_key=f"intel:{known.pk}")
    assert len(sightings) == 2
    for sighting in sightings:
        assert sighting.context == {"field": "message", "how": "exact"}
        assert sighting.observed_value == "203.0.113.67" and sighting.source == "detection"
        assert sighting.alert_id == alert.pk and sighting.event_ref.startswith("event:")
        assert before <= sighting.at <= timezone.now() and sighting.created_at >= before
    assert Sighting.objects.filter(context__how="exact", indicator=known).count() == 2


def test_the_sightings_insert_names_every_column_of_the_model():
    # ``record`` writes sightings with its own INSERT: a column added to the model and not to
    # SIGHTING_FIELDS would be left to its database default, or fail as NOT NULL.
    columns = {field.name for field in Sighting._meta.concrete_fields if not field.primary_key}
    assert set(matching.SIGHTING_FIELDS) == columns
    assert len(matching.SIGHTING_FIELDS) == len(columns)
