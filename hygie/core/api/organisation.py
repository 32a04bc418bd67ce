"""Organisations, establishments and departments."""

from typing import Annotated

from ninja import Router
from ninja.filter_schema import FilterLookup

from hygie.core import roles
from hygie.core.api.resource import CREATE, DELETE, UPDATE, Resource, add_crud_routes
from hygie.core.api.schemas import (
    DepartmentIn,
    DepartmentKindValue,
    DepartmentOut,
    EstablishmentIn,
    EstablishmentKindValue,
    EstablishmentOut,
    Id,
    InputFilters,
    OrganisationIn,
    OrganisationKindValue,
    OrganisationOut,
)
from hygie.core.models import Department, Establishment, Organisation


class OrganisationFilters(InputFilters):
    q: Annotated[str | None, FilterLookup("name__icontains")] = None
    kind: OrganisationKindValue | None = None


class EstablishmentFilters(InputFilters):
    q: Annotated[str | None, FilterLookup(["name__icontains", "finess_ej", "finess_eg"])] = None
    organisation: Annotated[Id | None, FilterLookup("organisation_id")] = None
    kind: EstablishmentKindValue | None = None
    country: Annotated[str | None, FilterLookup("country__iexact")] = None


class DepartmentFilters(InputFilters):
    q: Annotated[str | None, FilterLookup(["name__icontains", "code__icontains"])] = None
    establishment: Annotated[Id | None, FilterLookup("establishment_id")] = None
    kind: DepartmentKindValue | None = None


ORGANISATIONS = Resource(
    model=Organisation,
    path="organisations",
    id_param="organisation_id",
    label="organisation",
    plural="organisations",
    one="an organisation",
    schema_in=OrganisationIn,
    schema_out=OrganisationOut,
    filters=OrganisationFilters,
    orderings=("name", "kind", "created_at"),
    view_capability=roles.VIEW_ORGANISATION,
    edit_capability=roles.EDIT_ORGANISATION,
    # An organisation groups establishments a scoped user may not see: only organisation-wide
    # users may change it.
    organisation_wide=frozenset({CREATE, UPDATE, DELETE}),
)

ESTABLISHMENTS = Resource(
    model=Establishment,
    path="establishments",
    id_param="establishment_id",
    label="establishment",
    plural="establishments",
    one="an establishment",
    schema_in=EstablishmentIn,
    schema_out=EstablishmentOut,
    filters=EstablishmentFilters,
    orderings=("name", "kind", "country", "created_at"),
    view_capability=roles.VIEW_ORGANISATION,
    edit_capability=roles.EDIT_ORGANISATION,
    references={"organisation_id": Organisation},
    # A scoped user would not see an establishment they created, nor may they remove their own.
    organisation_wide=frozenset({CREATE, DELETE}),
)

DEPARTMENTS = Resource(
    model=Department,
    path="departments",
    id_param="department_id",
    label="department",
    plural="departments",
    one="a department",
    schema_in=DepartmentIn,
    schema_out=DepartmentOut,
    filters=DepartmentFilters,
    orderings=("name", "kind", "code", "created_at"),
    view_capability=roles.VIEW_ORGANISATION,
    edit_capability=roles.EDIT_ORGANISATION,
)

router = Router()
for resource in (ORGANISATIONS, ESTABLISHMENTS, DEPARTMENTS):
    add_crud_routes(router, resource)
