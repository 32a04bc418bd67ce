"""Establishment isolation, checked on EVERY page and EVERY API operation.

The routes are not listed by hand: pages come from Django's URL resolver and API operations
from the OpenAPI document, so a new route is covered the day it is added. An administrator
attached only to establishment A walks them all against objects of establishment B, whose
names carry a marker: no answer may contain the marker, object routes must answer 404/403, and
no write may land in B.

A route with a parameter this test does not know how to fill makes the test fail: teach it
(``_page_objects`` / ``_api_objects``) or, for a parameter that names no establishment data,
add it to the commented allow-lists below.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from hygie.api import api
from hygie.core.models import (
    Alert,
    APIToken,
    Asset,
    AuditEntry,
    Department,
    Establishment,
    Evidence,
    Job,
    Organisation,
    Person,
)
from hygie.core.services.evidence import add_evidence
from hygie.core.testing import login_with_mfa
from hygie.detection.models import AlertDelivery, Event, ForwardingTarget, RuleSetting
from hygie.privacy.models import PHIFinding, ScanRoot, ScanRun
from tests.apps.core.api_support import API, issue_token

MARKER = "isolationmarkerb"  # compared case-insensitively: host names are stored in lower case
SEARCH_TERM = "zeta"         # in B's names too; used as ?q= so an echoed search box is harmless

# Page routes (namespaced URL names) whose parameters name no establishment data. Empty today;
# every entry needs a comment saying why it is safe.
PAGE_PARAMETER_ALLOW_LIST: dict[str, str] = {}

# API path parameters that name no establishment data. Empty today; comment every entry.
API_PARAMETER_ALLOW_LIST: dict[str, str] = {}

# Pages whose GET changes the session itself; they are still requested, but last.
SESSION_ENDING_PAGES = {"core:logout"}

PDF = b"%PDF-1.4\n%%EOF\n"
OK_DENIALS = {403, 404, 405}


@dataclass
class WorldB:
    """One object of every kind in establishment B, each carrying the marker."""

    organisation: Organisation
    establishment: Establishment
    department: Department
    person: Person
    asset: Asset
    alert: Alert
    evidence: Evidence
    job: Job
    user: Any
    token: APIToken
    audit_entry: AuditEntry
    snapshot: dict[str, Any] = field(default_factory=dict)
    # privacy module
    scan_root: Any = None
    scan_run: Any = None
    finding: Any = None
    # detection module
    event: Any = None
    rule_setting: Any = None
    forwarding_target: Any = None
    delivery: Any = None

    def objects(self) -> list[Any]:
        return [self.organisation, self.establishment, self.department, self.person, self.asset,
                self.alert, self.evidence, self.job, self.user, self.token, self.audit_entry,
                self.scan_root, self.scan_run, self.finding, self.event, self.rule_setting,
                self.forwarding_target, self.delivery]

    def take_snapshot(self) -> dict[str, Any]:
        return {f"{type(obj).__name__}:{obj.pk}": _state(obj) for obj in self.objects()}


def _state(obj: Any) -> Any:
    fresh = type(obj)._default_manager.filter(pk=obj.pk).values().first()
    if fresh is not None:
        fresh.pop("last_used_at", None)   # tokens record use; not a change of B's data
        fresh.pop("last_login", None)
    return fresh


@pytest.fixture
def world_b(db, make_user) -> WorldB:
    organisation = Organisation.objects.create(name=f"Org {MARKER} Zeta", kind="group")
    establishment = Establishment.objects.create(organisation=organisation,
                                                 name=f"Clinique {MARKER} Zeta", kind="clinic",
                                                 finess_eg="690000007")
    department = Department.objects.create(establishment=establishment,
                                           name=f"Dept {MARKER} Zeta")
    person = Person.objects.create(establishment=establishment, department=department,
                                   first_name=MARKER, last_name="Zeta",
                                   email=f"{MARKER}.zeta@example.org")
    asset = Asset.objects.create(establishment=establishment, hostname=f"{MARKER}-zeta-pump",
                                 kind="medical_device", department=department)
    now = timezone.now()
    alert = Alert.objects.create(establishment=establishment, source="detection",
                                 title=f"Alert {MARKER} Zeta", asset=asset, first_seen_at=now,
                                 last_seen_at=now)
    evidence = add_evidence(establishment, None, f"Evidence {MARKER} Zeta",
                            uploaded_file=SimpleUploadedFile("zeta.txt",
                                                             f"{MARKER} zeta secret".encode()))
    user = make_user(f"{MARKER}-zeta-user", "rssi", [establishment])
    job = Job.objects.create(kind="core.import_people", title=f"Job {MARKER} Zeta",
                             establishment=establishment, created_by=user)
    token, _ = APIToken.issue(user, f"Token {MARKER} Zeta", "write",
                              now + timezone.timedelta(days=5))
    audit_entry = AuditEntry.objects.filter(establishment=establishment).first()
    assert audit_entry is not None and MARKER in audit_entry.object_repr.lower()
    world = WorldB(organisation, establishment, department, person, asset, alert, evidence, job,
                   user, token, audit_entry)
    world.scan_root = ScanRoot.objects.create(establishment=establishment,
                                              label=f"Root {MARKER} Zeta",
                                              path=f"/srv/{MARKER}-zeta")
    world.scan_run = ScanRun.objects.create(establishment=establishment, root=world.scan_root,
                                            status="succeeded", finished_at=now,
                                            skipped=[{"path": f"{MARKER}.bin", "reason": "x"}])
    world.finding = PHIFinding.objects.create(
        establishment=establishment, root=world.scan_root, scan_run=world.scan_run,
        relative_path=f"{MARKER}/zeta.csv", entity_type="FR_NIR", count=1, distinct_values=1,
        masked_sample=f"{MARKER} ••", first_seen_at=now, last_seen_at=now)
    world.event = Event.objects.create(establishment=establishment, received_at=now,
                                       source="http", host=f"{MARKER}-zeta-pump",
                                       raw=f"{MARKER} zeta log line", asset=asset,
                                       fields={"host.name": f"{MARKER}-zeta-pump"})
    world.rule_setting = RuleSetting.objects.create(establishment=establishment,
                                                    rule_id=f"{MARKER}-rule", is_enabled=False)
    # Port 9 (discard) on loopback: a send the test would wrongly allow stays harmless.
    world.forwarding_target = ForwardingTarget.objects.create(
        organisation=organisation, establishment=establishment, name=f"SIEM {MARKER} Zeta",
        kind="syslog_udp", host="127.0.0.1", port=9)
    world.delivery = AlertDelivery.objects.create(target=world.forwarding_target,
                                                  alert=alert, last_error=f"{MARKER} error")
    return world


@pytest.fixture
def admin_a(make_user, establishment_a):
    """Every capability there is, but attached to establishment A only."""
    return make_user("admin-of-a", "admin", [establishment_a])


def _page_objects(world: WorldB) -> dict[str, Any]:
    """URL-name prefix (design §6: ``<model>_detail`` …) → B's object of that model."""
    return {"organisation": world.organisation, "establishment": world.establishment,
            "department": world.department, "person": world.person, "asset": world.asset,
            "alert": world.alert, "evidence": world.evidence, "job": world.job,
            "user": world.user, "token": world.token, "audit": world.audit_entry,
            "scanroot": world.scan_root, "scanrun": world.scan_run, "phifinding": world.finding,
            "event": world.event, "rulesetting": world.rule_setting,
            "forwardingtarget": world.forwarding_target}


