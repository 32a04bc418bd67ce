"""CSV log files: ``hygie ingest export.csv`` and the reader behind it (synthetic rows; the
Windows process-creation rows are the shadow-copy fixture's events, flattened)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hygie.cli import cli
from hygie.core.models import Alert
from hygie.detection.engine import SigmaEngineError
from hygie.detection.engine.readers_csv import MAX_RECORD_LINES, read_csv
from hygie.detection.models import Event
from tests.apps.detection.conftest import SHADOW_RULE

HEADER = "TimeCreated,Channel,EventID,Computer,Image,CommandLine,User,user.name\n"
SHADOW_ROW = (
    "2026-11-24T09:00:00Z,Microsoft-Windows-Sysmon/Operational,1,"
    "CLIN-CARDIO-01.chu-nord.local,C:\\Windows\\System32\\vssadmin.exe,"
    '"vssadmin.exe delete shadows /all /quiet",CHU\\jdoe,jdoe\n'
)
PLAIN_ROW = (
    '2026-11-24T09:01:00Z,Security,4624,ward-pc-3,,"logon, interactive",CHU\\nurse1,nurse1\n'
)


def test_rows_become_flat_events_with_dotted_names():
    records = list(read_csv([HEADER.encode(), PLAIN_ROW.encode()]))
    assert len(records) == 1
    record = records[0]
    assert record.error is None and record.origin == 2
    assert record.event == {
        "TimeCreated": "2026-11-24T09:01:00Z",
        "Channel": "Security",
        "EventID": "4624",
        "Computer": "ward-pc-3",
        "CommandLine": "logon, interactive",
        "User": "CHU\\nurse1",
        "user.name": "nurse1",
    }  # the empty Image cell is left out
    assert record.raw == PLAIN_ROW.rstrip("\n")


def test_semicolons_bom_and_windows_1252():
    data = ["\ufeffhost;message\n".encode(), "pc-1;caf\u00e9\n".encode("cp1252")]
    [record] = read_csv(data)
    assert record.event == {"host": "pc-1", "message": "caf\u00e9"}


def test_bad_rows_are_kept_with_an_error_never_dropped():
    lines = [
        HEADER,
        PLAIN_ROW,
        "only,three,cells\n",
        PLAIN_ROW,
        '"unclosed,quote\n',
        *[f"line {i}\n" for i in range(MAX_RECORD_LINES + 5)],
    ]
    records = list(read_csv(lines))
    errors = [r for r in records if r.error]
    assert "row has 3 cells, the header has 8 columns" in errors[0].error
    assert errors[0].raw == "only,three,cells" and errors[0].origin == 3
    assert "record longer than" in errors[1].error
    assert sum(1 for r in records if r.event) == 2


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("a,,c\n", "column 2 has no name"),
        ("a,b,a\n", "column 3 repeats a name"),
        (",".join(f"c{i}" for i in range(1001)) + "\n", "more than 1000 columns"),
    ],
)
def test_a_header_that_names_no_field_is_a_clear_error(header, message):
    with pytest.raises(SigmaEngineError, match=message) as raised:
        list(read_csv(["\n", header, "x\n"], name="export.csv"))
    assert "export.csv:2" in str(raised.value)


@pytest.mark.django_db
def test_hygie_ingest_csv_stores_rows_and_raises_alerts(tmp_path: Path, establishment_a):
    export = tmp_path / "export.csv"
    export.write_text(HEADER + SHADOW_ROW + PLAIN_ROW + "broken,row\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["ingest", str(export), "--establishment", str(establishment_a.pk)]
    )
    assert result.exit_code == 0, result.output
    assert "3 events, 1 parse error(s)" in result.output
    events = list(Event.objects.filter(establishment=establishment_a).order_by("pk"))
    assert [bool(e.parse_error) for e in events] == [False, False, True]
    assert events[0].fields["CommandLine"] == "vssadmin.exe delete shadows /all /quiet"
    assert events[0].product == "windows"
    assert events[0].host == "CLIN-CARDIO-01.chu-nord.local"
    assert events[1].fields["user.name"] == "nurse1"
    assert events[2].raw == "broken,row" and "line 4" in events[2].parse_error
    assert Alert.objects.filter(rule_id=SHADOW_RULE, establishment=establishment_a).exists()


@pytest.mark.django_db
def test_hygie_ingest_csv_with_a_hostile_header_exits_2(tmp_path: Path, establishment_a):
    export = tmp_path / "export.csv"
    export.write_text("a,a\n1,2\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["ingest", str(export), "--establishment", str(establishment_a.pk)]
    )
    assert result.exit_code == 2
    assert "column 2 repeats a name" in result.output
    assert not Event.objects.exists()
