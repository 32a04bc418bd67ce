"""Staff directory pages: people, with CSV import and export."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core.forms import PersonForm
from hygie.core.models import Person
from hygie.core.roles import EDIT_DIRECTORY, VIEW_DIRECTORY
from hygie.core.services import csv_io
from hygie.core.tables import Column
from hygie.core.views import generic
from hygie.core.views.imports import CSVExportView, CSVImportView
from hygie.lib.identifiers import check_rpps


class PersonViews(generic.ObjectViewMixin):
    model = Person
    view_capability = VIEW_DIRECTORY
    edit_capability = EDIT_DIRECTORY
    list_select_related = ("establishment", "department")


class PersonListView(PersonViews, generic.ObjectListView):
    columns = (
        Column("last_name", label=gettext_lazy("Name"), link=True, render=str),
        Column("email"),
        Column("profession"),
        Column("department", sort="department__name"),
        Column("establishment", sort="establishment__name"),
    )
    search_fields = ("first_name", "last_name", "email", "profession", "department__name")
    filters = ("establishment", "department")
    template_name = "core/person_list.html"


class PersonDetailView(PersonViews, generic.ObjectDetailView):
    fields = (
        "first_name",
        "last_name",
        "email",
        "profession",
        "establishment",
        "department",
        "rpps",
        "adeli",
        "employment_start",
        "employment_end",
        "updated_at",
    )
    # Directory records carry professional identifiers: who looked at them is worth keeping.
    audit_views = True


def rpps_warnings(person: Person) -> list[str]:
    if person.rpps and check_rpps(person.rpps).has_valid_key is False:
        return [
            _(
                "RPPS: the check key does not match. The Luhn rule used for RPPS is "
                "UNVERIFIED against the official specification, so the number was saved; "
                "please double-check it."
            )
        ]
    return []


class PersonEditView(PersonViews, generic.ObjectEditView):
    form_class = PersonForm

    def warnings_for(self, obj: models.Model) -> list[str]:
        assert isinstance(obj, Person)
        return rpps_warnings(obj)


class PersonDeleteView(PersonViews, generic.ObjectDeleteView):
    pass


class PersonImportView(PersonViews, CSVImportView):
    import_function = staticmethod(csv_io.import_people)
    columns = csv_io.PEOPLE_COLUMNS
    required_columns = csv_io.PEOPLE_REQUIRED


class PersonExportView(PersonListView, CSVExportView):
    export_function = staticmethod(csv_io.export_people)
    export_filename = "people"