def _api_objects(world: WorldB) -> dict[str, Any]:
    """API path/query/body parameter name → B's object."""
    objects = {f"{prefix}_id": obj for prefix, obj in _page_objects(world).items()}
    objects.update({"entry_id": world.audit_entry, "assignee_id": world.user,
                    "organisation": world.organisation, "establishment": world.establishment,
                    "department": world.department, "asset": world.asset,
                    "root_id": world.scan_root, "run_id": world.scan_run,
                    "finding_id": world.finding, "root": world.scan_root,
                    "target_id": world.forwarding_target})
    return objects


def _leaks(response: Any) -> bool:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return MARKER in content.decode("utf-8", errors="replace").lower()


# --- pages -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PageRoute:
    name: str                    # namespaced URL name
    route: str                   # for messages
    parameters: tuple[str, ...]


def _page_routes() -> list[PageRoute]:
    routes: list[PageRoute] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "api":
                    continue  # the API is walked through its OpenAPI document below
                inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace \
                    else (pattern.namespace or namespace)
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
                parameters = tuple(pattern.pattern.regex.groupindex)
                routes.append(PageRoute(name, prefix + str(pattern.pattern), parameters))

    walk(get_resolver().url_patterns, "", "")
    return routes


@pytest.mark.django_db
def test_every_page_hides_establishment_b(admin_a, world_b, establishment_a):
    objects = _page_objects(world_b)
    before = world_b.take_snapshot()
    problems: list[str] = []
    routes = sorted(_page_routes(), key=lambda r: r.name in SESSION_ENDING_PAGES)
    assert len(routes) > 20  # the walk found the URL conf

    for page in routes:
        if not page.name or page.name.endswith(":None"):
            problems.append(f"{page.route}: unnamed route, cannot be reversed")
            continue
        client = login_with_mfa(Client(), admin_a)
        if not page.parameters:
            url = reverse(page.name)
            for params in ({}, {"q": SEARCH_TERM, "establishment": world_b.establishment.pk,
                                "department": world_b.department.pk}):
                response = client.get(url, params)
                if response.status_code >= 500 or _leaks(response):
                    problems.append(f"GET {url} {params or ''}: {response.status_code}, "
                                    f"leak={_leaks(response)}")
            continue
        if page.name in PAGE_PARAMETER_ALLOW_LIST:
            continue
        prefix = page.name.split(":")[-1].split("_")[0]
        target = objects.get(prefix)
        if target is None or set(page.parameters) != {"pk"}:
            problems.append(f"{page.route} ({page.name}): don't know which object of B fills "
                            f"{page.parameters}; teach _page_objects or allow-list it")
            continue
        url = reverse(page.name, kwargs={"pk": target.pk})
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code not in OK_DENIALS or _leaks(response):
                problems.append(f"{method.upper()} {url}: {response.status_code}, "
                                f"leak={_leaks(response)}")

    assert not problems, "\n".join(problems)
    assert world_b.take_snapshot() == before, "a request changed establishment B's data"


