"""Background jobs (imports, scans, reports) and how far they have got."""

from typing import Annotated, Any

from ninja import Path, Query, Router
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from hygie.core import roles
from hygie.core.api.common import (
    ERROR_RESPONSES,
    Pagination,
    apply_ordering,
    get_visible,
    ordering_description,
    require,
)
from hygie.core.api.schemas import Id, InputFilters, JobOut, JobStatusValue
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Job

ORDERINGS = ("created_at", "started_at", "finished_at", "status", "kind")

router = Router(tags=["Jobs"])


class JobFilters(InputFilters):
    status: JobStatusValue | None = None
    kind: str | None = None
    establishment: Annotated[Id | None, FilterLookup("establishment_id")] = None


@router.get(
    "/jobs",
    response={200: list[JobOut], **ERROR_RESPONSES},
    summary="List jobs",
    operation_id="list_jobs",
    url_name="core_job_list",
    description="Jobs of your establishments and your own jobs, newest first. "
    "Requires `jobs.view`.",
)
@paginate(Pagination)
def list_jobs(
    request: AuthenticatedRequest,
    filters: Query[JobFilters],
    ordering: str | None = Query(None, description=ordering_description(ORDERINGS)),
) -> Any:
    require(request, roles.VIEW_JOBS)
    queryset = filters.filter(Job.objects.visible_to(request.user))
    return apply_ordering(queryset, ordering, ORDERINGS)


@router.get(
    "/jobs/{int:job_id}",
    response={200: JobOut, **ERROR_RESPONSES},
    summary="Get a job",
    operation_id="get_job",
    url_name="core_job_detail",
    description="Poll this to follow a job's progress (`percent`, `progress_message`). "
    "Requires `jobs.view`.",
)
def get_job(request: AuthenticatedRequest, job_id: Path[Id]) -> Job:
    require(request, roles.VIEW_JOBS)
    return get_visible(Job, request, job_id)
