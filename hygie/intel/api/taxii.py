"""The TAXII administration API: Hygie's collections (CRUD, content by TLP, partners' rights,
publishing the indicators), partners' credentials on Hygie's TAXII server (the secret returned
once), and the partner side (their collections, pushing a bundle). Polling a partner's
collection is a feed of kind ``taxii`` (``POST /intel/feeds/{id}/poll``)."""

from datetime import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema
from ninja.filter_schema import FilterLookup
from ninja.responses import Status

from hygie.core.api.common import ERROR_RESPONSES, get_visible, require
from hygie.core.api.resource import Resource, add_crud_routes
from hygie.core.api.schemas import Id, InputFilters, InputSchema
from hygie.core.http import AuthenticatedRequest
from hygie.core.services.crud import check_establishment_allowed
from hygie.intel.models import Partner, PartnerCredential, TaxiiAccess, TaxiiCollection
from hygie.intel.roles import MANAGE, SHARE, VIEW
from hygie.intel.services import taxii_admin, taxii_client
from hygie.intel.services.feeds import FeedError

router = Router()
TAG = "TAXII"


class TaxiiCollectionIn(InputSchema):
    establishment_id: Id
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=10_000)
    alias: str = Field("", max_length=100, pattern=r"^[-a-zA-Z0-9_]*$")
    api_root: str = Field("api1", min_length=1, max_length=100, pattern=r"^[-a-zA-Z0-9_]+$")
    can_read_default: bool = Field(
        False, description="Readable by every partner of the establishment with a credential."
    )
    can_write_default: bool = False


class TaxiiCollectionOut(Schema):
    id: int
    establishment_id: int
    collection_id: str
    title: str
    description: str
    alias: str
    api_root: str
    can_read_default: bool
    can_write_default: bool
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_collection_id(obj: TaxiiCollection) -> str:
        return str(obj.collection_id)


class TaxiiCollectionFilters(InputFilters):
    q: Annotated[str | None, FilterLookup(["title__icontains", "alias__icontains"])] = None
    establishment: Annotated[Id | None, FilterLookup("establishment_id")] = None
    api_root: str | None = None


COLLECTIONS = Resource(
    model=TaxiiCollection,
    path="taxii-collections",
    id_param="intel_collection_id",
    label="taxii collection",  # operation ids: list_taxii_collections…
    plural="taxii collections",
    one="a TAXII collection",
    schema_in=TaxiiCollectionIn,
    schema_out=TaxiiCollectionOut,
    filters=TaxiiCollectionFilters,
    orderings=("title", "api_root", "created_at"),
    view_capability=VIEW,
    edit_capability=MANAGE,
)


class SummaryOut(Schema):
    objects: int
    by_tlp: dict[str, int]
    partners_reading: int
    partners_writing: int


@router.get(
    "/taxii-collections/{int:intel_collection_id}/summary",
    response={200: SummaryOut, **ERROR_RESPONSES},
    summary="What a TAXII collection holds",
    operation_id="taxii_collection_summary",
    url_name="intel_taxiicollection_summary",
    tags=[TAG],
    description="Stored object versions by TLP level, and how many partners may read or "
    "write. Requires `intel.view`.",
)
def summary(request: AuthenticatedRequest, intel_collection_id: Path[Id]) -> Any:
    require(request, VIEW)
    collection = get_visible(TaxiiCollection, request, intel_collection_id)
    return taxii_admin.collection_summary(collection)


class AccessIn(InputSchema):
    can_read: bool = True
    can_write: bool = False


class AccessOut(Schema):
    partner_id: int
    partner: str
    can_read: bool
    can_write: bool

    @staticmethod
    def resolve_partner(obj: TaxiiAccess) -> str:
        return obj.partner.name


@router.get(
    "/taxii-collections/{int:intel_collection_id}/access",
    response={200: list[AccessOut], **ERROR_RESPONSES},
    summary="Partners' rights on a TAXII collection",
    operation_id="list_taxii_access",
    url_name="intel_taxiicollection_access_list",
    tags=[TAG],
    description="Partners with rights of their own (others get the collection's defaults). "
    "Requires `intel.view`.",
)
def list_access(request: AuthenticatedRequest, intel_collection_id: Path[Id]) -> Any:
    require(request, VIEW)
    collection = get_visible(TaxiiCollection, request, intel_collection_id)
    return list(collection.access.select_related("partner").order_by("partner__name"))


