"""Log-source routing and Windows field mapping (logsources.yml)."""

from __future__ import annotations

import pytest

from hygie.detection.engine import LogSourceCatalog, LogSourceSpec, SigmaEngineError

from .conftest import EngineFactory

SYSMON = "Microsoft-Windows-Sysmon/Operational"

PROCESS_RULE = """
title: whoami
id: 00000000-0000-4000-8000-000000000001
logsource: {category: process_creation, product: windows}
detection:
    sel:
        Image|endswith: '\\whoami.exe'
        ParentImage|endswith: '\\cmd.exe'
    condition: sel
level: low
"""

SECURITY_RULE = """
title: logon
id: 00000000-0000-4000-8000-000000000002
logsource: {product: windows, service: security}
detection:
    sel: {EventID: 4624, LogonType: 10}
    condition: sel
level: medium
"""

REGISTRY_DELETE_RULE = """
title: key deleted
id: 00000000-0000-4000-8000-000000000003
logsource: {category: registry_delete, product: windows}
detection:
    sel: {TargetObject|contains: 'Run'}
    condition: sel
level: medium
"""


def titles(engine, event, logsource=None):  # noqa: ANN001, ANN201
    return {rule.title for rule in engine.match(event, logsource)}


def test_process_creation_from_sysmon_and_security_4688(make_engine: EngineFactory) -> None:
    engine = make_engine(PROCESS_RULE)
    sysmon = {
        "Channel": SYSMON,
        "EventID": 1,
        "Image": "C:\\w\\whoami.exe",
        "ParentImage": "C:\\w\\cmd.exe",
    }
    security = {
        "Channel": "Security",
        "EventID": 4688,
        "NewProcessName": "C:\\w\\whoami.exe",
        "ParentProcessName": "C:\\w\\cmd.exe",
    }
    assert titles(engine, sysmon) == {"whoami"}
    assert titles(engine, security) == {"whoami"}


def test_rule_does_not_fire_on_other_log_sources(make_engine: EngineFactory) -> None:
    engine = make_engine(PROCESS_RULE)
    fields = {"Image": "C:\\w\\whoami.exe", "ParentImage": "C:\\w\\cmd.exe"}
    assert not titles(engine, {"Channel": SYSMON, "EventID": 3, **fields})  # network
    assert not titles(engine, {"Channel": "Security", "EventID": 4624, **fields})
    assert not titles(engine, fields)  # no log source at all
    assert not titles(engine, {"Channel": "Nowhere", "EventID": 1, **fields})


def test_service_rule_sees_every_event_of_its_channel(make_engine: EngineFactory) -> None:
    engine = make_engine(SECURITY_RULE)
    assert titles(engine, {"Channel": "Security", "EventID": 4624, "LogonType": 10})
    assert not titles(engine, {"Channel": "Security", "EventID": 4625, "LogonType": 10})
    assert not titles(engine, {"Channel": "System", "EventID": 4624, "LogonType": 10})


def test_extra_routing_conditions(make_engine: EngineFactory) -> None:
    engine = make_engine(REGISTRY_DELETE_RULE)
    base = {"Channel": SYSMON, "EventID": 12, "TargetObject": "HKLM\\...\\Run\\x"}
    assert titles(engine, {**base, "EventType": "DeleteKey"})
    assert titles(engine, {**base, "EventType": "DeleteValue"})
    assert not titles(engine, {**base, "EventType": "CreateKey"})


def test_explicit_log_source(make_engine: EngineFactory) -> None:
    rule = """
title: sshd
id: 00000000-0000-4000-8000-000000000004
logsource: {product: linux, service: sshd}
detection:
    sel: {message|contains: 'Failed password'}
    condition: sel
level: low
"""
    engine = make_engine(rule)
    event = {"message": "Failed password for root"}
    assert titles(engine, event, LogSourceSpec(product="linux", service="sshd"))
    assert not titles(engine, event, LogSourceSpec(product="linux", service="auditd"))
    assert not titles(engine, event)


def test_unroutable_windows_rule_is_noted(make_engine: EngineFactory) -> None:
    rule = PROCESS_RULE.replace("process_creation", "file_access")
    engine = make_engine(rule)
    assert any("cannot fire" in note.reason for note in engine.notes)


def test_route_keys_are_bounded_by_the_catalog() -> None:
    from hygie.detection.engine import default_catalog

    catalog = default_catalog()
    keys = {
        catalog.route_key({"Channel": f"chan{n}", "EventID": n, "EventType": f"t{n}"})
        for n in range(1000)
    }
    keys |= {catalog.route_key({"Channel": SYSMON, "EventID": n}) for n in range(10_000, 11_000)}
    assert len(keys) == 2


def test_bad_catalog_is_a_clear_error() -> None:
    with pytest.raises(SigmaEngineError, match="log-source catalog"):
        LogSourceCatalog.from_yaml("windows: [1, 2]")
