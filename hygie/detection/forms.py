"""Detection forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from hygie.core.forms import ScopedModelForm
from hygie.core.models import Establishment, User
from hygie.detection.forwarding import source_modules
from hygie.detection.logfiles import AUTO, FORMAT_CHOICES
from hygie.detection.models import ForwardingTarget
from hygie.detection.services import PACK_NAME


class RulePackImportForm(forms.Form):
    """A Sigma rule pack (e.g. a SigmaHQ release) uploaded as a zip archive."""

    name = forms.CharField(
        label=_("Pack name"),
        max_length=64,
        validators=[RegexValidator(PACK_NAME, _("Lower-case letters, digits, '-' and '_' only."))],
        help_text=_("Importing again under the same name replaces the pack."),
    )
    file = forms.FileField(label=_("Zip archive of Sigma rules"))


class LogFileUploadForm(forms.Form):
    """A log file to import as events for one of the user's establishments."""

    establishment = forms.ModelChoiceField(
        label=_("Establishment"), queryset=Establishment.objects.none()
    )
    log_format = forms.ChoiceField(
        label=_("Log format"),
        choices=FORMAT_CHOICES,
        initial=AUTO,
        help_text=_(
            "Automatic recognition reads EVTX by its content, CSV/TSV by the file extension "
            "and recognises each line of a text file; choose a format when the lines are all "
            "of one kind."
        ),
    )
    file = forms.FileField(label=_("Log file"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["establishment"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Establishment.objects.visible_to(user).order_by("name")
        visible = list(field.queryset[:2])
        if len(visible) == 1:
            self.initial.setdefault("establishment", visible[0].pk)


class ForwardingTargetForm(ScopedModelForm):
    """A forwarding target; organisation-wide targets only for organisation-wide users."""

    sources = forms.MultipleChoiceField(
        label=_("Source modules"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: alerts of every module."),
    )
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Webhook: https:// (or http:// on a trusted network)."),
    )

    class Meta:
        model = ForwardingTarget
        fields = [
            "name",
            "organisation",
            "establishment",
            "kind",
            "host",
            "port",
            "url",
            "ca_certificate",
            "min_severity",
            "sources",
            "syslog_facility",
            "timeout_seconds",
            "max_attempts",
            "is_enabled",
        ]
        widgets = {"ca_certificate": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sources, organisation = self.fields["sources"], self.fields["organisation"]
        assert isinstance(sources, forms.ChoiceField)
        assert isinstance(organisation, forms.ModelChoiceField)
        sources.choices = source_modules()
        if self.instance.pk:
            self.initial["sources"] = list(self.instance.sources or [])
        # Derived from the establishment when one is chosen; needed only for organisation-wide.
        organisation.required = False
        organisations = organisation.queryset
        if (
            organisations is not None
            and not self.instance.pk
            and not self.initial.get("organisation")
        ):
            first_two = list(organisations[:2])
            if len(first_two) == 1:
                self.initial["organisation"] = first_two[0].pk

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        establishment = cleaned.get("establishment")
        if establishment is None and not self.user.sees_all_establishments:
            self.add_error(
                "establishment",
                _(
                    "Choose an establishment: only users with organisation-wide access may forward "
                    "the alerts of a whole organisation."
                ),
            )
        if establishment is not None:
            cleaned["organisation"] = establishment.organisation
        elif not cleaned.get("organisation") and "organisation" not in self.errors:
            self.add_error("organisation", _("Choose the organisation or an establishment."))
        return cleaned


class MailReportForm(forms.Form):
    """A suspicious e-mail (.eml) sent to the security team by whoever received it."""

    establishment = forms.ModelChoiceField(
        label=_("Establishment"), queryset=Establishment.objects.none()
    )
    file = forms.FileField(
        label=_("The e-mail (.eml file)"),
        help_text=_(
            "In your mail program, save the message (“Save as”, or drag it to your desktop) "
            "and choose the file here. Do not open its attachments or links."
        ),
    )
    note = forms.CharField(
        label=_("Anything to add (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. “I clicked the link” or “I entered my password”. No patient data."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["establishment"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Establishment.objects.visible_to(user).order_by("name")
        visible = list(field.queryset[:2])
        if len(visible) == 1:
            self.initial.setdefault("establishment", visible[0].pk)
            field.widget = forms.HiddenInput()
