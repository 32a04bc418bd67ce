"""TAXII 2.1 pure parts: media types, timestamps, filters, cursors, object facts, TLP, resources."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hygie.intel.engine.model import TLP
from hygie.intel.engine.taxii import (
    Cursor,
    StatusDetail,
    TAXIIError,
    VersionFilter,
    assign_tlps,
    check_accept,
    check_content_type,
    decode_cursor,
    encode_cursor,
    envelope,
    follow_up,
    format_timestamp,
    later,
    manifest_record,
    may_receive,
    object_facts,
    parse_envelope,
    parse_query,
    parse_timestamp,
    shareable,
    status_resource,
)
from hygie.intel.engine.tlp import TLP1_IDS, TLP2_IDS

NOW = datetime(2026, 12, 7, 1, 2, 3, 4, tzinfo=UTC)
IND = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"


@pytest.mark.parametrize(
    "header",
    [
        "application/taxii+json;version=2.1",
        "application/taxii+json; version=2.1",
        "application/taxii+json",
        "text/html, application/taxii+json;version=2.1;q=0.9",
        'application/taxii+json;version="2.1"',
    ],
)
def test_accepted_media_types(header: str) -> None:
    check_accept(header)
    check_content_type(header)


@pytest.mark.parametrize(
    "header",
    [None, "", "application/json", "*/*", "application/taxii+json;version=2.1;q=0"],
)
def test_refused_media_types(header: str | None) -> None:
    with pytest.raises(TAXIIError) as refused:
        check_accept(header)
    assert refused.value.http_status == 406
    with pytest.raises(TAXIIError) as refused:
        check_content_type(header)
    assert refused.value.http_status == 415


def test_other_taxii_version_is_named() -> None:
    with pytest.raises(TAXIIError) as refused:
        check_accept("application/taxii+json;version=2.0")
    assert refused.value.title == "Unsupported TAXII version"


def test_timestamps_round_trip_with_microseconds() -> None:
    assert format_timestamp(NOW) == "2026-12-07T01:02:03.000004Z"
    assert parse_timestamp(format_timestamp(NOW)) == NOW
    assert parse_timestamp("2026-12-07T03:02:03.000004123+02:00") == NOW
    assert parse_timestamp("2026-12-07T01:02:03Z") == NOW.replace(microsecond=0)
    assert format_timestamp(datetime(2026, 1, 1)) == "2026-01-01T00:00:00.000000Z"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2026-12-07",
        "2026-12-07T01:02:03",
        "2026-13-07T01:02:03Z",
        "x",
        "2026-12-07T01:02:03+25:00",
    ],
)
def test_invalid_timestamps_are_400(text: str) -> None:
    with pytest.raises(TAXIIError) as refused:
        parse_timestamp(text, "added_after")
    assert refused.value.http_status == 400
    assert "added_after" in refused.value.description


def test_query_defaults_and_limits() -> None:
    query = parse_query({}, default_limit=50, max_limit=200)
    assert query.limit == 50
    assert query.versions == VersionFilter(last=True)
    assert query.added_after is None and query.next is None
    assert parse_query({"limit": ["5000"]}, max_limit=200).limit == 200
    for bad in ("0", "-1", "x", "²"):
        with pytest.raises(TAXIIError):
            parse_query({"limit": [bad]})


def test_query_filters() -> None:
    query = parse_query(
        {
            "added_after": ["2026-12-07T01:02:03.000004Z"],
            "match[type]": ["indicator,malware", "indicator"],
            "match[id]": [IND],
            "match[version]": ["first,2026-01-01T00:00:00Z"],
            "match[spec_version]": ["2.1"],
            "match[unknown]": ["ignored"],
        }
    )
    assert query.added_after == NOW
    assert query.types == ("indicator", "malware")
    assert query.ids == (IND,)
    assert query.versions.first and not query.versions.last
    assert query.versions.at == (datetime(2026, 1, 1, tzinfo=UTC),)
    assert query.spec_versions == ("2.1",)


def test_query_ignores_filters_an_endpoint_does_not_take() -> None:
    query = parse_query(
        {"match[type]": ["indicator"], "match[version]": ["first"]}, allowed=("spec_version",)
    )
    assert query.types == () and query.versions.all


@pytest.mark.parametrize(
    "params",
    [
        {"match[id]": ["not-an-id"]},
        {"match[type]": ["Bad Type"]},
        {"match[spec_version]": ["two"]},
        {"match[version]": ["yesterday"]},
        {"added_after": ["2026-01-01T00:00:00Z,2026-01-02T00:00:00Z"]},
    ],
)
def test_malformed_filters_are_400(params: dict[str, list[str]]) -> None:
    with pytest.raises(TAXIIError) as refused:
        parse_query(params)
    assert refused.value.http_status == 400


def test_cursor_round_trip_and_refusals() -> None:
    params = {"match[type]": ["indicator"], "limit": ["10"]}
    query = parse_query(params)
    token = encode_cursor(Cursor(NOW, 42), query.fingerprint)
    # limit may change between pages; the filters may not
    assert (
        parse_query({**params, "limit": ["20"], "next": [token]}).fingerprint == query.fingerprint
    )
    assert decode_cursor(token, query.fingerprint) == Cursor(NOW, 42)
    other = parse_query({"match[type]": ["malware"]})
    with pytest.raises(TAXIIError, match="same filters"):
        decode_cursor(token, other.fingerprint)
    for forged in ("", "@@@", "e30", token[:-3], "x" * 500):
        with pytest.raises(TAXIIError):
            decode_cursor(forged, query.fingerprint)


def indicator(**extra: object) -> dict[str, object]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": IND,
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-02-01T00:00:00.000Z",
        "pattern": "[ipv4-addr:value = '192.0.2.1']",
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z",
        **extra,
    }


def test_object_facts() -> None:
    facts = object_facts(indicator(object_marking_refs=[TLP2_IDS[TLP.GREEN]]), NOW)
    assert facts.stix_id == IND and facts.stix_type == "indicator"
    assert facts.version == datetime(2026, 2, 1, tzinfo=UTC)
    assert facts.spec_version == "2.1" and facts.marked_tlp is TLP.GREEN
    assert facts.media_type == "application/stix+json;version=2.1"
    record = manifest_record(facts, NOW)
    assert record == {
        "id": IND,
        "date_added": "2026-12-07T01:02:03.000004Z",
        "version": "2026-02-01T00:00:00.000000Z",
        "media_type": "application/stix+json;version=2.1",
    }


def test_observable_without_timestamps_is_versioned_by_date_added() -> None:
    facts = object_facts(
        {
            "type": "ipv4-addr",
            "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd",
            "value": "192.0.2.1",
        },
        NOW,
    )
    assert facts.version == NOW and facts.spec_version == "2.1" and facts.marked_tlp is None


def test_stix20_object_without_spec_version() -> None:
    obj = indicator()
    del obj["spec_version"]
    assert object_facts(obj, NOW).spec_version == "2.0"


@pytest.mark.parametrize(
    "obj",
    [
        "text",
        {"id": IND},
        {"type": "indicator", "id": "malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"},
        {"type": "indicator", "id": "indicator--nope"},
        {"type": "indicator", "id": IND, "modified": 12},
        {"type": "indicator", "id": IND, "modified": "2026"},
        {"type": "indicator", "id": IND, "spec_version": "latest"},
    ],
)
def test_invalid_objects_are_422_with_the_property_named(obj: object) -> None:
    with pytest.raises(TAXIIError) as refused:
        object_facts(obj, NOW, "objects[3]")
    assert refused.value.http_status == 422
    assert "objects[3]" in refused.value.description


def test_strictest_marking_wins_tlp1_and_granular_included() -> None:
    obj = indicator(
        object_marking_refs=[TLP1_IDS["green"]],
        granular_markings=[{"marking_ref": TLP2_IDS[TLP.RED], "selectors": ["description"]}],
    )
    assert object_facts(obj, NOW).marked_tlp is TLP.RED
    marking = {
        "type": "marking-definition",
        "id": TLP2_IDS[TLP.RED],
        "created": "2022-10-01T00:00:00Z",
    }
    assert object_facts(marking, NOW).marked_tlp is TLP.CLEAR


def test_unmarked_objects_travel_with_what_refers_to_them() -> None:
    identity = {"type": "identity", "id": "identity--11111111-1111-4111-8111-111111111111"}
    green = indicator(created_by_ref=identity["id"], object_marking_refs=[TLP2_IDS[TLP.GREEN]])
    amber = indicator(created_by_ref=identity["id"], object_marking_refs=[TLP2_IDS[TLP.AMBER]])
    loner = {"type": "note", "id": "note--22222222-2222-4222-8222-222222222222"}
    assert assign_tlps([identity, amber, green, loner], TLP.AMBER_STRICT) == [
        TLP.GREEN,
        TLP.AMBER,
        TLP.GREEN,
        TLP.AMBER_STRICT,
    ]


def test_red_never_leaves() -> None:
    assert not any(may_receive(TLP.RED, level) for level in TLP)
    assert shareable(TLP.RED) == [TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT]
    assert shareable(TLP.GREEN) == [TLP.CLEAR, TLP.GREEN]
    assert not may_receive(TLP.AMBER, TLP.GREEN)


def test_envelope_and_status_resources() -> None:
    assert envelope([], False) == {"more": False}
    assert envelope([{"id": IND}], True, "abc") == {
        "more": True,
        "next": "abc",
        "objects": [{"id": IND}],
    }
    status = status_resource(
        "s1", NOW, [StatusDetail(IND, "2026-02-01T00:00:00.000Z")], [StatusDetail("x", "y", "bad")]
    )
    assert status["status"] == "complete"
    assert (
        status["total_count"],
        status["success_count"],
        status["failure_count"],
        status["pending_count"],
    ) == (2, 1, 1, 0)
    assert status["failures"] == [{"id": "x", "version": "y", "message": "bad"}]


def test_envelope_parsing() -> None:
    assert parse_envelope({"objects": [{"a": 1}]}, 10) == [{"a": 1}]
    assert parse_envelope({}, 10) == []
    for bad in ([], {"objects": {}}, "x"):
        with pytest.raises(TAXIIError) as refused:
            parse_envelope(bad, 10)
        assert refused.value.http_status == 422
    with pytest.raises(TAXIIError) as refused:
        parse_envelope({"objects": [{}] * 11}, 10)
    assert refused.value.http_status == 413


def test_client_follow_up() -> None:
    assert follow_up({"more": False}, None).done
    assert follow_up({"more": True, "next": "n"}, "2026-01-01T00:00:00Z").next == "n"
    assert follow_up({"more": True}, "2026-01-01T00:00:00Z").added_after == "2026-01-01T00:00:00Z"
    with pytest.raises(TAXIIError):
        follow_up({"more": True}, None)
    assert later("2026-01-01T00:00:00Z", "2026-01-01T00:00:00.5Z") == "2026-01-01T00:00:00.5Z"
    assert later(None, "2026-01-01T00:00:00Z") == "2026-01-01T00:00:00Z"
    assert later(None, None) is None
    assert parse_timestamp("2026-01-01T00:00:00.5Z") - parse_timestamp(
        "2026-01-01T00:00:00Z"
    ) == timedelta(milliseconds=500)
