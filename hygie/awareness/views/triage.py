"""Reported-mail triage pages: report a mail (.eml upload, any signed-in user), the queue and a
report's facts with the verdict form (triage users only: they alone see the subject), and the
report mailboxes (the password is write-only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.awareness.engine.report import MAX_REPORT_BYTES
from hygie.awareness.models import ReportChannel, ReportedMail, ReportMailbox, Verdict
from hygie.awareness.roles import TRIAGE
from hygie.awareness.services import mailboxes, triage
from hygie.core.forms import ScopedModelForm
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Establishment, User
from hygie.core.tables import OPTIONAL, SECONDARY, Column
from hygie.core.views import generic
from hygie.core.views.uploads import BoundedUploadMixin


class ReportUploadForm(forms.Form):
    establishment = forms.ModelChoiceField(
        label=gettext_lazy("Establishment"), queryset=Establishment.objects.none()
    )
    file = forms.FileField(
        label=gettext_lazy("The e-mail (.eml file)"),
        help_text=gettext_lazy(
            "In your mail program, save the message (“Save as”, or drag it to your desktop) "
            "and choose the file here. Do not open its attachments or links."
        ),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["establishment"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Establishment.objects.visible_to(user).order_by("name")
        if field.queryset.count() == 1:
            field.initial = field.queryset.first()


class ReportUploadView(BoundedUploadMixin, generic.CapabilityRequiredMixin):
    """Any signed-in member of staff may report a mail; triage users land on its analysis."""

    template_name = "awareness/reportedmail_upload.html"

    def upload_limit(self) -> int:
        return min(MAX_REPORT_BYTES, int(settings.HYGIE_MAX_UPLOAD_BYTES))

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(ReportUploadForm(user=request.user))

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ReportUploadForm(request.POST, request.FILES, user=request.user)
        if self.flag_too_large(form):
            return self.render_form(form, status=413)
        if form.is_valid():
            try:
                report = triage.receive_report(
                    form.cleaned_data["file"].read(MAX_REPORT_BYTES + 1),
                    ReportChannel.UPLOAD,
                    establishment=form.cleaned_data["establishment"],
                    reporter=request.user,
                )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                messages.success(
                    request,
                    _(
                        "Thank you: the security team has received the e-mail. Delete it "
                        "from your mailbox and do not open its links or attachments."
                    ),
                )
                if request.user.can(TRIAGE):
                    return HttpResponseRedirect(
                        reverse("awareness:reportedmail_detail", args=[report.pk])
                    )
                return HttpResponseRedirect(reverse("awareness:reportedmail_upload"))
        return self.render_form(form, status=422)

    def render_form(self, form: ReportUploadForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {"form": form, "max_bytes": self.upload_limit()},
            status=status,
        )


def _verdict_or_pending(report: ReportedMail) -> str:
    """The analyst's verdict, or "to confirm" (an empty cell said nothing)."""
    return report.get_verdict_display() if report.verdict else _("to confirm")


class ReportedMailListView(generic.ObjectListView):
    model = ReportedMail
    view_capability = TRIAGE
    list_select_related = ("establishment",)
    columns = (
        Column("received_at", link=True),
        Column("sender", main=True, breaks=True, kind="data"),
        Column("suggested_verdict", badge="verdict"),
        Column("verdict", badge="verdict", render=_verdict_or_pending),
        Column("reporter_email", priority=SECONDARY, breaks=True),
        Column("channel", priority=OPTIONAL),
        Column("establishment", priority=OPTIONAL),
    )
    search_fields = ("sender", "reporter_email", "message_id")
    filters = ("suggested_verdict", "verdict", "channel")

    def extra_context(self, queryset: models.QuerySet) -> dict[str, Any]:
        return {"page_actions": [(_("Report a mail"), reverse("awareness:reportedmail_upload"))]}


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(label=gettext_lazy("Verdict"), choices=Verdict.choices)


# Authentication-Results keywords (RFC 8601) and look-alike techniques, in the reader's words.
AUTH_RESULT_LABELS = {
    "pass": gettext_lazy("pass"),
    "fail": gettext_lazy("fail"),
    "softfail": gettext_lazy("soft fail"),
    "neutral": gettext_lazy("neutral"),
    "none": gettext_lazy("none"),
    "temperror": gettext_lazy("temporary error"),
    "permerror": gettext_lazy("permanent error"),
    "policy": gettext_lazy("policy"),
}
LOOKALIKE_LABELS = {
    "punycode": gettext_lazy("internationalised (punycode) name"),
    "homoglyph": gettext_lazy("look-alike characters"),
    "typo": gettext_lazy("typing error"),
    "embedded": gettext_lazy("our name inside another domain"),
}


