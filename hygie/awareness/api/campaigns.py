"""The campaign back office over the API: sending profiles (the password is write-only), mail
templates and landing pages (the shared library is read-only; library sync; GoPhish import with
a dry run), campaigns with their recipients, plan, launch, cancel and sending progress.

No ``from __future__ import annotations``: ninja reads the handlers' annotations at import time.
"""

from datetime import datetime, time
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from hygie.awareness.models import (
    Campaign,
    CampaignStatus,
    LandingPage,
    MailTemplate,
    SendingProfile,
)
from hygie.awareness.roles import MANAGE, VIEW
from hygie.awareness.services import campaigns, profiles, templates_library
from hygie.core.api.common import (
    ERROR_RESPONSES,
    Pagination,
    check_visible_reference,
    get_visible,
    require,
    require_all_establishments,
)
from hygie.core.api.schemas import Id, InputSchema
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Department, Establishment
from hygie.core.models.scoping import visible_objects
from hygie.core.services import crud

router = Router()

Security = Literal["none", "starttls", "tls"]
LanguageValue = Literal["fr", "en"]


def _write(request: AuthenticatedRequest, establishment_id: int | None) -> None:
    require(request, MANAGE)
    crud.check_establishment_allowed(request.user, establishment_id)


def _not_library(obj: Any) -> None:
    if obj.establishment_id is None:
        raise PermissionDenied(
            _("The shared library cannot be changed; write your own template instead.")
        )


# --- sending profiles ----------------------------------------------------------------------------


class SendingProfileIn(InputSchema):
    establishment_id: Id
    name: str = Field(max_length=200)
    host: str = Field(max_length=255)
    port: int = Field(587, ge=1, le=65535)
    security: Security = "starttls"
    username: str = Field("", max_length=255)
    password: str | None = Field(
        None, max_length=500, description="Write-only; omitted keeps the stored one, '' removes it."
    )
    envelope_from: str = Field(max_length=254)
    header_from: str = Field(max_length=300)
    rate_per_minute: int = Field(30, ge=0, le=100000, description="0 = unthrottled.")
    custom_headers: dict[str, str] = Field(default_factory=dict)
    is_active: bool = True


class SendingProfilePatch(InputSchema):
    name: str | None = Field(None, max_length=200)
    host: str | None = Field(None, max_length=255)
    port: int | None = Field(None, ge=1, le=65535)
    security: Security | None = None
    username: str | None = Field(None, max_length=255)
    password: str | None = Field(None, max_length=500)
    envelope_from: str | None = Field(None, max_length=254)
    header_from: str | None = Field(None, max_length=300)
    rate_per_minute: int | None = Field(None, ge=0, le=100000)
    custom_headers: dict[str, str] | None = None
    is_active: bool | None = None


class SendingProfileOut(Schema):
    id: int
    establishment_id: int
    name: str
    host: str
    port: int
    security: str
    username: str
    has_password: bool
    envelope_from: str
    header_from: str
    rate_per_minute: int
    custom_headers: dict[str, str]
    is_active: bool

    @staticmethod
    def resolve_has_password(obj: SendingProfile) -> bool:
        return bool(obj.password)


@router.get(
    "/sending-profiles",
    response={200: list[SendingProfileOut], **ERROR_RESPONSES},
    summary="List sending profiles",
    operation_id="list_sending_profiles",
    url_name="awareness_sendingprofile_list",
    tags=["Awareness campaigns"],
    description="SMTP relays of your establishments (never their passwords). "
    "Requires `awareness.manage`.",
)
@paginate(Pagination)
def list_profiles(request: AuthenticatedRequest) -> Any:
    require(request, MANAGE)
    return visible_objects(SendingProfile, request.user).order_by("name", "pk")


@router.get(
    "/sending-profiles/{int:profile_id}",
    response={200: SendingProfileOut, **ERROR_RESPONSES},
    summary="Get a sending profile",
    operation_id="get_sending_profile",
    url_name="awareness_sendingprofile_detail",
    tags=["Awareness campaigns"],
)
def get_profile(request: AuthenticatedRequest, profile_id: Path[Id]) -> Any:
    require(request, MANAGE)
    return get_visible(SendingProfile, request, profile_id)


