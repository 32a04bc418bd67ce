"""Establishment isolation bugs of the response module found by tests/apps/core/test_isolation.py,
each pinned by the smallest test that showed it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from hygie.core.testing import login_with_mfa


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["incident_transition", "incident_assign", "incident_link_alerts"])
def test_get_of_an_action_without_section_looks_the_incident_up(name, user_a, incident, incident_b):
    """A GET of these POST-only actions redirected to the incident page for any number, without
    looking the incident up: another establishment's incident got a 302 instead of the 404 of
    every other route naming it. (It revealed nothing — the redirect was the same for a number
    that does not exist — but it was the one route of the incident skipping the scoped lookup.)"""
    client = login_with_mfa(Client(), user_a)

    assert client.get(reverse(f"response:{name}", args=[incident_b.pk])).status_code == 404
    answer = client.get(reverse(f"response:{name}", args=[incident.pk]))
    assert answer.status_code == 302
    assert answer["Location"] == reverse("response:incident_detail", args=[incident.pk])
