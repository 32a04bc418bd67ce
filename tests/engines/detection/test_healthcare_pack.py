"""Hygie's healthcare rule pack: it loads cleanly, and every rule fires exactly as its fixtures say.

Each rule file ``hygie/detection/rules/healthcare/<stem>.yml`` has synthetic events in
``tests/fixtures/detection/healthcare/<stem>/``: ``match.jsonl`` (the rule must fire
``expected.yml: matches`` times) and ``benign.jsonl`` (it must never fire). A fixture line is a
JSON log event (FHIR AuditEvent, Windows event, DICOM collector event), or ``{"line": "..."}``
for a raw text log line (syslog, auth.log, access log, HL7). Every line goes through
``detect_and_parse``, as ingestion does, then through the whole pack.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from click.testing import CliRunner

from hygie.detection.cli.hunt import rule_sources, rules
from hygie.detection.engine import (
    DetectionEngine,
    DetectionSession,
    EngineConfig,
    RulePack,
    load_rule_pack,
)
from hygie.detection.engine.parsers import ParserConfig, ShiftTable, detect_and_parse

REPO = Path(__file__).resolve().parents[3]
RULES = REPO / "hygie" / "detection" / "rules"
PACK = RULES / "healthcare"
FIXTURES = REPO / "tests" / "fixtures" / "detection" / "healthcare"

# The site configuration the fixtures assume (docs/detection-rules-healthcare.md explains each).
PLACEHOLDERS = {
    "dicom_known_ae_titles": ("PACS_*", "CT_SCANNER1", "MR_SCANNER1"),
    "hl7_known_facilities": ("CHU-NORD", "LAB-CENTRAL"),
    "ehr_clinical_roles": ("physician", "nurse", "midwife"),
    "clinical_workstations": ("CLIN-*",),
    "medical_device_gateways": ("biomed-gw*",),
}
PARIS = ZoneInfo("Europe/Paris")
PARSER_CONFIG = ParserConfig(
    reference_time=datetime(2026, 11, 28, 12, 0, tzinfo=UTC),
    local_timezone=PARIS,
    shift_table=ShiftTable.from_mapping(
        {"mon-fri": ["07:00-20:00"], "sat": ["08:00-13:00"]}, PARIS
    ),
)
RULE_FILES = sorted(PACK.glob("*.yml"))


@pytest.fixture(scope="module")
def pack() -> RulePack:
    return load_rule_pack(rule_sources(RULES))


@pytest.fixture(scope="module", params=[True, False], ids=["hyperscan", "python"])
def engine(request: pytest.FixtureRequest, pack: RulePack) -> DetectionEngine:
    config = EngineConfig(placeholders=PLACEHOLDERS, use_hyperscan=bool(request.param))
    return DetectionEngine(pack, config)


def fire_count(engine: DetectionEngine, rule_file: Path, events: Path) -> int:
    """Alerts (rule or correlation matches) that rules of ``rule_file`` raise on ``events``."""
    session = DetectionSession(engine)
    count = 0
    for number, text in enumerate(events.read_text(encoding="utf-8").splitlines(), start=1):
        document = json.loads(text)
        raw = document["line"] if set(document) == {"line"} else text
        parsed = detect_and_parse(raw, PARSER_CONFIG)
        assert parsed.error is None, f"{events}:{number}: {parsed.error}"
        result = session.process(parsed.event, origin=number, logsource=parsed.logsource)
        count += sum(Path(rule.source) == rule_file for rule in result.rules)
        count += sum(Path(m.rule.source) == rule_file for m in result.correlations)
    count += sum(Path(m.rule.source) == rule_file for m in session.finish())
    return count


def test_pack_has_at_least_15_alerting_rules(pack: RulePack) -> None:
    assert not pack.problems, [str(p) for p in pack.problems]
    alerting = [r for r in pack.rules if r.emits] + [c for c in pack.correlations if c.emits]
    assert len(alerting) >= 15


def test_rules_check_reports_no_invalid_rule() -> None:
    result = CliRunner().invoke(rules, ["check", str(RULES)])
    assert result.exit_code == 0, result.output
    assert " 0 invalid" in result.output


def test_every_rule_has_the_required_metadata(pack: RulePack) -> None:
    for path in RULE_FILES:
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            for key in ("id", "title", "description", "author", "date", "level", "status"):
                assert document.get(key), f"{path.name}: {document.get('title')} lacks {key}"
            assert document["status"] == "experimental"
            assert document["author"] == "Hygie"
            if document["level"] != "informational":  # alerting rules, not building blocks
                assert document.get("falsepositives"), path.name
                assert any(t.startswith("attack.") for t in document.get("tags", ())), path.name
    ids = [loaded.info.id for loaded in (*pack.rules, *pack.correlations)]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("rule_file", RULE_FILES, ids=lambda p: p.stem)
def test_rule_fires_on_its_match_events(engine: DetectionEngine, rule_file: Path) -> None:
    folder = FIXTURES / rule_file.stem
    expected = yaml.safe_load((folder / "expected.yml").read_text(encoding="utf-8"))["matches"]
    assert expected > 0
    assert fire_count(engine, rule_file, folder / "match.jsonl") == expected


@pytest.mark.parametrize("rule_file", RULE_FILES, ids=lambda p: p.stem)
def test_rule_stays_silent_on_benign_events(engine: DetectionEngine, rule_file: Path) -> None:
    assert fire_count(engine, rule_file, FIXTURES / rule_file.stem / "benign.jsonl") == 0


def test_unset_allow_list_placeholder_alerts_rather_than_hides(pack: RulePack) -> None:
    """An unconfigured allow-list makes the rule noisy, never silently blind."""
    engine = DetectionEngine(pack, EngineConfig())
    rule_file = PACK / "dicom_association_unknown_ae.yml"
    benign = FIXTURES / rule_file.stem / "benign.jsonl"
    assert fire_count(engine, rule_file, benign) == 2  # both associations, known or not
    assert any("dicom_known_ae_titles" in note.reason for note in engine.notes)
