"""Sharing an incident with a partner: choose, preview what was removed, approve, send or download.

The incident page (response module) links here through ``hygie.core.incident_sources`` with
``?incident=<ref>``; the incident itself is read through the same registry.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core.http import AuthenticatedRequest
from hygie.core.tables import OPTIONAL, SECONDARY, Column
from hygie.core.views import generic
from hygie.intel.engine.model import TLP
from hygie.intel.models import IncidentShare, Partner
from hygie.intel.models.choices import ShareFormat, ShareStatus, TlpLevel
from hygie.intel.roles import SHARE, VIEW
from hygie.intel.services import sharing

REASONS = sharing.REASONS


class ShareForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=gettext_lazy("Partner"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label=gettext_lazy("No partner (download only)"),
    )
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=ShareFormat.choices)
    tlp = forms.ChoiceField(
        label=gettext_lazy("TLP"),
        choices=[c for c in TlpLevel.choices if c[0] != TlpLevel.RED],
        initial=TlpLevel.AMBER,
        help_text=gettext_lazy("TLP:RED is never shared."),
    )
    keep_staff_names = forms.BooleanField(
        label=gettext_lazy("Keep the names of staff members"),
        required=False,
        help_text=gettext_lazy(
            "Off by default: names of the team are removed like patients' data."
        ),
    )

    def __init__(self, *args: Any, establishment_id: int, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["partner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Partner.objects.visible_to(user).filter(
            establishment_id=establishment_id, is_active=True
        )


def _tlp(row: Any) -> str:
    return TLP(row.tlp).label


class ShareViews(generic.ObjectViewMixin):
    model = IncidentShare
    view_capability = VIEW
    edit_capability = SHARE
    list_select_related = ("establishment", "partner")


class ShareListView(ShareViews, generic.ObjectListView):
    columns = (
        Column("incident_title", link=True, main=True),
        Column("partner"),
        Column("format", priority=SECONDARY),
        Column("tlp", render=_tlp, badge="tlp"),
        Column("status"),
        Column("created_at", priority=SECONDARY),
        Column("establishment", sort="establishment__name", priority=OPTIONAL),
    )
    search_fields = ("incident_title", "incident_ref", "destination")
    filters = ("establishment", "status", "format", "tlp")


class ShareDetailView(ShareViews, generic.ObjectDetailView):
    fields = (
        "incident_title",
        "partner",
        "format",
        "tlp",
        "status",
        "prepared_by",
        "approved_by",
        "approved_at",
        "sent_at",
        "destination",
        "error",
        "establishment",
        "created_at",
    )
    template_name = "intel/incidentshare_detail.html"

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, IncidentShare)
        user = self.request.user
        return {
            "removed_rows": [
                {**row, "reason_label": REASONS.get(row.get("reason", ""), row.get("reason", ""))}
                for row in obj.removed
            ],
            "document": json.dumps(obj.bundle, ensure_ascii=False, indent=2),
            "can_share": user.can(SHARE),
            "can_approve": sharing.may_approve(user, obj),
            "two_person": sharing.two_person_approval(),
            "is_draft": obj.status == ShareStatus.DRAFT,
            "is_approved": obj.approved_at is not None and obj.status != ShareStatus.DRAFT,
        }


class ShareAddView(ShareViews):
    """GET ``?incident=<ref>``: the choices; POST: a scrubbed draft, then its preview."""

    template_name = "intel/incidentshare_add.html"

    def get_required_capability(self) -> str | None:
        return SHARE

    def _content(self, request: AuthenticatedRequest) -> Any:
        ref = (request.POST.get("incident") or request.GET.get("incident") or "")[:100]
        return sharing.incident_for(request.user, ref)

    def _render(
        self, request: AuthenticatedRequest, content: Any, form: ShareForm, status: int = 200
    ) -> HttpResponse:
        context = {**self.base_context(), "incident": content, "form": form}
        return render(request, self.template_name, context, status=status)

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        content = self._content(request)
        form = ShareForm(establishment_id=content.establishment_id, user=request.user)
        return self._render(request, content, form)

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        content = self._content(request)
        form = ShareForm(request.POST, establishment_id=content.establishment_id, user=request.user)
        if not form.is_valid():
            return self._render(request, content, form, status=422)
        try:
            share = sharing.prepare(
                request.user,
                content.ref,
                partner=form.cleaned_data["partner"],
                fmt=form.cleaned_data["format"],
                tlp=form.cleaned_data["tlp"],
                keep_staff_names=form.cleaned_data["keep_staff_names"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
            return self._render(request, content, form, status=422)
        return HttpResponseRedirect(reverse("intel:incidentshare_detail", args=[share.pk]))


class _ShareAction(ShareViews):
    def get_required_capability(self) -> str | None:
        return SHARE

    def share(self) -> IncidentShare:
        obj = self.get_object()
        assert isinstance(obj, IncidentShare)
        return obj

    def back(self, share: IncidentShare) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("intel:incidentshare_detail", args=[share.pk]))


class ShareApproveView(_ShareAction):
    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        share = self.share()
        try:
            sharing.approve(request.user, share)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Approved: the share may now be sent or downloaded."))
        return self.back(share)


class ShareSendView(_ShareAction):
    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        share = self.share()
        try:
            sharing.send(request.user, share)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except sharing.ShareError as error:
            messages.error(request, _("Not sent: %(error)s") % {"error": error})
        else:
            messages.success(request, _("Sent to %(partner)s.") % {"partner": share.partner})
        return self.back(share)


class ShareDownloadView(_ShareAction):
    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        share = self.share()
        try:
            made = sharing.download(request.user, share)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self.back(share)
        response = HttpResponse(made.content, content_type=made.content_type)
        response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
        response["Cache-Control"] = "no-store"
        return response
