"""convert and the ``intel convert`` click command: every converter round trip, TLP kept, located
errors, exit codes 0/1/2 and no half-written output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hygie.intel.cli import convert_command
from hygie.intel.engine.convert import Input, convert, read
from hygie.intel.engine.errors import FormatError
from hygie.intel.engine.misp import export_event, export_feed
from hygie.intel.engine.model import TLP, Indicator
from hygie.intel.engine.stix import export_bundle
from tests.engines.intel.conftest import NOW, stix_problems

CSV = (
    "type,value,tlp,confidence,attack\n"
    "ip,198.51.100[.]7,amber+strict,80,T1071\n"
    "domain,evil[.]example,clear,,\n"
    "sha256," + "c" * 64 + ",red,,\n"
)
TEXT = (
    "Relais hxxps[:]//evil[.]example/x (domaine evil[.]example) et 203.0.113[.]9, "
    "version 1.2.3.4.\n"
)


def _key(indicators: list[Indicator]) -> set[tuple[object, ...]]:
    return {(i.type, i.value, i.tlp) for i in indicators}


@pytest.mark.parametrize("first", ["stix21", "misp"])
@pytest.mark.parametrize("second", ["stix21", "misp"])
def test_chained_conversions_keep_indicators_and_tlp(
    sample: list[Indicator], first: str, second: str
) -> None:
    source = Input("sample.json", json.dumps(export_bundle(sample, now=NOW)).encode())
    one = convert([source], to=first, now=NOW)
    two = convert([Input(f"one.{first}.json", one.output.encode())], to=second, now=NOW)
    three = convert([Input("two.json", two.output.encode())], to="stix21", now=NOW)
    assert _key(three.indicators) == _key(sample)
    assert stix_problems(json.loads(three.output)) == []


def test_csv_and_text_convert_and_deduplicate_with_provenance() -> None:
    result = convert(
        [Input("iocs.csv", CSV.encode()), Input("note.txt", TEXT.encode())], to="stix21", now=NOW
    )
    by_value = {i.value: i for i in result.indicators}
    assert by_value["198.51.100.7"].tlp is TLP.AMBER_STRICT
    assert by_value["evil.example"].sources == ("iocs.csv", "note.txt")
    assert by_value["evil.example"].tlp is TLP.AMBER  # the stricter of clear (CSV) and the default
    assert "1.2.3.4" not in by_value
    assert stix_problems(json.loads(result.output)) == []


def test_misp_tlp_tags_become_stix_markings_and_back(sample: list[Indicator]) -> None:
    misp = json.dumps(export_event(sample, now=NOW)).encode()
    stix = json.loads(convert([Input("e.json", misp)], to="stix21", now=NOW).output)
    markings = {o["id"]: o for o in stix["objects"] if o["type"] == "marking-definition"}
    names = {
        markings[o["object_marking_refs"][0]]["name"] for o in stix["objects"] if "pattern" in o
    }
    assert names == {level.label for level in TLP}
    back = json.loads(convert([Input("b.json", json.dumps(stix).encode())], to="misp").output)
    tags = {t["name"] for a in back["Event"]["Attribute"] for t in a["Tag"]}
    assert {f"tlp:{level.value}" for level in TLP} <= tags


def test_feed_folder_reads_through_its_manifest(sample: list[Indicator]) -> None:
    files = export_feed([export_event(sample, now=NOW)])
    inputs = [Input(f"feed/{name}", content.encode()) for name, content in files.items()]
    inputs = [i for i in inputs if not i.name.endswith(".csv")]
    collection = read(inputs)
    assert len(collection.indicators) == len(sample)


@pytest.mark.parametrize(
    ("name", "data", "where"),
    [
        ("bad.json", b'{"type": "bundle", "objects": [', "bad.json:1"),
        ("odd.json", b'{"hello": 1}', "odd.json#$"),
        ("bin.txt", b"\xff\xfe\x00", "bin.txt#byte"),
        ("iocs.csv", b"type,value\nmd5,zz\n", "iocs.csv:2"),
        ("e.json", b'{"Event": {"info": "x", "Attribute": [1]}}', "e.json#$.Event.Attribute[0]"),
    ],
)
def test_invalid_input_is_located(name: str, data: bytes, where: str) -> None:
    with pytest.raises(FormatError) as caught:
        convert([Input(name, data)], to="misp")
    assert str(caught.value).startswith(where)


def test_prose_starting_with_a_bracket_is_text() -> None:
    result = read([Input("alert.log", b"[12:00] relais 198.51.100[.]7 vu\n")])
    assert [i.value for i in result.indicators] == ["198.51.100.7"]


def test_explicit_input_format_is_used() -> None:
    result = read([Input("iocs.data", b"value\n192.0.2.1\n")], from_="csv")
    assert [i.value for i in result.indicators] == ["192.0.2.1"]
    with pytest.raises(FormatError):
        read([Input("x", b"")], from_="yaml")


# --- the click command --------------------------------------------------------------------


def test_cli_converts_to_a_file(tmp_path: Path) -> None:
    (tmp_path / "iocs.csv").write_text(CSV, encoding="utf-8")
    target = tmp_path / "out.json"
    result = CliRunner().invoke(
        convert_command, [str(tmp_path / "iocs.csv"), "--to", "stix21", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    bundle = json.loads(target.read_text(encoding="utf-8"))
    assert stix_problems(bundle) == []
    assert "3 indicator(s)" in result.stderr


def test_cli_writes_to_stdout_and_reads_explicit_format(tmp_path: Path) -> None:
    (tmp_path / "note.dat").write_text(TEXT, encoding="utf-8")
    result = CliRunner().invoke(
        convert_command, [str(tmp_path / "note.dat"), "--to", "misp", "--from", "text"]
    )
    assert result.exit_code == 0, result.output
    event = json.loads(result.stdout)["Event"]
    assert {a["value"] for a in event["Attribute"]} >= {"https://evil.example/x", "203.0.113.9"}


def test_cli_invalid_input_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "iocs.csv").write_text("type,value\nip,192.0.2.1\nip,999.0.0.1\n", encoding="utf-8")
    target = tmp_path / "out.json"
    target.write_text("previous", encoding="utf-8")
    result = CliRunner().invoke(
        convert_command, [str(tmp_path / "iocs.csv"), "--to", "stix21", "-o", str(target)]
    )
    assert result.exit_code == 2
    assert "iocs.csv:3" in result.stderr
    assert target.read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["iocs.csv", "out.json"]


def test_cli_nothing_to_convert_exits_1(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("rien à signaler\n", encoding="utf-8")
    result = CliRunner().invoke(convert_command, [str(tmp_path / "empty.txt"), "--to", "misp"])
    assert result.exit_code == 1
    assert "no indicator" in result.stderr


def test_cli_usage_errors_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(convert_command, ["--to", "misp"]).exit_code == 2
    missing = str(tmp_path / "missing.json")
    assert runner.invoke(convert_command, [missing, "--to", "misp"]).exit_code == 2
    (tmp_path / "a.txt").write_text("192.0.2.1", encoding="utf-8")
    assert runner.invoke(convert_command, [str(tmp_path / "a.txt"), "--to", "yaml"]).exit_code == 2


def test_cli_reads_a_feed_folder(tmp_path: Path, sample: list[Indicator]) -> None:
    feed = tmp_path / "feed"
    feed.mkdir()
    for name, content in export_feed([export_event(sample, now=NOW)]).items():
        if name != "hashes.csv":
            (feed / name).write_text(content, encoding="utf-8")
    result = CliRunner().invoke(convert_command, [str(feed), "--to", "stix21"])
    assert result.exit_code == 0, result.stderr
    assert f"{len(sample)} indicator(s)" in result.stderr
