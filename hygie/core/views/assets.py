"""Asset inventory pages, with CSV import and export."""

from __future__ import annotations

from hygie.core.forms import AssetForm
from hygie.core.models import Asset
from hygie.core.roles import EDIT_DIRECTORY, VIEW_DIRECTORY
from hygie.core.services import csv_io
from hygie.core.tables import OPTIONAL, SECONDARY, Column
from hygie.core.views import generic
from hygie.core.views.imports import CSVExportView, CSVImportView


class AssetViews(generic.ObjectViewMixin):
    model = Asset
    view_capability = VIEW_DIRECTORY
    edit_capability = EDIT_DIRECTORY
    list_select_related = ("establishment", "department")


class AssetListView(AssetViews, generic.ObjectListView):
    columns = (
        Column("hostname", link=True),
        Column("kind"),
        Column("criticality", badge="criticality"),
        Column("ip_addresses", sort=False, priority=SECONDARY),
        Column("os_name", priority=OPTIONAL),
        Column("department", sort="department__name", priority=SECONDARY),
        Column("network_zone", priority=OPTIONAL),
        Column("establishment", sort="establishment__name", priority=SECONDARY),
    )
    search_fields = ("hostname", "os_name", "network_zone", "department__name")
    filters = ("establishment", "kind", "criticality", "department", "network_zone")
    template_name = "core/asset_list.html"


class AssetDetailView(AssetViews, generic.ObjectDetailView):
    fields = (
        "hostname",
        "establishment",
        "kind",
        "criticality",
        "ip_addresses",
        "mac_addresses",
        "os_name",
        "os_version",
        "department",
        "network_zone",
        "tags",
        "updated_at",
    )


class AssetEditView(AssetViews, generic.ObjectEditView):
    form_class = AssetForm


class AssetDeleteView(AssetViews, generic.ObjectDeleteView):
    pass


class AssetImportView(AssetViews, CSVImportView):
    import_function = staticmethod(csv_io.import_assets)
    columns = csv_io.ASSET_COLUMNS
    required_columns = csv_io.ASSET_REQUIRED


class AssetExportView(AssetListView, CSVExportView):
    export_function = staticmethod(csv_io.export_assets)
    export_filename = "assets"
