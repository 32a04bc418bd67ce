"""Playbook forms: the YAML editor and the file upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core.forms import form_field
from hygie.core.models import Organisation
from hygie.response.engine.playbooks import MAX_PLAYBOOK_BYTES


class _OrganisationChoiceForm(forms.Form):
    """Asks which organisation only of users who see several; others save into their own."""

    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(
        self, *args: Any, organisations: list[Organisation] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = organisations or []
        if len(choices) > 1:
            organisation = form_field(self, "organisation", forms.ModelChoiceField)
            organisation.queryset = Organisation.objects.filter(pk__in=[org.pk for org in choices])
            organisation.required = True
        else:
            del self.fields["organisation"]


class PlaybookSourceForm(_OrganisationChoiceForm):
    """The YAML editor (a plain textarea; problems are listed next to it with their lines)."""

    source = forms.CharField(
        label=gettext_lazy("Playbook (YAML)"),
        strip=False,
        max_length=MAX_PLAYBOOK_BYTES,
        widget=forms.Textarea(
            attrs={
                "rows": 32,
                "spellcheck": "false",
                "autocomplete": "off",
                "class": "code-editor",
                "wrap": "off",
            }
        ),
    )
    field_order = ["source", "organisation"]


class PlaybookUploadForm(_OrganisationChoiceForm):
    file = forms.FileField(
        label=gettext_lazy("YAML file"), help_text=gettext_lazy("A .yaml or .yml playbook, UTF-8.")
    )
    field_order = ["file", "organisation"]

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".yaml", ".yml")):
            raise ValidationError(_("Upload a .yaml or .yml file."))
        raw = upload.read(MAX_PLAYBOOK_BYTES + 1)
        if len(raw) > MAX_PLAYBOOK_BYTES:
            raise ValidationError(
                _("The file is larger than %(limit)s bytes.") % {"limit": MAX_PLAYBOOK_BYTES}
            )
        try:
            return str(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise ValidationError(_("The file is not UTF-8 text.")) from None
