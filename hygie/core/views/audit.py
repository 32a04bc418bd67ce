"""Browsing, exporting and verifying the audit trail (capabilities ``audit.view``/``audit.export``).

Everything starts from ``AuditEntry.objects.visible_to(user)``: a user of establishment A never
sees B's entries, in the list, the detail, the filters' choices or the export.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from hygie.core import audit
from hygie.core.audit_filters import AuditFilterForm
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import AuditEntry
from hygie.core.roles import EXPORT_AUDIT, VIEW_AUDIT
from hygie.core.views.permissions import capability_required
from hygie.lib.spreadsheet import csv_writer

PAGE_SIZE = 50
EXPORT_COLUMNS = (
    "sequence",
    "at",
    "actor_label",
    "action",
    "channel",
    "object_type",
    "object_id",
    "object_repr",
    "establishment",
    "source_ip",
    "message",
    "changes",
    "entry_hash",
)


def _filtered(request: AuthenticatedRequest) -> tuple[AuditFilterForm, Any]:
    visible = AuditEntry.objects.visible_to(request.user)
    form = AuditFilterForm(request.GET or None, user=request.user, visible=visible)
    return form, form.apply(visible.select_related("establishment"))


@capability_required(VIEW_AUDIT)
def audit_list(request: AuthenticatedRequest) -> HttpResponse:
    form, entries = _filtered(request)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": form,
        "page": page,
        "query": query.urlencode(),
        "can_export": request.user.can(EXPORT_AUDIT),
    }
    template = (
        "core/audit/partials/_entries.html"
        if getattr(request, "htmx", False)
        else "core/audit/list.html"
    )
    return render(request, template, context)


@capability_required(VIEW_AUDIT)
def audit_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(
        AuditEntry.objects.visible_to(request.user).select_related("establishment"), pk=pk
    )
    changes = [
        (field, _side(values, "before"), _side(values, "after"))
        for field, values in sorted(entry.changes.items())
    ]
    return render(request, "core/audit/detail.html", {"entry": entry, "changes": changes})


def _side(values: Any, side: str) -> Any:
    return values.get(side) if isinstance(values, dict) else (values if side == "after" else None)


@capability_required(EXPORT_AUDIT)
def audit_export(request: AuthenticatedRequest) -> StreamingHttpResponse:
    form, entries = _filtered(request)
    entries = entries.order_by("sequence")
    # The export is itself an audited event, written before the first byte leaves.
    audit.record(
        "export",
        object_type="core.auditentry",
        object_repr="audit trail (CSV)",
        message=f"CSV export: {entries.count()} row(s); filters: {form.describe() or 'none'}",
    )
    filename = f"hygie-audit-{timezone.localdate().isoformat()}.csv"
    response = StreamingHttpResponse(_csv_rows(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(entries: Any) -> Iterator[str]:
    # Cells a spreadsheet would run as formulas are neutralised (CSV injection).
    writer = csv_writer(_Echo())
    yield "\ufeff"  # spreadsheet programs need the BOM to read UTF-8 accents correctly
    yield writer.writerow(EXPORT_COLUMNS)
    for entry in entries.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                _cell(value)
                for value in (
                    entry.sequence,
                    entry.at.isoformat(),
                    entry.actor_label,
                    entry.action,
                    entry.channel,
                    entry.object_type,
                    entry.object_id,
                    entry.object_repr,
                    entry.establishment.name if entry.establishment else "",
                    entry.source_ip or "",
                    entry.message,
                    entry.changes,
                    entry.entry_hash,
                )
            ]
        )


def _cell(value: Any) -> Any:
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


@require_POST
@capability_required(VIEW_AUDIT)
def audit_verify(request: AuthenticatedRequest) -> HttpResponse:
    report = audit.verify_chain()
    problem_visible = True
    if (
        report.problem is not None
        and not request.user.sees_all_establishments
        and report.problem.kind not in audit.ENTRYLESS_PROBLEMS
    ):
        # Say that the chain is broken, but name the entry only if this user may see it.
        problem_visible = (
            AuditEntry.objects.visible_to(request.user)
            .filter(sequence=report.problem.sequence)
            .exists()
        )
    return render(
        request, "core/audit/verify.html", {"report": report, "problem_visible": problem_visible}
    )
