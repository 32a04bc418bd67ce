"""The audit trail: browse and filter entries, and verify the hash chain."""

from typing import Annotated, Any

from ninja import Path, Query, Router
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from hygie.core import audit, roles
from hygie.core.api.common import ERROR_RESPONSES, Pagination, get_visible, require
from hygie.core.api.schemas import (
    AuditActionValue,
    AuditChannelValue,
    AuditEntryOut,
    ChainReportOut,
    Id,
    InputFilters,
    InstantParam,
)
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import AuditEntry

router = Router(tags=["Audit"])


class AuditFilters(InputFilters):
    action: AuditActionValue | None = None
    channel: AuditChannelValue | None = None
    actor: Annotated[str | None, FilterLookup("actor_label__iexact")] = None
    object_type: str | None = None
    object_id: str | None = None
    establishment: Annotated[Id | None, FilterLookup("establishment_id")] = None
    since: Annotated[InstantParam | None, FilterLookup("at__gte")] = None
    until: Annotated[InstantParam | None, FilterLookup("at__lt")] = None
    q: Annotated[str | None, FilterLookup(["object_repr__icontains", "message__icontains"])] = None


@router.get(
    "/audit",
    response={200: list[AuditEntryOut], **ERROR_RESPONSES},
    summary="List audit entries",
    operation_id="list_audit_entries",
    url_name="core_auditentry_list",
    description="Newest first. `object_type` is `app.model`, e.g. `core.person`. "
    "Requires `audit.view`.",
)
@paginate(Pagination)
def list_audit_entries(request: AuthenticatedRequest, filters: Query[AuditFilters]) -> Any:
    require(request, roles.VIEW_AUDIT)
    return filters.filter(AuditEntry.objects.visible_to(request.user)).order_by("-sequence")


@router.get(
    "/audit/verify",
    response={200: ChainReportOut, **ERROR_RESPONSES},
    summary="Verify the audit chain",
    operation_id="verify_audit_chain",
    url_name="core_auditentry_verify",
    description="Walks the whole keyed chain and the signed checkpoints, like "
    "`hygie audit verify`: reports each check and the first modified, "
    "inserted, deleted, truncated or wiped entry. Requires `audit.view`.",
)
def verify_audit_chain(request: AuthenticatedRequest) -> dict[str, Any]:
    require(request, roles.VIEW_AUDIT)
    report = audit.verify_chain()
    problem = report.problem
    return {
        "is_intact": report.is_intact,
        "checked": report.checked,
        "problem": vars(problem) if problem is not None else None,
        "checks": [vars(check) for check in report.checks],
        "keyed": report.keyed,
        "legacy": report.legacy,
        "checkpoints": report.checkpoints,
        "last_checkpoint_sequence": (
            report.last_checkpoint.sequence if report.last_checkpoint else None
        ),
        "unanchored": report.unanchored,
    }


@router.get(
    "/audit/{int:entry_id}",
    response={200: AuditEntryOut, **ERROR_RESPONSES},
    summary="Get an audit entry",
    operation_id="get_audit_entry",
    url_name="core_auditentry_detail",
    description="Requires `audit.view`.",
)
def get_audit_entry(request: AuthenticatedRequest, entry_id: Path[Id]) -> AuditEntry:
    require(request, roles.VIEW_AUDIT)
    return get_visible(AuditEntry, request, entry_id)
