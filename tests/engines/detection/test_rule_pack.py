"""Loading: every valid rule loads, every invalid one is reported with file, line and reason."""

from __future__ import annotations

from hygie.detection.engine import DetectionEngine, RuleSource, load_rule_pack
from hygie.lib.severity import Severity

from .helpers import rule

GOOD = rule("sel: {A: 1}\ncondition: sel", title="good")


def load(*texts: str | bytes):  # noqa: ANN201
    pack = load_rule_pack(RuleSource(f"r{n}.yml", t) for n, t in enumerate(texts))
    return pack, DetectionEngine(pack)


def test_valid_rule_loads_with_metadata() -> None:
    pack, engine = load(GOOD)
    assert not engine.problems
    (info,) = [r.info for r in engine.rules]
    assert info.title == "good"
    assert info.level is Severity.HIGH
    assert info.source == "r0.yml"
    assert info.line == 1


def test_invalid_yaml_is_located() -> None:
    pack, _ = load(GOOD, "title: x\ndetection: [unclosed\n")
    assert len(pack.rules) == 1
    (problem,) = pack.problems
    assert problem.location.file == "r1.yml"
    assert problem.location.line == 3
    assert "invalid YAML" in problem.reason


def test_unknown_modifier_points_at_its_line() -> None:
    bad = rule("sel:\n  A|nosuchmodifier: 1\ncondition: sel", title="bad")
    pack, _ = load(GOOD, bad)
    (problem,) = pack.problems
    assert problem.location.file == "r1.yml"
    assert problem.location.line == 8
    assert "nosuchmodifier" in problem.reason
    assert problem.title == "bad"


def test_bad_condition_is_reported_not_dropped() -> None:
    bad = rule("sel: {A: 1}\ncondition: sel and (", title="bad")
    pack, engine = load(GOOD, bad)
    assert len(engine.rules) == 1
    assert len(engine.problems) == 1
    assert engine.problems[0].location.file == "r1.yml"


def test_condition_on_unknown_selection_is_reported() -> None:
    pack, engine = load(rule("sel: {A: 1}\ncondition: other", title="bad"))
    assert not engine.rules
    assert len(engine.problems) == 1


def test_missing_title_and_bad_level() -> None:
    text = "logsource: {product: x}\ndetection:\n  s: {A: 1}\n  condition: s\nlevel: huge\n"
    pack, _ = load(text)
    assert pack.problems
    assert all(p.location.file == "r0.yml" for p in pack.problems)


def test_invalid_regex_is_reported() -> None:
    pack, engine = load(rule("sel:\n  A|re: '(unclosed'\ncondition: sel"))
    assert not engine.rules
    assert len(engine.problems) == 1


def test_hostile_files() -> None:
    huge = b"title: x\n" + b"#" * (2 * 1024 * 1024)
    not_utf8 = b"title: \xff\xfe\n"
    scalar = "just a string"
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: &d [*c, *c]\ne: [*d, *d]\n"
    pack, engine = load(GOOD, huge, not_utf8, scalar, bomb)
    assert len(engine.rules) == 1
    files = {p.location.file for p in pack.problems}
    assert {"r1.yml", "r2.yml", "r3.yml", "r4.yml"} <= files


def test_correlation_with_unknown_rule_is_reported() -> None:
    correlation = """
title: many
id: 10000000-0000-4000-8000-000000000000
correlation:
    type: event_count
    rules: [no_such_rule]
    group-by: [User]
    timespan: 1h
    condition: {gte: 3}
level: high
"""
    pack, _ = load(GOOD, correlation)
    assert not pack.correlations
    assert any(p.location.file == "r1.yml" for p in pack.problems)


def test_multi_document_files_and_global_action() -> None:
    text = """
action: global
title: shared
logsource: {product: test}
level: low
detection:
    condition: sel
---
id: 20000000-0000-4000-8000-000000000001
detection:
    sel: {A: 1}
---
id: 20000000-0000-4000-8000-000000000002
detection:
    sel: {B: 1}
"""
    pack, engine = load(text)
    assert not pack.problems
    assert len(engine.rules) == 2


def test_spec_utf16le_name_is_accepted() -> None:
    pack, engine = load(rule("sel:\n  A|utf16le|base64: 'x'\ncondition: sel"))
    assert not engine.problems
    assert len(engine.rules) == 1


