"""Fixtures of the compliance tests: the shipped library loaded, a CaRE assessment at
establishment A (synthetic data only)."""

from __future__ import annotations

import pytest

from tests.apps.core.view_mixins import english  # noqa: F401  (shared fixture)


@pytest.fixture
def shipped_library(db):
    from hygie.compliance.services import library

    report = library.sync_shipped_library()
    assert report.frameworks, report.problems
    return report


@pytest.fixture
def care(shipped_library):
    from hygie.compliance.models import Framework

    return Framework.objects.get(framework_id="care")


@pytest.fixture
def assessment(care, establishment_a, user_a):
    from hygie.compliance.services import assessments

    return assessments.create_assessment(user_a, establishment=establishment_a, framework=care)


@pytest.fixture
def assessment_b(care, establishment_b, user_b):
    from hygie.compliance.services import assessments

    return assessments.create_assessment(user_b, establishment=establishment_b, framework=care)
