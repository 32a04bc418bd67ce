"""The hardened document loader: limits, refusals, positions, YAML and JSON alike."""

from __future__ import annotations

import datetime
import json

import pytest
import yaml

from hygie.lib import documents
from hygie.lib.documents import (
    Document,
    DocumentError,
    Limits,
    compose_yaml,
    dotted_path,
    load_json,
    load_yaml,
    load_yaml_all,
)
from hygie.lib.errors import Location

SMALL = Limits(max_bytes=10_000, max_depth=5, max_nodes=50, max_documents=3)


def billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def problem_of(loader, text, limits=SMALL):  # type: ignore[no-untyped-def]
    with pytest.raises(DocumentError) as caught:
        loader(text, "doc.yml", limits)
    return caught.value


# --- what a valid document gives ---------------------------------------------------------------


def test_values_are_those_of_safe_load() -> None:
    text = (
        "title: Test\ncount: 3\nratio: 1.5\nflag: yes\nnothing: ~\nday: 2026-01-02\n"
        "quoted: '007'\nlist: [a, 1, {b: c}]\nblob: !!binary aGk=\n"
    )
    assert load_yaml(text).data == yaml.safe_load(text)
    assert load_yaml(text).data["day"] == datetime.date(2026, 1, 2)


def test_positions_point_at_keys_and_items() -> None:
    document = load_yaml(
        "phases:\n  triage:\n    steps:\n      - title: A\n      - title: B\n", "p.yml"
    )
    assert document.location(("phases", "triage", "steps", 1, "title")) == Location("p.yml", 5, 9)
    assert document.location(("phases", "triage", "steps", 1)) == Location("p.yml", 5, 9)
    # An unknown path falls back on its nearest known ancestor.
    assert document.location(("phases", "triage", "nope", 3)) == Location("p.yml", 2, 3)
    assert document.dotted_lines()["phases.triage.steps[0].title"] == 4
    assert dotted_path(("a", 0, "b")) == "a[0].b"


def test_empty_text_is_no_document() -> None:
    assert load_yaml("") == Document(None)
    assert load_yaml_all("") == ()


def test_multi_document_stream() -> None:
    documents = load_yaml_all("a: 1\n---\nb: 2\n", "rules.yml")
    assert [d.data for d in documents] == [{"a": 1}, {"b": 2}]
    assert documents[1].location(("b",)) == Location("rules.yml", 3, 1)
    error = problem_of(load_yaml, "a: 1\n---\nb: 2\n")
    assert error.location == Location("doc.yml", 2, 1) and "second document" in error.message
    too_many = "---\na: 1\n" * 4
    assert "more than 3 documents" in problem_of(load_yaml_all, too_many).message


def test_bytes_are_decoded_as_utf8() -> None:
    assert load_yaml("\ufeffa: é".encode()).data == {"a": "é"}
    assert problem_of(load_yaml, b"a: \xff").message == "not UTF-8 (byte 3)"


def test_compose_keeps_tags_and_marks() -> None:
    node = compose_yaml("a: 1\nb: '1'\n")
    assert isinstance(node, yaml.MappingNode)
    tags = [value.tag for _, value in node.value]
    assert tags == ["tag:yaml.org,2002:int", "tag:yaml.org,2002:str"]
    assert node.value[1][0].start_mark.line == 1
    assert compose_yaml("") is None


# --- what is refused, and where ------------------------------------------------------------------


def test_billion_laughs_is_refused_at_the_first_anchor() -> None:
    error = problem_of(load_yaml, billion_laughs(), Limits())
    assert "anchors and aliases" in error.message and error.location == Location("doc.yml", 1, 5)
    assert "anchors and aliases" in problem_of(load_yaml_all, "a: &x 1\n---\nb: 2\n").message


def test_duplicate_keys_are_all_reported_with_the_document() -> None:
    error = problem_of(load_yaml, "a: 1\nb:\n  c: 1\n  c: 2\na: 3\n")
    assert [(p.path, p.location.line, p.message) for p in error.problems] == [
        (("b", "c"), 4, "key given twice (first on line 3)"),
        (("a",), 5, "key given twice (first on line 1)"),
    ]
    # The rest could be read: validators report their own problems alongside (first value kept).
    assert error.documents[0].data == {"a": 1, "b": {"c": 1}}
    # Equal values spelled differently are the same key.
    assert problem_of(load_yaml, "1: a\n0x1: b\n").problems[0].path == ("0x1",)


def test_depth_limit() -> None:
    assert load_yaml("[[[[[1]]]]]", limits=SMALL).data == [[[[[1]]]]]
    error = problem_of(load_yaml, "[[[[[[1]]]]]]")
    assert error.message == "nested deeper than 5 levels" and error.location.column == 6
    # Far beyond libyaml's own 1,000 levels and Python's recursion limit: same clear answer.
    deep = "a: " + "[" * 100_000 + "]" * 100_000
    assert "nested deeper" in problem_of(load_yaml, deep, Limits()).message
    block = "".join(" " * i + "- \n" for i in range(400))
    assert "nested deeper" in problem_of(load_yaml, block, Limits()).message


