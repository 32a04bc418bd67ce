"""The asset inventory, with CSV import and export."""

from typing import Annotated

from ninja import Router
from ninja.filter_schema import FilterLookup

from hygie.core import roles
from hygie.core.api.csv_routes import add_csv_routes
from hygie.core.api.resource import Resource, add_crud_routes
from hygie.core.api.schemas import (
    AssetIn,
    AssetKindValue,
    AssetOut,
    CriticalityValue,
    Id,
    InputFilters,
)
from hygie.core.models import Asset, Department
from hygie.core.services.csv_io import export_assets, import_assets


class AssetFilters(InputFilters):
    q: Annotated[
        str | None,
        FilterLookup(["hostname__icontains", "os_name__icontains", "network_zone__icontains"]),
    ] = None
    establishment: Annotated[Id | None, FilterLookup("establishment_id")] = None
    department: Annotated[Id | None, FilterLookup("department_id")] = None
    kind: AssetKindValue | None = None
    criticality: CriticalityValue | None = None
    network_zone: Annotated[str | None, FilterLookup("network_zone__iexact")] = None


ASSETS = Resource(
    model=Asset,
    path="assets",
    id_param="asset_id",
    label="asset",
    plural="assets",
    one="an asset",
    schema_in=AssetIn,
    schema_out=AssetOut,
    filters=AssetFilters,
    orderings=(
        "hostname",
        "kind",
        "criticality",
        "network_zone",
        "os_name",
        "created_at",
        "updated_at",
    ),
    view_capability=roles.VIEW_DIRECTORY,
    edit_capability=roles.EDIT_DIRECTORY,
    references={"department_id": Department},
)

router = Router()
# The CSV routes come first so their fixed paths are matched before the generic item routes.
add_csv_routes(router, ASSETS, importer=import_assets, exporter=export_assets)
add_crud_routes(router, ASSETS)
