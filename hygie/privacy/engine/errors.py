"""Errors of the PHI discovery engine. Messages describe the problem, never the offending value."""

from __future__ import annotations

from hygie.lib.errors import HygieError


class PrivacyEngineError(HygieError):
    """Root of every error the privacy engine raises on purpose."""


class ConfigError(PrivacyEngineError):
    """A scan configuration is unusable (key too short, confidence out of range, ...)."""


class ExtractionError(PrivacyEngineError):
    """Input bytes could not be read in the format they claim (corrupt, truncated, binary)."""


class ArchiveLimitError(ExtractionError):
    """An archive exceeds the depth, count, size or compression-ratio limits (zip-bomb guard)."""


class NERUnavailableError(PrivacyEngineError):
    """NER mode was asked for but spaCy or the named model is not installed."""
