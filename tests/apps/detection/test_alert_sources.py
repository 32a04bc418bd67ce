"""Alert sources: the demo raises alerts from installed modules only, and a forwarding
target's source filter lists every source an alert of the database carries (issue 10)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hygie import modules
from hygie.core.models import Alert
from hygie.core.services.demo import load_demo
from hygie.detection.forms import ForwardingTargetForm
from hygie.detection.forwarding import source_modules


@pytest.mark.django_db
def test_demo_alerts_come_from_installed_modules_and_are_all_selectable():
    load_demo()
    installed = {module.label for module in modules.discover()}
    sources = set(Alert.objects.values_list("source", flat=True))
    assert sources and sources <= installed, sources - installed
    for still_to_come in {"devices", "awareness"} - installed:
        assert still_to_come not in sources
    choices = dict(source_modules())
    assert sources <= set(choices)
    # Each source reads as a module's name, never as its key.
    assert all(choices[source] != source for source in sources)


@pytest.mark.django_db
def test_a_source_of_a_module_not_installed_is_still_selectable(establishment_a, user_a):
    now = timezone.now()
    Alert.objects.create(
        establishment=establishment_a,
        source="legacyscanner",
        title="Left by a module since removed",
        first_seen_at=now,
        last_seen_at=now,
    )
    values = [value for value, _label in source_modules()]
    assert "legacyscanner" in values and "detection" in values
    assert values == sorted(values)
    form = ForwardingTargetForm(user=user_a)
    assert "legacyscanner" in [value for value, _label in form.fields["sources"].choices]
