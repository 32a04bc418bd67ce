"""Campaign back-office pages: sending profiles, mail templates and landing pages (the shared
library is read-only; GoPhish import with a preview), campaigns with their targets, plan,
launch, cancel and sending progress. Results pages are in ``views/results.py``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from hygie.awareness.forms import (
    CampaignForm,
    GoPhishImportForm,
    LandingPageForm,
    MailTemplateForm,
    SendingProfileForm,
    TargetsForm,
    headers_to_text,
)
from hygie.awareness.models import (
    Campaign,
    CampaignStatus,
    LandingPage,
    MailTemplate,
    SendingProfile,
)
from hygie.awareness.roles import MANAGE, VIEW
from hygie.awareness.services import campaigns, templates_library
from hygie.core.http import AuthenticatedRequest
from hygie.core.models.scoping import visible_objects
from hygie.core.tables import OPTIONAL, SECONDARY, Column
from hygie.core.views import generic

PLAN_PREVIEW = 20


def _establishment_or_library(row: Any) -> str:
    return str(row.establishment) if row.establishment_id else str(_("Shared library"))


class _LibraryReadOnly(generic.ObjectViewMixin):
    """Shared library rows (no establishment) are shown to all, changed by nobody here."""

    def check_write_allowed(self, obj: models.Model | None) -> None:
        if obj is not None and getattr(obj, "establishment_id", 0) is None:
            raise PermissionDenied(
                _("The shared library cannot be changed; write your own template instead.")
            )


class _LibraryDetail(generic.ObjectDetailView):
    """A library row's page offers no edit or delete link (both would answer 403)."""

    _object: models.Model | None = None

    def get_object(self) -> models.Model:
        self._object = super().get_object()
        return self._object

    def can_edit(self) -> bool:
        obj = self._object
        return super().can_edit() and getattr(obj, "establishment_id", 0) is not None


# --- sending profiles ----------------------------------------------------------------------------


class SendingProfileViews(generic.ObjectViewMixin):
    model = SendingProfile
    view_capability = MANAGE
    edit_capability = MANAGE
    list_select_related = ("establishment",)


class SendingProfileListView(SendingProfileViews, generic.ObjectListView):
    columns = (
        Column("name", link=True, main=True),
        Column("host"),
        Column("security", priority=SECONDARY),
        Column("rate_per_minute"),
        Column("is_active", priority=SECONDARY),
        Column("establishment", sort="establishment__name", priority=OPTIONAL),
    )
    search_fields = ("name", "host", "envelope_from")
    filters = ("establishment", "security")


class SendingProfileDetailView(SendingProfileViews, generic.ObjectDetailView):
    fields = (
        "establishment",
        "name",
        "host",
        "port",
        "security",
        "username",
        "envelope_from",
        "header_from",
        "rate_per_minute",
        "is_active",
    )

    def detail_rows(self, obj: models.Model) -> list[generic.DetailRow]:
        assert isinstance(obj, SendingProfile)
        rows = super().detail_rows(obj)
        rows.append(
            generic.DetailRow(_("Password"), _("Stored (encrypted)") if obj.password else _("None"))
        )
        rows.append(
            generic.DetailRow(_("Custom headers"), headers_to_text(obj.custom_headers) or "—")
        )
        return rows


class SendingProfileEditView(SendingProfileViews, generic.ObjectEditView):
    form_class = SendingProfileForm


class SendingProfileDeleteView(SendingProfileViews, generic.ObjectDeleteView):
    pass


# --- mail templates ------------------------------------------------------------------------------


class MailTemplateViews(_LibraryReadOnly):
    model = MailTemplate
    view_capability = MANAGE
    edit_capability = MANAGE
    list_select_related = ("establishment",)


class MailTemplateListView(MailTemplateViews, generic.ObjectListView):
    columns = (
        Column("name", link=True, main=True),
        Column("language"),
        Column("difficulty", priority=SECONDARY),
        Column("source", priority=SECONDARY),
        Column("version", priority=OPTIONAL),
        Column(
            "establishment",
            sort="establishment__name",
            render=_establishment_or_library,
            priority=OPTIONAL,
        ),
    )
    search_fields = ("name", "subject", "lure_id")
    filters = ("language", "source")
    template_name = "awareness/mailtemplate_list.html"

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        templates_library.ensure_library()
        return super().get(request, *args, **kwargs)


