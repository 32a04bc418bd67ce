"""The audit chain records changes and detects tampering done directly in the database."""

import pytest
from django.db import connection

from hygie.core import audit
from hygie.core.models import AuditEntry, Department


@pytest.mark.django_db
def test_changes_are_chained_and_chain_verifies(establishment_a):
    dept = Department.objects.create(establishment=establishment_a, name="Radiologie")
    dept.name = "Imagerie"
    dept.save()
    actions = list(AuditEntry.objects.filter(object_type="core.department")
                   .order_by("sequence").values_list("action", flat=True))
    assert actions == ["create", "update"]
    update = AuditEntry.objects.get(object_type="core.department", action="update")
    assert update.changes == {"name": {"before": "Radiologie", "after": "Imagerie"}}
    assert audit.verify_chain().is_intact


@pytest.mark.django_db
def test_modified_entry_is_detected(establishment_a):
    Department.objects.create(establishment=establishment_a, name="Pharmacie")
    target = AuditEntry.objects.order_by("sequence")[1]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET object_repr = %s WHERE id = %s",
                       ["forged", target.pk])
    report = audit.verify_chain()
    assert report.problem is not None
    assert (report.problem.sequence, report.problem.kind) == (target.sequence, "modified")


@pytest.mark.django_db
def test_deleted_entry_is_detected(establishment_a):
    for name in ("Bloc", "Urgences", "DSI"):
        Department.objects.create(establishment=establishment_a, name=name)
    target = AuditEntry.objects.order_by("sequence")[2]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [target.pk])
    report = audit.verify_chain()
    assert report.problem is not None
    assert (report.problem.sequence, report.problem.kind) == (target.sequence, "deleted")


@pytest.mark.django_db
def test_deleted_tail_is_detected(establishment_a):
    Department.objects.create(establishment=establishment_a, name="Bloc")
    last = AuditEntry.objects.order_by("-sequence").first()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [last.pk])
    report = audit.verify_chain()
    assert report.problem is not None and report.problem.kind == "deleted"