@router.post(
    "/sending-profiles",
    response={201: SendingProfileOut, **ERROR_RESPONSES},
    summary="Create a sending profile",
    operation_id="create_sending_profile",
    url_name="awareness_sendingprofile_add",
    tags=["Awareness campaigns"],
    description="The password is stored encrypted and never returned. Requires `awareness.manage`.",
)
def create_profile(request: AuthenticatedRequest, payload: SendingProfileIn) -> Any:
    data = payload.dict()
    _write(request, data["establishment_id"])
    password = data.pop("password")
    profile = profiles.save_profile(SendingProfile(), request.user, password=password, **data)
    return Status(201, profile)


@router.patch(
    "/sending-profiles/{int:profile_id}",
    response={200: SendingProfileOut, **ERROR_RESPONSES},
    summary="Update a sending profile",
    operation_id="update_sending_profile",
    url_name="awareness_sendingprofile_edit",
    tags=["Awareness campaigns"],
)
def update_profile(
    request: AuthenticatedRequest, profile_id: Path[Id], payload: SendingProfilePatch
) -> Any:
    profile = get_visible(SendingProfile, request, profile_id)
    _write(request, profile.establishment_id)
    data = payload.dict(exclude_unset=True)
    password = data.pop("password", None)
    return profiles.save_profile(profile, request.user, password=password, **data)


@router.delete(
    "/sending-profiles/{int:profile_id}",
    response={204: None, **ERROR_RESPONSES},
    summary="Delete a sending profile",
    operation_id="delete_sending_profile",
    url_name="awareness_sendingprofile_delete",
    tags=["Awareness campaigns"],
)
def delete_profile(request: AuthenticatedRequest, profile_id: Path[Id]) -> Any:
    profile = get_visible(SendingProfile, request, profile_id)
    _write(request, profile.establishment_id)
    crud.delete_instance(profile, request.user)
    return Status(204, None)


# --- templates and landing pages -----------------------------------------------------------------


class MailTemplateIn(InputSchema):
    establishment_id: Id
    name: str = Field(max_length=200)
    language: LanguageValue = "fr"
    sender_name: str = Field("", max_length=200)
    subject: str = Field(max_length=300)
    html: str = Field("", max_length=512 * 1024)
    text: str = Field("", max_length=512 * 1024)
    clues: list[dict[str, str]] = Field(default_factory=list, max_length=20)
    difficulty: int = Field(2, ge=1, le=5)


class MailTemplatePatch(InputSchema):
    name: str | None = Field(None, max_length=200)
    language: LanguageValue | None = None
    sender_name: str | None = Field(None, max_length=200)
    subject: str | None = Field(None, max_length=300)
    html: str | None = Field(None, max_length=512 * 1024)
    text: str | None = Field(None, max_length=512 * 1024)
    clues: list[dict[str, str]] | None = Field(None, max_length=20)
    difficulty: int | None = Field(None, ge=1, le=5)


class MailTemplateOut(Schema):
    id: int
    establishment_id: int | None = Field(description="null for the shared library")
    lure_id: str
    language: str
    name: str
    sender_name: str
    subject: str
    html: str
    text: str
    clues: list[dict[str, str]]
    difficulty: int
    version: int
    source: str


class LandingPageIn(InputSchema):
    establishment_id: Id
    name: str = Field(max_length=200)
    language: LanguageValue = "fr"
    html: str = Field(max_length=512 * 1024)
    redirect_url: str = Field("", max_length=500)


class LandingPageOut(Schema):
    id: int
    establishment_id: int | None
    lure_id: str
    name: str
    language: str
    html: str
    redirect_url: str
    source: str


class ContentFilters(Schema):
    language: LanguageValue | None = None
    source: Literal["library", "gophish", "custom"] | None = None


