"""Establishment isolation, checked on EVERY page and EVERY API operation.

The routes are not listed by hand: pages come from Django's URL resolver and API operations
from the OpenAPI document, so a new route is covered the day it is added. An administrator
attached only to establishment A walks them all against objects of establishment B, whose
names carry a marker: no answer may contain the marker, object routes must answer 404/403, and
no write may land in B.

A route with a parameter this test does not know how to fill makes the test fail: teach it
(``_page_objects`` / ``_api_objects``) or, for a parameter that names no establishment data,
add it to the commented allow-lists below.

Routes nesting one object in another (an incident's task, an exercise's entries) are walked twice:
with B's parent, and with A's parent and B's child. Writes are also sent with B's objects in
their body (``establishment_id``, ``alert_ids`` …) to parents of A.

The core builds B's core objects here; every module adds its own from its folder
(``<module>/isolation.py``, ``build_isolation``; see ``hygie.core.testing.isolation_parts``), with
its routes' allow-lists, so a new module is walked without editing this file.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
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
from hygie.core.pickers import SOURCES as PICKER_SOURCES
from hygie.core.services.evidence import add_evidence
from hygie.core.testing import (
    IsolationPart,
    IsolationWorld,
    count_in,
    isolation_parts,
    login_with_mfa,
)
from tests.apps.core.api_support import API, issue_token

MARKER = "isolationmarkerb"  # compared case-insensitively: host names are stored in lower case
SEARCH_TERM = "zeta"  # in B's names too; used as ?q= so an echoed search box is harmless

# Route parameters naming no establishment data, and writes storing nothing, are declared by each
# module in its IsolationPart (with a comment saying why each is safe); see ``WorldB.merged``.

# Pages whose GET changes the session itself; they are still requested, but last.
SESSION_ENDING_PAGES = {"core:logout"}

PDF = b"%PDF-1.4\n%%EOF\n"
OK_DENIALS = {403, 404, 405}
NOWHERE = 10**9  # an id no object has


@dataclass
class WorldB:
    """One object of every kind in establishment B, each carrying the marker: the core's here,
    each module's in its part (``parts``, by module label)."""

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
    parts: dict[str, IsolationPart] = field(default_factory=dict)

    def objects(self) -> list[Any]:
        objects = [
            self.organisation,
            self.establishment,
            self.department,
            self.person,
            self.asset,
            self.alert,
            self.evidence,
            self.job,
            self.user,
            self.token,
            self.audit_entry,
        ]
        for part in self.parts.values():
            objects += part.objects
        return objects

    def take_snapshot(self) -> dict[str, Any]:
        return {f"{type(obj).__name__}:{obj.pk}": _state(obj) for obj in self.objects()}

    def merged(self, attribute: str) -> dict[str, Any]:
        """One mapping attribute of every module's part, merged (keys must not collide)."""
        merged: dict[str, Any] = {}
        for label, part in self.parts.items():
            values = getattr(part, attribute)
            clash = set(merged) & set(values)
            assert not clash, f"{label}'s isolation part reuses {sorted(clash)} ({attribute})"
            merged.update(values)
        return merged


def _state(obj: Any) -> Any:
    fresh = type(obj)._default_manager.filter(pk=obj.pk).values().first()
    if fresh is not None:
        fresh.pop("last_used_at", None)  # tokens record use; not a change of B's data
        fresh.pop("last_login", None)
        for relation in type(obj)._meta.many_to_many:  # watchers, alerts, participants…
            fresh[relation.name] = sorted(getattr(obj, relation.name).values_list("pk", flat=True))
    return fresh


