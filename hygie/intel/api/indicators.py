"""The indicator store API: indicators (CRUD, import with a dry run, export), their sightings,
and feeds (CRUD, poll now)."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from ninja import Field, File, Form, Path, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from hygie.core import audit
from hygie.core.api.choice_values import choice_literal
from hygie.core.api.common import (
    ERROR_RESPONSES,
    Pagination,
    apply_ordering,
    get_visible,
    ordering_description,
    require,
)
from hygie.core.api.resource import Resource, add_crud_routes
from hygie.core.api.schemas import Id, InputFilters, InputSchema
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Establishment
from hygie.core.services.crud import check_establishment_allowed
from hygie.core.services.jobs import start_job
from hygie.intel.engine.convert import Input
from hygie.intel.engine.model import TLP
from hygie.intel.models import Feed, Indicator, Partner, Sighting
from hygie.intel.models.choices import FeedKind, IndicatorKind, TlpLevel
from hygie.intel.roles import MANAGE, VIEW
from hygie.intel.services import indicators

if TYPE_CHECKING:
    KindValue = str
    TlpValue = str
    FeedKindValue = str
    ImportFormat = str
    ExportFormat = str
else:
    KindValue = choice_literal(IndicatorKind.values)
    TlpValue = choice_literal(TlpLevel.values)
    FeedKindValue = choice_literal(FeedKind.values)
    ImportFormat = choice_literal(indicators.IMPORT_FORMATS)
    ExportFormat = choice_literal(indicators.EXPORT_FORMATS)

router = Router()


# --- indicators ---------------------------------------------------------------------------


class IndicatorIn(InputSchema):
    establishment_id: Id
    kind: KindValue
    value: str = Field(
        min_length=1,
        max_length=2048,
        description="Normalised on save; defanged forms (hxxp, [.]) are accepted.",
    )
    tlp: TlpValue = TlpLevel.AMBER.value
    confidence: int | None = Field(None, ge=0, le=100)
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    revoked: bool = False
    to_ids: bool = True
    description: str = Field("", max_length=10_000)


class IndicatorOut(Schema):
    id: int
    establishment_id: int
    kind: str
    value: str
    stix_id: str
    pattern: str
    tlp: str
    confidence: int | None
    valid_from: datetime | None
    valid_until: datetime | None
    revoked: bool
    is_active: bool
    to_ids: bool
    description: str
    kill_chain: list[dict[str, str]]
    labels: list[str]
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    sighting_count: int
    last_confirmed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class IndicatorFilters(InputFilters):
    q: Annotated[str | None, FilterLookup(["value__icontains", "description__icontains"])] = None
    establishment: Annotated[Id | None, FilterLookup("establishment_id")] = None
    kind: KindValue | None = None
    tlp: TlpValue | None = None
    is_active: bool | None = None
    revoked: bool | None = None
    value: Annotated[str | None, Field(None, max_length=2048), FilterLookup("value")] = None


INDICATORS = Resource(
    model=Indicator,
    path="indicators",
    id_param="indicator_id",
    label="indicator",
    plural="indicators",
    one="an indicator",
    schema_in=IndicatorIn,
    schema_out=IndicatorOut,
    filters=IndicatorFilters,
    orderings=("kind", "value", "tlp", "confidence", "created_at", "updated_at", "last_seen_at"),
    view_capability=VIEW,
    edit_capability=MANAGE,
)


class ImportOut(Schema):
    dry_run: bool
    read: int
    created: int
    updated: int
    sources: int
    by_kind: dict[str, int]
    warnings: list[str]


@router.post(
    "/indicators/import",
    response={200: ImportOut, **ERROR_RESPONSES},
    summary="Import indicators",
    operation_id="import_indicators",
    url_name="intel_indicator_import",
    tags=["Indicators"],
    description="A STIX 2.1 bundle, a MISP event, a MISP feed (zip of manifest.json and its "
    "events), CSV or free text (defanged forms accepted). De-duplicated against the store; the "
    "source is kept as provenance. `dry_run=true` checks and counts without writing. Invalid "
    "input is a 422 whose message locates the problem (file, line or JSON path) and nothing is "
    "written. Requires `intel.manage` and a write token.",
)
def import_indicators(
    request: AuthenticatedRequest,
    establishment_id: Form[Id],
    file: File[UploadedFile],
    format: Form[ImportFormat] = "auto",  # noqa: A002  (the API's parameter name)
    default_tlp: Form[TlpValue] = TlpLevel.AMBER.value,
    source: Form[str] = "",
    partner_id: Form[Id | None] = None,
    dry_run: Form[bool] = False,
) -> Any:
    require(request, MANAGE)
    check_establishment_allowed(request.user, establishment_id)
    establishment = get_visible(Establishment, request, establishment_id)
    partner = None
    if partner_id is not None:
        partner = get_visible(Partner, request, partner_id)
        if partner.establishment_id != establishment.pk:
            raise HttpError(422, "The partner belongs to another establishment.")
    if (file.size or 0) > indicators.MAX_IMPORT_BYTES:
        raise HttpError(413, "The file is too large.")
    try:
        report = indicators.import_data(
            establishment,
            [Input((file.name or "upload")[:200], file.read())],
            from_=format,
            default_tlp=TLP(default_tlp),
            source=source[:200] or (partner.name if partner else ""),
            partner=partner,
            dry_run=dry_run,
        )
    except ValidationError as error:
        raise HttpError(422, " ".join(error.messages)) from None
    return {"dry_run": dry_run, **report.as_dict()}


@router.get(
    "/indicators/export",
    response={200: None, **ERROR_RESPONSES},
    summary="Export indicators",
    operation_id="export_indicators",
    url_name="intel_indicator_export",
    tags=["Indicators"],
    description="The indicators you can see as a STIX 2.1 bundle (validated by stix2-validator "
    "in the tests, TLP 2.0 markings), a MISP event, a MISP feed (zip) or CSV (defanged). "
    "Nothing above `max_tlp` is included. Recorded in the audit trail. Requires `intel.view`.",
)
def export_indicators(
    request: AuthenticatedRequest,
    format: ExportFormat = "stix21",  # noqa: A002  (the API's parameter name)
    max_tlp: TlpValue = TlpLevel.AMBER.value,
    establishment: Id | None = None,
    kind: KindValue | None = None,
    active_only: bool = True,
) -> HttpResponse:
    require(request, VIEW)
    queryset: QuerySet[Indicator] = Indicator.objects.visible_to(request.user)
    if establishment is not None:
        queryset = queryset.filter(establishment_id=establishment)
    if kind:
        queryset = queryset.filter(kind=kind)
    queryset = indicators.exportable(queryset, max_tlp=TLP(max_tlp), active_only=active_only)
    exported = indicators.export(queryset, format)
    audit.record(
        "export",
        object_type="intel.indicator",
        message=f"intel indicators exported: {exported.count} as {format}, "
        f"up to {TLP(max_tlp).label}",
        establishment_id=establishment,
    )
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response


class SourceOut(Schema):
    id: int
    source_name: str
    source_ref: str
    feed_id: int | None
    partner_id: int | None
    tlp: str
    confidence: int | None
    first_imported_at: datetime
    imported_at: datetime


@router.get(
    "/indicators/{int:indicator_id}/sources",
    response={200: list[SourceOut], **ERROR_RESPONSES},
    summary="List an indicator's sources",
    operation_id="list_indicator_sources",
    url_name="intel_indicator_sources",
    tags=["Indicators"],
    description="The provenance of the indicator: one entry per source, with its own TLP, "
    "confidence and reference (STIX id, MISP uuid, CSV line). Requires `intel.view`.",
)
def list_sources(request: AuthenticatedRequest, indicator_id: Path[Id]) -> Any:
    require(request, VIEW)
    indicator = get_visible(Indicator, request, indicator_id)
    return list(indicator.sources.order_by("-imported_at"))


add_crud_routes(router, INDICATORS)


# --- sightings ----------------------------------------------------------------------------


class SightingOut(Schema):
    id: int
    indicator_id: int
    at: datetime
    source: str
    event_ref: str
    observed_value: str
    context: dict[str, Any]
    alert_id: int | None


class SightingFilters(InputFilters):
    indicator: Annotated[Id | None, FilterLookup("indicator_id")] = None
    source: Annotated[str | None, Field(None, max_length=50)] = None
    after: Annotated[datetime | None, FilterLookup("at__gte")] = None


SIGHTING_ORDERINGS = ("at", "source")


@router.get(
    "/sightings",
    response={200: list[SightingOut], **ERROR_RESPONSES},
    summary="List sightings",
    operation_id="list_sightings",
    url_name="intel_sighting_list",
    tags=["Sightings"],
    description="Indicators seen in your establishments' events, newest first by default. "
    "Requires `intel.view`.",
)
@paginate(Pagination)
def list_sightings(
    request: AuthenticatedRequest,
    filters: Query[SightingFilters],
    ordering: str | None = Query(None, description=ordering_description(SIGHTING_ORDERINGS)),
) -> Any:
    require(request, VIEW)
    queryset = filters.filter(Sighting.objects.visible_to(request.user)).order_by("-at")
    return apply_ordering(queryset, ordering, SIGHTING_ORDERINGS)


@router.get(
    "/sightings/{int:sighting_id}",
    response={200: SightingOut, **ERROR_RESPONSES},
    summary="Get a sighting",
    operation_id="get_sighting",
    url_name="intel_sighting_detail",
    tags=["Sightings"],
    description="404 if it does not exist or is outside your establishments. "
    "Requires `intel.view`.",
)
def get_sighting(request: AuthenticatedRequest, sighting_id: Path[Id]) -> Any:
    require(request, VIEW)
    return get_visible(Sighting, request, sighting_id)


# --- feeds --------------------------------------------------------------------------------


class FeedIn(InputSchema):
    establishment_id: Id
    name: str = Field(min_length=1, max_length=200)
    kind: FeedKindValue
    partner_id: Id | None = None
    url: str = Field(
        min_length=1,
        max_length=1000,
        description="http(s) URL, or for a `file` feed a path under the data folder's feeds/.",
    )
    collection_id: str = Field("", max_length=100)
    poll_interval_minutes: int = Field(60, ge=1, le=525_600)
    default_tlp: TlpValue = TlpLevel.AMBER.value
    default_confidence: int | None = Field(None, ge=0, le=100)
    is_active: bool = True


class FeedOut(Schema):
    id: int
    establishment_id: int
    name: str
    kind: str
    partner_id: int | None
    url: str
    collection_id: str
    poll_interval_minutes: int
    default_tlp: str
    default_confidence: int | None
    is_active: bool
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_added_after: str
    last_error: str
    last_counts: dict[str, Any]


class FeedFilters(InputFilters):
    establishment: Annotated[Id | None, FilterLookup("establishment_id")] = None
    kind: FeedKindValue | None = None
    partner: Annotated[Id | None, FilterLookup("partner_id")] = None
    is_active: bool | None = None


FEEDS = Resource(
    model=Feed,
    path="feeds",
    id_param="intel_feed_id",
    label="feed",
    plural="feeds",
    one="a feed",
    schema_in=FeedIn,
    schema_out=FeedOut,
    filters=FeedFilters,
    orderings=("name", "kind", "last_success_at", "created_at"),
    view_capability=VIEW,
    edit_capability=MANAGE,
    references={"partner_id": Partner},
)


class JobOut(Schema):
    job_id: int
    status: str


@router.post(
    "/feeds/{int:intel_feed_id}/poll",
    response={202: JobOut, **ERROR_RESPONSES},
    summary="Poll a feed now",
    operation_id="poll_feed",
    url_name="intel_feed_poll",
    tags=["Feeds"],
    description="Queues a poll in the task runner (follow it at /api/v1/jobs/{job_id}); what "
    "was already fetched is not fetched again. Requires `intel.manage` and a write token.",
)
def poll_feed(request: AuthenticatedRequest, intel_feed_id: Path[Id]) -> Any:
    from django.utils.translation import gettext_noop

    from hygie.intel.jobs import POLL_ONE_KIND

    require(request, MANAGE)
    feed = get_visible(Feed, request, intel_feed_id)
    check_establishment_allowed(request.user, feed.establishment_id)
    job = start_job(
        POLL_ONE_KIND,
        gettext_noop("Poll of the feed %(name)s"),
        establishment=feed.establishment,
        user=request.user,
        title_params={"name": feed.name},
        feed_id=feed.pk,
    )
    return Status(202, {"job_id": job.pk, "status": job.status})


class RetroHuntIn(InputSchema):
    establishment_id: Id
    indicator_ids: list[Id] | None = Field(
        None, max_length=10_000, description="Only these indicators (default: every active one)."
    )
    days: int | None = Field(
        None, ge=1, le=366, description="Days of stored events searched (default 30)."
    )


@router.post(
    "/indicators/retro-hunt",
    response={202: JobOut, **ERROR_RESPONSES},
    summary="Search past events for indicators (retro-hunt)",
    operation_id="start_retro_hunt",
    url_name="intel_retro_hunt",
    tags=["Indicators"],
    description="Queues a retro-hunt in the task runner (follow it at /api/v1/jobs/{job_id}): "
    "the establishment's chosen active indicators (every one by default) are matched against "
    "its events stored in the last `days`; what is found becomes sightings and alerts, once. "
    "Requires `intel.manage` and a write token.",
)
def start_retro_hunt(request: AuthenticatedRequest, payload: RetroHuntIn) -> Any:
    from hygie.intel.services import retro_hunt

    require(request, MANAGE)
    establishment = get_visible(Establishment, request, payload.establishment_id)
    job = retro_hunt.start(
        request.user, establishment, indicator_ids=payload.indicator_ids, days=payload.days
    )
    return Status(202, {"job_id": job.pk, "status": job.status})


add_crud_routes(router, FEEDS)
