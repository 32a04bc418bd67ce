"""Forms of the intel pages; every choice of a scoped object only offers what the user sees."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from hygie.core.forms import ScopedModelForm
from hygie.core.models import Establishment, User
from hygie.core.widgets import IsoDateTimeInput
from hygie.intel.models import Feed, Indicator, Partner
from hygie.intel.models.choices import IndicatorKind, TlpLevel

IMPORT_FORMAT_CHOICES = (
    ("auto", _("Detect from the content")),
    ("stix21", _("STIX 2.1 bundle")),
    ("misp", _("MISP event or feed (zip)")),
    ("csv", _("CSV")),
    ("text", _("Free text (defanged values accepted)")),
)
EXPORT_FORMAT_CHOICES = (
    ("stix21", _("STIX 2.1 bundle")),
    ("misp", _("MISP event")),
    ("misp-feed", _("MISP feed (zip: manifest, event, hashes.csv)")),
    ("csv", _("CSV")),
)
MAX_TEXT = 1_000_000


def _https_by_default(field: Any, **kwargs: Any) -> Any:
    """Model fields to form fields; an address typed without a scheme is read as https://."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class PartnerForm(ScopedModelForm):
    """A partner; its secret is write-only: empty keeps the stored one."""

    secret = forms.CharField(
        label=_("Password or API key"),
        required=False,
        max_length=1000,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Used to reach the partner's TAXII server or MISP. Leave empty to keep it."),
    )
    clear_secret = forms.BooleanField(label=_("Remove the stored secret"), required=False)

    class Meta:
        model = Partner
        fields = [
            "establishment",
            "name",
            "kind",
            "max_tlp",
            "contact_email",
            "taxii_url",
            "taxii_api_root",
            "taxii_collection_id",
            "misp_url",
            "auth_username",
            "is_active",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        formfield_callback = _https_by_default

    def new_secret(self) -> str | None:
        """ "" to clear, the new secret, or None to keep the stored one."""
        if self.cleaned_data.get("clear_secret"):
            return ""
        return self.cleaned_data.get("secret") or None


class FeedForm(ScopedModelForm):
    class Meta:
        model = Feed
        fields = [
            "establishment",
            "name",
            "kind",
            "partner",
            "url",
            "collection_id",
            "poll_interval_minutes",
            "default_tlp",
            "default_confidence",
            "is_active",
        ]


class IndicatorForm(ScopedModelForm):
    class Meta:
        model = Indicator
        fields = [
            "establishment",
            "kind",
            "value",
            "tlp",
            "confidence",
            "valid_from",
            "valid_until",
            "revoked",
            "to_ids",
            "description",
        ]
        widgets = {
            "valid_from": IsoDateTimeInput(),
            "valid_until": IsoDateTimeInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # the identity of an indicator does not change
            for name in ("establishment", "kind", "value"):
                self.fields[name].disabled = True


class ImportForm(forms.Form):
    establishment = forms.ModelChoiceField(
        label=_("Establishment"), queryset=Establishment.objects.none()
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("STIX 2.1 bundle, MISP event, MISP feed (zip), CSV or text."),
    )
    text = forms.CharField(
        label=_("Or paste indicators"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Free text: hxxp://, [.] and other defanged forms are understood."),
    )
    format = forms.ChoiceField(label=_("Format"), choices=IMPORT_FORMAT_CHOICES, initial="auto")
    default_tlp = forms.ChoiceField(
        label=_("TLP when the input has none"), choices=TlpLevel.choices, initial=TlpLevel.AMBER
    )
    source = forms.CharField(
        label=_("Source"),
        required=False,
        max_length=200,
        help_text=_("Who this comes from, kept as its provenance (default: the file name)."),
    )
    partner = forms.ModelChoiceField(
        label=_("Partner"), queryset=Partner.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        establishments = Establishment.objects.visible_to(user)
        self.fields["establishment"].queryset = establishments  # type: ignore[attr-defined]
        self.fields["partner"].queryset = Partner.objects.visible_to(user)  # type: ignore[attr-defined]
        visible = list(establishments[:2])
        if len(visible) == 1:
            self.initial.setdefault("establishment", visible[0].pk)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Choose a file or paste indicators."))
        partner, establishment = data.get("partner"), data.get("establishment")
        if partner and establishment and partner.establishment_id != establishment.pk:
            self.add_error("partner", _("This partner belongs to another establishment."))
        return data


class ExportForm(forms.Form):
    establishment = forms.ModelChoiceField(
        label=_("Establishment"), queryset=Establishment.objects.none(), required=False
    )
    format = forms.ChoiceField(label=_("Format"), choices=EXPORT_FORMAT_CHOICES)
    max_tlp = forms.ChoiceField(
        label=_("Most restricted TLP included"), choices=TlpLevel.choices, initial=TlpLevel.AMBER
    )
    kind = forms.ChoiceField(
        label=_("Type"), choices=(("", _("All types")), *IndicatorKind.choices), required=False
    )
    active_only = forms.BooleanField(
        label=_("Active indicators only"), required=False, initial=True
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["establishment"].queryset = Establishment.objects.visible_to(user)  # type: ignore[attr-defined]


class RetroHuntForm(forms.Form):
    """A retro-hunt of an establishment's active indicators in its stored events."""

    establishment = forms.ModelChoiceField(
        label=_("Establishment"), queryset=Establishment.objects.none()
    )
    days = forms.IntegerField(
        label=_("Days searched"),
        min_value=1,
        max_value=366,
        help_text=_("The stored events of this many past days are searched."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["establishment"].queryset = Establishment.objects.visible_to(user)  # type: ignore[attr-defined]