@router.put(
    "/taxii-collections/{int:intel_collection_id}/access/{int:partner_id}",
    response={200: list[AccessOut], **ERROR_RESPONSES},
    summary="Set a partner's rights on a TAXII collection",
    operation_id="set_taxii_access",
    url_name="intel_taxiicollection_access_set",
    tags=[TAG],
    description="Read and/or write; both false removes the partner's own rights. The partner "
    "must belong to the collection's establishment (422 otherwise). Requires `intel.manage` "
    "and a write token.",
)
def set_access(
    request: AuthenticatedRequest,
    intel_collection_id: Path[Id],
    partner_id: Path[Id],
    payload: AccessIn,
) -> Any:
    require(request, MANAGE)
    collection = get_visible(TaxiiCollection, request, intel_collection_id)
    partner = get_visible(Partner, request, partner_id)
    check_establishment_allowed(request.user, collection.establishment_id)
    taxii_admin.set_access(
        collection,
        partner,
        can_read=payload.can_read,
        can_write=payload.can_write,
        user=request.user,
    )
    return list(collection.access.select_related("partner").order_by("partner__name"))


class PublicationOut(Schema):
    indicators: int
    added: int
    unchanged: int
    failures: int


@router.post(
    "/taxii-collections/{int:intel_collection_id}/publish",
    response={200: PublicationOut, **ERROR_RESPONSES},
    summary="Publish the indicators into a TAXII collection",
    operation_id="publish_taxii_collection",
    url_name="intel_taxiicollection_publish",
    tags=[TAG],
    description="The establishment's active indicators (never TLP:RED) as STIX 2.1; versions "
    "already there are left as they are. Partners read them under their own TLP clearance. "
    "Requires `intel.manage` and a write token.",
)
def publish(request: AuthenticatedRequest, intel_collection_id: Path[Id]) -> Any:
    require(request, MANAGE)
    collection = get_visible(TaxiiCollection, request, intel_collection_id)
    check_establishment_allowed(request.user, collection.establishment_id)
    return taxii_admin.publish_indicators(collection, request.user).as_dict()


# --- credentials --------------------------------------------------------------------------------


class CredentialOut(Schema):
    id: int
    partner_id: int
    username: str
    is_active: bool
    created_at: datetime
    last_used_at: datetime | None


class NewCredentialOut(CredentialOut):
    secret: str = Field(description="Shown once: only its hash is kept.")


@router.get(
    "/taxii-credentials",
    response={200: list[CredentialOut], **ERROR_RESPONSES},
    summary="List partners' TAXII credentials",
    operation_id="list_taxii_credentials",
    url_name="intel_partnercredential_list",
    tags=[TAG],
    description="User names partners sign in with on Hygie's TAXII server (never the "
    "secrets). Requires `intel.manage`.",
)
def list_credentials(request: AuthenticatedRequest, partner: Id | None = None) -> Any:
    require(request, MANAGE)
    found = PartnerCredential.objects.visible_to(request.user).order_by("username")
    if partner is not None:
        found = found.filter(partner_id=partner)
    return list(found[:1000])


@router.post(
    "/partners/{int:partner_id}/taxii-credentials",
    response={201: NewCredentialOut, **ERROR_RESPONSES},
    summary="Generate a TAXII credential for a partner",
    operation_id="create_taxii_credential",
    url_name="intel_partnercredential_create",
    tags=[TAG],
    description="A user name and a random secret for HTTP Basic on Hygie's TAXII server. The "
    "secret is in this answer only. Requires `intel.manage` and a write token.",
)
def create_credential(request: AuthenticatedRequest, partner_id: Path[Id]) -> Any:
    require(request, MANAGE)
    partner = get_visible(Partner, request, partner_id)
    made = taxii_admin.generate_credential(partner, request.user)
    credential = made.credential
    return Status(
        201,
        {
            "id": credential.pk,
            "partner_id": credential.partner_id,
            "username": credential.username,
            "is_active": credential.is_active,
            "created_at": credential.created_at,
            "last_used_at": credential.last_used_at,
            "secret": made.secret,
        },
    )


