"""Forms of the core pages. Every choice of a scoped object is limited to what the user sees."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.utils.translation import gettext_lazy as _

from hygie.core import pickers
from hygie.core.choices import AlertStatus
from hygie.core.models import (
    Asset,
    Department,
    Establishment,
    Organisation,
    Person,
)
from hygie.core.models.assets import normalise_ip, normalise_mac
from hygie.core.models.organisation import CONTACT_FIELDS
from hygie.core.models.scoping import ScopedQuerySet
from hygie.core.services.csv_io import MAX_IMPORT_BYTES
from hygie.core.tables import scoped_label
from hygie.core.widgets import IsoDateInput, SearchableSelect, SearchableSelectMultiple
from hygie.lib.identifiers import check_adeli, check_rpps

if TYPE_CHECKING:
    from hygie.core.models import User


_Field = TypeVar("_Field", bound=forms.Field)


def form_field(form: forms.BaseForm, name: str, kind: type[_Field]) -> _Field:
    """``form.fields[name]`` as the kind of field it is (to set its choices or queryset)."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(
            f"{type(form).__name__}.{name} is a {type(field).__name__}, not a {kind.__name__}"
        )
    return field


def _give_picker(field: forms.ModelChoiceField[Any]) -> None:
    """Choices of alerts, assets or departments get a searchable picker (a plain select without
    scripts): there are too many to scroll through in a large establishment."""
    source = pickers.source_name_for(field.queryset.model) if field.queryset is not None else None
    if source is None or not isinstance(field.widget, forms.Select):
        return
    multiple = isinstance(field, forms.ModelMultipleChoiceField)
    widget_class = SearchableSelectMultiple if multiple else SearchableSelect
    widget = widget_class(source, attrs=field.widget.attrs)
    widget.is_required = field.required
    widget.choices = field.choices  # type: ignore[assignment]
    field.widget = widget


class ScopedModelForm(forms.ModelForm):
    """A ModelForm whose related-object choices only offer objects visible to ``user``.

    Scoping the choices (not only validating afterwards) keeps the names of other
    establishments' departments out of the page.
    """

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            # ModelMultipleChoiceField is a ModelChoiceField too.
            if not isinstance(field, forms.ModelChoiceField):
                continue
            queryset = field.queryset
            _give_picker(field)
            if isinstance(queryset, ScopedQuerySet):
                field.queryset = queryset.visible_to(user)
                if any(f.name == "establishment" for f in queryset.model._meta.fields):
                    field.queryset = field.queryset.select_related("establishment")
                    field.label_from_instance = (  # type: ignore[method-assign]
                        lambda obj: scoped_label(obj, user)
                    )  # per-form labels, by design
        establishment_field = self.fields.get("establishment")
        if (
            isinstance(establishment_field, forms.ModelChoiceField)
            and establishment_field.queryset is not None
            and not self.instance.pk
            and not self.initial.get("establishment")
        ):
            visible = list(establishment_field.queryset[:2])
            if len(visible) == 1:
                self.initial["establishment"] = visible[0].pk


_ADDRESS_WIDGET = {"postal_address": forms.Textarea(attrs={"rows": 3})}


class OrganisationForm(ScopedModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", *CONTACT_FIELDS]
        widgets = _ADDRESS_WIDGET


class EstablishmentForm(ScopedModelForm):
    class Meta:
        model = Establishment
        fields = [
            "organisation",
            "name",
            "kind",
            "country",
            "finess_ej",
            "finess_eg",
            "timezone",
            *CONTACT_FIELDS,
        ]
        widgets = _ADDRESS_WIDGET

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A blank contact falls back to the organisation's: show that value as the placeholder.
        organisation = getattr(self.instance, "organisation", None) if self.instance.pk else None
        for name in CONTACT_FIELDS:
            inherited = getattr(organisation, name, "") if organisation else ""
            field = self.fields[name]
            field.help_text = _("Leave blank to use the organisation's.")
            if inherited:
                field.widget.attrs["placeholder"] = inherited


class DepartmentForm(ScopedModelForm):
    class Meta:
        model = Department
        fields = ["establishment", "name", "kind", "code"]


class PersonForm(ScopedModelForm):
    # RPPS and ADELI are accepted in their idNat_PS form (12 / 10 characters) and stored short.
    rpps = forms.CharField(label=_("RPPS"), required=False, max_length=20)
    adeli = forms.CharField(label=_("ADELI"), required=False, max_length=20)

    class Meta:
        model = Person
        fields = [
            "establishment",
            "department",
            "first_name",
            "last_name",
            "email",
            "profession",
            "rpps",
            "adeli",
            "employment_start",
            "employment_end",
        ]
        widgets = {"employment_start": IsoDateInput(), "employment_end": IsoDateInput()}

    def clean_rpps(self) -> str:
        value = self.cleaned_data.get("rpps", "")
        return check_rpps(value).normalised if value else ""

    def clean_adeli(self) -> str:
        value = self.cleaned_data.get("adeli", "")
        return check_adeli(value).normalised if value else ""


class ListTextField(forms.Field):
    """A list typed as text: items separated by commas, semicolons, spaces or new lines."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return ", ".join(str(item) for item in value)
        return value

    def to_python(self, value: Any) -> list[str]:
        text = "" if value in self.empty_values else str(value)
        return [part for part in re.split(r"[\s,;]+", text) if part]


class AssetForm(ScopedModelForm):
    ip_addresses = ListTextField(
        label=_("IP addresses"), required=False, help_text=_("Separated by commas or spaces.")
    )
    mac_addresses = ListTextField(
        label=_("MAC addresses"), required=False, help_text=_("Separated by commas or spaces.")
    )
    tags = ListTextField(
        label=_("Tags"), required=False, help_text=_("Separated by commas or spaces.")
    )

    class Meta:
        model = Asset
        fields = [
            "establishment",
            "hostname",
            "ip_addresses",
            "mac_addresses",
            "os_name",
            "os_version",
            "kind",
            "department",
            "criticality",
            "network_zone",
            "tags",
        ]

    # Validated per field here so the message sits next to the right input.
    def clean_ip_addresses(self) -> list[str]:
        return [normalise_ip(ip) for ip in self.cleaned_data.get("ip_addresses", [])]

    def clean_mac_addresses(self) -> list[str]:
        return [normalise_mac(mac) for mac in self.cleaned_data.get("mac_addresses", [])]


class EvidenceUploadForm(forms.Form):
    establishment = forms.ModelChoiceField(
        queryset=Establishment.objects.all(), label=_("Establishment")
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, PNG, JPEG, text, CSV, JSON, ZIP, Word (.docx) or Excel (.xlsx)."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = form_field(self, "establishment", forms.ModelChoiceField)
        field.queryset = Establishment.objects.visible_to(user)


class CSVImportForm(forms.Form):
    establishment = forms.ModelChoiceField(
        queryset=Establishment.objects.all(), label=_("Establishment")
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8 or Windows-1252, separated by commas or semicolons, with a header line."
        ),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = form_field(self, "establishment", forms.ModelChoiceField)
        field.queryset = Establishment.objects.visible_to(user)

    def clean_file(self) -> Any:
        uploaded = self.cleaned_data["file"]
        if uploaded.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is too large (limit: %(mb)d MB).")
                % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)}
            )
        return uploaded


class AlertStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=AlertStatus.choices)
