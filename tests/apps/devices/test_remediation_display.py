"""A remediation's CSAF category (written by the engine in English, 'Mitigation: …') reads in the
reader's language on the pages; the vendor's own words stay as written."""

from __future__ import annotations

import pytest
from django.utils import translation

from hygie.devices.models.intel import remediation_display

pytestmark = pytest.mark.usefixtures("english")


def test_categories_translated_line_by_line():
    text = "Vendor fix: Update to 5.3 https://example.org\nMitigation: Block port 23\nfree text"
    assert remediation_display(text) == text
    with translation.override("fr"):
        shown = remediation_display(text)
    lines = shown.splitlines()
    assert lines[0] == "Correctif du fabricant\u202f: Update to 5.3 https://example.org"
    assert lines[1] == "Atténuation\u202f: Block port 23"
    assert lines[2] == "free text"
    assert remediation_display("") == ""