class ReportedMailDetailView(generic.ObjectDetailView):
    model = ReportedMail
    view_capability = TRIAGE
    template_name = "awareness/reportedmail_detail.html"
    audit_views = True  # the subject may name a patient: who read it is recorded
    fields = (
        "received_at",
        "channel",
        "reporter_email",
        "sender",
        "reply_to",
        "message_id",
        "subject",
        "suggested_verdict",
        "verdict",
        "verdict_by",
        "verdict_at",
        "thanked_at",
        "recipient",
        "alert",
        "evidence",
    )

    def detail_rows(self, obj: models.Model) -> list[generic.DetailRow]:
        assert isinstance(obj, ReportedMail)
        rows = super().detail_rows(obj)
        if obj.evidence_id:  # its title is stored in the language of whoever received it
            rows[-1] = generic.DetailRow(rows[-1].label, _("Original message (.eml)"), rows[-1].url)
        return rows

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, ReportedMail)
        facts = obj.facts or {}
        return {
            "facts": facts,
            "reasons": [triage.reason_label(code) for code in facts.get("reasons", [])],
            "links": triage.display_urls(obj),
            "authentication": [
                (name, AUTH_RESULT_LABELS.get(str(result).lower(), ""), result)
                for name, result in (facts.get("authentication") or {}).items()
            ],
            "lookalikes": [
                {**hit, "how": LOOKALIKE_LABELS.get(hit.get("how", ""), hit.get("how", ""))}
                for hit in facts.get("lookalikes", [])
            ],
            "verdict_form": VerdictForm(initial={"verdict": obj.verdict or obj.suggested_verdict}),
            "verdict_url": reverse("awareness:reportedmail_verdict", args=[obj.pk]),
        }


class ReportedMailVerdictView(generic.CapabilityRequiredMixin):
    required_capability = TRIAGE
    http_method_names = ["post"]

    def post(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        report = get_object_or_404(ReportedMail.objects.visible_to(request.user), pk=pk)
        form = VerdictForm(request.POST)
        if form.is_valid():
            try:
                triage.confirm_verdict(request.user, report, form.cleaned_data["verdict"])
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("Verdict recorded; the reporter will be thanked."))
        else:
            messages.error(request, _("Choose a verdict."))
        return HttpResponseRedirect(reverse("awareness:reportedmail_detail", args=[report.pk]))


class ReportMailboxForm(ScopedModelForm):
    new_password = forms.CharField(
        label=gettext_lazy("Password"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("Leave empty to keep the stored password. It is never shown."),
    )

    class Meta:
        model = ReportMailbox
        fields = (
            "establishment",
            "name",
            "host",
            "port",
            "security",
            "username",
            "folder",
            "is_active",
        )


class ReportMailboxListView(generic.ObjectListView):
    model = ReportMailbox
    view_capability = TRIAGE
    edit_capability = TRIAGE
    columns = (
        Column("name", link=True, main=True),
        Column("host", priority=SECONDARY, kind="data"),
        Column("username", priority=OPTIONAL, kind="data"),
        Column("last_polled_at"),
        Column("last_error", priority=SECONDARY),
        Column("is_active"),
    )
    search_fields = ("name", "host")


class ReportMailboxDetailView(generic.ObjectDetailView):
    model = ReportMailbox
    view_capability = TRIAGE
    edit_capability = TRIAGE
    fields = (
        "establishment",
        "host",
        "port",
        "security",
        "username",
        "folder",
        "is_active",
        "last_uid",
        "last_polled_at",
        "last_error",
    )


class ReportMailboxEditView(generic.ObjectEditView):
    model = ReportMailbox
    view_capability = TRIAGE
    edit_capability = TRIAGE
    form_class = ReportMailboxForm

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.current_object()
        form = self.form_class(request.POST, instance=obj, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                mailbox = mailboxes.save_mailbox(
                    request.user,
                    data["establishment"],
                    {name: data[name] for name in mailboxes.MAILBOX_FIELDS},
                    password=data["new_password"],
                    mailbox=obj if isinstance(obj, ReportMailbox) else None,
                )
            except ValidationError as error:
                generic._attach_errors(form, error)
            else:
                messages.success(request, _("%(name)s saved.") % {"name": mailbox.name})
                return HttpResponseRedirect(
                    reverse("awareness:reportmailbox_detail", args=[mailbox.pk])
                )
        return self.render_form(form, obj, status=422)
