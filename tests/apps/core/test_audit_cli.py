"""``hygie audit verify|checkpoint|rotate-key`` as an operator runs them (issue 9, defect 2)."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from tests.apps.core.cli_helpers import migrated_home, run_hygie

pytestmark = pytest.mark.slow


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def home(tmp_path_factory, tmp_path):
    home = migrated_home(tmp_path_factory, tmp_path / "home")
    made = run_hygie(home, "createadmin", "--username", "root-admin")
    assert made.returncode == 0, made.stderr
    return home


def test_checkpoint_rotate_and_verify_detect_a_deleted_tail(home):
    signed = run_hygie(home, "audit", "checkpoint")
    assert signed.returncode == 0, signed.stderr
    assert "Checkpoint signed" in signed.stdout
    log = home / "audit" / "checkpoints.log"
    keys = list((home / "keys" / "audit").glob("*.key"))
    assert len(keys) == 1 and _mode(keys[0]) == 0o600 and _mode(keys[0].parent) == 0o700
    assert _mode(log) == 0o600 and _mode(log.parent) == 0o700
    assert "Already anchored" in run_hygie(home, "audit", "checkpoint").stdout

    rotated = run_hygie(home, "audit", "rotate-key")
    assert rotated.returncode == 0, rotated.stderr
    assert "New audit key" in rotated.stdout and "Checkpoint signed" in rotated.stdout
    assert len(list((home / "keys" / "audit").glob("*.key"))) == 2

    intact = run_hygie(home, "audit", "verify")
    assert intact.returncode == 0, intact.stderr
    assert "[ok] entries" in intact.stdout and "HMAC-SHA256" in intact.stdout
    assert "[ok] checkpoint file: 2 signed checkpoint(s)" in intact.stdout

    with sqlite3.connect(home / "hygie.sqlite3") as db:  # delete the tail, move the head back
        sequence, entry_hash = db.execute(
            "SELECT sequence, entry_hash FROM core_auditentry ORDER BY sequence LIMIT 1"
        ).fetchone()
        db.execute("DELETE FROM core_auditentry WHERE sequence > ?", [sequence])
        db.execute(
            "UPDATE core_auditchainhead SET sequence = ?, entry_hash = ?", [sequence, entry_hash]
        )
    truncated = run_hygie(home, "audit", "verify")
    assert truncated.returncode == 1
    assert "[FAILED] checkpoints" in truncated.stderr
    assert "TAMPERED (checkpoints check)" in truncated.stderr and "truncated" in truncated.stderr
    assert "Traceback" not in truncated.stderr


def test_restore_brings_back_keys_and_checkpoints_and_the_chain_verifies(home, tmp_path):
    assert run_hygie(home, "audit", "checkpoint").returncode == 0
    assert run_hygie(home, "audit", "rotate-key").returncode == 0
    archive = tmp_path / "backup.tar.gz"
    made = run_hygie(home, "backup", str(archive))
    assert made.returncode == 0, made.stderr
    restored = tmp_path / "restored"
    result = run_hygie(restored, "restore", str(archive))
    assert result.returncode == 0, result.stderr
    verified = run_hygie(restored, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "[ok] checkpoint file: 2 signed checkpoint(s)" in verified.stdout


@pytest.mark.parametrize("attack", ["tail", "wipe"])
def test_verify_fails_when_the_checkpoint_file_goes_with_the_attack(home, attack):
    assert run_hygie(home, "audit", "checkpoint").returncode == 0
    assert run_hygie(home, "audit", "rotate-key").returncode == 0  # more entries after it
    with sqlite3.connect(home / "hygie.sqlite3") as db:
        if attack == "tail":  # the newest entry deleted, the head moved back
            sequence, entry_hash = db.execute(
                "SELECT sequence, entry_hash FROM core_auditentry ORDER BY sequence DESC "
                "LIMIT 1 OFFSET 1"
            ).fetchone()
            db.execute("DELETE FROM core_auditentry WHERE sequence > ?", [sequence])
            db.execute(
                "UPDATE core_auditchainhead SET sequence = ?, entry_hash = ?",
                [sequence, entry_hash],
            )
        else:
            db.execute("DELETE FROM core_auditentry")
            db.execute("DELETE FROM core_auditchainhead")
    (home / "audit" / "checkpoints.log").unlink()
    verified = run_hygie(home, "audit", "verify")
    assert verified.returncode == 1, verified.stdout
    assert "intact" not in verified.stdout
    check = "checkpoint file" if attack == "tail" else "keys"
    assert f"[FAILED] {check}" in verified.stderr
    assert f"TAMPERED ({check} check)" in verified.stderr
