"""Obligation forms: done (with proof), not applicable, and the regulatory profile."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core.widgets import IsoDateTimeInput
from hygie.response.models import IncidentObligation, RegulatoryProfile
from hygie.response.services import obligations as service


class CompleteForm(forms.Form):
    done_at = forms.DateTimeField(
        label=gettext_lazy("Done at"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=IsoDateTimeInput(),
        help_text=gettext_lazy("In the establishment's time zone."),
    )
    proof_reference = forms.CharField(
        label=gettext_lazy("Proof: reference number"),
        required=False,
        max_length=service.MAX_REFERENCE,
        help_text=gettext_lazy("Receipt or case number given by the recipient."),
    )
    proof_file = forms.FileField(
        label=gettext_lazy("Proof: file"),
        required=False,
        help_text=gettext_lazy("Acknowledgement or copy of what was sent (PDF, image, text…)."),
    )


class NotApplicableForm(forms.Form):
    justification = forms.CharField(
        label=gettext_lazy("Why it does not apply"),
        max_length=service.MAX_JUSTIFICATION,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def complete_form(
    obligation: IncidentObligation, data: Any = None, files: Any = None
) -> CompleteForm:
    """The form of one obligation (ids unique when a panel shows several)."""
    zone = obligation.incident.establishment.timezone
    initial = None
    if data is None:
        now = timezone.now().astimezone(ZoneInfo(zone))
        initial = {"done_at": now.replace(tzinfo=None, second=0, microsecond=0)}
    form = CompleteForm(data, files, initial=initial, auto_id=f"obligation-{obligation.pk}-%s")
    form.fields["done_at"].help_text = _("In the establishment's time zone (%(zone)s).") % {
        "zone": zone
    }
    return form


def not_applicable_form(obligation: IncidentObligation, data: Any = None) -> NotApplicableForm:
    return NotApplicableForm(data, auto_id=f"obligation-{obligation.pk}-%s")


class RegulatoryProfileForm(forms.ModelForm):
    class Meta:
        model = RegulatoryProfile
        fields = ("type", "nis2", "hipaa", "gdpr_controller", "notification_emails")
        widgets = {"notification_emails": forms.Textarea(attrs={"rows": 4})}

    def clean_notification_emails(self) -> str:
        try:
            return service.clean_notification_emails(self.cleaned_data["notification_emails"])
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict["notification_emails"]) from error