def test_node_and_size_limits() -> None:
    assert problem_of(load_yaml, "[" + ", ".join(["1"] * 60) + "]").message == "more than 50 values"
    assert problem_of(load_yaml, "a: " + "x" * 10_001).message == "larger than 10000 bytes"
    # Multi-byte characters count as bytes, not characters.
    assert problem_of(load_yaml, "a: " + "é" * 5_000).message == "larger than 10000 bytes"


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("a: !!python/object/apply:os.system ['true']", "!!python/object/apply:os.system"),
        ("a: !!set {x, y}", "!!set"),
        ("a: !local x", "!local"),
        ("<<: {a: 1}", "merge keys"),
        ("? [a, b]\n: c\n", "mapping key must be a plain value"),
        ("a: 2026-13-01", "invalid timestamp value"),
        # Found by fuzzing: explicit tags on text they do not fit crashed the safe constructors.
        ("a: !!int ", "invalid int value"),
        ("a: !!bool maybe", "invalid bool value"),
        ("a: !!timestamp x", "invalid timestamp value"),
        ("a: [1, 2", "not valid YAML"),
    ],
)
def test_refusals(text: str, fragment: str) -> None:
    error = problem_of(load_yaml, text, Limits())
    assert fragment in error.message and error.location is not None
    assert error.location.line is not None


# --- JSON -----------------------------------------------------------------------------------


def test_json_values_and_positions() -> None:
    text = '{\n  "a": [1, {"b": "x"}],\n  "c\\u0041": null\n}'
    document = load_json(text, "d.json")
    assert document.data == json.loads(text)
    assert document.location(("a", 1, "b")) == Location("d.json", 2, 13)
    assert document.location(("cA",)) == Location("d.json", 3, 3)


def test_json_refusals() -> None:
    duplicate = problem_of(load_json, '{"a": 1,\n "a": 2}')
    assert (
        duplicate.message == "key given twice (first on line 1)"
        and duplicate.location == Location("doc.yml", 2, 2)
    )
    # Deep nesting is measured before json.loads can recurse: no RecursionError.
    assert "nested deeper" in problem_of(load_json, "[" * 500_000, Limits()).message
    # Brackets inside strings are text, not nesting.
    assert load_json('{"a": "[[[[[[[[\\"[["}', limits=SMALL).data == {"a": '[[[[[[[["[['}
    assert problem_of(load_json, "[" + ",".join(["1"] * 60) + "]").message == "more than 50 values"
    syntax = problem_of(load_json, '{"a": \n}')
    assert syntax.message.startswith("not valid JSON") and syntax.location.line == 2


def test_pure_python_parser_gives_the_same_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    # Where libyaml is not installed, PyYAML's own parser streams the events.
    monkeypatch.setattr(documents, "_LOADER", yaml.SafeLoader)
    assert load_yaml("a: [1, {b: c}]").data == {"a": [1, {"b": "c"}]}
    assert "nested deeper" in problem_of(load_yaml, "a: " + "[" * 50_000, Limits()).message
    assert "anchors and aliases" in problem_of(load_yaml, billion_laughs()).message
    # Its reader refuses control characters before parsing.
    assert "not valid YAML" in problem_of(load_yaml, "a: \x06").message


def test_json_types_for_json_schema_validation() -> None:
    text = "1: a\nday: 2026-01-02\ncount: 3\nflag: yes\n"
    assert load_yaml(text, json_types=True).data == {
        "1": "a",
        "day": "2026-01-02",
        "count": 3,
        "flag": True,
    }
    assert load_yaml(text).data[1] == "a"  # yaml.safe_load's types otherwise
    with pytest.raises(DocumentError, match="!!binary"):
        load_yaml("a: !!binary aGk=", json_types=True)
    [document] = load_yaml_all("day: 2026-01-02", json_types=True)
    assert document.data == {"day": "2026-01-02"}


@pytest.mark.parametrize(
    "text",
    [
        "value: " + "9" * 5000,  # decimal: beyond Python's 4,300-digit int/str conversion limit
        "value: 0x" + "f" * 5000,  # hex: builds an int that fails when written as text
        "value: !!int " + "1" * 5000,
        "value: " + "1" * 1001 + ".5",
    ],
)
def test_yaml_numbers_longer_than_the_limit_are_refused(text: str) -> None:
    with pytest.raises(DocumentError, match="number longer than 1000 characters") as refused:
        load_yaml(text, "big.yml")
    assert refused.value.problems[0].location.line == 1


def test_yaml_numbers_within_the_limit_load() -> None:
    assert load_yaml("value: 0x" + "f" * 900).data["value"] == 16**900 - 1
    assert load_yaml("value: '" + "9" * 5000 + "'").data["value"] == "9" * 5000  # text stays


@pytest.mark.parametrize(
    "number", ["9" * 5000, "-" + "1" * 1001, "1." + "5" * 1001, "1e" + "9" * 1001]
)
def test_json_numbers_longer_than_the_limit_are_refused(number: str) -> None:
    with pytest.raises(DocumentError, match="number longer than 1000 characters"):
        load_json('{"a": [1, ' + number + "]}", "big.json")


def test_json_number_limit_is_a_limit_and_strings_are_not_numbers() -> None:
    assert load_json('{"a": ' + "9" * 1000 + "}").data["a"] == int("9" * 1000)
    assert load_json('{"a": "' + "9" * 5000 + '"}').data["a"] == "9" * 5000
    tight = Limits(max_number_chars=10)
    with pytest.raises(DocumentError, match="number longer than 10 characters"):
        load_json("[12345678901]", limits=tight)
