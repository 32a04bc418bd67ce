"""The partners directory (CERT Santé, regional support centre, ISAC, vendor…): their endpoints,
the most restricted TLP each may receive, and the feeds that come from them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from hygie.core.http import AuthenticatedRequest
from hygie.core.tables import OPTIONAL, SECONDARY, Column
from hygie.core.views import generic
from hygie.intel.engine.model import TLP
from hygie.intel.forms import PartnerForm
from hygie.intel.models import Partner
from hygie.intel.roles import MANAGE, VIEW
from hygie.intel.services import partners


def _max_tlp(row: Any) -> str:
    return TLP(row.max_tlp).label


class PartnerViews(generic.ObjectViewMixin):
    model = Partner
    view_capability = VIEW
    edit_capability = MANAGE
    list_select_related = ("establishment",)


class PartnerListView(PartnerViews, generic.ObjectListView):
    columns = (
        Column("name", link=True, main=True),
        Column("kind"),
        Column("max_tlp", render=_max_tlp, badge="tlp"),
        Column("contact_email", priority=SECONDARY, breaks=True),
        Column("is_active", priority=SECONDARY),
        Column("establishment", sort="establishment__name", priority=OPTIONAL),
    )
    search_fields = ("name", "contact_email", "notes")
    filters = ("establishment", "kind", "max_tlp", "is_active")
    template_name = "intel/partner_list.html"


class PartnerDetailView(PartnerViews, generic.ObjectDetailView):
    fields = (
        "establishment",
        "name",
        "kind",
        "max_tlp",
        "contact_email",
        "taxii_url",
        "taxii_api_root",
        "taxii_collection_id",
        "misp_url",
        "auth_username",
        "is_active",
        "notes",
        "created_at",
        "updated_at",
    )
    template_name = "intel/partner_detail.html"

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, Partner)
        return {
            "feeds": obj.feeds.order_by("name"),
            "may_receive": [tlp.label for tlp in TLP if obj.may_receive(tlp)],
        }


class PartnerEditView(PartnerViews, generic.ObjectEditView):
    form_class = PartnerForm

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.current_object()
        form = PartnerForm(request.POST, instance=obj, user=request.user)
        if form.is_valid():
            instance = form.save(commit=False)
            try:
                partners.save_partner(instance, request.user, form.new_secret())
            except ValidationError as error:
                generic._attach_errors(form, error)
            else:
                messages.success(request, _("%(name)s saved.") % {"name": str(instance)})
                return HttpResponseRedirect(self.success_url(instance))
        return self.render_form(form, obj, status=422)


class PartnerDeleteView(PartnerViews, generic.ObjectDeleteView):
    pass
