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


# --- issue 9, defect 2: truncation, wipe and re-hashing done with database access only -------

def _rows() -> list[AuditEntry]:
    return list(AuditEntry.objects.order_by("sequence"))


def _make_entries(establishment, names=("Bloc", "Urgences", "DSI", "Pharmacie")) -> None:
    for name in names:
        Department.objects.create(establishment=establishment, name=name)


@pytest.mark.django_db
def test_truncated_tail_with_moved_head_is_detected(establishment_a):
    from hygie.core.audit_checkpoints import write_checkpoint

    _make_entries(establishment_a)
    write_checkpoint()
    rows = _rows()
    keep = rows[1]
    with connection.cursor() as cursor:  # what an attacker holding the database can do
        cursor.execute("DELETE FROM core_auditentry WHERE sequence > %s", [keep.sequence])
        cursor.execute("UPDATE core_auditchainhead SET sequence = %s, entry_hash = %s",
                       [keep.sequence, keep.entry_hash])
    report = audit.verify_chain()
    assert report.problem is not None
    assert (report.problem.check, report.problem.kind) == ("checkpoints", "truncated")
    assert f"#{rows[-1].sequence}" in report.problem.detail


@pytest.mark.django_db
def test_wiped_table_is_detected(establishment_a):
    from hygie.core.audit_checkpoints import write_checkpoint

    _make_entries(establishment_a)
    write_checkpoint()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry")
        cursor.execute("DELETE FROM core_auditchainhead")
    report = audit.verify_chain()
    assert report.problem is not None
    assert (report.problem.check, report.problem.kind) == ("checkpoints", "wiped")


def _rehash_plain_sha256(from_sequence: int, *, clear_key: bool) -> None:
    """Recompute every hash from ``from_sequence`` as the attacker can: plain SHA-256."""
    import hashlib

    previous = AuditEntry.objects.get(sequence=from_sequence - 1).entry_hash
    for entry in AuditEntry.objects.filter(sequence__gte=from_sequence).order_by("sequence"):
        digest = hashlib.sha256(previous.encode("ascii") + entry.canonical_content()).hexdigest()
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditentry SET previous_hash = %s, entry_hash = %s"
                           + (", key_id = ''" if clear_key else "") + " WHERE id = %s",
                           [previous, digest, entry.pk])
        previous = digest
    last = AuditEntry.objects.order_by("-sequence").first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditchainhead SET entry_hash = %s", [last.entry_hash])


@pytest.mark.django_db
@pytest.mark.parametrize("clear_key", [False, True], ids=["key-id-kept", "downgraded-to-legacy"])
def test_edit_then_plain_sha256_rehash_is_detected(establishment_a, clear_key):
    _make_entries(establishment_a)
    target = _rows()[2]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET object_repr = %s WHERE id = %s",
                       ["forged", target.pk])
    _rehash_plain_sha256(target.sequence, clear_key=clear_key)
    report = audit.verify_chain()
    assert report.problem is not None
    assert report.problem.sequence == target.sequence
    assert report.problem.check == ("legacy" if clear_key else "hmac")