class MailTemplateDetailView(MailTemplateViews, _LibraryDetail):
    fields = (
        "name",
        "lure_id",
        "language",
        "sender_name",
        "difficulty",
        "version",
        "source",
        "establishment",
    )  # subject and bodies are shown as data (their {{ variables }} are not words)
    template_name = "awareness/mailtemplate_detail.html"

    def detail_rows(self, obj: models.Model) -> list[generic.DetailRow]:
        rows = super().detail_rows(obj)
        if getattr(obj, "establishment_id", 0) is None:
            rows = [
                generic.DetailRow(row.label, str(_("Shared library")))
                if row.label.lower() == str(_("establishment")).lower()
                else row
                for row in rows
            ]
        return rows


class MailTemplateEditView(MailTemplateViews, generic.ObjectEditView):
    form_class = MailTemplateForm


class MailTemplateDeleteView(MailTemplateViews, generic.ObjectDeleteView):
    pass


class MailTemplateSyncView(generic.CapabilityRequiredMixin):
    """Bring the shared library up to date with the lures shipped with this version."""

    required_capability = MANAGE

    def post(self, request: AuthenticatedRequest) -> HttpResponse:
        if not request.user.sees_all_establishments:
            raise PermissionDenied(_("Only users with organisation-wide access may do this."))
        result = templates_library.sync_library()
        messages.success(
            request,
            _("Library: %(created)s added, %(updated)s updated, %(unchanged)s unchanged.")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
        )
        return HttpResponseRedirect(reverse("awareness:mailtemplate_list"))


