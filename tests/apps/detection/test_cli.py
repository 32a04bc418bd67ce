"""``hygie ingest`` (platform command, in-process on the test database) and ``hygie hunt`` over
plain text logs (database-free)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hygie.cli import cli
from hygie.core.models import Alert
from hygie.detection.cli.hunt import hunt
from hygie.detection.models import Event
from hygie.detection.services import RULES_DIR
from tests.apps.detection.conftest import FIXTURES, SHADOW_RULE, SQLI_RULE


@pytest.fixture
def log_files(tmp_path: Path, shadow_lines, sqli_lines) -> tuple[Path, Path]:
    windows = tmp_path / "sysmon.jsonl"
    windows.write_text("\n".join(shadow_lines) + "\n", encoding="utf-8")
    access = tmp_path / "access.log"
    access.write_text("\n".join([*sqli_lines, "??? unreadable"]) + "\n", encoding="utf-8")
    return windows, access


@pytest.mark.django_db
def test_ingest_stores_events_and_raises_alerts(log_files, establishment_a, shadow_lines):
    windows, access = log_files
    result = CliRunner().invoke(
        cli, ["ingest", str(windows), str(access), "--establishment", str(establishment_a.pk)]
    )
    assert result.exit_code == 0, result.output
    total = len(shadow_lines) + 4
    assert f"{total} events in 2 file(s), 1 parse error(s)" in result.output
    assert Event.objects.filter(establishment=establishment_a, source="file").count() == total
    assert Alert.objects.filter(rule_id=SHADOW_RULE).exists()
    assert Alert.objects.filter(rule_id=SQLI_RULE).exists()


@pytest.mark.django_db
def test_ingest_unknown_establishment_is_a_usage_error(log_files):
    result = CliRunner().invoke(cli, ["ingest", str(log_files[0]), "--establishment", "999"])
    assert result.exit_code == 2
    assert "no establishment with id 999" in result.output
    assert not Event.objects.exists()


def test_hunt_reads_plain_text_logs_with_their_log_source(log_files):
    _, access = log_files
    result = CliRunner().invoke(
        hunt, ["--rules", str(RULES_DIR), "--logs", str(access), "--format", "jsonl"]
    )
    assert result.exit_code == 1, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert {row["rule_id"] for row in rows} == {SQLI_RULE}
    assert sorted(row["line"] for row in rows) == [1, 2, 3]


def test_hunt_benign_text_log_has_no_match(tmp_path):
    benign = tmp_path / "benign.log"
    lines = [
        json.loads(raw)["line"]
        for raw in (FIXTURES / "web_patient_portal_sql_injection" / "benign.jsonl")
        .read_text()
        .splitlines()
    ]
    benign.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(hunt, ["--rules", str(RULES_DIR), "--logs", str(benign)])
    assert result.exit_code == 0, result.output


@pytest.mark.django_db
def test_ingest_reads_evtx(establishment_a):
    from tests.shared_data import shared_data

    folder = shared_data(
        "sigma",
        "regression_data",
        "rules",
        "windows",
        "process_creation",
        "proc_creation_win_findstr_recon_everyone",
    )
    evtx = next(folder.glob("*.evtx"))
    result = CliRunner().invoke(
        cli, ["ingest", str(evtx), "--establishment", str(establishment_a.pk)]
    )
    assert result.exit_code == 0, result.output
    events = Event.objects.filter(establishment=establishment_a)
    assert events.count() >= 1 and not events.exclude(parse_error="").exists()
    assert events.filter(product="windows").exists()
    assert any("findstr" in json.dumps(e.fields).lower() for e in events)


@pytest.mark.django_db
def test_ingest_declared_format(log_files, establishment_a):
    _windows, access = log_files
    pk = str(establishment_a.pk)
    refused = CliRunner().invoke(
        cli, ["ingest", str(access), "--establishment", pk, "--format", "evtx"]
    )
    assert refused.exit_code == 2
    assert "not a Windows event log" in refused.output
    assert not Event.objects.exists()
    result = CliRunner().invoke(
        cli, ["ingest", str(access), "--establishment", pk, "--format", "web"]
    )
    assert result.exit_code == 0, result.output
    read = Event.objects.filter(parse_error="")
    assert set(read.values_list("category", flat=True)) == {"webserver"}
    assert Event.objects.exclude(parse_error="").count() == 1  # "??? unreadable"
