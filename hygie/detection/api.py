"""The detection REST API, mounted at /api/v1/detection: bulk event ingestion.

``POST /events?establishment=ID`` takes JSON lines or a JSON array of events. Bodies larger than
HYGIE_INGEST_MAX_BODY_BYTES get 413; when HYGIE_INGEST_MAX_CONCURRENT requests are already being
processed the answer is 429 with Retry-After, so senders retry instead of losing events.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from hygie.core.api.common import ERROR_RESPONSES, require
from hygie.core.api.errors import error_body
from hygie.core.api.schemas import ErrorOut, Id
from hygie.core.models import Establishment
from hygie.detection import services
from hygie.detection.models import EventSource
from hygie.detection.roles import INGEST
from hygie.detection.schemas import IngestOut

router = Router()

RETRY_AFTER_SECONDS = 2


class IngestParams(Schema):
    establishment: Id


def _error(status: int, code: str, message: str, **headers: str) -> JsonResponse:
    response = JsonResponse(error_body(code, message), status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def _items(body: bytes) -> list[Any]:
    text = body.decode("utf-8", "replace").strip()
    if text.startswith("["):
        try:
            document = json.loads(text)
        except ValueError as error:
            raise HttpError(400, _("The body is not valid JSON.")) from error
        # Each element goes through the same parsers as a line, so its log source is found.
        return [json.dumps(item) if isinstance(item, dict) else str(item) for item in document]
    return text.splitlines()


@router.post(
    "/events", response={200: IngestOut, 400: ErrorOut, 413: ErrorOut, 429: ErrorOut,
                         **ERROR_RESPONSES},
    summary="Send log events (JSON lines or a JSON array)",
    openapi_extra={"requestBody": {"content": {
        "application/x-ndjson": {"schema": {"type": "string"}},
        "application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}}},
)
def ingest_events(request: HttpRequest, params: Query[IngestParams]) -> Any:
    require(request, INGEST)
    establishment = (Establishment.objects.visible_to(request.user)
                     .filter(pk=params.establishment).first())
    if establishment is None:
        return _error(404, "not_found", _("No such establishment."))
    limit = int(getattr(settings, "HYGIE_INGEST_MAX_BODY_BYTES", 5 * 1024 * 1024))
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return _error(413, "too_large", _("The body is larger than %(limit)s bytes.")
                      % {"limit": limit})
    slots = services.ingest_slots()
    if not slots.acquire(blocking=False):
        return _error(429, "busy", _("Too many ingestion requests at once; retry later."),
                      **{"Retry-After": str(RETRY_AFTER_SECONDS)})
    try:
        body = request.body
        if len(body) > limit:
            return _error(413, "too_large", _("The body is larger than %(limit)s bytes.")
                          % {"limit": limit})
        summary = services.ingest_lines(establishment, _items(body), EventSource.HTTP)
    finally:
        slots.release()
    return summary.as_dict()



