"""Condition constructs, wildcards, escaping, null and keywords (sigma-rules-specification.md)."""

from __future__ import annotations

from .conftest import EngineFactory
from .helpers import fires, rule


def engine_for(make_engine: EngineFactory, detection: str):  # noqa: ANN201
    return make_engine(rule(detection))


def test_and_or_not_with_precedence(make_engine: EngineFactory) -> None:
    engine = engine_for(
        make_engine,
        """
        a: {A: 1}
        b: {B: 1}
        c: {C: 1}
        condition: a or b and not c
        """,
    )
    assert fires(engine, {"A": 1, "C": 1})  # "and" binds tighter than "or"
    assert fires(engine, {"B": 1})
    assert not fires(engine, {"B": 1, "C": 1})
    assert not fires(engine, {"C": 1})


def test_parentheses(make_engine: EngineFactory) -> None:
    engine = engine_for(
        make_engine, "a: {A: 1}\nb: {B: 1}\nc: {C: 1}\ncondition: (a or b) and not c"
    )
    assert fires(engine, {"A": 1})
    assert not fires(engine, {"A": 1, "C": 1})


def test_one_of_and_all_of_patterns(make_engine: EngineFactory) -> None:
    detection = "sel_a: {A: 1}\nsel_b: {B: 1}\nfilter: {F: 1}\ncondition: COND"
    one = engine_for(make_engine, detection.replace("COND", "1 of sel_* and not filter"))
    assert fires(one, {"B": 1})
    assert not fires(one, {"B": 1, "F": 1})
    every = engine_for(make_engine, detection.replace("COND", "all of sel_*"))
    assert fires(every, {"A": 1, "B": 1})
    assert not fires(every, {"A": 1})


def test_them(make_engine: EngineFactory) -> None:
    detection = "x: {A: 1}\ny: {B: 1}\ncondition: COND"
    assert fires(engine_for(make_engine, detection.replace("COND", "1 of them")), {"B": 1})
    assert not fires(engine_for(make_engine, detection.replace("COND", "all of them")), {"B": 1})
    assert fires(
        engine_for(make_engine, detection.replace("COND", "all of them")), {"A": 1, "B": 1}
    )


def test_list_of_maps_is_or(make_engine: EngineFactory) -> None:
    engine = engine_for(make_engine, "sel:\n  - {A: 1, B: 2}\n  - {C: 3}\ncondition: sel")
    assert fires(engine, {"A": 1, "B": 2})
    assert fires(engine, {"C": 3})
    assert not fires(engine, {"A": 1})


def test_several_conditions_are_or(make_engine: EngineFactory) -> None:
    engine = engine_for(make_engine, "a: {A: 1}\nb: {B: 1}\ncondition:\n  - a\n  - b")
    assert fires(engine, {"B": 1})


def test_wildcards_and_escapes(make_engine: EngineFactory) -> None:
    engine = engine_for(make_engine, "sel:\n  F: 'a*b?c'\ncondition: sel")
    assert fires(engine, {"F": "aXXbYc"})
    assert fires(engine, {"F": "abéc"})  # ? is one character, not one byte
    assert not fires(engine, {"F": "abc"})
    escaped = engine_for(make_engine, "sel:\n  F: 'a\\*b\\?'\ncondition: sel")
    assert fires(escaped, {"F": "a*b?"})
    assert not fires(escaped, {"F": "aXbY"})
    backslash = engine_for(make_engine, "sel:\n  F: 'C:\\\\dir\\\\*'\ncondition: sel")
    assert fires(backslash, {"F": "C:\\dir\\file"})


def test_null_and_empty(make_engine: EngineFactory) -> None:
    null = engine_for(make_engine, "sel:\n  F: null\ncondition: sel")
    assert fires(null, {})
    assert fires(null, {"F": None})
    assert not fires(null, {"F": ""})
    not_null = engine_for(make_engine, "sel:\n  F: null\ncondition: not sel")
    assert fires(not_null, {"F": "x"})
    empty = engine_for(make_engine, "sel:\n  F: ''\ncondition: sel")
    assert fires(empty, {"F": ""})
    assert not fires(empty, {})


def test_keywords_search_every_value(make_engine: EngineFactory) -> None:
    engine = engine_for(
        make_engine, "keywords:\n  - 'event::clear'\n  - 'EVIL'\ncondition: keywords"
    )
    assert fires(engine, {"Any": "mimikatz # event::clear"})
    assert fires(engine, {"Other": ["x", "an evil thing"]})
    assert not fires(engine, {"Any": "event::list"})
    every = engine_for(make_engine, "k:\n  '|all':\n    - 'Oab'\n    - ' -Url '\ncondition: k")
    assert fires(every, {"A": "Set-OabVirtualDirectory", "B": "x -url y"})
    assert not fires(every, {"A": "Set-OabVirtualDirectory"})


def test_numbers_match_their_text(make_engine: EngineFactory) -> None:
    engine = engine_for(make_engine, "sel:\n  EventID: 4688\ncondition: sel")
    assert fires(engine, {"EventID": 4688})
    assert fires(engine, {"EventID": "4688"})
    assert not fires(engine, {"EventID": 46880})


def test_booleans(make_engine: EngineFactory) -> None:
    engine = engine_for(make_engine, "sel:\n  Signed: false\ncondition: sel")
    assert fires(engine, {"Signed": "false"})
    assert fires(engine, {"Signed": False})
    assert not fires(engine, {"Signed": "true"})


def test_list_valued_field_matches_any_item(make_engine: EngineFactory) -> None:
    engine = engine_for(make_engine, "sel:\n  Tags|endswith: '.exe'\ncondition: sel")
    assert fires(engine, {"Tags": ["a.txt", "b.EXE"]})
    assert not fires(engine, {"Tags": ["a.txt"]})


def test_rules_sharing_a_pattern_each_fire(make_engine: EngineFactory) -> None:
    first = rule("sel:\n  F|contains: 'shared'\ncondition: sel", title="one")
    second = rule("sel:\n  F|contains: 'shared'\n  G: 1\ncondition: sel", title="two")
    engine = make_engine(first, second)
    from .helpers import TEST_SOURCE

    assert {r.title for r in engine.match({"F": "a shared b", "G": 1}, TEST_SOURCE)} == {
        "one",
        "two",
    }
    assert {r.title for r in engine.match({"F": "a shared b"}, TEST_SOURCE)} == {"one"}


def test_values_holding_internal_separators_are_matched_exactly(make_engine: EngineFactory) -> None:
    # The prefilter frames values with \x01...\x00 and joins keyword values with \x1e; values
    # that contain those bytes must not fake an anchor or a match across values.
    ends = engine_for(make_engine, "sel:\n  F|endswith: '.exe'\ncondition: sel")
    assert not fires(ends, {"F": "evil.exe\x00.txt"})
    assert fires(ends, {"F": "a\x00b.exe"})
    starts = engine_for(make_engine, "sel:\n  F|startswith: 'cmd'\ncondition: sel")
    assert not fires(starts, {"F": "x\x01cmd"})
    keyword = engine_for(make_engine, "keywords:\n  - 'ab*cd'\ncondition: keywords")
    assert not fires(keyword, {"A": "ab", "B": "cd"})
    assert fires(keyword, {"A": "xab--cdx"})


def test_regex_keyword(make_engine: EngineFactory) -> None:
    engine = engine_for(make_engine, "keywords:\n  '|re': 'evil[0-9]+'\ncondition: keywords")
    assert fires(engine, {"A": "x", "B": "an evil42 thing"})
    assert not fires(engine, {"A": "EVIL42"})