def _content(
    model: type[models.Model], request: AuthenticatedRequest, filters: ContentFilters
) -> Any:
    require(request, MANAGE)
    templates_library.ensure_library()
    queryset = visible_objects(model, request.user)
    if filters.language:
        queryset = queryset.filter(language=filters.language)
    if filters.source:
        queryset = queryset.filter(source=filters.source)
    return queryset.order_by("name", "pk")


def _save_template(
    template: MailTemplate, request: AuthenticatedRequest, data: dict[str, Any]
) -> MailTemplate:
    for name, value in data.items():
        setattr(template, name, value)
    templates_library.check_template(template)
    if template.pk:
        template.version += 1
    return crud.save_instance(template, request.user)


@router.get(
    "/templates",
    response={200: list[MailTemplateOut], **ERROR_RESPONSES},
    summary="List mail templates",
    operation_id="list_mail_templates",
    url_name="awareness_mailtemplate_list",
    tags=["Awareness campaigns"],
    description="The shared library (establishment null) and your establishments' templates. "
    "Requires `awareness.manage`.",
)
@paginate(Pagination)
def list_templates(request: AuthenticatedRequest, filters: Query[ContentFilters]) -> Any:
    return _content(MailTemplate, request, filters)


@router.get(
    "/templates/{int:template_id}",
    response={200: MailTemplateOut, **ERROR_RESPONSES},
    summary="Get a mail template",
    operation_id="get_mail_template",
    url_name="awareness_mailtemplate_detail",
    tags=["Awareness campaigns"],
)
def get_template(request: AuthenticatedRequest, template_id: Path[Id]) -> Any:
    require(request, MANAGE)
    return get_visible(MailTemplate, request, template_id)


@router.post(
    "/templates",
    response={201: MailTemplateOut, **ERROR_RESPONSES},
    summary="Create a mail template",
    operation_id="create_mail_template",
    url_name="awareness_mailtemplate_add",
    tags=["Awareness campaigns"],
    description="Known variables only, and a `{{ tracking_link }}` in each body.",
)
def create_template(request: AuthenticatedRequest, payload: MailTemplateIn) -> Any:
    data = payload.dict()
    _write(request, data["establishment_id"])
    return Status(201, _save_template(MailTemplate(source="custom"), request, data))


@router.patch(
    "/templates/{int:template_id}",
    response={200: MailTemplateOut, **ERROR_RESPONSES},
    summary="Update a mail template",
    operation_id="update_mail_template",
    url_name="awareness_mailtemplate_edit",
    tags=["Awareness campaigns"],
    description="Not for the shared library (403). The version number goes up.",
)
def update_template(
    request: AuthenticatedRequest, template_id: Path[Id], payload: MailTemplatePatch
) -> Any:
    template = get_visible(MailTemplate, request, template_id)
    _not_library(template)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    _write(request, template.establishment_id)
    return _save_template(template, request, data)


@router.delete(
    "/templates/{int:template_id}",
    response={204: None, **ERROR_RESPONSES},
    summary="Delete a mail template",
    operation_id="delete_mail_template",
    url_name="awareness_mailtemplate_delete",
    tags=["Awareness campaigns"],
)
def delete_template(request: AuthenticatedRequest, template_id: Path[Id]) -> Any:
    template = get_visible(MailTemplate, request, template_id)
    _not_library(template)
    _write(request, template.establishment_id)
    crud.delete_instance(template, request.user)
    return Status(204, None)


class SyncOut(Schema):
    created: int
    updated: int
    unchanged: int
    lures: list[str]


@router.post(
    "/templates/sync-library",
    response={200: SyncOut, **ERROR_RESPONSES},
    summary="Update the shared lure library",
    operation_id="sync_mail_template_library",
    url_name="awareness_mailtemplate_sync",
    tags=["Awareness campaigns"],
    description="Creates or updates the shared templates and landing pages from the lures "
    "shipped with Hygie. Requires `awareness.manage` and organisation-wide access.",
)
def sync_library(request: AuthenticatedRequest) -> Any:
    require(request, MANAGE)
    require_all_establishments(request)  # the library is the whole installation's
    return templates_library.sync_library()


