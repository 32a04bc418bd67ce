"""The shell's own pages: the dashboard and the global search."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse

from hygie.core.choices import AssetKind, Criticality
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Asset, AuditEntry, Establishment, Job, JobStatus, Person
from hygie.core.registries import landing_panels_for, search_providers, shows_posture
from hygie.core.roles import VIEW_AUDIT, VIEW_DIRECTORY, VIEW_JOBS, VIEW_ORGANISATION
from hygie.core.services.dashboard import posture

MAX_QUERY_LENGTH = 200


def _counts(queryset: QuerySet[Any], field: str) -> dict[Any, int]:
    rows = queryset.order_by().values(field).annotate(total=Count("pk"))
    return {row[field]: row["total"] for row in rows}


def landing(request: AuthenticatedRequest) -> HttpResponse:
    """The home page of a role without the posture dashboard: the panels every module
    contributes for the user's roles (``landing.py``), each left out when it has nothing."""
    panels = []
    for panel in landing_panels_for(request.user):
        context = panel.context(request.user)
        if context is not None:
            html = render_to_string(panel.template, {**context, "panel": panel}, request=request)
            panels.append((panel, html))
    return render(request, "core/home.html", {"panels": panels})


@login_required
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    """The home page (after sign-in and behind the home link): the posture dashboard for the
    roles that watch the whole picture, the role's landing panels for the others."""
    user = request.user
    if not shows_posture(user):
        return landing(request)
    context: dict[str, Any] = {}
    if user.can(VIEW_ORGANISATION):
        context["establishment_count"] = Establishment.objects.visible_to(user).count()
    if user.can(VIEW_DIRECTORY):
        assets = Asset.objects.visible_to(user)
        by_kind = _counts(assets, "kind")
        by_criticality = _counts(assets, "criticality")
        context.update(
            {
                "person_count": Person.objects.visible_to(user).count(),
                "asset_count": sum(by_kind.values()),
                "assets_by_kind": [
                    (value, label, by_kind.get(value, 0))
                    for value, label in AssetKind.choices
                    if by_kind.get(value)
                ],
                "assets_by_criticality": [
                    (value, label, by_criticality.get(value, 0))
                    for value, label in reversed(Criticality.choices)
                ],
            }
        )
    # The posture grid: one card per establishment, tiles from every module's dashboard.py.
    context["posture"] = posture(user)
    if user.can(VIEW_JOBS):
        context["running_jobs"] = list(
            Job.objects.visible_to(user)
            .filter(status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
            .order_by("-created_at")[:5]
        )
    if user.can(VIEW_AUDIT):
        context["recent_audit"] = list(
            AuditEntry.objects.visible_to(user).select_related("establishment")[:10]
        )
    return render(request, "core/dashboard.html", context)


@login_required
def search(request: AuthenticatedRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    groups = []
    if query:
        for provider in search_providers.values():
            hits = provider.search(request.user, query)
            if hits:
                groups.append((provider, hits))
    return render(
        request,
        "core/search.html",
        {"query": query, "groups": groups, "hit_count": sum(len(h) for _, h in groups)},
    )


@login_required
def api_guide(request: AuthenticatedRequest) -> HttpResponse:
    """The API's guide for people (tokens, conventions), linked from the user menu and from the
    interactive documentation's bar."""
    base_url = request.build_absolute_uri(reverse("api:api-root"))
    return render(
        request,
        "core/api_guide.html",
        {
            "base_url": base_url,
            "docs_url": reverse("api:openapi-view"),
            "openapi_url": reverse("api:openapi-json"),
        },
    )
