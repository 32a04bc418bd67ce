"""The platform commands, run as an operator would: real subprocesses, real data folders."""

from __future__ import annotations

import io
import json
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.apps.core.cli_helpers import REPO_ROOT, demo_home, hygie_env, migrated_home, run_hygie

pytestmark = pytest.mark.slow


@pytest.fixture
def home(tmp_path_factory, tmp_path):
    return migrated_home(tmp_path_factory, tmp_path / "home")


@pytest.fixture
def demo(tmp_path_factory, tmp_path):
    """A data folder with the demo loaded by ``hygie demo``."""
    return demo_home(tmp_path_factory, tmp_path / "home")


def _count(home: Path, table: str) -> int:
    with sqlite3.connect(home / "hygie.sqlite3") as db:
        return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608


def test_createadmin_prints_a_one_time_password_and_forces_a_change(home):
    result = run_hygie(home, "createadmin", "--username", "root-admin")
    assert result.returncode == 0, result.stderr
    assert "root-admin" in result.stdout and "One-time password" in result.stdout
    with sqlite3.connect(home / "hygie.sqlite3") as db:
        row = db.execute(
            "SELECT is_superuser, must_change_password, password FROM core_user "
            "WHERE username = 'root-admin'"
        ).fetchone()
    assert row[0] == 1 and row[1] == 1 and row[2].startswith("argon2")
    again = run_hygie(home, "createadmin", "--if-missing")
    assert again.returncode == 0 and "already exists" in again.stdout
    duplicate = run_hygie(home, "createadmin", "--username", "root-admin")
    assert duplicate.returncode == 2
    assert "already exists" in duplicate.stderr and "Traceback" not in duplicate.stderr


def test_demo_loads_once_and_then_refuses_with_a_clear_message(home):
    first = run_hygie(home, "demo")
    assert first.returncode == 0, first.stderr
    assert _count(home, "core_person") >= 40 and _count(home, "core_asset") >= 60
    second = run_hygie(home, "demo")
    assert second.returncode == 2
    assert "already holds organisation data" in second.stderr
    assert "Traceback" not in second.stderr
    assert run_hygie(home, "demo", "--if-empty").returncode == 0


def test_audit_verify_reports_tampering_with_sequence_and_kind(demo):
    intact = run_hygie(demo, "audit", "verify")
    assert intact.returncode == 0 and "intact" in intact.stdout
    with sqlite3.connect(demo / "hygie.sqlite3") as db:
        db.execute("UPDATE core_auditentry SET object_repr = 'forged' WHERE sequence = 7")
    tampered = run_hygie(demo, "audit", "verify")
    assert tampered.returncode == 1
    assert "#7" in tampered.stderr and "modified" in tampered.stderr


def test_check_flags_a_secret_key_readable_by_others(home):
    (home / "secret_key").chmod(0o644)
    result = run_hygie(home, "check")
    assert result.returncode == 1
    assert "secret key" in result.stdout and "0644" in result.stdout
    assert "chmod 600" in result.stdout
    # Starting Django tightened it; a second run is clean on that point.
    assert (home / "secret_key").stat().st_mode & 0o777 == 0o600
    assert run_hygie(home, "check").returncode == 0


def test_data_folder_database_and_every_file_written_are_private(demo):
    """Issue 9, defect 7: the database files were created 0644."""
    assert (demo.stat().st_mode & 0o777) == 0o700
    database_files = [
        demo / name
        for name in ("hygie.sqlite3", "hygie.sqlite3-wal", "hygie.sqlite3-shm")
        if (demo / name).exists()
    ]
    assert demo / "hygie.sqlite3" in database_files
    opened = {
        str(path.relative_to(demo)): oct(path.stat().st_mode & 0o777)
        for path in demo.rglob("*")
        if path.stat().st_mode & 0o077
    }
    assert opened == {}
    assert all(path.stat().st_mode & 0o777 == 0o600 for path in database_files)
    assert "every file and folder in it is private" in run_hygie(demo, "check").stdout

    (demo / "hygie.sqlite3").chmod(0o644)
    result = run_hygie(demo, "check")
    assert "hygie.sqlite3 (0644)" in result.stdout and "chmod -R go-rwx" in result.stdout


