"""The searchable pickers' server side: ``GET /pickers/<source>/?q=…[&establishment=<id>…]``
answers JSON (``{"results": [{"value": "12", "label": "…"}]}``); what is searched is in
hygie.core.pickers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseForbidden, JsonResponse

from hygie.core.http import AuthenticatedRequest
from hygie.core.pickers import SOURCES, search


@login_required
def picker(request: AuthenticatedRequest, source: str) -> JsonResponse | HttpResponseForbidden:
    found = SOURCES.get(source)
    if found is None:
        raise Http404
    if not request.user.can(found.capability):
        return HttpResponseForbidden()
    establishments = [int(v) for v in request.GET.getlist("establishment") if v.isdigit()][:20]
    results = search(found, request.user, request.GET.get("q", ""), establishments)
    return JsonResponse({"results": results})
