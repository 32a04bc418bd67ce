"""The inventory API: devices (CRUD, risk, merge, MDS2, matching), vendor aliases and inventory
imports with their mapping step."""

from typing import Annotated, Any

from django.shortcuts import get_object_or_404
from ninja import File, Form, Path, Query, Router, Status, UploadedFile
from ninja.errors import HttpError
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from hygie.core.api.common import (
    ERROR_RESPONSES,
    Pagination,
    apply_ordering,
    get_visible,
    ordering_description,
    require,
)
from hygie.core.api.resource import Resource, add_crud_routes
from hygie.core.api.schemas import Id, InputFilters
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Asset, Department, Establishment
from hygie.core.services import crud
from hygie.devices.models import Device, InventoryImport, VendorAlias
from hygie.devices.roles import MANAGE, VIEW
from hygie.devices.schemas import (
    AliasKindValue,
    ClinicalFunctionValue,
    DeviceIn,
    DeviceOut,
    DeviceVulnerabilityOut,
    InventoryImportOut,
    InventoryUploadIn,
    MappingIn,
    MergeIn,
    NetworkZoneValue,
    RiskOut,
    VendorAliasIn,
    VendorAliasOut,
)
from hygie.devices.services import feeds, imports, inventory, mds2, sbom, vulnerabilities

router = Router()


class DeviceFilters(InputFilters):
    q: Annotated[
        str | None,
        FilterLookup(
            [
                "asset__hostname__icontains",
                "manufacturer__icontains",
                "model_name__icontains",
                "serial_number__icontains",
            ]
        ),
    ] = None
    establishment: Annotated[Id | None, FilterLookup("establishment_id")] = None
    clinical_function: ClinicalFunctionValue | None = None
    network_zone: NetworkZoneValue | None = None
    patient_connected: bool | None = None


DEVICES = Resource(
    model=Device,
    path="devices",
    id_param="device_id",
    label="device",
    plural="devices",
    one="a device",
    schema_in=DeviceIn,
    schema_out=DeviceOut,
    filters=DeviceFilters,
    orderings=("manufacturer", "model_name", "clinical_function", "created_at", "updated_at"),
    view_capability=VIEW,
    edit_capability=MANAGE,
    references={"asset_id": Asset, "department_id": Department},
    # Matched again and its risk recomputed, as after an edit in the page.
    after_save=feeds.device_saved,
)
add_crud_routes(router, DEVICES)


@router.get(
    "/devices/{int:device_id}/risk",
    response={200: RiskOut, **ERROR_RESPONSES},
    summary="Get a device's clinical risk",
    operation_id="get_device_risk",
    url_name="devices_device_risk",
    tags=["Devices"],
    description="The device's score (its worst open vulnerability, the others, an OS out of "
    "support) with every factor, in French and English. Requires `devices.view`.",
)
def get_device_risk(request: AuthenticatedRequest, device_id: Path[Id]) -> Any:
    require(request, VIEW)
    device = get_visible(Device, request, device_id)
    return vulnerabilities.device_risk(device).to_dict()


@router.get(
    "/devices/{int:device_id}/vulnerabilities",
    response={200: list[DeviceVulnerabilityOut], **ERROR_RESPONSES},
    summary="List a device's vulnerabilities",
    operation_id="list_device_vulnerabilities_of_device",
    url_name="devices_device_vulnerabilities",
    tags=["Devices"],
    description="Every advisory and CVE matched to the device, highest risk first. "
    "Requires `devices.view`.",
)
def list_device_links(request: AuthenticatedRequest, device_id: Path[Id]) -> Any:
    require(request, VIEW)
    device = get_visible(Device, request, device_id)
    return list(device.vulnerabilities.select_related("vulnerability").order_by("-risk_score"))


@router.post(
    "/devices/{int:device_id}/merge",
    response={200: DeviceOut, **ERROR_RESPONSES},
    summary="Merge a duplicate into a device",
    operation_id="merge_device",
    url_name="devices_device_merge",
    tags=["Devices"],
    description="Blank fields are filled from the duplicate, addresses and vulnerabilities "
    "moved (decisions kept), then the duplicate and its asset deleted. Requires "
    "`devices.manage` and a write token.",
)
def merge_device(request: AuthenticatedRequest, device_id: Path[Id], payload: MergeIn) -> Any:
    require(request, MANAGE)
    device = get_visible(Device, request, device_id)
    other = get_visible(Device, request, payload.other_id)
    return inventory.merge_devices(request.user, device, other)