@pytest.fixture
def world_b(db, make_user, establishment_a) -> WorldB:
    organisation = Organisation.objects.create(name=f"Org {MARKER} Zeta", kind="group")
    establishment = Establishment.objects.create(
        organisation=organisation,
        name=f"Clinique {MARKER} Zeta",
        kind="clinic",
        finess_eg="690000007",
    )
    department = Department.objects.create(establishment=establishment, name=f"Dept {MARKER} Zeta")
    person = Person.objects.create(
        establishment=establishment,
        department=department,
        first_name=MARKER,
        last_name="Zeta",
        email=f"{MARKER}.zeta@example.org",
    )
    asset = Asset.objects.create(
        establishment=establishment,
        hostname=f"{MARKER}-zeta-pump",
        kind="medical_device",
        department=department,
    )
    now = timezone.now()
    alert = Alert.objects.create(
        establishment=establishment,
        source="detection",
        title=f"Alert {MARKER} Zeta",
        asset=asset,
        first_seen_at=now,
        last_seen_at=now,
    )
    evidence = add_evidence(
        establishment,
        None,
        f"Evidence {MARKER} Zeta",
        uploaded_file=SimpleUploadedFile("zeta.txt", f"{MARKER} zeta secret".encode()),
    )
    user = make_user(f"{MARKER}-zeta-user", "rssi", [establishment])
    job = Job.objects.create(
        kind="core.import_people",
        title=f"Job {MARKER} Zeta",
        establishment=establishment,
        created_by=user,
    )
    token, _ = APIToken.issue(
        user, f"Token {MARKER} Zeta", "write", now + timezone.timedelta(days=5)
    )
    audit_entry = AuditEntry.objects.filter(establishment=establishment).first()
    assert audit_entry is not None and MARKER in audit_entry.object_repr.lower()
    world = WorldB(
        organisation,
        establishment,
        department,
        person,
        asset,
        alert,
        evidence,
        job,
        user,
        token,
        audit_entry,
    )
    world.parts = isolation_parts(
        IsolationWorld(
            marker=MARKER,
            organisation=organisation,
            establishment=establishment,
            department=department,
            person=person,
            asset=asset,
            alert=alert,
            user=user,
            establishment_a=establishment_a,
        )
    )
    assert {"privacy", "detection", "response"} <= set(world.parts)
    # The core's own routes naming no establishment data: a picker's source is a kind of
    # object (alerts, assets, departments), and its answer is walked with B's ids and the search
    # term like any list, so B's objects must not appear in it.
    world.parts["core"] = IsolationPart(
        objects=[],
        page_parameter_allow_list={"core:picker": {"source": tuple(PICKER_SOURCES)}},
    )
    return world


@pytest.fixture
def admin_a(make_user, establishment_a):
    """Every capability there is, but attached to establishment A only."""
    return make_user("admin-of-a", "admin", [establishment_a])


def _page_objects(world: WorldB) -> dict[str, Any]:
    """URL-name prefix (design §6: ``<model>_detail`` …) → B's object of that model."""
    return {
        "organisation": world.organisation,
        "establishment": world.establishment,
        "department": world.department,
        "person": world.person,
        "asset": world.asset,
        "alert": world.alert,
        "evidence": world.evidence,
        "job": world.job,
        "user": world.user,
        "token": world.token,
        "audit": world.audit_entry,
        **world.merged("page_objects"),
    }


def _api_objects(world: WorldB) -> dict[str, Any]:
    """API path/query/body parameter name → B's object."""
    objects = {f"{prefix}_id": obj for prefix, obj in _page_objects(world).items()}
    objects.update(
        {
            "entry_id": world.audit_entry,
            "assignee_id": world.user,
            "organisation": world.organisation,
            "establishment": world.establishment,
            "department": world.department,
            "asset": world.asset,
            # users and establishments named in bodies
            "owner_id": world.user,
            "participant_id": world.user,
            "affected_establishment_id": world.establishment,
            **world.merged("api_objects"),
        }
    )
    return objects


