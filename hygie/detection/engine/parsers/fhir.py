"""FHIR R4 AuditEvent resources: who touched which patient's record, how, and why.

An EHR or FHIR server records every access as an AuditEvent; turning one into flat fields
lets Sigma rules count patients per user (``fhir.patient.reference`` grouped by
``user.name``), spot break-the-glass access (``fhir.purpose_of_use``) or bulk exports.
Values are bounded: at most ``MAX_ITEMS`` agents, entities and codes are read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..predicates import parse_timestamp
from ..rule_pack import LogSourceSpec
from .base import utc_iso

EHR_AUDIT = LogSourceSpec(product="hygie", service="ehr_audit")
MAX_ITEMS = 1000

# AuditEvent.action (R4 value set audit-event-action) in ECS-style verbs.
ACTIONS = {"C": "create", "R": "read", "U": "update", "D": "delete", "E": "execute"}
_EVENT_TYPES = {"C": "creation", "R": "access", "U": "change", "D": "deletion", "E": "access"}
# AuditEvent.outcome: 0 success, 4 minor failure, 8 serious failure, 12 major failure.
_OUTCOMES = {"0": "success", "4": "failure", "8": "failure", "12": "failure"}


def is_audit_event(document: Mapping[str, Any]) -> bool:
    return document.get("resourceType") == "AuditEvent"


def parse_audit_event(document: Mapping[str, Any], event: dict[str, Any]) -> str | None:
    """Fill ``event`` from one AuditEvent; return an error when a required part is unusable."""
    event["event.module"] = "ehr_audit"
    event["event.category"] = "database"
    error = None
    moment = parse_timestamp(document.get("recorded"))
    if moment is None:
        error = "AuditEvent without a readable 'recorded' time"
    else:
        event["@timestamp"] = utc_iso(moment)
    _type(document, event)
    action = document.get("action")
    if isinstance(action, str) and action in ACTIONS:
        event["fhir.audit.action"] = action
        event["event.action"] = ACTIONS[action]
        event["event.type"] = _EVENT_TYPES[action]
    outcome = document.get("outcome")
    if isinstance(outcome, str) and outcome in _OUTCOMES:
        event["fhir.audit.outcome"] = outcome
        event["event.outcome"] = _OUTCOMES[outcome]
    description = document.get("outcomeDesc")
    if isinstance(description, str):
        event["event.reason"] = description[:1024]
    purposes = _codes(document.get("purposeOfEvent"))
    _agents(document.get("agent"), event, purposes)
    if purposes:
        event["fhir.purpose_of_use"] = sorted(set(purposes))
    _source(document.get("source"), event)
    _entities(document.get("entity"), event)
    return error


def _type(document: Mapping[str, Any], event: dict[str, Any]) -> None:
    kind = document.get("type")
    if isinstance(kind, Mapping) and isinstance(kind.get("code"), str):
        event["fhir.audit.type.code"] = kind["code"]
        if isinstance(kind.get("system"), str):
            event["fhir.audit.type.system"] = kind["system"]
    subtypes = [
        item["code"]
        for item in _items(document.get("subtype"))
        if isinstance(item.get("code"), str)
    ]
    if subtypes:
        event["fhir.audit.subtype.code"] = subtypes


def _agents(agents: Any, event: dict[str, Any], purposes: list[str]) -> None:
    """The requestor is the user; the others (the server, the app) are kept as agent names."""
    names: list[str] = []
    for agent in _items(agents):
        name = _agent_name(agent)
        purposes.extend(_codes(agent.get("purposeOfUse")))
        if agent.get("requestor") is True and "user.name" not in event:
            if name is not None:
                event["user.name"] = name
            who = agent.get("who")
            if isinstance(who, Mapping) and isinstance(who.get("reference"), str):
                event["user.id"] = who["reference"]
            roles = _codes(agent.get("role")) + _codes([agent.get("type")])
            if roles:
                event["user.roles"] = roles
            network = agent.get("network")
            if isinstance(network, Mapping) and isinstance(network.get("address"), str):
                # network.type 2 is an IP address; 1 a machine name, 3 a telephone number.
                kind = "source.ip" if network.get("type") == "2" else "source.address"
                event[kind] = network["address"]
        elif name is not None:
            names.append(name)
    if names:
        event["fhir.audit.agents"] = names


def _agent_name(agent: Mapping[str, Any]) -> str | None:
    """The login if the server gives one, else the alternative id, display or reference."""
    who = agent.get("who")
    if isinstance(who, Mapping):
        identifier = who.get("identifier")
        if isinstance(identifier, Mapping) and isinstance(identifier.get("value"), str):
            return str(identifier["value"])
    if isinstance(agent.get("altId"), str):
        return str(agent["altId"])
    if isinstance(who, Mapping):
        for key in ("display", "reference"):
            if isinstance(who.get(key), str):
                return str(who[key])
    if isinstance(agent.get("name"), str):
        return str(agent["name"])
    return None


def _source(source: Any, event: dict[str, Any]) -> None:
    if not isinstance(source, Mapping):
        return
    observer = source.get("observer")
    if isinstance(observer, Mapping):
        for key in ("display", "reference"):
            if isinstance(observer.get(key), str):
                event["observer.name"] = observer[key]
                break
    if isinstance(source.get("site"), str):
        event["fhir.audit.source.site"] = source["site"]


def _entities(entities: Any, event: dict[str, Any]) -> None:
    """Patient references (for counting patients) and every referenced resource type."""
    references: list[str] = []
    patients: list[str] = []
    kinds: set[str] = set()
    for entity in _items(entities):
        what = entity.get("what")
        if not isinstance(what, Mapping) or not isinstance(what.get("reference"), str):
            continue
        reference = what["reference"]
        references.append(reference)
        kind = reference.split("/", 1)[0] if "/" in reference else ""
        if kind:
            kinds.add(kind)
        if kind == "Patient":
            patients.append(reference)
    if references:
        event["fhir.entity.references"] = references
        event["fhir.entity.types"] = sorted(kinds)
    if patients:
        # One scalar for value_count correlations; the full list for the rest.
        event["fhir.patient.reference"] = patients[0]
        event["fhir.patient.references"] = patients
    event["fhir.patient.count"] = len(set(patients))


def _codes(concepts: Any) -> list[str]:
    """Codes of a list of CodeableConcepts (or of Codings, as R4 uses in a few places)."""
    codes: list[str] = []
    for concept in _items(concepts):
        if isinstance(concept.get("code"), str):
            codes.append(concept["code"])
        for coding in _items(concept.get("coding")):
            if isinstance(coding.get("code"), str):
                codes.append(coding["code"])
    return codes


def _items(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        return []
    return [item for item in value[:MAX_ITEMS] if isinstance(item, Mapping)]
