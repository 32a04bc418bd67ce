"""The live-ingest benchmark's stream is read without a parse error, and some of it alerts."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

from hygie.detection.engine import DetectionEngine, DetectionSession, RuleSource, load_rule_pack
from hygie.detection.engine.parsers import detect_and_parse

ROOT = Path(__file__).resolve().parents[3]


def _bench() -> object:
    spec = importlib.util.spec_from_file_location("bench_ingest", ROOT / "bench/bench_ingest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_lines_parse_cleanly_and_match_the_healthcare_rules() -> None:
    lines = _bench().make_lines(12_000)  # type: ignore[attr-defined]
    rules = sorted((ROOT / "hygie/detection/rules/healthcare").glob("*.yml"))
    engine = DetectionEngine(load_rule_pack(RuleSource(str(p), p.read_bytes()) for p in rules))
    session = DetectionSession(engine)
    parsers: Counter[str] = Counter()
    titles: set[str] = set()
    for number, line in enumerate(lines):
        parsed = detect_and_parse(line)
        assert parsed.error is None, line
        parsers[parsed.parser] += 1
        result = session.process(parsed.event, origin=number, logsource=parsed.logsource)
        titles.update(rule.title for rule in result.rules)
        titles.update(match.rule.title for match in result.correlations)
    titles.update(match.rule.title for match in session.finish())
    assert set(parsers) == {"rfc5424", "rfc3164", "access_log", "fhir_audit_event", "hl7"}
    assert len(titles) == 5, titles
