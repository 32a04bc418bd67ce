"""What a bucket compiles into hyperscan, and that what it leaves out is still tested."""

from __future__ import annotations

from hygie.detection.engine import prefilter

from .conftest import EngineFactory
from .helpers import TEST_SOURCE, fires, rule


def test_a_regex_hyperscan_refuses_leaves_the_others_in_its_database(
    make_engine: EngineFactory,
) -> None:
    # Hyperscan refuses a pattern that matches the empty string; Python's search accepts it
    # (and then matches any text).
    refused = rule("sel:\n  CommandLine|re: '(?:zz9)?'\ncondition: sel", "refused")
    accepted = rule("sel:\n  CommandLine|re: 'evil\\d+x'\ncondition: sel", "accepted")
    engine = make_engine(refused, accepted)

    def titles(event: dict[str, object]) -> set[str]:
        return {info.title for info in engine.match(event, TEST_SOURCE)}

    assert titles({"CommandLine": "run evil42x"}) == {"refused", "accepted"}
    assert titles({"CommandLine": "evilx"}) == {"refused"}
    assert titles({"Image": "evil42x"}) == set()
    if engine.config.use_hyperscan and prefilter.HYPERSCAN_AVAILABLE:
        bucket = engine._bucket({}, TEST_SOURCE)
        assert bucket is not None
        (scanner,) = bucket.scanners
        assert scanner.regex_database is not None  # the accepted regex still triggers
        assert len(bucket.always) == 1  # the refused one's rule is evaluated on every event


def test_inner_wildcards_that_trigger_nothing_are_tested_in_python(
    make_engine: EngineFactory,
) -> None:
    detection = (
        "sel:\n  EventID: 4738\n"
        # Eleven endings cost more as a trigger than the EventID: they trigger nothing.
        "uac:\n  NewUacValue|endswith: ['0???', '1???', '2???', '3???', '4???', '5???', "
        "'6???', '7???', '8???', '9???', 'a???']\n"
        "condition: sel and uac"
    )
    engine = make_engine(rule(detection))
    for value in ("0x8015", ["0xB010", "0xA9FF"], 98765):
        assert fires(engine, {"EventID": 4738, "NewUacValue": value}), value
    for value in ("0xB015", "0x815", ["0xC010"], 123, None):
        assert not fires(engine, {"EventID": 4738, "NewUacValue": value}), value
    assert not fires(engine, {"EventID": 4739, "NewUacValue": "0x8015"})
    bucket = engine._bucket({}, TEST_SOURCE)
    assert bucket is not None
    # Only EventID (the trigger) is scanned: the endings are not compiled.
    assert [scanner.field for scanner in bucket.scanners] == ["EventID"]


def test_an_inner_wildcard_that_triggers_a_rule_is_still_scanned(
    make_engine: EngineFactory,
) -> None:
    engine = make_engine(rule("sel:\n  CommandLine|contains: 'net*user'\ncondition: sel"))
    assert fires(engine, {"CommandLine": "C:\\net.exe  user bob"})
    assert not fires(engine, {"CommandLine": "user net"})
    bucket = engine._bucket({}, TEST_SOURCE)
    assert bucket is not None
    (scanner,) = bucket.scanners
    if engine.config.use_hyperscan and prefilter.HYPERSCAN_AVAILABLE:
        assert scanner.database is not None


def test_a_one_character_wildcard_never_stands_for_the_value_edges(
    make_engine: EngineFactory,
) -> None:
    # Sigma's "?" is exactly one character of the value. Hyperscan scans a value between
    # start and end marker bytes: "?" next to an edge must not match a marker.
    engine = make_engine(
        rule("sel:\n  CommandLine: 'ab?*'\ncondition: sel", "at least three"),
        rule("sel:\n  Image: '*?ab'\ncondition: sel", "ends after one more"),
        rule("sel:\n  User: '?'\ncondition: sel", "one character"),
        rule("sel:\n  - 'zq?'\ncondition: sel", "keyword"),
    )

    def titles(event: dict[str, object]) -> set[str]:
        return {info.title for info in engine.match(event, TEST_SOURCE)}

    assert titles({"CommandLine": "ab", "Image": "ab", "User": "", "Other": "zq"}) == set()
    assert titles({"CommandLine": "abc", "Image": "xab", "User": "u", "Other": "zqr"}) == {
        "at least three",
        "ends after one more",
        "one character",
        "keyword",
    }
