"""The triage screen and the alert service (grouping, status, assignment)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hygie.core.models import Alert, AuditEntry
from hygie.core.services.alerts import change_alert_status, raise_alert
from tests.apps.core.view_mixins import ReadOnlyViewTests, english  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _alert(establishment, title="Connexion suspecte", **extra):
    return raise_alert(
        establishment=establishment,
        source="detection",
        title=f"{title} {establishment.name}",
        **extra,
    )


class TestAlertPages(ReadOnlyViewTests):
    url_base = "core:alert"
    denied_role = "staff"

    def make_object(self, establishment):
        return _alert(establishment)


def test_repeats_are_grouped_within_the_window(establishment_a):
    first = _alert(establishment_a, group_key="bruteforce:ws-01", severity=30)
    again = _alert(establishment_a, group_key="bruteforce:ws-01", severity=40)
    assert again.pk == first.pk
    stored = Alert.objects.get(pk=first.pk)
    assert (stored.occurrences, stored.severity) == (2, 40)
    later = _alert(
        establishment_a, group_key="bruteforce:ws-01", seen_at=timezone.now() + timedelta(days=2)
    )
    assert later.pk != first.pk
    assert Alert.objects.count() == 2


def test_closed_alert_is_not_reopened_by_a_repeat(establishment_a, user_a):
    first = _alert(establishment_a, group_key="k")
    change_alert_status(first, user_a, "closed")
    assert _alert(establishment_a, group_key="k").pk != first.pk


def test_list_shows_counts_and_filters(client_a, establishment_a):
    _alert(establishment_a, title="Critique", severity=50)
    _alert(establishment_a, title="Faible", severity=20)
    content = client_a.get(reverse("core:alert_list"), {"severity": "50"}).content.decode()
    assert "Critique" in content and "Faible CH" not in content
    assert 'class="count-bar"' in content


def test_counts_never_include_other_establishments(client_a, establishment_a, establishment_b):
    for _ in range(3):
        _alert(establishment_b, title="Ailleurs", severity=50, group_key="")
    response = client_a.get(reverse("core:alert_list"))
    counts = response.context["counts"]
    assert all(count == 0 for _value, _label, count in counts["severity"])


def test_status_change_and_assignment(client_a, establishment_a, user_a):
    alert = _alert(establishment_a)
    response = client_a.post(
        reverse("core:alert_status", args=[alert.pk]), {"status": "acknowledged"}
    )
    assert response.status_code == 302
    client_a.post(reverse("core:alert_assign", args=[alert.pk]), {"assignee": "me"})
    alert.refresh_from_db()
    assert alert.status == "acknowledged" and alert.assignee == user_a
    assert (
        AuditEntry.objects.filter(
            action="update", object_type="core.alert", object_id=str(alert.pk)
        ).count()
        == 2
    )


def test_cannot_assign_to_someone_of_another_establishment(client_a, establishment_a, user_b):
    alert = _alert(establishment_a)
    client_a.post(reverse("core:alert_assign", args=[alert.pk]), {"assignee": user_b.pk})
    alert.refresh_from_db()
    assert alert.assignee is None


def test_triage_needs_capability(make_user, login, client, establishment_a):
    alert = _alert(establishment_a)
    login(make_user("audit", "auditor", [establishment_a]))
    assert client.get(reverse("core:alert_detail", args=[alert.pk])).status_code == 200
    response = client.post(reverse("core:alert_status", args=[alert.pk]), {"status": "closed"})
    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.status == "new"


def test_triage_of_other_establishment_is_404(client_a, establishment_b):
    alert = _alert(establishment_b)
    assert (
        client_a.post(
            reverse("core:alert_status", args=[alert.pk]), {"status": "closed"}
        ).status_code
        == 404
    )
    alert.refresh_from_db()
    assert alert.status == "new"


def test_alert_on_an_asset_of_another_establishment_is_refused(establishment_a, establishment_b):
    from django.core.exceptions import ValidationError

    from hygie.core.models import Asset

    foreign = Asset.objects.create(establishment=establishment_b, hostname="srv-b")
    with pytest.raises(ValidationError):
        _alert(establishment_a, asset=foreign)
    assert not Alert.objects.exists()


def test_source_shows_the_module_name_not_its_key(client_a, establishment_a):
    from django.conf import settings

    _alert(establishment_a, title="Synthétique")
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"  # as the language switcher sets it
    content = client_a.get(reverse("core:alert_list")).content.decode()
    assert '<option value="detection">Détection</option>' in content
    assert ">detection<" not in content.replace(" ", "").replace("\n", "")