def test_check_flags_plain_http_on_a_network_address(home):
    result = run_hygie(home, "check", HYGIE_LISTEN="0.0.0.0:8000")
    assert result.returncode == 1
    assert "plain HTTP" in result.stdout and "HYGIE_BEHIND_TLS_PROXY" in result.stdout


def test_backup_and_restore_round_trip(demo, tmp_path):
    evidence = demo / "media" / "evidence" / "ab" / "abcdef"
    # The demo's own evidence files are stored by content hash: one may already use "ab/".
    evidence.parent.mkdir(parents=True, exist_ok=True)
    evidence.write_bytes(b"uploaded proof")
    archive = tmp_path / "backup.tar.gz"
    made = run_hygie(demo, "backup", str(archive))
    assert made.returncode == 0, made.stderr
    assert archive.stat().st_mode & 0o777 == 0o600
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert set(manifest["members"]) >= {
        "database/hygie.sqlite3",
        "home/secret_key",
        "home/media/evidence/ab/abcdef",
    }
    # The live database is copied through SQLite's backup API, never as a raw file.
    assert not {"home/hygie.sqlite3", "home/hygie.sqlite3-wal"} & set(manifest["members"])

    restored = tmp_path / "restored"
    result = run_hygie(restored, "restore", str(archive))
    assert result.returncode == 0, result.stderr
    for table in ("core_person", "core_asset", "core_auditentry", "core_user"):
        assert _count(restored, table) == _count(demo, table) - (table == "core_auditentry")
    assert (restored / "secret_key").read_text() == (demo / "secret_key").read_text()
    assert (restored / "secret_key").stat().st_mode & 0o777 == 0o600
    assert (restored / "media/evidence/ab/abcdef").read_bytes() == b"uploaded proof"
    assert run_hygie(restored, "audit", "verify").returncode == 0

    refused = run_hygie(restored, "restore", str(archive))
    assert refused.returncode == 2 and "not empty" in refused.stderr
    assert run_hygie(restored, "restore", "--force", str(archive)).returncode == 0


RULE = """title: Backup regression rule
id: 6a0d4b0e-1b35-4c55-9d2c-0f3a6c1e9b01
status: test
logsource: {product: linux, service: auth}
detection:
  selection: {message|contains: 'backup-regression'}
  condition: selection
level: low
"""


def test_backup_and_restore_keep_imported_rule_packs_and_every_state_file(home, tmp_path):
    """Issue 9, defect 6: an imported rule pack (HYGIE_HOME/rules) was lost by backup+restore;
    so was any file a module writes outside the few folders the backup used to list."""
    pack = home / "rules" / "hospital-pack" / "linux"
    pack.mkdir(parents=True)
    (pack / "rule.yml").write_text(RULE)
    (pack / "rule.yml").chmod(0o640)
    checkpoint = home / "audit" / "checkpoints.jsonl"
    checkpoint.parent.mkdir()
    checkpoint.write_text('{"sequence": 1}\n')
    archive = tmp_path / "backup.tar.gz"
    assert run_hygie(home, "backup", str(archive)).returncode == 0

    restored = tmp_path / "restored"
    result = run_hygie(restored, "restore", str(archive))
    assert result.returncode == 0, result.stderr
    copy = restored / "rules" / "hospital-pack" / "linux" / "rule.yml"
    assert copy.read_text() == RULE
    assert copy.stat().st_mode & 0o777 == 0o640  # permissions come back as they were
    assert (restored / "audit" / "checkpoints.jsonl").read_text() == '{"sequence": 1}\n'