# --- API -------------------------------------------------------------------------------------

def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _example(schema: dict[str, Any], components: dict[str, Any], name: str,
             ids: dict[str, int]) -> Any:
    """A value the schema accepts; parameters naming objects get B's ids."""
    if name in ids:
        return ids[name]
    schema = _resolve(schema, components)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [option for option in schema[key] if option.get("type") != "null"]
            return _example(options[0], components, name, ids)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object":
        return {key: _example(sub, components, key, ids)
                for key, sub in schema.get("properties", {}).items()}
    if schema.get("format") == "binary":
        return SimpleUploadedFile("proof.pdf", PDF)
    if schema.get("format") == "date":
        return "2024-01-01"
    if schema.get("format") == "date-time":
        return "2024-01-01T00:00:00Z"
    length = max(int(schema.get("minLength", 0)), min(int(schema.get("maxLength", 8)), 8), 1)
    return ("iso" * 4)[:length]


@dataclass(frozen=True)
class APIOperation:
    method: str
    path: str
    spec: dict[str, Any]


def _api_operations(schema: dict[str, Any]) -> list[APIOperation]:
    return [APIOperation(method.upper(), path, spec)
            for path, operations in schema["paths"].items()
            for method, spec in operations.items()]


def _counts_in_b(world: WorldB) -> dict[str, int]:
    establishment = world.establishment
    return {model.__name__: model.objects.filter(establishment=establishment).count()
            for model in (Department, Person, Asset, Alert, Evidence, Job, ScanRoot, ScanRun,
                          PHIFinding, Event, RuleSetting, ForwardingTarget)}


