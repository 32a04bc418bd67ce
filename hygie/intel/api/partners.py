"""The partners directory API: partners (CRUD) with their endpoints and the most restricted TLP
each may receive; the secret used to reach a partner is write-only."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

from ninja import Field, Path, Router, Schema
from ninja.filter_schema import FilterLookup

from hygie.core.api.choice_values import choice_literal
from hygie.core.api.common import ERROR_RESPONSES, get_visible, require
from hygie.core.api.resource import Resource, add_crud_routes
from hygie.core.api.schemas import Id, InputFilters, InputSchema
from hygie.core.http import AuthenticatedRequest
from hygie.intel.models import Partner
from hygie.intel.models.choices import PartnerKind, TlpLevel
from hygie.intel.roles import MANAGE, VIEW
from hygie.intel.services import partners

if TYPE_CHECKING:
    PartnerKindValue = str
    TlpValue = str
else:
    PartnerKindValue = choice_literal(PartnerKind.values)
    TlpValue = choice_literal(TlpLevel.values)

router = Router()


class PartnerIn(InputSchema):
    establishment_id: Id
    name: str = Field(min_length=1, max_length=200)
    kind: PartnerKindValue = PartnerKind.OTHER.value
    max_tlp: TlpValue = Field(
        TlpLevel.GREEN.value,
        description="The most restricted TLP this partner may receive (RED never leaves).",
    )
    contact_email: str = Field("", max_length=254)
    taxii_url: str = Field("", max_length=500)
    taxii_api_root: str = Field("", max_length=200)
    taxii_collection_id: str = Field("", max_length=100)
    misp_url: str = Field("", max_length=500)
    auth_username: str = Field("", max_length=200)
    is_active: bool = True
    notes: str = Field("", max_length=10_000)


class PartnerOut(Schema):
    id: int
    establishment_id: int
    name: str
    kind: str
    max_tlp: str
    contact_email: str
    taxii_url: str
    taxii_api_root: str
    taxii_collection_id: str
    misp_url: str
    auth_username: str
    has_secret: bool
    is_active: bool
    notes: str
    created_at: datetime
    updated_at: datetime


class PartnerFilters(InputFilters):
    q: Annotated[str | None, FilterLookup(["name__icontains", "contact_email__icontains"])] = None
    establishment: Annotated[Id | None, FilterLookup("establishment_id")] = None
    kind: PartnerKindValue | None = None
    max_tlp: TlpValue | None = None
    is_active: bool | None = None


PARTNERS = Resource(
    model=Partner,
    path="partners",
    id_param="partner_id",
    label="partner",
    plural="partners",
    one="a partner",
    schema_in=PartnerIn,
    schema_out=PartnerOut,
    filters=PartnerFilters,
    orderings=("name", "kind", "max_tlp", "created_at"),
    view_capability=VIEW,
    edit_capability=MANAGE,
)


class SecretIn(InputSchema):
    secret: str = Field(
        max_length=1000, description="Password or API key; an empty string removes it."
    )


@router.put(
    "/partners/{int:partner_id}/secret",
    response={200: PartnerOut, **ERROR_RESPONSES},
    summary="Set a partner's secret",
    operation_id="set_partner_secret",
    url_name="intel_partner_secret",
    tags=["Partners"],
    description="The password or API key Hygie uses to reach the partner's TAXII server or "
    "MISP: stored sealed, never returned (`has_secret` says whether one is set). Requires "
    "`intel.manage` and a write token.",
)
def set_secret(request: AuthenticatedRequest, partner_id: Path[Id], payload: SecretIn) -> Any:
    require(request, MANAGE)
    partner = get_visible(Partner, request, partner_id)
    return partners.save_partner(partner, request.user, payload.secret)


add_crud_routes(router, PARTNERS)
