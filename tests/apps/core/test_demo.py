"""The demo organisation."""

from __future__ import annotations

import pytest

from hygie.core.audit import verify_chain
from hygie.core.models import Alert, Asset, Establishment, Evidence, Person
from hygie.core.services.demo import EMAIL_DOMAIN, DemoRefusedError, load_demo
from hygie.lib.identifiers import check_finess, check_rpps


@pytest.mark.django_db
def test_demo_builds_a_plausible_fictional_ght():
    summary = load_demo()
    assert summary.establishments == 3 and summary.people >= 40 and summary.assets >= 60
    kinds = set(Establishment.objects.values_list("kind", flat=True))
    assert kinds == {"ch", "clinic", "ehpad"}
    for establishment in Establishment.objects.all():
        assert establishment.timezone == "Europe/Paris"
        assert check_finess(establishment.finess_eg).is_valid
        assert check_finess(establishment.finess_ej).is_valid
    assert all(p.email.endswith("@" + EMAIL_DOMAIN) for p in Person.objects.all())
    assert all(check_rpps(p.rpps).is_valid for p in Person.objects.exclude(rpps=""))
    hostnames = set(Asset.objects.values_list("hostname", flat=True))
    assert {"irm-console-01", "srv-pacs-01", "clin-pompe-01"} <= hostnames
    assert Asset.objects.filter(kind="medical_device").count() >= 10
    assert len(set(Alert.objects.values_list("severity", flat=True))) >= 4
    # The core's proof (the medical device inventory snapshot); other modules add their own
    # (detection's reported phishing message twice, awareness's reported mails, compliance's
    # probe results…): at least detection's two messages, whatever the other modules add.
    assert Evidence.objects.filter(snapshot__medical_devices__isnull=False).count() == 1
    assert Evidence.objects.filter(original_name__endswith=".eml").count() >= 2
    assert verify_chain().is_intact


@pytest.mark.django_db
def test_demo_refuses_a_database_with_data(establishment_a):
    with pytest.raises(DemoRefusedError, match="empty database"):
        load_demo()
