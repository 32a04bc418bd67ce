"""The parsers' fast paths give exactly what the plain code they shortcut gives.

Each shortcut (PRI table, IPv4 regex, memoised timestamps, SD scanning with ``str.find``,
no percent-decoding of plain URLs) is compared with the straightforward computation on
arbitrary input, hostile input included.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from urllib.parse import unquote_plus
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from hygie.detection.engine.parsers import ParserConfig, detect_and_parse, syslog, web
from hygie.detection.engine.parsers.base import is_ip_address, utc_iso

FAST = settings(max_examples=400, deadline=None)


def _ip_reference(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


ADDRESS_TEXT = st.one_of(
    st.text(alphabet=st.sampled_from(list("0123456789.:abcdef%x \n\u0663")), max_size=24),
    st.ip_addresses().map(str),
    st.tuples(*[st.integers(0, 300)] * 4).map(lambda t: ".".join(map(str, t))),
    st.lists(st.sampled_from(["0", "00", "01", "255", "256", "9", "099", "1000"]), min_size=1,
             max_size=5).map(".".join),
)  # fmt: skip


@FAST
@given(ADDRESS_TEXT)
def test_is_ip_address_agrees_with_ipaddress(text: str) -> None:
    assert is_ip_address(text) == _ip_reference(text)


def test_is_ip_address_examples() -> None:
    for text in ("0.0.0.0", "255.255.255.255", "10.1.2.3", "::1", "fe80::1%eth0", "::ffff:1.2.3.4"):
        assert is_ip_address(text), text
    for text in (
        "",
        "01.2.3.4",
        "256.1.1.1",
        "1.2.3",
        "1.2.3.4.5",
        "1.2.3.4 ",
        "host",
        "\u0661.2.3.4",
    ):
        assert not is_ip_address(text), text


def _pri_reference(text: str) -> tuple[int | None, dict[str, object]]:
    event: dict[str, object] = {}
    return syslog._parse_pri_slowly(text, event), event


PRI_TEXT = st.one_of(
    st.integers(0, 1200).map(lambda n: f"<{n}>1 rest"),
    st.integers(0, 200).map(lambda n: f"<0{n}> rest"),
    st.text(alphabet=st.sampled_from(list("<>0123456789 a\u0663")), max_size=8),
)


@FAST
@given(PRI_TEXT)
def test_pri_table_agrees_with_the_regex(text: str) -> None:
    event: dict[str, object] = {}
    start = syslog.parse_pri(text, event)
    expected_start, expected_event = _pri_reference(text)
    assert start == expected_start
    assert list(event.items()) == list(expected_event.items())


STAMPS = st.one_of(
    st.builds(
        lambda moment, fraction, zone: moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + zone,
        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
        st.sampled_from(["", ".1", ".003", ".000003", ".1234567", ".123456789"]),
        st.sampled_from(["Z", "+01:00", "-07:00", "+14:00", "+99:99", "z", ""]),
    ),
    st.text(alphabet=st.sampled_from(list("0123456789-T:.Z+\u0663 ")), max_size=40),
)


@FAST
@given(STAMPS)
def test_rfc3339_memo_agrees_with_the_parser(stamp: str) -> None:
    moment = syslog.parse_rfc3339(stamp)
    expected = None if moment is None else utc_iso(moment)
    assert syslog.rfc3339_utc(stamp) == expected
    assert syslog.rfc3339_utc(stamp) == expected  # and again, from the cache


ZONES = st.sampled_from(
    [
        UTC,
        ZoneInfo("Europe/Paris"),
        ZoneInfo("Pacific/Kiritimati"),
        ZoneInfo("America/New_York"),
        timezone(timedelta(hours=-5)),
    ]
)
MONTHS = st.sampled_from(["Jan", "Feb", "Mar", "Jun", "Nov", "Dec", "Foo"])


@FAST
@given(
    MONTHS,
    st.sampled_from([" 1", " 2", "28", "29", "30", "31", "00", "32"]),
    st.sampled_from(["00", "02", "12", "23", "24"]),
    st.sampled_from(["00", "30", "59"]),
    st.sampled_from(["00", "59", "60"]),
    ZONES,
    st.datetimes(min_value=datetime(1995, 1, 1), max_value=datetime(2110, 1, 1),
                 timezones=ZONES),
)  # fmt: skip
def test_bsd_memo_agrees_with_the_year_search(
    month: str, day: str, hour: str, minute: str, second: str, zone: timezone, reference: datetime
) -> None:
    groups = (month, day, hour, minute, second)
    config = ParserConfig(reference_time=reference, local_timezone=zone)
    moment = syslog._bsd_time(groups, config, reference)
    expected = None if moment is None else utc_iso(moment)
    assert syslog._bsd_utc(groups, zone, reference) == expected


def test_bsd_memo_follows_the_reference_across_new_year() -> None:
    groups = ("Dec", "31", "23", "59", "59")
    for reference in (
        datetime(2026, 12, 31, 12, tzinfo=UTC),
        datetime(2027, 1, 1, 1, tzinfo=UTC),
        datetime(2027, 12, 20, tzinfo=UTC),
        datetime(2027, 12, 26, tzinfo=UTC),
    ):
        config = ParserConfig(reference_time=reference)
        expected = utc_iso(syslog._bsd_time(groups, config, reference) or reference)
        assert syslog._bsd_utc(groups, UTC, reference) == expected


CLF_TIMES = st.one_of(
    st.builds(
        lambda moment, zone: moment.strftime("%d/%b/%Y:%H:%M:%S ") + zone,
        st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31)),
        st.sampled_from(["+0000", "-0700", "+0100", "+1400", "+9999", "0100"]),
    ),
    st.text(alphabet=st.sampled_from(list("0123456789/:+- JanFebM")), max_size=30),
)


@FAST
@given(CLF_TIMES)
def test_clf_memo_agrees_with_the_parser(stamp: str) -> None:
    moment = web._clf_time(stamp)
    assert web._clf_utc(stamp) == (None if moment is None else utc_iso(moment))


def _name_reference(text: str, position: int) -> tuple[int, str]:
    end, limit = position, min(len(text), position + 64)
    while end < limit and text[end] not in ' =]"':
        end += 1
    return end, text[position:end]


def _quoted_reference(text: str, position: int) -> tuple[int, str | None]:
    out: list[str] = []
    while position < len(text):
        char = text[position]
        if char == "\\" and position + 1 < len(text) and text[position + 1] in '"\\]':
            out.append(text[position + 1])
            position += 2
            continue
        if char == '"':
            return position + 1, "".join(out)
        out.append(char)
        position += 1
    return position, None


SD_TEXT = st.text(alphabet=st.sampled_from(list('ab =]["\\\n\u00e9')), max_size=90)


@FAST
@given(SD_TEXT, st.integers(0, 100))
def test_sd_scanners_agree_with_character_loops(text: str, position: int) -> None:
    assert syslog._name(text, position) == _name_reference(text, position)
    assert syslog._quoted(text, position) == _quoted_reference(text, position)


@FAST
@given(st.text(alphabet=st.sampled_from(list("/a?=%2+7G é&")), min_size=1, max_size=40))
def test_decoded_url_is_unquote_plus_of_the_target(target: str) -> None:
    target = "/" + target.replace(" ", "")
    line = f'10.0.0.1 - - [02/Mar/2026:10:00:00 +0100] "GET {target} HTTP/1.1" 200 5'
    event = detect_and_parse(line).event
    assert event["url.decoded"] == unquote_plus(target)


def test_sd_name_regex_is_bounded() -> None:
    # 64 characters at most, whatever follows: no input makes the scan long.
    long_name = "x" * 10_000
    assert syslog._name(long_name, 0) == (64, "x" * 64)
    assert re.fullmatch(r"\[\^.*\]\{0,64\}", syslog._SD_NAME.pattern)


# The access-log regex as first written, with one alternation per quoted character.
_QUOTED_PLAIN = r'"((?:[^"\\]|\\.)*)"'
_CLF_PLAIN = re.compile(
    r"(\S{1,255}) (\S{1,255}) (\S{1,255}) \[([^\]]{1,64})\] "
    + _QUOTED_PLAIN
    + r" (\d{3}|-) (\d{1,20}|-)(?: "
    + _QUOTED_PLAIN
    + " "
    + _QUOTED_PLAIN
    + r")?"
)
CLF_PIECES = st.sampled_from(
    ['"', "\\", '\\"', "\\\\", " ", "a", "GET /x HTTP/1.1", "200", "-", "\n", "é", '" "']
)
CLF_LINES = st.builds(
    lambda request, tail: f'1.2.3.4 - - [02/Mar/2026:10:00:00 +0100] "{request}" 200 5 {tail}',
    st.lists(CLF_PIECES, max_size=12).map("".join),
    st.lists(CLF_PIECES, max_size=12).map("".join),
)


@FAST
@given(CLF_LINES)
def test_unrolled_quoted_regex_matches_like_the_alternation(line: str) -> None:
    plain, fast = _CLF_PLAIN.match(line), web._CLF.match(line)
    assert (plain is None) == (fast is None)
    if plain is not None and fast is not None:
        assert plain.groups() == fast.groups() and plain.end() == fast.end()


def test_access_log_regex_is_linear_on_hostile_quotes() -> None:
    for junk in ('\\"' * 20_000, "\\" * 40_000, '"' * 40_000, "a\\" * 20_000):
        line = f'1.2.3.4 - - [02/Mar/2026:10:00:00 +0100] "{junk} 200 5 "{junk}'
        parsed = detect_and_parse(line)  # returns at once; a backtracking regex would not
        assert parsed.parser in {"access_log", "unknown"}


class _UnhashableZone(tzinfo):
    """A site-made zone defining equality only (so unhashable): still parsed, not cached."""

    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _UnhashableZone)

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(hours=1)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return "X"


def test_unhashable_local_timezone_is_parsed_without_the_memo() -> None:
    config = ParserConfig(
        reference_time=datetime(2026, 11, 28, 12, tzinfo=UTC), local_timezone=_UnhashableZone()
    )
    parsed = detect_and_parse("<34>Nov 24 10:00:00 host app: hello", config)
    assert parsed.error is None and parsed.event["@timestamp"] == "2026-11-24T09:00:00Z"
