"""Organisation, establishment and department pages."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from hygie.core.forms import DepartmentForm, EstablishmentForm, OrganisationForm
from hygie.core.models import (
    Alert,
    Asset,
    Department,
    Establishment,
    Organisation,
    Person,
    User,
)
from hygie.core.models.organisation import CONTACT_FIELDS
from hygie.core.roles import EDIT_ORGANISATION, VIEW_ALERTS, VIEW_DIRECTORY, VIEW_ORGANISATION
from hygie.core.tables import Column, verbose_name_of
from hygie.core.views import generic
from hygie.lib.identifiers import check_finess


def _require_organisation_wide(user: User) -> None:
    # Organisations and the list of establishments are shared between establishments: only
    # organisation-wide users (a GHT's RSSI) may reshape them.
    if not user.sees_all_establishments:
        raise PermissionDenied(_("Only organisation-wide users can do this."))


def _filtered_list(url_name: str, **params: Any) -> str:
    return f"{reverse(url_name)}?{urlencode(params)}"


class OrganisationViews(generic.ObjectViewMixin):
    model = Organisation
    view_capability = VIEW_ORGANISATION
    edit_capability = EDIT_ORGANISATION


class OrganisationListView(OrganisationViews, generic.ObjectListView):
    columns = (Column("name", link=True), Column("kind"), Column("created_at"))
    search_fields = ("name",)
    filters = ("kind",)


class OrganisationDetailView(OrganisationViews, generic.ObjectDetailView):
    fields = ("name", "kind", *CONTACT_FIELDS, "created_at")

    def related_links(self, obj: models.Model) -> list[generic.RelatedLink]:
        establishments = Establishment.objects.visible_to(self.request.user).filter(
            organisation=obj.pk
        )
        return [
            generic.RelatedLink(
                str(Establishment._meta.verbose_name_plural),
                _filtered_list("core:establishment_list", organisation=obj.pk),
                establishments.count(),
            )
        ]


class OrganisationEditView(OrganisationViews, generic.ObjectEditView):
    form_class = OrganisationForm

    def check_write_allowed(self, obj: models.Model | None) -> None:
        _require_organisation_wide(self.request.user)


class OrganisationDeleteView(OrganisationViews, generic.ObjectDeleteView):
    def check_write_allowed(self, obj: models.Model) -> None:
        _require_organisation_wide(self.request.user)


class EstablishmentViews(generic.ObjectViewMixin):
    model = Establishment
    view_capability = VIEW_ORGANISATION
    edit_capability = EDIT_ORGANISATION
    list_select_related = ("organisation",)


class EstablishmentListView(EstablishmentViews, generic.ObjectListView):
    columns = (
        Column("name", link=True),
        Column("organisation", sort="organisation__name"),
        Column("kind"),
        Column("country"),
        Column("finess_ej"),
        Column("finess_eg"),
    )
    search_fields = ("name", "finess_ej", "finess_eg", "organisation__name")
    filters = ("organisation", "kind", "country")


class EstablishmentDetailView(EstablishmentViews, generic.ObjectDetailView):
    fields = (
        "name",
        "organisation",
        "kind",
        "country",
        "finess_ej",
        "finess_eg",
        "timezone",
        *CONTACT_FIELDS,
        "created_at",
    )

    def detail_rows(self, obj: models.Model) -> list[generic.DetailRow]:
        # A blank contact is the organisation's: show it, and say where it comes from.
        assert isinstance(obj, Establishment)
        rows = super().detail_rows(obj)
        inherited = _("%(value)s (organisation's)")
        for index, name in enumerate(self.fields):
            if name in CONTACT_FIELDS and not getattr(obj, name):
                value = getattr(obj.organisation, name)
                if value:
                    rows[index] = replace(rows[index], text=inherited % {"value": value})
        return rows

    def related_links(self, obj: models.Model) -> list[generic.RelatedLink]:
        user = self.request.user
        result = [
            generic.RelatedLink(
                str(capfirst(Department._meta.verbose_name_plural)),
                _filtered_list("core:department_list", establishment=obj.pk),
                Department.objects.visible_to(user).filter(establishment=obj.pk).count(),
            )
        ]
        if user.can(VIEW_DIRECTORY):
            for model, url_name in ((Person, "core:person_list"), (Asset, "core:asset_list")):
                result.append(
                    generic.RelatedLink(
                        str(capfirst(model._meta.verbose_name_plural)),
                        _filtered_list(url_name, establishment=obj.pk),
                        model.objects.visible_to(user).filter(establishment=obj.pk).count(),
                    )
                )
        if user.can(VIEW_ALERTS):
            result.append(
                generic.RelatedLink(
                    str(capfirst(Alert._meta.verbose_name_plural)),
                    _filtered_list("core:alert_list", establishment=obj.pk),
                    Alert.objects.visible_to(user).filter(establishment=obj.pk).count(),
                )
            )
        return result


def finess_warnings(establishment: Establishment) -> list[str]:
    """Key mismatches are warned about, not refused: the Luhn rule is not confirmed by ANS."""
    warnings = []
    for field_name in ("finess_ej", "finess_eg"):
        value = getattr(establishment, field_name)
        if value and check_finess(value).has_valid_key is False:
            label = verbose_name_of(Establishment._meta.get_field(field_name))
            warnings.append(
                _(
                    "%(field)s: the check key does not match. The Luhn rule used for "
                    "FINESS is UNVERIFIED against the official specification, so the "
                    "number was saved; please double-check it."
                )
                % {"field": label}
            )
    return warnings


class EstablishmentEditView(EstablishmentViews, generic.ObjectEditView):
    form_class = EstablishmentForm

    def check_write_allowed(self, obj: models.Model | None) -> None:
        if obj is None:
            _require_organisation_wide(self.request.user)

    def warnings_for(self, obj: models.Model) -> list[str]:
        assert isinstance(obj, Establishment)
        return finess_warnings(obj)


class EstablishmentDeleteView(EstablishmentViews, generic.ObjectDeleteView):
    def check_write_allowed(self, obj: models.Model) -> None:
        _require_organisation_wide(self.request.user)

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        return {
            "delete_warning": _(
                "Its departments, people, assets, alerts and evidence are deleted with it. The "
                "audit "
                "trail keeps its entries."
            )
        }


class DepartmentViews(generic.ObjectViewMixin):
    model = Department
    view_capability = VIEW_ORGANISATION
    edit_capability = EDIT_ORGANISATION
    list_select_related = ("establishment",)


class DepartmentListView(DepartmentViews, generic.ObjectListView):
    columns = (
        Column("name", link=True),
        Column("establishment", sort="establishment__name"),
        Column("kind"),
        Column("code"),
    )
    search_fields = ("name", "code")
    filters = ("establishment", "kind")


class DepartmentDetailView(DepartmentViews, generic.ObjectDetailView):
    fields = ("name", "establishment", "kind", "code", "created_at")

    def related_links(self, obj: models.Model) -> list[generic.RelatedLink]:
        user = self.request.user
        if not user.can(VIEW_DIRECTORY):
            return []
        return [
            generic.RelatedLink(
                str(capfirst(model._meta.verbose_name_plural)),
                _filtered_list(url_name, department=obj.pk),
                model.objects.visible_to(user).filter(department=obj.pk).count(),
            )
            for model, url_name in ((Person, "core:person_list"), (Asset, "core:asset_list"))
        ]


class DepartmentEditView(DepartmentViews, generic.ObjectEditView):
    form_class = DepartmentForm


class DepartmentDeleteView(DepartmentViews, generic.ObjectDeleteView):
    pass
