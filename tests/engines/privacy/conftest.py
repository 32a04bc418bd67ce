"""Detectors are built once per session: compiling the Hyperscan database takes seconds."""

from __future__ import annotations

import pytest

from hygie.privacy.engine import Backend, PHIDetector, ScanConfig, hyperscan_available

KEY = b"test-key-not-a-secret-0123456789"


@pytest.fixture(scope="session")
def detector() -> PHIDetector:
    """The default detector (Hyperscan when installed, as in production)."""
    return PHIDetector(ScanConfig(hmac_key=KEY))


@pytest.fixture(scope="session")
def re_detector() -> PHIDetector:
    return PHIDetector(ScanConfig(hmac_key=KEY, backend=Backend.RE))


@pytest.fixture(scope="session")
def hs_detector(detector: PHIDetector) -> PHIDetector:
    if not hyperscan_available():
        pytest.skip("hyperscan is not installed")
    assert detector.backend is Backend.HYPERSCAN
    return detector
