"""The staff directory: people, with CSV import and export."""

from typing import Annotated

from ninja import Router
from ninja.filter_schema import FilterLookup

from hygie.core import roles
from hygie.core.api.csv_routes import add_csv_routes
from hygie.core.api.resource import Resource, add_crud_routes
from hygie.core.api.schemas import Id, InputFilters, PersonIn, PersonOut
from hygie.core.models import Department, Person
from hygie.core.services.csv_io import export_people, import_people


class PersonFilters(InputFilters):
    q: Annotated[
        str | None,
        FilterLookup(
            [
                "first_name__icontains",
                "last_name__icontains",
                "email__icontains",
                "profession__icontains",
            ]
        ),
    ] = None
    establishment: Annotated[Id | None, FilterLookup("establishment_id")] = None
    department: Annotated[Id | None, FilterLookup("department_id")] = None
    profession: Annotated[str | None, FilterLookup("profession__iexact")] = None
    email: Annotated[str | None, FilterLookup("email__iexact")] = None


PEOPLE = Resource(
    model=Person,
    path="people",
    id_param="person_id",
    label="person",
    plural="people",
    one="a person",
    schema_in=PersonIn,
    schema_out=PersonOut,
    filters=PersonFilters,
    orderings=(
        "last_name",
        "first_name",
        "email",
        "profession",
        "employment_start",
        "created_at",
        "updated_at",
    ),
    view_capability=roles.VIEW_DIRECTORY,
    edit_capability=roles.EDIT_DIRECTORY,
    references={"department_id": Department},
)

router = Router()
# The CSV routes come first so their fixed paths are matched before the generic item routes.
add_csv_routes(router, PEOPLE, importer=import_people, exporter=export_people)
add_crud_routes(router, PEOPLE)