class GoPhishIn(InputSchema):
    establishment_id: Id
    language: LanguageValue = "fr"
    export: Any = Field(
        description="GoPhish's JSON: a template, a page, a list, or {templates, pages}."
    )
    dry_run: bool = Field(True, description="Only preview (default); false imports.")


class GoPhishItemOut(Schema):
    kind: str
    name: str
    id: int | None = None


class GoPhishOut(Schema):
    imported: bool
    items: list[GoPhishItemOut]
    skipped_attachments: int
    problems: list[str]


@router.post(
    "/templates/import-gophish",
    response={200: GoPhishOut, **ERROR_RESPONSES},
    summary="Import GoPhish templates and landing pages",
    operation_id="import_gophish_templates",
    url_name="awareness_mailtemplate_import",
    tags=["Awareness campaigns"],
    description="With `dry_run` (default) answers what would be created and what is left out; "
    "without, creates everything or nothing. Requires `awareness.manage`.",
)
def import_gophish(request: AuthenticatedRequest, payload: GoPhishIn) -> Any:
    import json

    _write(request, payload.establishment_id)
    text = payload.export if isinstance(payload.export, str) else json.dumps(payload.export)
    preview = templates_library.preview_gophish(text)
    problems = [f"{p.message} ({p.location})" for p in preview.problems]
    if payload.dry_run:
        items = [GoPhishItemOut(kind="template", name=t.name) for t in preview.templates]
        items += [GoPhishItemOut(kind="page", name=p.name) for p in preview.pages]
        return GoPhishOut(
            imported=False,
            items=items,
            skipped_attachments=preview.skipped_attachments,
            problems=problems,
        )
    establishment = get_visible(Establishment, request, payload.establishment_id)
    result = templates_library.import_gophish(text, establishment, request.user, payload.language)
    items = [GoPhishItemOut(kind="template", name=t.name, id=t.pk) for t in result.templates]
    items += [GoPhishItemOut(kind="page", name=p.name, id=p.pk) for p in result.pages]
    return GoPhishOut(
        imported=True,
        items=items,
        skipped_attachments=preview.skipped_attachments,
        problems=problems,
    )


@router.get(
    "/landing-pages",
    response={200: list[LandingPageOut], **ERROR_RESPONSES},
    summary="List landing pages",
    operation_id="list_landing_pages",
    url_name="awareness_landingpage_list",
    tags=["Awareness campaigns"],
)
@paginate(Pagination)
def list_pages(request: AuthenticatedRequest, filters: Query[ContentFilters]) -> Any:
    return _content(LandingPage, request, filters)


@router.get(
    "/landing-pages/{int:page_id}",
    response={200: LandingPageOut, **ERROR_RESPONSES},
    summary="Get a landing page",
    operation_id="get_landing_page",
    url_name="awareness_landingpage_detail",
    tags=["Awareness campaigns"],
)
def get_page(request: AuthenticatedRequest, page_id: Path[Id]) -> Any:
    require(request, MANAGE)
    return get_visible(LandingPage, request, page_id)


@router.post(
    "/landing-pages",
    response={201: LandingPageOut, **ERROR_RESPONSES},
    summary="Create a landing page",
    operation_id="create_landing_page",
    url_name="awareness_landingpage_add",
    tags=["Awareness campaigns"],
)
def create_page(request: AuthenticatedRequest, payload: LandingPageIn) -> Any:
    data = payload.dict()
    _write(request, data["establishment_id"])
    return Status(201, crud.save_instance(LandingPage(source="custom"), request.user, **data))


