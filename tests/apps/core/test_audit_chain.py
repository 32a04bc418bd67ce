"""The audit chain records changes and detects tampering done directly in the database."""

import pytest
from django.db import connection

from hygie.core import audit
from hygie.core.models import AuditEntry, Department
from tests.apps.core.view_mixins import english  # noqa: F401  (fixture)


@pytest.mark.django_db
def test_changes_are_chained_and_chain_verifies(establishment_a):
    dept = Department.objects.create(establishment=establishment_a, name="Radiologie")
    dept.name = "Imagerie"
    dept.save()
    actions = list(
        AuditEntry.objects.filter(object_type="core.department")
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update"]
    update = AuditEntry.objects.get(object_type="core.department", action="update")
    assert update.changes == {"name": {"before": "Radiologie", "after": "Imagerie"}}
    assert audit.verify_chain().is_intact


@pytest.mark.django_db
def test_modified_entry_is_detected(establishment_a):
    Department.objects.create(establishment=establishment_a, name="Pharmacie")
    target = AuditEntry.objects.order_by("sequence")[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET object_repr = %s WHERE id = %s", ["forged", target.pk]
        )
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
        cursor.execute(
            "UPDATE core_auditchainhead SET sequence = %s, entry_hash = %s",
            [keep.sequence, keep.entry_hash],
        )
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
            cursor.execute(
                "UPDATE core_auditentry SET previous_hash = %s, entry_hash = %s"
                + (", key_id = ''" if clear_key else "")
                + " WHERE id = %s",
                [previous, digest, entry.pk],
            )
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
        cursor.execute(
            "UPDATE core_auditentry SET object_repr = %s WHERE id = %s", ["forged", target.pk]
        )
    _rehash_plain_sha256(target.sequence, clear_key=clear_key)
    report = audit.verify_chain()
    assert report.problem is not None
    assert report.problem.sequence == target.sequence
    assert report.problem.check == ("legacy" if clear_key else "hmac")


# --- keys, rotation, legacy upgrade, checkpoint file ------------------------------------------


@pytest.mark.django_db
def test_entries_are_keyed_and_key_files_are_private(establishment_a):
    import stat

    from hygie.core import audit_keys

    _make_entries(establishment_a, ("Bloc",))
    entry = _rows()[-1]
    assert entry.key_id and audit_keys.KEY_ID_PATTERN.match(entry.key_id)
    key_file = audit_keys.key_dir() / f"{entry.key_id}.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(audit_keys.key_dir().stat().st_mode) == 0o700
    # The hash is an HMAC: the plain SHA-256 an attacker can compute is something else.
    assert entry.compute_hash(audit_keys.load(entry.key_id).secret) == entry.entry_hash
    report = audit.verify_chain()
    assert report.is_intact and report.keyed == report.checked and report.legacy == 0


def test_key_ids_cannot_name_files_outside_the_key_folder():
    from hygie.core import audit_keys

    with pytest.raises(audit_keys.AuditKeyError):
        audit_keys.load("../../secret_key")


@pytest.mark.django_db
def test_rotation_signs_new_entries_with_the_new_key_and_old_ones_still_verify(establishment_a):
    _make_entries(establishment_a, ("Bloc", "DSI"))
    old_key = _rows()[-1].key_id
    new_key = audit.rotate_key()
    _make_entries(establishment_a, ("Urgences",))
    rows = _rows()
    assert rows[-1].key_id == new_key.key_id != old_key
    rotation = AuditEntry.objects.get(object_type="core.auditkey")
    assert rotation.key_id == new_key.key_id and rotation.sequence == new_key.first_sequence
    report = audit.verify_chain()
    assert report.is_intact
    assert set(report.key_ids) == {old_key, new_key.key_id}


@pytest.mark.django_db
def test_a_missing_key_makes_its_entries_unverifiable(establishment_a):
    from hygie.core import audit_keys

    _make_entries(establishment_a, ("Bloc",))
    key_id = _rows()[-1].key_id
    (audit_keys.key_dir() / f"{key_id}.key").unlink()
    audit_keys._cache.clear()
    report = audit.verify_chain()
    assert report.problem is not None
    assert (report.problem.check, report.problem.kind) == ("keys", "unverifiable")


def _legacy_chain(count: int) -> None:
    """Entries as Hygie wrote them before keys existed: plain SHA-256, no key id."""
    from django.utils import timezone

    from hygie.core.models import AuditChainHead
    from hygie.core.models.audit import GENESIS_HASH

    previous = GENESIS_HASH
    for sequence in range(1, count + 1):
        entry = AuditEntry(
            sequence=sequence,
            at=timezone.now(),
            actor_label="system",
            action="system",
            channel="system",
            message=f"legacy {sequence}",
            previous_hash=previous,
        )
        entry.entry_hash = entry.compute_hash()
        entry.save()
        previous = entry.entry_hash
    AuditChainHead.objects.update_or_create(
        pk=1, defaults={"sequence": count, "entry_hash": previous}
    )


def _first_keyed_entries() -> None:
    from hygie.core.models import Organisation

    Organisation.objects.create(name="GHT Upgrade", kind="ght")


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_an_upgraded_chain_keeps_its_legacy_prefix_verifiable():
    _legacy_chain(5)
    assert audit.verify_chain().is_intact  # before the first keyed entry
    _first_keyed_entries()
    rows = _rows()
    assert [bool(row.key_id) for row in rows[:6]] == [False] * 5 + [True]
    report = audit.verify_chain()
    assert report.is_intact and report.legacy == 5 and report.keyed == len(rows) - 5
    assert any("legacy" in check.detail for check in report.checks)


@pytest.mark.django_db
def test_a_rewritten_legacy_prefix_is_detected_by_the_first_keyed_entry():
    _legacy_chain(5)
    _first_keyed_entries()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET message = 'forged' WHERE sequence = 3")
    _rehash_legacy_prefix(3, 5)
    report = audit.verify_chain()
    assert report.problem is not None
    assert (report.problem.sequence, report.problem.check) == (6, "links")


def _rehash_legacy_prefix(first: int, last: int) -> None:
    import hashlib

    previous = AuditEntry.objects.get(sequence=first - 1).entry_hash
    for entry in AuditEntry.objects.filter(sequence__range=(first, last)).order_by("sequence"):
        digest = hashlib.sha256(previous.encode("ascii") + entry.canonical_content()).hexdigest()
        AuditEntry.objects.filter(pk=entry.pk).update(previous_hash=previous, entry_hash=digest)
        previous = digest


@pytest.mark.django_db
def test_reordered_entries_are_detected(establishment_a):
    _make_entries(establishment_a)
    rows = _rows()
    second, third = rows[1], rows[2]
    with connection.cursor() as cursor:  # swap two entries' places in the chain
        cursor.execute("UPDATE core_auditentry SET sequence = -1 WHERE id = %s", [second.pk])
        cursor.execute(
            "UPDATE core_auditentry SET sequence = %s WHERE id = %s", [second.sequence, third.pk]
        )
        cursor.execute(
            "UPDATE core_auditentry SET sequence = %s WHERE id = %s", [third.sequence, second.pk]
        )
    report = audit.verify_chain()
    assert report.problem is not None and report.problem.sequence == second.sequence


@pytest.mark.django_db
def test_checkpoints_are_signed_chained_private_and_not_repeated(establishment_a):
    import json
    import stat

    from hygie.core.audit_checkpoints import checkpoint_file, read_log, write_checkpoint

    _make_entries(establishment_a, ("Bloc",))
    first, is_new = write_checkpoint()
    assert is_new and first is not None
    assert write_checkpoint() == (first, False)  # the head did not move: nothing written
    _make_entries(establishment_a, ("DSI",))
    second, is_new = write_checkpoint()
    assert is_new and second.previous == first.mac and second.sequence == _rows()[-1].sequence
    path = checkpoint_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["sequence"] for line in lines] == [first.sequence, second.sequence]
    assert read_log().problem == ""
    report = audit.verify_chain()
    assert report.is_intact and report.checkpoints == 2 and report.unanchored == 0


