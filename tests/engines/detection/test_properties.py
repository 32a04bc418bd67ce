"""Invariant: hyperscan and the pure-Python fallback give the same answers on any value."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hygie.detection.engine import DetectionEngine, EngineConfig, RuleSource, load_rule_pack

from .helpers import TEST_SOURCE, rule

ALPHABET = st.sampled_from(list("abAB.\\-*?é\x00\x01\x1e \n"))
VALUES = st.text(alphabet=ALPHABET, max_size=12)
PATTERNS = [
    "F: 'ab'",
    "F|contains: 'b.'",
    "F|startswith: 'a\\\\'",
    "F|endswith: 'é'",
    "F: 'a*b'",
    "F: '?b*'",
    "F|contains|cased: 'A'",
    "F|re: 'a.b'",
    "F|re|i: '^b+$'",
    "F|windash|contains: '-a'",
]
RULES = [
    rule(f"sel:\n  {pattern}\ncondition: sel", title=f"rule {n}")
    for n, pattern in enumerate(PATTERNS)
]
RULES.append(rule("k:\n  - 'a*b'\n  - 'é'\ncondition: k", title="keywords"))


def _engine(use_hyperscan: bool) -> DetectionEngine:
    pack = load_rule_pack(RuleSource(f"r{n}.yml", text) for n, text in enumerate(RULES))
    assert not pack.problems
    return DetectionEngine(pack, EngineConfig(use_hyperscan=use_hyperscan))


FAST, PYTHON = _engine(True), _engine(False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=VALUES, other=VALUES)
def test_hyperscan_and_python_agree(value: str, other: str) -> None:
    event = {"F": value, "G": other}
    fast = {r.title for r in FAST.match(event, TEST_SOURCE)}
    python = {r.title for r in PYTHON.match(event, TEST_SOURCE)}
    assert fast == python