@router.post(
    "/devices/{int:device_id}/mds2",
    response={200: DeviceOut, **ERROR_RESPONSES},
    summary="Import a device's MDS2 form",
    operation_id="import_device_mds2",
    url_name="devices_device_mds2",
    tags=["Devices"],
    description="multipart/form-data with `file`: the manufacturer's MDS2 (2019) XLSX. "
    "Requires `devices.manage` and a write token.",
)
def import_device_mds2(
    request: AuthenticatedRequest, device_id: Path[Id], file: File[UploadedFile]
) -> Any:
    require(request, MANAGE)
    device = get_visible(Device, request, device_id)
    if file.size is not None and file.size > mds2.MAX_BYTES:
        raise HttpError(413, "The MDS2 file is too large.")
    return mds2.import_mds2(device, request.user, file.read())


@router.post(
    "/devices/{int:device_id}/sbom",
    response={200: list[DeviceVulnerabilityOut], **ERROR_RESPONSES},
    summary="Attach an SBOM to a device",
    operation_id="import_device_sbom",
    url_name="devices_device_sbom",
    tags=["Devices"],
    description="multipart/form-data with `file`: an SBOM (CycloneDX 1.2-1.6 JSON or XML, SPDX "
    "2.3 JSON or tag-value, SPDX 3.0 JSON-LD) with its VEX statements. Replaces the device's "
    "SBOM, matches its components against every stored advisory and record and records the VEX "
    "decisions; returns the device's relations. A refused file writes nothing (422 with the "
    "reason). Requires `devices.manage` and a write token.",
)
def import_device_sbom(
    request: AuthenticatedRequest, device_id: Path[Id], file: File[UploadedFile]
) -> Any:
    require(request, MANAGE)
    device = get_visible(Device, request, device_id)
    if file.size is not None and file.size > feeds.MAX_FEED_BYTES:
        raise HttpError(413, "The file is too large.")
    sbom.import_sbom(device, file.name or "", file.read(), request.user)
    return list(device.vulnerabilities.select_related("vulnerability").order_by("-risk_score"))


@router.post(
    "/devices/{int:device_id}/match",
    response={200: list[DeviceVulnerabilityOut], **ERROR_RESPONSES},
    summary="Match a device against the advisories",
    operation_id="match_device",
    url_name="devices_device_match",
    tags=["Devices"],
    description="Matches the device against every stored advisory and record; returns its "
    "relations. Requires `devices.manage` and a write token.",
)
def match_device(request: AuthenticatedRequest, device_id: Path[Id]) -> Any:
    require(request, MANAGE)
    device = get_visible(Device, request, device_id)
    feeds.match_devices([device])
    return list(device.vulnerabilities.select_related("vulnerability").order_by("-risk_score"))


# --- aliases (installation-wide) -------------------------------------------------------------


class AliasFilters(InputFilters):
    q: Annotated[str | None, FilterLookup(["alias__icontains", "canonical__icontains"])] = None
    kind: AliasKindValue | None = None


@router.get(
    "/aliases",
    response={200: list[VendorAliasOut], **ERROR_RESPONSES},
    summary="List vendor aliases",
    operation_id="list_vendor_aliases",
    url_name="devices_vendoralias_list",
    tags=["Vendor aliases"],
    description="Spellings of vendors and products and their canonical names (the whole "
    "installation's). Requires `devices.view`.",
)
@paginate(Pagination)
def list_aliases(request: AuthenticatedRequest, filters: Query[AliasFilters]) -> Any:
    require(request, VIEW)
    return filters.filter(VendorAlias.objects.all())


@router.post(
    "/aliases",
    response={201: VendorAliasOut, **ERROR_RESPONSES},
    summary="Create a vendor alias",
    operation_id="create_vendor_alias",
    url_name="devices_vendoralias_add",
    tags=["Vendor aliases"],
    description="Requires `devices.manage` and a write token.",
)
def create_alias(request: AuthenticatedRequest, payload: VendorAliasIn) -> Any:
    require(request, MANAGE)
    inventory.require_installation_wide(request.user)
    return Status(201, crud.save_instance(VendorAlias(), request.user, **payload.dict()))


@router.get(
    "/aliases/{int:alias_id}",
    response={200: VendorAliasOut, **ERROR_RESPONSES},
    summary="Get a vendor alias",
    operation_id="get_vendor_alias",
    url_name="devices_vendoralias_detail",
    tags=["Vendor aliases"],
    description="Requires `devices.view`.",
)
def get_alias(request: AuthenticatedRequest, alias_id: Path[Id]) -> Any:
    require(request, VIEW)
    return get_object_or_404(VendorAlias, pk=alias_id)


@router.put(
    "/aliases/{int:alias_id}",
    response={200: VendorAliasOut, **ERROR_RESPONSES},
    summary="Replace a vendor alias",
    operation_id="replace_vendor_alias",
    url_name="devices_vendoralias_replace",
    tags=["Vendor aliases"],
    description="Requires `devices.manage` and a write token.",
)
def replace_alias(request: AuthenticatedRequest, alias_id: Path[Id], payload: VendorAliasIn) -> Any:
    require(request, MANAGE)
    inventory.require_installation_wide(request.user)
    alias = get_object_or_404(VendorAlias, pk=alias_id)
    return crud.save_instance(alias, request.user, **payload.dict())


