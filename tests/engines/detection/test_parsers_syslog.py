"""RFC 5424 and RFC 3164 syslog parsing, with the RFCs' own examples and hostile edge cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from hygie.detection.engine.parsers import ParserConfig, detect_and_parse, parse_syslog

REFERENCE = ParserConfig(reference_time=datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
BOM = "\ufeff"


# RFC 5424 §6.5, examples 1 to 4.
def test_rfc5424_example_1_bom_and_nil_procid() -> None:
    line = (
        f"<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - "
        f"{BOM}'su root' failed for lonvick on /dev/pts/8"
    )
    parsed = detect_and_parse(line)
    event = parsed.event
    assert parsed.parser == "rfc5424" and parsed.error is None
    assert event["log.syslog.facility.code"] == 4 and event["log.syslog.facility.name"] == "auth"
    assert event["log.syslog.severity.code"] == 2
    assert event["@timestamp"] == "2003-10-11T22:14:15.003000Z"
    assert event["host.name"] == "mymachine.example.com"
    assert event["process.name"] == "su" and "process.pid" not in event
    assert event["log.syslog.msgid"] == "ID47"
    assert event["message"] == "'su root' failed for lonvick on /dev/pts/8"
    assert event["event.original"] == line
    assert parsed.logsource is not None and parsed.logsource.service == "auth"


def test_rfc5424_example_2_fraction_and_offset() -> None:
    line = (
        "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - "
        "%% It's time to make the do-nuts."
    )
    event = detect_and_parse(line).event
    assert event["@timestamp"] == "2003-08-24T12:14:15.000003Z"
    assert event["log.syslog.facility.name"] == "local4"
    assert event["log.syslog.severity.name"] == "notice"
    assert event["host.name"] == "192.0.2.1"
    assert event["process.pid"] == 8710
    assert "log.syslog.msgid" not in event
    assert event["message"] == "%% It's time to make the do-nuts."


def test_rfc5424_example_3_structured_data_and_message() -> None:
    line = (
        "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
        '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] '
        f"{BOM}An application event log entry..."
    )
    event = detect_and_parse(line).event
    prefix = "log.syslog.structured_data.exampleSDID@32473"
    assert event[f"{prefix}.iut"] == "3"
    assert event[f"{prefix}.eventSource"] == "Application"
    assert event[f"{prefix}.eventID"] == "1011"
    assert event["message"] == "An application event log entry..."


def test_rfc5424_example_4_two_elements_no_message() -> None:
    line = (
        "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
        '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]'
        '[examplePriority@32473 class="high"]'
    )
    parsed = detect_and_parse(line)
    assert parsed.error is None
    assert parsed.event["log.syslog.structured_data.examplePriority@32473.class"] == "high"
    assert parsed.event["message"] == ""


def test_rfc5424_bom_in_bytes() -> None:
    line = b"<14>1 2026-11-28T10:00:00+01:00 host app 1 - - \xef\xbb\xbfcaf\xc3\xa9"
    event = detect_and_parse(line).event
    assert event["message"] == "café"
    assert event["@timestamp"] == "2026-11-28T09:00:00Z"


def test_rfc5424_escapes_and_repeated_params() -> None:
    line = r'<14>1 - host app - - [origin ip="10.0.0.1" ip="10.0.0.2" x="a\"b\]c\\d"] msg'
    event = detect_and_parse(line).event
    assert event["log.syslog.structured_data.origin.ip"] == ["10.0.0.1", "10.0.0.2"]
    assert event["log.syslog.structured_data.origin.x"] == 'a"b]c\\d'
    assert "@timestamp" not in event  # NILVALUE timestamp
    assert event["message"] == "msg"


@pytest.mark.parametrize(
    "stamp",
    [
        "2003-08-24T05:14:15.000000003-07:00",  # RFC 5424 §6.5: more than 6 fraction digits
        "1985-04-12T23:20:50.52",  # no time zone
        "2003-02-30T05:14:15Z",  # no such day
    ],
)
def test_rfc5424_invalid_timestamp_keeps_the_event(stamp: str) -> None:
    parsed = detect_and_parse(f"<14>1 {stamp} host app - - - text")
    assert parsed.error == "invalid RFC 5424 timestamp"
    assert parsed.event["error.message"] == parsed.error
    assert "@timestamp" not in parsed.event
    assert parsed.event["host.name"] == "host" and parsed.event["message"] == "text"


def test_rfc5424_broken_structured_data_is_reported() -> None:
    parsed = detect_and_parse('<14>1 - host app - - [id a="unterminated] msg')
    assert parsed.error == "invalid RFC 5424 structured data"
    assert parsed.event["message"] == '[id a="unterminated] msg'


# RFC 3164 §5.4 examples.
def test_rfc3164_example_1() -> None:
    line = "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8"
    parsed = detect_and_parse(line, REFERENCE)
    event = parsed.event
    assert parsed.parser == "rfc3164" and parsed.error is None
    assert event["log.syslog.facility.code"] == 4 and event["log.syslog.severity.code"] == 2
    assert event["@timestamp"] == "2026-10-11T22:14:15Z"
    assert event["host.name"] == "mymachine" and event["process.name"] == "su"
    assert event["message"] == "'su root' failed for lonvick on /dev/pts/8"


def test_rfc3164_example_2_no_pri_is_all_message() -> None:
    parsed = parse_syslog("Use the BFG!", REFERENCE)
    assert parsed.event["message"] == "Use the BFG!"
    assert "host.name" not in parsed.event and "@timestamp" not in parsed.event


def test_rfc3164_example_2_relayed() -> None:
    event = detect_and_parse("<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!", REFERENCE).event
    assert event["log.syslog.facility.name"] == "user"
    assert event["@timestamp"] == "2026-02-05T17:32:18Z"
    assert event["host.name"] == "10.0.0.99"
    assert event["message"] == "Use the BFG!" and "process.name" not in event


def test_rfc3164_example_3_non_standard_header_still_parses() -> None:
    line = (
        "<165>Aug 24 05:34:00 CST 1987 mymachine myproc[10]: %% It's time to make the "
        "do-nuts.  %%  Ingredients: Mix=OK, Jelly=OK # Devices: Mixer=OK"
    )
    parsed = detect_and_parse(line, REFERENCE)
    assert parsed.error is None
    assert parsed.event["log.syslog.facility.code"] == 20
    assert parsed.event["@timestamp"] == "2026-08-24T05:34:00Z"
    assert "It's time to make the do-nuts." in parsed.event["message"]


def test_rfc3164_example_4_invalid_timestamp_makes_everything_message() -> None:
    line = "<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's"
    parsed = detect_and_parse(line, REFERENCE)
    assert parsed.event["log.syslog.severity.name"] == "emerg"
    assert parsed.event["message"] == line[3:]
    assert "@timestamp" not in parsed.event and "host.name" not in parsed.event


def test_rfc3164_year_inference() -> None:
    # A December line read in January belongs to last year.
    january = ParserConfig(reference_time=datetime(2027, 1, 2, tzinfo=UTC))
    event = detect_and_parse("<13>Dec 31 23:59:00 h a: x", january).event
    assert event["@timestamp"] == "2026-12-31T23:59:00Z"
    # A clock a little ahead of ours stays in this year.
    event = detect_and_parse("<13>Nov 30 10:00:00 h a: x", REFERENCE).event
    assert event["@timestamp"] == "2026-11-30T10:00:00Z"
    # 29 February goes to the latest leap year.
    event = detect_and_parse("<13>Feb 29 10:00:00 h a: x", REFERENCE).event
    assert event["@timestamp"] == "2024-02-29T10:00:00Z"


def test_rfc3164_local_timezone() -> None:
    paris = timezone(timedelta(hours=1))
    config = ParserConfig(reference_time=datetime(2026, 11, 28, tzinfo=UTC), local_timezone=paris)
    event = detect_and_parse("Nov 28 10:00:00 web01 cron[1]: job", config).event
    assert event["@timestamp"] == "2026-11-28T09:00:00Z"


def test_rfc3339_header_as_rsyslog_writes_it() -> None:
    line = "2026-11-28T10:00:00.123456+01:00 pacs01 sshd[42]: Connection closed by 10.0.0.9 port 2"
    parsed = detect_and_parse(line)
    assert parsed.event["@timestamp"] == "2026-11-28T09:00:00.123456Z"
    assert parsed.event["host.name"] == "pacs01" and parsed.event["process.pid"] == 42
    assert parsed.logsource is not None and parsed.logsource.service == "sshd"


@pytest.mark.parametrize("pri", ["<192>", "<1000>", "<01>", "<>", "<x>"])
def test_invalid_pri_is_an_error_not_a_crash(pri: str) -> None:
    parsed = detect_and_parse(f"{pri}Oct 11 22:14:15 host app: text")
    assert parsed.error == "invalid syslog PRI"
    assert parsed.event["message"].startswith(pri)