@router.delete(
    "/taxii-credentials/{int:credential_id}",
    response={204: None, **ERROR_RESPONSES},
    summary="Revoke a partner's TAXII credential",
    operation_id="delete_taxii_credential",
    url_name="intel_partnercredential_delete",
    tags=[TAG],
    description="The partner can no longer sign in with it. Requires `intel.manage` and a "
    "write token.",
)
def delete_credential(request: AuthenticatedRequest, credential_id: Path[Id]) -> Any:
    require(request, MANAGE)
    credential = get_visible(PartnerCredential, request, credential_id)
    taxii_admin.revoke_credential(credential, request.user)
    return Status(204, None)


# --- the partner's side -------------------------------------------------------------------------


def _partner_error(error: FeedError) -> dict[str, Any]:
    return {"error": {"code": "partner_unavailable", "message": str(error), "fields": {}}}


class RemoteCollectionOut(Schema):
    id: str
    title: str = ""
    description: str = ""
    can_read: bool = False
    can_write: bool = False


@router.get(
    "/partners/{int:partner_id}/taxii-collections",
    response={200: list[RemoteCollectionOut], **ERROR_RESPONSES},
    summary="A partner's TAXII collections",
    operation_id="list_partner_taxii_collections",
    url_name="intel_partner_taxii_collections",
    tags=[TAG],
    description="Asks the partner's TAXII server (with the partner's stored secret) which "
    "collections it shows Hygie, e.g. to set up a feed. 422 (`partner_unavailable`) when the "
    "partner has no TAXII address or its server refuses or cannot be reached. "
    "Requires `intel.manage`.",
)
def partner_collections(request: AuthenticatedRequest, partner_id: Path[Id]) -> Any:
    require(request, MANAGE)
    partner = get_visible(Partner, request, partner_id)
    try:
        found = taxii_client.list_collections(partner)
    except FeedError as error:
        return Status(422, _partner_error(error))
    return [
        {
            "id": str(item.get("id", "")),
            "title": str(item.get("title", "")),
            "description": str(item.get("description", "")),
            "can_read": item.get("can_read") is True,
            "can_write": item.get("can_write") is True,
        }
        for item in found
    ]


class PushIn(InputSchema):
    objects: list[dict[str, Any]] = Field(
        default_factory=list,
        max_length=10_000,
        description="STIX 2.1 objects (a bundle's objects).",
    )
    remote_collection_id: str = Field(
        "", max_length=100, description="The partner's collection; default: the partner's own."
    )


class PushOut(Schema):
    sent: int
    withheld: int
    status: dict[str, Any]


@router.post(
    "/partners/{int:partner_id}/taxii-push",
    response={200: PushOut, **ERROR_RESPONSES},
    summary="Push STIX objects to a partner's TAXII collection",
    operation_id="push_taxii",
    url_name="intel_partner_taxii_push",
    tags=[TAG],
    description="Objects above the partner's most restricted TLP, and every TLP:RED object, "
    "are withheld (counted in `withheld`); `status` is the partner's TAXII status resource. "
    "422 (`partner_unavailable`) when the partner's server refuses or cannot be reached. "
    "Requires `intel.share` "
    "or `intel.manage`, and a write token.",
)
def push(request: AuthenticatedRequest, partner_id: Path[Id], payload: PushIn) -> Any:
    if not request.user.can(SHARE):
        require(request, MANAGE)
    partner = get_visible(Partner, request, partner_id)
    check_establishment_allowed(request.user, partner.establishment_id)
    if not payload.objects:
        raise ValidationError(_("Give at least one STIX object to push."))
    try:
        result = taxii_client.push(
            partner, payload.objects, collection_id=payload.remote_collection_id
        )
    except FeedError as error:
        return Status(422, _partner_error(error))
    return result.as_dict()


add_crud_routes(router, COLLECTIONS)