@router.delete(
    "/landing-pages/{int:page_id}",
    response={204: None, **ERROR_RESPONSES},
    summary="Delete a landing page",
    operation_id="delete_landing_page",
    url_name="awareness_landingpage_delete",
    tags=["Awareness campaigns"],
)
def delete_page(request: AuthenticatedRequest, page_id: Path[Id]) -> Any:
    page = get_visible(LandingPage, request, page_id)
    _not_library(page)
    _write(request, page.establishment_id)
    crud.delete_instance(page, request.user)
    return Status(204, None)


# --- campaigns -----------------------------------------------------------------------------------


class CampaignIn(InputSchema):
    establishment_id: Id
    name: str = Field(max_length=200)
    description: str = Field("", max_length=5000)
    sending_profile_id: Id
    template_a_id: Id
    template_b_id: Id | None = None
    landing_page_id: Id
    window_start: datetime
    window_end: datetime
    working_hours_start: time = time(9, 0)
    working_hours_end: time = time(17, 0)
    working_days: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4], max_length=7)
    time_zone: str = Field("Europe/Paris", max_length=64)
    enrol_module_id: Id | None = None


class CampaignOut(Schema):
    id: int
    establishment_id: int
    name: str
    description: str
    status: str
    sending_profile_id: int
    template_a_id: int
    template_b_id: int | None
    landing_page_id: int
    window_start: datetime
    window_end: datetime
    working_hours_start: time
    working_hours_end: time
    working_days: list[int]
    time_zone: str
    enrol_module_id: int | None
    launched_at: datetime | None
    finished_at: datetime | None


class CampaignFilters(Schema):
    status: Literal["draft", "scheduled", "running", "finished", "cancelled"] | None = None
    establishment: Id | None = None


class ProgressOut(Schema):
    total: int
    sent: int
    failed: int
    pending: int
    next_at: datetime | None


class TargetIn(InputSchema):
    email: str = Field(max_length=254)
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    department: str = Field("", max_length=200)
    profession: str = Field("", max_length=100)
    language: LanguageValue | None = None


class RecipientsIn(InputSchema):
    establishment_ids: list[Id] = Field(default_factory=list, max_length=100)
    department_ids: list[Id] = Field(default_factory=list, max_length=500)
    professions: list[str] = Field(default_factory=list, max_length=100)
    targets: list[TargetIn] = Field(
        default_factory=list, max_length=50000, description="Addresses outside the directory."
    )


class AddedOut(Schema):
    added: int
    total: int


class PlannedOut(Schema):
    email: str
    send_at: datetime


class RecipientOut(Schema):
    id: int
    email: str
    first_name: str
    department_name: str
    profession: str
    language: str
    variant: str
    scheduled_at: datetime | None
    sent_at: datetime | None
    send_error: str


def _campaign_references(request: AuthenticatedRequest, data: dict[str, Any]) -> None:
    check_visible_reference(
        SendingProfile, request, "sending_profile_id", data.get("sending_profile_id")
    )
    references: tuple[tuple[str, type[models.Model]], ...] = (
        ("sending_profile_id", SendingProfile),
        ("template_a_id", MailTemplate),
        ("template_b_id", MailTemplate),
        ("landing_page_id", LandingPage),
    )
    for name, model in references[1:]:
        check_visible_reference(model, request, name, data.get(name))
    owner = data.get("establishment_id")
    for name, model in (
        ("sending_profile_id", SendingProfile),
        ("template_a_id", MailTemplate),
        ("template_b_id", MailTemplate),
        ("landing_page_id", LandingPage),
    ):
        if data.get(name) is None:
            continue
        chosen = (
            model._default_manager.filter(pk=data[name])
            .values_list("establishment_id", flat=True)
            .first()
        )
        if chosen is not None and owner is not None and chosen != owner:
            raise ValidationError({name: [_("This belongs to another establishment.")]})
    if data.get("enrol_module_id") is not None:
        from hygie.awareness.models import TrainingModule

        check_visible_reference(TrainingModule, request, "enrol_module_id", data["enrol_module_id"])