@pytest.mark.django_db
@pytest.mark.parametrize("damage", ["edited", "line-removed", "cut"])
def test_a_damaged_checkpoint_file_is_reported(establishment_a, damage):
    from hygie.core.audit_checkpoints import checkpoint_file, write_checkpoint

    for name in ("Bloc", "DSI", "Urgences"):
        _make_entries(establishment_a, (name,))
        write_checkpoint()
    path = checkpoint_file()
    lines = path.read_text().splitlines(keepends=True)
    if damage == "edited":
        lines[1] = lines[1].replace('"sequence":', '"sequence":1', 1)
    elif damage == "line-removed":
        del lines[1]
    else:
        lines[-1] = lines[-1][:-10]
    path.write_text("".join(lines))
    report = audit.verify_chain()
    assert report.problem is not None
    assert (report.problem.check, report.problem.kind) == ("checkpoints", "forged")
    assert any(not check.ok and check.name == "checkpoint file" for check in report.checks)


@pytest.mark.django_db
def test_a_checkpoint_never_vouches_for_a_tampered_chain(establishment_a):
    from hygie.core.audit_checkpoints import AuditCheckpointError, read_log, write_checkpoint

    _make_entries(establishment_a)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET object_repr = 'forged' WHERE sequence = 2")
    with pytest.raises(AuditCheckpointError, match="#2"):
        write_checkpoint()
    assert read_log().checkpoints == ()


