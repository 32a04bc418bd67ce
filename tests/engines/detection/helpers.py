"""Small builders for the semantic tests: a one-selection rule and a match check."""

from __future__ import annotations

import textwrap
import uuid
from typing import Any

from hygie.detection.engine import DetectionEngine, LogSourceSpec

TEST_SOURCE = LogSourceSpec(product="test")


def rule(detection: str, title: str = "test rule", level: str = "high") -> str:
    """A rule for product ``test`` with the given detection block (YAML, unindented)."""
    body = textwrap.indent(textwrap.dedent(detection).strip(), "    ")
    return (
        f"title: {title}\nid: {uuid.uuid4()}\nstatus: test\n"
        f"logsource:\n    product: test\ndetection:\n{body}\nlevel: {level}\n"
    )


def fires(engine: DetectionEngine, event: dict[str, Any]) -> bool:
    return bool(engine.match(event, TEST_SOURCE))
