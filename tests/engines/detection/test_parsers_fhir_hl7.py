"""FHIR R4 AuditEvent and HL7 v2 MSH parsing into fields the healthcare rules use."""

from __future__ import annotations

import json

from hygie.detection.engine.parsers import detect_and_parse, parse_document

# Shaped after the R4 specification's example "audit-event-example-search" (synthetic values).
AUDIT_EVENT = {
    "resourceType": "AuditEvent",
    "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest"},
    "subtype": [{"system": "http://hl7.org/fhir/restful-interaction", "code": "read"}],
    "action": "R",
    "recorded": "2026-11-24T03:30:00+01:00",
    "outcome": "0",
    "purposeOfEvent": [{"coding": [{"code": "BTG"}]}],
    "agent": [
        {
            "type": {"coding": [{"code": "humanuser"}]},
            "who": {"reference": "Practitioner/pr-42", "identifier": {"value": "jdoe"}},
            "altId": "601847123",
            "requestor": True,
            "role": [{"coding": [{"code": "nurse"}]}],
            "purposeOfUse": [{"coding": [{"code": "ETREAT"}]}],
            "network": {"address": "10.1.2.3", "type": "2"},
        },
        {"who": {"display": "FHIR server"}, "requestor": False},
    ],
    "source": {"site": "CHU Nord", "observer": {"display": "ehr-fhir-01"}},
    "entity": [
        {"what": {"reference": "Patient/p1"}},
        {"what": {"reference": "Patient/p2"}},
        {"what": {"reference": "Observation/o1"}},
        {"what": {"identifier": {"value": "no reference"}}},
    ],
}


def test_audit_event_fields() -> None:
    parsed = detect_and_parse(json.dumps(AUDIT_EVENT))
    event = parsed.event
    assert parsed.parser == "fhir_audit_event" and parsed.error is None
    assert parsed.logsource is not None
    assert (parsed.logsource.product, parsed.logsource.service) == ("hygie", "ehr_audit")
    assert event["@timestamp"] == "2026-11-24T02:30:00Z"
    assert event["event.action"] == "read" and event["fhir.audit.action"] == "R"
    assert event["event.outcome"] == "success"
    assert event["user.name"] == "jdoe" and event["user.id"] == "Practitioner/pr-42"
    assert event["user.roles"] == ["nurse", "humanuser"]
    assert event["source.ip"] == "10.1.2.3"
    assert event["fhir.purpose_of_use"] == ["BTG", "ETREAT"]
    assert event["fhir.patient.reference"] == "Patient/p1"
    assert event["fhir.patient.references"] == ["Patient/p1", "Patient/p2"]
    assert event["fhir.patient.count"] == 2
    assert event["fhir.entity.types"] == ["Observation", "Patient"]
    assert event["fhir.audit.subtype.code"] == ["read"]
    assert event["fhir.audit.agents"] == ["FHIR server"]
    assert event["observer.name"] == "ehr-fhir-01"


def test_audit_event_user_name_fallbacks_and_failure() -> None:
    document = {
        "resourceType": "AuditEvent",
        "recorded": "2026-11-24T10:00:00Z",
        "action": "D",
        "outcome": "8",
        "agent": [{"altId": "login42", "requestor": True, "who": {"display": "Dr X"}}],
    }
    event = parse_document(document, "{}").event
    assert event["user.name"] == "login42"
    assert event["event.action"] == "delete" and event["event.outcome"] == "failure"
    assert event["fhir.patient.count"] == 0 and "fhir.patient.reference" not in event


def test_audit_event_with_garbage_types_never_crashes() -> None:
    document = {
        "resourceType": "AuditEvent",
        "recorded": 12,
        "agent": "nobody",
        "entity": [1, None, {"what": "x"}],
        "subtype": {"code": 1},
        "purposeOfEvent": [{"coding": "BTG"}],
    }
    parsed = parse_document(document, "{}")
    assert parsed.error == "AuditEvent without a readable 'recorded' time"
    assert "user.name" not in parsed.event


HL7 = (
    "MSH|^~\\&|LAB|CHU-NORD^1.2.250.1.71^ISO|EHR|CHU|20261124101500+0100||ORU^R01^ORU_R01|"
    "C42|P|2.5\rPID|1||123456^^^CHU-NORD^PI||TEST^PATIENT||19700101|U\rOBX|1|NM|x||5"
)


def test_hl7_msh_fields_and_phi_left_out() -> None:
    parsed = detect_and_parse(HL7)
    event = parsed.event
    assert parsed.logsource is not None
    assert (parsed.logsource.product, parsed.logsource.service) == ("hygie", "hl7")
    assert event["hl7.sending_application"] == "LAB"
    assert event["hl7.sending_facility"] == "CHU-NORD"
    assert event["hl7.sending_facility.full"] == "CHU-NORD^1.2.250.1.71^ISO"
    assert event["hl7.receiving_facility"] == "CHU"
    assert event["hl7.message_type"] == "ORU^R01" and event["hl7.trigger_event"] == "R01"
    assert event["hl7.message_control_id"] == "C42" and event["hl7.version"] == "2.5"
    assert event["@timestamp"] == "2026-11-24T09:15:00Z"
    # Only the header is kept: PID and OBX are patient data.
    assert "PATIENT" not in json.dumps(event) and "PID" not in event["event.original"]


def test_hl7_other_separators_and_short_header() -> None:
    event = detect_and_parse("MSH#%~\\&#APP#FAC%X#R#RF#202611241015##ADT%A04").event
    assert event["hl7.sending_facility"] == "FAC" and event["hl7.message_type"] == "ADT^A04"
    assert event["@timestamp"] == "2026-11-24T10:15:00Z"
    parsed = detect_and_parse("MSH|^~\\&|APP")
    assert parsed.error == "MSH segment too short"