@pytest.mark.django_db
def test_a_head_reset_after_a_wipe_is_detected_even_without_checkpoints(establishment_a):
    """The attacker empties the table and the head; Hygie goes on writing from #1 with the
    current key, which the key file says only signs from a later sequence after a rotation."""
    _make_entries(establishment_a, ("Bloc",))
    audit.rotate_key()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry")
        cursor.execute("DELETE FROM core_auditchainhead")
    report = audit.verify_chain()
    assert report.problem is not None
    assert (report.problem.check, report.problem.kind) == ("keys", "truncated")


@pytest.mark.django_db
@pytest.mark.parametrize("scheme", ["udp", "tcp"])
def test_checkpoints_are_sent_to_the_syslog_collector(establishment_a, settings, scheme):
    import json
    import socket

    from hygie.core.audit_checkpoints import write_checkpoint

    kind = socket.SOCK_DGRAM if scheme == "udp" else socket.SOCK_STREAM
    with socket.socket(socket.AF_INET, kind) as collector:
        collector.bind(("127.0.0.1", 0))
        collector.settimeout(10)
        if scheme == "tcp":
            collector.listen(1)
        settings.HYGIE_AUDIT_SYSLOG = f"{scheme}://127.0.0.1:{collector.getsockname()[1]}"
        checkpoint, _ = write_checkpoint()
        if scheme == "udp":
            received = collector.recv(65535)
        else:
            connection_, _ = collector.accept()
            with connection_:
                received = connection_.recv(65535)
                length, _, received = received.partition(b" ")
                assert int(length) == len(received)
    assert received.startswith(b"<110>1 ") and b" hygie - audit-checkpoint - " in received
    line = json.loads(received.split(b" audit-checkpoint - ", 1)[1])
    assert (line["sequence"], line["mac"]) == (checkpoint.sequence, checkpoint.mac)


@pytest.mark.django_db
def test_an_unreachable_syslog_collector_does_not_lose_the_checkpoint(
    establishment_a, settings, caplog
):
    import socket

    from hygie.core.audit_checkpoints import read_log, write_checkpoint

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.HYGIE_AUDIT_SYSLOG = f"tcp://127.0.0.1:{port}"
    checkpoint, written = write_checkpoint()
    assert written and read_log().last == checkpoint
    assert "not sent" in caplog.text


def test_audit_file_locations_and_syslog_come_from_the_configuration(monkeypatch, tmp_path):
    from hygie.config import ConfigError, load_settings

    monkeypatch.setenv("HYGIE_HOME", str(tmp_path))
    defaults = load_settings()
    assert defaults.audit_key_dir == tmp_path.resolve() / "keys" / "audit"
    assert defaults.audit_checkpoint_file == tmp_path.resolve() / "audit" / "checkpoints.log"
    assert defaults.audit_syslog == ""
    (tmp_path / "hygie.toml").write_text(
        f'audit_key_dir = "{tmp_path / "vault"}"\naudit_syslog = "tcp://siem.example.org:6514"\n'
    )
    configured = load_settings()
    assert configured.audit_key_dir == tmp_path.resolve() / "vault"
    assert configured.audit_syslog == "tcp://siem.example.org:6514"
    monkeypatch.setenv("HYGIE_AUDIT_SYSLOG", "siem.example.org:514")
    with pytest.raises(ConfigError, match="udp://host:514"):
        load_settings()


