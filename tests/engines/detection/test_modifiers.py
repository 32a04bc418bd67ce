"""Each value modifier of the Sigma specification (sigma-appendix-modifiers.md), both ways."""

from __future__ import annotations

import base64

import pytest

from .conftest import EngineFactory
from .helpers import fires, rule


def check(make_engine: EngineFactory, detection: str, yes: list[dict], no: list[dict]) -> None:
    engine = make_engine(rule(detection))
    for event in yes:
        assert fires(engine, event), event
    for event in no:
        assert not fires(engine, event), event


def test_plain_value_is_case_insensitive_equality(make_engine: EngineFactory) -> None:
    check(
        make_engine,
        "sel:\n  Image: 'C:\\Windows\\cmd.exe'\ncondition: sel",
        yes=[{"Image": "C:\\Windows\\cmd.exe"}, {"Image": "c:\\windows\\CMD.EXE"}],
        no=[{"Image": "C:\\Windows\\cmd.exe "}, {"Image": "D:\\Windows\\cmd.exe"}, {}],
    )


def test_contains(make_engine: EngineFactory) -> None:
    check(
        make_engine,
        "sel:\n  CommandLine|contains: ' -enc '\ncondition: sel",
        yes=[{"CommandLine": "powershell -ENC abc"}, {"CommandLine": " -enc "}],
        no=[{"CommandLine": "powershell -encoded"}, {"Other": " -enc "}],
    )


def test_startswith_and_endswith(make_engine: EngineFactory) -> None:
    check(
        make_engine,
        "sel:\n  Image|startswith: 'C:\\Users\\'\n  Image|endswith: '\\evil.exe'\ncondition: sel",
        yes=[{"Image": "c:\\users\\bob\\EVIL.exe"}],
        no=[{"Image": "D:\\users\\bob\\evil.exe"}, {"Image": "C:\\Users\\bob\\evil.exe.txt"}],
    )


def test_list_is_or_and_all_is_and(make_engine: EngineFactory) -> None:
    check(
        make_engine,
        "sel:\n  CommandLine|contains:\n    - 'a1'\n    - 'b2'\ncondition: sel",
        yes=[{"CommandLine": "xa1x"}, {"CommandLine": "b2"}],
        no=[{"CommandLine": "c3"}],
    )
    check(
        make_engine,
        "sel:\n  CommandLine|contains|all:\n    - 'a1'\n    - 'b2'\ncondition: sel",
        yes=[{"CommandLine": "b2 then a1"}],
        no=[{"CommandLine": "a1 only"}],
    )


def test_regex_is_case_sensitive_search(make_engine: EngineFactory) -> None:
    check(
        make_engine,
        "sel:\n  CommandLine|re: 'x[0-9]{2}y'\ncondition: sel",
        yes=[{"CommandLine": "aax12ybb"}],
        no=[{"CommandLine": "aaX12Ybb"}, {"CommandLine": "x1y"}],
    )


def test_regex_flags_i_m_s(make_engine: EngineFactory) -> None:
    check(
        make_engine,
        "sel:\n  F|re|i: '^abc$'\ncondition: sel",
        yes=[{"F": "ABC"}],
        no=[{"F": "abcd"}],
    )
    check(
        make_engine,
        "sel:\n  F|re|m: '^second$'\ncondition: sel",
        yes=[{"F": "first\nsecond\nthird"}],
        no=[{"F": "first second"}],
    )
    check(
        make_engine, "sel:\n  F|re|s: 'a.b'\ncondition: sel", yes=[{"F": "a\nb"}], no=[{"F": "ab"}]
    )
    check(
        make_engine, "sel:\n  F|re: 'a.b'\ncondition: sel", yes=[{"F": "axb"}], no=[{"F": "a\nb"}]
    )


def test_cidr_v4_and_v6(make_engine: EngineFactory) -> None:
    check(
        make_engine,
        "sel:\n  DestinationIp|cidr:\n    - '10.0.0.0/8'\n    - 'fd00::/8'\ncondition: sel",
        yes=[{"DestinationIp": "10.1.2.3"}, {"DestinationIp": "fd12::1"}],
        no=[{"DestinationIp": "11.0.0.1"}, {"DestinationIp": "not an ip"}, {"DestinationIp": 7}],
    )


def test_base64_and_base64offset(make_engine: EngineFactory) -> None:
    encoded = base64.b64encode(b"http://evil").decode()
    check(
        make_engine,
        "sel:\n  F|base64: 'http://evil'\ncondition: sel",
        yes=[{"F": encoded}],
        no=[{"F": "http://evil"}],
    )
    check(
        make_engine,
        "sel:\n  F|base64offset|contains: 'http://evil'\ncondition: sel",
        yes=[
            {"F": base64.b64encode(prefix + b"http://evil/x").decode()}
            for prefix in (b"", b"a", b"ab")
        ],
        no=[{"F": base64.b64encode(b"http://good/x").decode()}],
    )


def test_utf16_variants_and_wide(make_engine: EngineFactory) -> None:
    le = base64.b64encode("cmd".encode("utf-16-le")).decode()
    be = base64.b64encode("cmd".encode("utf-16-be")).decode()
    bom = base64.b64encode(b"\xff\xfe" + "cmd".encode("utf-16-le")).decode()
    check(
        make_engine,
        "sel:\n  F|utf16le|base64: 'cmd'\ncondition: sel",
        yes=[{"F": le}],
        no=[{"F": be}],
    )
    check(
        make_engine, "sel:\n  F|wide|base64: 'cmd'\ncondition: sel", yes=[{"F": le}], no=[{"F": be}]
    )
    check(
        make_engine,
        "sel:\n  F|utf16be|base64: 'cmd'\ncondition: sel",
        yes=[{"F": be}],
        no=[{"F": le}],
    )
    check(
        make_engine,
        "sel:\n  F|utf16|base64: 'cmd'\ncondition: sel",
        yes=[{"F": bom}],
        no=[{"F": le}],
    )


