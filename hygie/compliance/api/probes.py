"""Compliance API: the registered probes, their stored results, and running them now.

No ``from __future__ import annotations``: ninja reads the annotations at import time.
"""

from datetime import datetime
from typing import Annotated, Any

from django.utils.translation import gettext
from ninja import Field, Path, Query, Router, Schema
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from hygie.compliance.models import ProbeRun
from hygie.compliance.roles import ASSESS, VIEW
from hygie.compliance.services import probes as service
from hygie.core.api.common import (
    ERROR_RESPONSES,
    Pagination,
    check_visible_reference,
    get_visible,
    require,
)
from hygie.core.api.schemas import Id, InputFilters, InputSchema, InstantParam
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Establishment

router = Router(tags=["Compliance probes"])


class ProbeOut(Schema):
    id: str
    title: str
    controls: list[str]


class ProbeRunOut(Schema):
    id: int
    establishment_id: int
    probe_id: str
    title: str
    controls: list[str]
    status: str
    summary: str = Field(description="In the request's language.")
    data: dict[str, Any]
    ran_at: datetime
    evidence_id: int | None
    evidence_sha256: str | None

    @staticmethod
    def resolve_title(obj: ProbeRun) -> str:
        return obj.title_display

    @staticmethod
    def resolve_summary(obj: ProbeRun) -> str:
        return obj.summary_display

    @staticmethod
    def resolve_evidence_sha256(obj: ProbeRun) -> str | None:
        return obj.evidence.sha256 if obj.evidence_id and obj.evidence else None


class RunIn(InputSchema):
    establishment_id: Id
    probe_ids: list[str] | None = Field(
        None, max_length=200, description="Default: every registered probe."
    )


class ProbeRunFilters(InputFilters):
    establishment: Annotated[Id | None, FilterLookup("establishment_id")] = None
    probe_id: str | None = None
    status: str | None = None
    ran_after: Annotated[InstantParam | None, FilterLookup("ran_at__gte")] = None


@router.get(
    "/probes",
    response={200: list[ProbeOut], **ERROR_RESPONSES},
    summary="List the registered probes",
    operation_id="list_probes",
    url_name="compliance_probe_list",
    description="Every probe of every module, with the Hygie controls it informs. Requires "
    "`compliance.view`.",
)
def list_probes(request: AuthenticatedRequest) -> list[dict[str, Any]]:
    require(request, VIEW)
    return [
        {"id": probe.id, "title": gettext(probe.title), "controls": list(probe.controls)}
        for probe in service.registered_probes()
    ]


@router.get(
    "/probe-runs",
    response={200: list[ProbeRunOut], **ERROR_RESPONSES},
    summary="List probe results",
    operation_id="list_probe_runs",
    url_name="compliance_proberun_list",
    description="Newest first. `latest=true`: only the latest result of each probe per "
    "establishment. Requires `compliance.view`.",
)
@paginate(Pagination)
def list_probe_runs(
    request: AuthenticatedRequest,
    filters: Query[ProbeRunFilters],
    latest: bool = Query(False),
) -> Any:
    require(request, VIEW)
    queryset = ProbeRun.objects.visible_to(request.user)
    if latest:
        ids = [
            run.pk
            for run in service.latest_runs(
                queryset.values_list("establishment_id", flat=True).distinct()
            )
        ]
        queryset = queryset.filter(pk__in=ids)
    return filters.filter(queryset.select_related("evidence")).order_by("-ran_at", "-pk")


@router.post(
    "/probe-runs",
    response={201: list[ProbeRunOut], **ERROR_RESPONSES},
    summary="Run the probes now",
    operation_id="run_probes",
    url_name="compliance_proberun_run",
    description="Runs every registered probe (or those named) for one establishment, stores "
    "each result with its evidence snapshot and proposes the statuses in its open "
    "assessments. Requires `compliance.assess`.",
)
def run_probes(request: AuthenticatedRequest, payload: RunIn) -> tuple[int, list[ProbeRun]]:
    require(request, ASSESS)
    check_visible_reference(Establishment, request, "establishment_id", payload.establishment_id)
    establishment = Establishment.objects.get(pk=payload.establishment_id)
    return 201, service.run_probes(establishment, request.user, payload.probe_ids)


@router.get(
    "/probe-runs/{int:probe_run_id}",
    response={200: ProbeRunOut, **ERROR_RESPONSES},
    summary="Get a probe result",
    operation_id="get_probe_run",
    url_name="compliance_proberun_detail",
    description="Requires `compliance.view`.",
)
def get_probe_run(request: AuthenticatedRequest, probe_run_id: Path[Id]) -> ProbeRun:
    require(request, VIEW)
    return get_visible(ProbeRun, request, probe_run_id)