@pytest.mark.django_db
def test_a_corrupt_key_file_is_reported_not_raised(establishment_a):
    from hygie.core import audit_keys

    _make_entries(establishment_a, ("Bloc",))
    key_id = _rows()[-1].key_id
    (audit_keys.key_dir() / f"{key_id}.key").write_text("{not json")
    audit_keys._cache.clear()
    report = audit.verify_chain()
    assert report.problem is not None
    assert (report.problem.check, report.problem.kind) == ("keys", "unverifiable")
    assert "unreadable" in report.problem.detail


@pytest.mark.django_db
def test_hygie_check_reports_audit_anchoring(establishment_a, settings):
    import dataclasses

    from hygie.core.audit_checkpoints import checkpoint_file, write_checkpoint
    from hygie.core.services.selfcheck import _check_audit_anchoring

    keys = settings.HYGIE_AUDIT_KEY_DIR
    config = dataclasses.replace(
        settings.CONFIG,
        home=keys.parent,
        audit_key_dir=keys,
        audit_checkpoint_file=settings.HYGIE_AUDIT_CHECKPOINT_FILE,
        audit_syslog="udp://127.0.0.1:514",
    )

    def findings():
        return {
            (finding.level, finding.topic, finding.message.split(":")[0])
            for finding in _check_audit_anchoring(config)
        }

    assert ("warning", "audit checkpoints", "the audit trail has no checkpoint yet") in findings()
    write_checkpoint()
    assert {level for level, _, _ in findings()} == {"ok"}
    keys.chmod(0o755)
    assert any(level == "error" and topic == "audit keys" for level, topic, _ in findings())
    keys.chmod(0o700)
    checkpoint_file().write_text("not a checkpoint\n")
    assert any(level == "error" and topic == "audit checkpoints" for level, topic, _ in findings())
    outside = dataclasses.replace(config, home=keys.parent / "elsewhere", audit_syslog="")
    messages = [finding.message for finding in _check_audit_anchoring(outside)]
    assert any("outside HYGIE_HOME" in message for message in messages)
    assert any("on this host only" in message for message in messages)


@pytest.mark.django_db
def test_without_its_active_key_hygie_refuses_changes_until_a_new_key(establishment_a):
    from hygie.core import audit_keys

    _make_entries(establishment_a, ("Bloc",))
    key_id = _rows()[-1].key_id
    (audit_keys.key_dir() / f"{key_id}.key").unlink()
    audit_keys._cache.clear()
    with pytest.raises(audit_keys.AuditKeyError, match="missing"):
        Department.objects.create(establishment=establishment_a, name="Unaudited")
    new_key = audit.rotate_key()
    _make_entries(establishment_a, ("DSI",))
    assert _rows()[-1].key_id == new_key.key_id
    report = audit.verify_chain()  # the entries of the lost key can no longer be verified
    assert report.problem is not None and report.problem.kind == "unverifiable"


# --- the checkpoint file deleted or emptied together with the attack (review of defect 2) -----


def _move_head_to(entry: AuditEntry) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE sequence > %s", [entry.sequence])
        cursor.execute(
            "UPDATE core_auditchainhead SET sequence = %s, entry_hash = %s",
            [entry.sequence, entry.entry_hash],
        )


def _remove_checkpoint_file(how: str) -> None:
    from hygie.core.audit_checkpoints import checkpoint_file

    if how == "deleted":
        checkpoint_file().unlink()
    else:
        checkpoint_file().write_bytes(b"")