def test_restore_refuses_an_archive_whose_content_was_changed(home, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    assert run_hygie(home, "backup", str(archive)).returncode == 0
    forged = tmp_path / "forged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(forged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "home/secret_key":
                data = b"x" * 80
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    result = run_hygie(tmp_path / "victim", "restore", str(forged))
    assert result.returncode == 2
    assert "home/secret_key does not match its SHA-256" in result.stderr
    assert not (tmp_path / "victim" / "hygie.sqlite3").exists()


# How long a `hygie serve` may take to answer its first request: a readiness wait, not a speed
# check (a server that exits fails at once). Starting costs ~6 s of CPU (Django, the API, the
# migration check); on CI's 2 loaded cores 30 s was once not enough.
SERVE_START_SECONDS = 120


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_answers_healthz_on_a_real_socket_and_stops_cleanly(home):
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "hygie.cli", "serve", "--port", str(port)],
        cwd=REPO_ROOT,
        env=hygie_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = None
        deadline = time.monotonic() + SERVE_START_SECONDS
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = json.load(r)
            except OSError:
                assert process.poll() is None, process.stderr.read()
                time.sleep(0.2)
        assert body == {"status": "ok"}
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "Stopped." in stderr
    # The embedded scheduler ran the daily audit verification through the embedded worker.
    with sqlite3.connect(home / "hygie.sqlite3") as db:
        kinds = {row[0] for row in db.execute("SELECT kind FROM core_job")}
    assert "core.verify_audit_chain" in kinds


def test_serve_reports_a_module_receiver_it_cannot_start(home):
    """Receivers come from the modules through the core ``network_listeners`` registry: a
    setting one cannot use stops ``hygie serve`` with that module's message."""
    smtp = run_hygie(home, "serve", "--port", str(_free_port()), HYGIE_AWARENESS_SMTP_LISTEN="25")
    assert smtp.returncode == 2
    assert "HYGIE_AWARENESS_SMTP_LISTEN must look like 127.0.0.1:2525" in smtp.stderr
    syslog = run_hygie(
        home, "serve", "--port", str(_free_port()), HYGIE_SYSLOG_UDP=f"127.0.0.1:{_free_port()}"
    )
    assert syslog.returncode == 2
    assert "HYGIE_SYSLOG_ESTABLISHMENT" in syslog.stderr


def test_serve_behind_a_tls_proxy_trusts_its_headers_only(home):
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "hygie.cli", "serve", "--no-worker", "--port", str(port)],
        cwd=REPO_ROOT,
        env=hygie_env(home, HYGIE_BEHIND_TLS_PROXY="true"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def fetch(path, headers=None):
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
        try:
            with opener.open(request, timeout=5) as response:
                return response.status, response.headers.get("Location", "")
        except urllib.error.HTTPError as redirect:
            return redirect.code, redirect.headers.get("Location", "")

    try:
        deadline = time.monotonic() + SERVE_START_SECONDS
        while True:
            try:
                assert fetch("/healthz") == (200, "")  # probes over HTTP are not redirected
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        status, location = fetch("/")
        assert status == 301 and location.startswith("https://")
        status, location = fetch("/", {"X-Forwarded-Proto": "https"})
        assert status == 302 and "/accounts/login/" in location
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)


