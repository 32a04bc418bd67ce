"""Establishment scoping at the model layer: the one place every page and endpoint relies on."""

import pytest

from hygie.core.models import Asset, AuditEntry, Department, Establishment, Organisation


@pytest.mark.django_db
def test_user_sees_only_their_establishments(make_user, establishment_a, establishment_b):
    user = make_user("a", "rssi", [establishment_a])
    Department.objects.create(establishment=establishment_a, name="Urgences")
    Department.objects.create(establishment=establishment_b, name="Urgences")
    assert list(Establishment.objects.visible_to(user)) == [establishment_a]
    assert {d.establishment_id for d in Department.objects.visible_to(user)} == {establishment_a.pk}
    # One organisation with two visible establishments is listed once.
    user.establishments.add(establishment_b)
    user._visible_ids = None
    assert Organisation.objects.visible_to(user).count() == 1


@pytest.mark.django_db
def test_organisation_wide_and_anonymous_and_inactive(make_user, establishment_a, establishment_b):
    from django.contrib.auth.models import AnonymousUser

    wide = make_user("wide", "rssi", [], all_establishments=True)
    assert Establishment.objects.visible_to(wide).count() == 2
    assert Establishment.objects.visible_to(AnonymousUser()).count() == 0
    assert Establishment.objects.visible_to(None).count() == 0
    inactive = make_user("gone", "rssi", [establishment_a], is_active=False)
    assert Establishment.objects.visible_to(inactive).count() == 0
    nobody = make_user("new", "staff", [])
    assert Asset.objects.visible_to(nobody).count() == 0


@pytest.mark.django_db
def test_audit_entries_without_establishment_only_for_organisation_wide_users(
    make_user, establishment_a, organisation
):
    local = make_user("local", "auditor", [establishment_a])
    wide = make_user("wide", "auditor", [], all_establishments=True)
    Department.objects.create(establishment=establishment_a, name="DSI")
    tied = AuditEntry.objects.filter(establishment=establishment_a)
    untied = AuditEntry.objects.filter(establishment__isnull=True)
    assert tied.exists() and untied.exists()
    visible = AuditEntry.objects.visible_to(local)
    assert set(visible) == set(tied)
    assert AuditEntry.objects.visible_to(wide).count() == AuditEntry.objects.count()