@pytest.mark.django_db
def test_each_checkpoint_is_recorded_in_the_keyed_chain(establishment_a):
    from hygie.core.audit_checkpoints import write_checkpoint

    _make_entries(establishment_a, ("Bloc",))
    first, _ = write_checkpoint()
    record = _rows()[-1]
    assert (record.sequence, record.entry_hash) == (first.sequence, first.entry_hash)
    assert record.object_type == "core.auditcheckpoint" and record.object_id == "1"
    assert record.key_id
    assert record.message == f"Audit checkpoint #1 signed at entry #{record.sequence}"
    assert write_checkpoint() == (first, False)  # its own record does not call for another one


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["deleted", "emptied"])
@pytest.mark.usefixtures("english")
def test_a_truncated_tail_with_the_checkpoint_file_removed_is_detected(establishment_a, how):
    from hygie.core.audit_checkpoints import write_checkpoint

    _make_entries(establishment_a, ("Bloc",))
    write_checkpoint()
    _make_entries(establishment_a, ("DSI", "Urgences"))
    _move_head_to(_rows()[-2])
    _remove_checkpoint_file(how)
    report = audit.verify_chain()
    assert report.problem is not None
    assert (report.problem.check, report.problem.kind) == ("checkpoint file", "truncated")
    assert "records 1 signed checkpoint" in report.problem.detail
    assert any(not check.ok and check.name == "checkpoint file" for check in report.checks)
    assert not any(check.ok and check.name == "checkpoint file" for check in report.checks)


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_a_wiped_table_with_the_checkpoint_file_removed_is_detected(establishment_a, how):
    from hygie.core.audit_checkpoints import write_checkpoint

    _make_entries(establishment_a)
    write_checkpoint()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry")
        cursor.execute("DELETE FROM core_auditchainhead")
    _remove_checkpoint_file(how)
    report = audit.verify_chain()
    assert report.problem is not None and report.checked == 0
    assert (report.problem.check, report.problem.kind) == ("keys", "wiped")


@pytest.mark.django_db
def test_a_wiped_table_is_detected_even_before_any_checkpoint(establishment_a):
    _make_entries(establishment_a, ("Bloc",))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry")
        cursor.execute("DELETE FROM core_auditchainhead")
    report = audit.verify_chain()
    assert report.problem is not None
    assert (report.problem.check, report.problem.kind) == ("keys", "wiped")


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_a_removed_last_checkpoint_line_is_detected_while_its_record_remains(establishment_a):
    from hygie.core.audit_checkpoints import checkpoint_file, write_checkpoint

    for name in ("Bloc", "DSI"):
        _make_entries(establishment_a, (name,))
        write_checkpoint()
    _make_entries(establishment_a, ("Urgences",))
    _move_head_to(_rows()[-2])
    path = checkpoint_file()
    path.write_text("".join(path.read_text().splitlines(keepends=True)[:-1]))
    report = audit.verify_chain()
    assert report.problem is not None
    assert (report.problem.check, report.problem.kind) == ("checkpoint file", "truncated")
    assert "holds 1" in report.problem.detail


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_an_old_keyed_chain_without_any_checkpoint_cannot_be_called_intact(
    establishment_a, monkeypatch
):
    from datetime import timedelta

    from django.utils import timezone

    from hygie.core.audit_checkpoints import CHECKPOINT_INTERVAL

    _make_entries(establishment_a, ("Bloc",))
    assert audit.verify_chain().is_intact  # young: the first hourly checkpoint is not due yet
    later = timezone.now() + 2 * CHECKPOINT_INTERVAL + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    report = audit.verify_chain()
    assert report.problem is not None
    assert (report.problem.check, report.problem.kind) == ("checkpoint file", "unanchored")
    assert report.problem.detail.startswith("cannot tell: checkpoint file missing")


@pytest.mark.django_db
def test_a_fresh_installation_verifies():
    from hygie.core import audit_keys

    assert audit_keys.key_ids() == []
    report = audit.verify_chain()
    assert report.is_intact and report.checked == 0


@pytest.mark.django_db
def test_hygie_check_reports_a_removed_checkpoint_file_and_a_wipe_like_verify(
    establishment_a, settings
):
    import dataclasses

    from hygie.core.audit_checkpoints import checkpoint_file, write_checkpoint
    from hygie.core.services.selfcheck import _check_audit_anchoring

    keys = settings.HYGIE_AUDIT_KEY_DIR
    config = dataclasses.replace(
        settings.CONFIG,
        home=keys.parent,
        audit_key_dir=keys,
        audit_checkpoint_file=settings.HYGIE_AUDIT_CHECKPOINT_FILE,
        audit_syslog="udp://127.0.0.1:514",
    )

    def errors():
        return [
            (finding.topic, finding.message)
            for finding in _check_audit_anchoring(config)
            if finding.level == "error"
        ]

    _make_entries(establishment_a, ("Bloc",))
    write_checkpoint()
    assert errors() == []
    checkpoint_file().unlink()
    [(topic, message)] = errors()
    assert topic == "audit checkpoint file" and message.startswith("truncated:")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry")
        cursor.execute("DELETE FROM core_auditchainhead")
    [(topic, message)] = errors()
    assert topic == "audit keys" and message.startswith("wiped:")