class MailTemplateImportView(generic.CapabilityRequiredMixin):
    """GoPhish templates and landing pages: upload, preview what would be created, confirm."""

    required_capability = MANAGE
    template_name = "awareness/mailtemplate_import.html"

    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": GoPhishImportForm(user=request.user)})

    def post(self, request: AuthenticatedRequest) -> HttpResponse:
        form = GoPhishImportForm(request.POST, request.FILES, user=request.user)
        context: dict[str, Any] = {"form": form}
        if not form.is_valid():
            return render(request, self.template_name, context, status=422)
        content = form.cleaned_data["content"]
        try:
            if "confirm" not in request.POST:
                preview = templates_library.preview_gophish(content)
                form = GoPhishImportForm(
                    initial={**form.cleaned_data, "content": content, "file": None},
                    user=request.user,
                )
                context.update(form=form, preview=preview)
                return render(request, self.template_name, context)
            result = templates_library.import_gophish(
                content,
                form.cleaned_data["establishment"],
                request.user,
                form.cleaned_data["language"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return render(request, self.template_name, context, status=422)
        messages.success(
            request,
            _("Imported %(templates)s template(s) and %(pages)s landing page(s).")
            % {"templates": len(result.templates), "pages": len(result.pages)},
        )
        return HttpResponseRedirect(reverse("awareness:mailtemplate_list"))


# --- landing pages -------------------------------------------------------------------------------


class LandingPageViews(_LibraryReadOnly):
    model = LandingPage
    view_capability = MANAGE
    edit_capability = MANAGE
    list_select_related = ("establishment",)


class LandingPageListView(LandingPageViews, generic.ObjectListView):
    columns = (
        Column("name", link=True, main=True),
        Column("language"),
        Column("source", priority=SECONDARY),
        Column(
            "establishment",
            sort="establishment__name",
            render=_establishment_or_library,
            priority=OPTIONAL,
        ),
    )
    search_fields = ("name", "lure_id")
    filters = ("language", "source")

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        templates_library.ensure_library()
        return super().get(request, *args, **kwargs)


class LandingPageDetailView(LandingPageViews, _LibraryDetail):
    fields = ("name", "lure_id", "language", "source", "establishment", "redirect_url", "html")


class LandingPageEditView(LandingPageViews, generic.ObjectEditView):
    form_class = LandingPageForm


class LandingPageDeleteView(LandingPageViews, generic.ObjectDeleteView):
    pass


# --- campaigns -----------------------------------------------------------------------------------


class CampaignViews(generic.ObjectViewMixin):
    model = Campaign
    view_capability = VIEW
    edit_capability = MANAGE
    list_select_related = ("establishment", "template_a")

    def check_write_allowed(self, obj: models.Model | None) -> None:
        if isinstance(obj, Campaign) and obj.status != CampaignStatus.DRAFT:
            raise PermissionDenied(_("Only a draft campaign can be changed."))


class CampaignListView(CampaignViews, generic.ObjectListView):
    columns = (
        Column("name", link=True, main=True),
        Column("status", badge="status"),
        Column("window_start"),
        Column("window_end", priority=SECONDARY),
        Column("template_a", sort="template_a__name", priority=OPTIONAL),
        Column("establishment", sort="establishment__name", priority=SECONDARY),
    )
    search_fields = ("name",)
    filters = ("establishment", "status")


class CampaignDetailView(CampaignViews, generic.ObjectDetailView):
    fields = (
        "establishment",
        "status",
        "sending_profile",
        "template_a",
        "template_b",
        "landing_page",
        "window_start",
        "window_end",
        "working_hours_start",
        "working_hours_end",
        "time_zone",
        "enrol_module",
        "launched_at",
        "finished_at",
        "created_by",
        "description",
    )
    template_name = "awareness/campaign_detail.html"

    def can_edit(self) -> bool:
        obj = getattr(self, "_object", None)
        return super().can_edit() and (obj is None or obj.status == CampaignStatus.DRAFT)

    def get_object(self) -> models.Model:
        self._object = super().get_object()
        return self._object

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, Campaign)
        manage = self.request.user.can(MANAGE)
        context: dict[str, Any] = {
            "progress": campaigns.progress(obj),
            "can_manage": manage,
            "is_draft": obj.status == CampaignStatus.DRAFT,
            "is_active": obj.status in (CampaignStatus.SCHEDULED, CampaignStatus.RUNNING),
            "recipients": obj.recipients.order_by("scheduled_at", "email")[:PLAN_PREVIEW],
        }
        if manage and obj.status == CampaignStatus.DRAFT:
            context["targets_form"] = TargetsForm(user=self.request.user)
            try:
                planned = campaigns.plan(obj)
            except ValidationError as error:
                context["plan_error"] = " ".join(error.messages)
            else:
                context["plan"] = sorted(planned, key=lambda item: item[1])[:PLAN_PREVIEW]
                context["plan_last"] = max((moment for _email, moment in planned), default=None)
            try:
                campaigns.check_ready(obj)
            except ValidationError as error:
                context["not_ready"] = error.messages
        return context


class CampaignEditView(CampaignViews, generic.ObjectEditView):
    form_class = CampaignForm


class CampaignDeleteView(CampaignViews, generic.ObjectDeleteView):
    pass


class _CampaignAction(generic.CapabilityRequiredMixin):
    required_capability = MANAGE

    def campaign(self, pk: int) -> Campaign:
        return get_object_or_404(visible_objects(Campaign, self.request.user), pk=pk)

    def back(self, campaign: Campaign) -> HttpResponse:
        return HttpResponseRedirect(reverse("awareness:campaign_detail", args=[campaign.pk]))


class CampaignTargetsView(_CampaignAction):
    """Add recipients (directory filters or CSV), or remove them all (``clear``)."""

    def post(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        campaign = self.campaign(pk)
        try:
            if "clear" in request.POST:
                removed = campaigns.remove_recipients(campaign, request.user)
                messages.success(request, _("%(count)s recipient(s) removed.") % {"count": removed})
                return self.back(campaign)
            form = TargetsForm(request.POST, request.FILES, user=request.user)
            if not form.is_valid():
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(request, str(error))
                return self.back(campaign)
            upload = form.cleaned_data.get("csv_file")
            if upload is not None:
                targets = campaigns.targets_from_csv(upload.read())
            else:
                people = campaigns.people_for(
                    request.user,
                    [e.pk for e in form.cleaned_data["establishments"]]
                    or [campaign.establishment_id],
                    [d.pk for d in form.cleaned_data["departments"]],
                    form.professions_list(),
                )
                targets = campaigns.targets_from_people(people)
            added = campaigns.add_recipients(campaign, targets, request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return self.back(campaign)
        messages.success(request, _("%(count)s recipient(s) added.") % {"count": added})
        return self.back(campaign)


class CampaignLaunchView(_CampaignAction):
    def post(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        campaign = self.campaign(pk)
        try:
            campaigns.launch(campaign, request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("Campaign launched: the mails leave at their planned times.")
            )
        return self.back(campaign)


class CampaignCancelView(_CampaignAction):
    def post(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        campaign = self.campaign(pk)
        try:
            campaigns.cancel(campaign, request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Campaign cancelled: nothing more will be sent."))
        return self.back(campaign)