def _leaks(answer: Any) -> bool:
    if getattr(answer, "streaming", False):
        content = b"".join(answer.streaming_content)
        answer.streaming_content = iter([content])  # read again for the next check
    else:
        content = answer.content
    if content.startswith(b"PK\x03\x04"):  # xlsx, docx: the text is inside the zip
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            content = b"".join(archive.read(name) for name in archive.namelist())
    return MARKER in content.decode("utf-8", errors="replace").lower()


# --- pages -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageRoute:
    name: str  # namespaced URL name
    route: str  # for messages
    parameters: tuple[str, ...]


def _page_routes() -> list[PageRoute]:
    routes: list[PageRoute] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "api":
                    continue  # the API is walked through its OpenAPI document below
                inner = (
                    f"{namespace}:{pattern.namespace}"
                    if namespace and pattern.namespace
                    else (pattern.namespace or namespace)
                )
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
                parameters = tuple(pattern.pattern.regex.groupindex)
                routes.append(PageRoute(name, prefix + str(pattern.pattern), parameters))

    walk(get_resolver().url_patterns, "", "")
    return routes


def _page_variants(page: PageRoute, world: WorldB) -> list[dict[str, Any]] | None:
    """The kwargs to reverse ``page`` with: B's objects, then (for nested routes) A's parent
    with B's children (``pk`` is then A's); None when a parameter cannot be filled."""
    allowed = world.merged("page_parameter_allow_list").get(page.name, {})
    words = page.name.split(":")[-1].split("_")
    children = world.merged("page_child_objects")
    b_kwargs: dict[str, Any] = {}
    for name in page.parameters:
        if name in allowed:
            continue
        if name == "pk":
            target = _page_objects(world).get(words[0])
        else:
            target = next(
                (obj for word, obj in children.get(name, {}).items() if word in words[1:]), None
            )
        if target is None:
            return None
        b_kwargs[name] = target.pk
    variants = [b_kwargs]
    parent_a = world.merged("page_parents_a").get(words[0])
    if "pk" in b_kwargs and len(b_kwargs) > 1 and parent_a is not None:
        variants.append({**b_kwargs, "pk": parent_a.pk})
    expanded = variants
    for name, values in allowed.items():
        expanded = [{**kwargs, name: value} for kwargs in expanded for value in values]
    return expanded


def _page_form_data(world: WorldB, page_name: str) -> dict[str, Any]:
    """A form naming B's objects, posted to the pages of a module whose part gives form fields
    (those pages build their own forms); other pages get an empty form."""
    part = world.parts.get(page_name.split(":")[0])
    if part is None or part.page_form_data is None:
        return {}
    user, alert = world.user.pk, world.alert.pk
    return {
        "establishment": world.establishment.pk,
        "organisation": world.organisation.pk,
        "affected_establishments": world.establishment.pk,
        "departments": world.department.pk,
        "assets": world.asset.pk,
        "alerts": str(alert),
        "alert": alert,
        "assignee": user,
        "owner": user,
        "participants": user,
        **part.page_form_data,
    }


def _all_counts(world: WorldB) -> dict[str, int]:
    counts = count_in(world.establishment, Department, Person, Asset, Alert, Evidence, Job)
    for part in world.parts.values():
        counts.update(part.counts())
    return counts


def _links_to_b(world: WorldB) -> list[str]:
    return [link for part in world.parts.values() for link in part.links_to_b()]


