"""TAXII pages: collections (list, add, edit, delete, what they hold), partners' access rights per
collection, publishing the indicators into a collection, and partners' credentials (generated,
the secret shown once, revoked)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core.forms import ScopedModelForm
from hygie.core.http import AuthenticatedRequest
from hygie.core.tables import OPTIONAL, SECONDARY, Column
from hygie.core.views import generic
from hygie.intel.engine.model import TLP
from hygie.intel.models import Partner, PartnerCredential, TaxiiCollection
from hygie.intel.roles import MANAGE, VIEW
from hygie.intel.services import taxii_admin


class TaxiiCollectionForm(ScopedModelForm):
    class Meta:
        model = TaxiiCollection
        fields = [
            "establishment",
            "title",
            "description",
            "alias",
            "api_root",
            "can_read_default",
            "can_write_default",
        ]


class CollectionViews(generic.ObjectViewMixin):
    model = TaxiiCollection
    view_capability = VIEW
    edit_capability = MANAGE
    list_select_related = ("establishment",)


class TaxiiCollectionListView(CollectionViews, generic.ObjectListView):
    columns = (
        Column("title", link=True, main=True, breaks=True),
        Column("api_root"),
        Column("alias", priority=SECONDARY),
        Column("can_read_default", priority=OPTIONAL),
        Column("can_write_default", priority=OPTIONAL),
        Column("establishment", sort="establishment__name", priority=SECONDARY),
    )
    search_fields = ("title", "alias", "description")
    filters = ("establishment", "api_root")


class TaxiiCollectionDetailView(CollectionViews, generic.ObjectDetailView):
    fields = (
        "title",
        "collection_id",
        "api_root",
        "alias",
        "description",
        "can_read_default",
        "can_write_default",
        "establishment",
        "created_at",
    )
    template_name = "intel/taxiicollection_detail.html"

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, TaxiiCollection)
        url = reverse(
            "intel:taxii_collection",
            kwargs={"api_root": obj.api_root, "collection_id": str(obj.collection_id)},
        )
        summary = taxii_admin.collection_summary(obj)
        partners = Partner.objects.visible_to(self.request.user).filter(
            establishment_id=obj.establishment_id
        )
        return {
            "taxii_url": self.request.build_absolute_uri(url),
            "discovery_url": self.request.build_absolute_uri(reverse("intel:taxii_discovery")),
            "summary": summary,
            "tlp_rows": [(TLP(key).label, count) for key, count in summary["by_tlp"].items()],
            "access_rows": obj.access.select_related("partner").order_by("partner__name"),
            "partners": partners.order_by("name"),
            "statuses": obj.statuses.select_related("partner")[:10],
        }


class TaxiiCollectionEditView(CollectionViews, generic.ObjectEditView):
    form_class = TaxiiCollectionForm


class TaxiiCollectionDeleteView(CollectionViews, generic.ObjectDeleteView):
    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        return {
            "delete_warning": _(
                "Its objects, access rights and statuses go with it; partners lose it at once."
            )
        }


class _CollectionAction(CollectionViews):
    def get_required_capability(self) -> str | None:
        return MANAGE

    def redirect(self, collection: TaxiiCollection) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("intel:taxiicollection_detail", args=[collection.pk]))


class TaxiiAccessView(_CollectionAction):
    """POST: set a partner's read/write rights on the collection (none removes them)."""

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        collection = self.get_object()
        assert isinstance(collection, TaxiiCollection)
        partner = get_object_or_404(
            Partner.objects.visible_to(request.user), pk=request.POST.get("partner", "")[:20] or 0
        )
        try:
            taxii_admin.set_access(
                collection,
                partner,
                can_read=request.POST.get("can_read") == "on",
                can_write=request.POST.get("can_write") == "on",
                user=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Rights of %(partner)s saved.") % {"partner": partner.name})
        return self.redirect(collection)


class TaxiiPublishView(_CollectionAction):
    """POST: publish the establishment's active indicators (never RED) into the collection."""

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        collection = self.get_object()
        assert isinstance(collection, TaxiiCollection)
        result = taxii_admin.publish_indicators(collection, request.user)
        messages.success(
            request,
            _(
                "%(indicators)s indicator(s) published: %(added)s new version(s), "
                "%(unchanged)s unchanged."
            )
            % result.as_dict(),
        )
        return self.redirect(collection)


# --- credentials --------------------------------------------------------------------------------


class CredentialViews(generic.ObjectViewMixin):
    model = PartnerCredential
    view_capability = MANAGE  # who can sign in to the TAXII server is for managers only
    edit_capability = MANAGE
    list_select_related = ("partner",)


class PartnerCredentialListView(CredentialViews, generic.ObjectListView):
    columns = (
        Column("username", main=True, breaks=True),
        Column("partner", sort="partner__name"),
        Column("is_active"),
        Column("created_at", priority=SECONDARY),
        Column("last_used_at", priority=SECONDARY),
    )
    search_fields = ("username", "partner__name")
    filters = ("partner", "is_active")

    def base_context(self) -> dict[str, Any]:
        return {**super().base_context(), "add_url": reverse("intel:partnercredential_add")}


class CredentialForm(forms.Form):
    partner = forms.ModelChoiceField(queryset=Partner.objects.none(), label=gettext_lazy("Partner"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["partner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Partner.objects.visible_to(user).filter(is_active=True)


class PartnerCredentialAddView(CredentialViews):
    """Generate a credential; the answer shows the secret once and is never cached."""

    template_name = "intel/partnercredential_add.html"

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = CredentialForm(user=request.user, initial={"partner": request.GET.get("partner")})
        return render(request, self.template_name, {**self.base_context(), "form": form})

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = CredentialForm(request.POST, user=request.user)
        if not form.is_valid():
            context = {**self.base_context(), "form": form}
            return render(request, self.template_name, context, status=422)
        made = taxii_admin.generate_credential(form.cleaned_data["partner"], request.user)
        context = {
            **self.base_context(),
            "credential": made.credential,
            "secret": made.secret,
            "discovery_url": request.build_absolute_uri(reverse("intel:taxii_discovery")),
        }
        response = render(request, "intel/partnercredential_created.html", context, status=201)
        response["Cache-Control"] = "no-store"
        return response


class PartnerCredentialDeleteView(CredentialViews, generic.ObjectDeleteView):
    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        return {"delete_warning": _("The partner can no longer sign in with this user name.")}

    def delete_object(self, obj: models.Model) -> None:
        assert isinstance(obj, PartnerCredential)
        taxii_admin.revoke_credential(obj, self.request.user)
