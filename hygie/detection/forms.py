"""Detection forms."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from hygie.detection.services import PACK_NAME


class RulePackImportForm(forms.Form):
    """A Sigma rule pack (e.g. a SigmaHQ release) uploaded as a zip archive."""

    name = forms.CharField(label=_("Pack name"), max_length=64, validators=[RegexValidator(
        PACK_NAME, _("Lower-case letters, digits, '-' and '_' only."))],
        help_text=_("Importing again under the same name replaces the pack."))
    file = forms.FileField(label=_("Zip archive of Sigma rules"))