@pytest.mark.slow
@pytest.mark.django_db
def test_every_page_hides_establishment_b(admin_a, world_b, establishment_a):
    before, counts_before = world_b.take_snapshot(), _all_counts(world_b)
    problems: list[str] = []
    routes = sorted(_page_routes(), key=lambda r: r.name in SESSION_ENDING_PAGES)
    assert len(routes) > 20  # the walk found the URL conf

    for page in routes:
        if not page.name or page.name.endswith(":None"):
            problems.append(f"{page.route}: unnamed route, cannot be reversed")
            continue
        client = login_with_mfa(Client(), admin_a)
        data = _page_form_data(world_b, page.name)
        variants = _page_variants(page, world_b)
        if variants is None:
            problems.append(
                f"{page.route} ({page.name}): don't know which object of B fills "
                f"{page.parameters}; teach _page_objects or allow-list it"
            )
            continue
        parent_a = world_b.merged("page_parents_a").get(page.name.split(":")[-1].split("_")[0])
        for kwargs in variants:
            url = reverse(page.name, kwargs=kwargs or None)
            names_b = set(kwargs) - set(
                world_b.merged("page_parameter_allow_list").get(page.name, {})
            )
            a_parent = parent_a is not None and kwargs.get("pk") == parent_a.pk
            if not names_b:
                # A list, or a route showing shipped content: it may answer, without B's data.
                for params in (
                    {},
                    {
                        "q": SEARCH_TERM,
                        "establishment": world_b.establishment.pk,
                        "department": world_b.department.pk,
                    },
                ):
                    answer = client.get(url, params)
                    if answer.status_code >= 500 or _leaks(answer):
                        problems.append(
                            f"GET {url} {params or ''}: {answer.status_code}, leak={_leaks(answer)}"
                        )
                if data and page.name not in SESSION_ENDING_PAGES:
                    answer = client.post(url, data)
                    if answer.status_code >= 500 or _leaks(answer):
                        problems.append(
                            f"POST {url} (B's objects in the form): "
                            f"{answer.status_code}, leak={_leaks(answer)}"
                        )
                continue
            for method in ("get", "post"):
                answer = getattr(client, method)(url, data if method == "post" else None)
                leak = _leaks(answer)
                if not leak and answer.status_code not in OK_DENIALS and a_parent:
                    # A's parent: B's child must be indistinguishable from no object at all.
                    nowhere = reverse(
                        page.name,
                        kwargs={
                            name: NOWHERE if name in names_b - {"pk"} else value
                            for name, value in kwargs.items()
                        },
                    )
                    other = getattr(client, method)(nowhere, data if method == "post" else None)
                    if other.status_code == answer.status_code and not _leaks(other):
                        continue
                if answer.status_code not in OK_DENIALS or leak:
                    problems.append(f"{method.upper()} {url}: {answer.status_code}, leak={leak}")

    assert not problems, "\n".join(problems)
    assert world_b.take_snapshot() == before, "a request changed establishment B's data"
    assert _all_counts(world_b) == counts_before, "a request created data in establishment B"
    assert not _links_to_b(world_b), "a request linked B's objects to A's"


# --- API -------------------------------------------------------------------------------------


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


class _Ids(dict):
    """Parameter name → B's id, remembering which names were used (filled with B's objects)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.used: set[str] = set()

    def __getitem__(self, name: str) -> Any:
        self.used.add(name)
        return super().__getitem__(name)


def _example(
    schema: dict[str, Any], components: dict[str, Any], name: str, ids: dict[str, int]
) -> Any:
    """A value the schema accepts; parameters naming objects get B's ids."""
    if name in ids:
        return ids[name]
    if name.endswith("_ids"):  # alert_ids, participant_ids… : a list of B's objects
        single = name[:-1]
        if single in ids:
            if isinstance(ids, _Ids):
                ids.used.add(name)
            return [ids[single]]
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
        return {
            key: _example(sub, components, key, ids)
            for key, sub in schema.get("properties", {}).items()
        }
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
    return [
        APIOperation(method.upper(), path, spec)
        for path, operations in schema["paths"].items()
        for method, spec in operations.items()
    ]


def _refused(answer: Any, names_b: set[str]) -> bool:
    """403/404/405, or a 422 whose problems are about a parameter filled with a B object (the
    API answers "Unknown …" there, so ids of other establishments cannot be probed)."""
    if answer.status_code in OK_DENIALS:
        return True
    if answer.status_code != 422:
        return False
    fields = answer.json().get("error", {}).get("fields", {})
    return bool(fields) and all(re.split(r"[.\[]", key)[0] in names_b for key in fields)


