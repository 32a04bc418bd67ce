"""The TAXII 2.1 endpoints (plain Django views: TAXII has its own media type and error format).

Mounted under /intel/taxii2/: discovery, API roots, collections, objects (get, add, one object,
delete, versions), manifest, status. Every endpoint takes a partner credential (HTTP Basic) —
no session, hence no CSRF check — and answers ``application/taxii+json;version=2.1``, errors
included (TAXII error messages). Routes are in ``hygie/intel/urls.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from axes.helpers import get_client_ip_address
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from hygie.intel.engine import taxii
from hygie.intel.engine.taxii import TAXIIError
from hygie.intel.services import taxii_server
from hygie.intel.services.taxii_server import Requester

Handler = Callable[..., HttpResponse]


def taxii_response(
    resource: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> HttpResponse:
    response = HttpResponse(
        json.dumps(resource, ensure_ascii=False),
        status=status,
        content_type=taxii.TAXII_MEDIA_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(error: TAXIIError) -> HttpResponse:
    response = taxii_response(error.resource(), status=error.http_status)
    if error.http_status == 401:
        response["WWW-Authenticate"] = 'Basic realm="Hygie TAXII", charset="UTF-8"'
    return response


def endpoint(*methods: str) -> Callable[[Callable[..., HttpResponse]], Handler]:
    """Method check (405), credential (401), Accept (406), then the handler; every refusal is a
    TAXII error message."""

    def decorate(handler: Callable[..., HttpResponse]) -> Handler:
        @csrf_exempt
        @wraps(handler)
        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in methods:
                    error = TAXIIError(405, "Method not allowed", "See the Allow header.")
                    response = error_response(error)
                    response["Allow"] = ", ".join(methods)
                    return response
                requester = taxii_server.authenticate(
                    request.headers.get("Authorization"), get_client_ip_address(request)
                )
                taxii.check_accept(request.headers.get("Accept"))
                return handler(request, requester, *args, **kwargs)
            except TAXIIError as error:
                return error_response(error)

        return view

    return decorate


def _params(request: HttpRequest) -> dict[str, list[str]]:
    return {name: request.GET.getlist(name) for name in request.GET}


def _query(
    request: HttpRequest, allowed: tuple[str, ...], default_version: str = "last"
) -> taxii.Query:
    return taxii.parse_query(
        _params(request),
        allowed=allowed,
        default_limit=taxii_server.DEFAULT_PAGE_SIZE,
        max_limit=taxii_server.MAX_PAGE_SIZE,
        default_version=default_version,
    )


@endpoint("GET")
def discovery(request: HttpRequest, requester: Requester) -> HttpResponse:
    roots = [request.build_absolute_uri(f"{root}/") for root in taxii_server.api_roots(requester)]
    resource: dict[str, Any] = {
        "title": taxii_server.SERVER_TITLE,
        "description": "Hygie threat-intelligence sharing (STIX 2.1 over TAXII 2.1).",
        "api_roots": roots,
    }
    if roots:
        resource["default"] = roots[0]
    return taxii_response(resource)


@endpoint("GET")
def api_root(request: HttpRequest, requester: Requester, api_root: str) -> HttpResponse:
    taxii_server.check_api_root(requester, api_root)
    return taxii_response(taxii_server.api_root_resource(api_root))


@endpoint("GET")
def status(
    request: HttpRequest, requester: Requester, api_root: str, status_id: str
) -> HttpResponse:
    return taxii_response(taxii_server.status(requester, api_root, status_id))


@endpoint("GET")
def collections(request: HttpRequest, requester: Requester, api_root: str) -> HttpResponse:
    views = taxii_server.collections(requester, api_root)
    resource: dict[str, Any] = {}
    if views:
        resource["collections"] = [view.resource() for view in views]
    return taxii_response(resource)


@endpoint("GET")
def collection(
    request: HttpRequest, requester: Requester, api_root: str, collection_id: str
) -> HttpResponse:
    return taxii_response(taxii_server.collection(requester, api_root, collection_id).resource())


@endpoint("GET")
def manifest(
    request: HttpRequest, requester: Requester, api_root: str, collection_id: str
) -> HttpResponse:
    view = taxii_server.collection(requester, api_root, collection_id)
    taxii_server.require_read(view)
    query = _query(request, ("id", "type", "version", "spec_version"))
    result = taxii_server.page(taxii_server.readable_objects(view, requester.max_tlp), query)
    return taxii_response(taxii_server.manifest_resource(result), headers=result.headers)


@endpoint("GET", "POST")
def objects(
    request: HttpRequest, requester: Requester, api_root: str, collection_id: str
) -> HttpResponse:
    view = taxii_server.collection(requester, api_root, collection_id)
    if request.method == "POST":
        taxii_server.require_write(view)
        taxii.check_content_type(request.headers.get("Content-Type"))
        declared = request.headers.get("Content-Length", "")
        if declared.isdecimal() and int(declared) > taxii_server.MAX_CONTENT_LENGTH:
            raise TAXIIError(
                413, "Request too large", f"At most {taxii_server.MAX_CONTENT_LENGTH} bytes."
            )
        envelope = taxii_server.read_envelope(request.read(taxii_server.MAX_CONTENT_LENGTH + 1))
        added = taxii_server.add_objects(requester, view, envelope)
        return taxii_response(taxii_server.status_of(added), status=202)
    taxii_server.require_read(view)
    query = _query(request, ("id", "type", "version", "spec_version"))
    result = taxii_server.page(taxii_server.readable_objects(view, requester.max_tlp), query)
    return taxii_response(taxii_server.objects_envelope(result), headers=result.headers)


@endpoint("GET", "DELETE")
def stix_object(
    request: HttpRequest, requester: Requester, api_root: str, collection_id: str, object_id: str
) -> HttpResponse:
    view = taxii_server.collection(requester, api_root, collection_id)
    if request.method == "DELETE":
        query = _query(request, ("version", "spec_version"), default_version="all")
        taxii_server.delete_object(view, requester.max_tlp, object_id, query)
        return taxii_response({})
    taxii_server.require_read(view)
    query = _query(request, ("version", "spec_version"))
    versions = taxii_server.object_versions(view, requester.max_tlp, object_id)
    result = taxii_server.page(versions, query)
    return taxii_response(taxii_server.objects_envelope(result), headers=result.headers)


@endpoint("GET")
def object_versions(
    request: HttpRequest, requester: Requester, api_root: str, collection_id: str, object_id: str
) -> HttpResponse:
    view = taxii_server.collection(requester, api_root, collection_id)
    taxii_server.require_read(view)
    query = _query(request, ("spec_version",), default_version="all")
    versions = taxii_server.object_versions(view, requester.max_tlp, object_id)
    result = taxii_server.page(versions, query)
    return taxii_response(taxii_server.versions_resource(result), headers=result.headers)