@router.get(
    "/campaigns",
    response={200: list[CampaignOut], **ERROR_RESPONSES},
    summary="List campaigns",
    operation_id="list_awareness_campaigns",
    url_name="awareness_campaign_list",
    tags=["Awareness campaigns"],
    description="Phishing simulations of your establishments. Requires `awareness.view`.",
)
@paginate(Pagination)
def list_campaigns(request: AuthenticatedRequest, filters: Query[CampaignFilters]) -> Any:
    require(request, VIEW)
    queryset = visible_objects(Campaign, request.user)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.establishment:
        queryset = queryset.filter(establishment_id=filters.establishment)
    return queryset.order_by("-window_start", "pk")


@router.get(
    "/campaigns/{int:campaign_id}",
    response={200: CampaignOut, **ERROR_RESPONSES},
    summary="Get a campaign",
    operation_id="get_awareness_campaign",
    url_name="awareness_campaign_detail",
    tags=["Awareness campaigns"],
)
def get_campaign(request: AuthenticatedRequest, campaign_id: Path[Id]) -> Any:
    require(request, VIEW)
    return get_visible(Campaign, request, campaign_id)


@router.post(
    "/campaigns",
    response={201: CampaignOut, **ERROR_RESPONSES},
    summary="Create a campaign",
    operation_id="create_awareness_campaign",
    url_name="awareness_campaign_add",
    tags=["Awareness campaigns"],
    description="A draft: add recipients, check the plan, then launch. Requires "
    "`awareness.manage`.",
)
def create_campaign(request: AuthenticatedRequest, payload: CampaignIn) -> Any:
    data = payload.dict()
    _write(request, data["establishment_id"])
    _campaign_references(request, data)
    campaign = crud.save_instance(Campaign(created_by=request.user), request.user, **data)
    return Status(201, campaign)


@router.patch(
    "/campaigns/{int:campaign_id}",
    response={200: CampaignOut, **ERROR_RESPONSES},
    summary="Update a draft campaign",
    operation_id="update_awareness_campaign",
    url_name="awareness_campaign_edit",
    tags=["Awareness campaigns"],
)
def update_campaign(
    request: AuthenticatedRequest, campaign_id: Path[Id], payload: CampaignIn
) -> Any:
    campaign = get_visible(Campaign, request, campaign_id)
    _write(request, campaign.establishment_id)
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(_("Only a draft campaign can be changed."))
    data = payload.dict(exclude_unset=True)
    data["establishment_id"] = campaign.establishment_id
    _campaign_references(request, data)
    return crud.save_instance(campaign, request.user, **data)


@router.delete(
    "/campaigns/{int:campaign_id}",
    response={204: None, **ERROR_RESPONSES},
    summary="Delete a draft campaign",
    operation_id="delete_awareness_campaign",
    url_name="awareness_campaign_delete",
    tags=["Awareness campaigns"],
)
def delete_campaign(request: AuthenticatedRequest, campaign_id: Path[Id]) -> Any:
    campaign = get_visible(Campaign, request, campaign_id)
    _write(request, campaign.establishment_id)
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(_("Only a draft campaign can be deleted; cancel it instead."))
    crud.delete_instance(campaign, request.user)
    return Status(204, None)


@router.post(
    "/campaigns/{int:campaign_id}/recipients",
    response={200: AddedOut, **ERROR_RESPONSES},
    summary="Add recipients to a draft campaign",
    operation_id="add_awareness_campaign_recipients",
    url_name="awareness_campaign_recipients",
    tags=["Awareness campaigns"],
    description="From the people directory (establishments, departments, professions: each "
    "empty = any; no establishment = the campaign's) and/or explicit `targets`.",
)
def add_recipients(
    request: AuthenticatedRequest, campaign_id: Path[Id], payload: RecipientsIn
) -> Any:
    campaign = get_visible(Campaign, request, campaign_id)
    _write(request, campaign.establishment_id)
    for pk in payload.establishment_ids:
        check_visible_reference(Establishment, request, "establishment_ids", pk)
    for pk in payload.department_ids:
        check_visible_reference(Department, request, "department_ids", pk)
    targets: list[campaigns.Target] = []
    for index, target in enumerate(payload.targets):
        email = target.email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(
                {"targets": [_("Target %(index)d: not an e-mail address.") % {"index": index}]}
            ) from None
        targets.append(
            campaigns.Target(
                email=email,
                first_name=target.first_name,
                last_name=target.last_name,
                department_name=target.department,
                profession=target.profession,
                language=target.language or "",
            )
        )
    if (
        payload.establishment_ids
        or payload.department_ids
        or payload.professions
        or not payload.targets
    ):
        people = campaigns.people_for(
            request.user,
            payload.establishment_ids or [campaign.establishment_id],
            payload.department_ids,
            payload.professions,
        )
        targets += campaigns.targets_from_people(people)
    added = campaigns.add_recipients(campaign, targets, request.user)
    return AddedOut(added=added, total=campaign.recipients.count())


