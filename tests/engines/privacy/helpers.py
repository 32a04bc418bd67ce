"""Small helpers shared by the privacy engine tests."""

from __future__ import annotations

from hygie.privacy.engine import ExtractedDocument, Finding, PHIDetector, extract


def findings_in_text(detector: PHIDetector, text: str) -> list[tuple[str, str, Finding]]:
    """(entity, value, finding) in plain text; tests see values, findings never hold them."""
    doc = ExtractedDocument("text", text, free_text=True)
    return [(f.entity.value, text[f.start : f.end], f) for f in detector.detect(doc)]


def values(detector: PHIDetector, data: bytes, name: str) -> set[tuple[str, str]]:
    doc = extract(data, name)
    return {(f.entity.value, doc.text[f.start : f.end]) for f in detector.detect(doc)}
