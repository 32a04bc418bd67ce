"""Forms of the devices pages; every choice of a scoped object only offers what the user sees."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hygie.core.forms import ScopedModelForm, form_field
from hygie.core.models import Asset, Establishment, User
from hygie.core.models.assets import normalise_ip, normalise_mac
from hygie.core.services import crud
from hygie.core.widgets import IsoDateInput
from hygie.devices.choices import CompensatingControl, FeedKind, VexJustification, Workflow
from hygie.devices.models import Device, DeviceVulnerability, VendorAlias
from hygie.devices.services import imports

DATE_FIELDS = ("os_end_of_support", "support_end", "warranty_end")


class DeviceForm(ScopedModelForm):
    """A device: on an existing asset, or a new one from its host name and addresses."""

    hostname = forms.CharField(
        label=_("Host name (new asset)"),
        required=False,
        max_length=253,
        help_text=_("Leave the asset empty and give a host name to create the asset."),
    )
    ip_addresses = forms.CharField(label=_("IP addresses"), required=False, max_length=1000)
    mac_addresses = forms.CharField(label=_("MAC addresses"), required=False, max_length=1000)
    compensating_controls = forms.MultipleChoiceField(
        label=_("Compensating controls"),
        choices=CompensatingControl.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Device
        fields = [
            "establishment",
            "asset",
            "manufacturer",
            "model_name",
            "version",
            "serial_number",
            "udi_di",
            "eu_class",
            "fda_class",
            "clinical_function",
            "patient_connected",
            "stores_phi",
            "location",
            "department",
            "network_zone",
            "internet_reachable",
            "os_name",
            "os_version",
            "os_end_of_support",
            "support_end",
            "warranty_end",
            "owner",
            "vendor_contact",
            "cpe",
            "purl",
            "compensating_controls",
            "notes",
        ]
        widgets = {name: IsoDateInput() for name in DATE_FIELDS}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        asset_field = form_field(self, "asset", forms.ModelChoiceField)
        asset_field.required = False
        if self.instance.pk:
            for name in ("hostname", "ip_addresses", "mac_addresses", "asset"):
                self.fields.pop(name)
            self.fields["establishment"].disabled = True

    def _addresses(self, name: str, normalise: Any) -> list[str]:
        text = self.cleaned_data.get(name) or ""
        try:
            return [normalise(part) for part in text.replace(",", " ").split() if part]
        except forms.ValidationError:
            raise forms.ValidationError(_("Not a valid address.")) from None

    def clean_ip_addresses(self) -> list[str]:
        return self._addresses("ip_addresses", normalise_ip)

    def clean_mac_addresses(self) -> list[str]:
        return self._addresses("mac_addresses", normalise_mac)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk:
            return data
        asset = data.get("asset")
        establishment = data.get("establishment")
        if asset is None and not (data.get("hostname") or "").strip():
            self.add_error("hostname", _("Choose an asset or give a host name."))
        if asset is not None and establishment is not None:
            if asset.establishment_id != establishment.pk:
                self.add_error("asset", _("This asset belongs to another establishment."))
            elif Device.objects.filter(asset=asset).exists():
                self.add_error("asset", _("This asset already has a device record."))
        return data

    def save(self, commit: bool = True) -> Device:
        device: Device = super().save(commit=False)
        if not device.asset_id:
            data = self.cleaned_data
            asset = Asset(
                establishment=data["establishment"],
                hostname=data["hostname"].strip(),
                kind="medical_device",
                ip_addresses=data.get("ip_addresses") or [],
                mac_addresses=data.get("mac_addresses") or [],
                os_name=device.os_name,
                os_version=device.os_version,
            )
            crud.save_instance(asset, self.user)
            device.asset = asset
        if commit:
            crud.save_instance(device, self.user)
        return device


class VendorAliasForm(ScopedModelForm):
    class Meta:
        model = VendorAlias
        fields = ["kind", "alias", "canonical", "vendor"]


class DecisionForm(forms.ModelForm):
    """The decision on a device vulnerability."""

    class Meta:
        model = DeviceVulnerability
        fields = ["workflow", "justification", "vex_justification", "accepted_until"]
        widgets = {
            "accepted_until": IsoDateInput(),
            "justification": forms.Textarea(attrs={"rows": 3}),
        }

    workflow = forms.ChoiceField(label=_("Decision"), choices=Workflow.choices)
    vex_justification = forms.ChoiceField(
        label=_("VEX justification"), choices=VexJustification.choices, required=False
    )


class EstablishmentChoiceMixin(forms.Form):
    establishment = forms.ModelChoiceField(
        label=_("Establishment"), queryset=Establishment.objects.none()
    )

    def scope(self, user: User) -> None:
        field = form_field(self, "establishment", forms.ModelChoiceField)
        field.queryset = Establishment.objects.visible_to(user).order_by("name")
        visible = list(field.queryset[:2])
        if len(visible) == 1:
            self.initial.setdefault("establishment", visible[0].pk)


class InventoryUploadForm(EstablishmentChoiceMixin):
    file = forms.FileField(
        label=_("CSV or XLSX file (inventory, CMMS/GMAO export)"),
        help_text=_("The first line names the columns; you map them at the next step."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope(user)


class MappingForm(forms.Form):
    """One select per device field: which column of the file feeds it (or none)."""

    def __init__(self, *args: Any, columns: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *((str(i), name or f"#{i + 1}") for i, name in enumerate(columns))]
        for name, (label, _synonyms) in imports.FIELDS.items():
            self.fields[name] = forms.ChoiceField(label=label, choices=choices, required=False)

    def mapping(self) -> dict[str, int]:
        return {
            name: int(value)
            for name, value in self.cleaned_data.items()
            if name in imports.FIELDS and value not in ("", None)
        }


class FeedUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Feed"), choices=[c for c in FeedKind.choices if c[0] != FeedKind.SBOM]
    )
    file = forms.FileField(label=_("File"))


class Mds2UploadForm(forms.Form):
    file = forms.FileField(label=_("MDS2 form (2019, XLSX)"))


class SbomUploadForm(forms.Form):
    file = forms.FileField(label=_("SBOM with its VEX (CycloneDX JSON or XML, SPDX)"))


class MergeForm(forms.Form):
    other = forms.ModelChoiceField(
        label=_("Duplicate to fold into this device"), queryset=Device.objects.none()
    )

    def __init__(self, *args: Any, device: Device, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = form_field(self, "other", forms.ModelChoiceField)
        field.queryset = (
            Device.objects.visible_to(user)
            .filter(establishment=device.establishment_id)
            .exclude(pk=device.pk)
            .select_related("asset")
        )
