"""Issue 9, defect 6: a backup holds every file a module writes under HYGIE_HOME.

The test exercises every module the way a hospital would (a PHI scan of an uploaded file, an
imported Sigma pack, ingested events, an incident with uploaded evidence, an audit checkpoint, a
breach-register export…), then walks HYGIE_HOME: each file must be in the backup, byte for byte
and with its mode, or match a cache path a module declared in its manifest.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shutil
import sqlite3
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from hygie.core.services.backup import create_backup, declared_cache_paths, is_excluded

pytestmark = pytest.mark.django_db(transaction=True)

RULE = b"""title: Backup coverage rule
id: 0b4f2f7e-5d61-4b8e-8f5e-2a9c1d7e3b10
status: test
logsource: {product: linux, service: auth}
detection:
  selection: {message|contains: 'coverage-marker'}
  condition: selection
level: low
"""


def _exercise_every_module(establishment, user) -> None:
    from django.utils import timezone

    from hygie.core import audit_checkpoints
    from hygie.core.services.evidence import add_evidence
    from hygie.detection.services import import_rule_pack, ingest_lines
    from hygie.privacy.services import start_scan
    from hygie.response.models import Incident
    from hygie.response.services import reports
    from hygie.response.services.evidence import attach_evidence
    from hygie.response.services.incidents import create_incident

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as pack:
        pack.writestr("linux/coverage.yml", RULE)
    archive.seek(0)
    import_rule_pack("coverage-pack", archive)
    ingest_lines(establishment, ["Mar 10 09:00:00 srv sshd[1]: coverage-marker from 10.0.0.9"])

    start_scan(
        user,
        establishment=establishment,
        upload=SimpleUploadedFile("synthetic.csv", b"nom;nir\nTEST;290017505602323\n"),
    )
    incident = create_incident(
        user,
        establishment=establishment,
        title="Coverage incident",
        discovered_at=timezone.now(),
        category="ransomware",
    )
    attach_evidence(
        user,
        incident,
        title="Screenshot",
        uploaded_file=SimpleUploadedFile("capture.txt", b"synthetic proof\n"),
    )
    add_evidence(
        establishment,
        user,
        "Policy",
        uploaded_file=SimpleUploadedFile("policy.txt", b"synthetic policy\n"),
    )
    reports.export_register(reports.breach_incidents(Incident.objects.all()), "csv")
    audit_checkpoints.write_checkpoint()


@pytest.fixture
def audit_files_in_home():
    """The audit keys and checkpoints at their default place in HYGIE_HOME (the suite moves
    them to a folder per test); removed afterwards, the data folder is shared by the session."""
    home = Path(settings.HYGIE_HOME)
    saved = settings.HYGIE_AUDIT_KEY_DIR, settings.HYGIE_AUDIT_CHECKPOINT_FILE
    settings.HYGIE_AUDIT_KEY_DIR = home / "keys" / "audit"
    settings.HYGIE_AUDIT_CHECKPOINT_FILE = home / "audit" / "checkpoints.log"
    yield
    settings.HYGIE_AUDIT_KEY_DIR, settings.HYGIE_AUDIT_CHECKPOINT_FILE = saved
    shutil.rmtree(home / "keys", ignore_errors=True)
    shutil.rmtree(home / "audit", ignore_errors=True)


@pytest.mark.usefixtures("audit_files_in_home")
def test_every_file_under_hygie_home_is_backed_up_or_declared_cache(
    establishment_a, make_user, tmp_path
):
    user = make_user("coverage", "rssi", [establishment_a])
    _exercise_every_module(establishment_a, user)
    home = Path(settings.HYGIE_HOME)
    assert any((home / "keys" / "audit").iterdir()), "no audit key was written"
    assert (home / "audit" / "checkpoints.log").is_file(), "no audit checkpoint was written"
    # A module nobody told the backup about: its files must be kept all the same.
    (home / "future-module").mkdir(exist_ok=True)
    (home / "future-module" / "state.json").write_text("{}")
    assert (home / "rules" / "coverage-pack" / "linux" / "coverage.yml").is_file()
    assert any((home / "media").rglob("*")), "the evidence uploads were not written"

    database = tmp_path / "db.sqlite3"  # the test database lives in memory: back up a stand-in
    sqlite3.connect(database).close()
    config = dataclasses.replace(settings.CONFIG, database_url=f"sqlite:///{database}")
    destination = tmp_path / "backup.tar.gz"
    # The files present when the backup starts: a job thread an earlier test of this process
    # left running may write one during the backup, which then cannot hold it (a CI failure).
    present = {Path(directory, name) for directory, _dirs, files in os.walk(home) for name in files}
    create_backup(config, destination)

    with tarfile.open(destination) as archive:
        manifest = json.load(archive.extractfile("manifest.json"))
        archived = {member.name: member for member in archive.getmembers()}
    cache = declared_cache_paths()
    missing = []
    for path in sorted(present):
        relative = path.relative_to(home).as_posix()
        if is_excluded(relative, cache):
            continue
        member = f"home/{relative}"
        if member not in manifest["members"] or member not in archived:
            missing.append(relative)
            continue
        assert (
            manifest["members"][member]["mode"]
            == f"{stat.S_IMODE(path.stat().st_mode) & 0o777:04o}"
        )
    assert missing == [], f"neither backed up nor declared as cache: {missing}"
    assert "home/future-module/state.json" in manifest["members"]