@pytest.mark.slow
@pytest.mark.django_db
def test_every_api_operation_hides_establishment_b(admin_a, world_b, establishment_a):
    schema = Client().get(f"{API}/openapi.json").json()
    components = schema["components"]["schemas"]
    objects_b = {name: obj.pk for name, obj in _api_objects(world_b).items()}
    parents_a = {name: obj.pk for name, obj in world_b.merged("api_parents_a").items()}
    api_allow_list = world_b.merged("api_parameter_allow_list")
    writes_storing_nothing = {
        name for part in world_b.parts.values() for name in part.api_writes_storing_nothing
    }
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(admin_a, 'write')}"}
    before, counts_before = world_b.take_snapshot(), _all_counts(world_b)
    problems: list[str] = []
    operations = _api_operations(schema)
    assert len(operations) > 30

    for operation in operations:
        parameters = operation.spec.get("parameters", [])
        path_names = [p["name"] for p in parameters if p["in"] == "path"]
        allowed = api_allow_list.get(operation.spec.get("operationId", ""), {})
        unknown = [name for name in path_names if name not in objects_b and name not in allowed]
        if unknown:
            problems.append(
                f"{operation.method} {operation.path}: no object of B for {unknown}; "
                f"teach _api_objects or allow-list it"
            )
            continue
        variants: list[dict[str, Any]] = [{}]
        for name, options in allowed.items():
            variants = [{**variant, name: value} for variant in variants for value in options]
        # Nested in a parent of A, the route still names B's children or body objects; B's
        # child is also sent alone (nothing else of B in the body to be refused for).
        parent = next((name for name in path_names if name in parents_a), None)
        runs = [({**objects_b, **variant}, False) for variant in variants]
        if parent:
            in_a = {parent: parents_a[parent]}
            children = {
                name: objects_b[name] for name in path_names if name != parent and name in objects_b
            }
            nowhere = dict.fromkeys(objects_b, NOWHERE)
            runs += [({**objects_b, **variant, **in_a}, True) for variant in variants]
            if children:
                runs += [({**nowhere, **children, **variant, **in_a}, True) for variant in variants]

        def request(ids: _Ids) -> tuple[str, dict[str, Any], Any]:
            url = operation.path
            for name in path_names:
                url = url.replace("{" + name + "}", str(ids[name]))
            query = {
                p["name"]: _example(p.get("schema", {}), components, p["name"], ids)
                for p in parameters
                if p["in"] == "query" and (p.get("required") or _names_object(p, components, ids))
            }
            if any(p["in"] == "query" and p["name"] == "q" for p in parameters):
                query["q"] = SEARCH_TERM
            return url, query, _call(operation, url, query, components, ids, headers)

        for values, a_parent in runs:
            fixed = set(allowed) | ({parent} if a_parent else set())

            def of_b(
                names: set[str], values: dict[str, Any] = values, fixed: set[str] = fixed
            ) -> set[str]:
                return {
                    name
                    for name in names - fixed  # alert_ids → alert_id
                    if values.get(name, values.get(name[:-1])) != NOWHERE
                }

            if a_parent and not of_b(_names_used(operation, components, _Ids(values))):
                continue  # A's parent and nothing of B: an ordinary request inside A
            ids = _Ids(values)
            url, query, answer = request(ids)
            leak = _leaks(answer)
            names_b = of_b(ids.used)
            path_b = bool(names_b & set(path_names))
            # Reads of lists may succeed (without B's rows); anything naming a B object in its
            # path, or writing (with B's objects in its body), must be refused.
            writes = (
                operation.method != "GET"
                and operation.spec.get("operationId") not in writes_storing_nothing
            )
            must_refuse = path_b or writes
            if a_parent and not leak and not _refused(answer, names_b) and answer.status_code < 500:
                # A's parent: B's objects must be indistinguishable from no object at all.
                _, _, other = request(
                    _Ids({**values, **{name: NOWHERE for name in names_b if name in values}})
                )
                if other.status_code == answer.status_code and not _leaks(other):
                    continue
            if leak or answer.status_code >= 500 or (must_refuse and not _refused(answer, names_b)):
                problems.append(
                    f"{operation.method} {url} {query or ''}: "
                    f"{answer.status_code}, leak={leak}, B's objects: "
                    f"{sorted(names_b)}"
                )

    assert not problems, "\n".join(problems)
    assert world_b.take_snapshot() == before, "a request changed establishment B's data"
    assert _all_counts(world_b) == counts_before, "a request created data in establishment B"
    assert not _links_to_b(world_b), "a request linked B's objects to A's"


