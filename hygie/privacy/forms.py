"""Forms of the privacy pages; establishment and root choices are limited to what the user sees."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hygie.core.forms import ScopedModelForm
from hygie.core.models import Establishment, User
from hygie.core.tables import scoped_label
from hygie.privacy.choices import TriageStatus
from hygie.privacy.models import PHIFinding, ScanRoot
from hygie.privacy.services import MAX_COMMENT_LENGTH


class ScanRootForm(ScopedModelForm):
    class Meta:
        model = ScanRoot
        fields = ["establishment", "label", "path", "exposure", "is_enabled"]


class StartScanForm(forms.Form):
    """A scan of a configured root, or of one uploaded file for an establishment."""

    root = forms.ModelChoiceField(
        label=_("Scan root"), queryset=ScanRoot.objects.none(), required=False
    )
    establishment = forms.ModelChoiceField(
        label=_("Establishment (for an uploaded file)"),
        queryset=Establishment.objects.none(),
        required=False,
    )
    file = forms.FileField(label=_("Or upload a file"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roots = (
            ScanRoot.objects.visible_to(user)
            .filter(is_enabled=True)
            .select_related("establishment")
        )
        root_field = self.fields["root"]
        assert isinstance(root_field, forms.ModelChoiceField)
        root_field.queryset = roots
        root_field.label_from_instance = (  # type: ignore[method-assign]
            lambda obj: scoped_label(obj, user)
        )  # Django's documented way to relabel choices
        establishment_field = self.fields["establishment"]
        assert isinstance(establishment_field, forms.ModelChoiceField)
        establishment_field.queryset = Establishment.objects.visible_to(user)
        visible = list(establishment_field.queryset[:2])
        if len(visible) == 1:
            self.initial.setdefault("establishment", visible[0].pk)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if bool(data.get("root")) == bool(data.get("file")):
            raise forms.ValidationError(_("Choose either a scan root or a file to upload."))
        if data.get("file") and not data.get("establishment"):
            self.add_error("establishment", _("Choose the establishment the file belongs to."))
        return data


class TriageForm(forms.Form):
    triage_status = forms.ChoiceField(label=_("Triage"), choices=TriageStatus.choices)
    triage_comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @classmethod
    def for_finding(cls, finding: PHIFinding) -> TriageForm:
        return cls(
            initial={
                "triage_status": finding.triage_status,
                "triage_comment": finding.triage_comment,
            }
        )