def test_windash(make_engine: EngineFactory) -> None:
    check(
        make_engine,
        "sel:\n  CommandLine|windash|contains: ' -exec '\ncondition: sel",
        yes=[{"CommandLine": f"x {dash}exec y"} for dash in "-/\u2013\u2014\u2015"],
        no=[{"CommandLine": "x +exec y"}],
    )


def test_cased(make_engine: EngineFactory) -> None:
    check(
        make_engine,
        "sel:\n  F|cased: 'MiXeD'\ncondition: sel",
        yes=[{"F": "MiXeD"}],
        no=[{"F": "mixed"}],
    )
    check(
        make_engine,
        "sel:\n  F|contains|cased: 'Evil'\ncondition: sel",
        yes=[{"F": "anEvilThing"}],
        no=[{"F": "anevilthing"}],
    )


def test_exists(make_engine: EngineFactory) -> None:
    check(
        make_engine,
        "sel:\n  F|exists: true\ncondition: sel",
        yes=[{"F": ""}, {"F": None}, {"F": 0}],
        no=[{"G": 1}],
    )
    check(make_engine, "sel:\n  F|exists: false\ncondition: sel", yes=[{"G": 1}], no=[{"F": "x"}])


def test_expand_uses_configured_placeholders(make_engine: EngineFactory) -> None:
    detection = "sel:\n  Host|expand: '%servers%'\ncondition: sel"
    engine = make_engine(rule(detection), placeholders={"servers": ("dc1", "dc2*")})
    assert fires(engine, {"Host": "DC1"})
    assert fires(engine, {"Host": "dc2.corp"})
    assert not fires(engine, {"Host": "dc3"})


def test_expand_without_value_matches_nothing_and_is_noted(make_engine: EngineFactory) -> None:
    engine = make_engine(rule("sel:\n  Host|expand: '%unset%'\ncondition: sel"))
    assert not fires(engine, {"Host": "%unset%"})
    assert any("unset" in note.reason for note in engine.notes)


def test_fieldref(make_engine: EngineFactory) -> None:
    check(
        make_engine,
        "sel:\n  A|fieldref: B\ncondition: sel",
        yes=[{"A": "x", "B": "X"}],
        no=[{"A": "x", "B": "y"}, {"A": "x"}],
    )
    check(
        make_engine,
        "sel:\n  A|fieldref|startswith: B\ncondition: sel",
        yes=[{"A": "abc", "B": "ab"}],
        no=[{"A": "abc", "B": "bc"}],
    )
    check(
        make_engine,
        "sel:\n  A|fieldref|endswith: B\ncondition: sel",
        yes=[{"A": "abc", "B": "bc"}],
        no=[{"A": "abc", "B": "ab"}],
    )
    check(
        make_engine,
        "sel:\n  A|fieldref|contains: B\ncondition: sel",
        yes=[{"A": "abc", "B": "b"}],
        no=[{"A": "abc", "B": "d"}],
    )


@pytest.mark.parametrize(
    ("modifier", "yes", "no"),
    [
        ("gt", [11, "11", 10.5], [10, 9, "x"]),
        ("gte", [10, "10.0"], [9]),
        ("lt", [9, "-3"], [10, 11]),
        ("lte", [10, 9], [11]),
    ],
)
def test_numeric_comparisons(
    make_engine: EngineFactory, modifier: str, yes: list[object], no: list[object]
) -> None:
    check(
        make_engine,
        f"sel:\n  N|{modifier}: 10\ncondition: sel",
        yes=[{"N": v} for v in yes],
        no=[{"N": v} for v in no] + [{}],
    )


def test_neq(make_engine: EngineFactory) -> None:
    check(
        make_engine,
        "sel:\n  Status|neq: 'ok'\n  Name: x\ncondition: sel",
        yes=[{"Status": "failed", "Name": "x"}, {"Name": "x"}],
        no=[{"Status": "OK", "Name": "x"}],
    )


def test_time_part_modifiers(make_engine: EngineFactory) -> None:
    check(
        make_engine,
        "sel:\n  UtcTime|hour: 3\ncondition: sel",
        yes=[{"UtcTime": "2025-11-27 03:40:10.132"}, {"UtcTime": "2025-11-27T03:00:00Z"}],
        no=[{"UtcTime": "2025-11-27 04:40:10.132"}, {"UtcTime": "garbage"}],
    )
    check(
        make_engine,
        "sel:\n  T|month: 11\ncondition: sel",
        yes=[{"T": "2025-11-27T03:00:00Z"}],
        no=[{"T": "2025-10-27T03:00:00Z"}],
    )


def test_regex_prefilter_keeps_python_semantics(make_engine: EngineFactory) -> None:
    # Through hyperscan these regexes only pick candidates; Python's re decides.
    check(
        make_engine, "sel:\n  F|re: 'a.b'\ncondition: sel", yes=[{"F": "xaéby"}], no=[{"F": "ab"}]
    )
    check(
        make_engine,
        "sel:\n  F|re: '^x{,2}y$'\ncondition: sel",
        yes=[{"F": "y"}, {"F": "xxy"}],
        no=[{"F": "xxxy"}],
    )
    check(
        make_engine,
        "sel:\n  F|re|i: 'ÉTÉ'\ncondition: sel",
        yes=[{"F": "un été"}],
        no=[{"F": "et"}],
    )