def test_non_string_title_is_reported_not_a_crash() -> None:
    pack, _ = load(rule("sel: {A: 1}\ncondition: sel", title="12"))
    assert [p.reason for p in pack.problems] == ["Sigma rule title must be a string"]
    assert pack.problems[0].location.line == 1


def alias_bomb(levels: int) -> str:
    """A Sigma rule of a few hundred bytes whose selection expands to 9**levels values."""
    anchors = ['    a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    anchors += [
        f"    a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)
    ]
    return (
        "title: bomb\nstatus: test\nlogsource:\n    product: test\ndetection:\n"
        + "\n".join(anchors)
        + f"\n    sel:\n        A|contains: *a{levels - 1}\n"
        "    condition: sel\nlevel: high\n"
    )


def test_alias_bomb_is_refused_at_its_first_anchor() -> None:
    # Issue 9: such a rule cost seconds and hundreds of MB (MemoryError uncaught when larger).
    bomb = alias_bomb(6)
    assert len(bomb) < 500
    pack, engine = load(GOOD, bomb)
    assert len(engine.rules) == 1
    (problem,) = pack.problems
    assert problem.location.file == "r1.yml" and problem.location.line == 6
    assert "anchors and aliases" in problem.reason


def test_duplicate_key_in_a_rule_is_reported() -> None:
    # safe_load kept the second `sel`, silently changing what the rule matches.
    twice = rule("sel: {A: 1}\nsel: {B: 2}\ncondition: sel", title="twice")
    pack, engine = load(GOOD, twice)
    assert len(engine.rules) == 1
    (problem,) = pack.problems
    assert problem.location.line == 8 and "given twice (first on line 7)" in problem.reason


def test_deeply_nested_rule_is_refused_with_its_line() -> None:
    deep = rule("sel:\n  A: " + "[" * 2000 + "]" * 2000 + "\ncondition: sel", title="deep")
    pack, engine = load(GOOD, deep)
    (problem,) = pack.problems
    assert problem.location.line == 8 and "nested deeper than 32 levels" in problem.reason


def test_condition_given_as_a_mapping_is_reported_not_a_crash() -> None:
    """Found by fuzzing: pySigma raised TypeError (unhashable dict), failing the whole pack."""
    bad = "title: t\nlogsource: {product: x}\ndetection:\n  sel: {a: 1}\n  condition: {gte: 3}\n"
    good = rule("sel: {a: 1}\ncondition: sel")
    pack = load_rule_pack([RuleSource("bad.yml", bad), RuleSource("good.yml", good)])
    assert [(str(p.location), p.reason) for p in pack.problems] == [
        ("bad.yml:5", "condition must be a string expression")
    ]
    assert len(pack.rules) == 1


def test_detection_name_yaml_reads_as_a_boolean_is_reported_not_a_crash() -> None:
    """Found by fuzzing: an unquoted ``on:`` detection (YAML 1.1 boolean) matched by ``1 of
    selection_*`` made pySigma raise TypeError, failing the whole pack."""
    bad = rule("selection_a: {A: 1}\non: {B: 2}\ncondition: 1 of selection_*")
    pack = load_rule_pack([RuleSource("bad.yml", bad)])
    assert [p.reason for p in pack.problems] == [
        "detection name True is not text (quote it: YAML reads on, off, yes, no and numbers "
        "as values)"
    ]


def test_correlation_naming_a_rule_with_a_mapping_is_reported_not_a_crash() -> None:
    """Found by CI fuzzing: ``rules: [{name: field}]`` made pySigma look the rule up as None and
    raise AttributeError, failing the whole pack."""
    base = rule("sel: {a: 1}\ncondition: sel") + "name: base_rule\n"
    correlation = (
        "title: c\ncorrelation:\n  type: event_count\n  rules:\n    - {base_rule: x}\n"
        "  group-by: [a]\n  timespan: 1h\n  condition: {gte: 2}\n"
    )
    pack = load_rule_pack([RuleSource("base.yml", base), RuleSource("corr.yml", correlation)])
    assert [p.reason for p in pack.problems] == [
        "correlation rules: each entry must be a rule id or name, not a dict"
    ]
    assert len(pack.rules) == 1
    assert pack.correlations == ()