@pytest.mark.django_db
def test_every_api_operation_hides_establishment_b(admin_a, world_b, establishment_a):
    schema = Client().get(f"{API}/openapi.json").json()
    components = schema["components"]["schemas"]
    ids = {name: obj.pk for name, obj in _api_objects(world_b).items()}
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(admin_a, 'write')}"}
    before, counts_before = world_b.take_snapshot(), _counts_in_b(world_b)
    problems: list[str] = []
    operations = _api_operations(schema)
    assert len(operations) > 30

    for operation in operations:
        parameters = operation.spec.get("parameters", [])
        path_names = [p["name"] for p in parameters if p["in"] == "path"]
        unknown = [name for name in path_names
                   if name not in ids and name not in API_PARAMETER_ALLOW_LIST]
        if unknown:
            problems.append(f"{operation.method} {operation.path}: no object of B for {unknown}; "
                            f"teach _api_objects or allow-list it")
            continue
        url = operation.path
        for name in path_names:
            url = url.replace("{" + name + "}", str(ids[name]))
        query = {p["name"]: _example(p.get("schema", {}), components, p["name"], ids)
                 for p in parameters if p["in"] == "query"
                 and (p.get("required") or p["name"] in ids)}
        if any(p["in"] == "query" and p["name"] == "q" for p in parameters):
            query["q"] = SEARCH_TERM
        response = _call(operation, url, query, components, ids, headers)
        leak = _leaks(response)
        # Reads of lists may succeed (without B's rows); anything naming a B object, or
        # writing into B, must be refused.
        names_b = bool(path_names) or operation.method != "GET"
        if leak or response.status_code >= 500 or (names_b
                                                    and response.status_code not in OK_DENIALS):
            problems.append(f"{operation.method} {url} {query or ''}: {response.status_code}, "
                            f"leak={leak}")

    assert not problems, "\n".join(problems)
    assert world_b.take_snapshot() == before, "a request changed establishment B's data"
    assert _counts_in_b(world_b) == counts_before, "a request created data in establishment B"


def _call(operation: APIOperation, url: str, query: dict[str, Any], components: dict[str, Any],
          ids: dict[str, int], headers: dict[str, str]) -> Any:
    client = Client()
    if query and operation.method != "GET":
        url = f"{url}?{'&'.join(f'{key}={value}' for key, value in query.items())}"
    content = operation.spec.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in content:
        body_schema = _resolve(content["multipart/form-data"]["schema"], components)
        data = {key: _example(sub, components, key, ids)
                for key, sub in body_schema.get("properties", {}).items()}
        return client.post(url, data=data, **headers)
    if "application/json" in content:
        body = _example(content["application/json"]["schema"], components, "", ids)
        return client.generic(operation.method, url, json.dumps(body),
                              content_type="application/json", **headers)
    if operation.method == "GET":
        return client.get(url, query, **headers)
    return client.generic(operation.method, url, **headers)


@pytest.mark.django_db
def test_every_api_route_is_in_the_openapi_document():
    """An operation hidden from the schema would escape the walk above."""
    documented = {re.sub(r"\{(\w+)\}", r"<\1>", path)
                  for path in Client().get(f"{API}/openapi.json").json()["paths"]}
    ninja_infrastructure = {"openapi-json", "openapi-view", "api-root", "unknown-route"}
    routes = api.urls[0]
    for pattern in routes:
        if pattern.name in ninja_infrastructure:
            continue
        route = f"{API}/" + re.sub(r"<\w+:(\w+)>", r"<\1>", str(pattern.pattern))
        assert route in documented, f"{route} is served but missing from the OpenAPI document"