@router.get(
    "/campaigns/{int:campaign_id}/recipients",
    response={200: list[RecipientOut], **ERROR_RESPONSES},
    summary="List a campaign's recipients",
    operation_id="list_awareness_campaign_recipients",
    url_name="awareness_campaign_recipientlist",
    tags=["Awareness campaigns"],
)
@paginate(Pagination)
def list_recipients(request: AuthenticatedRequest, campaign_id: Path[Id]) -> Any:
    require(request, VIEW)
    campaign = get_visible(Campaign, request, campaign_id)
    return campaign.recipients.order_by("scheduled_at", "email")


@router.get(
    "/campaigns/{int:campaign_id}/plan",
    response={200: list[PlannedOut], **ERROR_RESPONSES},
    summary="Preview a campaign's sending plan",
    operation_id="get_awareness_campaign_plan",
    url_name="awareness_campaign_plan",
    tags=["Awareness campaigns"],
    description="Each recipient's sending time in the window's working hours at the profile's "
    "rate; 400 with the window's capacity when it cannot hold them.",
)
def get_plan(request: AuthenticatedRequest, campaign_id: Path[Id]) -> Any:
    require(request, MANAGE)
    campaign = get_visible(Campaign, request, campaign_id)
    planned = sorted(campaigns.plan(campaign), key=lambda item: item[1])
    return [PlannedOut(email=email, send_at=moment) for email, moment in planned]


@router.post(
    "/campaigns/{int:campaign_id}/launch",
    response={200: CampaignOut, **ERROR_RESPONSES},
    summary="Launch a campaign",
    operation_id="launch_awareness_campaign",
    url_name="awareness_campaign_launch",
    tags=["Awareness campaigns"],
    description="Plans every mail and queues the sending job. Requires `awareness.manage`.",
)
def launch_campaign(request: AuthenticatedRequest, campaign_id: Path[Id]) -> Any:
    campaign = get_visible(Campaign, request, campaign_id)
    _write(request, campaign.establishment_id)
    return campaigns.launch(campaign, request.user)


@router.post(
    "/campaigns/{int:campaign_id}/cancel",
    response={200: CampaignOut, **ERROR_RESPONSES},
    summary="Cancel a campaign",
    operation_id="cancel_awareness_campaign",
    url_name="awareness_campaign_cancel",
    tags=["Awareness campaigns"],
)
def cancel_campaign(request: AuthenticatedRequest, campaign_id: Path[Id]) -> Any:
    campaign = get_visible(Campaign, request, campaign_id)
    _write(request, campaign.establishment_id)
    return campaigns.cancel(campaign, request.user)


@router.get(
    "/campaigns/{int:campaign_id}/progress",
    response={200: ProgressOut, **ERROR_RESPONSES},
    summary="Get a campaign's sending progress",
    operation_id="get_awareness_campaign_progress",
    url_name="awareness_campaign_progress",
    tags=["Awareness campaigns"],
)
def get_progress(request: AuthenticatedRequest, campaign_id: Path[Id]) -> Any:
    require(request, VIEW)
    campaign = get_visible(Campaign, request, campaign_id)
    return campaigns.progress(campaign).as_dict()