def test_separate_worker_process_runs_queued_jobs(home):
    # Queue a job as the web server does in scaled mode (`hygie serve --no-worker`)...
    enqueue = (
        "import django; django.setup(); "
        "from hygie.core.services.jobs import start_job; "
        "print(start_job('core.verify_audit_chain', 'Verify').pk)"
    )
    queued = subprocess.run(
        [sys.executable, "-c", enqueue],
        cwd=REPO_ROOT,
        env=hygie_env(home, DJANGO_SETTINGS_MODULE="hygie.settings.production"),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    job_id = int(queued.stdout.strip().splitlines()[-1])
    with sqlite3.connect(home / "hygie.sqlite3") as db:
        assert db.execute("SELECT status FROM core_job WHERE id = ?", [job_id]).fetchone() == (
            "queued",
        )
    # ...and let a separate worker process run it.
    result = run_hygie(home, "worker", "--batch")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(home / "hygie.sqlite3") as db:
        status, progress = db.execute(
            "SELECT status, progress_message FROM core_job WHERE id = ?", [job_id]
        ).fetchone()
    assert status == "succeeded" and "entries checked" in progress


@pytest.fixture
def two_postgresql_databases():
    """Two empty scratch databases on the test server (only when the suite runs on PostgreSQL)."""
    import os
    from urllib.parse import urlparse, urlunparse

    base = os.environ.get("HYGIE_TEST_DATABASE_URL", "")
    if not base.startswith("postgres") or shutil.which("pg_dump") is None:
        pytest.skip("needs HYGIE_TEST_DATABASE_URL on PostgreSQL and pg_dump on PATH")
    import psycopg

    parsed = urlparse(base)
    names = [f"hygie_backup_{os.getpid()}_{suffix}" for suffix in ("a", "b")]
    admin = psycopg.connect(urlunparse(parsed._replace(path="/postgres")), autocommit=True)
    for name in names:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield [urlunparse(parsed._replace(path=f"/{name}")) for name in names]
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_backup_and_restore_round_trip_on_postgresql(two_postgresql_databases, tmp_path):
    source_url, target_url = two_postgresql_databases
    source, target = tmp_path / "source", tmp_path / "target"
    assert run_hygie(source, "migrate", HYGIE_DATABASE_URL=source_url).returncode == 0
    assert run_hygie(source, "demo", HYGIE_DATABASE_URL=source_url).returncode == 0
    archive = tmp_path / "pg.tar.gz"
    made = run_hygie(source, "backup", str(archive), HYGIE_DATABASE_URL=source_url)
    assert made.returncode == 0, made.stderr
    restored = run_hygie(target, "restore", str(archive), HYGIE_DATABASE_URL=target_url)
    assert restored.returncode == 0, restored.stderr
    verified = run_hygie(target, "audit", "verify", HYGIE_DATABASE_URL=target_url)
    assert verified.returncode == 0 and "intact" in verified.stdout
    assert (target / "secret_key").read_text() == (source / "secret_key").read_text()
    again = run_hygie(target, "restore", "--force", str(archive), HYGIE_DATABASE_URL=target_url)
    assert again.returncode == 0, again.stderr


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ["migrate"],
            {"HYGIE_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"},
            "cannot use the database",
        ),
        (["check"], {"HYGIE_DEBUG": "maybe"}, "HYGIE_DEBUG must be true or false"),
        (["serve"], {"HYGIE_LISTEN": "nowhere"}, "HYGIE_LISTEN must look like"),
        (["migrate"], {"HYGIE_DATABASE_URL": "oracle://db/x"}, "HYGIE_DATABASE_URL"),
    ],
)
def test_configuration_mistakes_give_a_message_and_exit_2(tmp_path, args, env, message):
    result = run_hygie(tmp_path / "home", *args, **env)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_check_tries_the_smtp_relay(home):
    with socket.socket() as relay:
        relay.bind(("127.0.0.1", 0))
        relay.listen(1)
        open_port = relay.getsockname()[1]
        reachable = run_hygie(home, "check", HYGIE_SMTP_URL=f"smtp://127.0.0.1:{open_port}")
    assert reachable.returncode == 0, reachable.stdout
    assert f"SMTP relay 127.0.0.1:{open_port} reachable" in reachable.stdout
    closed_port = _free_port()
    unreachable = run_hygie(home, "check", HYGIE_SMTP_URL=f"smtp://127.0.0.1:{closed_port}")
    assert unreachable.returncode == 1
    assert "unreachable" in unreachable.stdout and "HYGIE_SMTP_URL" in unreachable.stdout


def test_check_flags_incomplete_single_sign_on(home):
    result = run_hygie(home, "check", HYGIE_OIDC_CLIENT_ID="hygie")
    assert result.returncode == 1
    assert "HYGIE_OIDC_TOKEN_ENDPOINT" in result.stdout
