"""Sigma detection engine: load a rule pack, compile it once, match events fast.

Pure: no Django, no file walking, no network. Callers hand in rule texts and events (dicts, or
bytes through the readers) and get dataclasses back.

    pack = load_rule_pack([RuleSource("rules/x.yml", text), ...])
    engine = DetectionEngine(pack)
    session = DetectionSession(engine)
    for record in read_evtx(file):
        result = session.process(record.event, origin=record.origin)

Text logs (syslog, auth.log, access logs, HL7, FHIR AuditEvent JSON) go through the parsers,
which also say which Sigma log source each event belongs to:

    parsed = detect_and_parse(line)
    result = session.process(parsed.event, origin=number, logsource=parsed.logsource)

CSV exports (a header row naming the fields) are read with ``read_csv(lines, name)``: one
``CSVRecord`` per row, with the row's error when it could not be read.
"""

from .correlation import CorrelationMatch
from .detector import CompiledRule, DetectionEngine, EngineConfig
from .errors import RuleProblem, SigmaEngineError
from .events import normalise_event
from .logsources import LogSourceCatalog, default_catalog
from .parsers import ParsedEvent, ParserConfig, ShiftTable, detect_and_parse, split_frames
from .prefilter import HYPERSCAN_AVAILABLE
from .readers import LogRecord, read_evtx, read_json
from .readers_csv import CSVRecord, read_csv
from .reported_mail import MAX_MAIL_BYTES, ReportedMail, ReportedMailError, parse_reported_mail
from .rule_pack import (
    LoadedCorrelation,
    LoadedRule,
    LogSourceSpec,
    RuleInfo,
    RulePack,
    RuleSource,
    load_rule_pack,
)
from .session import DetectionSession, EventResult

__all__ = [
    "HYPERSCAN_AVAILABLE",
    "MAX_MAIL_BYTES",
    "CSVRecord",
    "CompiledRule",
    "CorrelationMatch",
    "DetectionEngine",
    "DetectionSession",
    "EngineConfig",
    "EventResult",
    "LoadedCorrelation",
    "LoadedRule",
    "LogRecord",
    "LogSourceCatalog",
    "LogSourceSpec",
    "ParsedEvent",
    "ParserConfig",
    "ReportedMail",
    "ReportedMailError",
    "RuleInfo",
    "RulePack",
    "RuleProblem",
    "RuleSource",
    "ShiftTable",
    "SigmaEngineError",
    "default_catalog",
    "detect_and_parse",
    "load_rule_pack",
    "normalise_event",
    "parse_reported_mail",
    "read_csv",
    "read_evtx",
    "read_json",
    "split_frames",
]