@router.delete(
    "/aliases/{int:alias_id}",
    response={204: None, **ERROR_RESPONSES},
    summary="Delete a vendor alias",
    operation_id="delete_vendor_alias",
    url_name="devices_vendoralias_delete",
    tags=["Vendor aliases"],
    description="Requires `devices.manage` and a write token.",
)
def delete_alias(request: AuthenticatedRequest, alias_id: Path[Id]) -> Any:
    require(request, MANAGE)
    inventory.require_installation_wide(request.user)
    crud.delete_instance(get_object_or_404(VendorAlias, pk=alias_id), request.user)
    return Status(204, None)


@router.post(
    "/aliases/apply",
    response={200: dict[str, int], **ERROR_RESPONSES},
    summary="Apply the aliases to the inventory",
    operation_id="apply_vendor_aliases",
    url_name="devices_vendoralias_apply",
    tags=["Vendor aliases"],
    description="Renames the manufacturers and models of your devices through the alias "
    "table. Requires `devices.manage` and a write token.",
)
def apply_aliases(request: AuthenticatedRequest) -> Any:
    require(request, MANAGE)
    return {"changed": inventory.apply_aliases(request.user)}


# --- inventory imports -----------------------------------------------------------------------


IMPORT_ORDERINGS = ("created_at", "committed_at", "status")


@router.get(
    "/imports",
    response={200: list[InventoryImportOut], **ERROR_RESPONSES},
    summary="List inventory imports",
    operation_id="list_inventory_imports",
    url_name="devices_inventoryimport_list",
    tags=["Inventory imports"],
    description="Requires `devices.manage`.",
)
@paginate(Pagination)
def list_imports(
    request: AuthenticatedRequest,
    ordering: str | None = Query(None, description=ordering_description(IMPORT_ORDERINGS)),
) -> Any:
    require(request, MANAGE)
    return apply_ordering(
        InventoryImport.objects.visible_to(request.user), ordering, IMPORT_ORDERINGS
    )


@router.post(
    "/imports",
    response={201: InventoryImportOut, **ERROR_RESPONSES},
    summary="Upload an inventory file",
    operation_id="create_inventory_import",
    url_name="devices_inventoryimport_add",
    tags=["Inventory imports"],
    description="Step 1. multipart/form-data with `file` (CSV or XLSX: an inventory or a "
    "CMMS/GMAO export) and `establishment_id`. Returns the detected columns and a proposed "
    "mapping. Requires `devices.manage` and a write token.",
)
def create_import(
    request: AuthenticatedRequest, payload: Form[InventoryUploadIn], file: File[UploadedFile]
) -> Any:
    require(request, MANAGE)
    crud.check_establishment_allowed(request.user, payload.establishment_id)
    establishment = get_visible(Establishment, request, payload.establishment_id)
    if file.size is not None and file.size > imports.MAX_IMPORT_BYTES:
        raise HttpError(413, "The file is too large.")
    return Status(201, imports.start(request.user, establishment, file.read()))


@router.get(
    "/imports/{int:import_id}",
    response={200: InventoryImportOut, **ERROR_RESPONSES},
    summary="Get an inventory import",
    operation_id="get_inventory_import",
    url_name="devices_inventoryimport_detail",
    tags=["Inventory imports"],
    description="Columns, mapping and the last check's report. Requires `devices.manage`.",
)
def get_import(request: AuthenticatedRequest, import_id: Path[Id]) -> Any:
    require(request, MANAGE)
    return get_visible(InventoryImport, request, import_id)


@router.post(
    "/imports/{int:import_id}/check",
    response={200: InventoryImportOut, **ERROR_RESPONSES},
    summary="Map and check an inventory import",
    operation_id="check_inventory_import",
    url_name="devices_inventoryimport_check",
    tags=["Inventory imports"],
    description="Steps 2 and 3: store the mapping and check every row (dry run; nothing is "
    "written). Row errors name the row and the column, never the value. Requires "
    "`devices.manage` and a write token.",
)
def check_import(request: AuthenticatedRequest, import_id: Path[Id], payload: MappingIn) -> Any:
    require(request, MANAGE)
    job = get_visible(InventoryImport, request, import_id)
    return imports.check(request.user, job, payload.mapping)


@router.post(
    "/imports/{int:import_id}/commit",
    response={200: InventoryImportOut, **ERROR_RESPONSES},
    summary="Write an inventory import",
    operation_id="commit_inventory_import",
    url_name="devices_inventoryimport_commit",
    tags=["Inventory imports"],
    description="Step 4: all rows or none (checked again inside the transaction). Requires "
    "`devices.manage` and a write token.",
)
def commit_import(request: AuthenticatedRequest, import_id: Path[Id]) -> Any:
    require(request, MANAGE)
    job = get_visible(InventoryImport, request, import_id)
    return imports.commit(request.user, job)