def _names_object(parameter: dict[str, Any], components: dict[str, Any], ids: _Ids) -> bool:
    """A query parameter taking an id of B (``obligation_id`` is also a kind filter: a string)."""
    if parameter["name"] not in ids:
        return False
    schema = _resolve(parameter.get("schema", {}), components)
    options = schema.get("anyOf", [schema])
    return any(_resolve(option, components).get("type") == "integer" for option in options)


def _names_used(operation: APIOperation, components: dict[str, Any], ids: _Ids) -> set[str]:
    """The parameters a request would fill with B's objects (path, query and body)."""
    for parameter in operation.spec.get("parameters", []):
        if (
            parameter["in"] == "path"
            or parameter.get("required")
            or _names_object(parameter, components, ids)
        ):
            _example(parameter.get("schema", {}), components, parameter["name"], ids)
    for content in operation.spec.get("requestBody", {}).get("content", {}).values():
        _example(content["schema"], components, "", ids)
    return set(ids.used)


def _call(
    operation: APIOperation,
    url: str,
    query: dict[str, Any],
    components: dict[str, Any],
    ids: dict[str, int],
    headers: dict[str, str],
) -> Any:
    client = Client()
    if query and operation.method != "GET":
        url = f"{url}?{'&'.join(f'{key}={value}' for key, value in query.items())}"
    content = operation.spec.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in content:
        body_schema = _resolve(content["multipart/form-data"]["schema"], components)
        data = {
            key: _example(sub, components, key, ids)
            for key, sub in body_schema.get("properties", {}).items()
        }
        return client.post(url, data=data, **headers)
    if "application/json" in content:
        body = _example(content["application/json"]["schema"], components, "", ids)
        return client.generic(
            operation.method, url, json.dumps(body), content_type="application/json", **headers
        )
    if operation.method == "GET":
        return client.get(url, query, **headers)
    return client.generic(operation.method, url, **headers)


@pytest.mark.django_db
def test_every_api_route_is_in_the_openapi_document():
    """An operation hidden from the schema would escape the walk above."""
    documented = {
        re.sub(r"\{(\w+)\}", r"<\1>", path)
        for path in Client().get(f"{API}/openapi.json").json()["paths"]
    }
    ninja_infrastructure = {"openapi-json", "openapi-view", "api-root", "unknown-route"}
    routes = api.urls[0]
    for pattern in routes:
        if pattern.name in ninja_infrastructure:
            continue
        route = f"{API}/" + re.sub(r"<\w+:(\w+)>", r"<\1>", str(pattern.pattern))
        assert route in documented, f"{route} is served but missing from the OpenAPI document"


@pytest.mark.django_db
def test_every_allow_list_entry_names_an_existing_route(world_b):
    """A renamed route would leave a stale allow-list entry behind, silently unused."""
    pages = {page.name for page in _page_routes()}
    operations = {
        spec.get("operationId")
        for path in Client().get(f"{API}/openapi.json").json()["paths"].values()
        for spec in path.values()
    }
    for label, part in world_b.parts.items():
        assert set(part.page_parameter_allow_list) <= pages, label
        assert set(part.api_parameter_allow_list) <= operations, label
        assert part.api_writes_storing_nothing <= operations, label
